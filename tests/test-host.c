/* test-host.c: the scanner reads a host root like the kernel laid it out:
 * functions, groups, topology, firmware and kernel facts, names through
 * libpci, capabilities through config space and modules through libkmod. */
#include "config.h"

#include <glib/gstdio.h>

#include "pt-host.h"
#include "pt-test-util.h"

static char *seed_root;
static PtHost *seed;

static void
test_seed_devices (void)
{
  GPtrArray *devices = pt_host_get_devices (seed);
  PtDevice *gpu = pt_host_lookup_device (seed, "01:00.0");
  PtDevice *audio = pt_host_lookup_device (seed, "0000:01:00.1");
  PtDevice *igpu = pt_host_lookup_device (seed, "00:02.0");

  g_assert_cmpuint (devices->len, ==, 15);
  /* address order */
  for (guint i = 1; i < devices->len; i++)
    g_assert_cmpint (pt_address_compare (pt_device_get_pci_address (g_ptr_array_index (devices, i - 1)),
                                         pt_device_get_pci_address (g_ptr_array_index (devices, i))),
                     <, 0);

  g_assert_nonnull (gpu);
  g_assert_cmpstr (pt_device_get_address (gpu), ==, "0000:01:00.0");
  g_assert_cmphex (pt_device_get_vendor_id (gpu), ==, 0x10de);
  g_assert_cmphex (pt_device_get_device_id (gpu), ==, 0x13c2);
  g_assert_cmphex (pt_device_get_subsystem_vendor (gpu), ==, 0x1043);
  g_assert_cmphex (pt_device_get_subsystem_device (gpu), ==, 0x8508);
  g_assert_cmphex (pt_device_get_class_code (gpu), ==, 0x0300);
  g_assert_cmphex (pt_device_get_revision (gpu), ==, 0xa1);
  g_assert_cmpstr (pt_device_get_driver (gpu), ==, "nouveau");
  g_assert_null (pt_device_get_driver_override (gpu));
  g_assert_cmpint (pt_device_get_iommu_group (gpu), ==, 1);
  g_assert_cmpint (pt_device_get_boot_vga (gpu), ==, PT_TRISTATE_NO);
  g_assert_cmpstr (pt_device_get_parent_address (gpu), ==, "0000:00:01.0");
  g_assert_true (pt_device_get_parent (gpu) == pt_host_lookup_device (seed, "00:01.0"));
  g_assert_null (pt_device_get_parent_address (pt_host_lookup_device (seed, "00:01.0")));
  g_assert_true (pt_device_is_gpu (gpu));
  g_assert_true (pt_device_is_gpu (igpu));
  g_assert_false (pt_device_is_gpu (audio));
  g_assert_cmpint (pt_device_get_boot_vga (igpu), ==, PT_TRISTATE_YES);
  g_assert_true (pt_device_is_bridge (pt_host_lookup_device (seed, "00:01.0")));

  /* names come from pci.ids through libpci */
  g_assert_cmpstr (pt_device_get_vendor_name (gpu), ==, "NVIDIA Corporation");
  g_assert_cmpstr (pt_device_get_device_name (gpu), ==, "GM204 [GeForce GTX 970]");
  g_assert_cmpstr (pt_device_get_class_name (gpu), ==, "VGA compatible controller");
  g_assert_nonnull (strstr (pt_device_get_subsystem_name (gpu), "ASUS"));
  {
    g_autofree char *display = pt_device_dup_display_name (gpu);

    g_assert_cmpstr (display, ==, "GeForce GTX 970");
  }
  g_assert_null (pt_host_lookup_device (seed, "05:00.0"));
  g_assert_null (pt_host_lookup_device (seed, "garbage"));
}

