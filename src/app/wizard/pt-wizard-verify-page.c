/* pt-wizard-verify-page.c: after the restart, whether it worked: the IOMMU
 * is on, the kernel arguments are on the command line, every device of the
 * plan is on vfio-pci. After a trial boot, "Keep These Settings" makes it
 * permanent: passthroughd's Apply without "trial" confirms a pending trial
 * (and refuses while the trial boot is not the one running). */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-wizard-verify-page.h"

struct _PtWizardVerifyPage
{
  PtWizardPage         parent_instance;

  GtkListBox          *checks_list;
  AdwPreferencesGroup *trial_group;
  GtkLabel            *trial_label;
  GtkButton           *keep_button;
  GtkListBox          *result_list;
};

G_DEFINE_FINAL_TYPE (PtWizardVerifyPage, pt_wizard_verify_page, PT_TYPE_WIZARD_PAGE)

static GtkWidget *
verify_row_new (gboolean    ok,
                const char *title,
                const char *subtitle)
{
  return pt_wizard_status_row_new (ok ? "emblem-ok-symbolic" : "dialog-error-symbolic",
                                   ok ? "success" : "error",
                                   ok ? _("Passed") : _("Not yet"),
                                   title, subtitle);
}

static gboolean
trial_pending (PtWizardVerifyPage *self)
{
  GSettings *settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));

  return settings != NULL && g_settings_get_boolean (settings, "wizard-trial-pending");
}

static void
pt_wizard_verify_page_update (PtWizardPage *page)
{
  PtWizardVerifyPage *self = PT_WIZARD_VERIFY_PAGE (page);
  PtSelection *selection = pt_wizard_page_get_selection (page);
  PtHelperClient *client = pt_wizard_page_get_client (page);
  PtHost *host = pt_wizard_page_get_host (page);
  PtPlan *plan = selection != NULL ? pt_selection_get_plan (selection) : NULL;
  gboolean all_ok = TRUE;
  gboolean iommu;

  if (self->checks_list == NULL)
    return;

  pt_wizard_clear_list (self->checks_list);
  if (host == NULL)
    {
      pt_wizard_page_set_complete (page, FALSE);
      return;
    }

  iommu = pt_host_has_groups (host);
  all_ok &= iommu;
  gtk_list_box_append (self->checks_list,
                       verify_row_new (iommu, _("The IOMMU is active"),
                                       iommu ? NULL
                                             : _("There are no IOMMU groups. Check the firmware settings "
                                                 "(VT-d or AMD-Vi) and that the kernel arguments are in use.")));

  if (plan == NULL)
    {
      const GError *error = selection != NULL ? pt_selection_get_plan_error (selection) : NULL;

      gtk_list_box_append (self->checks_list,
                           verify_row_new (FALSE, _("The chosen graphics card"),
                                           error != NULL ? error->message
                                                         : _("No graphics card is chosen: go back to Choose GPU.")));
      all_ok = FALSE;
    }
  else
    {
      g_autoptr(GString) missing = g_string_new (NULL);

      for (guint i = 0; plan->kernel_args[i] != NULL; i++)
        if (!pt_host_cmdline_has (host, plan->kernel_args[i]))
          {
            if (missing->len > 0)
              g_string_append_c (missing, ' ');
            g_string_append (missing, plan->kernel_args[i]);
          }
      if (missing->len > 0)
        {
          g_autofree char *text =
            g_strdup_printf (_("Missing from this boot: %s. Did the computer restart since the change? "
                               "After a trial boot that did not come up, the previous settings are back."),
                             missing->str);
          gtk_list_box_append (self->checks_list, verify_row_new (FALSE, _("The kernel arguments are in use"), text));
          all_ok = FALSE;
        }
      else
        gtk_list_box_append (self->checks_list, verify_row_new (TRUE, _("The kernel arguments are in use"), NULL));

      for (guint i = 0; i < plan->devices->len; i++)
        {
          PtDevice *device = g_ptr_array_index (plan->devices, i);
          const char *driver = pt_device_get_driver (device);
          gboolean bound = g_strcmp0 (driver, "vfio-pci") == 0;
          g_autofree char *name = pt_device_dup_display_name (device);
          g_autofree char *title = g_strdup_printf (_("%s is on vfio-pci"), name);
          g_autofree char *subtitle = NULL;

          if (bound)
            subtitle = g_strdup_printf (_("%s, IOMMU group %d"), pt_device_get_address (device),
                                        pt_device_get_iommu_group (device));
          else if (driver != NULL)
            subtitle = g_strdup_printf (_("%s is still on %s."), pt_device_get_address (device), driver);
          else
            subtitle = g_strdup_printf (_("%s has no driver."), pt_device_get_address (device));
          gtk_list_box_append (self->checks_list, verify_row_new (bound, title, subtitle));
          all_ok &= bound;
        }
    }

  /* The group stays after keeping the settings, to show what was written. */
  gtk_widget_set_visible (GTK_WIDGET (self->trial_group),
                          trial_pending (self) || gtk_widget_get_visible (GTK_WIDGET (self->result_list)));
  gtk_widget_set_visible (GTK_WIDGET (self->keep_button), trial_pending (self));
  if (!trial_pending (self))
    gtk_label_set_text (self->trial_label, _("The settings are kept: every start uses them now."));
  else
    {
      if (all_ok)
        gtk_label_set_text (self->trial_label,
                            _("This start used the trial entry, and the card is ready. Keep the settings "
                              "to make them the default for every start."));
      else
        gtk_label_set_text (self->trial_label,
                            _("A trial boot is waiting. Once a start with it passes the checks above, keep "
                              "the settings here; until then every restart uses the previous settings."));
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->keep_button),
                            all_ok && !pt_wizard_page_get_applying (page) &&
                            client != NULL && pt_helper_client_get_available (client) &&
                            !pt_host_is_snapshot (host));

  pt_wizard_page_set_complete (page, all_ok && !trial_pending (self));
}

