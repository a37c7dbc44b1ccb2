/* test-snapshot.c: host snapshots. A snapshot must give every read-only
 * command the same host as the root it was taken from, and the reader must
 * refuse damaged files with an error that names the problem, never crash. */
#define G_LOG_DOMAIN "pt-test"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pt-checks.h"
#include "pt-host-private.h"
#include "pt-json.h"
#include "pt-plan.h"
#include "pt-verdict.h"
#include "pt-test-util.h"

/* ---- hosts built in memory -------------------------------------------- */

static PtDevice *
add_device (PtHost     *host,
            const char *address,
            guint16     vendor,
            guint16     device_id,
            guint32     klass,
            int         group,
            const char *parent)
{
  g_autoptr(PtDevice) device = NULL;
  PtAddress addr;

  g_assert_true (pt_address_parse (address, &addr, NULL));
  device = pt_device_new (&addr);
  device->vendor_id = vendor;
  device->device_id = device_id;
  device->klass = klass;
  device->iommu_group = group;
  device->parent_address = g_strdup (parent);
  pt_host_add_device (host, device);
  return device;
}

static GStrv
strv (const char *first, ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    g_strv_builder_add (builder, s);
  va_end (args);
  return g_strv_builder_end (builder);
}

/* Every field set, none to its default, so a field the snapshot forgot
 * shows up as a difference. Devices are added out of order on purpose. */
static PtHost *
build_full_host (void)
{
  PtHost *host = pt_host_new_empty ();
  PtDevice *d;

  host->cpu_vendor = PT_CPU_VENDOR_AMD;
  host->cpu_model = g_strdup ("AMD Ryzen 7 5800X 8-Core Processor");
  host->cpu_flags = strv ("npt", "svm", "x2apic", NULL);
  host->acpi_dmar = PT_TRISTATE_NO;
  host->acpi_ivrs = PT_TRISTATE_YES;
  host->efi = TRUE;
  host->secure_boot = PT_TRISTATE_NO;
  host->interrupt_remapping = PT_TRISTATE_YES;
  host->board_vendor = g_strdup ("ASUSTeK COMPUTER INC.");
  host->board_name = g_strdup ("ROG STRIX B550-F GAMING");
  host->bios_version = g_strdup ("2803");
  pt_host_set_cmdline (host, "BOOT_IMAGE=/vmlinuz root=UUID=1234 ro quiet "
                             "amd_iommu=on iommu=pt \"acpi_osi=Windows 2015\" "
                             "vfio-pci.ids=10de:13c2,10de:0fbb");
  host->kernel_release = g_strdup ("6.1.0-18-amd64");
  host->loaded_modules = strv ("amdgpu", "kvm", "kvm_amd", "nouveau", "snd_hda_intel", NULL);
  host->vfio_pci_state = PT_MODULE_STATE_MODULE;
  host->os_id = g_strdup ("debian");
  host->os_id_like = g_strdup ("ubuntu debian");
  host->os_name = g_strdup ("Debian GNU/Linux 12 (bookworm) — “quoted” \\ back\tslash");
  host->os_version_id = g_strdup ("12");
  host->root_disk_devices = strv ("0000:00:17.0", "0000:03:00.0", NULL);
  host->default_route_devices = strv ("0000:04:00.0", NULL);
  host->bootloader = g_strdup ("grub");
  host->initramfs = g_strdup ("initramfs-tools");

  /* the dGPU: every field that has one */
  d = add_device (host, "0000:01:00.0", 0x10de, 0x13c2, 0x030000, 13, "0000:00:01.0");
  d->subsystem_vendor = 0x1458;
  d->subsystem_device = 0x3679;
  d->revision = 0xa1;
  d->driver = g_strdup ("nouveau");
  d->driver_override = g_strdup ("vfio-pci");
  d->boot_vga = PT_TRISTATE_NO;
  d->reset_method = g_strdup ("flr bus");
  d->numa_node = 0;
  d->modalias = g_strdup ("pci:v000010DEd000013C2sv00001458sd00003679bc03sc00i00");
  d->vendor_name = g_strdup ("NVIDIA Corporation");
  d->device_name = g_strdup ("GM204 [GeForce GTX 970]");
  d->subsystem_name = g_strdup ("Gigabyte Technology Co., Ltd GM204 [GeForce GTX 970]");
  d->class_name = g_strdup ("VGA compatible controller");
  d->kernel_modules = strv ("nouveau", "nvidiafb", NULL);
  d->caps.caps_known = TRUE;
  d->caps.is_pcie = TRUE;
  d->caps.pcie_type = 0;
  d->caps.flr = TRUE;
  d->caps.pm_reset = TRUE;
  d->caps.link_speed = 3;
  d->caps.link_width = 16;
  d->caps.link_speed_max = 4;
  d->caps.link_width_max = 16;
  d->caps.rebar = TRUE;
  d->caps.rebar_max_size = G_GUINT64_CONSTANT (1) << 63;

  d = add_device (host, "0000:01:00.1", 0x10de, 0x0fbb, 0x040300, 13, "0000:00:01.0");
  d->revision = 0xa1;
  d->driver = g_strdup ("snd_hda_intel");
  d->kernel_modules = strv ("snd_hda_intel", NULL);
  d->caps.caps_known = TRUE;
  d->caps.is_pcie = TRUE;

  d = add_device (host, "0000:00:00.0", 0x1022, 0x1480, 0x060000, 0, NULL);
  d->numa_node = 1;

  d = add_device (host, "0000:00:01.0", 0x1022, 0x1483, 0x060400, 1, NULL);
  d->driver = g_strdup ("pcieport");
  d->caps.caps_known = TRUE;
  d->caps.is_pcie = TRUE;
  d->caps.pcie_type = 4;
  d->caps.has_acs = TRUE;
  d->caps.acs_cap = 0x005f;
  d->caps.acs_ctrl = 0x001d;
  d->caps.link_speed = 4;
  d->caps.link_width = 16;

  d = add_device (host, "0000:00:02.0", 0x8086, 0x3e92, 0x030000, 2, NULL);
  d->boot_vga = PT_TRISTATE_YES;
  d->driver = g_strdup ("i915");
  d->caps.rebar = TRUE;
  d->caps.rebar_max_size = G_GUINT64_CONSTANT (32) << 30;

  /* Intel VMD puts its devices in domains past ffff */
  d = add_device (host, "10000:e1:00.0", 0x144d, 0xa808, 0x010802, -1, NULL);
  d->driver = g_strdup ("nvme");

  pt_host_finish (host);
  return host;
}

/* Nothing known: every field that can be unknown is. */
static PtHost *
build_sparse_host (void)
{
  PtHost *host = pt_host_new_empty ();
  PtDevice *d;

  pt_host_set_cmdline (host, NULL);
  d = add_device (host, "0000:00:00.0", 0x8086, 0x0000, 0x060000, -1, NULL);
  /* an empty list is not the same as none */
  d->kernel_modules = strv (NULL, NULL);
  host->loaded_modules = strv (NULL, NULL);
  pt_host_finish (host);
  return host;
}

/* ---- comparing hosts -------------------------------------------------- */

