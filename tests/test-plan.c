/* test-plan.c: verdicts and plans (DESIGN.md "Verdicts") on the seed host
 * and on hosts shaped like the cases that break naive tools: shared
 * chipset groups, dummy host bridges, audio in its own group, two identical
 * cards, the IOMMU off, and the devices the host cannot live without. */
#include "config.h"

#include "pt-host.h"
#include "pt-plan.h"
#include "pt-verdict.h"
#include "pt-test-util.h"

/* A Zen 1 board (B350) as its groups look with an early AGESA: GPU ports
 * share a group with their "PCIe Dummy Host Bridge", and the chipset's
 * group holds USB, SATA, the NIC and a GPU in a chipset slot. */
static const char amd_listing[] =
  "Name: zen1-b350\n"
  "CPU: AMD Ryzen 7 1700 Eight-Core Processor\n"
  "Board: Micro-Star International Co., Ltd. / B350 TOMAHAWK (MS-7A34)\n"
  "Firmware: UEFI\n"
  "ACPI: IVRS\n"
  "Kernel: 6.1.0-13-amd64\n"
  "Cmdline: BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=0b4c ro quiet amd_iommu=on\n"
  "OS: debian\n"
  "Root: 0000:01:00.0 nvme0n1p2\n"
  "%s"
  "\n"
  "IOMMU Group 0:\n"
  "\t00:01.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Family 17h (Models 00h-1fh) PCIe Dummy Host Bridge [1022:1452]\n"
  "\t00:01.1 PCI bridge [0604]: Advanced Micro Devices, Inc. [AMD] Family 17h (Models 00h-0fh) PCIe GPP Bridge [1022:1453]\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t01:00.0 Non-Volatile memory controller [0108]: Samsung Electronics Co Ltd NVMe SSD Controller SM981/PM981/PM983 [144d:a808]\n"
  "\t\tKernel driver in use: nvme\n"
  "IOMMU Group 1:\n"
  "\t00:03.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Family 17h (Models 00h-1fh) PCIe Dummy Host Bridge [1022:1452]\n"
  "\t00:03.1 PCI bridge [0604]: Advanced Micro Devices, Inc. [AMD] Family 17h (Models 00h-0fh) PCIe GPP Bridge [1022:1453]\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t26:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n"
  "\t\tKernel driver in use: nouveau\n"
  "\t\tboot_vga: 1\n"
  "\t26:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\n"
  "\t\tKernel driver in use: snd_hda_intel\n"
  "IOMMU Group 3:\n"
  "\t03:00.0 USB controller [0c03]: Advanced Micro Devices, Inc. [AMD] 300 Series Chipset USB 3.1 xHCI Controller [1022:43bb] (rev 02)\n"
  "\t\tKernel driver in use: xhci_hcd\n"
  "\t03:00.1 SATA controller [0106]: Advanced Micro Devices, Inc. [AMD] 300 Series Chipset SATA Controller [1022:43b7] (rev 02)\n"
  "\t\tKernel driver in use: ahci\n"
  "\t03:00.2 PCI bridge [0604]: Advanced Micro Devices, Inc. [AMD] 300 Series Chipset PCIe Bridge [1022:43b2] (rev 02)\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t1d:00.0 PCI bridge [0604]: Advanced Micro Devices, Inc. [AMD] 300 Series Chipset PCIe Port [1022:43b4] (rev 02)\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t25:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller [10ec:8168] (rev 15)\n"
  "\t\tKernel driver in use: r8169\n"
  "\t27:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Baffin [Radeon RX 460/560D / Pro 450/455/460/555/555X/560/560X] [1002:67ef] (rev e5)\n"
  "\t\tKernel driver in use: amdgpu\n"
  "\t27:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Baffin HDMI/DP Audio [Radeon RX 550 640SP / RX 560/560X] [1002:aae0]\n"
  "\t\tKernel driver in use: snd_hda_intel\n";

/* Two identical cards, one for the host and one for the guest; the
 * second card's audio sits in a group of its own, the first card's audio
 * shares a group with a USB controller. */
