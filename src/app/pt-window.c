/* pt-window.c: one window per host. It reads the host off the main loop,
 * shows a spinner or the error meanwhile, and hands the result to the
 * wizard and the inspector through a shared PtSelection. Snapshots come in
 * through File > Open and drag and drop, and go out through Export. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pt-debug.h"
#include "pt-host-loader.h"
#include "pt-inspector.h"
#include "pt-mnemonic.h"
#include "pt-vm-module.h"
#include "pt-window.h"
#include "pt-wizard.h"

struct _PtWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkStack             *state_stack;
  AdwStatusPage        *error_page;   /* made when first needed */
  AdwViewStack         *view_stack;
  AdwBin               *setup_bin;
  AdwBin               *devices_bin;
  PtWizard             *wizard;        /* NULL until built: see ensure_page() */
  PtInspector          *inspector;     /* the same */

  char                 *root;
  GFile                *snapshot;
  PtSelection          *selection;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (PtWindow, pt_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ROOT,
  PROP_SNAPSHOT,
  PROP_HOST,
  PROP_SELECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pt_window_update_subtitle (PtWindow *self)
{
  g_autofree char *subtitle = NULL;

  if (self->snapshot != NULL)
    {
      g_autofree char *name = g_file_get_basename (self->snapshot);
      /* Translators: the subtitle of a window showing a saved host. */
      subtitle = g_strdup_printf (_("Snapshot %s"), name);
    }
  else if (g_strcmp0 (self->root, "/") != 0)
    /* Translators: the subtitle of a window showing another system's root. */
    subtitle = g_strdup_printf (_("System at %s"), self->root);
  else
    subtitle = g_strdup (_("This computer"));

  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
}

/* Test hook for tests/test-ui-vm.py, read once the host is shown:
 * PASSTHROUGH_SELECT_GPUS=ADDR[,ADDR…] ticks those GPUs (the test then
 * opens the VM dialog with the inspector's "Add to a VM…"). */
static void
pt_window_run_test_hooks (PtWindow *self)
{
  const char *gpus = g_getenv ("PASSTHROUGH_SELECT_GPUS");

  if (gpus != NULL && gpus[0] != '\0')
    {
      g_auto(GStrv) addresses = g_strsplit (gpus, ",", -1);

      pt_selection_set_gpus (self->selection, (const char *const *) addresses);
    }
}

static gboolean
run_test_hooks_idle (gpointer data)
{
  pt_window_run_test_hooks (PT_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
pt_window_show_host (PtWindow *self,
                     PtHost   *host)
{
  pt_selection_set_host (self->selection, host);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", TRUE);
  /* A host that arrives before the window was drawn comes in without the
   * cross-fade: nothing was shown to fade from. */
  gtk_stack_set_transition_type (self->state_stack,
                                 gtk_widget_get_mapped (GTK_WIDGET (self))
                                 ? GTK_STACK_TRANSITION_TYPE_CROSSFADE
                                 : GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_stack_set_visible_child_name (self->state_stack, "content");
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, run_test_hooks_idle, g_object_ref (self), g_object_unref);
}

/* The error page is made the first time a host cannot be read: most
 * windows never show it. */
static void
show_error (PtWindow   *self,
            const char *message)
{
  if (self->error_page == NULL)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Try Again"));

      gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.reload");
      gtk_widget_add_css_class (button, "pill");
      gtk_widget_add_css_class (button, "suggested-action");
      pt_mnemonic_fix_button (GTK_BUTTON (button));
      self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
      adw_status_page_set_icon_name (self->error_page, "dialog-error-symbolic");
      adw_status_page_set_title (self->error_page, _("Cannot Read This Host"));
      adw_status_page_set_child (self->error_page, button);
      gtk_stack_add_named (self->state_stack, GTK_WIDGET (self->error_page), "error");
    }
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->state_stack, "error");
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PtWindow) self = user_data;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(GError) error = NULL;

  host = pt_host_loader_load_finish (result, &error);
  if (host == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error->message);
      return;
    }

  pt_window_show_host (self, host);
}

