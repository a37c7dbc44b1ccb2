/* pt-helper.c: the io.github.passthrough.Helper1 object. Every call is
 * checked first (addresses, options), then authorised by polkit when it
 * changes the host, then worked in a thread on a host freshly read from the
 * root; commands that regenerate boot files run as subprocesses after the
 * reply, reported by Progress and Finished. */
#define G_LOG_DOMAIN "passthroughd"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pt-authority.h"
#include "pt-daemon-resources.h"
#include "pt-helper.h"

#include "pt-bind.h"
#include "pt-bootconf.h"
#include "pt-checks.h"
#include "pt-host.h"
#include "pt-journal.h"
#include "pt-json.h"
#include "pt-plan.h"
#include "pt-trial.h"

/* More would be a mistake or an attack; a machine has far fewer GPUs. */
#define MAX_ADDRESSES 64
/* The tail of a command's output kept for the Finished result. */
#define MAX_OUTPUT (64 * 1024)
/* Regeneration commands get this PATH, whatever the daemon inherited. */
#define COMMAND_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct _PtHelper
{
  GObject          parent_instance;

  char            *root;
  gboolean         live;            /* root is "/": regeneration commands run */
  PtAuthority     *authority;
  GDBusConnection *connection;
  GDBusNodeInfo   *introspection;
  guint            registration_id;

  guint            calls;           /* method calls not answered yet */
  gboolean         changing;        /* a change holds the lock, up to Finished */
  char            *transaction;     /* the change's transaction id, when known */
  gint64           last_activity;
  GCancellable    *cancellable;
  char            *test_command_path;
};

G_DEFINE_FINAL_TYPE (PtHelper, pt_helper, G_TYPE_OBJECT)

static const GDBusErrorEntry helper_error_entries[] = {
  { PT_HELPER_ERROR_FAILED,        PT_HELPER_INTERFACE ".Error.Failed" },
  { PT_HELPER_ERROR_REFUSED,       PT_HELPER_INTERFACE ".Error.Refused" },
  { PT_HELPER_ERROR_NOT_FOUND,     PT_HELPER_INTERFACE ".Error.NotFound" },
  { PT_HELPER_ERROR_BUSY,          PT_HELPER_INTERFACE ".Error.Busy" },
  { PT_HELPER_ERROR_NOT_SUPPORTED, PT_HELPER_INTERFACE ".Error.NotSupported" },
  { PT_HELPER_ERROR_NOT_AUTHORIZED, PT_HELPER_INTERFACE ".Error.NotAuthorized" },
};

GQuark
pt_helper_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("pt-helper-error-quark", &quark,
                                      helper_error_entries,
                                      G_N_ELEMENTS (helper_error_entries));
  return (GQuark) quark;
}

typedef enum
{
  CALL_GET_STATE,
  CALL_PLAN,
  CALL_APPLY,
  CALL_ROLLBACK,
  CALL_BIND,
  CALL_UNBIND,
} CallKind;

typedef struct
{
  PtHelper              *helper;
  GDBusMethodInvocation *invocation;
  CallKind               kind;
  char                  *root;
  GStrv                  addresses;     /* canonical form */
  PtPlanFlags            plan_flags;
  gboolean               trial;
  gboolean               force;
  char                  *transaction;   /* Rollback: NULL for the latest */
  gboolean               holds_lock;
} Call;

/* What a change did, handed from its thread to the main loop. */
typedef struct
{
  PtTransaction *tx;            /* NULL when there was nothing to change */
  char          *transaction;   /* without tx: the pending trial whose one-time
                                 * command runs again, NULL otherwise */
  GPtrArray     *regenerate;    /* GStrv argv */
  char          *message;       /* for people, NULL when nothing to say */
  gboolean       changed;       /* files were written or restored */
} ChangeResult;

typedef struct
{
  GStrv    argv;
  char    *state;               /* "done", "failed", "not-run" */
  int      exit_status;         /* -1 when it did not run or was killed */
  char    *output;
} CommandResult;

/* A change after its reply: the regeneration commands, then Finished. */
typedef struct
{
  PtHelper            *helper;
  char                *transaction;
  const char          *action;  /* "apply", "rollback" */
  gboolean             trial;
  ChangeResult        *result;
  GPtrArray           *commands; /* CommandResult */
  guint                index;
  gboolean             ok;
  char                *error;
  GSubprocessLauncher *launcher;
} Regen;

static void
change_result_free (ChangeResult *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->tx, pt_transaction_free);
  g_clear_pointer (&r->regenerate, g_ptr_array_unref);
  g_free (r->transaction);
  g_free (r->message);
  g_free (r);
}

static void
command_result_free (CommandResult *c)
{
  g_strfreev (c->argv);
  g_free (c->state);
  g_free (c->output);
  g_free (c);
}

