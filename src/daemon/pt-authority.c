/* pt-authority.c: asks polkit, never blocking the main loop: the authority
 * is fetched on first use and every check is asynchronous, so a password
 * dialog on one caller's screen holds up no other call. */
#define G_LOG_DOMAIN "passthroughd"

#include "config.h"

#include <glib/gi18n.h>
#include <polkit/polkit.h>

#include "pt-authority.h"
#include "pt-helper.h"

struct _PtAuthority
{
  GObject          parent_instance;

  PolkitAuthority *authority;
};

G_DEFINE_FINAL_TYPE (PtAuthority, pt_authority, G_TYPE_OBJECT)

typedef struct
{
  char                          *sender;
  char                          *action_id;
  PolkitCheckAuthorizationFlags  flags;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->sender);
  g_free (data->action_id);
  g_free (data);
}

static void
pt_authority_finalize (GObject *object)
{
  PtAuthority *self = PT_AUTHORITY (object);

  g_clear_object (&self->authority);

  G_OBJECT_CLASS (pt_authority_parent_class)->finalize (object);
}

static void
pt_authority_class_init (PtAuthorityClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_authority_finalize;
}

static void
pt_authority_init (PtAuthority *self)
{
}

PtAuthority *
pt_authority_new (void)
{
  return g_object_new (PT_TYPE_AUTHORITY, NULL);
}

/* What the caller wanted to do, for messages. */
static const char *
describe_action (const char *action_id)
{
  /* TRANSLATORS: fills "%s" in "the system policy does not allow %s",
   * "%s needs authentication" and "the dialog for %s was dismissed" */
  if (g_str_equal (action_id, PT_ACTION_CONFIGURE_BOOT))
    return _("changing the boot configuration");
  /* TRANSLATORS: as above */
  if (g_str_equal (action_id, PT_ACTION_BIND_DEVICE))
    return _("binding devices to vfio-pci");
  return action_id;
}

static void
check_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(PolkitAuthorizationResult) auth = NULL;
  g_autoptr(GError) error = NULL;
  const char *what = describe_action (data->action_id);

  auth = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);
  if (auth == NULL)
    {
      g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_NOT_AUTHORIZED,
                               _("Cannot check whether you may do this (%s): polkit failed: %s"),
                               what, error->message);
      return;
    }

  if (polkit_authorization_result_get_is_authorized (auth))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (polkit_authorization_result_get_dismissed (auth))
    g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_NOT_AUTHORIZED,
                             _("Not authorized: the authentication dialog for %s was dismissed"),
                             what);
  else if (polkit_authorization_result_get_is_challenge (auth)
           && !(data->flags & POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION))
    g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_NOT_AUTHORIZED,
                             _("Not authorized: %s needs authentication (polkit action %s), "
                               "and the request did not allow interactive authorization"),
                             what, data->action_id);
  else if (polkit_authorization_result_get_is_challenge (auth))
    g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_NOT_AUTHORIZED,
                             _("Not authorized: %s needs authentication (polkit action %s), and "
                               "no authentication agent answered. Run the command from a "
                               "desktop session or start pkttyagent"),
                             what, data->action_id);
  else
    g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_NOT_AUTHORIZED,
                             _("Not authorized: the system policy does not allow %s "
                               "(polkit action %s)"),
                             what, data->action_id);
}

static void
start_check (PtAuthority *self, GTask *task)
{
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(PolkitSubject) subject = polkit_system_bus_name_new (data->sender);

  polkit_authority_check_authorization (self->authority, subject, data->action_id,
                                        NULL, data->flags,
                                        g_task_get_cancellable (task),
                                        check_cb, task);
}

static void
got_authority_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PtAuthority *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  PolkitAuthority *authority;

  authority = polkit_authority_get_finish (result, &error);
  if (authority == NULL)
    {
      g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_NOT_AUTHORIZED,
                               _("Cannot check whether you may do this: polkit is not "
                                 "available: %s"),
                               error->message);
      return;
    }
  if (self->authority == NULL)
    self->authority = authority;
  else
    g_object_unref (authority);
  start_check (self, g_steal_pointer (&task));
}

void
pt_authority_check_async (PtAuthority           *self,
                          GDBusMethodInvocation *invocation,
                          const char            *action_id,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;
  GDBusMessage *message;

  g_return_if_fail (PT_IS_AUTHORITY (self));
  g_return_if_fail (G_IS_DBUS_METHOD_INVOCATION (invocation));
  g_return_if_fail (action_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_authority_check_async);

  if (g_dbus_method_invocation_get_sender (invocation) == NULL)
    {
      /* Peer-to-peer connections have no sender to ask polkit about. */
      g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_NOT_AUTHORIZED,
                               _("Not authorized: the caller has no bus name"));
      return;
    }

  data = g_new0 (CheckData, 1);
  data->sender = g_strdup (g_dbus_method_invocation_get_sender (invocation));
  data->action_id = g_strdup (action_id);
  message = g_dbus_method_invocation_get_message (invocation);
  if (g_dbus_message_get_flags (message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    data->flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  if (self->authority != NULL)
    start_check (self, g_steal_pointer (&task));
  else
    polkit_authority_get_async (cancellable, got_authority_cb, g_steal_pointer (&task));
}

gboolean
pt_authority_check_finish (PtAuthority *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (PT_IS_AUTHORITY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
