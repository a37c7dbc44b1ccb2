/* pt-wizard-welcome-page.c: what the wizard will do, what can be undone, and
 * whether the helper that makes the change is there. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-wizard-welcome-page.h"

struct _PtWizardWelcomePage
{
  PtWizardPage  parent_instance;

  GtkListBox   *status_list;
};

G_DEFINE_FINAL_TYPE (PtWizardWelcomePage, pt_wizard_welcome_page, PT_TYPE_WIZARD_PAGE)

static void
pt_wizard_welcome_page_update (PtWizardPage *page)
{
  PtWizardWelcomePage *self = PT_WIZARD_WELCOME_PAGE (page);
  PtHelperClient *client = pt_wizard_page_get_client (page);
  PtHost *host = pt_wizard_page_get_host (page);
  gboolean shown = FALSE;

  pt_wizard_clear_list (self->status_list);

  if (client != NULL && !pt_helper_client_get_available (client))
    {
      g_autofree char *text = g_strdup_printf (_("%s Until then you can look at everything, but not apply."),
                                               pt_helper_client_get_unavailable_reason (client));
      gtk_list_box_append (self->status_list,
                           pt_wizard_message_row_new ("dialog-information-symbolic", text, "warning"));
      shown = TRUE;
    }
  if (host != NULL && pt_host_is_snapshot (host))
    {
      gtk_list_box_append (self->status_list,
                           pt_wizard_message_row_new ("dialog-information-symbolic",
                                                      _("This window shows a saved snapshot of a machine: "
                                                        "you can plan and review, but a snapshot cannot be changed."),
                                                      NULL));
      shown = TRUE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->status_list), shown);
}

static void
pt_wizard_welcome_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_WELCOME_PAGE);

  G_OBJECT_CLASS (pt_wizard_welcome_page_parent_class)->dispose (object);
}

static void
pt_wizard_welcome_page_class_init (PtWizardWelcomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_welcome_page_dispose;

  page_class->update = pt_wizard_welcome_page_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardWelcomePage, status_list);
}

static void
pt_wizard_welcome_page_init (PtWizardWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pt_wizard_page_set_complete (PT_WIZARD_PAGE (self), TRUE);
}
