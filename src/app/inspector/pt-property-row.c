/* pt-property-row.c: a row of the details pane: a name with its value
 * under it and a copy icon (a PtTextRow, so that its texts cost little to
 * measure: the pane's dozen rows are rebuilt at every arrow key in the
 * graph). Activating the row (a click, Enter or Space) emits ::activated,
 * which the pane answers by copying the value. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-property-row.h"

struct _PtPropertyRow
{
  PtTextRow  parent_instance;

  char      *value;
};

G_DEFINE_FINAL_TYPE (PtPropertyRow, pt_property_row, PT_TYPE_TEXT_ROW)

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

  object_class->finalize = pt_property_row_finalize;
}

static void
pt_property_row_init (PtPropertyRow *self)
{
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
}

GtkWidget *
pt_property_row_new (const char *title,
                     const char *value)
{
  PtPropertyRow *self;
  g_autofree char *name = NULL;
  GtkWidget *icon;

  g_return_val_if_fail (title != NULL && value != NULL, NULL);

  self = g_object_new (PT_TYPE_PROPERTY_ROW, NULL);
  self->value = g_strdup (value);
  pt_text_row_set_texts (PT_TEXT_ROW (self), title, value);

  icon = g_object_new (GTK_TYPE_IMAGE,
                       "icon-name", "edit-copy-symbolic",
                       "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                       NULL);
  gtk_widget_add_css_class (icon, "dim-label");
  pt_text_row_add_suffix (PT_TEXT_ROW (self), icon);

  /* Named by both texts and described by what activating it does, not by
   * the title and the value apart. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);
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
