/* pt-device-details.c: the details pane of the inspector: IDs, class,
 * driver and the modules that would claim the function, its IOMMU group
 * and group mates, a GPU's companions and blockers, reset, ACS on the way
 * to the root, link, Resizable BAR and NUMA node. Each value can be
 * copied, for bug reports and forum threads. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-device-details.h"
#include "pt-graph-node.h"
#include "pt-property-row.h"
#include "pt-quirks.h"
#include "pt-tooltip.h"
#include "pt-window.h"

struct _PtDeviceDetails
{
  AdwBin              parent_instance;

  GtkStack           *stack;
  AdwPreferencesPage *page;

  PtHost             *host;
  PtDevice           *device;
  PtGpu              *gpu;      /* owned by the inspector, valid while device is set */
  GPtrArray          *groups;   /* AdwPreferencesGroup in the page */
  GdkFrameClock      *clock;
  gulong              after_paint_id;
  gboolean            rest_pending;   /* built once mapped, after its first frame */
};

G_DEFINE_FINAL_TYPE (PtDeviceDetails, pt_device_details, ADW_TYPE_BIN)

static void
row_activated_cb (PtPropertyRow *row,
                  gpointer       user_data)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (row));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (row)), pt_property_row_get_value (row));
  if (PT_IS_WINDOW (root))
    pt_window_add_toast (PT_WINDOW (root), _("Copied"));
}

/* The whole row copies its value (click, Enter or Space): one widget
 * fewer per row than a button, which matters when arrow keys walk the
 * graph and this pane is rebuilt at every step. */
static void
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = pt_property_row_new (title, value);

  pt_tooltip_set_text (row, _("Copy"));
  g_signal_connect (row, "activated", G_CALLBACK (row_activated_cb), NULL);
  adw_preferences_group_add (group, row);
}

static AdwPreferencesGroup *
add_group (PtDeviceDetails *self,
           const char      *title)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, title);
  adw_preferences_page_add (self->page, group);
  g_ptr_array_add (self->groups, group);
  return group;
}

static char *
short_address (PtDevice *device)
{
  const char *address = pt_device_get_address (device);

  return g_strdup (g_str_has_prefix (address, "0000:") ? address + 5 : address);
}

/* One line per device: "01:00.1 GM204 High Definition Audio (10de:0fbb)". */
static char *
dup_device_lines (GPtrArray *devices,
                  PtDevice  *skip)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *address = NULL;
      g_autofree char *name = NULL;
      g_autofree char *ids = NULL;

      if (device == skip)
        continue;
      address = short_address (device);
      name = pt_device_dup_display_name (device);
      ids = pt_device_dup_ids (device);
      if (s->len > 0)
        g_string_append_c (s, '\n');
      g_string_append_printf (s, "%s %s (%s)", address, name, ids);
    }
  return g_string_free (s, FALSE);
}

static const char *
yes_no (gboolean value)
{
  return value ? _("Yes") : _("No");
}

static char *
dup_link (const PtDeviceCaps *caps)
{
  const char *cur = pt_device_link_speed_string (caps->link_speed);
  const char *max = pt_device_link_speed_string (caps->link_speed_max);

  if (cur == NULL && max == NULL)
    return NULL;
  /* Translators: PCIe link, current then maximum: "8 GT/s x16 (max 16 GT/s x16)". */
  return g_strdup_printf (_("%s x%u (max %s x%u)"),
                          cur != NULL ? cur : "?", caps->link_width,
                          max != NULL ? max : "?", caps->link_width_max);
}

static char *
dup_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* Whether each bridge between the function and its root isolates with ACS;
 * a bridge without it lets the devices below it share a group. */
static char *
dup_acs_path (PtDevice *device)
{
  GString *s = g_string_new (NULL);

  for (PtDevice *up = pt_device_get_parent (device); up != NULL; up = pt_device_get_parent (up))
    {
      const PtDeviceCaps *caps = pt_device_get_caps (up);
      g_autofree char *address = short_address (up);
      const char *state;

      if (!caps->caps_known)
        state = _("unknown (config space not readable)");
      else if (pt_device_acs_isolates (up))
        state = _("isolates");
      else if (caps->has_acs)
        state = _("ACS present, not fully enabled");
      else
        state = _("no ACS");
      if (s->len > 0)
        g_string_append_c (s, '\n');
      /* Translators: "00:01.0: isolates" */
      g_string_append_printf (s, _("%s: %s"), address, state);
    }
  if (s->len == 0)
    g_string_append (s, _("On a root bus: no bridge above it"));
  return g_string_free (s, FALSE);
}

static void
clear_groups (PtDeviceDetails *self)
{
  for (guint i = 0; i < self->groups->len; i++)
    adw_preferences_page_remove (self->page, g_ptr_array_index (self->groups, i));
  g_ptr_array_set_size (self->groups, 0);
}

