/* pt-inspector.c: placeholder until the inspector lands. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-inspector.h"

struct _PtInspector
{
  AdwBin       parent_instance;
  PtSelection *selection;
};

G_DEFINE_FINAL_TYPE (PtInspector, pt_inspector, ADW_TYPE_BIN)

static void
pt_inspector_dispose (GObject *object)
{
  PtInspector *self = PT_INSPECTOR (object);

  g_clear_object (&self->selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_INSPECTOR);

  G_OBJECT_CLASS (pt_inspector_parent_class)->dispose (object);
}

static void
pt_inspector_class_init (PtInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_inspector_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/passthrough/Passthrough/inspector/pt-inspector.ui");
}

static void
pt_inspector_init (PtInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PtSelection *
pt_inspector_get_selection (PtInspector *self)
{
  g_return_val_if_fail (PT_IS_INSPECTOR (self), NULL);

  return self->selection;
}

void
pt_inspector_set_selection (PtInspector      *self,
                          PtSelection *selection)
{
  g_return_if_fail (PT_IS_INSPECTOR (self));

  g_set_object (&self->selection, selection);
}
