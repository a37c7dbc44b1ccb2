/* test-graph-text.c: PtGraphText, one line of a graph node's text. It asks
 * for no width and takes its height from its font's metrics, so measuring
 * the nodes of a frame lays out no text; drawn, it is one line, ellipsized
 * at the width it is given. Needs a display: meson runs it under xvfb-run. */
#include "config.h"

#include <adwaita.h>

#include "inspector/pt-graph-text.h"

#define LONG_TEXT "TU102 High Definition Audio Controller on a card with a very long name indeed"

/* The text nodes under @node, depth first. */
static void
collect_text_nodes (GskRenderNode *node,
                    GPtrArray     *out)
{
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_TEXT_NODE:
      g_ptr_array_add (out, node);
      break;
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        collect_text_nodes (gsk_container_node_get_child (node, i), out);
      break;
    case GSK_TRANSFORM_NODE:
      collect_text_nodes (gsk_transform_node_get_child (node), out);
      break;
    case GSK_CLIP_NODE:
      collect_text_nodes (gsk_clip_node_get_child (node), out);
      break;
    case GSK_OPACITY_NODE:
      collect_text_nodes (gsk_opacity_node_get_child (node), out);
      break;
    case GSK_SHADOW_NODE:
      collect_text_nodes (gsk_shadow_node_get_child (node), out);
      break;
    default:
      break;
    }
}

/* Lays @widget out at @width in a window and draws it; returns its glyphs,
 * the drawing's width and, if @runs is given, its text nodes. */
static guint
draw_runs (GtkWidget  *widget,
           int         width,
           float      *drawn_width,
           GPtrArray **runs)
{
  GtkWidget *window = gtk_window_new ();
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  graphene_rect_t bounds;
  guint glyphs = 0;
  int height;

  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &height, NULL, NULL, NULL);
  gtk_widget_allocate (widget, width, height, -1, NULL);
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  collect_text_nodes (node, texts);
  g_assert_cmpuint (texts->len, >=, 1);
  for (guint i = 0; i < texts->len; i++)
    glyphs += gsk_text_node_get_num_glyphs (g_ptr_array_index (texts, i));
  gsk_render_node_get_bounds (node, &bounds);
  *drawn_width = bounds.origin.x + bounds.size.width;
  if (runs != NULL)
    {
      *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) gsk_render_node_unref);
      for (guint i = 0; i < texts->len; i++)
        g_ptr_array_add (*runs, gsk_render_node_ref (g_ptr_array_index (texts, i)));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  return glyphs;
}

static guint
draw (GtkWidget *widget,
      int        width,
      float     *drawn_width)
{
  g_autoptr(GPtrArray) runs = NULL;
  guint glyphs = draw_runs (widget, width, drawn_width, &runs);

  for (guint i = 0; i < runs->len; i++)
    g_test_message ("run %u: %u glyphs", i, gsk_text_node_get_num_glyphs (g_ptr_array_index (runs, i)));
  return glyphs;
}

static int
height_of (GtkWidget *widget)
{
  int min, nat;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, &min, &nat, NULL, NULL);
  g_assert_cmpint (min, ==, nat);
  return min;
}

/* As tall as a one-line GtkLabel of the same style, for every style a node
 * uses: nodes keep the height they had with labels. */
static void
test_height (void)
{
  const char *classes[] = { NULL, "heading", "caption", "dim-label", "caption-heading" };
  int heading = 0, caption = 0;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      GtkWidget *box = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
      GtkWidget *text = pt_graph_text_new ("GeForce GTX 970");
      GtkWidget *label = gtk_label_new ("GeForce GTX 970");
      int h;

      gtk_box_append (GTK_BOX (box), text);
      gtk_box_append (GTK_BOX (box), label);
      if (classes[i] != NULL)
        {
          gtk_widget_add_css_class (text, classes[i]);
          gtk_widget_add_css_class (label, classes[i]);
        }
      h = height_of (text);
      g_test_message ("%s: %d px", classes[i] != NULL ? classes[i] : "plain", h);
      g_assert_cmpint (h, >, 0);
      g_assert_cmpint (h, ==, height_of (label));
      if (g_strcmp0 (classes[i], "heading") == 0)
        heading = h;
      if (g_strcmp0 (classes[i], "caption") == 0)
        caption = h;
      g_object_unref (box);
    }
  /* The heights are kept by font: 9 pt is shorter than 11 pt. */
  g_assert_cmpint (caption, <, heading);
}

/* No width is asked for, however long the text, and the height does not
 * depend on the text either. */
