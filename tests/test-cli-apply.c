/* test-cli-apply.c: "passthroughctl apply" and "rollback" offline on fixture
 * roots, as a user meets them: the files the plan names change and nothing
 * else, a second apply changes nothing, rollback gives back every byte and
 * removes what was created, and bad ids, snapshots and a missing daemon get
 * the exit codes of the contract. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-fileutil.h"
#include "pt-test-util.h"

#define ctl pt_test_ctl
#define ctl_argv pt_test_run_ctl
#define parse_object pt_test_parse_object

/* ---- the tree, byte for byte ------------------------------------------------- */

static gboolean
path_in (GPtrArray *paths, const char *path)
{
  for (guint i = 0; i < paths->len; i++)
    if (g_str_equal (g_ptr_array_index (paths, i), path))
      return TRUE;
  return FALSE;
}

/* The paths of a plan's or an apply's "changes". */
static GPtrArray *
change_paths (JsonObject *obj)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  JsonArray *changes = json_object_get_array_member (obj, "changes");

  g_assert_nonnull (changes);
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);

      g_ptr_array_add (paths, g_strdup (json_object_get_string_member (c, "path")));
      g_assert_nonnull (json_object_get_string_member (c, "diff"));
    }
  return paths;
}

static char *
regenerate_to_string (JsonObject *obj)
{
  JsonArray *regenerate = json_object_get_array_member (obj, "regenerate");
  g_autoptr(GString) s = g_string_new (NULL);

  g_assert_nonnull (regenerate);
  for (guint i = 0; i < json_array_get_length (regenerate); i++)
    {
      JsonArray *argv = json_array_get_array_element (regenerate, i);

      for (guint k = 0; k < json_array_get_length (argv); k++)
        g_string_append_printf (s, "%s%s", k ? " " : "", json_array_get_string_element (argv, k));
      g_string_append_c (s, '\n');
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* ---- tests ----------------------------------------------------------------- */

/* The seed machine (Manjaro, GRUB, mkinitcpio): the files change as the
 * plan says, the second apply changes nothing, rollback restores every
 * byte and removes what apply created. */
static void
test_seed_apply_rollback (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(GHashTable) applied = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(JsonParser) plan_parser = json_parser_new ();
  g_autoptr(JsonParser) apply_parser = json_parser_new ();
  g_autoptr(GPtrArray) planned = NULL;
  g_autoptr(GPtrArray) changed = NULL;
  g_autofree char *regenerate = NULL;
  g_autofree char *id = NULL;
  g_auto(PtTestRun) plan = { 0 };
  g_auto(PtTestRun) apply = { 0 };
  JsonObject *obj;

  ctl (&plan, "--root", root, "plan", "01:00.0", "--json");
  g_assert_cmpint (plan.status, ==, 0);
  obj = parse_object (plan_parser, plan.out);
  planned = change_paths (obj);
  regenerate = regenerate_to_string (obj);
  if (planned->len == 0)
    {
      /* The boot configuration backends plan nothing yet for this host. */
      g_test_skip ("no boot configuration backend plans a change for the seed host");
      pt_test_remove_tree (root);
      return;
    }

  /* First apply, as a person runs it. */
  ctl (&apply, "--root", root, "apply", "01:00.0");
  g_test_message ("%s%s", apply.out, apply.err);
  g_assert_cmpint (apply.status, ==, 0);
  for (guint i = 0; i < planned->len; i++)
    g_assert_nonnull (strstr (apply.out, g_ptr_array_index (planned, i)));
  {
    g_auto(GStrv) lines = g_strsplit (regenerate, "\n", -1);

    /* No command ran; each is shown to run inside the tree. */
    for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
      {
        g_autofree char *hint = g_strdup_printf ("chroot %s %s\n", root, lines[i]);

        g_assert_nonnull (strstr (apply.out, hint));
      }
  }
  {
    const char *p = strstr (apply.out, "rollback ");

    g_assert_nonnull (p);
    id = g_strndup (p + 9, strcspn (p + 9, "\n"));
    g_assert_cmpuint (strlen (id), >, 0);
  }

  /* Exactly the planned files changed (and directories made for new ones). */
  applied = pt_test_tree_new (root);
  changed = pt_test_tree_diff (before, applied);
  for (guint i = 0; i < changed->len; i++)
    {
      const char *path = g_ptr_array_index (changed, i);
      g_autofree char *prefix = g_strconcat (path, "/", NULL);
      gboolean ok = path_in (planned, path);

      for (guint k = 0; !ok && k < planned->len; k++)
        ok = g_str_has_prefix (g_ptr_array_index (planned, k), prefix)
             && !g_hash_table_contains (before, path);
      if (!ok)
        g_test_message ("changed but not planned: %s", path);
      g_assert_true (ok);
    }
  for (guint i = 0; i < planned->len; i++)
    g_assert_true (path_in (changed, g_ptr_array_index (planned, i)));

  /* Second apply: nothing to do, nothing touched, no transaction. */
  {
    g_auto(PtTestRun) again = { 0 };
    g_auto(PtTestRun) again_json = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GHashTable) now = NULL;

    ctl (&again, "--root", root, "apply", "01:00.0");
    g_assert_cmpint (again.status, ==, 0);
    g_assert_nonnull (strstr (again.out, "Nothing to change"));
    ctl (&again_json, "--root", root, "apply", "01:00.0", "--json");
    g_assert_cmpint (again_json.status, ==, 0);
    obj = parse_object (parser, again_json.out);
    g_assert_true (json_node_is_null (json_object_get_member (obj, "transaction")));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj, "changes")), ==, 0);
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (applied, now);
  }

  /* Rollback: every file back byte for byte, created ones gone. */
  {
    g_auto(PtTestRun) rollback = { 0 };

    ctl (&rollback, "--root", root, "rollback");
    g_test_message ("%s%s", rollback.out, rollback.err);
    g_assert_cmpint (rollback.status, ==, 0);
    g_assert_nonnull (strstr (rollback.out, id));
    for (guint i = 0; i < planned->len; i++)
      {
        const char *path = g_ptr_array_index (planned, i);
        g_autofree char *line = g_strdup_printf ("%s %s\n",
                                                 g_hash_table_contains (before, path)
                                                 ? "restored" : "removed", path);

        g_assert_nonnull (strstr (rollback.out, line));
      }
    after = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, after);
    if (path_in (planned, "etc/modprobe.d/vfio.conf"))
      {
        g_autofree char *vfio = g_build_filename (root, "etc/modprobe.d/vfio.conf", NULL);

        g_assert_false (g_file_test (vfio, G_FILE_TEST_EXISTS));
      }
  }

  /* Rolling back again says so and changes nothing. */
  {
    g_auto(PtTestRun) twice = { 0 };
    g_autoptr(GHashTable) now = NULL;

    ctl (&twice, "--root", root, "rollback", id);
    g_assert_cmpint (twice.status, ==, 0);
    g_assert_nonnull (strstr (twice.out, "already rolled back"));
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, now);
  }

  /* The same round in JSON. */
  {
    g_auto(PtTestRun) json_apply = { 0 };
    g_auto(PtTestRun) json_rollback = { 0 };
    g_autoptr(JsonParser) rb_parser = json_parser_new ();
    g_autoptr(GPtrArray) applied_paths = NULL;
    g_autofree char *applied_regenerate = NULL;
    g_autoptr(GHashTable) now = NULL;
    const char *tid;
    JsonObject *rb;
    guint restored;
    guint removed;

    ctl (&json_apply, "--root", root, "apply", "01:00.0", "--json");
    g_assert_cmpint (json_apply.status, ==, 0);
    obj = parse_object (apply_parser, json_apply.out);
    tid = json_object_get_string_member (obj, "transaction");
    g_assert_nonnull (tid);
    g_assert_cmpstr (tid, !=, id);
    applied_paths = change_paths (obj);
    g_assert_cmpuint (applied_paths->len, ==, planned->len);
    for (guint i = 0; i < planned->len; i++)
      g_assert_true (path_in (applied_paths, g_ptr_array_index (planned, i)));
    applied_regenerate = regenerate_to_string (obj);
    g_assert_cmpstr (applied_regenerate, ==, regenerate);

    ctl (&json_rollback, "--root", root, "rollback", tid, "--json");
    g_assert_cmpint (json_rollback.status, ==, 0);
    rb = parse_object (rb_parser, json_rollback.out);
    g_assert_cmpstr (json_object_get_string_member (rb, "transaction"), ==, tid);
    g_assert_cmpstr (json_object_get_string_member (rb, "state"), ==, "rolled-back");
    g_assert_cmpstr (json_object_get_string_member (rb, "previous_state"), ==, "applied");
    restored = json_array_get_length (json_object_get_array_member (rb, "restored"));
    removed = json_array_get_length (json_object_get_array_member (rb, "removed"));
    g_assert_cmpuint (restored + removed, ==, planned->len);
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, now);
  }
  pt_test_remove_tree (root);
}