static const char twins_listing[] =
  "Name: twins\n"
  "CPU: Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz\n"
  "Board: Gigabyte Technology Co., Ltd. / Z390 AORUS PRO\n"
  "Kernel: 6.6.8-arch1-1\n"
  "OS: arch\n"
  "\n"
  "IOMMU Group 1:\n"
  "\t00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 0d)\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n"
  "\t\tKernel driver in use: nouveau\n"
  "\t\tboot_vga: 1\n"
  "IOMMU Group 2:\n"
  "\t01:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\n"
  "\t\tKernel driver in use: snd_hda_intel\n"
  "\t00:14.0 USB controller [0c03]: Intel Corporation Cannon Lake PCH USB 3.1 xHCI Host Controller [8086:a36d] (rev 10)\n"
  "\t\tKernel driver in use: xhci_hcd\n"
  "IOMMU Group 3:\n"
  "\t00:1c.4 PCI bridge [0604]: Intel Corporation Cannon Lake PCH PCI Express Root Port #5 [8086:a33c] (rev f0)\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t02:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP104 [GeForce GTX 1070] [10de:1b81] (rev a1)\n"
  "\t\tKernel driver in use: nouveau\n"
  "\t\tboot_vga: 0\n"
  "IOMMU Group 4:\n"
  "\t02:00.1 Audio device [0403]: NVIDIA Corporation GP104 High Definition Audio Controller [10de:10f0] (rev a1)\n"
  "\t\tKernel driver in use: snd_hda_intel\n";

static const char iommu_off_listing[] =
  "Name: iommu-off\n"
  "CPU: Intel(R) Core(TM) i5-8400 CPU @ 2.80GHz\n"
  "Board: Dell Inc. / 0JP3NX\n"
  "Kernel: 6.1.0-13-amd64\n"
  "Cmdline: BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=1 ro quiet\n"
  "OS: debian\n"
  "\n"
  "No IOMMU Group:\n"
  "\t00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 07)\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t00:02.0 VGA compatible controller [0300]: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] [8086:3e92]\n"
  "\t\tKernel driver in use: i915\n"
  "\t\tboot_vga: 1\n"
  "\t01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)\n"
  "\t\tKernel driver in use: amdgpu\n"
  "\t\tboot_vga: 0\n"
  "\t01:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590] [1002:aaf0]\n"
  "\t\tKernel driver in use: snd_hda_intel\n";

typedef struct
{
  char   *root;
  PtHost *host;
} Fixture;