static void
pt_window_load (PtWindow *self)
{
  const char *root = self->snapshot != NULL ? NULL : self->root;
  g_autoptr(PtHost) preloaded = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", FALSE);
  pt_window_update_subtitle (self);

  /* The application read the command line's host while GTK started; when
   * it is ready the first frame already shows it. */
  preloaded = pt_host_loader_take_preloaded (root, self->snapshot);
  if (preloaded != NULL)
    {
      pt_window_show_host (self, preloaded);
      return;
    }

  gtk_stack_set_visible_child_name (self->state_stack, "loading");
  pt_host_loader_load_async (root, self->snapshot, self->cancellable,
                             load_cb, g_object_ref (self));
}

/* Shows the snapshot @file in this window in place of the current host. */
static void
pt_window_open_snapshot (PtWindow *self,
                         GFile    *file)
{
  g_set_object (&self->snapshot, file);
  pt_window_load (self);
}

static void
open_response_cb (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  PtWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      pt_window_open_snapshot (self, file);
    }
  g_object_unref (dialog);
}

static GtkFileFilter *
snapshot_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Host snapshots (JSON)"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  return filter;
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PtWindow *self = PT_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = snapshot_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Open Host Snapshot"),
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"),
                                        _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
export_replace_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PtWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the snapshot: %s"), error->message);
      pt_window_add_toast (self, message);
      return;
    }
  pt_window_add_toast (self, _("Snapshot saved"));
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  PtWindow *self = user_data;
  PtHost *host = pt_window_get_host (self);

  if (response == GTK_RESPONSE_ACCEPT && host != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GBytes) bytes = NULL;
      char *json = pt_host_to_snapshot (host);

      bytes = g_bytes_new_take (json, strlen (json));
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                           G_FILE_CREATE_REPLACE_DESTINATION,
                                           self->cancellable,
                                           export_replace_cb, g_object_ref (self));
    }
  g_object_unref (dialog);
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  PtWindow *self = PT_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = snapshot_filter_new ();
  g_autofree char *name = NULL;

  dialog = gtk_file_chooser_native_new (_("Export Host Snapshot"),
                                        GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"),
                                        _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  /* Translators: the suggested file name of an exported snapshot. */
  name = g_strdup_printf ("%s.json", _("passthrough-host"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  pt_window_load (PT_WINDOW (widget));
}

/* The two pages are built when first needed: the one in sight at once,
 * the other one in idle time after the window's first frame, so that the
 * first frame costs one page and switching later costs nothing. */
static void
ensure_page (PtWindow   *self,
             const char *name)
{
  if (g_strcmp0 (name, "setup") == 0 && self->wizard == NULL)
    {
      self->wizard = g_object_new (PT_TYPE_WIZARD, NULL);
      pt_wizard_set_selection (self->wizard, self->selection);
      adw_bin_set_child (self->setup_bin, GTK_WIDGET (self->wizard));
    }
  else if (g_strcmp0 (name, "devices") == 0 && self->inspector == NULL)
    {
      self->inspector = g_object_new (PT_TYPE_INSPECTOR, NULL);
      pt_inspector_set_selection (self->inspector, self->selection);
      adw_bin_set_child (self->devices_bin, GTK_WIDGET (self->inspector));
    }
}

static void
visible_page_cb (PtWindow *self)
{
  /* Before the window maps, the page may still change (--page). */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_page (self, adw_view_stack_get_visible_child_name (self->view_stack));
}

static gboolean
build_pages_idle (gpointer data)
{
  PtWindow *self = data;

  /* Closed before it came to this: the template children are gone. */
  if (self->setup_bin == NULL || self->devices_bin == NULL)
    return G_SOURCE_REMOVE;
  ensure_page (self, "setup");
  ensure_page (self, "devices");
  return G_SOURCE_REMOVE;
}

static void
after_first_paint_cb (GdkFrameClock *clock,
                      PtWindow      *self)
{
  /* Not while the host is still loading: the first frame that counts is
   * the one with the host in it. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->state_stack), "content") != 0)
    return;
  g_signal_handlers_disconnect_by_func (clock, after_first_paint_cb, self);
  g_idle_add_full (G_PRIORITY_LOW, build_pages_idle, g_object_ref (self), g_object_unref);
}

static void
map_cb (PtWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  g_signal_handlers_disconnect_by_func (self, map_cb, NULL);
  visible_page_cb (self);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (after_first_paint_cb), self, 0);
}

static void
find_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PtWindow *self = PT_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "devices");
  ensure_page (self, "devices");
  gtk_widget_activate_action (GTK_WIDGET (self->inspector), "inspector.find", NULL);
}

/* The shortcuts window is built the first time it is asked for, not with
 * every window as GtkApplication does with gtk/help-overlay.ui: it is a
 * window of its own with a widget per shortcut, and nobody sees it at
 * start. */
static void
shortcuts_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (widget);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/passthrough/Passthrough/pt-shortcuts-window.ui");

      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_application_window_set_help_overlay (window, overlay);
    }
  gtk_window_present (GTK_WINDOW (overlay));
}

static void
attach_vm_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  PtWindow *self = PT_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  GtkWindow *dialog = pt_vm_module_new_dialog (GTK_WINDOW (self), self->selection, &error);

  if (dialog == NULL)
    {
      GtkWidget *message = adw_message_dialog_new (GTK_WINDOW (self), _("The VM Dialog Cannot Open"),
                                                   error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (message), "close", _("_Close"));
      dialog = GTK_WINDOW (message);
    }
  gtk_window_present (dialog);
}

