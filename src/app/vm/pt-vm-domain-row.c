/* pt-vm-domain-row.c: a libvirt domain as a choosable row. The subtitle
 * says what choosing it means: a running domain gets the GPU at its next
 * start, a transient one cannot be changed at all. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-mnemonic.h"
#include "pt-vm-domain-row.h"

struct _PtVmDomainRow
{
  AdwActionRow    parent_instance;

  GtkCheckButton *check;
  GtkImage       *has_plan_icon;
  GtkButton      *remove_button;

  char           *name;
  PtVmState       state;
  gboolean        has_plan;
  gboolean        usable;
};

G_DEFINE_FINAL_TYPE (PtVmDomainRow, pt_vm_domain_row, ADW_TYPE_ACTION_ROW)

enum {
  TOGGLED,
  REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
toggled_cb (PtVmDomainRow *self)
{
  g_signal_emit (self, signals[TOGGLED], 0);
}

static void
remove_clicked_cb (PtVmDomainRow *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

static void
pt_vm_domain_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_VM_DOMAIN_ROW);

  G_OBJECT_CLASS (pt_vm_domain_row_parent_class)->dispose (object);
}

static void
pt_vm_domain_row_finalize (GObject *object)
{
  PtVmDomainRow *self = PT_VM_DOMAIN_ROW (object);

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (pt_vm_domain_row_parent_class)->finalize (object);
}

static void
pt_vm_domain_row_class_init (PtVmDomainRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_vm_domain_row_dispose;
  object_class->finalize = pt_vm_domain_row_finalize;

  /* The radio button was toggled (on or off). */
  signals[TOGGLED] = g_signal_new ("toggled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* "Remove GPU…" was clicked. */
  signals[REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/vm/pt-vm-domain-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PtVmDomainRow, check);
  gtk_widget_class_bind_template_child (widget_class, PtVmDomainRow, has_plan_icon);
  gtk_widget_class_bind_template_child (widget_class, PtVmDomainRow, remove_button);
  gtk_widget_class_bind_template_callback (widget_class, toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
pt_vm_domain_row_init (PtVmDomainRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pt_mnemonic_fix_buttons (GTK_WIDGET (self));
}

static char *
describe (const PtVmDomainInfo *info)
{
  const char *state;

  switch (info->state)
    {
    case PT_VM_STATE_RUNNING:
      state = _("Running");
      break;
    case PT_VM_STATE_PAUSED:
      state = _("Paused");
      break;
    case PT_VM_STATE_OFF:
      state = C_("VM state", "Off");
      break;
    case PT_VM_STATE_OTHER:
    default:
      state = _("Not running");
      break;
    }

  if (!info->persistent)
    /* Translators: %s is a VM state such as "Running". */
    return g_strdup_printf (_("%s · transient: it has no stored definition to change"), state);
  if (info->has_plan)
    /* Translators: %s is a VM state such as "Running". */
    return g_strdup_printf (_("%s · has the GPU already"), state);
  if (pt_vm_state_is_active (info->state))
    /* Translators: %s is a VM state such as "Running". */
    return g_strdup_printf (_("%s · the GPU is added at its next start"), state);
  return g_strdup (state);
}

GtkWidget *
pt_vm_domain_row_new (const PtVmDomainInfo *info,
                      GtkCheckButton       *group)
{
  PtVmDomainRow *self;
  g_autofree char *subtitle = NULL;
  g_autofree char *remove_label = NULL;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (GTK_IS_CHECK_BUTTON (group), NULL);

  self = g_object_new (PT_TYPE_VM_DOMAIN_ROW, NULL);
  self->name = g_strdup (info->name);
  self->state = info->state;
  self->has_plan = info->has_plan;
  self->usable = info->persistent;

  subtitle = describe (info);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), info->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  /* Domain names are the user's, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self), FALSE);

  gtk_check_button_set_group (self->check, group);

  gtk_widget_set_visible (GTK_WIDGET (self->has_plan_icon), info->has_plan);
  gtk_widget_set_visible (GTK_WIDGET (self->remove_button), info->has_plan && info->persistent);
  /* Translators: the accessible name of a button; %s is a VM name. */
  remove_label = g_strdup_printf (_("Remove GPU from %s"), info->name);
  /* One name, not joined with the mnemonic label's (GTK 4.8). */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->remove_button),
                                 GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);

  gtk_widget_set_sensitive (GTK_WIDGET (self->check), info->persistent);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), info->persistent);

  return GTK_WIDGET (self);
}

const char *
pt_vm_domain_row_get_name (PtVmDomainRow *self)
{
  g_return_val_if_fail (PT_IS_VM_DOMAIN_ROW (self), NULL);

  return self->name;
}

PtVmState
pt_vm_domain_row_get_state (PtVmDomainRow *self)
{
  g_return_val_if_fail (PT_IS_VM_DOMAIN_ROW (self), PT_VM_STATE_OTHER);

  return self->state;
}

gboolean
pt_vm_domain_row_get_has_plan (PtVmDomainRow *self)
{
  g_return_val_if_fail (PT_IS_VM_DOMAIN_ROW (self), FALSE);

  return self->has_plan;
}

gboolean
pt_vm_domain_row_get_usable (PtVmDomainRow *self)
{
  g_return_val_if_fail (PT_IS_VM_DOMAIN_ROW (self), FALSE);

  return self->usable;
}

gboolean
pt_vm_domain_row_get_active (PtVmDomainRow *self)
{
  g_return_val_if_fail (PT_IS_VM_DOMAIN_ROW (self), FALSE);

  return gtk_check_button_get_active (self->check);
}

void
pt_vm_domain_row_set_active (PtVmDomainRow *self,
                             gboolean       active)
{
  g_return_if_fail (PT_IS_VM_DOMAIN_ROW (self));

  gtk_check_button_set_active (self->check, active);
}
