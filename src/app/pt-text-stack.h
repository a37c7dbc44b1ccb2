/* pt-text-stack.h: the title and subtitle of a PtTextRow, one above the
 * other, measured without GtkBox's search for a height. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PT_TYPE_TEXT_STACK (pt_text_stack_get_type ())

G_DECLARE_FINAL_TYPE (PtTextStack, pt_text_stack, PT, TEXT_STACK, GtkWidget)

GtkWidget *pt_text_stack_new    (void);
void       pt_text_stack_append (PtTextStack *self,
                                 GtkWidget   *child);

G_END_DECLS