/* A manifest left "applying" (a crash after the files were written) is
 * undone before the next apply plans. */
static void
test_interrupted (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *manifest = NULL;
  g_autofree char *text = NULL;
  g_auto(PtTestRun) apply = { 0 };
  g_auto(PtTestRun) again = { 0 };
  g_auto(PtTestRun) rollback = { 0 };
  const char *id;
  JsonObject *obj;

  ctl (&apply, "--root", root, "apply", "01:00.0", "--json");
  g_assert_cmpint (apply.status, ==, 0);
  obj = parse_object (parser, apply.out);
  id = json_object_get_string_member_with_default (obj, "transaction", NULL);
  if (id == NULL)
    {
      g_test_skip ("no boot configuration backend plans a change for the seed host");
      pt_test_remove_tree (root);
      return;
    }
  manifest = g_build_filename (root, "var/lib/passthrough/transactions", id, "manifest.json",
                               NULL);
  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  {
    g_auto(GStrv) parts = g_strsplit (text, "\"applied\"", 2);
    g_autofree char *applying = g_strjoinv ("\"applying\"", parts);

    g_assert_true (g_file_set_contents (manifest, applying, -1, NULL));
  }

  /* The next apply undoes it, says so, and applies afresh. */
  ctl (&again, "--root", root, "apply", "01:00.0");
  g_assert_cmpint (again.status, ==, 0);
  g_assert_nonnull (strstr (again.err, id));
  g_assert_nonnull (strstr (again.err, "interrupted"));
  g_assert_null (strstr (again.out, "Nothing to change"));

  ctl (&rollback, "--root", root, "rollback");
  g_assert_cmpint (rollback.status, ==, 0);
  {
    g_autoptr(GHashTable) after = pt_test_tree_new (root);

    pt_test_assert_same_tree (before, after);
  }
  pt_test_remove_tree (root);
}

