/* pt-helper-client.c: a GDBusProxy on passthroughd, created without
 * activating it. It finds out first whether the helper can be reached at
 * all (NameHasOwner, then ListActivatableNames), so that the wizard can be
 * read-only and say what to install when it cannot. Every call is
 * asynchronous; Progress and Finished come out as GObject signals. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pt-helper-client.h"

struct _PtHelperClient
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GDBusProxy      *proxy;
  char            *unavailable_reason;
};

G_DEFINE_FINAL_TYPE (PtHelperClient, pt_helper_client, G_TYPE_OBJECT)

enum {
  PROGRESS,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const GDBusErrorEntry client_error_entries[] = {
  { PT_HELPER_CLIENT_ERROR_FAILED,         PT_HELPER_CLIENT_INTERFACE ".Error.Failed" },
  { PT_HELPER_CLIENT_ERROR_REFUSED,        PT_HELPER_CLIENT_INTERFACE ".Error.Refused" },
  { PT_HELPER_CLIENT_ERROR_NOT_FOUND,      PT_HELPER_CLIENT_INTERFACE ".Error.NotFound" },
  { PT_HELPER_CLIENT_ERROR_BUSY,           PT_HELPER_CLIENT_INTERFACE ".Error.Busy" },
  { PT_HELPER_CLIENT_ERROR_NOT_SUPPORTED,  PT_HELPER_CLIENT_INTERFACE ".Error.NotSupported" },
  { PT_HELPER_CLIENT_ERROR_NOT_AUTHORIZED, PT_HELPER_CLIENT_INTERFACE ".Error.NotAuthorized" },
};

GQuark
pt_helper_client_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("pt-helper-client-error-quark", &quark,
                                      client_error_entries,
                                      G_N_ELEMENTS (client_error_entries));
  return (GQuark) quark;
}

static void
pt_helper_client_dispose (GObject *object)
{
  PtHelperClient *self = PT_HELPER_CLIENT (object);

  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_clear_object (&self->proxy);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (pt_helper_client_parent_class)->dispose (object);
}

static void
pt_helper_client_finalize (GObject *object)
{
  PtHelperClient *self = PT_HELPER_CLIENT (object);

  g_free (self->unavailable_reason);

  G_OBJECT_CLASS (pt_helper_client_parent_class)->finalize (object);
}

static void
pt_helper_client_class_init (PtHelperClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_helper_client_dispose;
  object_class->finalize = pt_helper_client_finalize;

  /* Progress(s transaction, d fraction, s message) */
  signals[PROGRESS] =
    g_signal_new ("progress",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_DOUBLE, G_TYPE_STRING);
  /* Finished(s transaction, b ok, s json) */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_STRING);

  /* Registers the D-Bus error names before the first reply comes in. */
  (void) pt_helper_client_error_quark ();
}

static void
pt_helper_client_init (PtHelperClient *self)
{
}

static void
proxy_signal_cb (GDBusProxy *proxy,
                 const char *sender_name,
                 const char *signal_name,
                 GVariant   *parameters,
                 gpointer    user_data)
{
  PtHelperClient *self = user_data;

  if (g_str_equal (signal_name, "Progress") &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sds)")))
    {
      const char *transaction, *message;
      double fraction;

      g_variant_get (parameters, "(&sd&s)", &transaction, &fraction, &message);
      g_signal_emit (self, signals[PROGRESS], 0, transaction, fraction, message);
    }
  else if (g_str_equal (signal_name, "Finished") &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sbs)")))
    {
      const char *transaction, *json;
      gboolean ok;

      g_variant_get (parameters, "(&sb&s)", &transaction, &ok, &json);
      g_signal_emit (self, signals[FINISHED], 0, transaction, ok, json);
    }
}

/* Construction: bus → NameHasOwner → ListActivatableNames → proxy. */

static void
set_unavailable (PtHelperClient *self,
                 const char     *reason)
{
  g_free (self->unavailable_reason);
  self->unavailable_reason = g_strdup (reason);
}

static const char *
not_installed_message (void)
{
  return _("The Passthrough helper (passthroughd) is not installed. Install the passthrough "
           "package, or run `meson install` as root from a build.");
}

