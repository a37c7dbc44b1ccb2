/* pt-wizard.c: the setup wizard, after gnome-initial-setup's assistant: a
 * stack of PtWizardPage, a step indicator, and Back / Next that follow each
 * page's complete, skippable and applying state (and run its apply hook
 * before leaving it). It owns what the pages share: the helper client and
 * polkit's permission. It remembers the page and the choice in GSettings so
 * that it resumes at Verify after the restart, and keeps Roll Back one
 * button away once something was applied. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <polkit/polkit.h>

#include "pt-application.h"
#include "pt-debug.h"
#include "pt-helper-client.h"
#include "pt-mnemonic.h"
#include "pt-window.h"
#include "pt-wizard.h"
#include "pt-wizard-apply-page.h"
#include "pt-wizard-autostart.h"
#include "pt-wizard-firmware-page.h"
#include "pt-wizard-gpu-page.h"
#include "pt-wizard-page.h"
#include "pt-wizard-reboot-page.h"
#include "pt-wizard-review-page.h"
#include "pt-wizard-verify-page.h"
#include "pt-wizard-vm-page.h"
#include "pt-wizard-welcome-page.h"

struct _PtWizard
{
  AdwBin          parent_instance;

  GtkBox         *titles_box;
  GtkLabel       *step_label;
  GtkLabel       *title_label;
  GtkStack       *stack;
  GtkButton      *back_button;
  GtkButton      *next_button;
  GtkButton      *rollback_button;

  PtSelection    *selection;
  PtHelperClient *client;
  GPermission    *permission;
  GCancellable   *cancellable;
  GPtrArray      *pages;         /* PtWizardPage, unowned: the stack's children */
  GPtrArray      *title_labels;  /* GtkLabel, unowned, one per page */
  gboolean        restored;
  gboolean        busy;          /* an apply hook or a rollback runs */
};

G_DEFINE_FINAL_TYPE (PtWizard, pt_wizard, ADW_TYPE_BIN)

static GSettings *
get_settings (void)
{
  GApplication *app = g_application_get_default ();

  return PT_IS_APPLICATION (app) ? pt_application_get_settings (PT_APPLICATION (app)) : NULL;
}

static guint
current_index (PtWizard *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->stack);
  guint index = 0;

  if (child != NULL && g_ptr_array_find (self->pages, child, &index))
    return index;
  return 0;
}

static PtWizardPage *
current_page (PtWizard *self)
{
  return g_ptr_array_index (self->pages, current_index (self));
}

static int
page_index (PtWizard   *self,
            const char *id)
{
  for (guint i = 0; i < self->pages->len; i++)
    if (g_strcmp0 (pt_wizard_page_get_id (g_ptr_array_index (self->pages, i)), id) == 0)
      return (int) i;
  return -1;
}

