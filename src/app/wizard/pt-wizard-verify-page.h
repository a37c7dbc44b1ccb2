/* pt-wizard-verify-page.h: checking the new boot, and confirming a trial boot. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_VERIFY_PAGE (pt_wizard_verify_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardVerifyPage, pt_wizard_verify_page, PT, WIZARD_VERIFY_PAGE, PtWizardPage)

G_END_DECLS
