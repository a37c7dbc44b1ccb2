/* pt-wizard-firmware-page.h: firmware settings for this CPU and board, and the readiness checks. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_FIRMWARE_PAGE (pt_wizard_firmware_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardFirmwarePage, pt_wizard_firmware_page, PT, WIZARD_FIRMWARE_PAGE, PtWizardPage)

G_END_DECLS
