/* pt-device-private.h: the device's fields, shared by the scanner, the
 * snapshot reader and the verdict code. The app only uses pt-device.h. */
#pragma once

#include "pt-device.h"

G_BEGIN_DECLS

struct _PtDevice
{
  GObject       parent_instance;

  PtAddress     addr;
  char          address[32];
  guint16       vendor_id;
  guint16       device_id;
  guint16       subsystem_vendor;
  guint16       subsystem_device;
  guint32       klass;
  guint8        revision;
  char         *driver;
  char         *driver_override;
  int           iommu_group;
  PtTristate    boot_vga;
  char         *reset_method;
  int           numa_node;
  char         *modalias;
  char         *parent_address;
  PtDevice     *parent;            /* unowned; the host owns every device */
  char         *vendor_name;
  char         *device_name;
  char         *subsystem_name;
  char         *class_name;
  GStrv         kernel_modules;
  PtDeviceCaps  caps;
};

PtDevice *pt_device_new (const PtAddress *addr);

void pt_device_set_string (char **field, const char *value);

G_END_DECLS
