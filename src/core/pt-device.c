/* pt-device.c: one PCI function. The scanner and the snapshot reader fill
 * the fields (pt-device-private.h); everyone else reads them here. */
#define G_LOG_DOMAIN "pt-core"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-device-private.h"

G_DEFINE_FINAL_TYPE (PtDevice, pt_device, G_TYPE_OBJECT)

static void
pt_device_finalize (GObject *object)
{
  PtDevice *self = (PtDevice *) object;

  g_free (self->driver);
  g_free (self->driver_override);
  g_free (self->reset_method);
  g_free (self->modalias);
  g_free (self->parent_address);
  g_free (self->vendor_name);
  g_free (self->device_name);
  g_free (self->subsystem_name);
  g_free (self->class_name);
  g_strfreev (self->kernel_modules);

  G_OBJECT_CLASS (pt_device_parent_class)->finalize (object);
}

static void
pt_device_class_init (PtDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_device_finalize;
}

static void
pt_device_init (PtDevice *self)
{
  self->iommu_group = -1;
  self->boot_vga = PT_TRISTATE_UNKNOWN;
  self->numa_node = -1;
}

PtDevice *
pt_device_new (const PtAddress *addr)
{
  PtDevice *self = g_object_new (PT_TYPE_DEVICE, NULL);

  self->addr = *addr;
  pt_address_format (addr, self->address);
  return self;
}

void
pt_device_set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

#define GETTER(type, name, field) \
  type pt_device_get_##name (PtDevice *self) \
  { \
    g_return_val_if_fail (PT_IS_DEVICE (self), (type) 0); \
    return self->field; \
  }

GETTER (const char *, address, address)
GETTER (guint16, vendor_id, vendor_id)
GETTER (guint16, device_id, device_id)
GETTER (guint16, subsystem_vendor, subsystem_vendor)
GETTER (guint16, subsystem_device, subsystem_device)
GETTER (guint32, class, klass)
GETTER (guint8, revision, revision)
GETTER (const char *, driver, driver)
GETTER (const char *, driver_override, driver_override)
GETTER (int, iommu_group, iommu_group)
GETTER (PtTristate, boot_vga, boot_vga)
GETTER (const char *, reset_method, reset_method)
GETTER (int, numa_node, numa_node)
GETTER (const char *, modalias, modalias)
GETTER (const char *, parent_address, parent_address)
GETTER (PtDevice *, parent, parent)
GETTER (const char *, vendor_name, vendor_name)
GETTER (const char *, device_name, device_name)
GETTER (const char *, subsystem_name, subsystem_name)
GETTER (const char *, class_name, class_name)

#undef GETTER

const PtAddress *
pt_device_get_pci_address (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return &self->addr;
}

guint16
pt_device_get_class_code (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), 0);
  return (guint16) (self->klass >> 8);
}

const char *const *
pt_device_get_kernel_modules (PtDevice *self)
{
  static const char *const empty[] = { NULL };

  g_return_val_if_fail (PT_IS_DEVICE (self), empty);
  return self->kernel_modules ? (const char *const *) self->kernel_modules : empty;
}

gboolean
pt_device_is_gpu (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return (self->klass >> 16) == 0x03;
}

gboolean
pt_device_is_bridge (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  return pt_device_get_class_code (self) == PT_CLASS_PCI_BRIDGE;
}

char *
pt_device_dup_ids (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return g_strdup_printf ("%04x:%04x", self->vendor_id, self->device_id);
}

/* "GeForce GTX 970" out of "GM204 [GeForce GTX 970]": the marketing name
 * in brackets is what people know their card by. Other functions keep the
 * whole name: "Vega 20 HDMI Audio [Radeon VII]" is not the Radeon VII. */
char *
pt_device_dup_display_name (PtDevice *self)
{
  const char *name;
  const char *open;
  const char *close;

  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);

  name = self->device_name;
  if (name == NULL)
    return g_strdup_printf (_("Device %04x:%04x"), self->vendor_id, self->device_id);

  if (!pt_device_is_gpu (self))
    return g_strdup (name);
  open = strchr (name, '[');
  close = open ? strchr (open, ']') : NULL;
  if (open != NULL && close != NULL && close > open + 1)
    return g_strndup (open + 1, close - open - 1);
  return g_strdup (name);
}

const PtDeviceCaps *
pt_device_get_caps (PtDevice *self)
{
  g_return_val_if_fail (PT_IS_DEVICE (self), NULL);
  return &self->caps;
}

/* ACS as the kernel's pci_acs_enabled() wants it on a downstream port for
 * isolation: Source Validation, Request Redirect, Completion Redirect and
 * Upstream Forwarding, each enabled where the port implements it. */
gboolean
pt_device_acs_isolates (PtDevice *self)
{
  const guint16 wanted = 0x0001 | 0x0004 | 0x0008 | 0x0010;
  guint16 needed;

  g_return_val_if_fail (PT_IS_DEVICE (self), FALSE);
  if (!self->caps.has_acs)
    return FALSE;
  needed = wanted & self->caps.acs_cap;
  return needed != 0 && (self->caps.acs_ctrl & needed) == needed;
}

const char *
pt_device_link_speed_string (guint8 gen)
{
  static const char *const speeds[] = {
    NULL, "2.5 GT/s", "5 GT/s", "8 GT/s", "16 GT/s", "32 GT/s", "64 GT/s",
  };

  if (gen < G_N_ELEMENTS (speeds))
    return speeds[gen];
  return NULL;
}
