/* pt-wizard-welcome-page.h: the first page: what the wizard does and what can be undone. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_WELCOME_PAGE (pt_wizard_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardWelcomePage, pt_wizard_welcome_page, PT, WIZARD_WELCOME_PAGE, PtWizardPage)

G_END_DECLS
