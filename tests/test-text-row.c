/* test-text-row.c: PtTextRow, the app's AdwActionRow look-alike, and
 * PtTextStack, its title and subtitle. The stack's width must not depend
 * on a height (GTK 4.8's GtkBox otherwise searches for a height by halves,
 * and a wrapping label answers each step with a search of its own: 0.4 s
 * to tick a GPU on a 64-GPU server); its height for a width is its labels'
 * heights for that width. Needs a display: meson runs it under xvfb-run. */
#include "config.h"

#include <adwaita.h>

#include "pt-text-row.h"
#include "pt-text-stack.h"

#define LONG_TEXT \
  "0000:06:00.0, 0000:06:00.1, 0000:06:00.2, 0000:06:00.3, 0000:07:00.0 and 247 more stay " \
  "with the host but have the same IDs (10de:1e07, 10de:10f7, 10de:1ad6, 10de:1ad7) as devices " \
  "being passed through, so vfio-pci.ids would claim them too. Bind by address instead " \
  "(driver_override), or use cards of different models."

static GtkWidget *
wrapping_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_width_chars (GTK_LABEL (label), 12);
  return label;
}

static void
test_stack_measure (void)
{
  GtkWidget *stack = g_object_ref_sink (pt_text_stack_new ());
  GtkWidget *title = gtk_label_new ("Taken for the guest");
  GtkWidget *body = wrapping_label (LONG_TEXT);
  GtkWidget *hidden = gtk_label_new ("not shown");
  int min, nat, min_h, nat_h, title_h, body_h;

  pt_text_stack_append (PT_TEXT_STACK (stack), title);
  pt_text_stack_append (PT_TEXT_STACK (stack), body);
  pt_text_stack_append (PT_TEXT_STACK (stack), hidden);
  gtk_widget_set_visible (hidden, FALSE);

  g_assert_cmpint (gtk_widget_get_request_mode (stack), ==, GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH);
  g_assert_true (gtk_widget_has_css_class (stack, "title"));
  g_assert_cmpstr (gtk_widget_get_css_name (stack), ==, "box");

  /* Its width without a height: the widest label's. */
  gtk_widget_measure (stack, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  {
    int body_min, body_nat;

    gtk_widget_measure (body, GTK_ORIENTATION_HORIZONTAL, -1, &body_min, &body_nat, NULL, NULL);
    g_assert_cmpint (min, >=, body_min);
    g_assert_cmpint (nat, ==, body_nat);
    g_assert_cmpint (min, <, nat);   /* it wraps */
  }

  /* The same at any height: no search. */
  for (int height = 10; height <= 1000; height *= 3)
    {
      int m, n;

      gtk_widget_measure (stack, GTK_ORIENTATION_HORIZONTAL, height, &m, &n, NULL, NULL);
      g_assert_cmpint (m, ==, min);
      g_assert_cmpint (n, ==, nat);
    }

  /* Its height for a width: the labels' heights for it, 3 px apart; the
   * hidden one takes no room. */
  gtk_widget_measure (stack, GTK_ORIENTATION_VERTICAL, 200, &min_h, &nat_h, NULL, NULL);
  gtk_widget_measure (title, GTK_ORIENTATION_VERTICAL, 200, NULL, &title_h, NULL, NULL);
  gtk_widget_measure (body, GTK_ORIENTATION_VERTICAL, 200, NULL, &body_h, NULL, NULL);
  g_assert_cmpint (nat_h, ==, title_h + 3 + body_h);
  g_assert_cmpint (body_h, >, title_h * 3);   /* several lines at 200 px */
  {
    int wide_h;

    gtk_widget_measure (stack, GTK_ORIENTATION_VERTICAL, 2000, NULL, &wide_h, NULL, NULL);
    g_assert_cmpint (wide_h, <, nat_h);
  }

  /* Allocated top to bottom. */
  gtk_widget_size_allocate (stack, &(GtkAllocation) { 0, 0, 200, nat_h }, -1);
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (body, stack, &bounds));
    g_assert_cmpfloat (bounds.origin.y, ==, title_h + 3);
    g_assert_cmpfloat (bounds.size.width, ==, 200);
    g_assert_cmpfloat (bounds.size.height, ==, body_h);
  }

  g_object_unref (stack);
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *css_class)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_row_texts (void)
{
  GtkWidget *row = g_object_ref_sink (pt_text_row_new ("Blockers <b>&", LONG_TEXT));
  GtkWidget *title = find_label (row, "title");
  GtkWidget *subtitle = find_label (row, "subtitle");

  g_assert_nonnull (title);
  g_assert_nonnull (subtitle);
  /* Plain text, and AdwPreferencesRow's title is escaped markup. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (title)), ==, "Blockers <b>&");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Blockers &lt;b&gt;&amp;");

  /* A short text stays on one line, a long one wraps, never narrower
   * than a dozen characters. */
  g_assert_false (gtk_label_get_wrap (GTK_LABEL (title)));
  g_assert_true (gtk_label_get_wrap (GTK_LABEL (subtitle)));
  g_assert_cmpint (gtk_label_get_width_chars (GTK_LABEL (subtitle)), ==, 12);

  /* No subtitle: no room taken for one. */
  pt_text_row_set_texts (PT_TEXT_ROW (row), "Taken for the guest (vfio-pci)", NULL);
  g_assert_false (gtk_widget_get_visible (subtitle));
  g_assert_true (gtk_label_get_wrap (GTK_LABEL (title)));   /* 30 characters */

  g_assert_false (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  g_object_unref (row);
}

static void
test_row_sides (void)
{
  GtkWidget *row = g_object_ref_sink (pt_text_row_new ("Passing through GeForce GTX 970", NULL));
  GtkWidget *icon, *button = gtk_button_new_with_label ("Add to a VM…");

  icon = pt_text_row_add_icon (PT_TEXT_ROW (row), "emblem-ok-symbolic", "accent");
  g_assert_true (GTK_IS_IMAGE (icon));
  g_assert_true (gtk_widget_has_css_class (icon, "accent"));
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_parent (icon), "prefixes"));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (icon)));

  pt_text_row_add_suffix (PT_TEXT_ROW (row), button);
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_parent (button), "suffixes"));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (button)));
  /* Prefixes, texts, suffixes in one box.header, as in an AdwActionRow */
  g_assert_true (gtk_widget_get_parent (gtk_widget_get_parent (icon)) ==
                 gtk_widget_get_parent (gtk_widget_get_parent (button)));
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_parent (gtk_widget_get_parent (icon)), "header"));

  g_object_unref (row);
}

