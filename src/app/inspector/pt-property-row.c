/* pt-property-row.c: a row of the details pane: a name with its value
 * under it and a copy icon. Activating the row (a click, Enter or Space)
 * emits ::activated, as an AdwActionRow does when it sits in a list box.
 *
 * It is drawn as an AdwActionRow is (the same nodes and style classes:
 * row > box.header > box.title > label.title + label.subtitle, then the
 * icon) but sets its labels up itself. AdwActionRow wraps its labels at
 * any character, and GTK finds such a label's minimum width by laying the
 * text out one character per line, each line shaped on its own: for the
 * dozen rows of a device, rebuilt at every arrow key in the graph, that
 * was most of the pane's cost. Here a short text stays on one line, and a
 * long one wraps at words, at least WRAP_MIN_CHARS wide. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pt-property-row.h"

/* Texts of up to this many characters (and no line break) do not wrap:
 * they fit the pane at any width it takes. */
#define ONE_LINE_CHARS 24
/* A wrapping text is never narrower than this many characters. */
#define WRAP_MIN_CHARS 16

struct _PtPropertyRow
{
  AdwPreferencesRow  parent_instance;

  char              *value;
  GtkWidget         *list;      /* the list box whose ::row-activated we follow */
};

G_DEFINE_FINAL_TYPE (PtPropertyRow, pt_property_row, ADW_TYPE_PREFERENCES_ROW)

enum {
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
row_activated_cb (GtkListBox    *list,
                  GtkListBoxRow *row,
                  PtPropertyRow *self)
{
  if (row == GTK_LIST_BOX_ROW (self))
    g_signal_emit (self, signals[ACTIVATED], 0);
}

static void
follow_list (PtPropertyRow *self)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_func (self->list, row_activated_cb, self);
  self->list = GTK_IS_LIST_BOX (parent) ? parent : NULL;
  if (self->list != NULL)
    g_signal_connect (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
}

static GtkWidget *
text_label_new (const char *text,
                const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, css_class);
  if (strchr (text, '\n') != NULL || g_utf8_strlen (text, -1) > ONE_LINE_CHARS)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_width_chars (GTK_LABEL (label), WRAP_MIN_CHARS);
    }
  return label;
}

static void
pt_property_row_dispose (GObject *object)
{
  PtPropertyRow *self = PT_PROPERTY_ROW (object);

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_func (self->list, row_activated_cb, self);
  self->list = NULL;

  G_OBJECT_CLASS (pt_property_row_parent_class)->dispose (object);
}

static void
pt_property_row_finalize (GObject *object)
{
  PtPropertyRow *self = PT_PROPERTY_ROW (object);

  g_free (self->value);

  G_OBJECT_CLASS (pt_property_row_parent_class)->finalize (object);
}

static void
pt_property_row_class_init (PtPropertyRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pt_property_row_dispose;
  object_class->finalize = pt_property_row_finalize;

  /**
   * PtPropertyRow::activated:
   *
   * The row was clicked, or Enter or Space was pressed on it.
   */
  signals[ACTIVATED] = g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pt_property_row_init (PtPropertyRow *self)
{
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
  g_signal_connect (self, "notify::parent", G_CALLBACK (follow_list), NULL);
}

GtkWidget *
pt_property_row_new (const char *title,
                     const char *value)
{
  PtPropertyRow *self;
  g_autofree char *escaped = NULL;
  g_autofree char *name = NULL;
  GtkWidget *header, *texts, *icon;

  g_return_val_if_fail (title != NULL && value != NULL, NULL);

  self = g_object_new (PT_TYPE_PROPERTY_ROW, NULL);
  self->value = g_strdup (value);
  escaped = g_markup_escape_text (title, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), escaped);

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (header, "header");
  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (texts, "title");
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), text_label_new (title, "title"));
  gtk_box_append (GTK_BOX (texts), text_label_new (value, "subtitle"));
  gtk_box_append (GTK_BOX (header), texts);
  icon = g_object_new (GTK_TYPE_IMAGE,
                       "icon-name", "edit-copy-symbolic",
                       "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                       NULL);
  gtk_widget_add_css_class (icon, "dim-label");
  gtk_box_append (GTK_BOX (header), icon);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), header);

  /* Translators: a details row as a screen reader says it: "Address: 0000:01:00.0". */
  name = g_strdup_printf (_("%s: %s"), title, value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Activate to copy the value"),
                                  -1);
  return GTK_WIDGET (self);
}

const char *
pt_property_row_get_value (PtPropertyRow *self)
{
  g_return_val_if_fail (PT_IS_PROPERTY_ROW (self), NULL);

  return self->value;
}
