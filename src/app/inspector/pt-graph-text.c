/* pt-graph-text.c: one line of a graph node's text, ellipsized at its end.
 *
 * A node is always as wide as the graph's column, so no line needs to say
 * how wide its text is: this widget asks for no width and takes its height
 * from its font's metrics, which are kept per font for every line. Measuring
 * a node therefore lays out no text; a line lays its text out when it is
 * first drawn, at the width it is drawn at.
 *
 * GtkLabel lays its text out to measure it, and GtkInscription (GTK 4.8),
 * which also measures from metrics, asks Pango for them at every measure,
 * and Pango shapes a sample sentence each time. Measuring the 19 nodes of
 * the inspector's first frame on the bench's server took 36 million
 * instructions with GtkLabel, 20 million with GtkInscription and 14 million
 * with this (callgrind); what is left is their style. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <math.h>
#include <string.h>

#include "pt-graph-text.h"

/* libadwaita's .dim-label opacity */
#define DIM_OPACITY 0.55

struct _PtGraphText
{
  GtkWidget    parent_instance;

  char        *text;
  int          aside;    /* byte offset of the dimmed part, or -1 */
  PangoLayout *layout;   /* made when first drawn */
};

G_DEFINE_FINAL_TYPE (PtGraphText, pt_graph_text, GTK_TYPE_WIDGET)

/* The height of a line in a font, by font, resolution and font options:
 * what Pango's font metrics give, as GtkInscription computes it. */
static int
line_height (GtkWidget *widget)
{
  static GHashTable *heights;   /* char * → height + 1 */
  PangoContext *context = gtk_widget_get_pango_context (widget);
  const PangoFontDescription *desc = pango_context_get_font_description (context);
  const cairo_font_options_t *options = pango_cairo_context_get_font_options (context);
  g_autofree char *font = pango_font_description_to_string (desc);
  g_autofree char *key = g_strdup_printf ("%s|%g|%lu", font, pango_cairo_context_get_resolution (context),
                                          options != NULL ? cairo_font_options_hash (options) : 0UL);
  PangoFontMetrics *metrics;
  g_autoptr(PangoFont) loaded = NULL;
  int height;

  if (heights == NULL)
    heights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  height = GPOINTER_TO_INT (g_hash_table_lookup (heights, key));
  if (height > 0)
    return height - 1;

  loaded = pango_context_load_font (context, desc);
  if (loaded == NULL)
    return 0;
  metrics = pango_font_get_metrics (loaded, pango_context_get_language (context));
  height = PANGO_PIXELS_CEIL (pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics));
  pango_font_metrics_unref (metrics);
  g_hash_table_insert (heights, g_steal_pointer (&key), GINT_TO_POINTER (height + 1));
  return height;
}

static void
pt_graph_text_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 0;
  else
    *minimum = *natural = line_height (widget);
}

static void
pt_graph_text_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  PtGraphText *self = PT_GRAPH_TEXT (widget);
  int width = gtk_widget_get_width (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  PangoRectangle logical;

  if (self->text == NULL || self->text[0] == '\0' || width <= 0)
    return;

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (widget, self->text);
      if (self->aside >= 0)
        {
          PangoAttrList *attrs = pango_attr_list_new ();
          PangoAttribute *alpha;
          GdkRGBA color;

          /* Dimmed as a .dim-label is: its opacity times the colour's. */
          G_GNUC_BEGIN_IGNORE_DEPRECATIONS
          gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
          G_GNUC_END_IGNORE_DEPRECATIONS
          alpha = pango_attr_foreground_alpha_new ((guint16) CLAMP (color.alpha * DIM_OPACITY * 65535.0, 1.0, 65535.0));
          alpha->start_index = (guint) self->aside;
          pango_attr_list_insert (attrs, alpha);
          pango_layout_set_attributes (self->layout, attrs);
          pango_attr_list_unref (attrs);
        }
      pango_layout_set_alignment (self->layout, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
    }
  pango_layout_set_width (self->layout, width * PANGO_SCALE);
  pango_layout_get_pixel_extents (self->layout, NULL, &logical);

  /* Placed as GtkLabel places a label with xalign 0: at the start of the
   * line in either direction, whichever way the text itself runs. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_snapshot_render_layout (snapshot, gtk_widget_get_style_context (widget),
                              floor ((rtl ? width - logical.width : 0) - logical.x),
                              floor ((gtk_widget_get_height (widget) - logical.height) / 2.0),
                              self->layout);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* The font, colour or direction may have changed: lay out again. */
static void
pt_graph_text_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  PtGraphText *self = PT_GRAPH_TEXT (widget);

  GTK_WIDGET_CLASS (pt_graph_text_parent_class)->css_changed (widget, change);
  g_clear_object (&self->layout);
}

static void
pt_graph_text_direction_changed (GtkWidget        *widget,
                                 GtkTextDirection  previous)
{
  PtGraphText *self = PT_GRAPH_TEXT (widget);

  GTK_WIDGET_CLASS (pt_graph_text_parent_class)->direction_changed (widget, previous);
  g_clear_object (&self->layout);
}

static void
pt_graph_text_finalize (GObject *object)
{
  PtGraphText *self = PT_GRAPH_TEXT (object);

  g_clear_object (&self->layout);
  g_free (self->text);

  G_OBJECT_CLASS (pt_graph_text_parent_class)->finalize (object);
}

static void
pt_graph_text_class_init (PtGraphTextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = pt_graph_text_finalize;
  widget_class->measure = pt_graph_text_measure;
  widget_class->snapshot = pt_graph_text_snapshot;
  widget_class->css_changed = pt_graph_text_css_changed;
  widget_class->direction_changed = pt_graph_text_direction_changed;

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
pt_graph_text_init (PtGraphText *self)
{
  self->aside = -1;
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
pt_graph_text_new (const char *text)
{
  return pt_graph_text_new_with_aside (text, NULL);
}

/* "Group 8  Non-Volatile memory controller": @text, then @aside dimmed as
 * a .dim-label would be, an en space (half the font's size) apart. */
GtkWidget *
pt_graph_text_new_with_aside (const char *text,
                              const char *aside)
{
  PtGraphText *self = g_object_new (PT_TYPE_GRAPH_TEXT, NULL);

  if (aside != NULL && aside[0] != '\0')
    {
      self->text = g_strconcat (text, "\u2002", aside, NULL);
      self->aside = (int) (strlen (self->text) - strlen (aside));
    }
  else
    self->text = g_strdup (text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->text, -1);
  return GTK_WIDGET (self);
}

const char *
pt_graph_text_get_text (PtGraphText *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_TEXT (self), NULL);

  return self->text;
}