static void
assert_strv_equal (const char * const *a,
                   const char * const *b)
{
  if (a == NULL || b == NULL)
    {
      g_assert_true (a == b);
      return;
    }
  g_assert_cmpuint (g_strv_length ((GStrv) a), ==, g_strv_length ((GStrv) b));
  for (guint i = 0; a[i] != NULL; i++)
    g_assert_cmpstr (a[i], ==, b[i]);
}

static void
assert_devices_equal (PtHost   *host_a,
                      PtDevice *a,
                      PtHost   *host_b,
                      PtDevice *b)
{
  const PtDeviceCaps *ca = pt_device_get_caps (a);
  const PtDeviceCaps *cb = pt_device_get_caps (b);
  g_autofree char *name_a = pt_device_dup_display_name (a);
  g_autofree char *name_b = pt_device_dup_display_name (b);
  g_autofree char *ids_a = pt_device_dup_ids (a);
  g_autofree char *ids_b = pt_device_dup_ids (b);
  g_autoptr(GPtrArray) slot_a = pt_host_dup_slot_functions (host_a, a);
  g_autoptr(GPtrArray) slot_b = pt_host_dup_slot_functions (host_b, b);

  g_test_message ("comparing %s", pt_device_get_address (a));
  g_assert_cmpstr (pt_device_get_address (a), ==, pt_device_get_address (b));
  g_assert_cmpint (pt_address_compare (pt_device_get_pci_address (a),
                                       pt_device_get_pci_address (b)), ==, 0);
  g_assert_cmphex (pt_device_get_vendor_id (a), ==, pt_device_get_vendor_id (b));
  g_assert_cmphex (pt_device_get_device_id (a), ==, pt_device_get_device_id (b));
  g_assert_cmphex (pt_device_get_subsystem_vendor (a), ==, pt_device_get_subsystem_vendor (b));
  g_assert_cmphex (pt_device_get_subsystem_device (a), ==, pt_device_get_subsystem_device (b));
  g_assert_cmphex (pt_device_get_class (a), ==, pt_device_get_class (b));
  g_assert_cmphex (pt_device_get_class_code (a), ==, pt_device_get_class_code (b));
  g_assert_cmphex (pt_device_get_revision (a), ==, pt_device_get_revision (b));
  g_assert_cmpstr (pt_device_get_driver (a), ==, pt_device_get_driver (b));
  g_assert_cmpstr (pt_device_get_driver_override (a), ==, pt_device_get_driver_override (b));
  g_assert_cmpint (pt_device_get_iommu_group (a), ==, pt_device_get_iommu_group (b));
  g_assert_cmpint (pt_device_get_boot_vga (a), ==, pt_device_get_boot_vga (b));
  g_assert_cmpstr (pt_device_get_reset_method (a), ==, pt_device_get_reset_method (b));
  g_assert_cmpint (pt_device_get_numa_node (a), ==, pt_device_get_numa_node (b));
  g_assert_cmpstr (pt_device_get_modalias (a), ==, pt_device_get_modalias (b));
  g_assert_cmpstr (pt_device_get_parent_address (a), ==, pt_device_get_parent_address (b));
  g_assert_true ((pt_device_get_parent (a) == NULL) == (pt_device_get_parent (b) == NULL));
  if (pt_device_get_parent (a) != NULL)
    g_assert_cmpstr (pt_device_get_address (pt_device_get_parent (a)), ==,
                     pt_device_get_address (pt_device_get_parent (b)));
  g_assert_cmpstr (pt_device_get_vendor_name (a), ==, pt_device_get_vendor_name (b));
  g_assert_cmpstr (pt_device_get_device_name (a), ==, pt_device_get_device_name (b));
  g_assert_cmpstr (pt_device_get_subsystem_name (a), ==, pt_device_get_subsystem_name (b));
  g_assert_cmpstr (pt_device_get_class_name (a), ==, pt_device_get_class_name (b));
  g_assert_cmpstr (name_a, ==, name_b);
  g_assert_cmpstr (ids_a, ==, ids_b);
  assert_strv_equal (pt_device_get_kernel_modules (a), pt_device_get_kernel_modules (b));
  assert_strv_equal ((const char * const *) a->kernel_modules,
                     (const char * const *) b->kernel_modules);
  g_assert_cmpint (pt_device_is_gpu (a), ==, pt_device_is_gpu (b));
  g_assert_cmpint (pt_device_is_bridge (a), ==, pt_device_is_bridge (b));
  g_assert_cmpint (pt_device_is_neutral (a), ==, pt_device_is_neutral (b));
  g_assert_cmpint (pt_device_acs_isolates (a), ==, pt_device_acs_isolates (b));
  g_assert_cmpuint (slot_a->len, ==, slot_b->len);

  g_assert_cmpint (ca->caps_known, ==, cb->caps_known);
  g_assert_cmpint (ca->is_pcie, ==, cb->is_pcie);
  g_assert_cmpuint (ca->pcie_type, ==, cb->pcie_type);
  g_assert_cmpint (ca->flr, ==, cb->flr);
  g_assert_cmpint (ca->pm_reset, ==, cb->pm_reset);
  g_assert_cmpint (ca->has_acs, ==, cb->has_acs);
  g_assert_cmphex (ca->acs_cap, ==, cb->acs_cap);
  g_assert_cmphex (ca->acs_ctrl, ==, cb->acs_ctrl);
  g_assert_cmpuint (ca->link_speed, ==, cb->link_speed);
  g_assert_cmpuint (ca->link_width, ==, cb->link_width);
  g_assert_cmpuint (ca->link_speed_max, ==, cb->link_speed_max);
  g_assert_cmpuint (ca->link_width_max, ==, cb->link_width_max);
  g_assert_cmpint (ca->rebar, ==, cb->rebar);
  g_assert_cmpuint (ca->rebar_max_size, ==, cb->rebar_max_size);

  g_assert_true (pt_host_lookup_device (host_b, pt_device_get_address (a)) == b);
}

static void
assert_gpus_equal (PtHost *a,
                   PtHost *b)
{
  g_autoptr(GPtrArray) gpus_a = pt_host_list_gpus (a);
  g_autoptr(GPtrArray) gpus_b = pt_host_list_gpus (b);

  g_assert_cmpuint (gpus_a->len, ==, gpus_b->len);
  for (guint i = 0; i < gpus_a->len; i++)
    {
      PtGpu *ga = g_ptr_array_index (gpus_a, i);
      PtGpu *gb = g_ptr_array_index (gpus_b, i);

      g_assert_cmpstr (pt_device_get_address (ga->device), ==, pt_device_get_address (gb->device));
      g_assert_cmpint (ga->isolation, ==, gb->isolation);
      g_assert_cmpuint (ga->companions->len, ==, gb->companions->len);
      for (guint k = 0; k < ga->companions->len; k++)
        g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (ga->companions, k)), ==,
                         pt_device_get_address (g_ptr_array_index (gb->companions, k)));
      g_assert_cmpuint (ga->blockers->len, ==, gb->blockers->len);
      for (guint k = 0; k < ga->blockers->len; k++)
        g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (ga->blockers, k)), ==,
                         pt_device_get_address (g_ptr_array_index (gb->blockers, k)));
    }
}

