/* pt-wizard-review-page.h: every change the plan makes, before anything is written. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_REVIEW_PAGE (pt_wizard_review_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardReviewPage, pt_wizard_review_page, PT, WIZARD_REVIEW_PAGE, PtWizardPage)

G_END_DECLS
