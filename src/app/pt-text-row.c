/* pt-text-row.c: a list row drawn as an AdwActionRow is (the same nodes
 * and style classes: row > box.header > box.prefixes, box.title >
 * label.title + label.subtitle, box.suffixes) that sets its labels up
 * itself.
 *
 * AdwActionRow wraps its labels at any character and gives them no
 * minimum width, so GTK finds a label's minimum width by laying its text
 * out one character per line, each line shaped on its own; and its title
 * box is a GtkBox, which makes the row's header search for its height (see
 * pt-text-stack.c). On the bench's 64-GPU server, a plan warning naming
 * 250 cards made ticking a GPU take 0.45 to 0.6 s to the next frame, all
 * of it laying out that one label again and again. Here a short text
 * stays on one line, a long one wraps at words (or, for a word longer than
 * a line, at characters) and is at least WRAP_MIN_CHARS wide, and the
 * title and subtitle sit in a PtTextStack.
 *
 * Like an AdwActionRow in a list box, an activatable row emits ::activated
 * when it is clicked or Enter or Space is pressed on it. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <string.h>

#include "pt-text-row.h"
#include "pt-text-stack.h"

/* Texts of up to this many characters (and no line break) do not wrap. */
#define ONE_LINE_CHARS 24
/* A wrapping text is never narrower than this many characters. */
#define WRAP_MIN_CHARS 12

typedef struct
{
  GtkWidget *prefixes;
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *suffixes;
  GtkWidget *list;      /* the list box whose ::row-activated we follow */
} PtTextRowPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (PtTextRow, pt_text_row, ADW_TYPE_PREFERENCES_ROW)

enum {
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
row_activated_cb (GtkListBox    *list,
                  GtkListBoxRow *row,
                  PtTextRow     *self)
{
  if (row == GTK_LIST_BOX_ROW (self))
    g_signal_emit (self, signals[ACTIVATED], 0);
}

static void
follow_list (PtTextRow *self)
{
  PtTextRowPrivate *priv = pt_text_row_get_instance_private (self);
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  if (priv->list != NULL)
    g_signal_handlers_disconnect_by_func (priv->list, row_activated_cb, self);
  priv->list = GTK_IS_LIST_BOX (parent) ? parent : NULL;
  if (priv->list != NULL)
    g_signal_connect (priv->list, "row-activated", G_CALLBACK (row_activated_cb), self);
}

/* Sets @label to @text and wraps it only if it is long. */
static void
set_label_text (GtkWidget  *label,
                const char *text)
{
  gboolean wrap;

  text = text != NULL ? text : "";
  wrap = strchr (text, '\n') != NULL || g_utf8_strlen (text, -1) > ONE_LINE_CHARS;
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_wrap (GTK_LABEL (label), wrap);
  gtk_label_set_width_chars (GTK_LABEL (label), wrap ? WRAP_MIN_CHARS : -1);
  gtk_widget_set_visible (label, text[0] != '\0');
}

static GtkWidget *
label_new (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
side_box_new (const char *css_class)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_widget_add_css_class (box, css_class);
  gtk_widget_set_visible (box, FALSE);
  return box;
}

static void
pt_text_row_dispose (GObject *object)
{
  PtTextRow *self = PT_TEXT_ROW (object);
  PtTextRowPrivate *priv = pt_text_row_get_instance_private (self);

  if (priv->list != NULL)
    g_signal_handlers_disconnect_by_func (priv->list, row_activated_cb, self);
  priv->list = NULL;

  G_OBJECT_CLASS (pt_text_row_parent_class)->dispose (object);
}

static void
pt_text_row_class_init (PtTextRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_text_row_dispose;

  /**
   * PtTextRow::activated:
   *
   * The row, activatable and in a list box, was clicked, or Enter or
   * Space was pressed on it.
   */
  signals[ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pt_text_row_init (PtTextRow *self)
{
  PtTextRowPrivate *priv = pt_text_row_get_instance_private (self);
  GtkWidget *header, *texts;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), FALSE);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (header, "header");
  gtk_widget_set_valign (header, GTK_ALIGN_CENTER);

  priv->prefixes = side_box_new ("prefixes");
  gtk_box_append (GTK_BOX (header), priv->prefixes);

  texts = pt_text_stack_new ();
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (texts, TRUE);
  priv->title = label_new ("title");
  priv->subtitle = label_new ("subtitle");
  pt_text_stack_append (PT_TEXT_STACK (texts), priv->title);
  pt_text_stack_append (PT_TEXT_STACK (texts), priv->subtitle);
  gtk_box_append (GTK_BOX (header), texts);

  priv->suffixes = side_box_new ("suffixes");
  gtk_box_append (GTK_BOX (header), priv->suffixes);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), header);

  /* As an AdwActionRow: named by its title, described by its subtitle. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, priv->title, NULL,
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, priv->subtitle, NULL,
                                  -1);

  g_signal_connect (self, "notify::parent", G_CALLBACK (follow_list), NULL);
}

/**
 * pt_text_row_new:
 * @title: the row's title, plain text
 * @subtitle: (nullable): the text under it, plain text
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
pt_text_row_new (const char *title,
                 const char *subtitle)
{
  PtTextRow *self;

  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (PT_TYPE_TEXT_ROW, NULL);
  pt_text_row_set_texts (self, title, subtitle);
  return GTK_WIDGET (self);
}

/**
 * pt_text_row_set_texts:
 * @self: a row
 * @title: the row's title, plain text
 * @subtitle: (nullable): the text under it, plain text
 */
