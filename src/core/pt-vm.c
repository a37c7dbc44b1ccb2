/* pt-vm.c: what the libvirt side shares: options and their defaults, the
 * checks made before a domain is written, and the result records. */
#define G_LOG_DOMAIN "pt-vm"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-vm.h"
#include "pt-vm-private.h"

G_DEFINE_QUARK (pt-vm-error-quark, pt_vm_error)

/* ---- options ------------------------------------------------------------ */

PtVmOptions *
pt_vm_options_new (const char *name)
{
  PtVmOptions *options = g_new0 (PtVmOptions, 1);

  options->name = g_strdup (name);
  options->graphics = PT_VM_GRAPHICS_SPICE;
  return options;
}

PtVmOptions *
pt_vm_options_copy (const PtVmOptions *options)
{
  PtVmOptions *copy;

  g_return_val_if_fail (options != NULL, NULL);

  copy = g_memdup2 (options, sizeof *options);
  copy->name = g_strdup (options->name);
  copy->disk_path = g_strdup (options->disk_path);
  copy->pool = g_strdup (options->pool);
  copy->iso_path = g_strdup (options->iso_path);
  copy->network = g_strdup (options->network);
  return copy;
}

void
pt_vm_options_free (PtVmOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->name);
  g_free (options->disk_path);
  g_free (options->pool);
  g_free (options->iso_path);
  g_free (options->network);
  g_free (options);
}

void
pt_vm_resources_from_root (const char *root, PtVmResources *resources)
{
  g_autofree char *meminfo_path = g_build_filename (root ? root : "/", "proc/meminfo", NULL);
  g_autofree char *cpuinfo_path = g_build_filename (root ? root : "/", "proc/cpuinfo", NULL);
  g_autofree char *meminfo = NULL;
  g_autofree char *cpuinfo = NULL;

  g_return_if_fail (resources != NULL);

  memset (resources, 0, sizeof *resources);
  if (g_file_get_contents (meminfo_path, &meminfo, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (meminfo, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "MemTotal:"))
          resources->memory_mib = g_ascii_strtoull (lines[i] + 9, NULL, 10) / 1024;
    }
  if (g_file_get_contents (cpuinfo_path, &cpuinfo, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (cpuinfo, "\n", -1);
      guint siblings = 0;
      guint cores = 0;

      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *colon = strchr (lines[i], ':');

          if (colon == NULL)
            continue;
          if (g_str_has_prefix (lines[i], "processor"))
            resources->cpus++;
          else if (g_str_has_prefix (lines[i], "siblings") && siblings == 0)
            siblings = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
          else if (g_str_has_prefix (lines[i], "cpu cores") && cores == 0)
            cores = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
        }
      if (siblings > 0 && cores > 0 && siblings % cores == 0)
        resources->threads_per_core = siblings / cores;
    }
}

void
pt_vm_options_fill_defaults (PtVmOptions *options, const PtVmResources *resources)
{
  PtVmResources none = { 0 };

  g_return_if_fail (options != NULL);

  if (resources == NULL)
    resources = &none;
  if (options->memory_mib == 0)
    {
      /* A quarter of the host, so the host keeps working, within what a
       * gaming or desktop guest needs. */
      guint64 mib = resources->memory_mib > 0 ? resources->memory_mib / 4 : 8192;

      options->memory_mib = CLAMP (mib, 4096, 16384) / 256 * 256;
    }
  if (options->vcpus == 0)
    options->vcpus = MAX (resources->cpus / 2, 2);
  if (options->threads == 0)
    {
      guint threads = resources->threads_per_core > 0 ? resources->threads_per_core : 1;

      options->threads = (options->vcpus % threads == 0) ? threads : 1;
    }
  if (options->disk_size_gib == 0)
    options->disk_size_gib = PT_VM_DEFAULT_DISK_GIB;
  if (options->pool == NULL)
    options->pool = g_strdup (PT_VM_DEFAULT_POOL);
  if (options->network == NULL)
    options->network = g_strdup (PT_VM_DEFAULT_NETWORK);
}