static void
touch (PtHelper *self)
{
  self->last_activity = g_get_monotonic_time ();
}

static Call *
call_new (PtHelper *self, GDBusMethodInvocation *invocation, CallKind kind)
{
  Call *call = g_new0 (Call, 1);

  call->helper = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->kind = kind;
  call->root = g_strdup (self->root);
  self->calls++;
  touch (self);
  return call;
}

static void
release_lock (PtHelper *self)
{
  self->changing = FALSE;
  g_clear_pointer (&self->transaction, g_free);
  touch (self);
}

static void
call_free (Call *call)
{
  if (call->holds_lock)
    release_lock (call->helper);
  call->helper->calls--;
  touch (call->helper);
  g_object_unref (call->helper);
  g_object_unref (call->invocation);
  g_free (call->root);
  g_strfreev (call->addresses);
  g_free (call->transaction);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

/* Core errors become the daemon's D-Bus errors. */
static void
return_error (GDBusMethodInvocation *invocation, const GError *error)
{
  GQuark domain = PT_HELPER_ERROR;
  int code = PT_HELPER_ERROR_FAILED;

  if (error->domain == G_DBUS_ERROR || error->domain == PT_HELPER_ERROR)
    {
      domain = error->domain;
      code = error->code;
    }
  else if (g_error_matches (error, PT_ERROR, PT_ERROR_INVALID_ADDRESS)
           || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    {
      domain = G_DBUS_ERROR;
      code = G_DBUS_ERROR_INVALID_ARGS;
    }
  else if (g_error_matches (error, PT_ERROR, PT_ERROR_NOT_FOUND))
    code = PT_HELPER_ERROR_NOT_FOUND;
  else if (g_error_matches (error, PT_ERROR, PT_ERROR_REFUSED))
    code = PT_HELPER_ERROR_REFUSED;
  else if (g_error_matches (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED))
    code = PT_HELPER_ERROR_NOT_SUPPORTED;

  g_dbus_method_invocation_return_error_literal (invocation, domain, code, error->message);
}

/* Argument checks, before polkit is asked: a malformed call never gets as
 * far as a password dialog. */

static GStrv
parse_addresses (GVariant *array, GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  gsize n = g_variant_n_children (array);

  if (n == 0)
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                           _("Name at least one device by its PCI address, e.g. 01:00.0"));
      return NULL;
    }
  if (n > MAX_ADDRESSES)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   _("Too many addresses: at most %d devices can be named at once"),
                   MAX_ADDRESSES);
      return NULL;
    }
  for (gsize i = 0; i < n; i++)
    {
      const char *text = NULL;
      g_autoptr(GError) local_error = NULL;
      PtAddress addr;

      g_variant_get_child (array, i, "&s", &text);
      if (!pt_address_parse (text, &addr, &local_error))
        {
          g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                               local_error->message);
          return NULL;
        }
      g_ptr_array_add (out, pt_address_to_string (&addr));
    }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static gboolean
parse_options (GVariant           *options,
               const char *const  *allowed,
               Call               *call,
               GError            **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *v;

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &v))
    {
      g_autoptr(GVariant) value = v;
      gboolean b;

      if (!g_strv_contains (allowed, key))
        {
          g_autofree char *list = g_strjoinv (", ", (char **) allowed);

          if (allowed[0] != NULL)
            g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                         _("Unknown option “%s”; this method takes: %s"), key, list);
          else
            g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                         _("Unknown option “%s”; this method takes no options"), key);
          return FALSE;
        }
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       _("Option “%s” must be a boolean (type b), not type %s"),
                       key, g_variant_get_type_string (value));
          return FALSE;
        }
      b = g_variant_get_boolean (value);
      if (g_str_equal (key, "trial"))
        call->trial = b;
      else if (g_str_equal (key, "force"))
        call->force = b;
      else if (g_str_equal (key, "allow-boot-vga"))
        call->plan_flags = b ? (call->plan_flags | PT_PLAN_ALLOW_BOOT_VGA)
                             : (call->plan_flags & ~PT_PLAN_ALLOW_BOOT_VGA);
      else if (g_str_equal (key, "allow-shared"))
        call->plan_flags = b ? (call->plan_flags | PT_PLAN_ALLOW_SHARED)
                             : (call->plan_flags & ~PT_PLAN_ALLOW_SHARED);
    }
  return TRUE;
}

static gboolean
take_lock (PtHelper *self, Call *call, GError **error)
{
  if (self->changing)
    {
      if (self->transaction != NULL)
        g_set_error (error, PT_HELPER_ERROR, PT_HELPER_ERROR_BUSY,
                     _("Another change is in progress (transaction %s); try again when it "
                       "has finished"), self->transaction);
      else
        g_set_error_literal (error, PT_HELPER_ERROR, PT_HELPER_ERROR_BUSY,
                             _("Another change is in progress; try again when it has finished"));
      return FALSE;
    }
  if (call != NULL)
    {
      self->changing = TRUE;
      call->holds_lock = TRUE;
    }
  return TRUE;
}

