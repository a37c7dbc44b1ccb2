/* pt-wizard-autostart.h: opens the app at the next login while the wizard
 * waits for a restart, with an XDG autostart entry of the user's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes (or removes) $XDG_CONFIG_HOME/autostart/APP_ID.desktop. Runs
 * asynchronously; failures are logged, never fatal: the wizard still
 * resumes at Verify whenever the app is opened. */
void pt_wizard_autostart_set (gboolean enabled);

G_END_DECLS
