/* pt-debug.h: the debugging hooks' shared part: rendering a window into a
 * PNG file, for the screenshots (build-aux/screenshots) and the UI work
 * under Xvfb, where no screenshot tool is installed. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Renders @widget as it is drawn now into the PNG file @path. FALSE when
 * it has no drawn frame yet (try again at the next one) or the file
 * cannot be written (a warning says so). */
gboolean pt_debug_save_screenshot (GtkWidget  *widget,
                                   const char *path);

G_END_DECLS
