/* pt-inspector.h: the inspector half of the window. */
#pragma once

#include <adwaita.h>
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_INSPECTOR (pt_inspector_get_type ())
G_DECLARE_FINAL_TYPE (PtInspector, pt_inspector, PT, INSPECTOR, AdwBin)

PtSelection *pt_inspector_get_selection (PtInspector      *self);
void         pt_inspector_set_selection (PtInspector      *self,
                                       PtSelection *selection);

G_END_DECLS