/* Long values wrap: the pane asks for a side pane's width, not for the
 * width of its longest line. (No layout manager, so these are used.) */
#define NATURAL_WIDTH 400

static void
pt_device_details_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  *minimum = *natural = 0;
  if (child != NULL)
    gtk_widget_measure (child, orientation, for_size, minimum, natural, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = MAX (*minimum, MIN (*natural, NATURAL_WIDTH));
}

static void
pt_device_details_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
cancel_rest (PtDeviceDetails *self)
{
  self->rest_pending = FALSE;
  if (self->after_paint_id != 0)
    g_signal_handler_disconnect (self->clock, self->after_paint_id);
  self->after_paint_id = 0;
  g_clear_object (&self->clock);
}

static void
pt_device_details_dispose (GObject *object)
{
  PtDeviceDetails *self = PT_DEVICE_DETAILS (object);

  cancel_rest (self);
  g_clear_object (&self->device);
  g_clear_object (&self->host);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_DEVICE_DETAILS);

  G_OBJECT_CLASS (pt_device_details_parent_class)->dispose (object);
}

static void
pt_device_details_finalize (GObject *object)
{
  PtDeviceDetails *self = PT_DEVICE_DETAILS (object);

  g_clear_pointer (&self->groups, g_ptr_array_unref);

  G_OBJECT_CLASS (pt_device_details_parent_class)->finalize (object);
}

static void pt_device_details_map (GtkWidget *widget);

static void
pt_device_details_class_init (PtDeviceDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_device_details_dispose;
  object_class->finalize = pt_device_details_finalize;
  widget_class->measure = pt_device_details_measure;
  widget_class->size_allocate = pt_device_details_size_allocate;
  widget_class->map = pt_device_details_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/passthrough/Passthrough/inspector/pt-device-details.ui");
  gtk_widget_class_bind_template_child (widget_class, PtDeviceDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, PtDeviceDetails, page);
}

static void
pt_device_details_init (PtDeviceDetails *self)
{
  self->groups = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);
}

PtDevice *
pt_device_details_get_device (PtDeviceDetails *self)
{
  g_return_val_if_fail (PT_IS_DEVICE_DETAILS (self), NULL);

  return self->device;
}

static void build_rest (PtDeviceDetails *self);

static void
after_paint_cb (PtDeviceDetails *self)
{
  cancel_rest (self);
  build_rest (self);
}

/* The groups below the first are made after the next frame. */
static void
schedule_rest (PtDeviceDetails *self)
{
  self->clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (self)));
  self->after_paint_id = g_signal_connect_swapped (self->clock, "after-paint",
                                                   G_CALLBACK (after_paint_cb), self);
}

static void
pt_device_details_map (GtkWidget *widget)
{
  PtDeviceDetails *self = PT_DEVICE_DETAILS (widget);

  GTK_WIDGET_CLASS (pt_device_details_parent_class)->map (widget);
  if (self->rest_pending)
    {
      self->rest_pending = FALSE;
      schedule_rest (self);
    }
}

void
pt_device_details_set_device (PtDeviceDetails *self,
                              PtHost          *host,
                              PtDevice        *device,
                              PtGpu           *gpu)
{
  AdwPreferencesGroup *group;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (PT_IS_DEVICE_DETAILS (self));

  cancel_rest (self);
  clear_groups (self);
  g_set_object (&self->device, device);
  g_set_object (&self->host, host);
  self->gpu = gpu;
  if (device == NULL || host == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "device");

  /* Identity */
  name = pt_device_dup_display_name (device);
  group = add_group (self, name);
  add_row (group, _("Address"), pt_device_get_address (device));
  if (pt_device_get_vendor_name (device) != NULL)
    add_row (group, _("Vendor"), pt_device_get_vendor_name (device));
  text = pt_device_dup_ids (device);
  add_row (group, _("Vendor and Device ID"), text);
  g_clear_pointer (&text, g_free);
  if (pt_device_get_subsystem_name (device) != NULL)
    text = g_strdup_printf ("%04x:%04x (%s)",
                            pt_device_get_subsystem_vendor (device),
                            pt_device_get_subsystem_device (device),
                            pt_device_get_subsystem_name (device));
  else
    text = g_strdup_printf ("%04x:%04x",
                            pt_device_get_subsystem_vendor (device),
                            pt_device_get_subsystem_device (device));
  add_row (group, _("Subsystem ID"), text);
  g_clear_pointer (&text, g_free);
  /* Translators: a PCI class, its code and the revision: "VGA compatible
   * controller (0300), revision a1". */
  text = g_strdup_printf (_("%s (%04x), revision %02x"),
                          pt_device_get_class_name (device) ? pt_device_get_class_name (device) : _("Unknown class"),
                          pt_device_get_class_code (device),
                          pt_device_get_revision (device));
  add_row (group, _("Class"), text);
  g_clear_pointer (&text, g_free);

  /* The groups below the first are out of sight at first: they are made
   * after the next frame, so that walking the graph with the arrow keys
   * pays for one group per step, not six, and the window's first frame
   * does not wait for them either (not mapped yet: after it maps). */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    schedule_rest (self);
  else
    self->rest_pending = TRUE;
}

