/* pt-wizard-apply-page.h: applying the plan through passthroughd after polkit allows it. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_APPLY_PAGE (pt_wizard_apply_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardApplyPage, pt_wizard_apply_page, PT, WIZARD_APPLY_PAGE, PtWizardPage)

G_END_DECLS