/* Every getter of the host and of each device, and the private fields the
 * getters hide (a NULL list and an empty one look alike through them). */
static void
assert_hosts_equal (PtHost *a,
                    PtHost *b)
{
  GPtrArray *devices_a = pt_host_get_devices (a);
  GPtrArray *devices_b = pt_host_get_devices (b);
  GPtrArray *groups_a = pt_host_get_groups (a);
  GPtrArray *groups_b = pt_host_get_groups (b);
  const char *const probes[] = {
    "vmx", "svm", "hypervisor", "ept", "npt", "vpid", "x2apic", "avic",
    "vfio_pci", "vfio-pci", "kvm", "nouveau", "amdgpu", "intel_iommu", "amd_iommu",
    "iommu", "quiet", "ro",
  };

  g_assert_cmpint (pt_host_get_cpu_vendor (a), ==, pt_host_get_cpu_vendor (b));
  g_assert_cmpstr (pt_host_get_cpu_model (a), ==, pt_host_get_cpu_model (b));
  assert_strv_equal ((const char * const *) a->cpu_flags, (const char * const *) b->cpu_flags);
  g_assert_cmpint (pt_host_get_acpi_dmar (a), ==, pt_host_get_acpi_dmar (b));
  g_assert_cmpint (pt_host_get_acpi_ivrs (a), ==, pt_host_get_acpi_ivrs (b));
  g_assert_cmpint (pt_host_is_efi (a), ==, pt_host_is_efi (b));
  g_assert_cmpint (pt_host_get_secure_boot (a), ==, pt_host_get_secure_boot (b));
  g_assert_cmpint (pt_host_get_interrupt_remapping (a), ==,
                   pt_host_get_interrupt_remapping (b));
  g_assert_cmpstr (pt_host_get_board_vendor (a), ==, pt_host_get_board_vendor (b));
  g_assert_cmpstr (pt_host_get_board_name (a), ==, pt_host_get_board_name (b));
  g_assert_cmpstr (pt_host_get_bios_version (a), ==, pt_host_get_bios_version (b));
  g_assert_cmpstr (pt_host_get_cmdline (a), ==, pt_host_get_cmdline (b));
  assert_strv_equal ((const char * const *) a->cmdline_args,
                     (const char * const *) b->cmdline_args);
  g_assert_cmpstr (pt_host_get_kernel_release (a), ==, pt_host_get_kernel_release (b));
  assert_strv_equal (pt_host_get_loaded_modules (a), pt_host_get_loaded_modules (b));
  assert_strv_equal ((const char * const *) a->loaded_modules,
                     (const char * const *) b->loaded_modules);
  g_assert_cmpint (pt_host_get_vfio_pci_state (a), ==, pt_host_get_vfio_pci_state (b));
  g_assert_cmpstr (pt_host_get_os_id (a), ==, pt_host_get_os_id (b));
  g_assert_cmpstr (pt_host_get_os_id_like (a), ==, pt_host_get_os_id_like (b));
  g_assert_cmpstr (pt_host_get_os_name (a), ==, pt_host_get_os_name (b));
  g_assert_cmpstr (pt_host_get_os_version_id (a), ==, pt_host_get_os_version_id (b));
  assert_strv_equal (pt_host_get_root_disk_devices (a), pt_host_get_root_disk_devices (b));
  assert_strv_equal ((const char * const *) a->root_disk_devices,
                     (const char * const *) b->root_disk_devices);
  assert_strv_equal (pt_host_get_default_route_devices (a),
                     pt_host_get_default_route_devices (b));
  assert_strv_equal ((const char * const *) a->default_route_devices,
                     (const char * const *) b->default_route_devices);
  g_assert_cmpstr (pt_host_get_bootloader (a), ==, pt_host_get_bootloader (b));
  g_assert_cmpstr (pt_host_get_initramfs (a), ==, pt_host_get_initramfs (b));

  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_assert_cmpint (pt_host_has_cpu_flag (a, probes[i]), ==, pt_host_has_cpu_flag (b, probes[i]));
      g_assert_cmpint (pt_host_module_loaded (a, probes[i]), ==,
                       pt_host_module_loaded (b, probes[i]));
      g_assert_cmpint (pt_host_cmdline_has (a, probes[i]), ==, pt_host_cmdline_has (b, probes[i]));
      g_assert_cmpstr (pt_host_cmdline_get_value (a, probes[i]), ==,
                       pt_host_cmdline_get_value (b, probes[i]));
    }

  g_assert_cmpuint (devices_a->len, ==, devices_b->len);
  for (guint i = 0; i < devices_a->len; i++)
    assert_devices_equal (a, g_ptr_array_index (devices_a, i),
                          b, g_ptr_array_index (devices_b, i));

  g_assert_cmpint (pt_host_has_groups (a), ==, pt_host_has_groups (b));
  g_assert_cmpuint (groups_a->len, ==, groups_b->len);
  for (guint i = 0; i < groups_a->len; i++)
    {
      PtGroup *ga = g_ptr_array_index (groups_a, i);
      PtGroup *gb = g_ptr_array_index (groups_b, i);

      g_assert_cmpint (ga->id, ==, gb->id);
      g_assert_true (pt_host_lookup_group (b, ga->id) == gb);
      g_assert_cmpuint (ga->devices->len, ==, gb->devices->len);
      for (guint k = 0; k < ga->devices->len; k++)
        g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (ga->devices, k)), ==,
                         pt_device_get_address (g_ptr_array_index (gb->devices, k)));
    }

  assert_gpus_equal (a, b);
}

static char *
take_json (JsonNode *node)
{
  char *text = pt_json_to_string (node, TRUE);

  json_node_unref (node);
  return text;
}

/* What a plan for @address says: its JSON, or why it refuses. */
static char *
describe_plan (PtHost      *host,
               const char  *address,
               PtPlanFlags  flags)
{
  const char *addresses[] = { address, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = pt_plan_new (host, addresses, flags, &error);

  if (plan == NULL)
    return g_strdup_printf ("%s %d: %s", g_quark_to_string (error->domain), error->code,
                            error->message);
  return take_json (pt_json_plan (plan));
}

/* The read-only commands' answers, as passthroughctl prints them. */
static void
assert_commands_equal (PtHost *a,
                       PtHost *b)
{
  const PtPlanFlags flag_sets[] = {
    PT_PLAN_FLAGS_NONE,
    PT_PLAN_ALLOW_BOOT_VGA | PT_PLAN_ALLOW_SHARED,
  };
  g_autoptr(GPtrArray) checks_a = pt_checks_run (a);
  g_autoptr(GPtrArray) checks_b = pt_checks_run (b);
  g_autofree char *status_a = take_json (pt_json_status (checks_a));
  g_autofree char *status_b = take_json (pt_json_status (checks_b));
  g_autofree char *groups_a = take_json (pt_json_groups (a));
  g_autofree char *groups_b = take_json (pt_json_groups (b));
  g_autofree char *gpus_a = take_json (pt_json_gpus (a));
  g_autofree char *gpus_b = take_json (pt_json_gpus (b));
  GPtrArray *devices = pt_host_get_devices (a);

  g_assert_cmpstr (status_a, ==, status_b);
  g_assert_cmpstr (groups_a, ==, groups_b);
  g_assert_cmpstr (gpus_a, ==, gpus_b);

  for (guint i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);

      if (!pt_device_is_gpu (device))
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (flag_sets); k++)
        {
          g_autofree char *plan_a = describe_plan (a, pt_device_get_address (device), flag_sets[k]);
          g_autofree char *plan_b = describe_plan (b, pt_device_get_address (device), flag_sets[k]);

          g_assert_cmpstr (plan_a, ==, plan_b);
        }
    }
}

