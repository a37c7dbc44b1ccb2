/* pt-verdict.c: the verdict on each GPU (DESIGN.md "Verdicts"): what shares
 * its slot (companions), what shares its group without belonging to it
 * (blockers), and whether its group is clean. */
#define G_LOG_DOMAIN "pt-verdict"

#include "config.h"

#include "pt-verdict.h"
#include "pt-host-private.h"

const char *
pt_isolation_to_string (PtIsolation isolation)
{
  switch (isolation)
    {
    case PT_ISOLATION_CLEAN: return "clean";
    case PT_ISOLATION_SHARED: return "shared";
    case PT_ISOLATION_UNKNOWN:
    default: return "unknown";
    }
}

/* Bridges stay on the host driver (pcieport) and vfio accepts them in a
 * group. So does a host bridge no driver has claimed, such as the "PCIe
 * Dummy Host Bridge" AMD Zen boards put next to their GPU ports. */
gboolean
pt_device_is_neutral (PtDevice *device)
{
  guint16 code = pt_device_get_class_code (device);

  if (code == PT_CLASS_PCI_BRIDGE)
    return TRUE;
  return code == PT_CLASS_HOST_BRIDGE && pt_device_get_driver (device) == NULL;
}

GPtrArray *
pt_group_dup_blockers (PtGroup *group, PtDevice *device)
{
  GPtrArray *blockers = g_ptr_array_new ();

  g_return_val_if_fail (group != NULL, blockers);

  for (guint i = 0; i < group->devices->len; i++)
    {
      PtDevice *other = g_ptr_array_index (group->devices, i);

      if (pt_device_is_neutral (other))
        continue;
      if (pt_address_same_slot (pt_device_get_pci_address (other),
                                pt_device_get_pci_address (device)))
        continue;
      g_ptr_array_add (blockers, other);
    }
  return blockers;
}

PtGpu *
pt_gpu_new (PtHost *host, PtDevice *device)
{
  g_autoptr(GPtrArray) slot = NULL;
  PtGpu *gpu;
  PtGroup *group;

  g_return_val_if_fail (PT_IS_HOST (host), NULL);
  g_return_val_if_fail (PT_IS_DEVICE (device), NULL);

  gpu = g_new0 (PtGpu, 1);
  gpu->device = device;
  gpu->companions = g_ptr_array_new ();

  slot = pt_host_dup_slot_functions (host, device);
  for (guint i = 0; i < slot->len; i++)
    {
      PtDevice *other = g_ptr_array_index (slot, i);

      if (other != device && !pt_device_is_neutral (other))
        g_ptr_array_add (gpu->companions, other);
    }

  group = pt_device_get_iommu_group (device) >= 0
    ? pt_host_lookup_group (host, pt_device_get_iommu_group (device))
    : NULL;
  if (group == NULL)
    {
      gpu->blockers = g_ptr_array_new ();
      gpu->isolation = PT_ISOLATION_UNKNOWN;
    }
  else
    {
      gpu->blockers = pt_group_dup_blockers (group, device);
      gpu->isolation = gpu->blockers->len == 0 ? PT_ISOLATION_CLEAN : PT_ISOLATION_SHARED;
    }
  return gpu;
}

void
pt_gpu_free (PtGpu *gpu)
{
  if (gpu == NULL)
    return;
  g_ptr_array_unref (gpu->companions);
  g_ptr_array_unref (gpu->blockers);
  g_free (gpu);
}

GPtrArray *
pt_host_list_gpus (PtHost *host)
{
  GPtrArray *gpus = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_gpu_free);
  GPtrArray *devices;

  g_return_val_if_fail (PT_IS_HOST (host), gpus);

  devices = pt_host_get_devices (host);
  for (guint i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      if (pt_device_is_gpu (device))
        g_ptr_array_add (gpus, pt_gpu_new (host, device));
    }
  return gpus;
}