static void
fixture_load (Fixture *f, const char *root)
{
  g_autoptr(GError) error = NULL;

  f->root = g_strdup (root);
  f->host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_object (&f->host);
  pt_test_remove_tree (f->root);
  g_clear_pointer (&f->root, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_clear)

static void
load_named (Fixture *f, const char *name)
{
  g_autofree char *root = pt_test_build_host (name);

  fixture_load (f, root);
}

static void
load_text (Fixture *f, const char *text)
{
  g_autofree char *root = pt_test_build_host_from_text (text);

  fixture_load (f, root);
}

static PtPlan *
plan1 (PtHost *host, const char *address, PtPlanFlags flags, GError **error)
{
  const char *addresses[] = { address, NULL };

  return pt_plan_new (host, addresses, flags, error);
}

static char *
plan_addresses (PtPlan *plan)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < plan->devices->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            pt_device_get_address (g_ptr_array_index (plan->devices, i)));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
strings_contain (GPtrArray *strings, const char *needle)
{
  for (guint i = 0; i < strings->len; i++)
    if (strstr (g_ptr_array_index (strings, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static PtGpu *
find_gpu (GPtrArray *gpus, const char *address)
{
  for (guint i = 0; i < gpus->len; i++)
    {
      PtGpu *gpu = g_ptr_array_index (gpus, i);

      if (g_str_equal (pt_device_get_address (gpu->device), address))
        return gpu;
    }
  g_assert_not_reached ();
}

/* ---- seed ---------------------------------------------------------------- */

static void
test_seed_plan (void)
{
  g_auto(Fixture) f = { 0 };
  const char *forms[] = { "01:00.0", "0000:01:00.0", "01:00.1" };

  load_named (&f, "seed");
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PtPlan) plan = plan1 (f.host, forms[i], 0, &error);
      g_autofree char *addresses = NULL;
      g_autofree char *args = NULL;

      g_assert_no_error (error);
      addresses = plan_addresses (plan);
      g_assert_cmpstr (addresses, ==, "0000:01:00.0 0000:01:00.1");
      g_assert_cmpstr (plan->vfio_ids, ==, "10de:13c2,10de:0fbb");
      args = g_strjoinv (" ", plan->kernel_args);
      g_assert_cmpstr (args, ==, "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb");
      g_assert_cmpuint (plan->kept->len, ==, 0);
      g_assert_cmpuint (plan->warnings->len, ==, 0);
      g_assert_cmpstr (plan->bootloader, ==, "grub");
      g_assert_cmpstr (plan->initramfs, ==, "mkinitcpio");
    }
}

static void
test_seed_refusals (void)
{
  g_auto(Fixture) f = { 0 };
  const struct { const char *address; int code; const char *needle; } cases[] = {
    { "00:02.0", PT_ERROR_REFUSED, "boot display" },
    { "00:1f.2", PT_ERROR_REFUSED, "ISA/LPC bridge" },
    { "00:1f.3", PT_ERROR_REFUSED, "ISA/LPC bridge" },
    { "00:19.0", PT_ERROR_REFUSED, "default route" },
    { "00:01.0", PT_ERROR_REFUSED, "bridge" },
    { "00:00.0", PT_ERROR_REFUSED, "bridge" },
    { "05:00.0", PT_ERROR_NOT_FOUND, "0000:05:00.0" },
    { "5:00.0", PT_ERROR_INVALID_ADDRESS, "5:00.0" },
  };

  load_named (&f, "seed");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PtPlan) plan = plan1 (f.host, cases[i].address, 0, &error);

      g_assert_null (plan);
      g_assert_error (error, PT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }

  /* the boot display with the explicit choice: allowed, warned, and the
   * host is told it keeps no display only when that is true */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtPlan) plan = plan1 (f.host, "00:02.0", PT_PLAN_ALLOW_BOOT_VGA, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (plan->vfio_ids, ==, "8086:0412");
    g_assert_true (strings_contain (plan->warnings, "boot display"));
    g_assert_false (strings_contain (plan->warnings, "No GPU stays"));
  }
  {
    const char *both[] = { "00:02.0", "01:00.0", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(PtPlan) plan = pt_plan_new (f.host, both, PT_PLAN_ALLOW_BOOT_VGA, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (plan->vfio_ids, ==, "8086:0412,10de:13c2,10de:0fbb");
    g_assert_true (strings_contain (plan->warnings, "No GPU stays"));
  }
}

static void
test_seed_verdicts (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GPtrArray) gpus = NULL;
  PtGpu *gpu;

  load_named (&f, "seed");
  gpus = pt_host_list_gpus (f.host);
  g_assert_cmpuint (gpus->len, ==, 2);
  gpu = find_gpu (gpus, "0000:01:00.0");
  g_assert_cmpint (gpu->isolation, ==, PT_ISOLATION_CLEAN);
  g_assert_cmpuint (gpu->companions->len, ==, 1);
  g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (gpu->companions, 0)), ==, "0000:01:00.1");
  g_assert_cmpuint (gpu->blockers->len, ==, 0);
  gpu = find_gpu (gpus, "0000:00:02.0");
  g_assert_cmpint (gpu->isolation, ==, PT_ISOLATION_CLEAN);
  g_assert_cmpint (pt_device_get_boot_vga (gpu->device), ==, PT_TRISTATE_YES);
}

/* ---- AMD Zen 1 --------------------------------------------------------- */

