/* pt-wizard-reboot-page.c: the restart. By the time this page shows, the
 * wizard's state is in GSettings (GPUs, transaction, trial) and the page to
 * resume at is Verify, so the app picks up there after the restart. The
 * restart itself is the session's (its own confirmation dialog). */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-wizard-reboot-page.h"

struct _PtWizardRebootPage
{
  PtWizardPage   parent_instance;

  AdwStatusPage *status_page;
  GtkButton     *restart_button;
  GtkLabel      *restart_note;
};

G_DEFINE_FINAL_TYPE (PtWizardRebootPage, pt_wizard_reboot_page, PT_TYPE_WIZARD_PAGE)

static gboolean
is_live (PtWizardPage *page)
{
  PtHost *host = pt_wizard_page_get_host (page);

  return host != NULL && g_strcmp0 (pt_host_get_root (host), "/") == 0;
}

static void
pt_wizard_reboot_page_update (PtWizardPage *page)
{
  PtWizardRebootPage *self = PT_WIZARD_REBOOT_PAGE (page);
  GSettings *settings = pt_wizard_page_get_settings (page);
  gboolean trial = settings != NULL && g_settings_get_boolean (settings, "wizard-trial-pending");

  if (self->status_page == NULL)
    return;

  if (trial)
    adw_status_page_set_description (self->status_page,
                                     _("The next start uses the new settings once. If the computer does not "
                                       "come up properly, simply restart it again: it then starts with the "
                                       "previous settings.\n\nPassthrough opens at the Verify step after you log "
                                       "in, to check the card and keep the settings."));
  else
    adw_status_page_set_description (self->status_page,
                                     _("The new settings take effect at the next start. Passthrough opens at "
                                       "the Verify step after you log in, to check that the card is ready."));

  gtk_widget_set_sensitive (GTK_WIDGET (self->restart_button), is_live (page));
  if (!is_live (page))
    {
      gtk_label_set_text (self->restart_note,
                          _("This window shows another system’s files, not this computer: restart that system instead."));
      gtk_widget_set_visible (GTK_WIDGET (self->restart_note), TRUE);
    }
}

static void
reboot_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PtWizardRebootPage) self = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL && self->status_page != NULL)
    {
      g_autofree char *text = NULL;

      g_dbus_error_strip_remote_error (error);
      text = g_strdup_printf (_("Could not ask the session to restart (%s). Restart from the system menu."),
                              error->message);
      gtk_label_set_text (self->restart_note, text);
      gtk_widget_set_visible (GTK_WIDGET (self->restart_note), TRUE);
    }
}

static void
session_bus_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PtWizardRebootPage) self = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      if (self->status_page != NULL)
        {
          gtk_label_set_text (self->restart_note, _("Restart from the system menu."));
          gtk_widget_set_visible (GTK_WIDGET (self->restart_note), TRUE);
        }
      return;
    }
  /* GNOME's session shows its own "Restart?" dialog. */
  g_dbus_connection_call (bus, "org.gnome.SessionManager", "/org/gnome/SessionManager",
                          "org.gnome.SessionManager", "Reboot", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1,
                          pt_wizard_page_get_cancellable (PT_WIZARD_PAGE (self)),
                          reboot_cb, g_steal_pointer (&self));
}

static void
restart_clicked_cb (PtWizardRebootPage *self)
{
  g_bus_get (G_BUS_TYPE_SESSION, pt_wizard_page_get_cancellable (PT_WIZARD_PAGE (self)),
             session_bus_cb, g_object_ref (self));
}

static void
pt_wizard_reboot_page_dispose (GObject *object)
{
  PtWizardRebootPage *self = PT_WIZARD_REBOOT_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_REBOOT_PAGE);
  self->status_page = NULL;

  G_OBJECT_CLASS (pt_wizard_reboot_page_parent_class)->dispose (object);
}

static void
pt_wizard_reboot_page_class_init (PtWizardRebootPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_reboot_page_dispose;
  page_class->update = pt_wizard_reboot_page_update;
  page_class->shown = pt_wizard_reboot_page_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-reboot-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardRebootPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, PtWizardRebootPage, restart_button);
  gtk_widget_class_bind_template_child (widget_class, PtWizardRebootPage, restart_note);
  gtk_widget_class_bind_template_callback (widget_class, restart_clicked_cb);
}

static void
pt_wizard_reboot_page_init (PtWizardRebootPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
