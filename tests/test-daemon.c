/* test-daemon.c: passthroughd on a real system bus with a real polkitd.
 *
 * A private dbus-daemon runs with a system-type configuration written here
 * (the default policy of Debian's system.conf: no names owned, no method
 * calls) that includes the project's bus policy and polkit's; polkitd runs
 * on it with the project's actions installed and a rules file that says
 * yes to the "daemon" user, no to "nobody" and auth_admin to "bin". polkit
 * authorises uid 0 for everything without asking the rules, so root
 * callers stand for an administrator and the other users for everything
 * else; they call through "setpriv … gdbus call". passthroughd runs with
 * --root on a fixture host tree per test.
 *
 * Needs root (the polkit files go to /etc and /usr/share, and they are
 * removed afterwards) and skips otherwise. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pt-test-util.h"

#define BUS_NAME    "io.github.passthrough.Helper1"
#define OBJECT_PATH "/io/github/passthrough/Helper1"
#define INTERFACE   "io.github.passthrough.Helper1"

/* Named after the process, so that two runs (a build and a sanitizer
 * build) do not remove each other's files. */
#define RULES_DIR      "/etc/polkit-1/rules.d"
#define RULES_PREFIX   "50-passthrough-test-"
#define ACTIONS_DIR    "/usr/share/polkit-1/actions"
#define ACTIONS_PREFIX "io.github.passthrough.test-"

#define SEED_GPU       "0000:01:00.0"
#define SEED_GPU_AUDIO "0000:01:00.1"
#define SEED_BOOT_VGA  "0000:00:02.0"
#define SEED_ROOT_DISK "0000:00:1f.2"
#define SEED_NIC       "0000:00:19.0"

static const char rules_text[] =
  "// Installed by passthrough's tests/test-daemon while it runs, then removed.\n"
  "polkit.addRule(function(action, subject) {\n"
  "    if (action.id.indexOf(\"io.github.passthrough.\") != 0)\n"
  "        return polkit.Result.NOT_HANDLED;\n"
  "    if (subject.user == \"daemon\")\n"
  "        return polkit.Result.YES;\n"
  "    if (subject.user == \"nobody\")\n"
  "        return polkit.Result.NO;\n"
  "    if (subject.user == \"bin\")\n"
  "        return polkit.Result.AUTH_ADMIN;\n"
  "    return polkit.Result.NOT_HANDLED;\n"
  "});\n";

static struct
{
  char            *skip_reason;
  char            *tmpdir;
  char            *address;
  GSubprocess     *bus;
  GSubprocess     *polkitd;
  GDBusConnection *conn;
  GStrv            child_env;     /* environ without G_DEBUG, for foreign programs */
} env;

/* For the crash handler: what to kill and remove when a test aborts. */
static volatile pid_t crash_pids[4];
static char rules_path[256];
static char actions_path[256];

static void
crash_handler (int sig)
{
  for (guint i = 0; i < G_N_ELEMENTS (crash_pids); i++)
    if (crash_pids[i] > 0)
      kill (crash_pids[i], SIGKILL);
  if (rules_path[0] != '\0')
    unlink (rules_path);
  if (actions_path[0] != '\0')
    unlink (actions_path);
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
track_pid (guint slot, GSubprocess *p)
{
  const char *id = p != NULL ? g_subprocess_get_identifier (p) : NULL;

  crash_pids[slot] = id != NULL ? (pid_t) atoi (id) : 0;
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static char *
root_file (const char *root, const char *relative)
{
  return g_build_filename (root, relative, NULL);
}

static char *
read_root (const char *root, const char *relative)
{
  g_autofree char *path = root_file (root, relative);

  return read_text (path);
}

static void
write_text (const char *path, const char *text, int mode)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error);
  g_assert_no_error (error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Everything under a tree (types, contents, link targets), for "nothing
 * changed". */
static void
digest_dir (GChecksum *sum, const char *dir, const char *rel)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, n, NULL);
      g_autofree char *sub = g_build_filename (rel, n, NULL);
      struct stat st;

      if (lstat (path, &st) < 0)
        continue;
      g_checksum_update (sum, (const guchar *) sub, -1);
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (path, NULL);

          g_checksum_update (sum, (const guchar *) "L", 1);
          if (target != NULL)
            g_checksum_update (sum, (const guchar *) target, -1);
        }
      else if (S_ISDIR (st.st_mode))
        {
          g_checksum_update (sum, (const guchar *) "D", 1);
          digest_dir (sum, path, sub);
        }
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *contents = NULL;
          gsize len = 0;

          g_checksum_update (sum, (const guchar *) "F", 1);
          if (g_file_get_contents (path, &contents, &len, NULL))
            g_checksum_update (sum, (const guchar *) contents, len);
        }
    }
}

static char *
tree_digest (const char *root)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  digest_dir (sum, root, "");
  return g_strdup (g_checksum_get_string (sum));
}

/* Bus helpers */

static gboolean
name_has_owner (const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (env.conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static gboolean
wait_for_name (const char *name, gboolean present, guint timeout_ms, GSubprocess *process)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < deadline)
    {
      if (name_has_owner (name) == present)
        return TRUE;
      if (process != NULL && present && g_subprocess_get_identifier (process) == NULL)
        return FALSE;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
  return FALSE;
}

static GSubprocess *
spawn (GStrv child_env, GError **error, const char *first, ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  if (child_env != NULL)
    g_subprocess_launcher_set_environ (launcher, child_env);
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;
  if (g_subprocess_get_identifier (*process) != NULL)
    {
      g_subprocess_send_signal (*process, SIGTERM);
      g_subprocess_wait (*process, NULL, NULL);
    }
  g_clear_object (process);
}

/* Global set-up: bus, polkit files, polkitd. */

static const char *
find_polkitd (void)
{
  const char *paths[] = { "/usr/lib/polkit-1/polkitd", "/usr/libexec/polkitd",
                          "/usr/libexec/polkit-1/polkitd" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    if (g_file_test (paths[i], G_FILE_TEST_IS_EXECUTABLE))
      return paths[i];
  return NULL;
}

/* Files an earlier run left when it was killed. */
static void
remove_stale (const char *dir, const char *prefix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *proc = NULL;
      g_autofree char *path = NULL;

      if (!g_str_has_prefix (name, prefix))
        continue;
      proc = g_strdup_printf ("/proc/%d", atoi (name + strlen (prefix)));
      if (g_file_test (proc, G_FILE_TEST_EXISTS))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
}

static void
install_file (char *path, gsize path_size, const char *dir, const char *prefix,
              const char *suffix, const char *contents, gsize len)
{
  g_autoptr(GError) error = NULL;

  remove_stale (dir, prefix);
  g_snprintf (path, path_size, "%s/%s%d%s", dir, prefix, (int) getpid (), suffix);
  g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error);
  g_assert_no_error (error);
}

static void
uninstall_file (char *path)
{
  if (path[0] != '\0')
    g_unlink (path);
  path[0] = '\0';
}

static char *
bus_config_text (const char *socket, const char *servicedir)
{
  const char *policy = g_getenv ("PT_DBUS_POLICY");

  return g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <servicedir>%s</servicedir>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <deny own=\"*\"/>\n"
    "    <deny send_type=\"method_call\"/>\n"
    "    <allow send_type=\"signal\"/>\n"
    "    <allow send_requested_reply=\"true\" send_type=\"method_return\"/>\n"
    "    <allow send_requested_reply=\"true\" send_type=\"error\"/>\n"
    "    <allow receive_type=\"method_call\"/>\n"
    "    <allow receive_type=\"method_return\"/>\n"
    "    <allow receive_type=\"error\"/>\n"
    "    <allow receive_type=\"signal\"/>\n"
    "    <allow send_destination=\"org.freedesktop.DBus\" send_interface=\"org.freedesktop.DBus\"/>\n"
    "    <allow send_destination=\"org.freedesktop.DBus\"\n"
    "           send_interface=\"org.freedesktop.DBus.Introspectable\"/>\n"
    "    <allow send_destination=\"org.freedesktop.DBus\"\n"
    "           send_interface=\"org.freedesktop.DBus.Properties\"/>\n"
    "  </policy>\n"
    "  <include>%s</include>\n"
    "  <include ignore_missing=\"yes\">/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf</include>\n"
    "</busconfig>\n",
    socket, servicedir, policy);
}

