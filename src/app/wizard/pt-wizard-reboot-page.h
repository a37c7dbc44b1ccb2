/* pt-wizard-reboot-page.h: restarting into the new configuration. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_REBOOT_PAGE (pt_wizard_reboot_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardRebootPage, pt_wizard_reboot_page, PT, WIZARD_REBOOT_PAGE, PtWizardPage)

G_END_DECLS
