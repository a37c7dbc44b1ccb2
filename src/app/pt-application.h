/* pt-application.h: the application object: options, actions, windows. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PT_APPLICATION_ID "io.github.passthrough.Passthrough"

#define PT_TYPE_APPLICATION (pt_application_get_type ())
G_DECLARE_FINAL_TYPE (PtApplication, pt_application, PT, APPLICATION, AdwApplication)

PtApplication *pt_application_new          (void);
GSettings     *pt_application_get_settings (PtApplication *self);

G_END_DECLS