static void
test_no_width (void)
{
  GtkWidget *short_text = g_object_ref_sink (pt_graph_text_new ("GPU"));
  GtkWidget *long_text = g_object_ref_sink (pt_graph_text_new (LONG_TEXT));
  int min, nat;

  gtk_widget_measure (long_text, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_assert_cmpint (min, ==, 0);
  g_assert_cmpint (nat, ==, 0);
  g_assert_true (gtk_widget_get_hexpand (long_text));
  g_assert_cmpint (height_of (short_text), ==, height_of (long_text));

  g_object_unref (short_text);
  g_object_unref (long_text);
}

/* Drawn on one line: ellipsized when narrow, whole when wide. */
static void
test_draw (void)
{
  GtkWidget *narrow = pt_graph_text_new (LONG_TEXT);
  GtkWidget *wide = pt_graph_text_new (LONG_TEXT);
  float width;
  guint whole, glyphs;

  /* Every character, but "fi" may be one glyph. */
  whole = draw (wide, 2000, &width);
  g_assert_cmpuint (whole, >=, g_utf8_strlen (LONG_TEXT, -1) - 2);
  g_assert_cmpuint (whole, <=, g_utf8_strlen (LONG_TEXT, -1));

  glyphs = draw (narrow, 120, &width);
  g_test_message ("at 120 px: %u glyphs of %u, %.1f px", glyphs, whole, width);
  g_assert_cmpuint (glyphs, <, whole / 2);
  g_assert_cmpuint (glyphs, >, 3);
  g_assert_cmpfloat (width, <=, 121);
}

/* At the start of the line in either direction, as a GtkLabel with xalign
 * 0: on the right in a right-to-left window. */
static void
test_direction (void)
{
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *text = pt_graph_text_new ("GPU");
      g_autoptr(GPtrArray) runs = NULL;
      graphene_rect_t bounds;
      float width;

      gtk_widget_set_direction (text, i == 0 ? GTK_TEXT_DIR_LTR : GTK_TEXT_DIR_RTL);
      draw_runs (text, 1000, &width, &runs);
      gsk_render_node_get_bounds (g_ptr_array_index (runs, 0), &bounds);
      g_test_message ("%s: text from %.1f to %.1f", i == 0 ? "ltr" : "rtl",
                      bounds.origin.x, bounds.origin.x + bounds.size.width);
      if (i == 0)
        g_assert_cmpfloat (bounds.origin.x, <, 10);
      else
        g_assert_cmpfloat (bounds.origin.x + bounds.size.width, >, 990);
    }
}

/* A node dims what a function is after its group, as a .dim-label would:
 * the text's colour at 0.55 of its alpha, whatever the style's colour is.
 * The accessible label is the whole line. */
static void
test_aside (void)
{
  const char *schemes[] = { "light", "dark" };

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      GtkWidget *text = pt_graph_text_new_with_aside ("Group 8", "Audio & video");
      g_autoptr(GPtrArray) runs = NULL;
      const GdkRGBA *plain, *dim;
      float width;

      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          i == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT : ADW_COLOR_SCHEME_FORCE_DARK);
      g_assert_cmpstr (pt_graph_text_get_text (PT_GRAPH_TEXT (text)), ==, "Group 8\xe2\x80\x82" "Audio & video");
      g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (text)), ==, GTK_ACCESSIBLE_ROLE_LABEL);
      g_assert_cmpuint (draw_runs (text, 2000, &width, &runs), ==, g_utf8_strlen ("Group 8 Audio & video", -1));
      g_assert_cmpuint (runs->len, ==, 2);
      plain = gsk_text_node_get_color (g_ptr_array_index (runs, 0));
      dim = gsk_text_node_get_color (g_ptr_array_index (runs, 1));
      g_test_message ("%s: text alpha %.3f, aside alpha %.3f", schemes[i], plain->alpha, dim->alpha);
      g_assert_cmpfloat_with_epsilon (dim->alpha, plain->alpha * 0.55, 0.001);
      g_assert_cmpfloat (dim->red, ==, plain->red);
      g_assert_cmpfloat (dim->blue, ==, plain->blue);
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Without an aside, the text alone. */
  {
    GtkWidget *text = g_object_ref_sink (pt_graph_text_new_with_aside ("Group 8", NULL));

    g_assert_cmpstr (pt_graph_text_get_text (PT_GRAPH_TEXT (text)), ==, "Group 8");
    g_object_unref (text);
  }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/graph-text/height", test_height);
  g_test_add_func ("/graph-text/no-width", test_no_width);
  g_test_add_func ("/graph-text/draw", test_draw);
  g_test_add_func ("/graph-text/direction", test_direction);
  g_test_add_func ("/graph-text/aside", test_aside);

  return g_test_run ();
}