/* Work done in threads, on a host read again for every call. */

static PtHost *
load_host (const char *root, GError **error)
{
  return pt_host_load (root, PT_HOST_LOAD_DETAILS, error);
}

/* The permanent plan (call->trial unset); with a trial pending it also
 * removes the trial's files. */
static PtPlan *
make_plan (Call *call, PtHost *host, GError **error)
{
  g_autoptr(PtPlan) plan = NULL;

  g_assert (!call->trial);
  plan = pt_plan_new (host, (const char *const *) call->addresses, call->plan_flags, error);
  if (plan == NULL)
    return NULL;
  if (!pt_bootconf_plan (plan, error))
    return NULL;
  return g_steal_pointer (&plan);
}

static void
copy_members (JsonObject *to, JsonNode *from)
{
  JsonObject *obj = json_node_get_object (from);
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (to, l->data, json_node_copy (json_object_get_member (obj, l->data)));
}

static JsonNode *
records_to_json (GPtrArray *records)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  pt_bind_add_records_json (b, records);
  return json_builder_get_root (b);
}

typedef struct
{
  char     *root;
  gboolean  busy;
  char     *transaction;
} StateInput;

static void
state_input_free (StateInput *in)
{
  g_free (in->root);
  g_free (in->transaction);
  g_free (in);
}

static void
get_state_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  StateInput *in = task_data;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) transactions = NULL;
  g_autoptr(PtTrial) trial = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_autoptr(JsonNode) groups = NULL;
  g_autoptr(JsonNode) gpus = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();

  json_node_take_object (node, obj);

  host = load_host (in->root, &error);
  if (host == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  json_object_set_string_member (obj, "version", PACKAGE_VERSION);
  json_object_set_string_member (obj, "root", in->root);
  json_object_set_boolean_member (obj, "busy", in->busy);
  if (in->transaction != NULL)
    json_object_set_string_member (obj, "transaction", in->transaction);
  else
    json_object_set_null_member (obj, "transaction");

  checks = pt_checks_run (host);
  status = pt_json_status (checks);
  groups = pt_json_groups (host);
  gpus = pt_json_gpus (host);
  copy_members (obj, status);
  copy_members (obj, groups);
  copy_members (obj, gpus);

  /* What cannot be read is null here, and said in the log: the state of
   * the host is still worth showing. */
  records = pt_bind_load_records (in->root, &error);
  if (records != NULL)
    json_object_set_member (obj, "bound", records_to_json (records));
  else
    {
      g_message ("%s", error->message);
      json_object_set_null_member (obj, "bound");
      g_clear_error (&error);
    }

  transactions = pt_journal_list (in->root, &error);
  if (transactions != NULL)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < transactions->len; i++)
        json_array_add_element (array, pt_transaction_to_json (g_ptr_array_index (transactions, i)));
      json_object_set_array_member (obj, "transactions", array);
    }
  else
    {
      g_message ("%s", error->message);
      json_object_set_null_member (obj, "transactions");
      g_clear_error (&error);
    }

  /* The trial boot waiting for confirmation, if any. */
  trial = pt_trial_find_pending (in->root, &error);
  if (trial != NULL)
    json_object_set_member (obj, "trial", pt_trial_to_json (trial));
  else
    {
      if (error != NULL)
        g_message ("%s", error->message);
      json_object_set_null_member (obj, "trial");
      g_clear_error (&error);
    }

  g_task_return_pointer (task, pt_json_to_string (node, FALSE), g_free);
}

static void
plan_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Call *call = task_data;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(PtTrialPlan) tp = NULL;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  host = load_host (call->root, &error);
  if (host != NULL && call->trial)
    tp = pt_trial_plan_new (host, (const char *const *) call->addresses, call->plan_flags,
                            &error);
  else if (host != NULL)
    plan = make_plan (call, host, &error);
  if (plan == NULL && tp == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  node = tp != NULL ? pt_trial_plan_to_json (tp) : pt_json_plan (plan);
  g_task_return_pointer (task, pt_json_to_string (node, FALSE), g_free);
}

static GPtrArray *
copy_commands (GPtrArray *commands)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; commands != NULL && i < commands->len; i++)
    g_ptr_array_add (out, g_strdupv (g_ptr_array_index (commands, i)));
  return out;
}

