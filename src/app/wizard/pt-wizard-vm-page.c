/* pt-wizard-vm-page.c: the end of the wizard, on to a virtual machine. The
 * VM dialog is the window's "win.attach-vm" action; while no such action
 * exists GTK keeps the button insensitive. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-window.h"
#include "pt-wizard-vm-page.h"

struct _PtWizardVmPage
{
  PtWizardPage  parent_instance;

  GtkButton    *vm_button;
};

G_DEFINE_FINAL_TYPE (PtWizardVmPage, pt_wizard_vm_page, PT_TYPE_WIZARD_PAGE)

static void
show_inspector_cb (PtWizardVmPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PT_IS_WINDOW (root))
    pt_window_set_visible_page (PT_WINDOW (root), "devices");
}

static void
pt_wizard_vm_page_shown (PtWizardPage *page)
{
  PtWizardVmPage *self = PT_WIZARD_VM_PAGE (page);

  if (gtk_widget_is_sensitive (GTK_WIDGET (self->vm_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->vm_button));
}

static void
pt_wizard_vm_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_VM_PAGE);

  G_OBJECT_CLASS (pt_wizard_vm_page_parent_class)->dispose (object);
}

static void
pt_wizard_vm_page_class_init (PtWizardVmPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_vm_page_dispose;
  page_class->shown = pt_wizard_vm_page_shown;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-vm-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardVmPage, vm_button);
  gtk_widget_class_bind_template_callback (widget_class, show_inspector_cb);
}

static void
pt_wizard_vm_page_init (PtWizardVmPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
