/* pt-text-row.h: a list row drawn as an AdwActionRow (prefixes, a title
 * over a subtitle, suffixes) whose texts cost little to measure. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PT_TYPE_TEXT_ROW (pt_text_row_get_type ())

G_DECLARE_DERIVABLE_TYPE (PtTextRow, pt_text_row, PT, TEXT_ROW, AdwPreferencesRow)

struct _PtTextRowClass
{
  AdwPreferencesRowClass parent_class;
};

GtkWidget  *pt_text_row_new            (const char *title,
                                        const char *subtitle);
void        pt_text_row_set_texts      (PtTextRow  *self,
                                        const char *title,
                                        const char *subtitle);
void        pt_text_row_add_prefix     (PtTextRow  *self,
                                        GtkWidget  *widget);
void        pt_text_row_add_suffix     (PtTextRow  *self,
                                        GtkWidget  *widget);
GtkWidget  *pt_text_row_add_icon       (PtTextRow  *self,
                                        const char *icon_name,
                                        const char *css_class);

G_END_DECLS