static void
apply_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Call *call = task_data;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) owned_plan = NULL;
  g_autoptr(PtTrialPlan) tp = NULL;
  g_autoptr(PtTrial) pending = NULL;
  g_autoptr(JsonNode) summary_node = NULL;
  g_autofree char *summary = NULL;
  ChangeResult *result;
  GError *error = NULL;
  PtTransaction *tx;
  PtPlan *plan;

  host = load_host (call->root, &error);
  if (host == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (call->trial)
    {
      /* The new arguments go to a boot entry used once; the default
       * entry stays as it is. */
      tp = pt_trial_plan_new (host, (const char *const *) call->addresses, call->plan_flags,
                              &error);
      if (tp == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      plan = tp->plan;
      summary_node = pt_trial_plan_to_json (tp);
    }
  else
    {
      /* With a trial waiting, a permanent apply confirms it: only when the
       * trial boot came up with its arguments and the devices on vfio-pci. */
      if (!pt_trial_check_apply (call->root, host, &error))
        {
          g_task_return_new_error (task, PT_HELPER_ERROR, PT_HELPER_ERROR_REFUSED, "%s",
                                   error->message);
          g_error_free (error);
          return;
        }
      owned_plan = make_plan (call, host, &error);
      if (owned_plan == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      plan = owned_plan;
      summary_node = pt_json_plan (plan);
    }

  summary = pt_json_to_string (summary_node, FALSE);
  tx = pt_journal_apply (call->root, pt_plan_get_file_changes (plan), plan->regenerate,
                         summary, call->trial, &error);
  if (tx == NULL && error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* A second trial apply with the trial entry in place boots it once more. */
  if (tx == NULL && tp != NULL)
    {
      pending = pt_trial_find_pending (call->root, &error);
      if (pending == NULL && error != NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  result = g_new0 (ChangeResult, 1);
  result->tx = tx;
  result->changed = tx != NULL;
  result->regenerate = copy_commands (tx != NULL ? tx->regenerate : NULL);
  if (pending != NULL && tp->boot.oneshot != NULL && tp->boot.oneshot[0] != NULL)
    {
      g_autofree char *line = g_strjoinv (" ", tp->boot.oneshot);

      g_ptr_array_add (result->regenerate, g_strdupv (tp->boot.oneshot));
      result->transaction = g_strdup (pending->transaction);
      result->message = g_strdup_printf (_("Nothing to change: the trial entry of transaction "
                                           "%s is in place; “%s” boots it once more at the "
                                           "next start"), pending->transaction, line);
    }
  else if (tx == NULL)
    result->message = g_strdup (_("Nothing to change: the boot configuration already passes "
                                  "these devices through"));
  g_task_return_pointer (task, result, (GDestroyNotify) change_result_free);
}

static void
rollback_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Call *call = task_data;
  ChangeResult *result;
  GError *error = NULL;
  PtTransaction *tx;

  tx = pt_journal_rollback (call->root, call->transaction, call->force, &error);
  if (tx == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = g_new0 (ChangeResult, 1);
  result->tx = tx;
  result->changed = tx->previous_state != PT_TRANSACTION_ROLLED_BACK;
  /* A trial's one-time command becomes the one that clears it: the entry
   * it names is gone. */
  result->regenerate = result->changed ? pt_trial_rollback_commands (tx)
                                       : copy_commands (NULL);
  if (!result->changed)
    result->message = g_strdup_printf (_("Transaction %s was already rolled back: nothing to "
                                         "change"), tx->id);
  g_task_return_pointer (task, result, (GDestroyNotify) change_result_free);
}

static void
bind_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Call *call = task_data;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  gboolean ok = FALSE;

  host = load_host (call->root, &error);
  if (host != NULL && call->kind == CALL_BIND)
    {
      /* The plan's refusals are the bind's: boot display, root disk,
       * default route, host and ISA bridges, shared groups. */
      plan = pt_plan_new (host, (const char *const *) call->addresses, PT_PLAN_FLAGS_NONE, &error);
      ok = plan != NULL && pt_bind_plan (plan, changed, &error);
    }
  else if (host != NULL)
    ok = pt_unbind (host, (const char *const *) call->addresses, changed, &error);

  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < changed->len; i++)
    g_message (call->kind == CALL_BIND ? "Bound %s to vfio-pci" : "Gave %s back to the host",
               (const char *) g_ptr_array_index (changed, i));
  g_task_return_boolean (task, TRUE);
}

/* Regeneration and Finished. */

static void regen_run_next (Regen *regen);

static void
regen_free (Regen *regen)
{
  g_object_unref (regen->helper);
  g_free (regen->transaction);
  change_result_free (regen->result);
  g_ptr_array_unref (regen->commands);
  g_free (regen->error);
  g_clear_object (&regen->launcher);
  g_free (regen);
}

static void
emit (PtHelper *self, const char *signal, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;

  g_variant_ref_sink (parameters);
  if (self->connection != NULL
      && !g_dbus_connection_emit_signal (self->connection, NULL, PT_HELPER_OBJECT_PATH,
                                         PT_HELPER_INTERFACE, signal, parameters, &error))
    g_message ("Cannot emit %s: %s", signal, error->message);
  g_variant_unref (parameters);
}

static void
emit_progress (Regen *regen, double fraction, const char *message)
{
  emit (regen->helper, "Progress",
        g_variant_new ("(sds)", regen->transaction, CLAMP (fraction, 0.0, 1.0), message));
}

static const char *
file_change_name (Regen *regen, PtJournalFile *f)
{
  if (g_str_equal (regen->action, "apply"))
    {
      if (!f->existed)
        return "created";
      return f->sha256_after != NULL ? "modified" : "removed";
    }
  switch (f->outcome)
    {
    case PT_JOURNAL_FILE_RESTORED:
      return "restored";
    case PT_JOURNAL_FILE_REMOVED:
      return "removed";
    case PT_JOURNAL_FILE_UNCHANGED:
    default:
      return "unchanged";
    }
}

static void
regen_finish (Regen *regen)
{
  PtHelper *self = regen->helper;
  PtTransaction *tx = regen->result->tx;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "transaction");
  if (*regen->transaction != '\0')
    json_builder_add_string_value (b, regen->transaction);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, regen->action);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, regen->ok);
  json_builder_set_member_name (b, "root");
  json_builder_add_string_value (b, self->root);
  json_builder_set_member_name (b, "trial");
  json_builder_add_boolean_value (b, tx != NULL ? tx->trial : regen->trial);

  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; tx != NULL && tx->files != NULL && i < tx->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (tx->files, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, f->path);
      json_builder_set_member_name (b, "change");
      json_builder_add_string_value (b, file_change_name (regen, f));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "commands");
  json_builder_begin_array (b);
  for (guint i = 0; i < regen->commands->len; i++)
    {
      CommandResult *c = g_ptr_array_index (regen->commands, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "argv");
      json_builder_begin_array (b);
      for (guint k = 0; c->argv[k] != NULL; k++)
        json_builder_add_string_value (b, c->argv[k]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, c->state);
      json_builder_set_member_name (b, "exit_status");
      if (c->exit_status >= 0)
        json_builder_add_int_value (b, c->exit_status);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "output");
      if (c->output != NULL)
        json_builder_add_string_value (b, c->output);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "error");
  if (regen->error != NULL)
    json_builder_add_string_value (b, regen->error);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "message");
  if (regen->result->message != NULL)
    json_builder_add_string_value (b, regen->result->message);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "details");
  if (tx != NULL)
    json_builder_add_value (b, pt_transaction_to_json (tx));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  json = pt_json_to_string (node, FALSE);

  if (regen->commands->len > 0)
    emit_progress (regen, 1.0, regen->ok ? _("Done") : regen->error);
  emit (self, "Finished", g_variant_new ("(sbs)", regen->transaction, regen->ok, json));
  g_message ("%s %s finished: %s", regen->action,
             *regen->transaction ? regen->transaction : "(nothing)",
             regen->ok ? "ok" : regen->error);

  release_lock (self);
  regen_free (regen);
}

