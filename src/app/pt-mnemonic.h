/* pt-mnemonic.h: screen-reader names for buttons with a mnemonic. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8 names a button whose label has a mnemonic by its raw label and
 * again by its label child: a screen reader says "underscore Apply
 * Changes Apply Changes". These name such a button by its label as it is
 * shown, "Apply Changes". Call the first after each gtk_button_set_label()
 * on a button with a mnemonic, the second on a tree once it is built. */
void pt_mnemonic_fix_button  (GtkButton *button);
void pt_mnemonic_fix_buttons (GtkWidget *root);

G_END_DECLS