static void
test_bad_transactions (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  const char *malformed[] = { "../../etc", "a/b", "x.y", "transaction id", NULL };

  /* No journal yet: nothing to roll back is a failure, not a usage error. */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "rollback");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "nothing to roll back"));
    g_assert_cmpstr (r.out, ==, "");
  }
  for (guint i = 0; malformed[i] != NULL; i++)
    {
      g_auto(PtTestRun) r = { 0 };

      ctl (&r, "--root", root, "rollback", malformed[i]);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "not a transaction id"));
    }
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "rollback", "20250101T000000Z-0000");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "20250101T000000Z-0000"));
  }
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "rollback", "20250101T000000Z-0000", "20250101T000000Z-0001");
    g_assert_cmpint (r.status, ==, 2);
  }
  /* Nothing was created by any of it. */
  {
    g_autofree char *journal = g_build_filename (root, "var/lib/passthrough", NULL);

    g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  }
  pt_test_remove_tree (root);
}

static void
test_usage (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autofree char *snapshot_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(GHashTable) after = NULL;
  int fd;

  fd = g_file_open_tmp ("pt-snapshot-XXXXXX.json", &snapshot_path, &error);
  g_assert_no_error (error);
  close (fd);
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "snapshot");
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_file_set_contents (snapshot_path, r.out, -1, NULL));
  }

  /* A snapshot has no files to change. */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--snapshot", snapshot_path, "apply", "01:00.0");
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "snapshot"));
  }
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--snapshot", snapshot_path, "rollback");
    g_assert_cmpint (r.status, ==, 2);
  }
  /* Bad addresses are usage errors, before anything is read. */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "apply", "01:00.9");
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "apply");
    g_assert_cmpint (r.status, ==, 2);
  }
  /* A device the host does not have, and a root that does not exist. */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "apply", "07:00.0");
    g_assert_cmpint (r.status, ==, 1);
  }
  {
    g_autofree char *missing = g_build_filename (root, "no-such-dir", NULL);
    g_auto(PtTestRun) r = { 0 };
    g_auto(PtTestRun) r2 = { 0 };

    ctl (&r, "--root", missing, "apply", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    ctl (&r2, "--root", missing, "rollback");
    g_assert_cmpint (r2.status, ==, 1);
  }
  /* Nothing to confirm without a trial (test-trial.c has the trials). */
  {
    g_auto(PtTestRun) r = { 0 };
    g_auto(PtTestRun) r2 = { 0 };

    ctl (&r, "--root", root, "confirm");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "apply --trial"));
    ctl (&r2, "--root", root, "confirm", "01:00.0");
    g_assert_cmpint (r2.status, ==, 2);
  }
  /* bind and unbind move devices on the running system: no --root other
   * than /, no snapshot, and well-formed addresses. */
  {
    const char *cases[][6] = {
      { "--root", NULL, "bind", "01:00.0", NULL },
      { "--root", NULL, "unbind", "01:00.0", "--json", NULL },
      { "--snapshot", NULL, "bind", "01:00.0", NULL },
      { "--snapshot", NULL, "unbind", "01:00.0", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(PtTestRun) r = { 0 };

        cases[i][1] = g_str_equal (cases[i][0], "--root") ? root : snapshot_path;
        ctl_argv (&r, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pt-test-bus",
                  (const char *const *) cases[i]);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_nonnull (strstr (r.err, "live system"));
        g_assert_cmpstr (r.out, ==, "");
      }
  }
  {
    const char *const *cases[] = {
      (const char *const[]) { "bind", "01:00.9", NULL },
      (const char *const[]) { "unbind", "1:2:3", NULL },
      (const char *const[]) { "bind", "01:00.0", "--colour", NULL },
      (const char *const[]) { "bind", NULL },
      (const char *const[]) { "unbind", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_auto(PtTestRun) r = { 0 };

        ctl_argv (&r, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pt-test-bus", cases[i]);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_cmpstr (r.out, ==, "");
      }
  }
  after = pt_test_tree_new (root);
  pt_test_assert_same_tree (before, after);

  /* The help names the new commands. */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--help");
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "apply ADDRESS"));
    g_assert_nonnull (strstr (r.out, "rollback [ID]"));
    g_assert_nonnull (strstr (r.out, "--trial"));
    g_assert_nonnull (strstr (r.out, "--force"));
    g_assert_nonnull (strstr (r.out, "bind ADDRESS"));
    g_assert_nonnull (strstr (r.out, "unbind ADDRESS"));
  }
  g_unlink (snapshot_path);
  pt_test_remove_tree (root);
}