static void
command_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Regen *regen = user_data;
  GSubprocess *subprocess = G_SUBPROCESS (source);
  CommandResult *c = g_ptr_array_index (regen->commands, regen->index);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strjoinv (" ", c->argv);

  if (!g_subprocess_communicate_finish (subprocess, result, &out, NULL, &error))
    {
      g_free (c->state);
      c->state = g_strdup ("failed");
      regen->ok = FALSE;
      regen->error = g_strdup_printf (_("“%s” failed: %s"), line, error->message);
      g_object_unref (subprocess);
      regen_finish (regen);
      return;
    }

  if (out != NULL)
    {
      gsize size;
      const char *data = g_bytes_get_data (out, &size);

      if (size > MAX_OUTPUT)
        {
          data += size - MAX_OUTPUT;
          size = MAX_OUTPUT;
        }
      c->output = g_utf8_make_valid (data != NULL ? data : "", size);
    }

  g_free (c->state);
  if (g_subprocess_get_if_exited (subprocess))
    c->exit_status = g_subprocess_get_exit_status (subprocess);
  if (g_subprocess_get_successful (subprocess))
    c->state = g_strdup ("done");
  else
    {
      c->state = g_strdup ("failed");
      regen->ok = FALSE;
      if (c->exit_status >= 0)
        regen->error = g_strdup_printf (_("“%s” failed with exit status %d. The files are "
                                          "written; fix the cause and run it again, or roll "
                                          "back"),
                                        line, c->exit_status);
      else
        regen->error = g_strdup_printf (_("“%s” was killed by signal %d. The files are "
                                          "written; run it again, or roll back"),
                                        line, g_subprocess_get_term_sig (subprocess));
    }
  g_object_unref (subprocess);

  if (!regen->ok)
    {
      regen_finish (regen);
      return;
    }
  regen->index++;
  regen_run_next (regen);
}

