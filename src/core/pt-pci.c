/* pt-pci.c: libpci for everything pci.ids and config space know: device
 * names, and the capabilities that decide resets and isolation (PCIe
 * device type, FLR, PM reset, ACS, link, Resizable BAR). libpci reads the
 * host root through its sysfs.path parameter, like lspci -A linux-sysfs. */
#define G_LOG_DOMAIN "pt-pci"

#include "config.h"

#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>

#include "pt-host-private.h"

#ifndef PCI_EXT_CAP_ID_REBAR
#define PCI_EXT_CAP_ID_REBAR 0x15
#endif

/* libpci's error hook must not return; it only fires on allocation or
 * set-up failures, which we turn into "no names, no capabilities". */
static jmp_buf pci_jmp;

G_GNUC_NORETURN static void
pci_error_cb (char *msg, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, msg);
  text = g_strdup_vprintf (msg, args);
  va_end (args);
  g_debug ("libpci: %s", text);
  longjmp (pci_jmp, 1);
}

static void
pci_quiet_cb (char *msg, ...)
{
}

static struct pci_access *
open_access (PtHost *self)
{
  g_autofree char *sysfs = pt_root_path (self->root, "sys/bus/pci");
  struct pci_access *pacc = pci_alloc ();

  pacc->method = PCI_ACCESS_SYS_BUS_PCI;
  pacc->error = pci_error_cb;
  pacc->warning = pci_quiet_cb;
  pacc->debug = pci_quiet_cb;
  pci_set_param (pacc, (char *) "sysfs.path", sysfs);
  if (g_getenv ("PT_PCI_IDS") != NULL)
    pci_set_name_list_path (pacc, (char *) g_getenv ("PT_PCI_IDS"), 0);
  pci_init (pacc);
  return pacc;
}

static char *
lookup (struct pci_access *pacc, int flags, ...)
{
  char buf[256];
  char *name;
  va_list args;
  int a, b, c, d;

  va_start (args, flags);
  a = va_arg (args, int);
  b = va_arg (args, int);
  c = va_arg (args, int);
  d = va_arg (args, int);
  va_end (args);

  /* pci.ids only: the udev hwdb describes this machine, not the root's,
   * and libpci 3.9 leaks the udev handle it opens for it. */
  name = pci_lookup_name (pacc, buf, sizeof buf,
                          flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a, b, c, d);
  return name ? g_strdup (name) : NULL;
}

void
pt_pci_fill_names (PtHost *self)
{
  struct pci_access *volatile pacc = NULL;

  if (setjmp (pci_jmp) != 0)
    goto out;

  pacc = open_access (self);
  for (guint i = 0; i < self->devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (self->devices, i);

      g_free (d->vendor_name);
      g_free (d->device_name);
      g_free (d->class_name);
      g_free (d->subsystem_name);
      d->vendor_name = lookup (pacc, PCI_LOOKUP_VENDOR, d->vendor_id, 0, 0, 0);
      d->device_name = lookup (pacc, PCI_LOOKUP_DEVICE, d->vendor_id, d->device_id, 0, 0);
      d->class_name = lookup (pacc, PCI_LOOKUP_CLASS, pt_device_get_class_code (d), 0, 0, 0);
      d->subsystem_name = NULL;
      if (d->subsystem_vendor != 0 && d->subsystem_vendor != 0xffff)
        {
          g_autofree char *sv = lookup (pacc, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR,
                                        d->subsystem_vendor, 0, 0, 0);
          g_autofree char *sd = lookup (pacc, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE,
                                        d->vendor_id, d->device_id,
                                        d->subsystem_vendor, d->subsystem_device);
          if (sv != NULL && sd != NULL)
            d->subsystem_name = g_strdup_printf ("%s %s", sv, sd);
          else if (sv != NULL)
            d->subsystem_name = g_strdup_printf ("%s Device %04x", sv, d->subsystem_device);
        }
    }

out:
  if (pacc != NULL)
    pci_cleanup (pacc);
}

static void
fill_caps (struct pci_dev *dev, PtDeviceCaps *caps)
{
  struct pci_cap *cap;
  u8 header[256];

  memset (caps, 0, sizeof *caps);
  /* Unprivileged readers get 64 bytes of config space: no capabilities. */
  if (!pci_read_block (dev, 0, header, sizeof header))
    return;
  caps->caps_known = TRUE;

  pci_fill_info (dev, PCI_FILL_CAPS | PCI_FILL_EXT_CAPS);

  cap = pci_find_cap (dev, PCI_CAP_ID_PM, PCI_CAP_NORMAL);
  if (cap != NULL)
    caps->pm_reset = !(pci_read_word (dev, cap->addr + PCI_PM_CTRL) & PCI_PM_CTRL_NO_SOFT_RST);

  cap = pci_find_cap (dev, PCI_CAP_ID_AF, PCI_CAP_NORMAL);
  if (cap != NULL && (pci_read_byte (dev, cap->addr + 3) & PCI_AF_CAP_FLR))
    caps->flr = TRUE;

  cap = pci_find_cap (dev, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
  if (cap != NULL)
    {
      u16 flags = pci_read_word (dev, cap->addr + PCI_EXP_FLAGS);
      u32 devcap = pci_read_long (dev, cap->addr + PCI_EXP_DEVCAP);

      caps->is_pcie = TRUE;
      caps->pcie_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
      if (devcap & PCI_EXP_DEVCAP_FLRESET)
        caps->flr = TRUE;
      /* Root-complex integrated endpoints and event collectors have no link. */
      if (caps->pcie_type != PCI_EXP_TYPE_ROOT_INT_EP && caps->pcie_type != PCI_EXP_TYPE_ROOT_EC)
        {
          u32 lnkcap = pci_read_long (dev, cap->addr + PCI_EXP_LNKCAP);
          u16 lnksta = pci_read_word (dev, cap->addr + PCI_EXP_LNKSTA);

          caps->link_speed_max = lnkcap & 0xf;
          caps->link_width_max = (lnkcap >> 4) & 0x3f;
          caps->link_speed = lnksta & 0xf;
          caps->link_width = (lnksta >> 4) & 0x3f;
        }
    }

  cap = pci_find_cap (dev, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
  if (cap != NULL)
    {
      caps->has_acs = TRUE;
      caps->acs_cap = pci_read_word (dev, cap->addr + PCI_ACS_CAP);
      caps->acs_ctrl = pci_read_word (dev, cap->addr + PCI_ACS_CTRL);
    }

  cap = pci_find_cap (dev, PCI_EXT_CAP_ID_REBAR, PCI_CAP_EXTENDED);
  if (cap != NULL)
    {
      /* Capability register of the first resizable BAR: bits 4..31 say
       * which sizes from 1 MiB up are supported. */
      u32 sizes = pci_read_long (dev, cap->addr + 4) >> 4;

      caps->rebar = TRUE;
      for (int bit = 27; bit >= 0; bit--)
        if (sizes & (1u << bit))
          {
            caps->rebar_max_size = ((guint64) 1 << 20) << bit;
            break;
          }
    }
}

void
pt_pci_fill_caps (PtHost *self)
{
  struct pci_access *volatile pacc = NULL;

  if (setjmp (pci_jmp) != 0)
    goto out;

  pacc = open_access (self);
  for (guint i = 0; i < self->devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (self->devices, i);
      struct pci_dev *dev = pci_get_dev (pacc, (int) d->addr.domain, d->addr.bus,
                                         d->addr.slot, d->addr.func);

      fill_caps (dev, &d->caps);
      pci_free_dev (dev);
    }

out:
  if (pacc != NULL)
    pci_cleanup (pacc);
}
