/* pt-plan-area.h: a scrolling list that is as tall as its rows, up to a
 * limit, for the width it is given. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PT_TYPE_PLAN_AREA (pt_plan_area_get_type ())
G_DECLARE_FINAL_TYPE (PtPlanArea, pt_plan_area, PT, PLAN_AREA, GtkWidget)

GtkListBox *pt_plan_area_get_list (PtPlanArea *self);

G_END_DECLS