/* On the live system apply goes through passthroughd; without it, one
 * clear message and exit 1. The bus address points nowhere so the test
 * never reaches a real daemon. */
static void
test_no_daemon (void)
{
  const char *const apply_live[] = { "apply", "01:00.0", NULL };
  const char *const apply_root[] = { "--root", "/", "apply", "01:00.0", NULL };
  const char *const rollback_live[] = { "rollback", NULL };
  const char *const bind_live[] = { "bind", "01:00.0", NULL };
  const char *const unbind_root[] = { "--root", "/", "unbind", "01:00.0", NULL };
  const char *const bad_address[] = { "apply", "1:2:3", NULL };
  const char *const *cases[] = { apply_live, apply_root, rollback_live, bind_live, unbind_root };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(PtTestRun) r = { 0 };

      ctl_argv (&r, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pt-test-bus", cases[i]);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, "passthroughd is not installed or not running"));
      g_assert_cmpstr (r.out, ==, "");
    }
  {
    g_auto(PtTestRun) r = { 0 };

    ctl_argv (&r, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pt-test-bus", bad_address);
    g_assert_cmpint (r.status, ==, 2);
  }
  /* bind --json: the error as JSON too. */
  {
    const char *const bind_json[] = { "bind", "01:00.0", "--json", NULL };
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *obj;

    ctl_argv (&r, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pt-test-bus", bind_json);
    g_assert_cmpint (r.status, ==, 1);
    obj = parse_object (parser, r.out);
    g_assert_false (json_object_get_boolean_member (obj, "ok"));
    g_assert_nonnull (json_object_get_string_member (obj, "error"));
    g_assert_nonnull (strstr (r.err, "passthroughd is not installed or not running"));
  }
}

/* ---- the daemon client, against a stand-in for passthroughd ---------------- */

static const char helper_xml[] =
  "<node>"
  "  <interface name='io.github.passthrough.Helper1'>"
  "    <method name='Apply'>"
  "      <arg name='addresses' type='as' direction='in'/>"
  "      <arg name='options' type='a{sv}' direction='in'/>"
  "      <arg name='transaction' type='s' direction='out'/>"
  "    </method>"
  "    <method name='Rollback'>"
  "      <arg name='transaction' type='s' direction='in'/>"
  "      <arg name='options' type='a{sv}' direction='in'/>"
  "    </method>"
  "    <signal name='Progress'>"
  "      <arg name='transaction' type='s'/><arg name='fraction' type='d'/>"
  "      <arg name='message' type='s'/>"
  "    </signal>"
  "    <signal name='Finished'>"
  "      <arg name='transaction' type='s'/><arg name='ok' type='b'/>"
  "      <arg name='json' type='s'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  GDBusConnection *connection;
  const char      *scenario;   /* what the next call does */
  GVariant        *last_call;  /* its parameters */
  char            *last_method;
} FakeHelper;

static void
fake_emit (FakeHelper *fake, const char *signal, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;

  g_dbus_connection_emit_signal (fake->connection, NULL, "/io/github/passthrough/Helper1",
                                 "io.github.passthrough.Helper1", signal, parameters, &error);
  g_assert_no_error (error);
}

static void
fake_method_call (GDBusConnection *connection, const char *sender, const char *path,
                  const char *interface, const char *method, GVariant *parameters,
                  GDBusMethodInvocation *invocation, gpointer user_data)
{
  FakeHelper *fake = user_data;
  const char *scenario = fake->scenario;

  g_clear_pointer (&fake->last_call, g_variant_unref);
  fake->last_call = g_variant_ref (parameters);
  g_free (fake->last_method);
  fake->last_method = g_strdup (method);

  if (g_str_equal (scenario, "denied"))
    g_dbus_method_invocation_return_dbus_error (invocation,
                                                "io.github.passthrough.Helper1.Error.NotAuthorized",
                                                "Not authorized by polkit");
  else if (g_str_equal (scenario, "invalid"))
    g_dbus_method_invocation_return_dbus_error (invocation,
                                                "org.freedesktop.DBus.Error.InvalidArgs",
                                                "Unknown option “colour”");
  else if (g_str_equal (scenario, "refused"))
    g_dbus_method_invocation_return_dbus_error (invocation,
                                                "io.github.passthrough.Helper1.Error.Refused",
                                                "00:02.0 is the boot display");
  else if (g_str_equal (method, "Apply") && g_str_equal (scenario, "nothing"))
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", ""));
      fake_emit (fake, "Finished", g_variant_new ("(sbs)", "", TRUE, "{\"message\":null}"));
    }
  else if (g_str_equal (method, "Apply"))
    {
      gboolean ok = !g_str_equal (scenario, "failed");

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", "T1"));
      /* Someone else's transaction first: must be ignored. */
      fake_emit (fake, "Progress", g_variant_new ("(sds)", "OTHER", 0.1, "other work"));
      fake_emit (fake, "Finished", g_variant_new ("(sbs)", "OTHER", FALSE, "{}"));
      fake_emit (fake, "Progress", g_variant_new ("(sds)", "T1", 0.5, "Running update-grub"));
      fake_emit (fake, "Finished",
                 g_variant_new ("(sbs)", "T1", ok,
                                ok ? "{\"files\":[{\"path\":\"etc/default/grub\","
                                     "\"change\":\"modified\"}],\"commands\":[{\"argv\":"
                                     "[\"update-grub\"],\"state\":\"done\"}],"
                                     "\"message\":null,\"error\":null}"
                                   : "{\"files\":[],\"commands\":[],\"message\":null,"
                                     "\"error\":\"update-grub exited with status 1\"}"));
    }
  else
    {
      const char *id;

      g_variant_get (parameters, "(&s@a{sv})", &id, NULL);
      g_dbus_method_invocation_return_value (invocation, NULL);
      fake_emit (fake, "Finished",
                 g_variant_new ("(sbs)", *id ? id : "T1", TRUE,
                                "{\"files\":[{\"path\":\"etc/default/grub\","
                                "\"change\":\"restored\"}],\"commands\":[],"
                                "\"message\":\"Transaction T1 was rolled back\"}"));
    }
}