static gboolean
have_program (const char *name)
{
  g_autofree char *path = g_find_program_in_path (name);

  return path != NULL;
}

static gboolean
global_setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *servicedir = NULL;
  g_autofree char *actions = NULL;
  gsize actions_len = 0;
  const char *polkitd = find_polkitd ();

  if (getuid () != 0)
    env.skip_reason = g_strdup ("needs root: it installs polkit files and runs polkitd");
  else if (polkitd == NULL)
    env.skip_reason = g_strdup ("polkitd is not installed (Debian: polkitd)");
  else if (!have_program ("dbus-daemon"))
    env.skip_reason = g_strdup ("dbus-daemon is not installed (Debian: dbus-daemon)");
  else if (!have_program ("setpriv") || !have_program ("gdbus"))
    env.skip_reason = g_strdup ("setpriv or gdbus is missing");
  else if (getpwnam ("nobody") == NULL || getpwnam ("daemon") == NULL || getpwnam ("bin") == NULL)
    env.skip_reason = g_strdup ("the users nobody, daemon and bin are needed");
  else if (!g_file_test ("/etc/polkit-1/rules.d", G_FILE_TEST_IS_DIR))
    env.skip_reason = g_strdup ("/etc/polkit-1/rules.d is missing");
  if (env.skip_reason != NULL)
    return FALSE;

  g_assert_nonnull (g_getenv ("PT_DBUS_POLICY"));
  g_assert_nonnull (g_getenv ("PT_POLKIT_POLICY"));
  g_assert_nonnull (g_getenv ("PASSTHROUGHD"));

  env.child_env = g_environ_unsetenv (g_get_environ (), "G_DEBUG");

  env.tmpdir = g_dir_make_tmp ("pt-daemon-XXXXXX", &error);
  g_assert_no_error (error);
  /* Other users reach the bus socket through it. */
  g_assert_cmpint (g_chmod (env.tmpdir, 0755), ==, 0);

  signal (SIGABRT, crash_handler);
  signal (SIGSEGV, crash_handler);
  signal (SIGTERM, crash_handler);
  signal (SIGINT, crash_handler);

  g_assert_true (g_file_get_contents (g_getenv ("PT_POLKIT_POLICY"), &actions, &actions_len, &error));
  install_file (actions_path, sizeof actions_path, ACTIONS_DIR, ACTIONS_PREFIX, ".policy",
                actions, actions_len);
  install_file (rules_path, sizeof rules_path, RULES_DIR, RULES_PREFIX, ".rules",
                rules_text, strlen (rules_text));

  socket = g_build_filename (env.tmpdir, "system_bus_socket", NULL);
  servicedir = g_build_filename (env.tmpdir, "services", NULL);
  g_assert_cmpint (g_mkdir (servicedir, 0755), ==, 0);
  config = bus_config_text (socket, servicedir);
  config_path = g_build_filename (env.tmpdir, "system.conf", NULL);
  write_text (config_path, config, 0644);

  /* Set before any thread exists: setenv() is not thread-safe. */
  env.address = g_strconcat ("unix:path=", socket, NULL);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", env.address, TRUE);
  env.child_env = g_environ_setenv (env.child_env, "DBUS_SYSTEM_BUS_ADDRESS", env.address, TRUE);

  env.bus = spawn (env.child_env, &error, "dbus-daemon", "--config-file", config_path,
                   "--nofork", "--nopidfile", "--nosyslog", NULL);
  g_assert_no_error (error);
  track_pid (0, env.bus);
  for (int i = 0; i < 250 && !g_file_test (socket, G_FILE_TEST_EXISTS); i++)
    g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (g_file_test (socket, G_FILE_TEST_EXISTS));

  env.conn = g_dbus_connection_new_for_address_sync (env.address,
                                                     G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                     | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                     NULL, NULL, &error);
  g_assert_no_error (error);

  env.polkitd = spawn (env.child_env, &error, polkitd, "--no-debug", NULL);
  g_assert_no_error (error);
  track_pid (1, env.polkitd);
  g_assert_true (wait_for_name ("org.freedesktop.PolicyKit1", TRUE, 10000, env.polkitd));
  return TRUE;
}

static void
global_teardown (void)
{
  stop_process (&env.polkitd);
  g_clear_object (&env.conn);
  stop_process (&env.bus);
  uninstall_file (rules_path);
  uninstall_file (actions_path);
  if (env.tmpdir != NULL)
    pt_test_remove_tree (env.tmpdir);
  g_clear_pointer (&env.tmpdir, g_free);
  g_clear_pointer (&env.address, g_free);
  g_clear_pointer (&env.child_env, g_strfreev);
}

/* Per-test fixture: a seed host tree and a daemon on it. */

typedef struct
{
  char        *root;
  GSubprocess *daemon;
  guint        subscription;
  GPtrArray   *signals;   /* GVariant: (s name, v parameters) */
} Fixture;

static void
on_signal (GDBusConnection *connection,
           const char      *sender,
           const char      *path,
           const char      *interface,
           const char      *name,
           GVariant        *parameters,
           gpointer         user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->signals, g_variant_ref_sink (g_variant_new ("(s@*)", name, parameters)));
}

static GSubprocess *
start_daemon (const char *binary, const char *root, const char *timeout, const char *command_path)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *daemon;

  if (command_path != NULL)
    daemon = spawn (NULL, &error, binary, "--root", root, "--timeout", timeout,
                    "--test-command-path", command_path, NULL);
  else
    daemon = spawn (NULL, &error, binary, "--root", root, "--timeout", timeout, NULL);
  g_assert_no_error (error);
  track_pid (2, daemon);
  g_assert_true (wait_for_name (BUS_NAME, TRUE, 10000, daemon));
  return daemon;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  if (env.skip_reason != NULL)
    return;
  f->root = pt_test_build_host ("seed");
  f->signals = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  f->subscription = g_dbus_connection_signal_subscribe (env.conn, NULL, INTERFACE, NULL,
                                                        OBJECT_PATH, NULL,
                                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_signal, f, NULL);
  if (data == NULL)
    f->daemon = start_daemon (g_getenv ("PASSTHROUGHD"), f->root, "60", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (env.skip_reason != NULL)
    return;
  stop_process (&f->daemon);
  crash_pids[2] = 0;
  wait_for_name (BUS_NAME, FALSE, 5000, NULL);
  g_dbus_connection_signal_unsubscribe (env.conn, f->subscription);
  g_ptr_array_unref (f->signals);
  pt_test_remove_tree (f->root);
  g_free (f->root);
}

static gboolean
skipping (void)
{
  if (env.skip_reason == NULL)
    return FALSE;
  g_test_skip (env.skip_reason);
  return TRUE;
}

/* Calls as root, in this process. */
static GVariant *
call (const char *method, GVariant *parameters, const char *reply_type, GError **error)
{
  return g_dbus_connection_call_sync (env.conn, BUS_NAME, OBJECT_PATH, INTERFACE, method,
                                      parameters, reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                      G_DBUS_CALL_FLAGS_NO_AUTO_START, 60000, NULL, error);
}

static char *
call_string (const char *method, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (method, parameters, "(s)", &error);
  char *s = NULL;

  g_assert_no_error (error);
  g_variant_get (reply, "(s)", &s);
  return s;
}

static void
assert_dbus_error (GError *error, const char *name, const char *fragment)
{
  g_autofree char *remote = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  if (g_strcmp0 (remote, name) != 0)
    g_error ("expected %s, got %s: %s", name, remote, error->message);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("expected “%s” in: %s", fragment, error->message);
}

static void
assert_call_fails (const char *method, GVariant *parameters, const char *name, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = call (method, parameters, NULL, &error);

  if (reply != NULL)
    {
      g_autofree char *text = g_variant_print (reply, FALSE);

      g_error ("%s succeeded (%s); expected %s", method, text, name);
    }
  assert_dbus_error (error, name, fragment);
}

/* Calls as another user: setpriv + gdbus call. */
typedef struct
{
  gboolean  ok;
  char     *out;
  char     *err;
} UserCall;

