/* pt-window.h: a window on one host: the setup wizard and the device
 * inspector side by side in a view stack. */
#pragma once

#include <adwaita.h>
#include "pt-application.h"
#include "pt-host.h"
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_WINDOW (pt_window_get_type ())
G_DECLARE_FINAL_TYPE (PtWindow, pt_window, PT, WINDOW, AdwApplicationWindow)

/* Exactly one of @root and @snapshot is non-NULL. */
PtWindow    *pt_window_new              (PtApplication *application,
                                         const char    *root,
                                         GFile         *snapshot);
PtHost      *pt_window_get_host         (PtWindow      *self);
PtSelection *pt_window_get_selection    (PtWindow      *self);
/* "setup" or "devices" */
void         pt_window_set_visible_page (PtWindow      *self,
                                         const char    *name);
void         pt_window_add_toast        (PtWindow      *self,
                                         const char    *message);

G_END_DECLS