static void
regen_run_next (Regen *regen)
{
  CommandResult *c;
  GSubprocess *subprocess;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *message = NULL;
  guint n = regen->commands->len;

  if (regen->index >= n)
    {
      regen_finish (regen);
      return;
    }

  c = g_ptr_array_index (regen->commands, regen->index);
  line = g_strjoinv (" ", c->argv);
  message = g_strdup_printf (_("Running %s (%u of %u)"), line, regen->index + 1, n);
  emit_progress (regen, (double) regen->index / n, message);

  subprocess = g_subprocess_launcher_spawnv (regen->launcher, (const char *const *) c->argv,
                                             &error);
  if (subprocess == NULL)
    {
      g_free (c->state);
      c->state = g_strdup ("failed");
      regen->ok = FALSE;
      regen->error = g_strdup_printf (_("Cannot run “%s”: %s. The files are written; run it "
                                        "yourself, or roll back"),
                                      line, error->message);
      regen_finish (regen);
      return;
    }
  g_subprocess_communicate_async (subprocess, NULL, regen->helper->cancellable,
                                  command_done_cb, regen);
}

/* Runs the regeneration commands of a change whose reply has been sent
 * (on the live root only), then emits Finished. The change keeps the lock
 * until then. */
static void
start_regen (PtHelper *self, const char *action, gboolean trial, ChangeResult *result)
{
  Regen *regen = g_new0 (Regen, 1);

  regen->helper = g_object_ref (self);
  regen->action = action;
  regen->trial = trial;
  regen->result = result;
  regen->transaction = g_strdup (result->tx != NULL ? result->tx->id
                                 : result->transaction != NULL ? result->transaction : "");
  regen->ok = TRUE;
  regen->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) command_result_free);
  for (guint i = 0; i < result->regenerate->len; i++)
    {
      CommandResult *c = g_new0 (CommandResult, 1);

      c->argv = g_strdupv (g_ptr_array_index (result->regenerate, i));
      c->state = g_strdup ("not-run");
      c->exit_status = -1;
      if (c->argv != NULL && c->argv[0] != NULL)
        g_ptr_array_add (regen->commands, c);
      else
        command_result_free (c);
    }

  g_free (self->transaction);
  self->transaction = g_strdup (regen->transaction);

  if (!self->live && self->test_command_path == NULL)
    {
      /* A tree that is not this machine: its own system must regenerate. */
      if (regen->commands->len > 0)
        {
          g_autoptr(GString) list = g_string_new (NULL);
          g_autofree char *text = NULL;

          for (guint i = 0; i < regen->commands->len; i++)
            {
              CommandResult *c = g_ptr_array_index (regen->commands, i);
              g_autofree char *line = g_strjoinv (" ", c->argv);

              g_string_append_printf (list, "%s%s", i ? "; " : "", line);
            }
          text = g_strdup_printf (_("%s is not the running system, so no command was run. Run "
                                    "these inside it: %s"), self->root, list->str);
          if (regen->result->message != NULL)
            {
              char *both = g_strconcat (regen->result->message, ". ", text, NULL);

              g_free (regen->result->message);
              regen->result->message = both;
            }
          else
            regen->result->message = g_steal_pointer (&text);
        }
      regen_finish (regen);
      return;
    }

  /* Commands are looked up in our PATH, not whatever the daemon got. */
  regen->launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                               | G_SUBPROCESS_FLAGS_STDERR_MERGE
                                               | G_SUBPROCESS_FLAGS_SEARCH_PATH_FROM_ENVP);
  g_subprocess_launcher_set_cwd (regen->launcher, "/");
  g_subprocess_launcher_setenv (regen->launcher, "PATH",
                                self->test_command_path ? self->test_command_path : COMMAND_PATH,
                                TRUE);
  regen_run_next (regen);
}

/* Completions on the main loop. */

static void
string_reply_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_task_propagate_pointer (G_TASK (result), &error);

  if (json == NULL)
    return_error (call->invocation, error);
  else
    g_dbus_method_invocation_return_value (call->invocation, g_variant_new ("(s)", json));
}

static void
change_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  PtHelper *self = call->helper;
  g_autoptr(GError) error = NULL;
  ChangeResult *change = g_task_propagate_pointer (G_TASK (result), &error);
  const char *id;

  if (change == NULL)
    {
      g_message ("%s refused or failed: %s",
                 call->kind == CALL_APPLY ? "Apply" : "Rollback", error->message);
      return_error (call->invocation, error);
      return;
    }

  id = change->tx != NULL ? change->tx->id
       : change->transaction != NULL ? change->transaction : "";
  if (call->kind == CALL_APPLY)
    g_dbus_method_invocation_return_value (call->invocation, g_variant_new ("(s)", id));
  else
    g_dbus_method_invocation_return_value (call->invocation, NULL);

  /* The lock passes from the call to the regeneration, which ends with
   * Finished: signals follow the reply, so a caller knows the id first. */
  call->holds_lock = FALSE;
  start_regen (self, call->kind == CALL_APPLY ? "apply" : "rollback", call->trial, change);
}