static void
update_navigation (PtWizard *self)
{
  guint index = current_index (self);
  guint n = self->pages->len;
  PtWizardPage *page = current_page (self);
  gboolean applying = pt_wizard_page_get_applying (page) || self->busy;
  gboolean complete = pt_wizard_page_get_complete (page);
  gboolean skippable = pt_wizard_page_get_skippable (page);
  GSettings *settings = get_settings ();
  g_autofree char *transaction = settings != NULL ? g_settings_get_string (settings, "wizard-transaction") : NULL;
  g_autofree char *step = NULL;

  /* Translators: the wizard's page indicator, "Step 3 of 8". */
  step = g_strdup_printf (_("Step %u of %u"), index + 1, n);
  gtk_label_set_text (self->step_label, step);
  gtk_label_set_text (self->title_label, pt_wizard_page_get_title (page));

  for (guint i = 0; i < self->title_labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (self->title_labels, i);

      if (i == index)
        {
          gtk_widget_remove_css_class (label, "dim-label");
          gtk_widget_add_css_class (label, "accent");
        }
      else
        {
          gtk_widget_remove_css_class (label, "accent");
          gtk_widget_add_css_class (label, "dim-label");
        }
    }
  {
    g_autofree char *indicator = g_strdup_printf ("%s: %s", step, pt_wizard_page_get_title (page));
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->titles_box),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, indicator, -1);
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back", index > 0 && !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next",
                                 index + 1 < n && !applying && (complete || skippable));
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), index + 1 < n);
  /* The button keeps its name (screen readers and tests know it as
   * "Next"); the tooltip says when going on skips something unfinished. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->next_button),
                               !complete && skippable
                               ? _("Go on although this step is not finished (Alt+Right)")
                               : _("Next step (Alt+Right)"));

  gtk_widget_set_visible (GTK_WIDGET (self->rollback_button), transaction != NULL && transaction[0] != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.rollback",
                                 !applying && self->client != NULL &&
                                 pt_helper_client_get_available (self->client));
}

static void
go_to (PtWizard *self,
       guint     index)
{
  PtWizardPage *page;
  GSettings *settings = get_settings ();
  PtHost *host;
  GtkRoot *root;

  g_return_if_fail (index < self->pages->len);

  page = g_ptr_array_index (self->pages, index);
  pt_wizard_page_update (page);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (page));

  /* After the Restart page, the next start belongs at Verify. A snapshot
   * is someone else's machine: it leaves this one's progress alone. */
  host = self->selection != NULL ? pt_selection_get_host (self->selection) : NULL;
  if (settings != NULL && self->restored && (host == NULL || !pt_host_is_snapshot (host)))
    {
      const char *id = pt_wizard_page_get_id (page);

      g_settings_set_string (settings, "wizard-page",
                             g_strcmp0 (id, "reboot") == 0 ? "verify" : id);
      /* Only for this computer: a window on another root or a test tree
       * must not change what starts at the user's next login. */
      if (host != NULL && g_strcmp0 (pt_host_get_root (host), "/") == 0)
        {
          if (g_strcmp0 (id, "reboot") == 0)
            pt_wizard_autostart_set (TRUE);
          else if (g_strcmp0 (id, "vm") == 0 || g_strcmp0 (id, "welcome") == 0)
            pt_wizard_autostart_set (FALSE);
        }
    }

  update_navigation (self);
  pt_wizard_page_shown (page);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root) && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_window_set_default_widget (GTK_WINDOW (root),
                                   gtk_widget_get_visible (GTK_WIDGET (self->next_button))
                                   ? GTK_WIDGET (self->next_button) : NULL);
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PtWizard *self = PT_WIZARD (widget);
  guint index = current_index (self);

  if (index > 0)
    go_to (self, index - 1);
}

static void
apply_hook_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PtWizard) self = user_data;
  PtWizardPage *page = PT_WIZARD_PAGE (source);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  guint index;

  ok = pt_wizard_page_apply_finish (page, result, &error);
  if (self->pages == NULL)
    return;
  self->busy = FALSE;
  pt_wizard_page_set_applying (page, FALSE);
  if (!ok)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
          if (PT_IS_WINDOW (root))
            pt_window_add_toast (PT_WINDOW (root), error->message);
        }
      update_navigation (self);
      return;
    }

  if (g_ptr_array_find (self->pages, page, &index) && index + 1 < self->pages->len)
    go_to (self, index + 1);
}

static void
next_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PtWizard *self = PT_WIZARD (widget);
  guint index = current_index (self);
  PtWizardPage *page = current_page (self);

  if (index + 1 >= self->pages->len)
    return;
  if (pt_wizard_page_get_complete (page) && pt_wizard_page_has_apply (page))
    {
      self->busy = TRUE;
      pt_wizard_page_set_applying (page, TRUE);
      pt_wizard_page_apply_async (page, self->cancellable, apply_hook_cb, g_object_ref (self));
      return;
    }
  go_to (self, index + 1);
}

/* Roll Back */

static void
show_error_dialog (PtWizard   *self,
                   const char *heading,
                   const char *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
rollback_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PtWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gboolean ok = FALSE;
  GSettings *settings = get_settings ();
  int review;

  json = pt_helper_client_change_finish (PT_HELPER_CLIENT (source), result, NULL, &ok, &error);
  if (self->pages == NULL)
    return;
  self->busy = FALSE;

  if (json == NULL || !ok)
    {
      g_autofree char *text = NULL;

      if (json == NULL)
        text = pt_helper_client_describe_error (error);
      else
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          JsonNode *node;
          const char *message = NULL;

          if (json_parser_load_from_data (parser, json, -1, NULL) &&
              (node = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (node))
            message = json_object_get_string_member_with_default (json_node_get_object (node), "error", NULL);
          text = g_strdup (message != NULL ? message : _("The helper reported a failure. Check “journalctl -u passthroughd”."));
        }
      show_error_dialog (self, _("Could Not Roll Back"), text);
      update_navigation (self);
      return;
    }

  if (settings != NULL)
    {
      g_settings_set_string (settings, "wizard-transaction", "");
      g_settings_set_boolean (settings, "wizard-trial-pending", FALSE);
    }
  {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    if (PT_IS_WINDOW (root))
      pt_window_add_toast (PT_WINDOW (root), _("Rolled back. Restart to use the previous settings."));
  }
  review = page_index (self, "review");
  if (review >= 0)
    go_to (self, review);
  else
    update_navigation (self);
}