/* Snapshot → host → snapshot: the same bytes and the same host. */
static PtHost *
assert_round_trip (PtHost     *host,
                   const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) copy = NULL;
  g_autofree char *again = NULL;

  copy = pt_host_load_snapshot_data (text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy);
  g_assert_true (pt_host_is_snapshot (copy));
  g_assert_null (pt_host_get_root (copy));
  g_assert_true (copy->details_loaded);

  again = pt_host_to_snapshot (copy);
  g_assert_cmpstr (again, ==, text);
  assert_hosts_equal (host, copy);
  assert_commands_equal (host, copy);
  return g_steal_pointer (&copy);
}

/* ---- round trips ------------------------------------------------------ */

static void
test_round_trip_full (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autoptr(PtHost) copy = assert_round_trip (host, text);
  PtDevice *gpu = pt_host_lookup_device (copy, "01:00.0");

  /* not vacuous: the values came through, not just equal defaults */
  g_assert_nonnull (gpu);
  g_assert_cmpstr (pt_device_get_driver_override (gpu), ==, "vfio-pci");
  g_assert_cmpuint (pt_device_get_caps (gpu)->rebar_max_size, ==, G_GUINT64_CONSTANT (1) << 63);
  g_assert_cmpstr (pt_device_get_address (pt_device_get_parent (gpu)), ==, "0000:00:01.0");
  g_assert_cmpstr (pt_host_cmdline_get_value (copy, "vfio-pci.ids"), ==, "10de:13c2,10de:0fbb");
  g_assert_true (pt_host_cmdline_has (copy, "acpi_osi=Windows 2015"));
  g_assert_nonnull (pt_host_lookup_device (copy, "10000:e1:00.0"));
  g_assert_nonnull (pt_host_lookup_group (copy, 13));
  g_assert_cmpuint (pt_host_lookup_group (copy, 13)->devices->len, ==, 2);
  g_assert_cmpint (pt_host_get_cpu_vendor (copy), ==, PT_CPU_VENDOR_AMD);
  g_assert_cmpint (pt_host_get_vfio_pci_state (copy), ==, PT_MODULE_STATE_MODULE);
}

static void
test_round_trip_sparse (void)
{
  g_autoptr(PtHost) host = build_sparse_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autoptr(PtHost) copy = assert_round_trip (host, text);
  PtDevice *device = g_ptr_array_index (pt_host_get_devices (copy), 0);

  g_assert_null (pt_host_get_cmdline (copy));
  g_assert_null (copy->cpu_flags);
  g_assert_nonnull (copy->loaded_modules);
  g_assert_nonnull (device->kernel_modules);
  g_assert_cmpint (pt_host_get_secure_boot (copy), ==, PT_TRISTATE_UNKNOWN);
  g_assert_cmpint (pt_device_get_boot_vga (device), ==, PT_TRISTATE_UNKNOWN);
  g_assert_cmpint (pt_device_get_iommu_group (device), ==, -1);
  g_assert_false (pt_host_has_groups (copy));
}

/* Strings that are not UTF-8 (DMI fields are bytes) must not make a file
 * nothing can read back. */
static void
test_round_trip_bad_utf8 (void)
{
  g_autoptr(PtHost) host = build_sparse_host ();
  g_autoptr(PtHost) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  host->board_name = g_strdup ("B\xff\xfe" "450");
  host->cpu_flags = strv ("svm", "\xc3", NULL);
  text = pt_host_to_snapshot (host);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  copy = pt_host_load_snapshot_data (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pt_host_get_board_name (copy), "B"));
  g_assert_true (g_str_has_suffix (pt_host_get_board_name (copy), "450"));
}

typedef struct
{
  char *name;
} FixtureCase;

static void
fixture_case_free (gpointer data)
{
  FixtureCase *fc = data;

  g_free (fc->name);
  g_free (fc);
}

/* Loads @root as the CLI does, snapshots it, and checks the snapshot
 * against the live host: bytes, fields and command output. */
static void
assert_root_round_trip (const char *root)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) live = NULL;
  g_autoptr(PtHost) lazy = NULL;
  g_autoptr(PtHost) copy = NULL;
  g_autoptr(PtHost) from_file = NULL;
  g_autofree char *text = NULL;
  g_autofree char *lazy_text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *path = NULL;
  int fd;

  live = pt_host_load (root, PT_HOST_LOAD_DETAILS, &error);
  g_assert_no_error (error);
  g_assert_false (pt_host_is_snapshot (live));

  text = pt_host_to_snapshot (live);
  copy = assert_round_trip (live, text);

  /* A host loaded without details gets them before it is written. */
  lazy = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  lazy_text = pt_host_to_snapshot (lazy);
  g_assert_cmpstr (lazy_text, ==, text);

  /* and through a file, as --snapshot reads it */
  fd = g_file_open_tmp ("pt-snapshot-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  from_file = pt_host_load_snapshot (path, &error);
  g_assert_no_error (error);
  assert_hosts_equal (live, from_file);
  assert_commands_equal (live, from_file);
  again = pt_host_to_snapshot (from_file);
  g_assert_cmpstr (again, ==, text);
  g_unlink (path);
}

static void
test_round_trip_fixture (gconstpointer data)
{
  const FixtureCase *fc = data;
  g_autofree char *root = pt_test_build_host (fc->name);

  assert_root_round_trip (root);
  pt_test_remove_tree (root);
}