static void
proxy_new_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PtHelperClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  self->proxy = g_dbus_proxy_new_finish (result, &error);
  if (self->proxy == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("Cannot reach the Passthrough helper: %s"),
                                                 error->message);
      set_unavailable (self, reason);
    }
  else
    g_signal_connect (self->proxy, "g-signal", G_CALLBACK (proxy_signal_cb), self);

  g_task_return_boolean (task, TRUE);
}

static void
create_proxy (GTask *task)
{
  PtHelperClient *self = g_task_get_source_object (task);

  /* Activation waits for the first real call: the daemon exits when idle. */
  g_dbus_proxy_new (self->connection,
                    G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                    G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                    NULL,
                    PT_HELPER_CLIENT_BUS_NAME,
                    PT_HELPER_CLIENT_OBJECT_PATH,
                    PT_HELPER_CLIENT_INTERFACE,
                    g_task_get_cancellable (task),
                    proxy_new_cb,
                    task);
}

static void
list_activatable_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PtHelperClient *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **names = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    g_variant_get (reply, "(^a&s)", &names);
  if (names == NULL || !g_strv_contains (names, PT_HELPER_CLIENT_BUS_NAME))
    {
      set_unavailable (self, not_installed_message ());
      g_task_return_boolean (task, TRUE);
      return;
    }
  create_proxy (g_steal_pointer (&task));
}

static void
name_has_owner_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PtHelperClient *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;
  GCancellable *cancellable;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  if (has_owner)
    {
      create_proxy (g_steal_pointer (&task));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  g_dbus_connection_call (self->connection,
                          "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "ListActivatableNames", NULL, G_VARIANT_TYPE ("(as)"),
                          G_DBUS_CALL_FLAGS_NONE, -1,
                          cancellable,
                          list_activatable_cb, g_steal_pointer (&task));
}

static void
bus_get_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PtHelperClient *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  self->connection = g_bus_get_finish (result, &error);
  if (self->connection == NULL)
    {
      g_autofree char *reason = NULL;

      g_debug ("No system bus: %s", error->message);
      reason = g_strdup_printf ("%s %s", not_installed_message (),
                                _("The system message bus cannot be reached either."));
      set_unavailable (self, reason);
      g_task_return_boolean (task, TRUE);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  g_dbus_connection_call (self->connection,
                          "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "NameHasOwner", g_variant_new ("(s)", PT_HELPER_CLIENT_BUS_NAME),
                          G_VARIANT_TYPE ("(b)"),
                          G_DBUS_CALL_FLAGS_NONE, -1,
                          cancellable,
                          name_has_owner_cb, g_steal_pointer (&task));
}

void
pt_helper_client_new_async (GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(PtHelperClient) self = g_object_new (PT_TYPE_HELPER_CLIENT, NULL);
  GTask *task;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_helper_client_new_async);
  g_bus_get (G_BUS_TYPE_SYSTEM, cancellable, bus_get_cb, task);
}

PtHelperClient *
pt_helper_client_new_finish (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_object_ref (g_task_get_source_object (G_TASK (result)));
}

gboolean
pt_helper_client_get_available (PtHelperClient *self)
{
  g_return_val_if_fail (PT_IS_HELPER_CLIENT (self), FALSE);

  return self->proxy != NULL && self->unavailable_reason == NULL;
}

const char *
pt_helper_client_get_unavailable_reason (PtHelperClient *self)
{
  g_return_val_if_fail (PT_IS_HELPER_CLIENT (self), NULL);

  if (self->unavailable_reason == NULL && self->proxy == NULL)
    return not_installed_message ();
  return self->unavailable_reason;
}

/* Calls */

static gboolean
check_available (PtHelperClient *self,
                 GTask          *task)
{
  if (pt_helper_client_get_available (self))
    return TRUE;

  g_task_return_new_error (task, PT_HELPER_CLIENT_ERROR, PT_HELPER_CLIENT_ERROR_NOT_INSTALLED,
                           "%s", pt_helper_client_get_unavailable_reason (self));
  return FALSE;
}