static void
bind_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Call) call = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return_error (call->invocation, error);
  else
    g_dbus_method_invocation_return_value (call->invocation, NULL);
}

static void
run_change (Call *call)
{
  g_autoptr(GTask) task = NULL;

  if (call->kind == CALL_APPLY || call->kind == CALL_ROLLBACK)
    task = g_task_new (call->helper, call->helper->cancellable, change_done_cb, call);
  else
    task = g_task_new (call->helper, call->helper->cancellable, bind_done_cb, call);
  g_task_set_task_data (task, call, NULL);
  if (call->kind == CALL_APPLY)
    g_task_run_in_thread (task, apply_thread);
  else if (call->kind == CALL_ROLLBACK)
    g_task_run_in_thread (task, rollback_thread);
  else
    g_task_run_in_thread (task, bind_thread);
}

static void
authorized_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;
  PtHelper *self = call->helper;
  g_autoptr(GError) error = NULL;

  if (!pt_authority_check_finish (PT_AUTHORITY (source), result, &error)
      || !take_lock (self, call, &error))
    {
      g_message ("%s from %s refused: %s",
                 g_dbus_method_invocation_get_method_name (call->invocation),
                 g_dbus_method_invocation_get_sender (call->invocation), error->message);
      return_error (call->invocation, error);
      call_free (call);
      return;
    }
  run_change (call);
}

static void
authorize_and_run (Call *call, const char *action_id)
{
  g_autoptr(GError) error = NULL;

  /* Said before a password is asked for nothing; checked again after. */
  if (!take_lock (call->helper, NULL, &error))
    {
      return_error (call->invocation, error);
      call_free (call);
      return;
    }
  pt_authority_check_async (call->helper->authority, call->invocation, action_id,
                            call->helper->cancellable, authorized_cb, call);
}

static void
handle_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  PtHelper *self = user_data;
  static const char *const apply_options[] = { "trial", "allow-boot-vga", "allow-shared", NULL };
  static const char *const rollback_options[] = { "force", NULL };
  g_autoptr(Call) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) addresses = NULL;
  g_autoptr(GVariant) options = NULL;
  GTask *task;

  if (g_str_equal (method_name, "GetState"))
    {
      StateInput *in = g_new0 (StateInput, 1);

      call = call_new (self, invocation, CALL_GET_STATE);
      in->root = g_strdup (self->root);
      in->busy = self->changing;
      in->transaction = g_strdup (self->transaction);
      task = g_task_new (self, self->cancellable, string_reply_cb, g_steal_pointer (&call));
      g_task_set_task_data (task, in, (GDestroyNotify) state_input_free);
      g_task_run_in_thread (task, get_state_thread);
      g_object_unref (task);
      return;
    }

  if (g_str_equal (method_name, "Plan") || g_str_equal (method_name, "Apply"))
    {
      call = call_new (self, invocation, g_str_equal (method_name, "Plan") ? CALL_PLAN : CALL_APPLY);
      g_variant_get (parameters, "(@as@a{sv})", &addresses, &options);
      call->addresses = parse_addresses (addresses, &error);
      if (call->addresses == NULL || !parse_options (options, apply_options, call, &error))
        {
          return_error (invocation, error);
          return;
        }
      if (call->kind == CALL_PLAN)
        {
          task = g_task_new (self, self->cancellable, string_reply_cb, call);
          g_task_set_task_data (task, g_steal_pointer (&call), (GDestroyNotify) NULL);
          g_task_run_in_thread (task, plan_thread);
          g_object_unref (task);
          return;
        }
      authorize_and_run (g_steal_pointer (&call), PT_ACTION_CONFIGURE_BOOT);
      return;
    }

  if (g_str_equal (method_name, "Rollback"))
    {
      const char *id = NULL;

      call = call_new (self, invocation, CALL_ROLLBACK);
      g_variant_get (parameters, "(&s@a{sv})", &id, &options);
      if (*id != '\0' && !pt_journal_id_is_valid (id))
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                                 G_DBUS_ERROR_INVALID_ARGS,
                                                 _("“%s” is not a transaction id; GetState lists "
                                                   "the transactions"), id);
          return;
        }
      call->transaction = *id != '\0' ? g_strdup (id) : NULL;
      if (!parse_options (options, rollback_options, call, &error))
        {
          return_error (invocation, error);
          return;
        }
      authorize_and_run (g_steal_pointer (&call), PT_ACTION_CONFIGURE_BOOT);
      return;
    }

  if (g_str_equal (method_name, "Bind") || g_str_equal (method_name, "Unbind"))
    {
      call = call_new (self, invocation, g_str_equal (method_name, "Bind") ? CALL_BIND : CALL_UNBIND);
      g_variant_get (parameters, "(@as)", &addresses);
      call->addresses = parse_addresses (addresses, &error);
      if (call->addresses == NULL)
        {
          return_error (invocation, error);
          return;
        }
      authorize_and_run (g_steal_pointer (&call), PT_ACTION_BIND_DEVICE);
      return;
    }

  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                         _("No such method “%s”"), method_name);
}

