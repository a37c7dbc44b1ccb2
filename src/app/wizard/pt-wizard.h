/* pt-wizard.h: the wizard half of the window. */
#pragma once

#include <adwaita.h>
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD (pt_wizard_get_type ())
G_DECLARE_FINAL_TYPE (PtWizard, pt_wizard, PT, WIZARD, AdwBin)

PtSelection *pt_wizard_get_selection (PtWizard      *self);
void         pt_wizard_set_selection (PtWizard      *self,
                                       PtSelection *selection);

G_END_DECLS
