/* pt-wizard-vm-page.h: the last page: on to a virtual machine. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_VM_PAGE (pt_wizard_vm_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardVmPage, pt_wizard_vm_page, PT, WIZARD_VM_PAGE, PtWizardPage)

G_END_DECLS
