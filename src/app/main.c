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

  app = pt_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
