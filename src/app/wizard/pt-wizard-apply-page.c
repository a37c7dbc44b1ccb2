/* pt-wizard-apply-page.c: unlocks with polkit, then has passthroughd apply
 * the plan (as a trial boot by default) and shows its progress and result.
 * The app writes nothing itself; with the helper missing the page says what
 * to install and Apply stays off. What was applied goes into GSettings so
 * that the wizard resumes at Verify after the reboot, and Roll Back knows
 * the transaction. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pt-mnemonic.h"
#include "pt-wizard-apply-page.h"

struct _PtWizardApplyPage
{
  PtWizardPage    parent_instance;

  GtkListBox     *status_list;
  AdwActionRow   *gpus_row;
  AdwActionRow   *mode_row;
  AdwActionRow   *lock_row;
  GtkLockButton  *lock_button;
  GtkButton      *apply_button;
  GtkWidget      *progress_box;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_label;
  GtkWidget      *result_group;
  GtkListBox     *result_list;

  PtHelperClient *connected_client;
  char           *applied_key;   /* gpus, flags and mode of the last good apply */
};

G_DEFINE_FINAL_TYPE (PtWizardApplyPage, pt_wizard_apply_page, PT_TYPE_WIZARD_PAGE)

static gboolean
get_trial (PtWizardApplyPage *self)
{
  GSettings *settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));

  return settings != NULL ? g_settings_get_boolean (settings, "wizard-trial") : TRUE;
}

/* What a good apply covered: applying it again would change nothing. */
static char *
dup_key (PtWizardApplyPage *self)
{
  PtSelection *selection = pt_wizard_page_get_selection (PT_WIZARD_PAGE (self));
  g_autofree char *gpus = NULL;

  if (selection == NULL)
    return NULL;
  gpus = g_strjoinv (",", (char **) pt_selection_get_gpus (selection));
  return g_strdup_printf ("%s/%u/%d", gpus, pt_selection_get_flags (selection), get_trial (self));
}

static void
progress_cb (PtHelperClient    *client,
             const char        *transaction,
             double             fraction,
             const char        *message,
             PtWizardApplyPage *self)
{
  if (!pt_wizard_page_get_applying (PT_WIZARD_PAGE (self)))
    return;
  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
  gtk_label_set_text (self->progress_label, message);
}

