/* main.c: starts passthrough, the desktop application. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "pt-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PtApplication) app = NULL;
  const char *localedir = g_getenv ("PASSTHROUGH_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* GLib makes the C locale of g_ascii_strto*() on first use, under a
   * g_once. The host is read in a thread while GTK starts up (and parses
   * numbers) on this one; a thread that had to wait for the other there
   * came back with errno set, and GLib's number parsers then called
   * "0x10de" invalid. Making it here, before any thread, leaves nothing
   * to wait for. */
  (void) g_ascii_strtoull ("0", NULL, 10);

  app = pt_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