static void
put_file (const char *root,
          const char *relative,
          const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
put_link (const char *root,
          const char *relative,
          const char *target)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* A PCI function the way sysfs lays it out: attributes under
 * sys/devices/pci0000:00/…, a link from sys/bus/pci/devices, links to the
 * driver and the IOMMU group. */
static void
put_function (const char *root,
              const char *chain,      /* "0000:00:01.0/0000:01:00.0" */
              const char *vendor,
              const char *device,
              const char *klass,
              const char *driver,
              const char *group)
{
  g_autofree char *devdir = g_strconcat ("sys/devices/pci0000:00/", chain, NULL);
  g_autofree char *name = g_path_get_basename (chain);
  g_autofree char *bus_link = g_strconcat ("sys/bus/pci/devices/", name, NULL);
  g_autofree char *bus_target = g_strconcat ("../../../devices/pci0000:00/", chain, NULL);
  const char *attrs[][2] = {
    { "vendor", vendor }, { "device", device }, { "class", klass },
    { "subsystem_vendor", "0x1458" }, { "subsystem_device", "0x3679" },
    { "revision", "0xa1" }, { "numa_node", "-1" }, { "driver_override", "(null)" },
  };
  g_autoptr(GString) up = g_string_new ("../../../../");   /* sys/devices/pci0000:00/NAME */

  /* one more level for each bridge on the way */
  for (const char *p = chain; *p; p++)
    if (*p == '/')
      g_string_append (up, "../");

  for (guint i = 0; i < G_N_ELEMENTS (attrs); i++)
    {
      g_autofree char *rel = g_strconcat (devdir, "/", attrs[i][0], NULL);
      g_autofree char *line = g_strconcat (attrs[i][1], "\n", NULL);

      put_file (root, rel, line);
    }
  put_link (root, bus_link, bus_target);
  if (driver != NULL)
    {
      g_autofree char *rel = g_strconcat (devdir, "/driver", NULL);
      g_autofree char *target = g_strconcat (up->str, "bus/pci/drivers/", driver, NULL);

      put_link (root, rel, target);
    }
  if (group != NULL)
    {
      g_autofree char *rel = g_strconcat (devdir, "/iommu_group", NULL);
      g_autofree char *target = g_strconcat (up->str, "kernel/iommu_groups/", group, NULL);

      put_link (root, rel, target);
    }
}

/* A small host root made here, so the live-root round trip runs even where
 * no fixture listing exists. */
static void
test_round_trip_root (void)
{
  g_autofree char *root = g_dir_make_tmp ("pt-snapshot-root-XXXXXX", NULL);

  g_assert_nonnull (root);
  put_function (root, "0000:00:00.0", "0x8086", "0x3e30", "0x060000", NULL, "0");
  put_function (root, "0000:00:01.0", "0x8086", "0x1901", "0x060400", "pcieport", "1");
  put_function (root, "0000:00:01.0/0000:01:00.0", "0x10de", "0x13c2", "0x030000",
                "nouveau", "1");
  put_function (root, "0000:00:01.0/0000:01:00.1", "0x10de", "0x0fbb", "0x040300",
                "snd_hda_intel", "1");
  put_function (root, "0000:00:02.0", "0x8086", "0x3e92", "0x030000", "i915", "2");
  put_file (root, "sys/devices/pci0000:00/0000:00:02.0/boot_vga", "1\n");
  put_file (root, "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/boot_vga", "0\n");
  put_file (root, "sys/firmware/acpi/tables/DMAR", "");
  put_file (root, "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
            "\x06\x00\x00\x00\x01");
  put_file (root, "sys/class/dmi/id/board_vendor", "ASUSTeK COMPUTER INC.\n");
  put_file (root, "sys/class/dmi/id/board_name", "PRIME Z390-A\n");
  put_file (root, "sys/class/dmi/id/bios_version", "1401\n");
  put_file (root, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n"
                                  "model name\t: Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz\n"
                                  "flags\t\t: fpu vme vmx ept vpid x2apic\n\n");
  put_file (root, "proc/cmdline", "BOOT_IMAGE=/vmlinuz-6.1.0 root=/dev/sda1 ro intel_iommu=on\n");
  put_file (root, "proc/modules", "nouveau 2433024 0 - Live 0x0\nkvm_intel 380928 0 - Live 0x0\n");
  put_file (root, "proc/interrupts", "  120:  0  IR-PCI-MSI 512000-edge  ahci\n");
  put_file (root, "proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
  put_file (root, "etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                                    "ID=debian\nVERSION_ID=\"12\"\n");
  put_file (root, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
  put_file (root, "usr/sbin/update-grub", "#!/bin/sh\n");
  put_file (root, "usr/sbin/update-initramfs", "#!/bin/sh\n");

  assert_root_round_trip (root);

  /* not vacuous: the scanner saw what was laid out */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtHost) live = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pt_host_get_devices (live)->len, ==, 5);
    g_assert_cmpstr (pt_device_get_parent_address (pt_host_lookup_device (live, "01:00.1")),
                     ==, "0000:00:01.0");
    g_assert_cmpint (pt_host_get_cpu_vendor (live), ==, PT_CPU_VENDOR_INTEL);
    g_assert_cmpstr (pt_host_get_bootloader (live), ==, "grub");
  }

  pt_test_remove_tree (root);
}

/* ---- the file's shape ------------------------------------------------- */

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_format (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autoptr(PtHost) sparse = build_sparse_host ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autofree char *text2 = pt_host_to_snapshot (host);
  g_autofree char *sparse_text = pt_host_to_snapshot (sparse);
  JsonObject *top;
  JsonObject *h;
  JsonObject *gpu;
  JsonObject *caps;
  JsonArray *devices;

  g_assert_cmpstr (text, ==, text2);
  g_assert_true (g_str_has_prefix (text, "{\n  \"format\" : \"passthrough-host\",\n"
                                         "  \"version\" : 1,\n"
                                         "  \"generator\" : \"passthrough " PACKAGE_VERSION "\",\n"));
  g_assert_true (g_str_has_suffix (text, "\n}\n"));
  g_assert_true (g_str_has_suffix (sparse_text, "\n}\n"));

  top = parse_object (parser, text);
  h = json_object_get_object_member (top, "host");
  g_assert_cmpstr (json_object_get_string_member (h, "cpu_vendor"), ==, "amd");
  g_assert_true (json_object_get_boolean_member (h, "acpi_ivrs"));
  g_assert_false (json_object_get_boolean_member (h, "acpi_dmar"));
  g_assert_cmpstr (json_object_get_string_member (h, "vfio_pci"), ==, "module");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (h, "root_disk_devices")),
                    ==, 2);

  devices = json_object_get_array_member (top, "devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 6);
  /* address order, whatever order the devices were added in */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (devices, 0),
                                                  "address"), ==, "0000:00:00.0");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (devices, 5),
                                                  "address"), ==, "10000:e1:00.0");
  gpu = json_array_get_object_element (devices, 3);
  g_assert_cmpstr (json_object_get_string_member (gpu, "address"), ==, "0000:01:00.0");
  g_assert_cmpstr (json_object_get_string_member (gpu, "vendor"), ==, "10de");
  g_assert_cmpstr (json_object_get_string_member (gpu, "device"), ==, "13c2");
  g_assert_cmpstr (json_object_get_string_member (gpu, "subsystem_vendor"), ==, "1458");
  g_assert_cmpstr (json_object_get_string_member (gpu, "class"), ==, "030000");
  g_assert_cmpstr (json_object_get_string_member (gpu, "revision"), ==, "a1");
  g_assert_cmpstr (json_object_get_string_member (gpu, "parent"), ==, "0000:00:01.0");
  g_assert_cmpint (json_object_get_int_member (gpu, "iommu_group"), ==, 13);
  g_assert_false (json_object_get_boolean_member (gpu, "boot_vga"));
  caps = json_object_get_object_member (gpu, "caps");
  g_assert_true (json_object_get_boolean_member (caps, "known"));
  g_assert_cmpint (json_object_get_int_member (caps, "link_width_max"), ==, 16);

  /* unknown is null */
  top = parse_object (parser, sparse_text);
  h = json_object_get_object_member (top, "host");
  g_assert_true (json_object_get_null_member (h, "cpu_vendor"));
  g_assert_true (json_object_get_null_member (h, "cpu_flags"));
  g_assert_true (json_object_get_null_member (h, "secure_boot"));
  g_assert_true (json_object_get_null_member (h, "vfio_pci"));
  g_assert_true (json_object_get_null_member (h, "cmdline"));
  g_assert_true (json_object_get_null_member (h, "bootloader"));
  gpu = json_array_get_object_element (json_object_get_array_member (top, "devices"), 0);
  g_assert_true (json_object_get_null_member (gpu, "iommu_group"));
  g_assert_true (json_object_get_null_member (gpu, "boot_vga"));
  g_assert_true (json_object_get_null_member (gpu, "numa_node"));
  g_assert_true (json_object_get_null_member (gpu, "driver"));
  g_assert_true (json_object_get_null_member (gpu, "parent"));
  g_assert_cmpstr (json_object_get_string_member (gpu, "device"), ==, "0000");
}

