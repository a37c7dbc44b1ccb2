/* pt-selection.h: the GPUs the user has ticked, shared by the inspector and
 * the wizard, and the plan (or the refusal) that follows from them. */
#pragma once

#include <gio/gio.h>
#include "pt-host.h"
#include "pt-plan.h"

G_BEGIN_DECLS

#define PT_TYPE_SELECTION (pt_selection_get_type ())
G_DECLARE_FINAL_TYPE (PtSelection, pt_selection, PT, SELECTION, GObject)

PtSelection        *pt_selection_new            (void);
PtHost             *pt_selection_get_host       (PtSelection *self);
void                pt_selection_set_host       (PtSelection *self,
                                                 PtHost      *host);
/* Ticked GPU addresses in full form, in the order they were ticked. */
const char *const  *pt_selection_get_gpus       (PtSelection *self);
gboolean            pt_selection_has_gpu        (PtSelection *self,
                                                 const char  *address);
void                pt_selection_set_gpu        (PtSelection *self,
                                                 const char  *address,
                                                 gboolean     selected);
void                pt_selection_set_gpus       (PtSelection        *self,
                                                 const char *const  *addresses);
void                pt_selection_clear          (PtSelection *self);
PtPlanFlags         pt_selection_get_flags      (PtSelection *self);
void                pt_selection_set_flags      (PtSelection *self,
                                                 PtPlanFlags  flags);
/* The plan for the ticked GPUs; NULL when nothing is ticked or the plan was
 * refused (then pt_selection_get_plan_error() says why). */
PtPlan             *pt_selection_get_plan       (PtSelection *self);
const GError       *pt_selection_get_plan_error (PtSelection *self);

G_END_DECLS