static void
user_call_clear (UserCall *u)
{
  g_free (u->out);
  g_free (u->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (UserCall, user_call_clear)

static void
call_as (UserCall *u, const char *user, gboolean interactive, const char *method, ...)
{
  struct passwd *pw = getpwnam (user);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *arg;
  va_list args;

  g_assert_nonnull (pw);
  g_ptr_array_add (argv, g_strdup ("setpriv"));
  g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", (guint) pw->pw_uid));
  g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", (guint) pw->pw_gid));
  g_ptr_array_add (argv, g_strdup ("--clear-groups"));
  g_ptr_array_add (argv, g_strdup ("gdbus"));
  g_ptr_array_add (argv, g_strdup ("call"));
  g_ptr_array_add (argv, g_strdup ("--system"));
  g_ptr_array_add (argv, g_strdup ("--dest=" BUS_NAME));
  g_ptr_array_add (argv, g_strdup ("--object-path=" OBJECT_PATH));
  g_ptr_array_add (argv, g_strdup_printf ("--method=" INTERFACE ".%s", method));
  if (interactive)
    g_ptr_array_add (argv, g_strdup ("--interactive"));
  va_start (args, method);
  for (arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync ("/", (char **) argv->pdata, env.child_env, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &u->out, &u->err, &status, &error);
  g_assert_no_error (error);
  u->ok = g_spawn_check_wait_status (status, NULL);
}

static JsonObject *
parse_object (JsonParser *parser, const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static gboolean
json_array_has_string (JsonArray *array, const char *member, const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *n = json_array_get_element (array, i);

      if (member == NULL && JSON_NODE_HOLDS_VALUE (n)
          && g_strcmp0 (json_node_get_string (n), value) == 0)
        return TRUE;
      if (member != NULL && JSON_NODE_HOLDS_OBJECT (n)
          && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (n),
                                                                    member, NULL), value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Signals */

static GVariant *
find_signal (Fixture *f, const char *name, const char *transaction)
{
  for (guint i = 0; i < f->signals->len; i++)
    {
      GVariant *s = g_ptr_array_index (f->signals, i);
      const char *n;
      g_autoptr(GVariant) params = NULL;
      const char *tid;

      g_variant_get (s, "(&s@*)", &n, &params);
      g_variant_get_child (params, 0, "&s", &tid);
      if (g_str_equal (n, name) && g_strcmp0 (tid, transaction) == 0)
        return g_variant_ref (params);
    }
  return NULL;
}

static GVariant *
wait_finished (Fixture *f, const char *transaction, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  GVariant *found;

  while ((found = find_signal (f, "Finished", transaction)) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("no Finished signal for transaction “%s”", transaction);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  return found;
}

static GPtrArray *
progress_signals (Fixture *f, const char *transaction)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);

  for (guint i = 0; i < f->signals->len; i++)
    {
      GVariant *s = g_ptr_array_index (f->signals, i);
      const char *n;
      g_autoptr(GVariant) params = NULL;
      const char *tid;

      g_variant_get (s, "(&s@*)", &n, &params);
      g_variant_get_child (params, 0, "&s", &tid);
      if (g_str_equal (n, "Progress") && g_strcmp0 (tid, transaction) == 0)
        g_ptr_array_add (out, g_variant_ref (params));
    }
  return out;
}

/* The paths and contents a plan would change, read now. */
static GHashTable *
plan_paths (const char *root, const char *plan_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *plan = parse_object (parser, plan_json);
  JsonArray *changes = json_object_get_array_member (plan, "changes");
  GHashTable *paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      const char *path = json_object_get_string_member (json_array_get_object_element (changes, i),
                                                         "path");
      char *contents = read_root (root, path);

      g_hash_table_insert (paths, g_strdup (path), contents ? contents : g_strdup ("<missing>"));
    }
  return paths;
}

static void
assert_paths (const char *root, GHashTable *paths, gboolean same)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, paths);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *now = read_root (root, key);

      if (now == NULL)
        now = g_strdup ("<missing>");
      if (same)
        g_assert_cmpstr (now, ==, value);
      else if (g_str_equal (now, value))
        g_error ("%s did not change", (const char *) key);
    }
}

/* Tests */

static void
test_policy_installed (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  const char *actions[] = { "io.github.passthrough.configure-boot",
                            "io.github.passthrough.bind-device" };

  if (skipping ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      const char *argv[] = { "pkaction", "--verbose", "--action-id", actions[i], NULL };

      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_spawn_sync (NULL, (char **) argv, env.child_env, G_SPAWN_SEARCH_PATH, NULL, NULL,
                    &out, &err, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (out, "implicit active:   auth_admin_keep"));
      g_assert_nonnull (strstr (out, "implicit inactive: auth_admin"));
      g_assert_nonnull (strstr (out, "implicit any:      auth_admin"));
    }
}

static void
test_introspect (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GDBusNodeInfo) node = NULL;
  GDBusInterfaceInfo *iface;
  const char *xml;
  const char *methods[] = { "GetState", "Plan", "Apply", "Rollback", "Bind", "Unbind" };

  if (skipping ())
    return;
  reply = g_dbus_connection_call_sync (env.conn, BUS_NAME, OBJECT_PATH,
                                       "org.freedesktop.DBus.Introspectable", "Introspect",
                                       NULL, G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &xml);
  node = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  iface = g_dbus_node_info_lookup_interface (node, INTERFACE);
  g_assert_nonnull (iface);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    g_assert_nonnull (g_dbus_interface_info_lookup_method (iface, methods[i]));
  g_assert_nonnull (g_dbus_interface_info_lookup_signal (iface, "Progress"));
  g_assert_nonnull (g_dbus_interface_info_lookup_signal (iface, "Finished"));
  g_assert_cmpstr (g_dbus_interface_info_lookup_method (iface, "Apply")->in_args[1]->signature,
                   ==, "a{sv}");
}

static void
test_get_state (Fixture *f, gconstpointer data)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(UserCall) u = { 0 };
  JsonObject *state;
  JsonArray *gpus;

  if (skipping ())
    return;
  json = call_string ("GetState", NULL);
  state = parse_object (parser, json);
  g_assert_cmpstr (json_object_get_string_member (state, "root"), ==, f->root);
  g_assert_false (json_object_get_boolean_member (state, "busy"));
  g_assert_true (json_object_has_member (state, "checks"));
  g_assert_true (json_object_has_member (state, "groups"));
  gpus = json_object_get_array_member (state, "gpus");
  g_assert_true (json_array_has_string (gpus, "address", SEED_GPU));
  g_assert_true (json_array_has_string (gpus, "address", SEED_BOOT_VGA));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "bound")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (state, "transactions")),
                    ==, 0);

  /* No authorisation needed: the user polkit refuses everything. */
  call_as (&u, "nobody", FALSE, "GetState", NULL);
  g_assert_true (u.ok);
  g_assert_nonnull (strstr (u.out, SEED_GPU));
}

static void
test_plan (Fixture *f, gconstpointer data)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(UserCall) u = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  JsonObject *plan;
  JsonArray *devices;

  if (skipping ())
    return;
  before = tree_digest (f->root);
  json = call_string ("Plan", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  plan = parse_object (parser, json);
  devices = json_object_get_array_member (plan, "devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 2);
  g_assert_true (json_array_has_string (devices, "address", SEED_GPU));
  g_assert_true (json_array_has_string (devices, "address", SEED_GPU_AUDIO));
  g_assert_cmpstr (json_object_get_string_member (plan, "vfio_ids"), ==, "10de:13c2,10de:0fbb");
  g_assert_true (json_array_has_string (json_object_get_array_member (plan, "kernel_args"), NULL,
                                        "vfio-pci.ids=10de:13c2,10de:0fbb"));
  /* The seed machine's GRUB line lacks the IDs: there is a file to change. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (plan, "changes")), >, 0);
  g_assert_true (json_array_has_string (json_object_get_array_member (plan, "changes"),
                                        "path", "etc/default/grub"));

  /* The refusals of "passthroughctl plan". */
  assert_call_fails ("Plan", g_variant_new_parsed ("(['00:02.0'], @a{sv} {})"),
                     BUS_NAME ".Error.Refused", "boot display");
  g_free (json);
  json = call_string ("Plan",
                      g_variant_new_parsed ("(['00:02.0'], {'allow-boot-vga': <true>})"));
  g_assert_nonnull (strstr (json, SEED_BOOT_VGA));
  assert_call_fails ("Plan", g_variant_new_parsed ("(['00:1f.2'], @a{sv} {})"),
                     BUS_NAME ".Error.Refused", NULL);
  assert_call_fails ("Plan", g_variant_new_parsed ("(['00:19.0'], @a{sv} {})"),
                     BUS_NAME ".Error.Refused", "default route");
  assert_call_fails ("Plan", g_variant_new_parsed ("(['0000:09:00.0'], @a{sv} {})"),
                     BUS_NAME ".Error.NotFound", NULL);

  call_as (&u, "nobody", FALSE, "Plan", "['01:00.0']", "{}", NULL);
  g_assert_true (u.ok);
  g_assert_nonnull (strstr (u.out, "10de:13c2,10de:0fbb"));

  /* A trial plan: GRUB's generator script for the entry used once, and
   * grub-reboot to boot it, with nothing written. */
  {
    g_autoptr(JsonParser) trial_parser = json_parser_new ();
    g_autofree char *trial_json = NULL;
    JsonObject *trial;
    JsonArray *oneshot;

    trial_json = call_string ("Plan", g_variant_new_parsed ("(['01:00.0'], {'trial': <true>})"));
    plan = parse_object (trial_parser, trial_json);
    trial = json_object_get_object_member (plan, "trial");
    g_assert_nonnull (trial);
    g_assert_cmpstr (json_object_get_string_member (trial, "bootloader"), ==, "grub");
    g_assert_true (json_array_has_string (json_object_get_array_member (trial, "files"), NULL,
                                          "etc/grub.d/99_passthrough_trial"));
    g_assert_true (json_array_has_string (json_object_get_array_member (plan, "changes"),
                                          "path", "etc/grub.d/99_passthrough_trial"));
    oneshot = json_object_get_array_member (trial, "oneshot");
    g_assert_cmpstr (json_array_get_string_element (oneshot, 0), ==, "grub-reboot");
  }

  after = tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);
}

