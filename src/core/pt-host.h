/* pt-host.h: one machine at one moment, read from a host root or a snapshot. */
#pragma once

#include <gio/gio.h>
#include "pt-types.h"
#include "pt-device.h"

G_BEGIN_DECLS

#define PT_TYPE_HOST (pt_host_get_type ())
G_DECLARE_FINAL_TYPE (PtHost, pt_host, PT, HOST, GObject)

typedef enum
{
  PT_HOST_LOAD_DEFAULT = 0,
  PT_HOST_LOAD_NO_NAMES = 1 << 0,   /* skip pci.ids look-ups */
  PT_HOST_LOAD_DETAILS  = 1 << 1,   /* pt_host_ensure_details() at once */
} PtHostLoadFlags;

/* An IOMMU group: its number and its functions in address order. */
struct _PtGroup
{
  int        id;
  GPtrArray *devices;   /* PtDevice, unowned */
};

PtHost      *pt_host_load                 (const char       *root,
                                           PtHostLoadFlags   flags,
                                           GError          **error);
PtHost      *pt_host_load_snapshot        (const char       *path,
                                           GError          **error);
PtHost      *pt_host_load_snapshot_data   (const char       *data,
                                           gssize            length,
                                           GError          **error);
char        *pt_host_to_snapshot          (PtHost           *self);

/* Reads what the fast scan leaves out: NUMA node, reset methods,
 * modalias, driver_override, config-space capabilities and the kernel
 * modules. Does nothing for a snapshot or when already done. */
gboolean     pt_host_ensure_details       (PtHost           *self,
                                           GError          **error);

const char  *pt_host_get_root             (PtHost *self);  /* NULL for a snapshot */
gboolean     pt_host_is_snapshot          (PtHost *self);
GPtrArray   *pt_host_get_devices          (PtHost *self);  /* PtDevice, address order */
GPtrArray   *pt_host_get_groups           (PtHost *self);  /* PtGroup, numeric order */
PtDevice    *pt_host_lookup_device        (PtHost *self, const char *address);
PtDevice    *pt_host_find_device          (PtHost *self, const char *address, GError **error);
PtGroup     *pt_host_lookup_group         (PtHost *self, int id);
GPtrArray   *pt_host_dup_slot_functions   (PtHost *self, PtDevice *device);
gboolean     pt_host_has_groups           (PtHost *self);

PtCpuVendor  pt_host_get_cpu_vendor       (PtHost *self);
const char  *pt_host_get_cpu_model        (PtHost *self);
gboolean     pt_host_has_cpu_flag         (PtHost *self, const char *flag);
PtTristate   pt_host_get_acpi_dmar        (PtHost *self);
PtTristate   pt_host_get_acpi_ivrs        (PtHost *self);
gboolean     pt_host_is_efi               (PtHost *self);
PtTristate   pt_host_get_secure_boot      (PtHost *self);
PtTristate   pt_host_get_interrupt_remapping (PtHost *self);
const char  *pt_host_get_board_vendor     (PtHost *self);
const char  *pt_host_get_board_name       (PtHost *self);
const char  *pt_host_get_bios_version     (PtHost *self);
const char  *pt_host_get_cmdline          (PtHost *self);
gboolean     pt_host_cmdline_has          (PtHost *self, const char *arg);
const char  *pt_host_cmdline_get_value    (PtHost *self, const char *key);
const char  *pt_host_get_kernel_release   (PtHost *self);
gboolean     pt_host_module_loaded        (PtHost *self, const char *module);
const char *const *pt_host_get_loaded_modules (PtHost *self);
PtModuleState pt_host_get_vfio_pci_state  (PtHost *self);
const char  *pt_host_get_os_id            (PtHost *self);
const char  *pt_host_get_os_id_like       (PtHost *self);
const char  *pt_host_get_os_name          (PtHost *self);
const char  *pt_host_get_os_version_id    (PtHost *self);
/* PCI addresses of the controllers holding the root file system (all
 * members of a RAID or LVM stack) and of the NICs carrying a default route. */
const char *const *pt_host_get_root_disk_devices     (PtHost *self);
const char *const *pt_host_get_default_route_devices (PtHost *self);
const char  *pt_host_get_bootloader       (PtHost *self);   /* "grub", "systemd-boot", "kernelstub" or NULL */
const char  *pt_host_get_initramfs        (PtHost *self);   /* "mkinitcpio", "dracut", "initramfs-tools" or NULL */

G_END_DECLS