/* ---- damaged files ---------------------------------------------------- */

static void
assert_corrupt_full (const char *text,
                     gssize      length,
                     const char *fragment,
                     const char *fragment2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_host_load_snapshot_data (text, length, &error);

  g_assert_null (host);
  g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  if (strstr (error->message, fragment) == NULL)
    g_error ("“%s” is not in the message “%s”", fragment, error->message);
  if (fragment2 != NULL && strstr (error->message, fragment2) == NULL)
    g_error ("“%s” is not in the message “%s”", fragment2, error->message);
}

static void
assert_corrupt (const char *text,
                gssize      length,
                const char *fragment)
{
  assert_corrupt_full (text, length, fragment, NULL);
}

/* The problem, and what the user should make of it. */
static void
assert_corrupt_damaged (const char *text,
                        const char *fragment)
{
  assert_corrupt_full (text, -1, fragment, "may be damaged or written by another program");
}

/* Sets (or with @value NULL removes) a member in @text: @section is "" for
 * the top level, "host" or "devices[N]"; @member may go one object deeper
 * ("caps.link_speed"); @value is JSON text. */
static char *
edit (const char *text,
      const char *section,
      const char *member,
      const char *value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_auto(GStrv) parts = g_strsplit (member, ".", 2);
  JsonObject *object = parse_object (parser, text);
  guint index;

  if (g_str_equal (section, "host"))
    object = json_object_get_object_member (object, "host");
  else if (sscanf (section, "devices[%u]", &index) == 1)
    object = json_array_get_object_element (json_object_get_array_member (object, "devices"),
                                            index);
  else
    g_assert_cmpstr (section, ==, "");
  if (parts[1] != NULL)
    {
      object = json_object_get_object_member (object, parts[0]);
      member = parts[1];
    }
  g_assert_nonnull (object);

  if (value == NULL)
    {
      g_assert_true (json_object_has_member (object, member));
      json_object_remove_member (object, member);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      JsonNode *node = json_from_string (value, &error);

      g_assert_no_error (error);
      json_object_set_member (object, member, node);
    }

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

static char *
replace_once (const char *text,
              const char *old,
              const char *replacement)
{
  const char *at = strstr (text, old);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, replacement, at + strlen (old));
}

typedef struct
{
  const char *section;
  const char *member;
  const char *value;     /* NULL: remove the member */
  const char *fragment;
} EditCase;

static const EditCase edit_cases[] = {
  /* the envelope */
  { "", "format", "\"passthrough-plan\"", "format: “passthrough-plan” is not “passthrough-host”" },
  { "", "format", NULL, "format is missing" },
  { "", "format", "7", "format: expected a string, found the number 7" },
  { "", "version", "0", "version: 0 is out of range" },
  { "", "version", "\"1\"", "version: expected a whole number, found the string “1”" },
  { "", "version", "1.5", "version: expected a whole number, found the number 1.5" },
  { "", "version", NULL, "version is missing" },
  { "", "host", NULL, "host is missing" },
  { "", "host", "[]", "host: expected an object, found a list" },
  { "", "devices", NULL, "devices is missing" },
  { "", "devices", "{}", "devices: expected a list, found an object" },
  { "", "devices", "[5]", "devices[0]: expected an object, found the number 5" },
  /* host facts */
  { "host", "efi", "\"yes\"", "host.efi: expected true or false, found the string “yes”" },
  { "host", "secure_boot", "1", "host.secure_boot: expected true, false or null, found the number 1" },
  { "host", "cpu_vendor", "\"via\"", "host.cpu_vendor: “via” is not one of the values this version knows (intel, amd)" },
  { "host", "cpu_model", "{}", "host.cpu_model: expected a string or null, found an object" },
  { "host", "cpu_flags", "\"svm\"", "host.cpu_flags: expected a list of strings or null, found the string “svm”" },
  { "host", "cpu_flags", "[\"vmx\", 3]", "host.cpu_flags[1]: expected a string, found the number 3" },
  { "host", "loaded_modules", "[null]", "host.loaded_modules[0]: expected a string, found null" },
  { "host", "vfio_pci", "\"loaded\"", "host.vfio_pci: “loaded” is not one of" },
  { "host", "bootloader", "\"lilo\"", "host.bootloader: “lilo” is not one of the values this version knows (grub, systemd-boot, kernelstub)" },
  { "host", "initramfs", "true", "host.initramfs: expected a string or null, found true" },
  { "host", "root_disk_devices", "[\"nvme0n1\"]", "host.root_disk_devices[0]: “nvme0n1” is not a PCI address" },
  { "host", "default_route_devices", "[\"0000:04:00.0\", \"0000:04:00.8\"]", "host.default_route_devices[1]: “0000:04:00.8” is not a PCI address" },
  /* devices */
  { "devices[3]", "address", "\"zz:00.0\"", "devices[3].address: “zz:00.0” is not a PCI address" },
  { "devices[3]", "address", "\"0000:01:00\"", "devices[3].address: “0000:01:00” is not a PCI address" },
  { "devices[3]", "address", "\"0000:01:20.0\"", "devices[3].address: “0000:01:20.0” is not a PCI address" },
  { "devices[3]", "address", NULL, "devices[3].address is missing" },
  { "devices[3]", "address", "null", "devices[3].address is missing" },
  { "devices[3]", "address", "17", "devices[3].address: expected a string, found the number 17" },
  { "devices[4]", "address", "\"0000:01:00.0\"", "devices[4].address: 0000:01:00.0 appears twice (also devices[3])" },
  { "devices[4]", "address", "\"01:00.0\"", "devices[4].address: 0000:01:00.0 appears twice (also devices[3])" },
  { "devices[3]", "vendor", "4318", "devices[3].vendor: expected a string, found the number 4318" },
  { "devices[3]", "vendor", NULL, "devices[3].vendor is missing" },
  { "devices[3]", "vendor", "\"0x10de\"", "devices[3].vendor: “0x10de” is not a hexadecimal number" },
  { "devices[3]", "vendor", "\"\"", "devices[3].vendor: the string is empty" },
  { "devices[3]", "device", "\"13c20\"", "devices[3].device: “13c20” is out of range; it must be at most “ffff”" },
  { "devices[3]", "device", "\"ffffffffffffffffffffffffffff\"", "devices[3].device: “ffffffffffffffffffffffffffff” is out of range" },
  { "devices[3]", "subsystem_vendor", "\"-1\"", "devices[3].subsystem_vendor: “-1” is not a hexadecimal number" },
  { "devices[3]", "class", "\"1030000\"", "devices[3].class: “1030000” is out of range; it must be at most “ffffff”" },
  { "devices[3]", "class", NULL, "devices[3].class is missing" },
  { "devices[3]", "revision", "\"100\"", "devices[3].revision: “100” is out of range; it must be at most “ff”" },
  { "devices[3]", "iommu_group", "\"13\"", "devices[3].iommu_group: expected a whole number, found the string “13”" },
  { "devices[3]", "iommu_group", "-1", "devices[3].iommu_group: -1 is out of range" },
  { "devices[3]", "iommu_group", "4294967296", "devices[3].iommu_group: 4294967296 is out of range" },
  { "devices[3]", "numa_node", "-2", "devices[3].numa_node: -2 is out of range" },
  { "devices[3]", "boot_vga", "\"no\"", "devices[3].boot_vga: expected true, false or null, found the string “no”" },
  { "devices[3]", "driver", "[]", "devices[3].driver: expected a string or null, found a list" },
  { "devices[3]", "kernel_modules", "[\"nouveau\", {}]", "devices[3].kernel_modules[1]: expected a string, found an object" },
  { "devices[3]", "parent", "\"00:01\"", "devices[3].parent: “00:01” is not a PCI address" },
  { "devices[3]", "parent", "\"0000:01:00.0\"", "devices[3].parent: a device cannot be its own parent" },
  { "devices[1]", "parent", "\"0000:01:00.0\"", "the chain of parents of 0000:00:01.0 goes round in a loop" },
  { "devices[3]", "caps", "true", "devices[3].caps: expected an object or null, found true" },
  { "devices[3]", "caps.link_speed", "300", "devices[3].caps.link_speed: 300 is out of range; it must be from 0 to 255" },
  { "devices[3]", "caps.pcie_type", "16", "devices[3].caps.pcie_type: 16 is out of range" },
  { "devices[3]", "caps.acs_cap", "31", "devices[3].caps.acs_cap: expected a string or null, found the number 31" },
  { "devices[3]", "caps.flr", "\"true\"", "devices[3].caps.flr: expected true or false, found the string “true”" },
  { "devices[3]", "caps.rebar_max_size", "-1", "devices[3].caps.rebar_max_size: -1 is out of range" },
  { "devices[3]", "caps.rebar_max_size", "1.5", "devices[3].caps.rebar_max_size: the number 1.5 is not a size in bytes" },
  { "devices[3]", "caps.rebar_max_size", "1e300", "devices[3].caps.rebar_max_size: the number" },
};

