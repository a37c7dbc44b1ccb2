/* test-tooltip.c: pt_tooltip_set_text(), the app's tooltip for widgets
 * made by the dozen (graph nodes, details rows, check rows). It must give
 * the tooltip when GTK asks for it, take it away again, and cost no round
 * trip to the X server, which gtk_widget_set_tooltip_text() does on every
 * visible widget (it asks where the pointer is). Needs a display: meson
 * runs it under xvfb-run. */
#include "config.h"

#include <gtk/gtk.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "pt-tooltip.h"

static gboolean
query (GtkWidget *widget)
{
  g_autoptr(GObject) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  gboolean shown = FALSE;

  g_signal_emit_by_name (widget, "query-tooltip", 1, 1, FALSE, tooltip, &shown);
  return shown;
}

static void
test_given_and_taken (void)
{
  GtkWidget *label = g_object_ref_sink (gtk_label_new ("01:00.0"));

  g_assert_false (gtk_widget_get_has_tooltip (label));
  g_assert_false (query (label));

  pt_tooltip_set_text (label, "GeForce GTX 970, 01:00.0, group 1, clean");
  g_assert_true (gtk_widget_get_has_tooltip (label));
  g_assert_true (query (label));
  /* Not GTK's own tooltip text, which would also become the accessible
   * description: the node's accessible name says it already. */
  g_assert_null (gtk_widget_get_tooltip_text (label));

  pt_tooltip_set_text (label, "Copy");
  g_assert_true (query (label));

  pt_tooltip_set_text (label, "");
  g_assert_false (gtk_widget_get_has_tooltip (label));
  g_assert_false (query (label));

  pt_tooltip_set_text (label, NULL);
  g_assert_false (gtk_widget_get_has_tooltip (label));
  g_assert_false (query (label));

  /* Given again after being taken away: one handler still. */
  pt_tooltip_set_text (label, "Copy");
  g_assert_true (query (label));
  g_assert_cmpuint (g_signal_handlers_disconnect_matched (label, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DATA,
                                                          g_signal_lookup ("query-tooltip", GTK_TYPE_WIDGET),
                                                          0, NULL, NULL, NULL), ==, 1);

  g_object_unref (label);
}

static void
test_no_round_trip (void)
{
#ifdef GDK_WINDOWING_X11
  GdkDisplay *display = gdk_display_get_default ();
  GtkWidget *a = g_object_ref_sink (gtk_label_new ("a"));
  GtkWidget *b = g_object_ref_sink (gtk_label_new ("b"));
  Display *xdisplay;
  unsigned long before;

  if (!GDK_IS_X11_DISPLAY (display))
    {
      g_test_skip ("not an X11 display");
      return;
    }
  xdisplay = gdk_x11_display_get_xdisplay (display);

  /* The check can fail: GTK's own setter sends a request. */
  before = XNextRequest (xdisplay);
  gtk_widget_set_tooltip_text (a, "Copy");
  g_assert_cmpuint (XNextRequest (xdisplay), >, before);

  before = XNextRequest (xdisplay);
  for (int i = 0; i < 100; i++)
    pt_tooltip_set_text (b, i % 2 ? "Copy" : "Pass this GPU through");
  g_assert_cmpuint (XNextRequest (xdisplay), ==, before);

  g_object_unref (a);
  g_object_unref (b);
#else
  g_test_skip ("GTK without X11");
#endif
}

int
main (int argc, char *argv[])
{
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tooltip/given-and-taken", test_given_and_taken);
  g_test_add_func ("/tooltip/no-round-trip", test_no_round_trip);
  return g_test_run ();
}