static void
test_invalid_args (Fixture *f, gconstpointer data)
{
  const char *invalid = "org.freedesktop.DBus.Error.InvalidArgs";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (skipping ())
    return;
  before = tree_digest (f->root);
  assert_call_fails ("Apply", g_variant_new_parsed ("(['../../etc/passwd'], @a{sv} {})"),
                     invalid, "../../etc/passwd");
  assert_call_fails ("Plan", g_variant_new_parsed ("(['../../etc/passwd'], @a{sv} {})"),
                     invalid, NULL);
  assert_call_fails ("Apply", g_variant_new_parsed ("(@as [], @a{sv} {})"), invalid, NULL);
  assert_call_fails ("Plan", g_variant_new_parsed ("(@as [], @a{sv} {})"), invalid, NULL);
  assert_call_fails ("Apply", g_variant_new_parsed ("(['01:00.0'], {'trial': <'yes'>})"),
                     invalid, "trial");
  assert_call_fails ("Apply", g_variant_new_parsed ("(['01:00.0'], {'allow-shared': <1>})"),
                     invalid, "allow-shared");
  assert_call_fails ("Apply", g_variant_new_parsed ("(['01:00.0'], {'kernel-args': <'x'>})"),
                     invalid, "kernel-args");
  assert_call_fails ("Plan", g_variant_new_parsed ("(['01:00.0'], {'root': <'/'>})"),
                     invalid, "root");
  assert_call_fails ("Rollback", g_variant_new_parsed ("('../../etc', @a{sv} {})"), invalid, NULL);
  assert_call_fails ("Rollback", g_variant_new_parsed ("('', {'trial': <true>})"), invalid,
                     "trial");
  assert_call_fails ("Rollback", g_variant_new_parsed ("('', {'force': <'yes'>})"), invalid,
                     "force");
  assert_call_fails ("Bind", g_variant_new_parsed ("(['../../etc/passwd'],)"), invalid, NULL);
  assert_call_fails ("Bind", g_variant_new_parsed ("(@as [],)"), invalid, NULL);
  assert_call_fails ("Unbind", g_variant_new_parsed ("(['01:00.0/../..'],)"), invalid, NULL);
  assert_call_fails ("Unbind", g_variant_new_parsed ("(@as [],)"), invalid, NULL);
  /* A wrong signature never reaches the daemon's code. */
  assert_call_fails ("Apply", g_variant_new_parsed ("('01:00.0',)"), invalid, NULL);
  assert_call_fails ("Bind", g_variant_new_parsed ("('01:00.0',)"), invalid, NULL);
  after = tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);
}

static void
test_not_authorized (Fixture *f, gconstpointer data)
{
  const char *denied = "io.github.passthrough.Helper1.Error.NotAuthorized";
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (skipping ())
    return;
  before = tree_digest (f->root);

  {
    g_auto(UserCall) u = { 0 };

    call_as (&u, "nobody", FALSE, "Apply", "['01:00.0']", "{}", NULL);
    g_assert_false (u.ok);
    g_assert_nonnull (strstr (u.err, denied));
    g_assert_nonnull (strstr (u.err, "io.github.passthrough.configure-boot"));
  }
  {
    g_auto(UserCall) u = { 0 };

    call_as (&u, "nobody", TRUE, "Rollback", "", "{}", NULL);
    g_assert_false (u.ok);
    g_assert_nonnull (strstr (u.err, denied));
  }
  {
    g_auto(UserCall) u = { 0 };

    call_as (&u, "nobody", FALSE, "Bind", "['01:00.0']", NULL);
    g_assert_false (u.ok);
    g_assert_nonnull (strstr (u.err, denied));
    g_assert_nonnull (strstr (u.err, "io.github.passthrough.bind-device"));
  }
  {
    g_auto(UserCall) u = { 0 };

    call_as (&u, "nobody", FALSE, "Unbind", "['01:00.0']", NULL);
    g_assert_false (u.ok);
    g_assert_nonnull (strstr (u.err, denied));
  }
  /* auth_admin without interaction allowed, then with it but no agent:
   * the message tells the two apart, so the flag reaches polkit. */
  {
    g_auto(UserCall) u = { 0 };

    call_as (&u, "bin", FALSE, "Apply", "['01:00.0']", "{}", NULL);
    g_assert_false (u.ok);
    g_assert_nonnull (strstr (u.err, denied));
    g_assert_nonnull (strstr (u.err, "did not allow interactive authorization"));
  }
  {
    g_auto(UserCall) u = { 0 };

    call_as (&u, "bin", TRUE, "Bind", "['01:00.0']", NULL);
    g_assert_false (u.ok);
    g_assert_nonnull (strstr (u.err, denied));
    g_assert_nonnull (strstr (u.err, "no authentication agent"));
  }
  /* Malformed calls are refused before polkit, whoever calls. */
  {
    g_auto(UserCall) u = { 0 };

    call_as (&u, "nobody", FALSE, "Apply", "['../../etc/passwd']", "{}", NULL);
    g_assert_false (u.ok);
    g_assert_nonnull (strstr (u.err, "org.freedesktop.DBus.Error.InvalidArgs"));
  }

  after = tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);
}