static void
build_rest (PtDeviceDetails *self)
{
  AdwPreferencesGroup *group;
  PtHost *host = self->host;
  PtDevice *device = self->device;
  PtGpu *gpu = self->gpu;
  const PtDeviceCaps *caps;
  const char *const *modules;
  g_autofree char *text = NULL;
  int group_id;

  if (device == NULL || host == NULL)
    return;

  /* Driver */
  group = add_group (self, _("Driver"));
  add_row (group, _("Driver in Use"), pt_device_get_driver (device) ? pt_device_get_driver (device) : C_("driver", "None"));
  if (pt_device_get_driver_override (device) != NULL)
    add_row (group, _("Driver Override"), pt_device_get_driver_override (device));
  modules = pt_device_get_kernel_modules (device);
  if (modules != NULL && modules[0] != NULL)
    text = g_strjoinv (", ", (char **) modules);
  add_row (group, _("Would Be Claimed By"), text != NULL ? text : _("No module (or the module index is unknown)"));
  g_clear_pointer (&text, g_free);

  /* IOMMU group */
  group = add_group (self, _("IOMMU Group"));
  group_id = pt_device_get_iommu_group (device);
  if (group_id >= 0)
    {
      PtGroup *iommu = pt_host_lookup_group (host, group_id);

      text = g_strdup_printf ("%d", group_id);
      add_row (group, _("Group"), text);
      g_clear_pointer (&text, g_free);
      text = iommu != NULL ? dup_device_lines (iommu->devices, device) : NULL;
      add_row (group, _("Group Mates"), text != NULL && *text != '\0' ? text : _("None: alone in its group"));
      g_clear_pointer (&text, g_free);
    }
  else
    add_row (group, _("Group"), _("None: the IOMMU is off or does not cover this device"));

  /* Verdict */
  if (gpu != NULL)
    {
      const PtQuirkEntry *quirk = pt_quirks_lookup (device);

      group = add_group (self, _("Passthrough"));
      add_row (group, _("Isolation"), pt_graph_isolation_label (gpu->isolation));
      add_row (group, _("Boot Display"),
               pt_device_get_boot_vga (device) == PT_TRISTATE_UNKNOWN ? _("Unknown")
               : yes_no (pt_device_get_boot_vga (device) == PT_TRISTATE_YES));
      text = dup_device_lines (gpu->companions, NULL);
      add_row (group, _("Companions"), *text != '\0' ? text : C_("devices", "None"));
      g_clear_pointer (&text, g_free);
      text = dup_device_lines (gpu->blockers, NULL);
      add_row (group, _("Blockers"), *text != '\0' ? text : C_("devices", "None"));
      g_clear_pointer (&text, g_free);
      if (quirk != NULL && quirk->quirk == PT_QUIRK_AMD_RESET_BUG)
        {
          text = g_strdup_printf (_("%s GPUs have no working reset after a guest used them: the host may need a reboot between guests"),
                                  quirk->family);
          add_row (group, _("Known Problem"), text);
          g_clear_pointer (&text, g_free);
        }
    }

  /* Reset, link, memory */
  caps = pt_device_get_caps (device);
  group = add_group (self, _("Reset and Link"));
  add_row (group, _("Reset Method"),
           pt_device_get_reset_method (device) != NULL && *pt_device_get_reset_method (device) != '\0'
           ? pt_device_get_reset_method (device) : _("None reported by the kernel"));
  add_row (group, _("Function Level Reset"), caps->caps_known ? yes_no (caps->flr) : _("Unknown (config space not readable)"));
  text = dup_acs_path (device);
  add_row (group, _("ACS on the Path to the Root"), text);
  g_clear_pointer (&text, g_free);
  if (caps->caps_known && caps->is_pcie)
    {
      text = dup_link (caps);
      if (text != NULL)
        add_row (group, _("Link Speed and Width"), text);
      g_clear_pointer (&text, g_free);
    }
  if (caps->caps_known)
    {
      if (caps->rebar && caps->rebar_max_size > 0)
        {
          g_autofree char *size = dup_size (caps->rebar_max_size);
          text = g_strdup_printf (_("Yes, BAR 0 up to %s"), size);
        }
      add_row (group, _("Resizable BAR"), text != NULL ? text : yes_no (caps->rebar));
      g_clear_pointer (&text, g_free);
    }
  if (pt_device_get_numa_node (device) >= 0)
    text = g_strdup_printf ("%d", pt_device_get_numa_node (device));
  add_row (group, _("NUMA Node"), text != NULL ? text : C_("NUMA node", "None"));
  g_clear_pointer (&text, g_free);
}
