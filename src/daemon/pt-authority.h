/* pt-authority.h: the daemon's polkit checks, one asynchronous check per
 * method call, with the caller's system bus name as the subject. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PT_ACTION_CONFIGURE_BOOT "io.github.passthrough.configure-boot"
#define PT_ACTION_BIND_DEVICE    "io.github.passthrough.bind-device"

#define PT_TYPE_AUTHORITY (pt_authority_get_type ())
G_DECLARE_FINAL_TYPE (PtAuthority, pt_authority, PT, AUTHORITY, GObject)

PtAuthority *pt_authority_new          (void);

/* Asks polkit whether the sender of @invocation may do @action_id. polkit
 * may ask for a password only when the caller set the message's
 * ALLOW_INTERACTIVE_AUTHORIZATION flag. */
void         pt_authority_check_async  (PtAuthority            *self,
                                        GDBusMethodInvocation  *invocation,
                                        const char             *action_id,
                                        GCancellable           *cancellable,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data);
/* FALSE with PT_HELPER_ERROR_NOT_AUTHORIZED and a message saying why when the
 * caller is not authorised or polkit cannot be asked. */
gboolean     pt_authority_check_finish (PtAuthority            *self,
                                        GAsyncResult           *result,
                                        GError                **error);

G_END_DECLS
