/* pt-host-private.h: the host's fields, shared by the sysfs scanner and the
 * snapshot reader/writer. */
#pragma once

#include "pt-host.h"
#include "pt-device-private.h"

G_BEGIN_DECLS

struct _PtHost
{
  GObject        parent_instance;

  char          *root;              /* NULL for a snapshot */
  GPtrArray     *devices;           /* PtDevice, owned, address order */
  GHashTable    *by_address;        /* "dddd:bb:ss.f" -> PtDevice */
  GPtrArray     *groups;            /* PtGroup, owned, numeric order */
  gboolean       details_loaded;

  PtCpuVendor    cpu_vendor;
  char          *cpu_model;
  GStrv          cpu_flags;         /* only the ones we keep, in kept_cpu_flags order */
  PtTristate     acpi_dmar;
  PtTristate     acpi_ivrs;
  gboolean       efi;
  PtTristate     secure_boot;
  PtTristate     interrupt_remapping;
  char          *board_vendor;
  char          *board_name;
  char          *bios_version;
  char          *cmdline;
  GStrv          cmdline_args;
  char          *kernel_release;
  GStrv          loaded_modules;    /* sorted */
  PtModuleState  vfio_pci_state;
  char          *os_id;
  char          *os_id_like;
  char          *os_name;
  char          *os_version_id;
  GStrv          root_disk_devices;     /* PCI addresses, sorted */
  GStrv          default_route_devices; /* PCI addresses, sorted */
  char          *bootloader;
  char          *initramfs;
};

PtHost *pt_host_new_empty     (void);
void    pt_host_add_device    (PtHost *self, PtDevice *device);   /* takes a reference */
/* After devices are added: sorts, links parents, builds groups. */
void    pt_host_finish        (PtHost *self);
void    pt_host_set_cmdline   (PtHost *self, const char *cmdline);

/* pt-pci.c: libpci for names and config space. */
void    pt_pci_fill_names     (PtHost *self);
void    pt_pci_fill_caps      (PtHost *self);
/* pt-kmod.c: libkmod for module look-ups. */
void    pt_kmod_fill_modules  (PtHost *self);

/* Root-relative file helpers used by the scanner. */
char   *pt_root_path          (const char *root, const char *relative);

G_END_DECLS