static const GDBusInterfaceVTable helper_vtable = {
  .method_call = handle_method_call,
};

static void
report_journal_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *root = task_data;
  g_autoptr(GPtrArray) transactions = NULL;
  g_autoptr(GError) error = NULL;

  transactions = pt_journal_list (root, &error);
  if (transactions == NULL)
    {
      g_message ("Cannot read the journal: %s", error->message);
      g_task_return_boolean (task, FALSE);
      return;
    }
  for (guint i = 0; i < transactions->len; i++)
    {
      PtTransaction *t = g_ptr_array_index (transactions, i);

      if (t->interrupted || t->state == PT_TRANSACTION_APPLYING
          || t->state == PT_TRANSACTION_ROLLING_BACK)
        g_message ("Transaction %s was interrupted while %s; the next Apply or Rollback "
                   "restores the files as they were before it",
                   t->id, t->state == PT_TRANSACTION_ROLLING_BACK ? "rolling back" : "applying");
    }
  g_task_return_boolean (task, TRUE);
}

void
pt_helper_report_journal (PtHelper *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PT_IS_HELPER (self));

  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_task_data (task, g_strdup (self->root), g_free);
  g_task_run_in_thread (task, report_journal_thread);
}

static void
pt_helper_dispose (GObject *object)
{
  PtHelper *self = PT_HELPER (object);

  pt_helper_unregister (self);
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (pt_helper_parent_class)->dispose (object);
}

static void
pt_helper_finalize (GObject *object)
{
  PtHelper *self = PT_HELPER (object);

  g_clear_object (&self->authority);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->introspection, g_dbus_node_info_unref);
  g_free (self->root);
  g_free (self->transaction);
  g_free (self->test_command_path);

  G_OBJECT_CLASS (pt_helper_parent_class)->finalize (object);
}

static void
pt_helper_class_init (PtHelperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_helper_dispose;
  object_class->finalize = pt_helper_finalize;

  /* Registered here so that the names are known before the first reply. */
  pt_helper_error_quark ();
}

static void
pt_helper_init (PtHelper *self)
{
  self->authority = pt_authority_new ();
  self->cancellable = g_cancellable_new ();
  self->last_activity = g_get_monotonic_time ();
}

PtHelper *
pt_helper_new (const char *root)
{
  PtHelper *self;

  g_return_val_if_fail (root != NULL && g_path_is_absolute (root), NULL);

  self = g_object_new (PT_TYPE_HELPER, NULL);
  self->root = g_strdup (root);
  self->live = g_str_equal (root, "/");
  return self;
}

gboolean
pt_helper_register (PtHelper *self, GDBusConnection *connection, GError **error)
{
  g_autoptr(GBytes) xml = NULL;

  g_return_val_if_fail (PT_IS_HELPER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  if (self->introspection == NULL)
    {
      xml = g_resource_lookup_data (pt_daemon_get_resource (),
                                    "/io/github/passthrough/daemon/io.github.passthrough.Helper1.xml",
                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (xml == NULL)
        return FALSE;
      self->introspection = g_dbus_node_info_new_for_xml (g_bytes_get_data (xml, NULL), error);
      if (self->introspection == NULL)
        return FALSE;
    }

  self->registration_id =
    g_dbus_connection_register_object (connection, PT_HELPER_OBJECT_PATH,
                                       g_dbus_node_info_lookup_interface (self->introspection,
                                                                          PT_HELPER_INTERFACE),
                                       &helper_vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;
  self->connection = g_object_ref (connection);
  return TRUE;
}

void
pt_helper_unregister (PtHelper *self)
{
  g_return_if_fail (PT_IS_HELPER (self));

  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}

gboolean
pt_helper_is_idle (PtHelper *self)
{
  g_return_val_if_fail (PT_IS_HELPER (self), TRUE);

  return self->calls == 0 && !self->changing;
}

gint64
pt_helper_get_last_activity (PtHelper *self)
{
  g_return_val_if_fail (PT_IS_HELPER (self), 0);

  return self->last_activity;
}

void
pt_helper_set_test_command_path (PtHelper *self, const char *path)
{
  g_return_if_fail (PT_IS_HELPER (self));

  g_free (self->test_command_path);
  self->test_command_path = g_strdup (path);
}