static void
test_seed_groups (void)
{
  GPtrArray *groups = pt_host_get_groups (seed);
  PtGroup *g1 = pt_host_lookup_group (seed, 1);

  g_assert_cmpuint (groups->len, ==, 11);
  for (guint i = 0; i < groups->len; i++)
    g_assert_cmpint (((PtGroup *) g_ptr_array_index (groups, i))->id, ==, (int) i);
  g_assert_nonnull (g1);
  g_assert_cmpuint (g1->devices->len, ==, 3);
  g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (g1->devices, 0)), ==, "0000:00:01.0");
  g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (g1->devices, 2)), ==, "0000:01:00.1");
  g_assert_cmpuint (pt_host_lookup_group (seed, 10)->devices->len, ==, 3);
  g_assert_null (pt_host_lookup_group (seed, 11));
  g_assert_true (pt_host_has_groups (seed));
}

static void
test_seed_facts (void)
{
  g_assert_cmpint (pt_host_get_cpu_vendor (seed), ==, PT_CPU_VENDOR_INTEL);
  g_assert_nonnull (strstr (pt_host_get_cpu_model (seed), "i7-4790K"));
  g_assert_true (pt_host_has_cpu_flag (seed, "vmx"));
  g_assert_false (pt_host_has_cpu_flag (seed, "svm"));
  g_assert_cmpint (pt_host_get_acpi_dmar (seed), ==, PT_TRISTATE_YES);
  g_assert_cmpint (pt_host_get_acpi_ivrs (seed), ==, PT_TRISTATE_NO);
  g_assert_true (pt_host_is_efi (seed));
  g_assert_cmpint (pt_host_get_secure_boot (seed), ==, PT_TRISTATE_NO);
  g_assert_cmpint (pt_host_get_interrupt_remapping (seed), ==, PT_TRISTATE_YES);
  g_assert_cmpstr (pt_host_get_board_vendor (seed), ==, "ASUSTeK COMPUTER INC.");
  g_assert_cmpstr (pt_host_get_board_name (seed), ==, "MAXIMUS VII RANGER");
  g_assert_nonnull (pt_host_get_bios_version (seed));
  g_assert_cmpstr (pt_host_get_kernel_release (seed), ==, "5.9.16-1-MANJARO");
  g_assert_true (pt_host_cmdline_has (seed, "intel_iommu=on"));
  g_assert_true (pt_host_cmdline_has (seed, "iommu=pt"));
  g_assert_false (pt_host_cmdline_has (seed, "iommu"));
  g_assert_cmpstr (pt_host_cmdline_get_value (seed, "root"), ==,
                   "UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96");
  g_assert_cmpstr (pt_host_get_os_id (seed), ==, "manjaro");
  g_assert_cmpstr (pt_host_get_os_id_like (seed), ==, "arch");
  g_assert_true (pt_host_module_loaded (seed, "nouveau"));
  g_assert_true (pt_host_module_loaded (seed, "snd-hda-intel"));
  g_assert_false (pt_host_module_loaded (seed, "vfio_pci"));
  g_assert_true (g_strv_contains (pt_host_get_root_disk_devices (seed), "0000:00:1f.2"));
  g_assert_cmpuint (g_strv_length ((GStrv) pt_host_get_root_disk_devices (seed)), ==, 1);
  g_assert_true (g_strv_contains (pt_host_get_default_route_devices (seed), "0000:00:19.0"));
  g_assert_cmpstr (pt_host_get_bootloader (seed), ==, "grub");
  g_assert_cmpstr (pt_host_get_initramfs (seed), ==, "mkinitcpio");
  g_assert_false (pt_host_is_snapshot (seed));
}