/* ---- issues --------------------------------------------------------------- */

void
pt_vm_issue_free (PtVmIssue *issue)
{
  if (issue == NULL)
    return;
  g_free (issue->message);
  g_free (issue->fix);
  g_free (issue);
}

const char *
pt_vm_issue_kind_to_string (PtVmIssueKind kind)
{
  switch (kind)
    {
    case PT_VM_ISSUE_ASSIGNED_ELSEWHERE: return "assigned-elsewhere";
    case PT_VM_ISSUE_LEGACY_BIOS:        return "legacy-bios";
    case PT_VM_ISSUE_I440FX:             return "i440fx";
    case PT_VM_ISSUE_IOMMU_INACTIVE:     return "iommu-inactive";
    case PT_VM_ISSUE_VFIO_NOT_SET_UP:    return "vfio-not-set-up";
    case PT_VM_ISSUE_NO_KVM:             return "no-kvm";
    default:                             return "unknown";
    }
}

PtVmIssue *
pt_vm_issue_new (PtVmIssueKind kind, gboolean fatal, char *message, char *fix)
{
  PtVmIssue *issue = g_new0 (PtVmIssue, 1);

  issue->kind = kind;
  issue->fatal = fatal;
  issue->message = message;
  issue->fix = fix;
  return issue;
}

GPtrArray *
pt_vm_check_xml (const char  *domain_xml,
                 const char  *domain_name,
                 PtPlan      *plan,
                 GHashTable  *assigned,
                 GError     **error)
{
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_vm_issue_free);
  GPtrArray *devices;
  guint not_on_vfio = 0;

  g_return_val_if_fail (plan != NULL, NULL);

  devices = plan->devices;

  if (domain_xml != NULL)
    {
      g_autofree char *firmware = NULL;
      g_autofree char *loader = NULL;
      g_autofree char *machine = NULL;

      if (!pt_vm_xml_read_os (domain_xml, &firmware, &loader, &machine, error))
        return NULL;
      /* "pc" is libvirt's alias of the newest i440fx machine. */
      if (machine != NULL && strstr (machine, "q35") == NULL
          && (g_str_equal (machine, "pc") || g_str_has_prefix (machine, "pc-")))
        g_ptr_array_add (issues, pt_vm_issue_new (PT_VM_ISSUE_I440FX, FALSE,
          g_strdup_printf (_("The domain uses the i440fx machine type (%s), which has no PCI "
                             "Express: GPU drivers may not see the card’s link and some refuse "
                             "to start."), machine),
          g_strdup (_("The devices are added anyway and the machine type is kept. For a new "
                      "installation, create a Q35 domain with “passthroughctl vm create”; "
                      "changing the machine type of an installed guest can stop it from "
                      "booting."))));
      if (g_strcmp0 (firmware, "efi") != 0
          && (loader == NULL || strstr (loader, "OVMF") == NULL))
        g_ptr_array_add (issues, pt_vm_issue_new (PT_VM_ISSUE_LEGACY_BIOS, FALSE,
          g_strdup (_("The domain boots with the legacy BIOS (SeaBIOS). Current GPUs expect "
                      "UEFI (OVMF): with SeaBIOS the card often shows no picture until the "
                      "guest’s driver loads, or not at all.")),
          g_strdup (_("The firmware is kept. A guest installed for BIOS does not boot with "
                      "UEFI, so switch only for a new installation (<os firmware='efi'>)."))));
    }

  if (!pt_host_has_groups (plan->host))
    g_ptr_array_add (issues, pt_vm_issue_new (PT_VM_ISSUE_IOMMU_INACTIVE, FALSE,
      g_strdup (_("The host has no IOMMU groups: the IOMMU is off, so the VM cannot start "
                  "with these devices.")),
      g_strdup (_("Turn the IOMMU on with the Passthrough wizard or “passthroughctl apply”, "
                  "then reboot."))));

  for (guint i = 0; i < devices->len; i++)
    if (g_strcmp0 (pt_device_get_driver (g_ptr_array_index (devices, i)), "vfio-pci") != 0)
      not_on_vfio++;
  /* A host that booted with vfio-pci.ids has them set up even while one
   * of them is momentarily elsewhere. */
  if (not_on_vfio > 0 && pt_host_has_groups (plan->host)
      && pt_host_cmdline_get_value (plan->host, "vfio-pci.ids") == NULL)
    g_ptr_array_add (issues, pt_vm_issue_new (PT_VM_ISSUE_VFIO_NOT_SET_UP, FALSE,
      g_strdup (_("The devices are not bound to vfio-pci at boot. libvirt detaches them from "
                  "their drivers when the VM starts (managed='yes'), which fails or freezes "
                  "the host display while a host driver still uses the GPU.")),
      g_strdup (_("Bind them to vfio-pci at boot with the Passthrough wizard or "
                  "“passthroughctl apply ADDRESS”, then reboot."))));

  if (assigned != NULL)
    for (guint i = 0; i < devices->len; i++)
      {
        const char *address = pt_device_get_address (g_ptr_array_index (devices, i));
        const char *owner = g_hash_table_lookup (assigned, address);

        if (owner != NULL && g_strcmp0 (owner, domain_name) != 0)
          g_ptr_array_add (issues, pt_vm_issue_new (PT_VM_ISSUE_ASSIGNED_ELSEWHERE, TRUE,
            g_strdup_printf (_("%s is already assigned to the domain “%s”; two domains "
                               "cannot use one device."), address, owner),
            g_strdup_printf (_("Detach it there first: passthroughctl vm detach %s %s"),
                             owner, address)));
      }

  return g_steal_pointer (&issues);
}

