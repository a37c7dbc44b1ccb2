/* pt-device.h: one PCI function of a host, as sysfs and config space describe it. */
#pragma once

#include "pt-types.h"
#include "pt-address.h"

G_BEGIN_DECLS

#define PT_TYPE_DEVICE (pt_device_get_type ())
G_DECLARE_FINAL_TYPE (PtDevice, pt_device, PT, DEVICE, GObject)

/* PCI base classes and subclasses the verdicts care about (class >> 8). */
#define PT_CLASS_HOST_BRIDGE   0x0600
#define PT_CLASS_ISA_BRIDGE    0x0601
#define PT_CLASS_PCI_BRIDGE    0x0604
#define PT_CLASS_VGA           0x0300
#define PT_CLASS_3D            0x0302
#define PT_CLASS_DISPLAY_OTHER 0x0380

const char       *pt_device_get_address          (PtDevice *self);
const PtAddress  *pt_device_get_pci_address      (PtDevice *self);
guint16           pt_device_get_vendor_id        (PtDevice *self);
guint16           pt_device_get_device_id        (PtDevice *self);
guint16           pt_device_get_subsystem_vendor (PtDevice *self);
guint16           pt_device_get_subsystem_device (PtDevice *self);
guint32           pt_device_get_class            (PtDevice *self); /* 24 bits: class, subclass, prog-if */
guint16           pt_device_get_class_code       (PtDevice *self); /* class >> 8, e.g. 0x0300 */
guint8            pt_device_get_revision         (PtDevice *self);
const char       *pt_device_get_driver           (PtDevice *self);
const char       *pt_device_get_driver_override  (PtDevice *self);
int               pt_device_get_iommu_group      (PtDevice *self); /* -1 when none */
PtTristate        pt_device_get_boot_vga         (PtDevice *self);
const char       *pt_device_get_reset_method     (PtDevice *self);
int               pt_device_get_numa_node        (PtDevice *self);
const char       *pt_device_get_modalias         (PtDevice *self);
const char       *pt_device_get_parent_address   (PtDevice *self); /* upstream bridge, NULL at a root bus */
PtDevice         *pt_device_get_parent           (PtDevice *self);
const char       *pt_device_get_vendor_name      (PtDevice *self);
const char       *pt_device_get_device_name      (PtDevice *self);
const char       *pt_device_get_subsystem_name   (PtDevice *self);
const char       *pt_device_get_class_name       (PtDevice *self);
char             *pt_device_dup_display_name     (PtDevice *self);
const char *const *pt_device_get_kernel_modules  (PtDevice *self); /* modules that would claim it */

gboolean          pt_device_is_gpu               (PtDevice *self);
gboolean          pt_device_is_bridge            (PtDevice *self);
char             *pt_device_dup_ids              (PtDevice *self); /* "10de:13c2" */

/* Capabilities from config space; caps_known is FALSE when the config file
 * was not readable beyond the standard header (non-root on a live host). */
typedef struct
{
  gboolean caps_known;
  gboolean is_pcie;
  guint8   pcie_type;          /* PCIe device/port type from the PCIe capability */
  gboolean flr;                /* Function Level Reset (PCIe DevCap or AF) */
  gboolean pm_reset;           /* PM capability without No_Soft_Reset */
  gboolean has_acs;
  guint16  acs_cap;
  guint16  acs_ctrl;
  guint8   link_speed;         /* current, PCIe generation 1..6; 0 = none */
  guint8   link_width;
  guint8   link_speed_max;
  guint8   link_width_max;
  gboolean rebar;              /* Resizable BAR */
  guint64  rebar_max_size;     /* largest supported size in bytes for BAR 0 */
} PtDeviceCaps;

const PtDeviceCaps *pt_device_get_caps           (PtDevice *self);
gboolean            pt_device_acs_isolates       (PtDevice *self);
const char         *pt_device_link_speed_string  (guint8 gen);

G_END_DECLS