static void
test_amd_verdicts (void)
{
  g_auto(Fixture) f = { 0 };
  g_autofree char *text = g_strdup_printf (amd_listing, "Network: 0000:25:00.0 enp37s0\n");
  g_autoptr(GPtrArray) gpus = NULL;
  PtGpu *gpu;

  load_text (&f, text);
  gpus = pt_host_list_gpus (f.host);
  g_assert_cmpuint (gpus->len, ==, 2);

  /* the unclaimed dummy host bridge does not make the group shared */
  gpu = find_gpu (gpus, "0000:26:00.0");
  g_assert_cmpint (gpu->isolation, ==, PT_ISOLATION_CLEAN);
  g_assert_cmpuint (gpu->blockers->len, ==, 0);

  gpu = find_gpu (gpus, "0000:27:00.0");
  g_assert_cmpint (gpu->isolation, ==, PT_ISOLATION_SHARED);
  g_assert_cmpuint (gpu->blockers->len, ==, 3);
  g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (gpu->blockers, 0)), ==, "0000:03:00.0");
  g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (gpu->blockers, 1)), ==, "0000:03:00.1");
  g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (gpu->blockers, 2)), ==, "0000:25:00.0");
  g_assert_cmpuint (gpu->companions->len, ==, 1);
}

static void
test_amd_plans (void)
{
  g_auto(Fixture) f = { 0 };
  g_autofree char *text = g_strdup_printf (amd_listing, "Network: 0000:25:00.0 enp37s0\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autofree char *args = NULL;

  load_text (&f, text);

  plan = plan1 (f.host, "26:00.0", PT_PLAN_ALLOW_BOOT_VGA, &error);
  g_assert_no_error (error);
  args = g_strjoinv (" ", plan->kernel_args);
  /* AMD: no amd_iommu=on, and a note saying why */
  g_assert_cmpstr (args, ==, "iommu=pt vfio-pci.ids=10de:1b81,10de:10f0");
  g_assert_true (strings_contain (plan->notes, "amd_iommu=on"));
  g_assert_true (strings_contain (plan->warnings, "amd_iommu=on"));
  g_clear_pointer (&plan, pt_plan_free);

  /* shared: refused, with the blockers named and the ways out */
  plan = plan1 (f.host, "27:00.0", 0, &error);
  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "0000:03:00.0"));
  g_assert_nonnull (strstr (error->message, "0000:25:00.0"));
  g_assert_nonnull (strstr (error->message, "--allow-shared"));
  g_assert_nonnull (strstr (error->message, "ACS override"));
  g_clear_error (&error);

  /* --allow-shared still never takes the default route's NIC */
  plan = plan1 (f.host, "27:00.0", PT_PLAN_ALLOW_SHARED, &error);
  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "default route"));
  g_clear_error (&error);

  /* nor the root file system's controller */
  plan = plan1 (f.host, "01:00.0", PT_PLAN_ALLOW_SHARED, &error);
  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "root file system"));
}

static void
test_amd_allow_shared (void)
{
  g_auto(Fixture) f = { 0 };
  g_autofree char *text = g_strdup_printf (amd_listing, "");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autofree char *addresses = NULL;

  load_text (&f, text);
  plan = plan1 (f.host, "27:00.0", PT_PLAN_ALLOW_SHARED, &error);
  g_assert_no_error (error);
  addresses = plan_addresses (plan);
  /* the whole group but its bridges */
  g_assert_cmpstr (addresses, ==,
                   "0000:03:00.0 0000:03:00.1 0000:25:00.0 0000:27:00.0 0000:27:00.1");
  g_assert_cmpstr (plan->vfio_ids, ==, "1022:43bb,1022:43b7,10ec:8168,1002:67ef,1002:aae0");
  g_assert_true (strings_contain (plan->warnings, "shared"));
}

/* ---- companions and identical cards ------------------------------------- */

