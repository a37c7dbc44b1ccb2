/* pt-helper.h: the io.github.passthrough.Helper1 object of passthroughd
 * (DESIGN.md "The privileged side"): method calls checked, authorised with
 * polkit, worked off the main loop, one change at a time. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PT_HELPER_BUS_NAME    "io.github.passthrough.Helper1"
#define PT_HELPER_OBJECT_PATH "/io/github/passthrough/Helper1"
#define PT_HELPER_INTERFACE   "io.github.passthrough.Helper1"

/* Errors the daemon returns besides the standard InvalidArgs (polkit's
 * refusals are NotAuthorized); on the bus they are "io.github.passthrough.Helper1.Error."
 * followed by the name after PT_HELPER_ERROR_ in CamelCase. */
#define PT_HELPER_ERROR (pt_helper_error_quark ())
GQuark pt_helper_error_quark (void);

typedef enum
{
  PT_HELPER_ERROR_FAILED,         /* .Failed */
  PT_HELPER_ERROR_REFUSED,        /* .Refused: a plan or bind refuses */
  PT_HELPER_ERROR_NOT_FOUND,      /* .NotFound: no such device or transaction */
  PT_HELPER_ERROR_BUSY,           /* .Busy: another change is in progress */
  PT_HELPER_ERROR_NOT_SUPPORTED,  /* .NotSupported */
  PT_HELPER_ERROR_NOT_AUTHORIZED, /* .NotAuthorized: polkit said no */
} PtHelperError;

#define PT_TYPE_HELPER (pt_helper_get_type ())
G_DECLARE_FINAL_TYPE (PtHelper, pt_helper, PT, HELPER, GObject)

/* @root: the host root the daemon works on, an absolute path; commands
 * that regenerate boot files run only when it is "/". */
PtHelper *pt_helper_new               (const char       *root);
gboolean  pt_helper_register          (PtHelper         *self,
                                       GDBusConnection  *connection,
                                       GError          **error);
void      pt_helper_unregister        (PtHelper         *self);

/* Logs interrupted transactions the journal holds (in a thread). */
void      pt_helper_report_journal    (PtHelper         *self);

/* TRUE when no call and no change is in progress. */
gboolean  pt_helper_is_idle           (PtHelper         *self);
/* Monotonic time of the last call or change, for the idle timeout. */
gint64    pt_helper_get_last_activity (PtHelper         *self);

/* Test builds only (passthroughd-test --test-command-path): runs the
 * regeneration commands whatever the root, found in @path alone. */
void      pt_helper_set_test_command_path (PtHelper   *self,
                                           const char *path);

G_END_DECLS