/* ---- results ---------------------------------------------------------------- */

void
pt_vm_result_free (PtVmResult *result)
{
  if (result == NULL)
    return;
  g_free (result->domain);
  g_free (result->before);
  g_free (result->after);
  g_free (result->diff);
  g_clear_pointer (&result->summary, g_ptr_array_unref);
  g_clear_pointer (&result->issues, g_ptr_array_unref);
  g_free (result->disk_path);
  g_free (result->live_error);
  g_free (result);
}

const char *
pt_vm_live_to_string (PtVmLive live)
{
  switch (live)
    {
    case PT_VM_LIVE_APPLIED: return "applied";
    case PT_VM_LIVE_PENDING: return "pending";
    case PT_VM_LIVE_FAILED:  return "failed";
    case PT_VM_LIVE_NONE:
    default:                 return "none";
    }
}

gboolean
pt_vm_state_is_active (PtVmState state)
{
  return state == PT_VM_STATE_RUNNING || state == PT_VM_STATE_PAUSED;
}

const char *
pt_vm_state_to_string (PtVmState state)
{
  switch (state)
    {
    case PT_VM_STATE_OFF:     return "off";
    case PT_VM_STATE_RUNNING: return "running";
    case PT_VM_STATE_PAUSED:  return "paused";
    case PT_VM_STATE_OTHER:
    default:                  return "other";
    }
}

void
pt_vm_domain_info_free (PtVmDomainInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->uuid);
  g_strfreev (info->hostdevs);
  g_free (info);
}

void
pt_vm_capabilities_clear (PtVmCapabilities *caps)
{
  g_clear_pointer (&caps->machine, g_free);
  g_clear_pointer (&caps->emulator, g_free);
}

/* One translated line per device for a summary: "0000:01:00.0 GM204 [GeForce GTX 970]". */
char *
pt_vm_describe_device (PtDevice *device)
{
  g_autofree char *name = pt_device_dup_display_name (device);

  return g_strdup_printf ("%s %s", pt_device_get_address (device), name);
}
