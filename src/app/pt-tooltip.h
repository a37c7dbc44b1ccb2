/* pt-tooltip.h: a tooltip that costs nothing until it is shown. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Gives @widget the tooltip @text, as gtk_widget_set_tooltip_text() would,
 * for widgets made by the dozen (graph nodes, details rows). GTK 4.8's
 * setter asks the X server where the pointer is, one round trip per call
 * on any visible widget, and copies the text into the accessible
 * description; this one keeps the text and hands it over in
 * ::query-tooltip, when the pointer or the keyboard focus rests on the
 * widget. The accessible name and description are left to the caller. */
void pt_tooltip_set_text (GtkWidget  *widget,
                          const char *text);

G_END_DECLS