typedef struct
{
  GMainLoop *loop;
  char      *out;
  char      *err;
  gboolean   done;
} Waiter;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &w->out, &w->err,
                                        &error);
  g_assert_no_error (error);
  w->done = TRUE;
  g_main_loop_quit (w->loop);
}

/* Runs passthroughctl against the stand-in while serving it. */
static void
ctl_with_helper (PtTestRun *r, const char *address, const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Waiter w = { g_main_loop_new (NULL, FALSE), NULL, NULL, FALSE };

  g_ptr_array_add (argv, (char *) g_getenv ("PASSTHROUGHCTL"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", address, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_communicated, &w);
  while (!w.done)
    g_main_loop_run (w.loop);
  g_main_loop_unref (w.loop);
  g_assert_true (g_subprocess_get_if_exited (proc));
  r->status = g_subprocess_get_exit_status (proc);
  r->out = w.out;
  r->err = w.err;
}

static void
test_daemon_client (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GDBusInterfaceVTable vtable = { fake_method_call, NULL, NULL, { 0 } };
  FakeHelper fake = { 0 };
  const char *address;
  guint object_id;
  guint name_id;

  g_test_dbus_up (bus);
  address = g_test_dbus_get_bus_address (bus);
  fake.connection = g_dbus_connection_new_for_address_sync (address,
                                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                            | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                            NULL, NULL, &error);
  g_assert_no_error (error);

  /* Before the name is owned: the helper is missing. */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl_with_helper (&r, address, (const char *const[]) { "apply", "01:00.0", NULL });
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "passthroughd is not installed or not running"));
  }

  info = g_dbus_node_info_new_for_xml (helper_xml, &error);
  g_assert_no_error (error);
  object_id = g_dbus_connection_register_object (fake.connection, "/io/github/passthrough/Helper1",
                                                 info->interfaces[0], &vtable, &fake, NULL,
                                                 &error);
  g_assert_no_error (error);
  name_id = g_bus_own_name_on_connection (fake.connection, "io.github.passthrough.Helper1",
                                          G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  /* Let the name be taken. */
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  {
    g_autoptr(GVariant) owner = NULL;

    while (owner == NULL)
      {
        owner = g_dbus_connection_call_sync (fake.connection, "org.freedesktop.DBus",
                                             "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                             "GetNameOwner",
                                             g_variant_new ("(s)", "io.github.passthrough.Helper1"),
                                             NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        g_main_context_iteration (NULL, FALSE);
      }
  }

  /* Apply: options passed, progress shown, the result listed. */
  {
    g_auto(PtTestRun) r = { 0 };
    g_autofree char **addresses = NULL;
    g_autoptr(GVariant) options = NULL;
    gboolean flag = FALSE;

    fake.scenario = "ok";
    ctl_with_helper (&r, address, (const char *const[]) { "apply", "01:00.0", "--trial",
                                                          "--allow-shared", NULL });
    g_test_message ("%s%s", r.out, r.err);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (fake.last_method, ==, "Apply");
    g_variant_get (fake.last_call, "(^a&s@a{sv})", &addresses, &options);
    g_assert_cmpstr (addresses[0], ==, "01:00.0");
    g_assert_null (addresses[1]);
    g_assert_true (g_variant_lookup (options, "trial", "b", &flag) && flag);
    g_assert_true (g_variant_lookup (options, "allow-shared", "b", &flag) && flag);
    g_assert_false (g_variant_lookup (options, "allow-boot-vga", "b", &flag));
    g_assert_nonnull (strstr (r.err, "Running update-grub"));
    g_assert_null (strstr (r.err, "other work"));
    g_assert_nonnull (strstr (r.out, "T1"));
    g_assert_nonnull (strstr (r.out, "changed etc/default/grub"));
    g_assert_nonnull (strstr (r.out, "$ update-grub  (done)"));
  }
  {
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *obj;

    ctl_with_helper (&r, address, (const char *const[]) { "apply", "01:00.0", "--json", NULL });
    g_assert_cmpint (r.status, ==, 0);
    obj = parse_object (parser, r.out);
    g_assert_cmpstr (json_object_get_string_member (obj, "transaction"), ==, "T1");
    g_assert_true (json_object_get_boolean_member (obj, "ok"));
    g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "result")));
  }
  {
    g_auto(PtTestRun) r = { 0 };

    fake.scenario = "nothing";
    ctl_with_helper (&r, address, (const char *const[]) { "apply", "01:00.0", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Nothing to change"));
  }
  {
    g_auto(PtTestRun) r = { 0 };

    fake.scenario = "failed";
    ctl_with_helper (&r, address, (const char *const[]) { "apply", "01:00.0", NULL });
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "update-grub exited with status 1"));
  }
  {
    const char *scenarios[] = { "denied", "refused", "invalid" };
    const int statuses[] = { 1, 1, 2 };
    const char *messages[] = { "Not authorized by polkit", "boot display", "colour" };

    for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
      {
        g_auto(PtTestRun) r = { 0 };

        fake.scenario = scenarios[i];
        ctl_with_helper (&r, address, (const char *const[]) { "apply", "01:00.0", NULL });
        g_assert_cmpint (r.status, ==, statuses[i]);
        g_assert_nonnull (strstr (r.err, messages[i]));
        /* The D-Bus error name is not for people. */
        g_assert_null (strstr (r.err, "GDBus.Error"));
      }
  }

  /* Rollback: the latest is "", a named one and --force are passed. */
  {
    g_auto(PtTestRun) r = { 0 };
    g_auto(PtTestRun) r2 = { 0 };
    g_autoptr(GVariant) options = NULL;
    const char *id;
    gboolean flag = FALSE;

    fake.scenario = "ok";
    ctl_with_helper (&r, address, (const char *const[]) { "rollback", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (fake.last_method, ==, "Rollback");
    g_variant_get (fake.last_call, "(&s@a{sv})", &id, &options);
    g_assert_cmpstr (id, ==, "");
    g_assert_false (g_variant_lookup (options, "force", "b", &flag));
    g_assert_nonnull (strstr (r.out, "Transaction T1 was rolled back"));
    g_assert_nonnull (strstr (r.out, "restored etc/default/grub"));
    g_clear_pointer (&options, g_variant_unref);

    ctl_with_helper (&r2, address, (const char *const[]) { "rollback", "T7", "--force", NULL });
    g_assert_cmpint (r2.status, ==, 0);
    g_variant_get (fake.last_call, "(&s@a{sv})", &id, &options);
    g_assert_cmpstr (id, ==, "T7");
    g_assert_true (g_variant_lookup (options, "force", "b", &flag) && flag);
  }

  g_bus_unown_name (name_id);
  g_dbus_connection_unregister_object (fake.connection, object_id);
  g_dbus_connection_close_sync (fake.connection, NULL, NULL);
  g_clear_object (&fake.connection);
  g_clear_pointer (&fake.last_call, g_variant_unref);
  g_free (fake.last_method);
  g_test_dbus_down (bus);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-apply/seed", test_seed_apply_rollback);
  g_test_add_func ("/cli-apply/interrupted", test_interrupted);
  g_test_add_func ("/cli-apply/bad-transactions", test_bad_transactions);
  g_test_add_func ("/cli-apply/usage", test_usage);
  g_test_add_func ("/cli-apply/no-daemon", test_no_daemon);
  g_test_add_func ("/cli-apply/daemon-client", test_daemon_client);

  return g_test_run ();
}
