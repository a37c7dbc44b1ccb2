/* pt-graph-text.h: one line of a graph node's text, measured from its
 * font alone. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PT_TYPE_GRAPH_TEXT (pt_graph_text_get_type ())

G_DECLARE_FINAL_TYPE (PtGraphText, pt_graph_text, PT, GRAPH_TEXT, GtkWidget)

GtkWidget  *pt_graph_text_new            (const char  *text);
GtkWidget  *pt_graph_text_new_with_aside (const char  *text,
                                          const char  *aside);
const char *pt_graph_text_get_text       (PtGraphText *self);

G_END_DECLS
