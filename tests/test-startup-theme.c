/* test-startup-theme.c: the empty theme the app lays over GTK's own while
 * GTK and libadwaita start up (pt-startup-theme.gresource.xml, registered
 * by pt_application_startup()). It must cover every file through which
 * GTK loads its theme (so GTK parses nothing), uncover them all again
 * when it is unregistered, and rest on what libadwaita does: replace GTK's
 * theme with an empty one of its own. Needs a display: meson runs it under
 * xvfb-run. */
#include "config.h"

#include <adwaita.h>

#include "pt-startup-theme.h"

/* The theme names GTK falls back to its own theme for, and its variants. */
static const char *names[] = { "Default", "Adwaita", "HighContrast" };
static const char *variants[] = { NULL, "dark", "hc", "hc-dark" };

static gsize
theme_length (const char *name,
              const char *variant)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  g_autofree char *css = NULL;

  gtk_css_provider_load_named (provider, name, variant);
  css = gtk_css_provider_to_string (provider);
  return strlen (g_strstrip (css));
}

static void
test_covers_gtk_theme (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (guint j = 0; j < G_N_ELEMENTS (variants); j++)
      {
        g_test_message ("theme %s, variant %s", names[i], variants[j] ? variants[j] : "(none)");

        /* GTK's own: thousands of lines. */
        g_assert_cmpuint (theme_length (names[i], variants[j]), >, 10000);

        pt_startup_theme_register_resource ();
        g_assert_cmpuint (theme_length (names[i], variants[j]), ==, 0);
        pt_startup_theme_unregister_resource ();

        /* And back, for anything that loads it later. */
        g_assert_cmpuint (theme_length (names[i], variants[j]), >, 10000);
      }
}

/* What makes covering GTK's theme safe: libadwaita throws it away. If a
 * libadwaita stopped doing so, the app would start without GTK's theme
 * under libadwaita's stylesheet, and this fails. */
static void
test_libadwaita_replaces_it (void)
{
  GtkSettings *settings;
  g_autofree char *theme = NULL;

  g_assert_null (g_getenv ("GTK_THEME"));

  pt_startup_theme_register_resource ();
  adw_init ();
  pt_startup_theme_unregister_resource ();

  settings = gtk_settings_get_default ();
  g_object_get (settings, "gtk-theme-name", &theme, NULL);
  g_assert_cmpstr (theme, ==, "Adwaita-empty");
  g_assert_cmpuint (theme_length (theme, NULL), ==, 0);

  /* libadwaita's own stylesheet is not covered. */
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
    g_autofree char *css = NULL;

    gtk_css_provider_load_from_resource (provider, "/org/gnome/Adwaita/styles/base.css");
    css = gtk_css_provider_to_string (provider);
    g_assert_cmpuint (strlen (css), >, 10000);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_unsetenv ("GTK_THEME");
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/startup-theme/covers-gtk-theme", test_covers_gtk_theme);
  g_test_add_func ("/startup-theme/libadwaita-replaces-it", test_libadwaita_replaces_it);

  return g_test_run ();
}