void
pt_text_row_set_texts (PtTextRow  *self,
                       const char *title,
                       const char *subtitle)
{
  PtTextRowPrivate *priv;
  g_autofree char *escaped = NULL;

  g_return_if_fail (PT_IS_TEXT_ROW (self));
  g_return_if_fail (title != NULL);

  priv = pt_text_row_get_instance_private (self);
  /* AdwPreferencesRow's title is markup (it is what a preferences window
   * searches); the labels here are plain text. */
  escaped = g_markup_escape_text (title, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), escaped);
  set_label_text (priv->title, title);
  set_label_text (priv->subtitle, subtitle);
}

static void
add_to_side (PtTextRow *self,
             gboolean   prefix,
             GtkWidget *widget)
{
  PtTextRowPrivate *priv = pt_text_row_get_instance_private (self);
  GtkWidget *box = prefix ? priv->prefixes : priv->suffixes;

  gtk_box_append (GTK_BOX (box), widget);
  gtk_widget_set_visible (box, TRUE);
}

/**
 * pt_text_row_add_prefix:
 * @self: a row
 * @widget: a widget to put before the texts
 */
void
pt_text_row_add_prefix (PtTextRow *self,
                        GtkWidget *widget)
{
  g_return_if_fail (PT_IS_TEXT_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  add_to_side (self, TRUE, widget);
}

/**
 * pt_text_row_add_suffix:
 * @self: a row
 * @widget: a widget to put after the texts
 */
void
pt_text_row_add_suffix (PtTextRow *self,
                        GtkWidget *widget)
{
  g_return_if_fail (PT_IS_TEXT_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  add_to_side (self, FALSE, widget);
}

/**
 * pt_text_row_add_icon:
 * @self: a row
 * @icon_name: a symbolic icon's name
 * @css_class: (nullable): a style class for it, such as "warning"
 *
 * Puts an icon before the texts. It is hidden from screen readers (it
 * says what the text says) until the caller names it.
 *
 * Returns: (transfer none): the icon
 */
GtkWidget *
pt_text_row_add_icon (PtTextRow  *self,
                      const char *icon_name,
                      const char *css_class)
{
  GtkWidget *icon;

  g_return_val_if_fail (PT_IS_TEXT_ROW (self), NULL);
  g_return_val_if_fail (icon_name != NULL, NULL);

  icon = gtk_image_new_from_icon_name (icon_name);
  if (css_class != NULL)
    gtk_widget_add_css_class (icon, css_class);
  gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  pt_text_row_add_prefix (self, icon);
  return icon;
}