static void
pt_wizard_apply_page_update (PtWizardPage *page)
{
  PtWizardApplyPage *self = PT_WIZARD_APPLY_PAGE (page);
  PtSelection *selection = pt_wizard_page_get_selection (page);
  PtHelperClient *client = pt_wizard_page_get_client (page);
  GPermission *permission = pt_wizard_page_get_permission (page);
  PtHost *host = pt_wizard_page_get_host (page);
  PtPlan *plan = selection != NULL ? pt_selection_get_plan (selection) : NULL;
  gboolean applying = pt_wizard_page_get_applying (page);
  gboolean can_apply = TRUE;
  g_autofree char *key = dup_key (self);
  gboolean applied = self->applied_key != NULL && g_strcmp0 (key, self->applied_key) == 0;
  g_autoptr(GString) gpus = g_string_new (NULL);

  if (self->status_list == NULL)
    return;

  if (client != self->connected_client)
    {
      if (self->connected_client != NULL)
        g_signal_handlers_disconnect_by_data (self->connected_client, self);
      g_set_object (&self->connected_client, client);
      if (client != NULL)
        g_signal_connect (client, "progress", G_CALLBACK (progress_cb), self);
    }

  pt_wizard_clear_list (self->status_list);
  if (client == NULL)
    {
      gtk_list_box_append (self->status_list,
                           pt_wizard_message_row_new ("content-loading-symbolic",
                                                      _("Looking for the Passthrough helper…"), "dim-label"));
      can_apply = FALSE;
    }
  else if (!pt_helper_client_get_available (client))
    {
      gtk_list_box_append (self->status_list,
                           pt_wizard_message_row_new ("dialog-warning-symbolic",
                                                      pt_helper_client_get_unavailable_reason (client),
                                                      "warning"));
      can_apply = FALSE;
    }
  if (host != NULL && pt_host_is_snapshot (host))
    {
      gtk_list_box_append (self->status_list,
                           pt_wizard_message_row_new ("dialog-information-symbolic",
                                                      _("A snapshot cannot be changed. Open Passthrough on the "
                                                        "machine itself to apply."), NULL));
      can_apply = FALSE;
    }
  if (plan == NULL)
    {
      gtk_list_box_append (self->status_list,
                           pt_wizard_message_row_new ("dialog-information-symbolic",
                                                      _("There is nothing to apply yet: choose a graphics card "
                                                        "and check the Review page."), NULL));
      can_apply = FALSE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->status_list),
                          gtk_widget_get_first_child (GTK_WIDGET (self->status_list)) != NULL);

  if (selection != NULL && host != NULL)
    {
      const char *const *addresses = pt_selection_get_gpus (selection);

      for (guint i = 0; addresses[i] != NULL; i++)
        {
          PtDevice *device = pt_host_lookup_device (host, addresses[i]);
          g_autofree char *name = device != NULL ? pt_device_dup_display_name (device) : g_strdup (addresses[i]);

          if (i > 0)
            g_string_append (gpus, ", ");
          g_string_append (gpus, name);
        }
    }
  {
    g_autofree char *escaped = g_markup_escape_text (gpus->len > 0 ? gpus->str : _("None chosen"), -1);
    adw_action_row_set_subtitle (self->gpus_row, escaped);
  }
  adw_action_row_set_subtitle (self->mode_row,
                               get_trial (self)
                               ? _("Trial boot: the next start only, then you confirm")
                               : _("Permanent: every start from now on"));

  gtk_widget_set_visible (GTK_WIDGET (self->lock_button), permission != NULL);
  if (permission != NULL)
    gtk_lock_button_set_permission (self->lock_button, permission);
  if (permission == NULL)
    adw_action_row_set_subtitle (self->lock_row,
                                 _("The helper asks for an administrator’s password when you apply."));
  else if (g_permission_get_allowed (permission))
    adw_action_row_set_subtitle (self->lock_row, _("Unlocked: you may change the boot configuration."));
  else if (g_permission_get_can_acquire (permission))
    adw_action_row_set_subtitle (self->lock_row,
                                 _("Changing the boot configuration needs an administrator’s password."));
  else
    {
      adw_action_row_set_subtitle (self->lock_row,
                                   _("This account may not change the boot configuration. Ask an administrator."));
      can_apply = FALSE;
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), can_apply && !applying && !applied);
  gtk_button_set_label (self->apply_button, applied ? _("Applied") : _("_Apply Changes"));
  pt_mnemonic_fix_button (self->apply_button);
  pt_wizard_page_set_complete (page, applied);
}

static void
change_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PtWizardApplyPage) self = user_data;
  PtWizardPage *page = PT_WIZARD_PAGE (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *transaction = NULL;
  g_autofree char *json = NULL;
  gboolean ok = FALSE;
  GSettings *settings = pt_wizard_page_get_settings (page);
  PtSelection *selection = pt_wizard_page_get_selection (page);

  json = pt_helper_client_change_finish (PT_HELPER_CLIENT (source), result, &transaction, &ok, &error);
  if (self->status_list == NULL)
    return;
  pt_wizard_page_set_applying (page, FALSE);
  gtk_widget_set_visible (self->progress_box, FALSE);
  gtk_widget_set_visible (self->result_group, TRUE);

  if (json == NULL)
    {
      g_autofree char *text = pt_helper_client_describe_error (error);

      pt_wizard_clear_list (self->result_list);
      gtk_list_box_append (self->result_list, pt_wizard_message_row_new ("dialog-error-symbolic", text, "error"));
      pt_wizard_page_update (page);
      return;
    }

  pt_wizard_fill_result (self->result_list, ok, json);

  /* Files may be written even when a command failed: Roll Back needs the id. */
  if (settings != NULL && transaction != NULL && transaction[0] != '\0')
    g_settings_set_string (settings, "wizard-transaction", transaction);
  if (ok)
    {
      g_free (self->applied_key);
      self->applied_key = dup_key (self);
      if (settings != NULL)
        {
          if (selection != NULL)
            g_settings_set_strv (settings, "wizard-gpus", pt_selection_get_gpus (selection));
          g_settings_set_boolean (settings, "wizard-trial-pending", get_trial (self));
        }
      pt_wizard_page_toast (page, _("Changes applied. Restart to use them."));
    }
  pt_wizard_page_update (page);
}