static void
test_apply_rollback (Fixture *f, gconstpointer data)
{
  g_autofree char *plan_json = NULL;
  g_autoptr(GHashTable) paths = NULL;
  g_autofree char *tid = NULL;
  g_autofree char *tid2 = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *state_json = NULL;
  g_autoptr(GVariant) finished = NULL;
  g_autoptr(GVariant) finished2 = NULL;
  g_autoptr(GVariant) finished3 = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) progress = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();
  g_autoptr(JsonParser) plan_parser = json_parser_new ();
  const char *json;
  gboolean ok;
  JsonObject *result;
  JsonObject *plan;
  JsonArray *files;
  JsonArray *commands;
  JsonArray *regenerate;

  if (skipping ())
    return;

  plan_json = call_string ("Plan", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  plan = parse_object (plan_parser, plan_json);
  regenerate = json_object_get_array_member (plan, "regenerate");
  paths = plan_paths (f->root, plan_json);
  g_assert_cmpuint (g_hash_table_size (paths), >, 0);

  tid = call_string ("Apply", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  g_assert_cmpstr (tid, !=, "");
  assert_paths (f->root, paths, FALSE);
  {
    g_autofree char *rel = g_build_filename ("var/lib/passthrough/transactions", tid,
                                             "manifest.json", NULL);

    manifest = read_root (f->root, rel);
    g_assert_nonnull (manifest);
  }

  finished = wait_finished (f, tid, 10000);
  g_variant_get (finished, "(&sb&s)", NULL, &ok, &json);
  g_assert_true (ok);
  result = parse_object (parser, json);
  g_assert_cmpstr (json_object_get_string_member (result, "transaction"), ==, tid);
  g_assert_cmpstr (json_object_get_string_member (result, "action"), ==, "apply");
  g_assert_true (json_object_get_boolean_member (result, "ok"));
  files = json_object_get_array_member (result, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, g_hash_table_size (paths));
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, paths);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_assert_true (json_array_has_string (files, "path", key));
  }
  /* Not the live root: the commands are named, not run. */
  commands = json_object_get_array_member (result, "commands");
  g_assert_cmpuint (json_array_get_length (commands), ==, json_array_get_length (regenerate));
  for (guint i = 0; i < json_array_get_length (commands); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (commands, i),
                                                    "state"), ==, "not-run");
  if (json_array_get_length (commands) > 0)
    g_assert_nonnull (strstr (json_object_get_string_member (result, "message"), "no command"));
  progress = progress_signals (f, tid);
  if (json_array_get_length (commands) > 0)
    g_assert_cmpuint (progress->len, >, 0);

  state_json = call_string ("GetState", NULL);
  g_assert_nonnull (strstr (state_json, tid));

  /* Applying twice changes nothing. */
  tid2 = call_string ("Apply", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  g_assert_cmpstr (tid2, ==, "");
  finished2 = wait_finished (f, "", 10000);
  g_variant_get (finished2, "(&sb&s)", NULL, &ok, &json);
  g_assert_true (ok);
  g_assert_nonnull (strstr (json, "Nothing to change"));

  /* Rollback restores every byte. */
  reply = call ("Rollback", g_variant_new_parsed ("(%s, @a{sv} {})", tid), "()", &error);
  g_assert_no_error (error);
  assert_paths (f->root, paths, TRUE);
  finished3 = wait_finished (f, tid, 10000);
  g_clear_pointer (&finished3, g_variant_unref);
  {
    /* The second Finished for tid is the rollback's. */
    guint n = 0;

    for (guint i = 0; i < f->signals->len; i++)
      {
        const char *name;
        g_autoptr(GVariant) params = NULL;
        const char *t;
        const char *j;

        g_variant_get (g_ptr_array_index (f->signals, i), "(&s@*)", &name, &params);
        if (!g_str_equal (name, "Finished"))
          continue;
        g_variant_get (params, "(&sb&s)", &t, &ok, &j);
        if (g_str_equal (t, tid) && ++n == 2)
          {
            JsonObject *r = parse_object (parser2, j);

            g_assert_true (ok);
            g_assert_cmpstr (json_object_get_string_member (r, "action"), ==, "rollback");
            g_assert_cmpuint (json_array_get_length (json_object_get_array_member (r, "files")),
                              ==, g_hash_table_size (paths));
          }
      }
    if (n < 2)
      {
        /* Wait for it. */
        gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

        while (n < 2 && g_get_monotonic_time () < deadline)
          {
            n = 0;
            g_main_context_iteration (NULL, FALSE);
            for (guint i = 0; i < f->signals->len; i++)
              {
                const char *name;
                g_autoptr(GVariant) params = NULL;
                const char *t;

                g_variant_get (g_ptr_array_index (f->signals, i), "(&s@*)", &name, &params);
                g_variant_get_child (params, 0, "&s", &t);
                if (g_str_equal (name, "Finished") && g_str_equal (t, tid))
                  n++;
              }
            g_usleep (10 * G_TIME_SPAN_MILLISECOND);
          }
        g_assert_cmpuint (n, ==, 2);
      }
  }

  /* The latest ("") after that is the same transaction, already undone. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call ("Rollback", g_variant_new_parsed ("('', @a{sv} {})"), "()", &error);
  g_assert_no_error (error);
  assert_paths (f->root, paths, TRUE);

  assert_call_fails ("Rollback", g_variant_new_parsed ("('20990101T000000Z-ffff', @a{sv} {})"),
                     BUS_NAME ".Error.NotFound", NULL);
}

static void
test_apply_as_user (Fixture *f, gconstpointer data)
{
  g_autofree char *plan_json = NULL;
  g_autoptr(GHashTable) paths = NULL;
  g_auto(UserCall) u = { 0 };
  g_auto(UserCall) r = { 0 };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) finished = NULL;
  const char *tid;

  if (skipping ())
    return;
  plan_json = call_string ("Plan", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  paths = plan_paths (f->root, plan_json);

  /* The rules file says yes to this user: polkit, not uid 0, lets it in. */
  call_as (&u, "daemon", FALSE, "Apply", "['0000:01:00.0']", "{'trial': <false>}", NULL);
  if (!u.ok)
    g_error ("Apply as daemon failed: %s", u.err);
  reply = g_variant_parse (G_VARIANT_TYPE ("(s)"), u.out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &tid);
  g_assert_cmpstr (tid, !=, "");
  assert_paths (f->root, paths, FALSE);
  finished = wait_finished (f, tid, 10000);

  call_as (&r, "daemon", FALSE, "Rollback", tid, "{}", NULL);
  if (!r.ok)
    g_error ("Rollback as daemon failed: %s", r.err);
  assert_paths (f->root, paths, TRUE);
}

/* Points a fixture device's driver link at another driver, as the kernel
 * would after a probe. */
static void
simulate_driver (const char *root, const char *address, const char *driver)
{
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *new_target = NULL;
  g_autofree char *drvdir = NULL;
  g_autofree char *unbind = NULL;
  g_autofree char *rel = g_strdup_printf ("sys/bus/pci/devices/%s/driver", address);

  link = root_file (root, rel);
  target = g_file_read_link (link, NULL);
  g_assert_nonnull (target);
  dir = g_path_get_dirname (target);
  new_target = g_build_filename (dir, driver, NULL);
  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (symlink (new_target, link), ==, 0);

  drvdir = g_strdup_printf ("%s/sys/bus/pci/drivers/%s", root, driver);
  g_mkdir_with_parents (drvdir, 0755);
  unbind = g_build_filename (drvdir, "unbind", NULL);
  if (!g_file_test (unbind, G_FILE_TEST_EXISTS))
    write_text (unbind, "", 0200);
}

static char *
device_attr (const char *root, const char *address, const char *attr)
{
  g_autofree char *rel = g_strdup_printf ("sys/bus/pci/devices/%s/%s", address, attr);

  return read_root (root, rel);
}