static void
call_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply == NULL)
    {
      /* The message stays the daemon's; the error name becomes our code. */
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

static void
pt_helper_client_call (PtHelperClient      *self,
                       const char          *method,
                       GVariant            *parameters,
                       gboolean             interactive,
                       gpointer             source_tag,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (!check_available (self, task))
    {
      if (parameters != NULL)
        g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }

  /* Changes wait for a password dialog: no timeout on those. */
  g_dbus_proxy_call (self->proxy, method, parameters,
                     interactive ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
                                 : G_DBUS_CALL_FLAGS_NONE,
                     interactive ? G_MAXINT : -1,
                     cancellable, call_cb, g_steal_pointer (&task));
}

void
pt_helper_client_get_state_async (PtHelperClient      *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (PT_IS_HELPER_CLIENT (self));

  pt_helper_client_call (self, "GetState", NULL, FALSE, pt_helper_client_get_state_async,
                         cancellable, callback, user_data);
}

char *
pt_helper_client_get_state_finish (PtHelperClient  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *json = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  reply = g_task_propagate_pointer (G_TASK (result), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(s)", &json);
  return json;
}

void
pt_helper_client_apply_async (PtHelperClient      *self,
                              const char *const   *addresses,
                              gboolean             trial,
                              PtPlanFlags          flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GVariantBuilder options;

  g_return_if_fail (PT_IS_HELPER_CLIENT (self));
  g_return_if_fail (addresses != NULL && addresses[0] != NULL);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "trial", g_variant_new_boolean (trial));
  if (flags & PT_PLAN_ALLOW_BOOT_VGA)
    g_variant_builder_add (&options, "{sv}", "allow-boot-vga", g_variant_new_boolean (TRUE));
  if (flags & PT_PLAN_ALLOW_SHARED)
    g_variant_builder_add (&options, "{sv}", "allow-shared", g_variant_new_boolean (TRUE));

  pt_helper_client_call (self, "Apply",
                         g_variant_new ("(^asa{sv})", addresses, &options),
                         TRUE, pt_helper_client_apply_async,
                         cancellable, callback, user_data);
}

char *
pt_helper_client_apply_finish (PtHelperClient  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *transaction = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  reply = g_task_propagate_pointer (G_TASK (result), error);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(s)", &transaction);
  return transaction;
}

void
pt_helper_client_rollback_async (PtHelperClient      *self,
                                 const char          *transaction,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (PT_IS_HELPER_CLIENT (self));

  pt_helper_client_call (self, "Rollback",
                         g_variant_new ("(sa{sv})", transaction != NULL ? transaction : "", NULL),
                         TRUE, pt_helper_client_rollback_async,
                         cancellable, callback, user_data);
}

gboolean
pt_helper_client_rollback_finish (PtHelperClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  reply = g_task_propagate_pointer (G_TASK (result), error);
  return reply != NULL;
}

/* Whole changes */

typedef struct
{
  char         *method;
  GStrv         addresses;
  gboolean      trial;
  PtPlanFlags   flags;
  char         *transaction;     /* Rollback's argument */
  char         *expected_root;
  gboolean      replied;
  char         *expected;        /* the transaction whose Finished ends it; NULL: the next one */
  GPtrArray    *early;           /* Finished before the reply, as GVariant (sbs) */
  gulong        finished_id;
  gulong        owner_id;
  PtHelperClient *client;
} ChangeData;

/* A cancelled wait ends when Finished comes (GTask then reports the
 * cancellation): the helper goes on with the change regardless. */
static void
change_data_disconnect (ChangeData *data,
                        GTask      *task)
{
  if (data->finished_id != 0)
    g_clear_signal_handler (&data->finished_id, data->client);
  if (data->owner_id != 0 && data->client->proxy != NULL)
    g_clear_signal_handler (&data->owner_id, data->client->proxy);
}

static void
change_data_free (ChangeData *data)
{
  g_free (data->method);
  g_strfreev (data->addresses);
  g_free (data->transaction);
  g_free (data->expected_root);
  g_free (data->expected);
  g_clear_pointer (&data->early, g_ptr_array_unref);
  g_free (data);
}

typedef struct
{
  char     *transaction;
  gboolean  ok;
  char     *json;
} ChangeResult;

static void
change_result_free (ChangeResult *r)
{
  g_free (r->transaction);
  g_free (r->json);
  g_free (r);
}

/* Returns TRUE when the task was completed. */
static gboolean
change_try_finish (GTask      *task,
                   const char *transaction,
                   gboolean    ok,
                   const char *json)
{
  ChangeData *data = g_task_get_task_data (task);
  ChangeResult *r;

  if (data->expected != NULL && g_strcmp0 (data->expected, transaction) != 0)
    return FALSE;

  change_data_disconnect (data, task);
  r = g_new0 (ChangeResult, 1);
  r->transaction = g_strdup (transaction);
  r->ok = ok;
  r->json = g_strdup (json);
  g_task_return_pointer (task, r, (GDestroyNotify) change_result_free);
  return TRUE;
}

static void
change_finished_cb (PtHelperClient *client,
                    const char     *transaction,
                    gboolean        ok,
                    const char     *json,
                    GTask          *task)
{
  ChangeData *data = g_task_get_task_data (task);

  if (!data->replied)
    {
      g_ptr_array_add (data->early, g_variant_ref_sink (g_variant_new ("(sbs)", transaction, ok, json)));
      return;
    }
  if (change_try_finish (task, transaction, ok, json))
    g_object_unref (task);
}

static void
change_owner_cb (GDBusProxy *proxy,
                 GParamSpec *pspec,
                 GTask      *task)
{
  ChangeData *data = g_task_get_task_data (task);
  g_autofree char *owner = g_dbus_proxy_get_name_owner (proxy);

  /* Between the reply and Finished the helper holds its lock; losing it
   * means it stopped (crashed, killed) before it could say how it went. */
  if (owner != NULL || !data->replied)
    return;
  change_data_disconnect (data, task);
  g_task_return_new_error (task, PT_HELPER_CLIENT_ERROR, PT_HELPER_CLIENT_ERROR_FAILED,
                           _("The helper stopped before it reported the result. Check "
                             "“journalctl -u passthroughd”, then look at the machine again"));
  g_object_unref (task);
}

static void
change_reply_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ChangeData *data = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      change_data_disconnect (data, task);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->replied = TRUE;
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("(s)")))
    g_variant_get (reply, "(s)", &data->expected);
  else if (data->transaction != NULL && data->transaction[0] != '\0')
    data->expected = g_strdup (data->transaction);

  for (guint i = 0; i < data->early->len; i++)
    {
      const char *transaction, *json;
      gboolean ok;

      g_variant_get (g_ptr_array_index (data->early, i), "(&sb&s)", &transaction, &ok, &json);
      if (change_try_finish (task, transaction, ok, json))
        return;
    }
  /* The task waits for Finished: the signal handler holds it now. */
  g_steal_pointer (&task);
}