/* The VM dialog needs a plan: a ticked GPU that may be passed through. */
static void
selection_changed_cb (PtWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.attach-vm",
                                 pt_selection_get_plan (self->selection) != NULL);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  PtWindow *self = user_data;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;

  pt_window_open_snapshot (self, g_value_get_object (value));
  return TRUE;
}

/* Debug hook for looking at the UI without a display: with
 * PASSTHROUGH_SCREENSHOT=FILE.png (and optionally
 * PASSTHROUGH_SCREENSHOT_SIZE=WxH) the window renders itself into FILE
 * once the host is shown and animations have settled, then quits. */
static gboolean
screenshot_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  PtWindow *self = PT_WINDOW (widget);
  guint frames = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self), "pt-screenshot-frames"));

  /* A host shown, or the page that says why none can be. */
  if ((pt_window_get_host (self) == NULL &&
       g_strcmp0 (gtk_stack_get_visible_child_name (self->state_stack), "error") != 0) ||
      frames++ < 45)
    {
      g_object_set_data (G_OBJECT (self), "pt-screenshot-frames", GUINT_TO_POINTER (frames));
      return G_SOURCE_CONTINUE;
    }

  if (!pt_debug_save_screenshot (widget, g_getenv ("PASSTHROUGH_SCREENSHOT")))
    return G_SOURCE_CONTINUE;
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
  return G_SOURCE_REMOVE;
}

static void
pt_window_constructed (GObject *object)
{
  PtWindow *self = PT_WINDOW (object);
  GtkApplication *app;

  G_OBJECT_CLASS (pt_window_parent_class)->constructed (object);

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (app != NULL)
    {
      GSettings *settings = pt_application_get_settings (PT_APPLICATION (app));

      g_settings_bind (settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
    }

  if (g_getenv ("PASSTHROUGH_SCREENSHOT") != NULL)
    {
      int width = 0, height = 0;

      if (sscanf (g_getenv ("PASSTHROUGH_SCREENSHOT_SIZE") ? g_getenv ("PASSTHROUGH_SCREENSHOT_SIZE") : "",
                  "%dx%d", &width, &height) == 2)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      gtk_widget_add_tick_callback (GTK_WIDGET (self), screenshot_tick_cb, NULL, NULL);
    }

  if (self->root == NULL && self->snapshot == NULL)
    self->root = g_strdup ("/");
  pt_window_load (self);
}

static void
pt_window_dispose (GObject *object)
{
  PtWindow *self = PT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_WINDOW);

  G_OBJECT_CLASS (pt_window_parent_class)->dispose (object);
}