static void
activated_cb (PtTextRow *row,
              guint     *count)
{
  (*count)++;
}

static void
test_row_activated (void)
{
  GtkWidget *list = g_object_ref_sink (gtk_list_box_new ());
  GtkWidget *row = pt_text_row_new ("Address", "0000:01:00.0");
  GtkWidget *other = pt_text_row_new ("Vendor", "NVIDIA Corporation");
  guint count = 0;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_signal_connect (row, "activated", G_CALLBACK (activated_cb), &count);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  gtk_list_box_append (GTK_LIST_BOX (list), other);

  g_signal_emit_by_name (list, "row-activated", other);
  g_assert_cmpuint (count, ==, 0);
  g_signal_emit_by_name (list, "row-activated", row);
  g_assert_cmpuint (count, ==, 1);

  /* Out of the list, it no longer follows it. */
  g_object_ref (row);
  gtk_list_box_remove (GTK_LIST_BOX (list), row);
  g_signal_emit_by_name (list, "row-activated", other);
  g_assert_cmpuint (count, ==, 1);
  g_object_unref (row);

  g_object_unref (list);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/text-row/stack-measure", test_stack_measure);
  g_test_add_func ("/text-row/texts", test_row_texts);
  g_test_add_func ("/text-row/sides", test_row_sides);
  g_test_add_func ("/text-row/activated", test_row_activated);

  return g_test_run ();
}