static void
test_seed_details (void)
{
  PtDevice *gpu = pt_host_lookup_device (seed, "01:00.0");
  PtDevice *port = pt_host_lookup_device (seed, "00:01.0");
  const PtDeviceCaps *caps;

  /* the fast scan leaves the details out; they come on demand */
  g_assert_null (pt_device_get_modalias (gpu));
  g_assert_true (pt_host_ensure_details (seed, NULL));
  g_assert_cmpstr (pt_device_get_modalias (gpu), ==,
                   "pci:v000010DEd000013C2sv00001043sd00008508bc03sc00i00");
  caps = pt_device_get_caps (gpu);
  g_assert_true (caps->caps_known);
  g_assert_true (caps->is_pcie);
  g_assert_cmpuint (caps->link_speed, ==, 3);
  g_assert_cmpuint (caps->link_width, ==, 16);
  g_assert_cmpuint (caps->link_speed_max, ==, 3);
  g_assert_cmpstr (pt_device_link_speed_string (caps->link_speed), ==, "8 GT/s");
  g_assert_true (pt_device_get_caps (port)->is_pcie);
  g_assert_cmpuint (pt_device_get_caps (port)->pcie_type, ==, 4);   /* root port */

  /* libkmod on the root's module index */
  g_assert_cmpstr (pt_device_get_kernel_modules (gpu)[0], ==, "nouveau");
  g_assert_cmpint (pt_host_get_vfio_pci_state (seed), ==, PT_MODULE_STATE_MODULE);
}