static void
change_call (GTask *task)
{
  ChangeData *data = g_task_get_task_data (task);
  PtHelperClient *self = data->client;
  GVariant *parameters;

  data->finished_id = g_signal_connect (self, "finished", G_CALLBACK (change_finished_cb), task);
  data->owner_id = g_signal_connect (self->proxy, "notify::g-name-owner", G_CALLBACK (change_owner_cb), task);

  if (g_str_equal (data->method, "Apply"))
    {
      GVariantBuilder options;

      g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&options, "{sv}", "trial", g_variant_new_boolean (data->trial));
      if (data->flags & PT_PLAN_ALLOW_BOOT_VGA)
        g_variant_builder_add (&options, "{sv}", "allow-boot-vga", g_variant_new_boolean (TRUE));
      if (data->flags & PT_PLAN_ALLOW_SHARED)
        g_variant_builder_add (&options, "{sv}", "allow-shared", g_variant_new_boolean (TRUE));
      parameters = g_variant_new ("(^asa{sv})", data->addresses, &options);
    }
  else
    parameters = g_variant_new ("(sa{sv})", data->transaction != NULL ? data->transaction : "", NULL);

  g_dbus_proxy_call (self->proxy, data->method, parameters,
                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT,
                     g_task_get_cancellable (task), change_reply_cb, task);
}

static gboolean
same_root (const char *a,
           const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, "/");
  g_autofree char *cb = g_canonicalize_filename (b, "/");

  return g_str_equal (ca, cb);
}