static void
test_bind_unbind (Fixture *f, gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *override = NULL;
  g_autofree char *override_audio = NULL;
  g_autofree char *nouveau_unbind = NULL;
  g_autofree char *hda_unbind = NULL;
  g_autofree char *probe = NULL;
  g_autofree char *records = NULL;
  g_autofree char *state = NULL;
  g_autofree char *vfio_unbind = NULL;
  g_autofree char *records_path = NULL;

  if (skipping ())
    return;

  reply = call ("Bind", g_variant_new_parsed ("(['01:00.0'],)"), "()", &error);
  g_assert_no_error (error);

  /* The whole group: the GPU and its audio function. */
  override = device_attr (f->root, SEED_GPU, "driver_override");
  override_audio = device_attr (f->root, SEED_GPU_AUDIO, "driver_override");
  g_assert_cmpstr (override, ==, "vfio-pci\n");
  g_assert_cmpstr (override_audio, ==, "vfio-pci\n");
  nouveau_unbind = read_root (f->root, "sys/bus/pci/drivers/nouveau/unbind");
  hda_unbind = read_root (f->root, "sys/bus/pci/drivers/snd_hda_intel/unbind");
  g_assert_cmpstr (nouveau_unbind, ==, SEED_GPU "\n");
  g_assert_cmpstr (hda_unbind, ==, SEED_GPU_AUDIO "\n");
  probe = read_root (f->root, "sys/bus/pci/drivers_probe");
  g_assert_cmpstr (probe, ==, SEED_GPU "\n" SEED_GPU_AUDIO "\n");

  records = read_root (f->root, "run/passthrough/bound.json");
  g_assert_nonnull (records);
  g_assert_nonnull (strstr (records, "\"nouveau\""));
  g_assert_nonnull (strstr (records, "\"snd_hda_intel\""));
  state = call_string ("GetState", NULL);
  g_assert_nonnull (strstr (state, "\"bound\":[{\"address\":\"" SEED_GPU "\""));

  /* What the kernel would do: vfio-pci takes both. Binding again then
   * changes nothing. */
  simulate_driver (f->root, SEED_GPU, "vfio-pci");
  simulate_driver (f->root, SEED_GPU_AUDIO, "vfio-pci");
  g_clear_pointer (&reply, g_variant_unref);
  reply = call ("Bind", g_variant_new_parsed ("(['0000:01:00.1'],)"), "()", &error);
  g_assert_no_error (error);
  g_free (probe);
  probe = read_root (f->root, "sys/bus/pci/drivers_probe");
  g_assert_cmpstr (probe, ==, SEED_GPU "\n" SEED_GPU_AUDIO "\n");

  /* Unbinding names the old driver for the probe, then clears it. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = call ("Unbind", g_variant_new_parsed ("(['01:00.1'],)"), "()", &error);
  g_assert_no_error (error);
  vfio_unbind = read_root (f->root, "sys/bus/pci/drivers/vfio-pci/unbind");
  g_assert_cmpstr (vfio_unbind, ==, SEED_GPU "\n" SEED_GPU_AUDIO "\n");
  g_free (probe);
  probe = read_root (f->root, "sys/bus/pci/drivers_probe");
  g_assert_cmpstr (probe, ==, SEED_GPU "\n" SEED_GPU_AUDIO "\n" SEED_GPU "\n" SEED_GPU_AUDIO "\n");
  g_free (override);
  override = device_attr (f->root, SEED_GPU, "driver_override");
  g_assert_cmpstr (override, ==, "\n");
  records_path = root_file (f->root, "run/passthrough/bound.json");
  g_assert_false (g_file_test (records_path, G_FILE_TEST_EXISTS));
  g_free (state);
  state = call_string ("GetState", NULL);
  g_assert_nonnull (strstr (state, "\"bound\":[]"));
}

static void
test_bind_refusals (Fixture *f, gconstpointer data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *refused = BUS_NAME ".Error.Refused";

  if (skipping ())
    return;
  before = tree_digest (f->root);
  assert_call_fails ("Bind", g_variant_new_parsed ("(['00:02.0'],)"), refused, "boot display");
  assert_call_fails ("Bind", g_variant_new_parsed ("(['00:1f.2'],)"), refused, NULL);
  assert_call_fails ("Bind", g_variant_new_parsed ("(['00:19.0'],)"), refused, "default route");
  assert_call_fails ("Bind", g_variant_new_parsed ("(['00:01.0'],)"), refused, "bridge");
  assert_call_fails ("Bind", g_variant_new_parsed ("(['01:00.0', '00:02.0'],)"), refused,
                     "boot display");
  assert_call_fails ("Bind", g_variant_new_parsed ("(['0000:09:00.0'],)"),
                     BUS_NAME ".Error.NotFound", NULL);
  after = tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);
}

static char *
make_fake_commands (const char *dir, int fail_status)
{
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *log = g_build_filename (dir, "commands.log", NULL);
  const char *names[] = { "grub-mkconfig", "mkinitcpio", "update-grub", "update-initramfs",
                          "dracut", "kernel-install", "kernelstub", "grub2-mkconfig", "grubby",
                          "bootctl", "grub-reboot", "grub-editenv" };

  g_mkdir_with_parents (bin, 0755);
  /* The daemon looks commands up in this PATH alone; the scripts need sh
   * and sleep from the system. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (bin, names[i], NULL);
      g_autofree char *script = NULL;
      int status = (fail_status != 0 && g_str_equal (names[i], "mkinitcpio")) ? fail_status : 0;

      script = g_strdup_printf ("#!/bin/sh\n"
                                "echo \"%s $*\" >> '%s'\n"
                                "echo \"output of %s\"\n"
                                "sleep 1\n"
                                "exit %d\n",
                                names[i], log, names[i], status);
      write_text (path, script, 0755);
    }
  return g_strconcat (bin, ":/usr/bin:/bin", NULL);
}

static void
test_regenerate (Fixture *f, gconstpointer data)
{
  g_autofree char *bin = NULL;
  g_autofree char *tid = NULL;
  g_autofree char *state = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *log = NULL;
  g_autofree char *plan_json = NULL;
  g_autoptr(GVariant) finished = NULL;
  g_autoptr(GPtrArray) progress = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) plan_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  JsonObject *result;
  JsonArray *commands;
  JsonArray *regenerate;
  const char *json;
  gboolean ok;
  double last = -1.0;

  if (skipping ())
    return;
  bin = make_fake_commands (f->root, 0);
  log_path = g_build_filename (f->root, "commands.log", NULL);
  f->daemon = start_daemon (g_getenv ("PASSTHROUGHD_TEST"), f->root, "60", bin);

  plan_json = call_string ("Plan", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  regenerate = json_object_get_array_member (parse_object (plan_parser, plan_json), "regenerate");
  g_assert_cmpuint (json_array_get_length (regenerate), >, 0);

  tid = call_string ("Apply", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  g_assert_cmpstr (tid, !=, "");

  /* While the commands run: one change at a time, and the state says so. */
  state = call_string ("GetState", NULL);
  g_assert_nonnull (strstr (state, "\"busy\":true"));
  g_assert_nonnull (strstr (state, tid));
  assert_call_fails ("Apply", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"),
                     BUS_NAME ".Error.Busy", tid);
  assert_call_fails ("Bind", g_variant_new_parsed ("(['01:00.0'],)"), BUS_NAME ".Error.Busy",
                     NULL);
  assert_call_fails ("Rollback", g_variant_new_parsed ("('', @a{sv} {})"),
                     BUS_NAME ".Error.Busy", NULL);

  finished = wait_finished (f, tid, 60000);
  g_variant_get (finished, "(&sb&s)", NULL, &ok, &json);
  g_assert_true (ok);
  result = parse_object (parser, json);
  commands = json_object_get_array_member (result, "commands");
  g_assert_cmpuint (json_array_get_length (commands), ==, json_array_get_length (regenerate));
  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *c = json_array_get_object_element (commands, i);

      g_assert_cmpstr (json_object_get_string_member (c, "state"), ==, "done");
      g_assert_cmpint (json_object_get_int_member (c, "exit_status"), ==, 0);
      g_assert_nonnull (strstr (json_object_get_string_member (c, "output"), "output of"));
    }

  /* Progress before each command and at the end, in order. */
  progress = progress_signals (f, tid);
  g_assert_cmpuint (progress->len, ==, json_array_get_length (regenerate) + 1);
  for (guint i = 0; i < progress->len; i++)
    {
      double fraction;
      const char *message;

      g_variant_get (g_ptr_array_index (progress, i), "(&sd&s)", NULL, &fraction, &message);
      g_assert_cmpfloat (fraction, >, last);
      last = fraction;
      if (i + 1 < progress->len)
        g_assert_nonnull (strstr (message, "Running"));
    }
  g_assert_cmpfloat (last, ==, 1.0);

  /* The commands ran with their argv, in order. */
  log = read_text (log_path);
  g_assert_nonnull (log);
  for (guint i = 0; i < json_array_get_length (regenerate); i++)
    {
      JsonArray *argv = json_array_get_array_element (regenerate, i);

      g_assert_nonnull (strstr (log, json_array_get_string_element (argv, 0)));
    }

  g_free (state);
  state = call_string ("GetState", NULL);
  g_assert_nonnull (strstr (state, "\"busy\":false"));

  /* Rollback regenerates again. */
  reply = call ("Rollback", g_variant_new_parsed ("(%s, @a{sv} {})", tid), "()", &error);
  g_assert_no_error (error);
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
    guint n = 0;

    while (n < 2 && g_get_monotonic_time () < deadline)
      {
        n = 0;
        g_main_context_iteration (NULL, FALSE);
        for (guint i = 0; i < f->signals->len; i++)
          {
            const char *name;
            g_autoptr(GVariant) params = NULL;
            const char *t;

            g_variant_get (g_ptr_array_index (f->signals, i), "(&s@*)", &name, &params);
            g_variant_get_child (params, 0, "&s", &t);
            if (g_str_equal (name, "Finished") && g_str_equal (t, tid))
              n++;
          }
        g_usleep (10 * G_TIME_SPAN_MILLISECOND);
      }
    g_assert_cmpuint (n, ==, 2);
  }
  g_free (log);
  log = read_text (log_path);
  {
    g_auto(GStrv) lines = g_strsplit (log, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 2 * json_array_get_length (regenerate) + 1);
  }
}