static void
pt_window_finalize (GObject *object)
{
  PtWindow *self = PT_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->snapshot);
  g_clear_pointer (&self->root, g_free);

  G_OBJECT_CLASS (pt_window_parent_class)->finalize (object);
}

static void
pt_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PtWindow *self = PT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      g_value_set_string (value, self->root);
      break;
    case PROP_SNAPSHOT:
      g_value_set_object (value, self->snapshot);
      break;
    case PROP_HOST:
      g_value_set_object (value, pt_window_get_host (self));
      break;
    case PROP_SELECTION:
      g_value_set_object (value, self->selection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PtWindow *self = PT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ROOT:
      self->root = g_value_dup_string (value);
      break;
    case PROP_SNAPSHOT:
      self->snapshot = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_window_class_init (PtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pt_window_constructed;
  object_class->dispose = pt_window_dispose;
  object_class->finalize = pt_window_finalize;
  object_class->get_property = pt_window_get_property;
  object_class->set_property = pt_window_set_property;

  properties[PROP_ROOT] =
    g_param_spec_string ("root", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SNAPSHOT] =
    g_param_spec_object ("snapshot", NULL, NULL, G_TYPE_FILE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, PT_TYPE_HOST,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTION] =
    g_param_spec_object ("selection", NULL, NULL, PT_TYPE_SELECTION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PT_TYPE_WIZARD);
  g_type_ensure (PT_TYPE_INSPECTOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/passthrough/Passthrough/pt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, state_stack);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, setup_bin);
  gtk_widget_class_bind_template_child (widget_class, PtWindow, devices_bin);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_activated);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_activated);
  gtk_widget_class_install_action (widget_class, "win.attach-vm", NULL, attach_vm_activated);
  gtk_widget_class_install_action (widget_class, "win.shortcuts", NULL, shortcuts_activated);
}

/* The bottom switcher is for narrow windows: its buttons are made the
 * first time it is revealed, not for every window's first frame. */
static void
switcher_bar_reveal_cb (PtWindow *self)
{
  if (adw_view_switcher_bar_get_reveal (self->switcher_bar) &&
      adw_view_switcher_bar_get_stack (self->switcher_bar) == NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, self->view_stack);
}

static void
pt_window_init (PtWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = pt_selection_new ();
  g_signal_connect_object (self->selection, "changed", G_CALLBACK (selection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  selection_changed_cb (self);
  /* The page in sight is built when the window maps (after --page chose
   * it) or when it comes into sight, the other one after the first frame. */
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (visible_page_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "map", G_CALLBACK (map_cb), NULL);
  g_signal_connect_object (self->switcher_bar, "notify::reveal",
                           G_CALLBACK (switcher_bar_reveal_cb), self, G_CONNECT_SWAPPED);

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

PtWindow *
pt_window_new (PtApplication *application,
               const char    *root,
               GFile         *snapshot)
{
  return g_object_new (PT_TYPE_WINDOW,
                       "application", application,
                       "root", root,
                       "snapshot", snapshot,
                       NULL);
}

PtHost *
pt_window_get_host (PtWindow *self)
{
  g_return_val_if_fail (PT_IS_WINDOW (self), NULL);

  return pt_selection_get_host (self->selection);
}

PtSelection *
pt_window_get_selection (PtWindow *self)
{
  g_return_val_if_fail (PT_IS_WINDOW (self), NULL);

  return self->selection;
}

void
pt_window_set_visible_page (PtWindow   *self,
                            const char *name)
{
  g_return_if_fail (PT_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

void
pt_window_add_toast (PtWindow   *self,
                     const char *message)
{
  g_return_if_fail (PT_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}
