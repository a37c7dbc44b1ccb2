/* pt-graph-node.c: one node of the topology graph: a real, focusable widget
 * with the function's name, address, IDs, driver and, for a GPU, the
 * verdict and a tick box. Space or Enter ticks a GPU; the accessible name
 * says what a sighted user reads off the node. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-graph-node.h"
#include "pt-graph-text.h"
#include "pt-tooltip.h"

struct _PtGraphNode
{
  GtkWidget       parent_instance;

  int             index;
  PtDevice       *device;
  GtkWidget      *box;
  GtkCheckButton *check;
  gboolean        ticked;
};

G_DEFINE_FINAL_TYPE (PtGraphNode, pt_graph_node, GTK_TYPE_WIDGET)

enum {
  TICK_TOGGLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
pt_graph_isolation_label (PtIsolation isolation)
{
  switch (isolation)
    {
    case PT_ISOLATION_CLEAN:
      /* Translators: a GPU's IOMMU group holds nothing else. */
      return C_("verdict", "Clean");
    case PT_ISOLATION_SHARED:
      /* Translators: a GPU's IOMMU group holds other devices. */
      return C_("verdict", "Shared");
    case PT_ISOLATION_UNKNOWN:
    default:
      /* Translators: the IOMMU is off, so there is no group to judge. */
      return C_("verdict", "No group");
    }
}

/* "GeForce GTX 970, 01:00.0, group 1, clean, boot display" */
char *
pt_graph_dup_device_label (PtDevice *device,
                           PtGpu    *gpu)
{
  g_autofree char *name = pt_device_dup_display_name (device);
  GString *s = g_string_new (name);
  const char *address = pt_device_get_address (device);
  int group = pt_device_get_iommu_group (device);

  /* The short address people read in lspci; the domain is nearly always 0. */
  if (g_str_has_prefix (address, "0000:"))
    address += 5;
  g_string_append_printf (s, ", %s", address);
  if (group >= 0)
    /* Translators: part of a device's accessible name: "…, group 12". */
    g_string_append_printf (s, _(", group %d"), group);
  else
    g_string_append (s, _(", no IOMMU group"));
  if (gpu != NULL)
    {
      /* Whole fragments, not the verdict's label lowercased: not every
       * language lowercases a word in the middle of a sentence. */
      switch (gpu->isolation)
        {
        case PT_ISOLATION_CLEAN:
          /* Translators: part of a GPU's accessible name: "…, group 1, clean". */
          g_string_append (s, C_("accessible name", ", clean"));
          break;
        case PT_ISOLATION_SHARED:
          /* Translators: part of a GPU's accessible name: "…, group 1, shared". */
          g_string_append (s, C_("accessible name", ", shared"));
          break;
        case PT_ISOLATION_UNKNOWN:
        default:
          /* Translators: part of a GPU's accessible name when the IOMMU is off. */
          g_string_append (s, C_("accessible name", ", no group to judge"));
          break;
        }
      if (pt_device_get_boot_vga (device) == PT_TRISTATE_YES)
        g_string_append (s, _(", boot display"));
    }
  return g_string_free (s, FALSE);
}