static void
rollback_authorized_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(PtWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  GSettings *settings = get_settings ();
  g_autofree char *transaction = NULL;
  PtHost *host;

  if (self->pages == NULL)
    return;
  host = self->selection != NULL ? pt_selection_get_host (self->selection) : NULL;
  if (!pt_wizard_authorize_finish (result, &error) || self->client == NULL || host == NULL ||
      pt_host_is_snapshot (host))
    {
      self->busy = FALSE;
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error_dialog (self, _("Could Not Roll Back"), error->message);
      update_navigation (self);
      return;
    }

  transaction = settings != NULL ? g_settings_get_string (settings, "wizard-transaction") : g_strdup ("");
  {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    if (PT_IS_WINDOW (root))
      pt_window_add_toast (PT_WINDOW (root), _("Rolling back…"));
  }
  pt_helper_client_change_async (self->client, "Rollback", NULL, FALSE, 0, transaction,
                                 pt_host_get_root (host), self->cancellable,
                                 rollback_done_cb, g_object_ref (self));
}

static void
rollback_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      PtWizard         *self)
{
  if (g_strcmp0 (response, "rollback") != 0 || self->pages == NULL)
    return;

  self->busy = TRUE;
  update_navigation (self);
  pt_wizard_authorize_async (self->permission, self->cancellable,
                             rollback_authorized_cb, g_object_ref (self));
}

static void
rollback_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  PtWizard *self = PT_WIZARD (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GSettings *settings = get_settings ();
  g_autofree char *transaction = settings != NULL ? g_settings_get_string (settings, "wizard-transaction") : NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  body = g_strdup_printf (_("Every file that change %s wrote is restored as it was, and the boot files are "
                            "rebuilt. After the next restart the graphics card is back with its usual driver."),
                          transaction != NULL ? transaction : "");
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Roll Back the Change?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rollback", _("_Roll Back"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rollback",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (rollback_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The helper and polkit */

static void
permission_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PtWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->permission);
  self->permission = polkit_permission_new_finish (result, &error);
  if (self->permission == NULL)
    {
      /* Without polkit the helper asks (or refuses) on its own. */
      g_debug ("No polkit permission for %s: %s", PT_HELPER_CLIENT_ACTION_CONFIGURE_BOOT, error->message);
      return;
    }
  if (self->pages == NULL)
    return;
  for (guint i = 0; i < self->pages->len; i++)
    pt_wizard_page_set_permission (g_ptr_array_index (self->pages, i), self->permission);
}

static void
client_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PtWizard) self = user_data;

  self->client = pt_helper_client_new_finish (result);
  if (self->pages == NULL)
    return;
  for (guint i = 0; i < self->pages->len; i++)
    pt_wizard_page_set_client (g_ptr_array_index (self->pages, i), self->client);
  update_navigation (self);

  if (pt_helper_client_get_available (self->client))
    polkit_permission_new (PT_HELPER_CLIENT_ACTION_CONFIGURE_BOOT, NULL, self->cancellable,
                           permission_cb, g_object_ref (self));
  else
    g_debug ("Read-only: %s", pt_helper_client_get_unavailable_reason (self->client));
}

/* Resuming, and a debugging hook for screenshots */

