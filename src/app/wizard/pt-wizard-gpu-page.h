/* pt-wizard-gpu-page.h: choosing the GPUs to pass through. */
#pragma once

#include "pt-wizard-page.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_GPU_PAGE (pt_wizard_gpu_page_get_type ())
G_DECLARE_FINAL_TYPE (PtWizardGpuPage, pt_wizard_gpu_page, PT, WIZARD_GPU_PAGE, PtWizardPage)

G_END_DECLS