static void
change_state_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ChangeData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  const char *root = NULL;
  JsonNode *node;

  json = pt_helper_client_get_state_finish (PT_HELPER_CLIENT (source), result, &error);
  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (json_parser_load_from_data (parser, json, -1, NULL) &&
      (node = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (node))
    root = json_object_get_string_member_with_default (json_node_get_object (node), "root", NULL);

  if (root == NULL || !same_root (root, data->expected_root))
    {
      g_task_return_new_error (task, PT_HELPER_CLIENT_ERROR, PT_HELPER_CLIENT_ERROR_NOT_SUPPORTED,
                               _("The helper works on the system at %s, but this window shows the one "
                                 "at %s. Nothing was changed. To change that system, run the helper "
                                 "with “--root %s”, or open Passthrough on it."),
                               root != NULL ? root : "?", data->expected_root, data->expected_root);
      return;
    }
  change_call (g_steal_pointer (&task));
}

void
pt_helper_client_change_async (PtHelperClient      *self,
                               const char          *method,
                               const char *const   *addresses,
                               gboolean             trial,
                               PtPlanFlags          flags,
                               const char          *transaction,
                               const char          *expected_root,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ChangeData *data;

  g_return_if_fail (PT_IS_HELPER_CLIENT (self));
  g_return_if_fail (g_strcmp0 (method, "Apply") == 0 || g_strcmp0 (method, "Rollback") == 0);
  g_return_if_fail (g_strcmp0 (method, "Rollback") == 0 || (addresses != NULL && addresses[0] != NULL));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_helper_client_change_async);
  data = g_new0 (ChangeData, 1);
  data->client = self;
  data->method = g_strdup (method);
  data->addresses = g_strdupv ((char **) addresses);
  data->trial = trial;
  data->flags = flags;
  data->transaction = g_strdup (transaction);
  data->expected_root = g_strdup (expected_root);
  data->early = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_task_set_task_data (task, data, (GDestroyNotify) change_data_free);

  if (!check_available (self, task))
    return;

  if (expected_root != NULL)
    pt_helper_client_get_state_async (self, cancellable, change_state_cb, g_steal_pointer (&task));
  else
    change_call (g_steal_pointer (&task));
}

char *
pt_helper_client_change_finish (PtHelperClient  *self,
                                GAsyncResult    *result,
                                char           **transaction,
                                gboolean        *ok,
                                GError         **error)
{
  ChangeResult *r;
  char *json;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return NULL;
  if (transaction != NULL)
    *transaction = g_steal_pointer (&r->transaction);
  if (ok != NULL)
    *ok = r->ok;
  json = g_steal_pointer (&r->json);
  change_result_free (r);
  return json;
}

char *
pt_helper_client_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == PT_HELPER_CLIENT_ERROR)
    {
      switch ((PtHelperClientError) error->code)
        {
        case PT_HELPER_CLIENT_ERROR_NOT_AUTHORIZED:
          return g_strdup_printf (_("You are not allowed to change the boot configuration (%s). "
                                    "Unlock with an administrator’s password and try again."),
                                  error->message);
        case PT_HELPER_CLIENT_ERROR_BUSY:
          return g_strdup_printf (_("%s. Wait until the other change has finished, then try again."),
                                  error->message);
        case PT_HELPER_CLIENT_ERROR_NOT_FOUND:
          return g_strdup_printf (_("%s. Check the machine again and choose the GPU again."),
                                  error->message);
        case PT_HELPER_CLIENT_ERROR_REFUSED:
        case PT_HELPER_CLIENT_ERROR_NOT_SUPPORTED:
        case PT_HELPER_CLIENT_ERROR_NOT_INSTALLED:
          return g_strdup (error->message);
        case PT_HELPER_CLIENT_ERROR_FAILED:
        default:
          return g_strdup_printf (_("The helper could not make the change: %s"), error->message);
        }
    }

  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
          return g_strdup (not_installed_message ());
        case G_DBUS_ERROR_NO_REPLY:
        case G_DBUS_ERROR_TIMEOUT:
        case G_DBUS_ERROR_TIMED_OUT:
          return g_strdup (_("The Passthrough helper did not answer. Check “journalctl -u passthroughd” "
                             "for what happened, then try again."));
        case G_DBUS_ERROR_ACCESS_DENIED:
          return g_strdup_printf (_("The system bus does not let this app talk to the helper (%s). "
                                    "Reinstall the passthrough package so that its bus policy is in place."),
                                  error->message);
        default:
          break;
        }
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("Cancelled."));

  return g_strdup (error->message);
}