static void
test_corrupt_edits (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);

  for (guint i = 0; i < G_N_ELEMENTS (edit_cases); i++)
    {
      const EditCase *c = &edit_cases[i];
      g_autofree char *bad = edit (text, c->section, c->member, c->value);

      g_test_message ("%s %s = %s", c->section, c->member, c->value ? c->value : "(removed)");
      assert_corrupt_damaged (bad, c->fragment);
    }
}

static void
test_corrupt_future_version (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autofree char *bad = replace_once (text, "\"version\" : 1,", "\"version\" : 2,");

  assert_corrupt (bad, -1, "written by a newer version of Passthrough (snapshot version 2;");
  assert_corrupt (bad, -1, "Update Passthrough");
}

static void
test_corrupt_not_a_snapshot (void)
{
  assert_corrupt ("", -1, "the file is empty");
  assert_corrupt ("{}", 0, "the file is empty");
  assert_corrupt (" \n\t", -1, "the file is empty");
  assert_corrupt ("[1, 2]", -1, "the top level is not a JSON object");
  assert_corrupt ("\"passthrough-host\"", -1, "the top level is not a JSON object");
  assert_corrupt ("null", -1, "the top level is not a JSON object");
  assert_corrupt ("{}", -1, "format is missing");
  assert_corrupt ("hello", -1, "not complete, well-formed JSON");
  assert_corrupt ("{\"format\": \"passthrough-host\"} trailing", -1, "well-formed JSON");
  assert_corrupt ("\xff\xfe{\0\0", 6, "well-formed JSON");
  assert_corrupt ("{\"format\": \"passthrough-host\", \"version\": 1, \"host\": {}, "
                  "\"devices\": []}", 20, "well-formed JSON");
  /* a valid host, for contrast: the minimum the reader asks for */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtHost) host = pt_host_load_snapshot_data (
      "{\"format\": \"passthrough-host\", \"version\": 1, \"host\": {}, "
      "\"devices\": [{\"address\": \"00:02.0\", \"vendor\": \"8086\", "
      "\"device\": \"3E92\", \"class\": \"30000\"}]}", -1, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (pt_host_get_devices (host)->len, ==, 1);
    g_assert_cmpuint (pt_device_get_device_id (pt_host_lookup_device (host, "0000:00:02.0")),
                      ==, 0x3e92);
    g_assert_cmpuint (pt_device_get_class_code (pt_host_lookup_device (host, "0000:00:02.0")),
                      ==, PT_CLASS_VGA);
    g_assert_cmpint (pt_host_get_acpi_dmar (host), ==, PT_TRISTATE_UNKNOWN);
  }
}

/* Cut anywhere before the final brace, a snapshot is incomplete JSON. */
static void
test_corrupt_truncated (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  gsize length = strlen (text);

  g_assert_true (g_str_has_suffix (text, "}\n"));
  for (gsize cut = 0; cut + 1 < length; cut++)
    {
      /* a copy of exactly @cut bytes, so AddressSanitizer sees any read past it */
      g_autofree char *part = g_memdup2 (text, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(PtHost) copy = pt_host_load_snapshot_data (part ? part : "", cut, &error);

      g_assert_null (copy);
      g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "may be damaged"));
    }
}

/* Random damage: an error or a host, never a crash, and whatever host comes
 * out writes and reads back. */
static void
test_corrupt_random (void)
{
  static const char interesting[] = "\"{}[],:0-9exn\\ \xff";
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  gsize length = strlen (text);
  guint loaded = 0;

  for (guint round = 0; round < 3000; round++)
    {
      g_autofree char *bad = g_memdup2 (text, length);
      g_autoptr(GError) error = NULL;
      g_autoptr(PtHost) copy = NULL;
      guint changes = g_rand_int_range (rand, 1, 4);

      for (guint k = 0; k < changes; k++)
        {
          gsize at = g_rand_int_range (rand, 0, length);

          if (g_rand_boolean (rand))
            bad[at] = interesting[g_rand_int_range (rand, 0, sizeof interesting - 1)];
          else
            bad[at] = (char) g_rand_int_range (rand, 0, 256);
        }

      copy = pt_host_load_snapshot_data (bad, length, &error);
      if (copy == NULL)
        {
          g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
        }
      else
        {
          g_autofree char *again = pt_host_to_snapshot (copy);
          g_autoptr(PtHost) copy2 = pt_host_load_snapshot_data (again, -1, &error);
          g_autofree char *again2 = NULL;

          g_assert_no_error (error);
          again2 = pt_host_to_snapshot (copy2);
          g_assert_cmpstr (again, ==, again2);
          loaded++;
        }
    }
  g_test_message ("%u of 3000 damaged snapshots still loaded", loaded);
}

