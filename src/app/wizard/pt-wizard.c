/* pt-wizard.c: placeholder until the wizard lands. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-wizard.h"

struct _PtWizard
{
  AdwBin       parent_instance;
  PtSelection *selection;
};

G_DEFINE_FINAL_TYPE (PtWizard, pt_wizard, ADW_TYPE_BIN)

static void
pt_wizard_dispose (GObject *object)
{
  PtWizard *self = PT_WIZARD (object);

  g_clear_object (&self->selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_WIZARD);

  G_OBJECT_CLASS (pt_wizard_parent_class)->dispose (object);
}

static void
pt_wizard_class_init (PtWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_wizard_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/passthrough/Passthrough/wizard/pt-wizard.ui");
}

static void
pt_wizard_init (PtWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PtSelection *
pt_wizard_get_selection (PtWizard *self)
{
  g_return_val_if_fail (PT_IS_WIZARD (self), NULL);

  return self->selection;
}

void
pt_wizard_set_selection (PtWizard      *self,
                          PtSelection *selection)
{
  g_return_if_fail (PT_IS_WIZARD (self));

  g_set_object (&self->selection, selection);
}