static void
test_twins (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autofree char *addresses = NULL;

  load_text (&f, twins_listing);

  /* audio in a clean group of its own comes along */
  plan = plan1 (f.host, "02:00.0", 0, &error);
  g_assert_no_error (error);
  addresses = plan_addresses (plan);
  g_assert_cmpstr (addresses, ==, "0000:02:00.0 0000:02:00.1");
  g_assert_cmpstr (plan->vfio_ids, ==, "10de:1b81,10de:10f0");
  /* vfio-pci.ids would take the host's identical card too */
  g_assert_true (strings_contain (plan->warnings, "0000:01:00.0"));
  g_assert_true (strings_contain (plan->warnings, "driver_override"));
  g_clear_pointer (&plan, pt_plan_free);
  g_clear_pointer (&addresses, g_free);

  /* audio sharing a group with USB stays with the host, with a warning */
  plan = plan1 (f.host, "01:00.0", PT_PLAN_ALLOW_BOOT_VGA, &error);
  g_assert_no_error (error);
  addresses = plan_addresses (plan);
  g_assert_cmpstr (addresses, ==, "0000:01:00.0");
  g_assert_cmpuint (plan->kept->len, ==, 1);
  g_assert_cmpstr (pt_device_get_address (g_ptr_array_index (plan->kept, 0)), ==, "0000:01:00.1");
  g_assert_true (strings_contain (plan->warnings, "0000:00:14.0"));
  g_clear_pointer (&plan, pt_plan_free);

  /* both cards: each ID once, in address order */
  {
    const char *both[] = { "02:00.0", "01:00.0", NULL };

    plan = pt_plan_new (f.host, both, PT_PLAN_ALLOW_BOOT_VGA, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (plan->vfio_ids, ==, "10de:1b81,10de:10f0");
    g_assert_true (strings_contain (plan->warnings, "No GPU stays"));
  }
}

/* A rack of eight identical cards, and a ninth GPU in a group with seven
 * other devices: messages name five devices and count the rest. */
static char *
rack_listing (void)
{
  GString *s = g_string_new ("Name: rack\n"
                             "CPU: AMD EPYC 7543 32-Core Processor\n"
                             "Board: Supermicro / H12DSG-O-CPU\n"
                             "Kernel: 6.1.0-13-amd64\n"
                             "OS: debian\n"
                             "\n");

  for (guint bus = 1; bus <= 8; bus++)
    g_string_append_printf (s,
                            "IOMMU Group %u:\n"
                            "\t%02x:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU102 [GeForce RTX 2080 Ti Rev. A] [10de:1e07] (rev a1)\n"
                            "\t\tKernel driver in use: nouveau\n"
                            "\t\tboot_vga: %d\n"
                            "\t%02x:00.1 Audio device [0403]: NVIDIA Corporation TU102 High Definition Audio Controller [10de:10f7] (rev a1)\n"
                            "\t\tKernel driver in use: snd_hda_intel\n",
                            bus, bus, bus == 1, bus);
  g_string_append (s,
                   "IOMMU Group 20:\n"
                   "\t20:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)\n"
                   "\t\tKernel driver in use: amdgpu\n"
                   "\t\tboot_vga: 0\n");
  for (guint bus = 0x21; bus <= 0x27; bus++)
    g_string_append_printf (s,
                            "\t%02x:00.0 Non-Volatile memory controller [0108]: Samsung Electronics Co Ltd NVMe SSD Controller PM9A1/PM9A3/980PRO [144d:a80a]\n"
                            "\t\tKernel driver in use: nvme\n",
                            bus);
  return g_string_free (s, FALSE);
}

static void
test_long_lists (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autofree char *listing = rack_listing ();

  load_text (&f, listing);

  /* 14 functions of the seven other cards share the IDs */
  plan = plan1 (f.host, "08:00.0", 0, &error);
  g_assert_no_error (error);
  g_assert_true (strings_contain (plan->warnings, "0000:01:00.0, 0000:01:00.1, 0000:02:00.0, "
                                                  "0000:02:00.1, 0000:03:00.0 and 9 more devices stay with the host"));
  g_assert_false (strings_contain (plan->warnings, "0000:03:00.1"));
  g_assert_false (strings_contain (plan->warnings, "0000:07:00.1"));

  /* the seven drives in the GPU's group: the refusal names five */
  g_assert_null (plan1 (f.host, "20:00.0", 0, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "(0000:25:00.0) and 2 more devices, which would have to go"));
  g_assert_null (strstr (error->message, "0000:26:00.0"));
  g_clear_error (&error);

  /* taken anyway, the warning counts them the same way */
  g_clear_pointer (&plan, pt_plan_free);
  plan = plan1 (f.host, "20:00.0", PT_PLAN_ALLOW_SHARED, &error);
  g_assert_no_error (error);
  g_assert_true (strings_contain (plan->warnings, "(0000:25:00.0) and 2 more devices go to the guest too"));
  /* the plan itself still takes all of them */
  g_assert_cmpuint (plan->devices->len, ==, 8);
}

static void
test_iommu_off (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) gpus = NULL;
  g_autofree char *addresses = NULL;
  g_autofree char *args = NULL;

  load_text (&f, iommu_off_listing);
  g_assert_false (pt_host_has_groups (f.host));
  gpus = pt_host_list_gpus (f.host);
  g_assert_cmpuint (gpus->len, ==, 2);
  g_assert_cmpint (find_gpu (gpus, "0000:01:00.0")->isolation, ==, PT_ISOLATION_UNKNOWN);

  plan = plan1 (f.host, "01:00.0", 0, &error);
  g_assert_no_error (error);
  addresses = plan_addresses (plan);
  g_assert_cmpstr (addresses, ==, "0000:01:00.0 0000:01:00.1");
  args = g_strjoinv (" ", plan->kernel_args);
  g_assert_cmpstr (args, ==, "intel_iommu=on iommu=pt vfio-pci.ids=1002:67df,1002:aaf0");
  g_assert_true (strings_contain (plan->warnings, "not active"));
  g_clear_pointer (&plan, pt_plan_free);

  plan = plan1 (f.host, "00:02.0", 0, &error);
  g_assert_null (plan);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
}