/* ---- reading leniently where it is safe ------------------------------- */

static void
test_unknown_members (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autofree char *a = edit (text, "", "comment", "{\"from\": [\"a later version\", 2]}");
  g_autofree char *b = edit (a, "host", "tpm", "\"2.0\"");
  g_autofree char *c = edit (b, "devices[3]", "sriov", "[1, 2, 3]");
  g_autofree char *d = edit (c, "devices[3]", "caps.ats", "true");
  g_autoptr(PtHost) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *again = NULL;

  copy = pt_host_load_snapshot_data (d, -1, &error);
  g_assert_no_error (error);
  again = pt_host_to_snapshot (copy);
  g_assert_cmpstr (again, ==, text);
  assert_hosts_equal (host, copy);
}

static void
test_absent_members (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autofree char *a = edit (text, "devices[3]", "driver", NULL);
  g_autofree char *b = edit (a, "devices[3]", "iommu_group", NULL);
  g_autofree char *c = edit (b, "host", "secure_boot", NULL);
  g_autofree char *d = edit (c, "devices[3]", "caps", "null");
  g_autoptr(PtHost) copy = NULL;
  g_autoptr(GError) error = NULL;
  PtDevice *gpu;

  copy = pt_host_load_snapshot_data (d, -1, &error);
  g_assert_no_error (error);
  gpu = pt_host_lookup_device (copy, "0000:01:00.0");
  g_assert_null (pt_device_get_driver (gpu));
  g_assert_cmpint (pt_device_get_iommu_group (gpu), ==, -1);
  g_assert_false (pt_device_get_caps (gpu)->caps_known);
  g_assert_cmpint (pt_host_get_secure_boot (copy), ==, PT_TRISTATE_UNKNOWN);
  g_assert_cmpuint (pt_host_lookup_group (copy, 13)->devices->len, ==, 1);
}

/* Short addresses and upper-case hex are read; the host writes them back
 * in full form and lower case. */
static void
test_normalised (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autofree char *a = edit (text, "devices[3]", "address", "\"01:00.0\"");
  g_autofree char *b = edit (a, "devices[3]", "vendor", "\"10DE\"");
  g_autofree char *c = edit (b, "devices[4]", "parent", "\"00:01.0\"");
  g_autofree char *d = edit (c, "host", "root_disk_devices", "[\"00:17.0\", \"0000:03:00.0\"]");
  g_autofree char *e = edit (d, "devices[3]", "class", "\"30000\"");
  g_autofree char *f = edit (e, "devices[3]", "numa_node", "-1");
  g_autofree char *g = edit (f, "devices[3]", "numa_node", "0");
  g_autoptr(PtHost) copy = NULL;
  g_autoptr(PtHost) copy2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *again = NULL;

  copy = pt_host_load_snapshot_data (g, -1, &error);
  g_assert_no_error (error);
  again = pt_host_to_snapshot (copy);
  g_assert_cmpstr (again, ==, text);
  assert_hosts_equal (host, copy);

  copy2 = pt_host_load_snapshot_data (f, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pt_device_get_numa_node (pt_host_lookup_device (copy2, "01:00.0")), ==, -1);
}

/* ---- files ------------------------------------------------------------ */

static void
test_file (void)
{
  g_autoptr(PtHost) host = build_full_host ();
  g_autofree char *text = pt_host_to_snapshot (host);
  g_autofree char *dir = g_dir_make_tmp ("pt-snapshot-XXXXXX", NULL);
  g_autofree char *good = g_build_filename (dir, "host.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "cut.json", NULL);
  g_autofree char *none = g_build_filename (dir, "missing.json", NULL);
  g_autoptr(PtHost) copy = NULL;
  g_autoptr(PtHost) nothing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dir);
  g_file_set_contents (good, text, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (bad, text, strlen (text) / 2, &error);
  g_assert_no_error (error);

  copy = pt_host_load_snapshot (good, &error);
  g_assert_no_error (error);
  assert_hosts_equal (host, copy);

  nothing = pt_host_load_snapshot (bad, &error);
  g_assert_null (nothing);
  g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, bad));
  g_assert_nonnull (strstr (error->message, "may be damaged"));
  g_clear_error (&error);

  nothing = pt_host_load_snapshot (none, &error);
  g_assert_null (nothing);
  g_assert_error (error, PT_ERROR, PT_ERROR_NO_ROOT);
  g_assert_nonnull (strstr (error->message, none));
  g_clear_error (&error);

  nothing = pt_host_load_snapshot (dir, &error);
  g_assert_null (nothing);
  g_assert_error (error, PT_ERROR, PT_ERROR_NO_ROOT);
  g_clear_error (&error);

  g_unlink (good);
  g_unlink (bad);
  g_rmdir (dir);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static void
add_fixture_tests (GPtrArray *keep)
{
  g_autofree char *dir_path = pt_test_fixture_path ("hosts");
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".host"))
      g_ptr_array_add (names, g_strndup (name, strlen (name) - strlen (".host")));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      FixtureCase *fc = g_new0 (FixtureCase, 1);
      g_autofree char *path = NULL;

      fc->name = g_strdup (g_ptr_array_index (names, i));
      path = g_strdup_printf ("/snapshot/round-trip/fixture/%s", fc->name);
      g_test_add_data_func (path, fc, test_round_trip_fixture);
      g_ptr_array_add (keep, fc);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) fixtures = g_ptr_array_new_with_free_func (fixture_case_free);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/snapshot/round-trip/full", test_round_trip_full);
  g_test_add_func ("/snapshot/round-trip/sparse", test_round_trip_sparse);
  g_test_add_func ("/snapshot/round-trip/bad-utf8", test_round_trip_bad_utf8);
  g_test_add_func ("/snapshot/round-trip/root", test_round_trip_root);
  add_fixture_tests (fixtures);
  g_test_add_func ("/snapshot/format", test_format);
  g_test_add_func ("/snapshot/read/unknown-members", test_unknown_members);
  g_test_add_func ("/snapshot/read/absent-members", test_absent_members);
  g_test_add_func ("/snapshot/read/normalised", test_normalised);
  g_test_add_func ("/snapshot/read/file", test_file);
  g_test_add_func ("/snapshot/corrupt/edits", test_corrupt_edits);
  g_test_add_func ("/snapshot/corrupt/future-version", test_corrupt_future_version);
  g_test_add_func ("/snapshot/corrupt/not-a-snapshot", test_corrupt_not_a_snapshot);
  g_test_add_func ("/snapshot/corrupt/truncated", test_corrupt_truncated);
  g_test_add_func ("/snapshot/corrupt/random", test_corrupt_random);

  return g_test_run ();
}
