/* pt-application.c: command-line options (--root, --snapshot, --page),
 * application-wide actions (help, about, quit) and one window per host. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-application.h"
#include "pt-host-loader.h"
#include "pt-startup-theme.h"
#include "pt-window.h"

struct _PtApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  char           *root;
  char           *snapshot;
  char           *page;
};

G_DEFINE_FINAL_TYPE (PtApplication, pt_application, ADW_TYPE_APPLICATION)

static PtWindow *
pt_application_new_window (PtApplication *self,
                           GFile         *snapshot)
{
  PtWindow *window;

  if (snapshot != NULL)
    window = pt_window_new (self, NULL, snapshot);
  else if (self->snapshot != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->snapshot);
      window = pt_window_new (self, NULL, file);
    }
  else
    window = pt_window_new (self, self->root != NULL ? self->root : "/", NULL);

  if (self->page != NULL)
    pt_window_set_visible_page (window, self->page);

  return window;
}

static void
pt_application_activate (GApplication *app)
{
  PtApplication *self = PT_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (pt_application_new_window (self, NULL));

  gtk_window_present (window);
}

/* Files given on the command line or through "Open With" are snapshots. */
static void
pt_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  PtApplication *self = PT_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    gtk_window_present (GTK_WINDOW (pt_application_new_window (self, files[i])));
}

static int
pt_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PtApplication *self = PT_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("passthrough %s\n", PACKAGE_VERSION);
      return 0;
    }

  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr(GSettingsSchema) schema = NULL;

    if (source != NULL)
      schema = g_settings_schema_source_lookup (source, PT_APPLICATION_ID, TRUE);
    if (schema == NULL)
      {
        g_printerr (_("The settings schema %s is not installed. Install Passthrough, or run it "
                      "from its build directory with “meson devenv -C BUILDDIR passthrough”.\n"),
                    PT_APPLICATION_ID);
        return 1;
      }
  }

  g_variant_dict_lookup (options, "root", "^ay", &self->root);
  g_variant_dict_lookup (options, "snapshot", "^ay", &self->snapshot);
  g_variant_dict_lookup (options, "page", "s", &self->page);

  if (self->root != NULL && self->snapshot != NULL)
    {
      g_printerr (_("--root and --snapshot cannot be used together: choose the host to show.\n"));
      return 2;
    }
  if (self->root != NULL && !g_file_test (self->root, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_("Host root “%s” is not a directory. Give the root of a Linux system, such as /.\n"),
                  self->root);
      return 2;
    }
  if (self->page != NULL && g_strcmp0 (self->page, "setup") != 0 && g_strcmp0 (self->page, "devices") != 0)
    {
      g_printerr (_("Unknown page “%s”: use “setup” or “devices”.\n"), self->page);
      return 2;
    }

  /* A window on another host is a private instance: it must not be handed
   * to an already running application showing this machine. */
  if (self->root != NULL || self->snapshot != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  return -1;
}

static void
pt_application_startup (GApplication *app)
{
  PtApplication *self = PT_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *help_accels[] = { "F1", NULL };
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *export_accels[] = { "<Control>e", NULL };
  static const char *reload_accels[] = { "F5", "<Control>r", NULL };
  static const char *find_accels[] = { "<Control>f", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  gboolean startup_theme;

  /* Read the host while GTK and libadwaita start up. */
  if (self->snapshot != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (self->snapshot);
      pt_host_loader_preload (NULL, file);
    }
  else
    pt_host_loader_preload (self->root != NULL ? self->root : "/", NULL);

  /* GTK parses its own theme, about 15% of a bare libadwaita window's
   * start-up, when libadwaita first asks for the display's settings; a
   * moment later libadwaita swaps it for an empty one and loads its own
   * stylesheet. Unless GTK_THEME asks for GTK's theme (libadwaita then keeps
   * it), that parse is wasted: for the length of GTK's and libadwaita's
   * start-up, GTK's theme resources are covered by empty ones. */
  startup_theme = g_getenv ("GTK_THEME") == NULL;
  if (startup_theme)
    pt_startup_theme_register_resource ();
  G_APPLICATION_CLASS (pt_application_parent_class)->startup (app);
  if (startup_theme)
    pt_startup_theme_unregister_resource ();

  self->settings = g_settings_new (PT_APPLICATION_ID);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.help", help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.export", export_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.reload", reload_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.find", find_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.shortcuts", shortcuts_accels);
}

static void
pt_application_finalize (GObject *object)
{
  PtApplication *self = PT_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->snapshot, g_free);
  g_clear_pointer (&self->page, g_free);

  G_OBJECT_CLASS (pt_application_parent_class)->finalize (object);
}

static void
pt_application_class_init (PtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pt_application_finalize;

  app_class->activate = pt_application_activate;
  app_class->open = pt_application_open;
  app_class->startup = pt_application_startup;
  app_class->handle_local_options = pt_application_handle_local_options;
}

static void
help_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *page = param != NULL ? g_variant_get_string (param, NULL) : "";
  g_autofree char *uri = NULL;

  uri = page[0] != '\0' ? g_strdup_printf ("help:passthrough/%s", page) : g_strdup ("help:passthrough");
  gtk_show_uri (gtk_application_get_active_window (app), uri, GDK_CURRENT_TIME);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Passthrough developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Passthrough"),
                        "application-icon", PT_APPLICATION_ID,
                        "developer-name", _("The Passthrough developers"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/passthrough/passthrough",
                        "comments", _("Give a spare GPU to a virtual machine: check the machine, "
                                      "preview every change, apply it safely and undo it."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "help", help_activated, "s", NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
};

static const GOptionEntry option_entries[] = {
  { "root", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Show the Linux system whose root directory is DIR instead of this machine"), N_("DIR") },
  { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Show a host snapshot saved by Passthrough or passthroughctl"), N_("FILE") },
  { "page", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Open on the page “setup” or “devices”"), N_("PAGE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { NULL }
};

static void
pt_application_init (PtApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[SNAPSHOT…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Pass a GPU through to a virtual machine."));
}

PtApplication *
pt_application_new (void)
{
  return g_object_new (PT_TYPE_APPLICATION,
                       "application-id", PT_APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       /* No resource base path: GtkApplication would make the
                        * icon theme for its icons/ before libadwaita adds its
                        * own, and GTK would then read the theme twice at start
                        * (once in a thread, thrown away, then again, blocking,
                        * at the window's first icon). The app has no icons/,
                        * menus or style.css to load from there, and builds its
                        * shortcuts window itself, when it is opened. */
                       "resource-base-path", NULL,
                       NULL);
}

GSettings *
pt_application_get_settings (PtApplication *self)
{
  g_return_val_if_fail (PT_IS_APPLICATION (self), NULL);

  return self->settings;
}