static gboolean
screenshot_cb (gpointer user_data)
{
  PtWizard *self = user_data;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *path = g_getenv ("PASSTHROUGH_WIZARD_SCREENSHOT");

  if (root == NULL || path == NULL)
    return G_SOURCE_REMOVE;

  pt_debug_save_screenshot (GTK_WIDGET (root), path);
  g_application_quit (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

/* Called once the first host is there: back to where the user was. */
static void
restore (PtWizard *self)
{
  GSettings *settings = get_settings ();
  const char *env_page = g_getenv ("PASSTHROUGH_WIZARD_PAGE");
  const char *env_gpus = g_getenv ("PASSTHROUGH_WIZARD_GPUS");
  g_autofree char *page = NULL;
  int index, review;

  self->restored = TRUE;

  if (env_page != NULL)
    page = g_strdup (env_page);
  else if (settings != NULL)
    page = g_settings_get_string (settings, "wizard-page");
  index = page != NULL ? page_index (self, page) : -1;
  if (index < 0)
    index = 0;

  review = page_index (self, "review");
  if (env_gpus != NULL)
    {
      g_auto(GStrv) gpus = g_strsplit (env_gpus, ",", -1);
      pt_selection_set_gpus (self->selection, (const char *const *) gpus);
    }
  else if (settings != NULL && index >= review && pt_selection_get_gpus (self->selection)[0] == NULL)
    {
      g_auto(GStrv) gpus = g_settings_get_strv (settings, "wizard-gpus");
      pt_selection_set_gpus (self->selection, (const char *const *) gpus);
    }

  go_to (self, index);

  if (g_getenv ("PASSTHROUGH_WIZARD_SCREENSHOT") != NULL)
    g_timeout_add_seconds (2, screenshot_cb, self);
}

static void
selection_changed_cb (PtWizard *self)
{
  if (!self->restored && pt_selection_get_host (self->selection) != NULL)
    restore (self);
  else
    update_navigation (self);
}

static void
page_notify_cb (PtWizard *self)
{
  update_navigation (self);
}

static void
settings_changed_cb (PtWizard *self)
{
  update_navigation (self);
}

static void
pt_wizard_map (GtkWidget *widget)
{
  PtWizard *self = PT_WIZARD (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (pt_wizard_parent_class)->map (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && gtk_widget_get_visible (GTK_WIDGET (self->next_button)))
    gtk_window_set_default_widget (GTK_WINDOW (root), GTK_WIDGET (self->next_button));
}

/* Enter must not press Next while the Devices page is shown. */
static void
pt_wizard_unmap (GtkWidget *widget)
{
  PtWizard *self = PT_WIZARD (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_WINDOW (root) &&
      gtk_window_get_default_widget (GTK_WINDOW (root)) == GTK_WIDGET (self->next_button))
    gtk_window_set_default_widget (GTK_WINDOW (root), NULL);

  GTK_WIDGET_CLASS (pt_wizard_parent_class)->unmap (widget);
}

/* For screenshots: PASSTHROUGH_WIZARD_SIZE=360x720 (the narrowest window
 * the design supports, for instance) sizes the window before it shows. */
static void
pt_wizard_root (GtkWidget *widget)
{
  const char *size = g_getenv ("PASSTHROUGH_WIZARD_SIZE");
  GtkRoot *root;
  int width, height;

  GTK_WIDGET_CLASS (pt_wizard_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (g_getenv ("PASSTHROUGH_WIZARD_SCREENSHOT") != NULL && size != NULL &&
      sscanf (size, "%dx%d", &width, &height) == 2 && GTK_IS_WINDOW (root))
    {
      GSettings *settings = get_settings ();

      if (settings != NULL)
        {
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      gtk_window_set_default_size (GTK_WINDOW (root), width, height);
    }
}

static void
pt_wizard_dispose (GObject *object)
{
  PtWizard *self = PT_WIZARD (object);
  GSettings *settings = get_settings ();

  g_cancellable_cancel (self->cancellable);
  if (settings != NULL)
    g_signal_handlers_disconnect_by_data (settings, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_pointer (&self->title_labels, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_WIZARD);
  g_clear_object (&self->selection);
  g_clear_object (&self->client);
  g_clear_object (&self->permission);

  G_OBJECT_CLASS (pt_wizard_parent_class)->dispose (object);
}

static void
pt_wizard_finalize (GObject *object)
{
  PtWizard *self = PT_WIZARD (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pt_wizard_parent_class)->finalize (object);
}

static void
pt_wizard_class_init (PtWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GdkDisplay *display = gdk_display_get_default ();

  object_class->dispose = pt_wizard_dispose;
  object_class->finalize = pt_wizard_finalize;
  widget_class->map = pt_wizard_map;
  widget_class->unmap = pt_wizard_unmap;
  widget_class->root = pt_wizard_root;

  g_type_ensure (PT_TYPE_WIZARD_WELCOME_PAGE);
  g_type_ensure (PT_TYPE_WIZARD_FIRMWARE_PAGE);
  g_type_ensure (PT_TYPE_WIZARD_GPU_PAGE);
  g_type_ensure (PT_TYPE_WIZARD_REVIEW_PAGE);
  g_type_ensure (PT_TYPE_WIZARD_APPLY_PAGE);
  g_type_ensure (PT_TYPE_WIZARD_REBOOT_PAGE);
  g_type_ensure (PT_TYPE_WIZARD_VERIFY_PAGE);
  g_type_ensure (PT_TYPE_WIZARD_VM_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/passthrough/Passthrough/wizard/pt-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizard, titles_box);
  gtk_widget_class_bind_template_child (widget_class, PtWizard, step_label);
  gtk_widget_class_bind_template_child (widget_class, PtWizard, title_label);
  gtk_widget_class_bind_template_child (widget_class, PtWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, PtWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, PtWizard, next_button);
  gtk_widget_class_bind_template_child (widget_class, PtWizard, rollback_button);

  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_activated);
  gtk_widget_class_install_action (widget_class, "wizard.rollback", NULL, rollback_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "wizard.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "wizard.next", NULL);

  if (display != NULL)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, "/io/github/passthrough/Passthrough/wizard/wizard.css");
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
}

static void
pt_wizard_init (PtWizard *self)
{
  GSettings *settings;
  GtkWidget *child;

  gtk_widget_init_template (GTK_WIDGET (self));
  pt_mnemonic_fix_buttons (GTK_WIDGET (self));

  /* GTK 4.8 names a button by its accessible label and its label child
   * together ("Next Next"); the navigation buttons keep one name. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->back_button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->next_button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->rollback_button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);

  self->cancellable = g_cancellable_new ();
  self->pages = g_ptr_array_new ();
  self->title_labels = g_ptr_array_new ();

  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      PtWizardPage *page = PT_WIZARD_PAGE (child);
      GtkWidget *label;

      g_ptr_array_add (self->pages, page);
      gtk_stack_page_set_name (gtk_stack_get_page (self->stack, child), pt_wizard_page_get_id (page));
      gtk_stack_page_set_title (gtk_stack_get_page (self->stack, child), pt_wizard_page_get_title (page));
      g_signal_connect_swapped (page, "notify::complete", G_CALLBACK (page_notify_cb), self);
      g_signal_connect_swapped (page, "notify::skippable", G_CALLBACK (page_notify_cb), self);
      g_signal_connect_swapped (page, "notify::applying", G_CALLBACK (page_notify_cb), self);

      if (self->title_labels->len > 0)
        {
          GtkWidget *separator = gtk_label_new ("›");

          gtk_widget_add_css_class (separator, "dim-label");
          gtk_accessible_update_state (GTK_ACCESSIBLE (separator), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
          gtk_box_append (self->titles_box, separator);
        }
      label = gtk_label_new (pt_wizard_page_get_title (page));
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_box_append (self->titles_box, label);
      g_ptr_array_add (self->title_labels, label);
    }

  settings = get_settings ();
  if (settings != NULL)
    g_signal_connect_swapped (settings, "changed::wizard-transaction", G_CALLBACK (settings_changed_cb), self);

  update_navigation (self);
  pt_helper_client_new_async (self->cancellable, client_cb, g_object_ref (self));
}

PtSelection *
pt_wizard_get_selection (PtWizard *self)
{
  g_return_val_if_fail (PT_IS_WIZARD (self), NULL);

  return self->selection;
}

void
pt_wizard_set_selection (PtWizard    *self,
                         PtSelection *selection)
{
  g_return_if_fail (PT_IS_WIZARD (self));
  g_return_if_fail (selection == NULL || PT_IS_SELECTION (selection));

  if (self->selection == selection)
    return;
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_set_object (&self->selection, selection);
  if (selection != NULL)
    g_signal_connect_swapped (selection, "changed", G_CALLBACK (selection_changed_cb), self);

  for (guint i = 0; i < self->pages->len; i++)
    pt_wizard_page_set_selection (g_ptr_array_index (self->pages, i), selection);

  if (selection != NULL && !self->restored && pt_selection_get_host (selection) != NULL)
    restore (self);
}