static void
test_regenerate_failure (Fixture *f, gconstpointer data)
{
  g_autofree char *bin = NULL;
  g_autofree char *tid = NULL;
  g_autofree char *plan_json = NULL;
  g_autoptr(GHashTable) paths = NULL;
  g_autoptr(GVariant) finished = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *json;
  gboolean ok;
  JsonObject *result;

  if (skipping ())
    return;
  bin = make_fake_commands (f->root, 3);
  f->daemon = start_daemon (g_getenv ("PASSTHROUGHD_TEST"), f->root, "60", bin);

  plan_json = call_string ("Plan", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  if (strstr (plan_json, "mkinitcpio") == NULL)
    {
      g_test_skip ("the seed plan runs no mkinitcpio");
      return;
    }
  paths = plan_paths (f->root, plan_json);
  tid = call_string ("Apply", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  finished = wait_finished (f, tid, 60000);
  g_variant_get (finished, "(&sb&s)", NULL, &ok, &json);
  g_assert_false (ok);
  result = parse_object (parser, json);
  g_assert_nonnull (strstr (json_object_get_string_member (result, "error"), "exit status 3"));
  /* The files stay written; the caller decides whether to roll back. */
  assert_paths (f->root, paths, FALSE);
}


/* The @n-th (from 1) Finished signal of @transaction. */
static GVariant *
wait_finished_nth (Fixture *f, const char *transaction, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      guint seen = 0;

      for (guint i = 0; i < f->signals->len; i++)
        {
          const char *name;
          g_autoptr(GVariant) params = NULL;
          const char *t;

          g_variant_get (g_ptr_array_index (f->signals, i), "(&s@*)", &name, &params);
          g_variant_get_child (params, 0, "&s", &t);
          if (g_str_equal (name, "Finished") && g_str_equal (t, transaction) && ++seen == n)
            return g_variant_ref (params);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("no Finished signal number %u for transaction “%s”", n, transaction);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

/* The argv[0] of each command of a Finished signal, checking they all ran. */
static char *
finished_commands (GVariant *finished, gboolean expect_ok)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  const char *json;
  gboolean ok;
  JsonArray *commands;

  g_variant_get (finished, "(&sb&s)", NULL, &ok, &json);
  if (ok != expect_ok)
    g_error ("Finished ok=%d, expected %d: %s", ok, expect_ok, json);
  commands = json_object_get_array_member (parse_object (parser, json), "commands");
  for (guint i = 0; i < json_array_get_length (commands); i++)
    {
      JsonObject *c = json_array_get_object_element (commands, i);
      JsonArray *argv = json_object_get_array_member (c, "argv");

      g_assert_cmpstr (json_object_get_string_member (c, "state"), ==, "done");
      for (guint k = 0; k < json_array_get_length (argv); k++)
        g_string_append_printf (out, "%s%s", k ? " " : "", json_array_get_string_element (argv, k));
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Applies a trial with the fake commands and returns its transaction id. */
static char *
apply_trial (Fixture *f)
{
  g_autofree char *bin = make_fake_commands (f->root, 0);
  g_autoptr(GVariant) finished = NULL;
  g_autofree char *commands = NULL;
  char *tid;

  f->daemon = start_daemon (g_getenv ("PASSTHROUGHD_TEST"), f->root, "60", bin);
  tid = call_string ("Apply", g_variant_new_parsed ("(['01:00.0'], {'trial': <true>})"));
  g_assert_cmpstr (tid, !=, "");
  finished = wait_finished (f, tid, 60000);
  commands = finished_commands (finished, TRUE);
  /* The one-time command comes last, after grub-mkconfig succeeded. */
  g_assert_true (g_str_has_suffix (commands, "grub-reboot passthrough-trial\n"));
  return tid;
}

static void
test_trial_confirm (Fixture *f, gconstpointer data)
{
  g_autofree char *tid = NULL;
  g_autofree char *again = NULL;
  g_autofree char *confirm = NULL;
  g_autofree char *manifest_rel = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *vfio = NULL;
  g_autofree char *script = NULL;
  g_autofree char *state = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *booted = NULL;
  g_autofree char *commands = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GVariant) finished = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) state_parser = json_parser_new ();
  JsonObject *trial;

  if (skipping ())
    return;
  tid = apply_trial (f);

  /* The journal marks it a trial; the entry's script is there, and
   * modprobe.d binds nothing on the fallback boot. */
  manifest_rel = g_strdup_printf ("var/lib/passthrough/transactions/%s/manifest.json", tid);
  manifest = read_root (f->root, manifest_rel);
  g_assert_nonnull (manifest);
  g_assert_true (json_object_get_boolean_member (parse_object (parser, manifest), "trial"));
  script = read_root (f->root, "etc/grub.d/99_passthrough_trial");
  g_assert_nonnull (script);
  vfio = read_root (f->root, "etc/modprobe.d/vfio.conf");
  g_assert_true (vfio == NULL || strstr (vfio, "options vfio-pci ids") == NULL);

  /* GetState shows the trial waiting. */
  state = call_string ("GetState", NULL);
  trial = json_object_get_object_member (parse_object (state_parser, state), "trial");
  g_assert_nonnull (trial);
  g_assert_cmpstr (json_object_get_string_member (trial, "transaction"), ==, tid);

  /* A second trial apply writes nothing and boots the entry once more. */
  again = call_string ("Apply", g_variant_new_parsed ("(['01:00.0'], {'trial': <true>})"));
  g_assert_cmpstr (again, ==, tid);
  finished = wait_finished_nth (f, tid, 2, 60000);
  commands = finished_commands (finished, TRUE);
  g_assert_cmpstr (commands, ==, "grub-reboot passthrough-trial\n");
  {
    g_autofree char *log_path = g_build_filename (f->root, "commands.log", NULL);

    log = read_text (log_path);
  }
  g_assert_nonnull (strstr (log, "grub-reboot passthrough-trial\ngrub-reboot passthrough-trial\n"));

  /* The usual entry booted: a permanent apply would confirm a trial that
   * never ran, so it is refused, naming the missing arguments. */
  assert_call_fails ("Apply", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"),
                     BUS_NAME ".Error.Refused", "vfio-pci.ids=10de:13c2,10de:0fbb");

  /* The trial boot came up: its arguments on the command line, the
   * devices on vfio-pci. Now the permanent apply confirms it. */
  cmdline = read_root (f->root, "proc/cmdline");
  booted = g_strdup_printf ("%s %s\n", g_strstrip (cmdline), "vfio-pci.ids=10de:13c2,10de:0fbb");
  {
    g_autofree char *path = root_file (f->root, "proc/cmdline");

    g_chmod (path, 0644);
    write_text (path, booted, 0444);
  }
  simulate_driver (f->root, SEED_GPU, "vfio-pci");
  simulate_driver (f->root, SEED_GPU_AUDIO, "vfio-pci");
  confirm = call_string ("Apply", g_variant_new_parsed ("(['01:00.0'], @a{sv} {})"));
  g_assert_cmpstr (confirm, !=, "");
  g_assert_cmpstr (confirm, !=, tid);
  g_clear_pointer (&finished, g_variant_unref);
  finished = wait_finished (f, confirm, 60000);
  g_free (commands);
  commands = finished_commands (finished, TRUE);
  g_assert_null (strstr (commands, "grub-reboot"));
  g_free (script);
  script = read_root (f->root, "etc/grub.d/99_passthrough_trial");
  g_assert_null (script);
  g_free (vfio);
  vfio = read_root (f->root, "etc/modprobe.d/vfio.conf");
  g_assert_nonnull (strstr (vfio, "options vfio-pci ids=10de:13c2,10de:0fbb"));
  g_free (state);
  state = call_string ("GetState", NULL);
  g_assert_nonnull (strstr (state, "\"trial\":null"));
}

static void
test_trial_rollback (Fixture *f, gconstpointer data)
{
  g_autofree char *tid = NULL;
  g_autofree char *commands = NULL;
  g_autofree char *script = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) finished = NULL;
  g_autoptr(GError) error = NULL;

  if (skipping ())
    return;
  tid = apply_trial (f);
  reply = call ("Rollback", g_variant_new_parsed ("(%s, @a{sv} {})", tid), "()", &error);
  g_assert_no_error (error);
  finished = wait_finished_nth (f, tid, 2, 60000);
  commands = finished_commands (finished, TRUE);
  /* The entry grub-reboot named is gone: its next_entry is cleared. */
  g_assert_null (strstr (commands, "grub-reboot"));
  g_assert_true (g_str_has_suffix (commands, "grub-editenv - unset next_entry\n"));
  {
    g_autofree char *log_path = g_build_filename (f->root, "commands.log", NULL);

    log = read_text (log_path);
  }
  g_assert_nonnull (strstr (log, "grub-editenv - unset next_entry\n"));
  script = read_root (f->root, "etc/grub.d/99_passthrough_trial");
  g_assert_null (script);
}

/* passthroughctl bind and unbind as on the live system: the CLI without
 * --root on the system bus, the daemon on the fixture root. */
static char *
find_ctl (void)
{
  g_autofree char *daemon_dir = NULL;
  g_autofree char *src_dir = NULL;

  if (g_getenv ("PASSTHROUGHCTL") != NULL)
    return g_strdup (g_getenv ("PASSTHROUGHCTL"));
  daemon_dir = g_path_get_dirname (g_getenv ("PASSTHROUGHD"));
  src_dir = g_path_get_dirname (daemon_dir);
  return g_build_filename (src_dir, "cli", "passthroughctl", NULL);
}

static void
run_ctl_as (UserCall *u, int *status, const char *user, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  if (user != NULL)
    {
      struct passwd *pw = getpwnam (user);

      g_assert_nonnull (pw);
      g_ptr_array_add (argv, g_strdup ("setpriv"));
      g_ptr_array_add (argv, g_strdup_printf ("--reuid=%u", (guint) pw->pw_uid));
      g_ptr_array_add (argv, g_strdup_printf ("--regid=%u", (guint) pw->pw_gid));
      g_ptr_array_add (argv, g_strdup ("--clear-groups"));
    }
  g_ptr_array_add (argv, find_ctl ());
  va_start (args, user);
  for (arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync ("/", (char **) argv->pdata, env.child_env, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &u->out, &u->err, status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (*status));
  *status = WEXITSTATUS (*status);
  u->ok = *status == 0;
}

static void
test_cli_bind (Fixture *f, gconstpointer data)
{
  g_autofree char *override = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  int status = -1;

  if (skipping ())
    return;

  {
    g_auto(UserCall) u = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();

    run_ctl_as (&u, &status, NULL, "bind", "01:00.0", "--json", NULL);
    g_test_message ("%s%s", u.out, u.err);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (json_object_get_boolean_member (parse_object (parser, u.out), "ok"));
  }
  override = device_attr (f->root, SEED_GPU_AUDIO, "driver_override");
  g_assert_cmpstr (override, ==, "vfio-pci\n");
  simulate_driver (f->root, SEED_GPU, "vfio-pci");
  simulate_driver (f->root, SEED_GPU_AUDIO, "vfio-pci");
  {
    g_auto(UserCall) u = { 0 };

    run_ctl_as (&u, &status, NULL, "unbind", "0000:01:00.0", NULL);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (u.out, "0000:01:00.0"));
  }
  g_free (override);
  override = device_attr (f->root, SEED_GPU, "driver_override");
  g_assert_cmpstr (override, ==, "\n");

  before = tree_digest (f->root);
  /* The daemon's refusals, as messages and as JSON. */
  {
    g_auto(UserCall) u = { 0 };
    g_auto(UserCall) u2 = { 0 };
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *obj;

    run_ctl_as (&u, &status, NULL, "bind", "00:02.0", NULL);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (u.err, "boot display"));
    g_assert_null (strstr (u.err, "GDBus.Error"));
    run_ctl_as (&u2, &status, NULL, "bind", "00:02.0", "--json", NULL);
    g_assert_cmpint (status, ==, 1);
    obj = parse_object (parser, u2.out);
    g_assert_false (json_object_get_boolean_member (obj, "ok"));
    g_assert_nonnull (strstr (json_object_get_string_member (obj, "error"), "boot display"));
  }
  /* polkit says no to nobody. */
  {
    g_auto(UserCall) u = { 0 };

    run_ctl_as (&u, &status, "nobody", "bind", "01:00.0", NULL);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (u.err, "Not authorized to rebind devices"));
  }
  /* Usage errors never reach the daemon. */
  {
    g_auto(UserCall) u = { 0 };
    g_auto(UserCall) u2 = { 0 };

    run_ctl_as (&u, &status, NULL, "bind", "01:00.9", NULL);
    g_assert_cmpint (status, ==, 2);
    run_ctl_as (&u2, &status, NULL, "--root", f->root, "unbind", "01:00.0", NULL);
    g_assert_cmpint (status, ==, 2);
    g_assert_nonnull (strstr (u2.err, "live system"));
  }
  after = tree_digest (f->root);
  g_assert_cmpstr (before, ==, after);
}