/* Debian's kernels enable VT-d by default but leave Intel integrated
 * graphics out of the IOMMU unless intel_iommu=on is given: the plan
 * (which adds it) goes ahead with a warning instead of refusing. */
static void
test_intel_igpu_default_off (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autofree char *args = NULL;

  load_text (&f,
    "Name: debian-igpu\n"
    "CPU: Intel(R) Core(TM) i5-8400 CPU @ 2.80GHz\n"
    "Kernel: 6.1.0-13-amd64\n"
    "Cmdline: BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=1 ro quiet\n"
    "OS: debian\n"
    "\n"
    "IOMMU Group 1:\n"
    "\t00:01.0 PCI bridge [0604]: Intel Corporation 6th-10th Gen Core Processor PCIe Controller (x16) [8086:1901] (rev 07)\n"
    "\t\tKernel driver in use: pcieport\n"
    "\t01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Ellesmere [Radeon RX 470/480/570/570X/580/580X/590] [1002:67df] (rev e7)\n"
    "\t\tKernel driver in use: amdgpu\n"
    "\t\tboot_vga: 1\n"
    "No IOMMU Group:\n"
    "\t00:02.0 VGA compatible controller [0300]: Intel Corporation CoffeeLake-S GT2 [UHD Graphics 630] [8086:3e92]\n"
    "\t\tKernel driver in use: i915\n"
    "\t\tboot_vga: 0\n");
  plan = plan1 (f.host, "00:02.0", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plan->vfio_ids, ==, "8086:3e92");
  args = g_strjoinv (" ", plan->kernel_args);
  g_assert_cmpstr (args, ==, "intel_iommu=on iommu=pt vfio-pci.ids=8086:3e92");
  g_assert_true (strings_contain (plan->warnings, "no IOMMU group yet"));
}

static void
test_empty_request (void)
{
  g_auto(Fixture) f = { 0 };
  g_autoptr(GError) error = NULL;
  const char *none[] = { NULL };

  load_named (&f, "seed");
  g_assert_null (pt_plan_new (f.host, none, 0, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ADDRESS);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plan/seed/plan", test_seed_plan);
  g_test_add_func ("/plan/seed/refusals", test_seed_refusals);
  g_test_add_func ("/plan/seed/verdicts", test_seed_verdicts);
  g_test_add_func ("/plan/amd/verdicts", test_amd_verdicts);
  g_test_add_func ("/plan/amd/plans", test_amd_plans);
  g_test_add_func ("/plan/amd/allow-shared", test_amd_allow_shared);
  g_test_add_func ("/plan/twins", test_twins);
  g_test_add_func ("/plan/long-lists", test_long_lists);
  g_test_add_func ("/plan/iommu-off", test_iommu_off);
  g_test_add_func ("/plan/empty-request", test_empty_request);
  g_test_add_func ("/plan/intel-igpu-default-off", test_intel_igpu_default_off);

  return g_test_run ();
}