static void
check_toggled_cb (GtkCheckButton *check,
                  PtGraphNode    *self)
{
  gboolean active = gtk_check_button_get_active (check);

  if (active == self->ticked)
    return;
  self->ticked = active;
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_CHECKED, active, -1);
  g_signal_emit (self, signals[TICK_TOGGLED], 0, active);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                PtGraphNode           *self)
{
  if (self->check == NULL || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
      gtk_check_button_set_active (self->check, !self->ticked);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            PtGraphNode     *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
pt_graph_node_dispose (GObject *object)
{
  PtGraphNode *self = PT_GRAPH_NODE (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->check = NULL;

  G_OBJECT_CLASS (pt_graph_node_parent_class)->dispose (object);
}

static void
pt_graph_node_class_init (PtGraphNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_graph_node_dispose;

  /* The user ticked or unticked the GPU (not emitted by set_ticked()). */
  signals[TICK_TOGGLED] =
    g_signal_new ("tick-toggled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ptgraphnode");
}

static void
pt_graph_node_init (PtGraphNode *self)
{
  GtkGesture *click;
  GtkEventController *keys;

  self->index = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

/* Node text is a PtGraphText, which is measured from its font alone, so
 * only the nodes on screen lay their text out, once, when drawn. GtkLabel
 * is kept where a width must follow the text: the group beside a GPU's
 * verdict pills. */
static void
add_text (GtkWidget  *box,
          const char *text,
          const char *aside,
          const char *css_class)
{
  GtkWidget *line = pt_graph_text_new_with_aside (text, aside);

  if (css_class != NULL)
    gtk_widget_add_css_class (line, css_class);
  gtk_box_append (GTK_BOX (box), line);
}

static GtkWidget *
add_label (GtkWidget  *box,
           const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  return label;
}

GtkWidget *
pt_graph_node_new (int         index,
                   PtDevice   *device,
                   const char *bus,
                   PtGpu      *gpu)
{
  PtGraphNode *self;
  GtkWidget *title_box;
  g_autofree char *label = NULL;

  self = g_object_new (PT_TYPE_GRAPH_NODE,
                       "accessible-role", gpu != NULL ? GTK_ACCESSIBLE_ROLE_CHECKBOX : GTK_ACCESSIBLE_ROLE_BUTTON,
                       NULL);
  self->index = index;
  self->device = device;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_valign (self->box, GTK_ALIGN_CENTER);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  if (device == NULL)
    {
      /* Translators: the top of a PCI tree; %s is "0000:00". */
      label = g_strdup_printf (_("PCI root bus %s"), bus);
      add_text (self->box, label, NULL, "heading");
      add_text (self->box, _("Host bridge"), NULL, "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self), "bus");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      return GTK_WIDGET (self);
    }
  else
    {
      g_autofree char *name = pt_device_dup_display_name (device);
      g_autofree char *ids = pt_device_dup_ids (device);
      g_autofree char *info = NULL;
      g_autofree char *group_text = NULL;
      const char *address = pt_device_get_address (device);
      const char *driver = pt_device_get_driver (device);
      int group = pt_device_get_iommu_group (device);

      if (group >= 0)
        group_text = g_strdup_printf (_("Group %d"), group);
      else
        group_text = g_strdup (_("No IOMMU group"));

      if (gpu != NULL)
        {
          title_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          gtk_box_append (GTK_BOX (self->box), title_box);
          self->check = GTK_CHECK_BUTTON (gtk_check_button_new ());
          /* The node itself takes focus and Space; the box is for the mouse. */
          gtk_widget_set_focusable (GTK_WIDGET (self->check), FALSE);
          pt_tooltip_set_text (GTK_WIDGET (self->check), _("Pass this GPU through"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (self->check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Pass this GPU through"), -1);
          g_signal_connect (self->check, "toggled", G_CALLBACK (check_toggled_cb), self);
          gtk_box_append (GTK_BOX (title_box), GTK_WIDGET (self->check));
          gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_CHECKED, FALSE, -1);
          gtk_widget_add_css_class (GTK_WIDGET (self), "gpu");
          add_text (title_box, name, NULL, "heading");
        }
      else
        add_text (self->box, name, NULL, "heading");

      if (g_str_has_prefix (address, "0000:"))
        address += 5;
      info = g_strdup_printf ("%s · %s · %s", address, ids, driver != NULL ? driver : _("no driver"));
      add_text (self->box, info, NULL, "caption");

      if (gpu != NULL)
        {
          GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          GtkWidget *verdict;

          gtk_box_append (GTK_BOX (self->box), line);
          add_label (line, group_text, "caption");
          verdict = add_label (line, pt_graph_isolation_label (gpu->isolation), "verdict");
          gtk_widget_add_css_class (verdict, pt_isolation_to_string (gpu->isolation));
          gtk_widget_add_css_class (verdict, "caption-heading");
          if (pt_device_get_boot_vga (device) == PT_TRISTATE_YES)
            {
              GtkWidget *boot = add_label (line, _("Boot display"), "verdict");
              gtk_widget_add_css_class (boot, "boot");
              gtk_widget_add_css_class (boot, "caption-heading");
            }
        }
      else
        {
          if (pt_device_is_bridge (device))
            {
              add_text (self->box, group_text, _("Bridge"), "caption");
              gtk_widget_add_css_class (GTK_WIDGET (self), "bridge");
            }
          else
            add_text (self->box, group_text, pt_device_get_class_name (device), "caption");
        }

      label = pt_graph_dup_device_label (device, gpu);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      pt_tooltip_set_text (GTK_WIDGET (self), label);
    }

  return GTK_WIDGET (self);
}

int
pt_graph_node_get_index (PtGraphNode *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_NODE (self), -1);

  return self->index;
}

PtDevice *
pt_graph_node_get_device (PtGraphNode *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_NODE (self), NULL);

  return self->device;
}

gboolean
pt_graph_node_get_ticked (PtGraphNode *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_NODE (self), FALSE);

  return self->ticked;
}

void
pt_graph_node_set_ticked (PtGraphNode *self,
                          gboolean     ticked)
{
  g_return_if_fail (PT_IS_GRAPH_NODE (self));

  if (self->check == NULL || self->ticked == ticked)
    return;
  self->ticked = ticked;
  g_signal_handlers_block_by_func (self->check, check_toggled_cb, self);
  gtk_check_button_set_active (self->check, ticked);
  g_signal_handlers_unblock_by_func (self->check, check_toggled_cb, self);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_CHECKED, ticked, -1);
}