/* Capabilities written into config space come back through libpci. */
static void
test_caps (void)
{
  g_autofree char *root = pt_test_build_host_from_text (
    "Name: caps\n"
    "CPU: Intel(R) Xeon(R) W-2245 CPU @ 3.90GHz\n"
    "Kernel: 6.1.0-13-amd64\n"
    "OS: debian\n"
    "\n"
    "IOMMU Group 3:\n"
    "\t00:01.0 PCI bridge [0604]: Intel Corporation Sky Lake-E PCI Express Root Port A [8086:2030] (rev 04)\n"
    "\t\tKernel driver in use: pcieport\n"
    "\t\tcaps: pcie=root-port link=3x16/3x16 acs=sv,rr,cr,uf\n"
    "IOMMU Group 4:\n"
    "\t01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 21 [Radeon RX 6800/6800 XT / 6900 XT] [1002:73bf] (rev c1)\n"
    "\t\tKernel driver in use: amdgpu\n"
    "\t\tcaps: pcie=endpoint flr link=4x16/3x8 rebar=256M-16G\n"
    "\t\treset_method: flr bus\n"
    "\t\tnuma_node: 0\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DETAILS, &error);
  PtDevice *gpu, *port;
  const PtDeviceCaps *caps;

  g_assert_no_error (error);
  gpu = pt_host_lookup_device (host, "01:00.0");
  port = pt_host_lookup_device (host, "00:01.0");
  caps = pt_device_get_caps (gpu);
  g_assert_true (caps->caps_known);
  g_assert_true (caps->flr);
  g_assert_cmpuint (caps->link_speed, ==, 3);
  g_assert_cmpuint (caps->link_width, ==, 8);
  g_assert_cmpuint (caps->link_speed_max, ==, 4);
  g_assert_cmpuint (caps->link_width_max, ==, 16);
  g_assert_true (caps->rebar);
  g_assert_cmpuint (caps->rebar_max_size, ==, G_GUINT64_CONSTANT (16) << 30);
  g_assert_cmpstr (pt_device_get_reset_method (gpu), ==, "flr bus");
  g_assert_cmpint (pt_device_get_numa_node (gpu), ==, 0);
  g_assert_true (pt_device_get_caps (port)->has_acs);
  g_assert_true (pt_device_acs_isolates (port));
  g_assert_false (pt_device_acs_isolates (gpu));
  pt_test_remove_tree (root);
}

static void
test_missing_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_host_load ("/nonexistent/host/root", 0, &error);

  g_assert_null (host);
  g_assert_error (error, PT_ERROR, PT_ERROR_NO_ROOT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/host/root"));
}

/* An empty tree (a disk image without sys/) is a host without PCI, not an
 * error: offline configuration works on such trees. */
static void
test_empty_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pt-empty-XXXXXX", NULL);
  g_autoptr(PtHost) host = pt_host_load (dir, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (pt_host_get_devices (host)->len, ==, 0);
  g_assert_false (pt_host_has_groups (host));
  g_assert_cmpint (pt_host_get_cpu_vendor (host), ==, PT_CPU_VENDOR_UNKNOWN);
  g_rmdir (dir);
}

static void
test_damaged_attributes (void)
{
  const struct { const char *attr; const char *value; } cases[] = {
    { "vendor", "garbage" }, { "vendor", "" }, { "device", "0x13c" }, { "class", "0x0300" },
    { "revision", "0xa" }, { "subsystem_vendor", "0x1043x" }, { "boot_vga", "2" },
    { "numa_node", "zero" }, { "vendor", "0x10dz" }, { "device", "13c2ab" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = pt_test_build_host ("seed");
      g_autofree char *path = g_build_filename (root, "sys/bus/pci/devices/0000:01:00.0",
                                                cases[i].attr, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(PtHost) host = NULL;

      g_file_set_contents (path, cases[i].value, -1, &error);
      g_assert_no_error (error);
      host = pt_host_load (root, PT_HOST_LOAD_DETAILS, &error);
      g_assert_null (host);
      g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, cases[i].attr));
      g_assert_nonnull (strstr (error->message, "0000:01:00.0"));
      pt_test_remove_tree (root);
    }
}

/* Trees copied by other tools: IDs only in config space, groups only in
 * the kernel's iommu_groups listing. */
static void
test_sparse_trees (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autofree char *dev = g_build_filename (root, "sys/bus/pci/devices/0000:01:00.0", NULL);
  const char *gone[] = { "vendor", "device", "class", "subsystem_vendor", "subsystem_device",
                         "revision" };
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *devices = g_build_filename (root, "sys/bus/pci/devices", NULL);
  const char *name;
  PtDevice *gpu;

  for (guint i = 0; i < G_N_ELEMENTS (gone); i++)
    {
      g_autofree char *path = g_build_filename (dev, gone[i], NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  dir = g_dir_open (devices, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename (devices, name, "iommu_group", NULL);

      g_unlink (link);
    }

  host = pt_host_load (root, 0, &error);
  g_assert_no_error (error);
  gpu = pt_host_lookup_device (host, "01:00.0");
  g_assert_cmphex (pt_device_get_vendor_id (gpu), ==, 0x10de);
  g_assert_cmphex (pt_device_get_device_id (gpu), ==, 0x13c2);
  g_assert_cmphex (pt_device_get_class (gpu), ==, 0x030000);
  g_assert_cmphex (pt_device_get_subsystem_device (gpu), ==, 0x8508);
  g_assert_cmphex (pt_device_get_revision (gpu), ==, 0xa1);
  g_assert_cmpint (pt_device_get_iommu_group (gpu), ==, 1);
  g_assert_cmpuint (pt_host_get_groups (host)->len, ==, 11);
  g_clear_object (&host);

  /* without config space either: one clear error */
  {
    g_autofree char *config = g_build_filename (dev, "config", NULL);

    g_assert_cmpint (g_unlink (config), ==, 0);
    host = pt_host_load (root, 0, &error);
    g_assert_null (host);
    g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "0000:01:00.0"));
  }
  pt_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  seed_root = pt_test_build_host ("seed");
  seed = pt_host_load (seed_root, PT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);

  g_test_add_func ("/host/seed/devices", test_seed_devices);
  g_test_add_func ("/host/seed/groups", test_seed_groups);
  g_test_add_func ("/host/seed/facts", test_seed_facts);
  g_test_add_func ("/host/seed/details", test_seed_details);
  g_test_add_func ("/host/caps", test_caps);
  g_test_add_func ("/host/missing-root", test_missing_root);
  g_test_add_func ("/host/empty-root", test_empty_root);
  g_test_add_func ("/host/damaged-attributes", test_damaged_attributes);
  g_test_add_func ("/host/sparse-trees", test_sparse_trees);

  ret = g_test_run ();
  g_object_unref (seed);
  pt_test_remove_tree (seed_root);
  g_free (seed_root);
  return ret;
}
