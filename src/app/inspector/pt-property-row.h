/* pt-property-row.h: a row of the details pane: a name, its value and a
 * copy icon. */
#pragma once

#include "pt-text-row.h"

G_BEGIN_DECLS

#define PT_TYPE_PROPERTY_ROW (pt_property_row_get_type ())

G_DECLARE_FINAL_TYPE (PtPropertyRow, pt_property_row, PT, PROPERTY_ROW, PtTextRow)

GtkWidget  *pt_property_row_new       (const char    *title,
                                       const char    *value);
const char *pt_property_row_get_value (PtPropertyRow *self);

G_END_DECLS
