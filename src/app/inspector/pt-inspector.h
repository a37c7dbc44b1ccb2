/* pt-inspector.h: the Devices page: the host's PCI topology and IOMMU
 * groups as a graph or a list, the details of one function, and ticking
 * GPUs into the shared selection. */
#pragma once

#include <adwaita.h>
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_INSPECTOR (pt_inspector_get_type ())
G_DECLARE_FINAL_TYPE (PtInspector, pt_inspector, PT, INSPECTOR, AdwBin)

PtSelection *pt_inspector_get_selection (PtInspector *self);
void         pt_inspector_set_selection (PtInspector *self,
                                         PtSelection *selection);

G_END_DECLS
