/* pt-helper-client.h: the app's side of passthroughd's
 * io.github.passthrough.Helper1 interface on the system bus. */
#pragma once

#include <gio/gio.h>
#include "pt-plan.h"

G_BEGIN_DECLS

#define PT_HELPER_CLIENT_BUS_NAME    "io.github.passthrough.Helper1"
#define PT_HELPER_CLIENT_OBJECT_PATH "/io/github/passthrough/Helper1"
#define PT_HELPER_CLIENT_INTERFACE   "io.github.passthrough.Helper1"
#define PT_HELPER_CLIENT_ACTION_CONFIGURE_BOOT "io.github.passthrough.configure-boot"

/* Errors of the helper, mapped from io.github.passthrough.Helper1.Error.* */
#define PT_HELPER_CLIENT_ERROR (pt_helper_client_error_quark ())
GQuark pt_helper_client_error_quark (void);

typedef enum
{
  PT_HELPER_CLIENT_ERROR_FAILED,
  PT_HELPER_CLIENT_ERROR_REFUSED,
  PT_HELPER_CLIENT_ERROR_NOT_FOUND,
  PT_HELPER_CLIENT_ERROR_BUSY,
  PT_HELPER_CLIENT_ERROR_NOT_SUPPORTED,
  PT_HELPER_CLIENT_ERROR_NOT_AUTHORIZED,
  PT_HELPER_CLIENT_ERROR_NOT_INSTALLED,   /* local: no owner, not activatable */
} PtHelperClientError;

#define PT_TYPE_HELPER_CLIENT (pt_helper_client_get_type ())
G_DECLARE_FINAL_TYPE (PtHelperClient, pt_helper_client, PT, HELPER_CLIENT, GObject)

/* Always gives a client: one without a helper is unavailable and says why. */
void            pt_helper_client_new_async       (GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PtHelperClient *pt_helper_client_new_finish      (GAsyncResult        *result);

gboolean        pt_helper_client_get_available   (PtHelperClient *self);
/* Translated, or NULL when available. */
const char     *pt_helper_client_get_unavailable_reason (PtHelperClient *self);

void            pt_helper_client_get_state_async (PtHelperClient      *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
char           *pt_helper_client_get_state_finish (PtHelperClient  *self,
                                                   GAsyncResult    *result,
                                                   GError         **error);

/* Apply(addresses, {trial, allow-boot-vga, allow-shared}); a permanent
 * apply with a trial pending is the confirmation of that trial. */
void            pt_helper_client_apply_async     (PtHelperClient      *self,
                                                  const char *const   *addresses,
                                                  gboolean             trial,
                                                  PtPlanFlags          flags,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* The transaction id; "" when there was nothing to change. */
char           *pt_helper_client_apply_finish    (PtHelperClient  *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);

/* Rollback(transaction, {}); "" or NULL rolls back the latest. */
void            pt_helper_client_rollback_async  (PtHelperClient      *self,
                                                  const char          *transaction,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean        pt_helper_client_rollback_finish (PtHelperClient  *self,
                                                  GAsyncResult    *result,
                                                  GError         **error);

/* A whole change, as the wizard makes it: checks that the helper works on
 * @expected_root (GetState's "root"; NULL skips the check), calls @method
 * ("Apply" with @addresses, @trial and @flags, or "Rollback" with
 * @transaction), then waits for the Finished signal of that transaction.
 * Progress signals keep coming out of the client meanwhile. */
void            pt_helper_client_change_async    (PtHelperClient      *self,
                                                  const char          *method,
                                                  const char *const   *addresses,
                                                  gboolean             trial,
                                                  PtPlanFlags          flags,
                                                  const char          *transaction,
                                                  const char          *expected_root,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Finished's JSON; @transaction and @ok are Finished's other arguments.
 * An error means the call itself failed: nothing was changed. */
char           *pt_helper_client_change_finish   (PtHelperClient  *self,
                                                  GAsyncResult    *result,
                                                  char           **transaction,
                                                  gboolean        *ok,
                                                  GError         **error);

/* A sentence or two for people: what went wrong and what to do. */
char           *pt_helper_client_describe_error  (const GError *error);

G_END_DECLS