static void
authorize_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PtWizardApplyPage) self = user_data;
  PtWizardPage *page = PT_WIZARD_PAGE (self);
  g_autoptr(GError) error = NULL;
  PtSelection *selection = pt_wizard_page_get_selection (page);
  PtHelperClient *client = pt_wizard_page_get_client (page);
  PtHost *host = pt_wizard_page_get_host (page);

  if (self->status_list == NULL)
    return;
  if (!pt_wizard_authorize_finish (result, &error) || selection == NULL || client == NULL || host == NULL)
    {
      pt_wizard_page_set_applying (page, FALSE);
      gtk_widget_set_visible (self->progress_box, FALSE);
      gtk_widget_set_visible (self->result_group, TRUE);
      pt_wizard_clear_list (self->result_list);
      if (error != NULL)
        gtk_list_box_append (self->result_list,
                             pt_wizard_message_row_new ("dialog-information-symbolic", error->message, NULL));
      pt_wizard_page_update (page);
      return;
    }

  gtk_label_set_text (self->progress_label, _("Writing the files…"));
  /* The helper must be working on the root this window shows: a window on a
   * test tree must never change the machine it runs on. */
  pt_helper_client_change_async (client, "Apply",
                                 pt_selection_get_gpus (selection),
                                 get_trial (self),
                                 pt_selection_get_flags (selection),
                                 NULL,
                                 pt_host_get_root (host),
                                 pt_wizard_page_get_cancellable (page),
                                 change_cb, g_object_ref (self));
}

static void
apply_clicked_cb (PtWizardApplyPage *self)
{
  PtWizardPage *page = PT_WIZARD_PAGE (self);

  pt_wizard_page_set_applying (page, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), FALSE);
  gtk_widget_set_visible (self->result_group, FALSE);
  gtk_widget_set_visible (self->progress_box, TRUE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_label_set_text (self->progress_label, _("Asking for permission…"));

  pt_wizard_authorize_async (pt_wizard_page_get_permission (page),
                             pt_wizard_page_get_cancellable (page),
                             authorize_cb, g_object_ref (self));
}

static void
pt_wizard_apply_page_shown (PtWizardPage *page)
{
  PtWizardApplyPage *self = PT_WIZARD_APPLY_PAGE (page);

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->apply_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->apply_button));
}

static void
settings_changed_cb (PtWizardApplyPage *self)
{
  pt_wizard_page_update (PT_WIZARD_PAGE (self));
}

/* After a roll back the same choice may be applied again. */
static void
transaction_changed_cb (PtWizardApplyPage *self)
{
  GSettings *settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));
  g_autofree char *transaction = g_settings_get_string (settings, "wizard-transaction");

  if (transaction[0] == '\0' && !pt_wizard_page_get_applying (PT_WIZARD_PAGE (self)))
    {
      g_clear_pointer (&self->applied_key, g_free);
      if (self->result_group != NULL)
        gtk_widget_set_visible (self->result_group, FALSE);
    }
  pt_wizard_page_update (PT_WIZARD_PAGE (self));
}

static void
pt_wizard_apply_page_dispose (GObject *object)
{
  PtWizardApplyPage *self = PT_WIZARD_APPLY_PAGE (object);
  GSettings *settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));

  if (settings != NULL)
    g_signal_handlers_disconnect_by_data (settings, self);
  if (self->connected_client != NULL)
    g_signal_handlers_disconnect_by_data (self->connected_client, self);
  g_clear_object (&self->connected_client);
  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_APPLY_PAGE);
  self->status_list = NULL;

  G_OBJECT_CLASS (pt_wizard_apply_page_parent_class)->dispose (object);
}

static void
pt_wizard_apply_page_finalize (GObject *object)
{
  PtWizardApplyPage *self = PT_WIZARD_APPLY_PAGE (object);

  g_free (self->applied_key);

  G_OBJECT_CLASS (pt_wizard_apply_page_parent_class)->finalize (object);
}

static void
pt_wizard_apply_page_class_init (PtWizardApplyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_apply_page_dispose;
  object_class->finalize = pt_wizard_apply_page_finalize;
  page_class->update = pt_wizard_apply_page_update;
  page_class->shown = pt_wizard_apply_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-apply-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, status_list);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, gpus_row);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, mode_row);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, lock_row);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, lock_button);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, apply_button);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, result_group);
  gtk_widget_class_bind_template_child (widget_class, PtWizardApplyPage, result_list);
  gtk_widget_class_bind_template_callback (widget_class, apply_clicked_cb);
}

static void
pt_wizard_apply_page_init (PtWizardApplyPage *self)
{
  GSettings *settings;

  gtk_widget_init_template (GTK_WIDGET (self));

  settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));
  if (settings != NULL)
    {
      g_signal_connect_swapped (settings, "changed::wizard-trial", G_CALLBACK (settings_changed_cb), self);
      g_signal_connect_swapped (settings, "changed::wizard-transaction", G_CALLBACK (transaction_changed_cb), self);
    }
}
