/* pt-wizard-autostart.c: between "Restart" and "Verify" the user logs out
 * and in again; an autostart entry brings the app back at Verify, so that
 * a trial boot is confirmed (or found wanting) without the user having to
 * remember to open it. The entry is removed once the wizard moves past
 * Verify or starts over. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "pt-application.h"
#include "pt-wizard-autostart.h"

static GFile *
autostart_file (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "autostart",
                                            PT_APPLICATION_ID ".desktop", NULL);
  return g_file_new_for_path (path);
}

static void
replace_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_message ("Could not add the autostart entry that resumes the setup: %s", error->message);
}

static void
delete_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_message ("Could not remove the autostart entry of the setup: %s", error->message);
}

void
pt_wizard_autostart_set (gboolean enabled)
{
  g_autoptr(GFile) file = autostart_file ();
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *exe = NULL;
  const char *exec;
  g_autofree char *name = NULL;
  g_autofree char *comment = NULL;
  char *contents;

  if (!enabled)
    {
      g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, delete_cb, NULL);
      return;
    }

  /* The running binary, so that an uninstalled build comes back as itself. */
  exe = g_file_read_link ("/proc/self/exe", NULL);
  /* Exec= has its own quoting rules; a path that would need them falls
   * back to the installed name. */
  exec = exe != NULL && strpbrk (exe, " \t\n\"'\\$`%") == NULL ? exe : "passthrough";

  name = g_strdup (_("Passthrough"));
  comment = g_strdup (_("Check the GPU passthrough setup after the restart"));
  contents = g_strdup_printf ("[Desktop Entry]\n"
                              "Type=Application\n"
                              "Name=%s\n"
                              "Comment=%s\n"
                              "Exec=%s --page setup\n"
                              "Icon=" PT_APPLICATION_ID "\n"
                              "NoDisplay=true\n"
                              "X-GNOME-Autostart-enabled=true\n",
                              name, comment, exec);
  bytes = g_bytes_new_take (contents, strlen (contents));

  dir = g_file_get_parent (file);
  /* One mkdir of a small directory; an error shows when writing. */
  g_file_make_directory_with_parents (dir, NULL, NULL);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       NULL, replace_cb, NULL);
}
