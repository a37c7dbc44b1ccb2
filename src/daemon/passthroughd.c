/* passthroughd.c: the privileged helper's process: owns
 * io.github.passthrough.Helper1 on the system bus, serves it, and exits
 * when it has been idle for a while (D-Bus starts it again on demand). */
#define G_LOG_DOMAIN "passthroughd"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>

#include "pt-helper.h"

typedef struct
{
  GMainLoop *loop;
  PtHelper  *helper;
  guint      owner_id;
  guint      timeout;     /* idle seconds before exiting, 0: never */
  guint      idle_source;
  gboolean   acquired;
  gint64     released;    /* when the name was given up, 0 before */
  int        status;
} Daemon;

/* Calls already on their way to our unique name when the name is released
 * are still answered: the daemon lingers this long after the last one. */
#define LINGER_USEC (G_USEC_PER_SEC / 4)

static void
quit (Daemon *d, int status)
{
  if (status != 0)
    d->status = status;
  g_main_loop_quit (d->loop);
}

static gboolean
linger_cb (gpointer user_data)
{
  Daemon *d = user_data;
  gint64 now = g_get_monotonic_time ();

  if (!pt_helper_is_idle (d->helper)
      || now - pt_helper_get_last_activity (d->helper) < LINGER_USEC
      || now - d->released < LINGER_USEC)
    return G_SOURCE_CONTINUE;
  d->idle_source = 0;
  quit (d, 0);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_check_cb (gpointer user_data)
{
  Daemon *d = user_data;
  gint64 idle;

  if (!pt_helper_is_idle (d->helper))
    return G_SOURCE_CONTINUE;
  idle = g_get_monotonic_time () - pt_helper_get_last_activity (d->helper);
  if (idle < (gint64) d->timeout * G_TIME_SPAN_SECOND)
    return G_SOURCE_CONTINUE;

  /* Give the name up first, so that the next call starts a new daemon,
   * then answer what was already sent to this one. */
  g_message ("Idle for %u s, exiting", d->timeout);
  g_clear_handle_id (&d->owner_id, g_bus_unown_name);
  d->released = g_get_monotonic_time ();
  d->idle_source = g_timeout_add (50, linger_cb, d);
  return G_SOURCE_REMOVE;
}

static gboolean
signal_cb (gpointer user_data)
{
  Daemon *d = user_data;

  g_message ("Terminated, exiting");
  quit (d, 0);
  return G_SOURCE_CONTINUE;
}

static void
bus_acquired_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Daemon *d = user_data;
  g_autoptr(GError) error = NULL;

  if (!pt_helper_register (d->helper, connection, &error))
    {
      g_printerr (_("Cannot export %s: %s\n"), PT_HELPER_OBJECT_PATH, error->message);
      quit (d, 1);
    }
}

static void
name_acquired_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Daemon *d = user_data;

  d->acquired = TRUE;
  g_message ("Serving %s", name);
  pt_helper_report_journal (d->helper);
  if (d->timeout > 0 && d->idle_source == 0)
    d->idle_source = g_timeout_add_seconds (1, idle_check_cb, d);
}

static void
name_lost_cb (GDBusConnection *connection, const char *name, gpointer user_data)
{
  Daemon *d = user_data;

  if (connection == NULL)
    g_printerr (_("Cannot connect to the system bus\n"));
  else if (!d->acquired)
    g_printerr (_("Cannot own %s on the system bus: another passthroughd runs, or the bus "
                  "policy (io.github.passthrough.Helper1.conf) does not allow this user to "
                  "own it\n"),
                name);
  else
    g_message ("Lost %s, exiting", name);
  quit (d, d->acquired ? 0 : 1);
}

int
main (int argc, char **argv)
{
  g_autofree char *root_arg = NULL;
  g_autofree char *root = NULL;
  int timeout = 60;
  gboolean replace = FALSE;
  gboolean verbose = FALSE;
  gboolean version = FALSE;
  g_autofree char *test_command_path = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Daemon d = { 0 };
  const GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root_arg,
      N_("Work on the host tree in DIR instead of / (tests, images); no regeneration "
         "command is run then"), N_("DIR") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      N_("Exit after SECONDS without calls (default 60; 0: never)"), N_("SECONDS") },
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &replace,
      N_("Replace a running passthroughd"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      N_("Log debug messages"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
#ifdef PT_DAEMON_TEST_HOOKS
    /* Never in the installed daemon: runs commands on any root. */
    { "test-command-path", 0, 0, G_OPTION_ARG_FILENAME, &test_command_path,
      "Run the regeneration commands from DIR, whatever the root", "DIR" },
#endif
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("The privileged helper of Passthrough: serves "
                                  "io.github.passthrough.Helper1 on the system bus. D-Bus "
                                  "starts it when a client calls it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("passthroughd %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc > 1)
    {
      g_printerr (_("Unexpected argument “%s”\n"), argv[1]);
      return 2;
    }
  if (timeout < 0)
    {
      g_printerr (_("--timeout must be 0 or more seconds\n"));
      return 2;
    }
  if (verbose)
    g_log_set_debug_enabled (TRUE);

  /* The root is named once, here, and never by a caller. */
  root = realpath (root_arg != NULL ? root_arg : "/", NULL);
  if (root == NULL || !g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_("The host root %s does not exist or is not a directory\n"),
                  root_arg != NULL ? root_arg : "/");
      return 1;
    }

  d.loop = g_main_loop_new (NULL, FALSE);
  d.helper = pt_helper_new (root);
  d.timeout = (guint) timeout;
  if (test_command_path != NULL)
    pt_helper_set_test_command_path (d.helper, test_command_path);

  g_unix_signal_add (SIGTERM, signal_cb, &d);
  g_unix_signal_add (SIGINT, signal_cb, &d);

  d.owner_id = g_bus_own_name (G_BUS_TYPE_SYSTEM, PT_HELPER_BUS_NAME,
                               G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT
                               | (replace ? G_BUS_NAME_OWNER_FLAGS_REPLACE : 0)
                               | G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                               bus_acquired_cb, name_acquired_cb, name_lost_cb,
                               &d, NULL);

  g_main_loop_run (d.loop);

  g_clear_handle_id (&d.owner_id, g_bus_unown_name);
  g_clear_handle_id (&d.idle_source, g_source_remove);
  pt_helper_unregister (d.helper);
  g_object_unref (d.helper);
  g_main_loop_unref (d.loop);

  return d.status;
}