static void
test_idle_exit (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  gint64 start;

  if (skipping ())
    return;
  f->daemon = start_daemon (g_getenv ("PASSTHROUGHD"), f->root, "2", NULL);
  json = call_string ("GetState", NULL);
  start = g_get_monotonic_time ();
  g_assert_true (wait_for_name (BUS_NAME, FALSE, 10000, NULL));
  /* Not before the timeout after the last call. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1 * G_TIME_SPAN_SECOND);
  g_assert_true (g_subprocess_wait (f->daemon, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (f->daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (f->daemon), ==, 0);
}

static void
test_activation (Fixture *f, gconstpointer data)
{
  g_autofree char *service = NULL;
  g_autofree char *service_path = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *json;

  if (skipping ())
    return;
  g_assert_false (name_has_owner (BUS_NAME));
  service = g_strdup_printf ("[D-BUS Service]\n"
                             "Name=" BUS_NAME "\n"
                             "Exec=%s --root %s --timeout 2\n"
                             "User=root\n",
                             g_getenv ("PASSTHROUGHD"), f->root);
  service_path = g_build_filename (env.tmpdir, "services", BUS_NAME ".service", NULL);
  write_text (service_path, service, 0644);

  /* A call starts it... */
  reply = g_dbus_connection_call_sync (env.conn, BUS_NAME, OBJECT_PATH, INTERFACE, "GetState",
                                       NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                       30000, NULL, &error);
  g_unlink (service_path);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &json);
  g_assert_nonnull (strstr (json, f->root));
  /* ...and it goes away when idle. */
  g_assert_true (wait_for_name (BUS_NAME, FALSE, 10000, NULL));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  global_setup ();

  g_test_add ("/daemon/policy-installed", Fixture, NULL, fixture_setup, test_policy_installed,
              fixture_teardown);
  g_test_add ("/daemon/introspect", Fixture, NULL, fixture_setup, test_introspect,
              fixture_teardown);
  g_test_add ("/daemon/get-state", Fixture, NULL, fixture_setup, test_get_state,
              fixture_teardown);
  g_test_add ("/daemon/plan", Fixture, NULL, fixture_setup, test_plan, fixture_teardown);
  g_test_add ("/daemon/invalid-args", Fixture, NULL, fixture_setup, test_invalid_args,
              fixture_teardown);
  g_test_add ("/daemon/not-authorized", Fixture, NULL, fixture_setup, test_not_authorized,
              fixture_teardown);
  g_test_add ("/daemon/apply-rollback", Fixture, NULL, fixture_setup, test_apply_rollback,
              fixture_teardown);
  g_test_add ("/daemon/apply-as-user", Fixture, NULL, fixture_setup, test_apply_as_user,
              fixture_teardown);
  g_test_add ("/daemon/bind-unbind", Fixture, NULL, fixture_setup, test_bind_unbind,
              fixture_teardown);
  g_test_add ("/daemon/bind-refusals", Fixture, NULL, fixture_setup, test_bind_refusals,
              fixture_teardown);
  g_test_add ("/daemon/regenerate", Fixture, "manual", fixture_setup, test_regenerate,
              fixture_teardown);
  g_test_add ("/daemon/regenerate-failure", Fixture, "manual", fixture_setup,
              test_regenerate_failure, fixture_teardown);
  g_test_add ("/daemon/trial-confirm", Fixture, "manual", fixture_setup, test_trial_confirm,
              fixture_teardown);
  g_test_add ("/daemon/trial-rollback", Fixture, "manual", fixture_setup, test_trial_rollback,
              fixture_teardown);
  g_test_add ("/daemon/cli-bind", Fixture, NULL, fixture_setup, test_cli_bind,
              fixture_teardown);
  g_test_add ("/daemon/idle-exit", Fixture, "manual", fixture_setup, test_idle_exit,
              fixture_teardown);
  g_test_add ("/daemon/activation", Fixture, "manual", fixture_setup, test_activation,
              fixture_teardown);

  status = g_test_run ();
  global_teardown ();
  return status;
}