static void
check_again_cb (PtWizardVerifyPage *self)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.reload", NULL))
    pt_wizard_page_update (PT_WIZARD_PAGE (self));
}

static void
confirm_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PtWizardVerifyPage) self = user_data;
  PtWizardPage *page = PT_WIZARD_PAGE (self);
  GSettings *settings = pt_wizard_page_get_settings (page);
  g_autoptr(GError) error = NULL;
  g_autofree char *transaction = NULL;
  g_autofree char *json = NULL;
  gboolean ok = FALSE;

  json = pt_helper_client_change_finish (PT_HELPER_CLIENT (source), result, &transaction, &ok, &error);
  if (self->checks_list == NULL)
    return;
  pt_wizard_page_set_applying (page, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->result_list), TRUE);
  if (json == NULL)
    {
      g_autofree char *text = pt_helper_client_describe_error (error);

      pt_wizard_clear_list (self->result_list);
      gtk_list_box_append (self->result_list, pt_wizard_message_row_new ("dialog-error-symbolic", text, "error"));
    }
  else
    {
      pt_wizard_fill_result (self->result_list, ok, json);
      if (settings != NULL && transaction != NULL && transaction[0] != '\0')
        g_settings_set_string (settings, "wizard-transaction", transaction);
      if (ok && settings != NULL)
        {
          g_settings_set_boolean (settings, "wizard-trial-pending", FALSE);
          pt_wizard_page_toast (page, _("The settings are now the default."));
        }
    }
  pt_wizard_page_update (page);
}

static void
authorize_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PtWizardVerifyPage) self = user_data;
  PtWizardPage *page = PT_WIZARD_PAGE (self);
  PtSelection *selection = pt_wizard_page_get_selection (page);
  PtHelperClient *client = pt_wizard_page_get_client (page);
  PtHost *host = pt_wizard_page_get_host (page);
  g_autoptr(GError) error = NULL;

  if (self->checks_list == NULL)
    return;
  if (!pt_wizard_authorize_finish (result, &error) || selection == NULL || client == NULL || host == NULL ||
      pt_selection_get_gpus (selection)[0] == NULL)
    {
      pt_wizard_page_set_applying (page, FALSE);
      pt_wizard_clear_list (self->result_list);
      if (error != NULL)
        {
          gtk_list_box_append (self->result_list,
                               pt_wizard_message_row_new ("dialog-information-symbolic", error->message, NULL));
          gtk_widget_set_visible (GTK_WIDGET (self->result_list), TRUE);
        }
      pt_wizard_page_update (page);
      return;
    }

  /* A permanent Apply of the same devices is the confirmation. */
  pt_helper_client_change_async (client, "Apply",
                                 pt_selection_get_gpus (selection), FALSE,
                                 pt_selection_get_flags (selection),
                                 NULL, pt_host_get_root (host),
                                 pt_wizard_page_get_cancellable (page),
                                 confirm_cb, g_object_ref (self));
}

static void
keep_clicked_cb (PtWizardVerifyPage *self)
{
  PtWizardPage *page = PT_WIZARD_PAGE (self);

  pt_wizard_page_set_applying (page, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keep_button), FALSE);
  pt_wizard_authorize_async (pt_wizard_page_get_permission (page),
                             pt_wizard_page_get_cancellable (page),
                             authorize_cb, g_object_ref (self));
}

static void
settings_changed_cb (PtWizardVerifyPage *self)
{
  pt_wizard_page_update (PT_WIZARD_PAGE (self));
}

static void
pt_wizard_verify_page_dispose (GObject *object)
{
  PtWizardVerifyPage *self = PT_WIZARD_VERIFY_PAGE (object);
  GSettings *settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));

  if (settings != NULL)
    g_signal_handlers_disconnect_by_data (settings, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_VERIFY_PAGE);
  self->checks_list = NULL;

  G_OBJECT_CLASS (pt_wizard_verify_page_parent_class)->dispose (object);
}

static void
pt_wizard_verify_page_class_init (PtWizardVerifyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_verify_page_dispose;
  page_class->update = pt_wizard_verify_page_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-verify-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardVerifyPage, checks_list);
  gtk_widget_class_bind_template_child (widget_class, PtWizardVerifyPage, trial_group);
  gtk_widget_class_bind_template_child (widget_class, PtWizardVerifyPage, trial_label);
  gtk_widget_class_bind_template_child (widget_class, PtWizardVerifyPage, keep_button);
  gtk_widget_class_bind_template_child (widget_class, PtWizardVerifyPage, result_list);
  gtk_widget_class_bind_template_callback (widget_class, check_again_cb);
  gtk_widget_class_bind_template_callback (widget_class, keep_clicked_cb);
}

static void
pt_wizard_verify_page_init (PtWizardVerifyPage *self)
{
  GSettings *settings;

  gtk_widget_init_template (GTK_WIDGET (self));

  settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));
  if (settings != NULL)
    g_signal_connect_swapped (settings, "changed::wizard-trial-pending", G_CALLBACK (settings_changed_cb), self);
}
