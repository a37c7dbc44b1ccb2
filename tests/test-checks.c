/* test-checks.c: the readiness checks of "passthroughctl status", on hosts
 * built in memory (one fact changed at a time) and on fixture host roots. */
#define G_LOG_DOMAIN "test-checks"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "pt-checks.h"
#include "pt-host-private.h"
#include "pt-test-util.h"

static const char *const check_ids[] = {
  "cpu-virtualization",
  "iommu-firmware",
  "iommu-kernel",
  "kernel-arguments",
  "vfio-modules",
  "efi-boot",
  "secure-boot",
  "interrupt-remapping",
  "gpu-candidate",
  "single-gpu",
};

/* ---- in-memory hosts ------------------------------------------------------ */

typedef struct
{
  const char *address;
  guint16     vendor;
  guint16     device;
  guint32     klass;
  int         group;
  PtTristate  boot_vga;
  const char *name;
} DevSpec;

/* The seed guide's machine: i7-4790K on an ASUS MAXIMUS VII Ranger, HD 4600
 * as the boot display, a GTX 970 with its audio function in group 1. */
static const DevSpec seed_devices[] = {
  { "0000:00:00.0", 0x8086, 0x0c00, 0x060000, 0, PT_TRISTATE_UNKNOWN, "4th Gen Core Processor DRAM Controller" },
  { "0000:00:01.0", 0x8086, 0x0c01, 0x060400, 1, PT_TRISTATE_UNKNOWN, "Xeon E3-1200 v3/4th Gen Core Processor PCI Express x16 Controller" },
  { "0000:00:02.0", 0x8086, 0x0412, 0x030000, 2, PT_TRISTATE_YES, "Xeon E3-1200 v3/4th Gen Core Processor Integrated Graphics Controller" },
  { "0000:00:03.0", 0x8086, 0x0c0c, 0x040300, 3, PT_TRISTATE_UNKNOWN, "Xeon E3-1200 v3/4th Gen Core Processor HD Audio Controller" },
  { "0000:00:14.0", 0x8086, 0x8cb1, 0x0c0330, 4, PT_TRISTATE_UNKNOWN, "9 Series Chipset Family USB xHCI Controller" },
  { "0000:00:16.0", 0x8086, 0x8cba, 0x078000, 5, PT_TRISTATE_UNKNOWN, "9 Series Chipset Family ME Interface #1" },
  { "0000:00:19.0", 0x8086, 0x15a1, 0x020000, 6, PT_TRISTATE_UNKNOWN, "Ethernet Connection (2) I218-V" },
  { "0000:00:1a.0", 0x8086, 0x8cad, 0x0c0320, 7, PT_TRISTATE_UNKNOWN, "9 Series Chipset Family USB EHCI Controller #2" },
  { "0000:00:1b.0", 0x8086, 0x8ca0, 0x040300, 8, PT_TRISTATE_UNKNOWN, "9 Series Chipset Family HD Audio Controller" },
  { "0000:00:1d.0", 0x8086, 0x8ca6, 0x0c0320, 9, PT_TRISTATE_UNKNOWN, "9 Series Chipset Family USB EHCI Controller #1" },
  { "0000:00:1f.0", 0x8086, 0x8cc4, 0x060100, 10, PT_TRISTATE_UNKNOWN, "Z97 Chipset LPC Controller" },
  { "0000:00:1f.2", 0x8086, 0x8c82, 0x010601, 10, PT_TRISTATE_UNKNOWN, "9 Series Chipset Family SATA Controller [AHCI Mode]" },
  { "0000:00:1f.3", 0x8086, 0x8ca2, 0x0c0500, 10, PT_TRISTATE_UNKNOWN, "9 Series Chipset Family SMBus Controller" },
  { "0000:01:00.0", 0x10de, 0x13c2, 0x030000, 1, PT_TRISTATE_NO, "GM204 [GeForce GTX 970]" },
  { "0000:01:00.1", 0x10de, 0x0fbb, 0x040300, 1, PT_TRISTATE_UNKNOWN, "GM204 High Definition Audio Controller" },
};

static void
add_device (PtHost        *host,
            const DevSpec *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtDevice) device = NULL;
  PtAddress addr;

  g_assert_true (pt_address_parse (spec->address, &addr, &error));
  g_assert_no_error (error);
  device = pt_device_new (&addr);
  device->vendor_id = spec->vendor;
  device->device_id = spec->device;
  device->klass = spec->klass;
  device->iommu_group = spec->group;
  device->boot_vga = spec->boot_vga;
  pt_device_set_string (&device->device_name, spec->name);
  pt_host_add_device (host, device);
}

static void
set_strv (GStrv              *field,
          const char *const  *values)
{
  g_strfreev (*field);
  *field = g_strdupv ((char **) values);
}

static void
set_str (char      **field,
         const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

/* The seed machine with every check passing; tests change one fact. */
static PtHost *
seed_host_new_unfinished (void)
{
  static const char *const flags[] = { "ept", "vmx", "vpid", NULL };
  static const char *const modules[] = { "snd_hda_intel", "vfio", "vfio_iommu_type1",
                                         "vfio_pci", "vfio_virqfd", NULL };
  PtHost *host = pt_host_new_empty ();

  host->cpu_vendor = PT_CPU_VENDOR_INTEL;
  set_str (&host->cpu_model, "Intel(R) Core(TM) i7-4790K CPU @ 4.00GHz");
  set_strv (&host->cpu_flags, flags);
  host->acpi_dmar = PT_TRISTATE_YES;
  host->acpi_ivrs = PT_TRISTATE_NO;
  host->efi = TRUE;
  host->secure_boot = PT_TRISTATE_NO;
  host->interrupt_remapping = PT_TRISTATE_YES;
  set_str (&host->board_vendor, "ASUSTeK COMPUTER INC.");
  set_str (&host->board_name, "MAXIMUS VII RANGER");
  set_str (&host->kernel_release, "5.9.16-1-MANJARO");
  pt_host_set_cmdline (host, "BOOT_IMAGE=/boot/vmlinuz-5.9-x86_64 root=UUID=aeae42e3 ro quiet "
                             "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb");
  set_strv (&host->loaded_modules, modules);
  host->vfio_pci_state = PT_MODULE_STATE_MODULE;
  return host;
}

static void
add_devices (PtHost        *host,
             const DevSpec *specs,
             guint          n_specs)
{
  for (guint i = 0; i < n_specs; i++)
    add_device (host, &specs[i]);
}

static PtHost *
seed_host_new (void)
{
  PtHost *host = seed_host_new_unfinished ();

  add_devices (host, seed_devices, G_N_ELEMENTS (seed_devices));
  pt_host_finish (host);
  return host;
}

/* Every device loses its group, as with the IOMMU off. */
static void
drop_groups (PtHost *host)
{
  for (guint i = 0; i < host->devices->len; i++)
    ((PtDevice *) g_ptr_array_index (host->devices, i))->iommu_group = -1;
  pt_host_finish (host);
}

static PtDevice *
device_at (PtHost     *host,
           const char *address)
{
  PtDevice *device = pt_host_lookup_device (host, address);

  g_assert_nonnull (device);
  return device;
}

/* ---- assertions ----------------------------------------------------------- */

static PtCheck *
get_check (GPtrArray  *checks,
           const char *id)
{
  PtCheck *check = pt_checks_find (checks, id);

  if (check == NULL)
    g_error ("no check %s", id);
  g_test_message ("%s: %s: %s | %s", id, pt_check_state_to_string (check->state),
                  check->summary, check->fix ? check->fix : "(no fix)");
  return check;
}

#define assert_contains(haystack, needle) \
  G_STMT_START { \
    const char *h__ = (haystack); \
    const char *n__ = (needle); \
    if (h__ == NULL || strstr (h__, n__) == NULL) \
      g_error ("%s:%d: “%s” does not contain “%s”", __FILE__, __LINE__, \
               h__ ? h__ : "(null)", n__); \
  } G_STMT_END

#define assert_not_contains(haystack, needle) \
  G_STMT_START { \
    const char *h__ = (haystack); \
    if (h__ != NULL && strstr (h__, (needle)) != NULL) \
      g_error ("%s:%d: “%s” contains “%s”", __FILE__, __LINE__, h__, (needle)); \
  } G_STMT_END

static PtCheck *
assert_check (GPtrArray    *checks,
              const char   *id,
              PtCheckState  state)
{
  PtCheck *check = get_check (checks, id);

  if (check->state != state)
    g_error ("check %s is %s, expected %s: %s", id, pt_check_state_to_string (check->state),
             pt_check_state_to_string (state), check->summary);
  g_assert_nonnull (check->summary);
  g_assert_cmpstr (check->summary, !=, "");
  /* A pass has nothing to fix; a fail always says what to do. */
  if (state == PT_CHECK_PASS)
    g_assert_null (check->fix);
  if (state == PT_CHECK_FAIL)
    g_assert_nonnull (check->fix);
  return check;
}

static GPtrArray *
run_checks (PtHost *host)
{
  GPtrArray *checks = pt_checks_run (host);

  g_assert_cmpuint (checks->len, ==, G_N_ELEMENTS (check_ids));
  for (guint i = 0; i < checks->len; i++)
    g_assert_cmpstr (((PtCheck *) g_ptr_array_index (checks, i))->id, ==, check_ids[i]);
  return checks;
}

/* ---- state helpers ---------------------------------------------------------- */

static void
test_state_strings (void)
{
  g_assert_cmpstr (pt_check_state_to_string (PT_CHECK_PASS), ==, "pass");
  g_assert_cmpstr (pt_check_state_to_string (PT_CHECK_WARN), ==, "warn");
  g_assert_cmpstr (pt_check_state_to_string (PT_CHECK_FAIL), ==, "fail");
  g_assert_cmpstr (pt_check_state_to_string (PT_CHECK_UNKNOWN), ==, "unknown");
}

static void
test_overall (void)
{
  g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_check_free);

  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_PASS);
  g_ptr_array_add (checks, pt_check_new ("a", PT_CHECK_PASS, "a", NULL));
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_PASS);
  g_ptr_array_add (checks, pt_check_new ("b", PT_CHECK_UNKNOWN, "b", NULL));
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_UNKNOWN);
  g_ptr_array_add (checks, pt_check_new ("c", PT_CHECK_WARN, "c", "do c"));
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_WARN);
  g_ptr_array_add (checks, pt_check_new ("d", PT_CHECK_PASS, "d", NULL));
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_WARN);
  g_ptr_array_add (checks, pt_check_new ("e", PT_CHECK_FAIL, "e", "do e"));
  g_ptr_array_add (checks, pt_check_new ("f", PT_CHECK_WARN, "f", "do f"));
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_FAIL);

  g_assert_cmpstr (pt_checks_find (checks, "c")->fix, ==, "do c");
  g_assert_null (pt_checks_find (checks, "nope"));
}

/* ---- the seed machine ------------------------------------------------------- */

static void
test_seed_all_pass (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = run_checks (host);
  PtCheck *check;

  check = assert_check (checks, "cpu-virtualization", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "Intel VT-x is available (vmx).");
  check = assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  assert_contains (check->summary, "VT-d");
  assert_contains (check->summary, "DMAR");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_PASS);
  assert_contains (check->summary, "11 IOMMU groups");
  check = assert_check (checks, "kernel-arguments", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "The kernel command line has intel_iommu=on and iommu=pt.");
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  assert_contains (check->summary, "vfio-pci is loaded; ");
  /* 5.9 predates the merge of vfio_virqfd into vfio. */
  assert_contains (check->summary, "5.9");
  assert_contains (check->summary, "vfio_virqfd is still a separate module");
  assert_check (checks, "efi-boot", PT_CHECK_PASS);
  check = assert_check (checks, "secure-boot", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "Secure Boot is off.");
  assert_check (checks, "interrupt-remapping", PT_CHECK_PASS);
  check = assert_check (checks, "gpu-candidate", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==,
                   "GeForce GTX 970 at 0000:01:00.0 is in a clean IOMMU group (group 1).");
  check = assert_check (checks, "single-gpu", PT_CHECK_PASS);
  assert_contains (check->summary, "2 GPUs");

  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_PASS);
}

/* ---- 1. cpu-virtualization ---------------------------------------------------- */

static void
test_cpu_virt_off (void)
{
  static const char *const flags[] = { "ept", "vpid", NULL };
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  set_strv (&host->cpu_flags, flags);
  checks = run_checks (host);
  check = assert_check (checks, "cpu-virtualization", PT_CHECK_FAIL);
  assert_contains (check->summary, "Intel VT-x");
  assert_contains (check->summary, "vmx");
  /* The seed board's own menu, from the firmware tables. */
  assert_contains (check->fix, "Advanced > CPU Configuration > Intel Virtualization Technology");
  assert_contains (check->fix, "Enabled");
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_FAIL);
}

static void
test_cpu_virt_nested (void)
{
  static const char *const flags[] = { "hypervisor", NULL };
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  set_strv (&host->cpu_flags, flags);
  checks = run_checks (host);
  check = assert_check (checks, "cpu-virtualization", PT_CHECK_FAIL);
  assert_contains (check->summary, "virtual processor");
  assert_contains (check->fix, "nested");
  assert_not_contains (check->fix, "Advanced >");
}

static void
test_cpu_virt_amd (void)
{
  static const char *const flags[] = { "npt", "svm", NULL };
  static const char *const none[] = { NULL };
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  host->cpu_vendor = PT_CPU_VENDOR_AMD;
  set_strv (&host->cpu_flags, flags);
  set_str (&host->board_vendor, "Gigabyte Technology Co., Ltd.");
  checks = run_checks (host);
  check = assert_check (checks, "cpu-virtualization", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "AMD-V is available (svm).");
  g_clear_pointer (&checks, g_ptr_array_unref);

  set_strv (&host->cpu_flags, none);
  checks = run_checks (host);
  check = assert_check (checks, "cpu-virtualization", PT_CHECK_FAIL);
  assert_contains (check->summary, "AMD-V");
  assert_contains (check->summary, "svm");
  assert_contains (check->fix, "Tweaker > Advanced CPU Settings > SVM Mode");
}

static void
test_cpu_unknown (void)
{
  static const char *const none[] = { NULL };
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;

  host->cpu_vendor = PT_CPU_VENDOR_UNKNOWN;
  g_clear_pointer (&host->cpu_model, g_free);
  set_strv (&host->cpu_flags, none);
  checks = run_checks (host);
  assert_check (checks, "cpu-virtualization", PT_CHECK_UNKNOWN);
}

/* ---- 2. and 3. the IOMMU in the firmware and the kernel ----------------------- */

static void
test_intel_iommu_firmware_off (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  host->acpi_dmar = PT_TRISTATE_NO;
  host->interrupt_remapping = PT_TRISTATE_NO;
  drop_groups (host);
  checks = run_checks (host);

  check = assert_check (checks, "iommu-firmware", PT_CHECK_FAIL);
  assert_contains (check->summary, "DMAR");
  assert_contains (check->summary, "VT-d is off");
  assert_contains (check->fix, "Advanced > System Agent Configuration > VT-d");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_FAIL);
  assert_contains (check->summary, "no IOMMU groups");
  /* intel_iommu=on is already there: only the firmware is left. */
  assert_contains (check->fix, "VT-d");
  assert_not_contains (check->fix, "Add intel_iommu=on");
  /* The argument is right even though the IOMMU is off. */
  assert_check (checks, "kernel-arguments", PT_CHECK_PASS);
  check = assert_check (checks, "interrupt-remapping", PT_CHECK_WARN);
  assert_contains (check->fix, "Enable the IOMMU first");
  check = assert_check (checks, "gpu-candidate", PT_CHECK_UNKNOWN);
  assert_contains (check->summary, "2 GPUs");
  assert_contains (check->fix, "Enable the IOMMU first");
}

static void
test_intel_no_groups_no_argument (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  /* Firmware on, but a kernel that does not enable VT-d by default. */
  pt_host_set_cmdline (host, "BOOT_IMAGE=/boot/vmlinuz root=/dev/sda2 ro quiet");
  host->interrupt_remapping = PT_TRISTATE_UNKNOWN;
  drop_groups (host);
  checks = run_checks (host);

  assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  check = assert_check (checks, "iommu-kernel", PT_CHECK_FAIL);
  assert_contains (check->fix, "Add intel_iommu=on");
  check = assert_check (checks, "kernel-arguments", PT_CHECK_FAIL);
  assert_contains (check->summary, "intel_iommu=on is not on the kernel command line");
  assert_contains (check->fix, "intel_iommu=on");
  assert_contains (check->fix, "iommu=pt");
  check = assert_check (checks, "interrupt-remapping", PT_CHECK_UNKNOWN);
  assert_contains (check->fix, "IOMMU");
}

static void
test_intel_default_on_kernel (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  /* Groups without intel_iommu=on: CONFIG_INTEL_IOMMU_DEFAULT_ON. */
  pt_host_set_cmdline (host, "BOOT_IMAGE=/boot/vmlinuz root=/dev/sda2 ro quiet iommu=pt");
  checks = run_checks (host);

  assert_check (checks, "iommu-kernel", PT_CHECK_PASS);
  check = assert_check (checks, "kernel-arguments", PT_CHECK_WARN);
  assert_contains (check->summary, "CONFIG_INTEL_IOMMU_DEFAULT_ON");
  assert_contains (check->fix, "Add intel_iommu=on");
  assert_not_contains (check->fix, "iommu=pt is worth");
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_WARN);
}

static void
test_intel_iommu_off_argument (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  pt_host_set_cmdline (host, "root=/dev/sda2 ro intel_iommu=off");
  drop_groups (host);
  checks = run_checks (host);

  check = assert_check (checks, "kernel-arguments", PT_CHECK_FAIL);
  assert_contains (check->summary, "turns the IOMMU off (intel_iommu=off)");
  assert_contains (check->fix, "Remove intel_iommu=off");
  assert_contains (check->fix, "Add intel_iommu=on");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_FAIL);
  assert_contains (check->fix, "Remove intel_iommu=off");
}

static void
test_intel_options (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  /* Comma-separated options, and the other vendor's argument is ignored. */
  pt_host_set_cmdline (host, "root=/dev/sda2 intel_iommu=on,sm_on amd_iommu=off");
  checks = run_checks (host);
  check = assert_check (checks, "kernel-arguments", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "The kernel command line has intel_iommu=on.");
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* iommu=off turns every IOMMU off. */
  pt_host_set_cmdline (host, "root=/dev/sda2 intel_iommu=on iommu=off");
  checks = run_checks (host);
  check = assert_check (checks, "kernel-arguments", PT_CHECK_FAIL);
  assert_contains (check->summary, "iommu=off");
  assert_not_contains (check->fix, "Add intel_iommu=on");
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* amd_iommu=on does nothing anywhere. */
  pt_host_set_cmdline (host, "root=/dev/sda2 intel_iommu=on amd_iommu=on");
  checks = run_checks (host);
  check = assert_check (checks, "kernel-arguments", PT_CHECK_WARN);
  assert_contains (check->summary, "amd_iommu=on");
  assert_contains (check->fix, "Remove amd_iommu=on");
}

static void
test_cmdline_unknown (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;

  pt_host_set_cmdline (host, NULL);
  checks = run_checks (host);
  assert_check (checks, "kernel-arguments", PT_CHECK_UNKNOWN);
}

static PtHost *
amd_host_new (void)
{
  static const char *const flags[] = { "npt", "svm", NULL };
  PtHost *host = seed_host_new ();

  host->cpu_vendor = PT_CPU_VENDOR_AMD;
  set_str (&host->cpu_model, "AMD Ryzen 7 5800X 8-Core Processor");
  set_strv (&host->cpu_flags, flags);
  host->acpi_dmar = PT_TRISTATE_NO;
  host->acpi_ivrs = PT_TRISTATE_YES;
  set_str (&host->board_vendor, "Micro-Star International Co., Ltd.");
  set_str (&host->board_name, "MAG B550 TOMAHAWK (MS-7C91)");
  set_str (&host->kernel_release, "6.8.0-45-generic");
  pt_host_set_cmdline (host, "BOOT_IMAGE=/boot/vmlinuz-6.8.0-45-generic root=UUID=1 ro quiet "
                             "splash iommu=pt");
  return host;
}

static void
test_amd_host (void)
{
  g_autoptr(PtHost) host = amd_host_new ();
  g_autoptr(GPtrArray) checks = run_checks (host);
  PtCheck *check;

  check = assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  assert_contains (check->summary, "AMD-Vi");
  assert_contains (check->summary, "IVRS");
  check = assert_check (checks, "kernel-arguments", PT_CHECK_PASS);
  assert_contains (check->summary, "AMD IOMMU");
  assert_contains (check->summary, "iommu=pt");
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  assert_contains (check->summary, "part of vfio (since 6.2)");
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_PASS);
}

static void
test_amd_on_argument (void)
{
  g_autoptr(PtHost) host = amd_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  pt_host_set_cmdline (host, "root=/dev/nvme0n1p2 amd_iommu=on iommu=pt");
  checks = run_checks (host);
  check = assert_check (checks, "kernel-arguments", PT_CHECK_WARN);
  assert_contains (check->summary, "amd_iommu=on");
  assert_contains (check->summary, "not a valid value");
  assert_contains (check->fix, "Remove amd_iommu=on");
  /* It does no harm to the IOMMU itself. */
  assert_check (checks, "iommu-kernel", PT_CHECK_PASS);
}

static void
test_amd_iommu_off (void)
{
  g_autoptr(PtHost) host = amd_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  host->acpi_ivrs = PT_TRISTATE_NO;
  host->interrupt_remapping = PT_TRISTATE_UNKNOWN;
  drop_groups (host);
  checks = run_checks (host);

  check = assert_check (checks, "iommu-firmware", PT_CHECK_FAIL);
  assert_contains (check->summary, "IVRS");
  assert_contains (check->fix, "Settings > Advanced > AMD CBS > NBIO Common Options > IOMMU");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_FAIL);
  assert_contains (check->fix, "no argument is needed");
  assert_contains (check->fix, "amd_iommu=off");
  assert_not_contains (check->fix, "intel_iommu");
  assert_contains (check->fix, "AMD CBS");
  check = assert_check (checks, "interrupt-remapping", PT_CHECK_UNKNOWN);
  assert_contains (check->fix, "Enable the IOMMU first");
  assert_check (checks, "gpu-candidate", PT_CHECK_UNKNOWN);
}

static void
test_amd_off_argument (void)
{
  g_autoptr(PtHost) host = amd_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  pt_host_set_cmdline (host, "root=/dev/nvme0n1p2 amd_iommu=off intel_iommu=off");
  drop_groups (host);
  checks = run_checks (host);
  check = assert_check (checks, "kernel-arguments", PT_CHECK_FAIL);
  assert_contains (check->summary, "(amd_iommu=off)");
  /* intel_iommu means nothing to an AMD host. */
  assert_not_contains (check->summary, "intel_iommu");
  assert_contains (check->fix, "Remove amd_iommu=off");
  assert_not_contains (check->fix, "intel_iommu=on");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_FAIL);
  assert_contains (check->fix, "Remove amd_iommu=off");
}

/* A virtual machine with virtio-iommu: groups but no DMAR table. */
static void
test_groups_without_table (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  host->acpi_dmar = PT_TRISTATE_NO;
  checks = run_checks (host);
  check = assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  assert_contains (check->summary, "IOMMU groups exist");
  g_clear_pointer (&checks, g_ptr_array_unref);

  host->acpi_dmar = PT_TRISTATE_UNKNOWN;
  checks = run_checks (host);
  assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  g_clear_pointer (&checks, g_ptr_array_unref);

  drop_groups (host);
  checks = run_checks (host);
  assert_check (checks, "iommu-firmware", PT_CHECK_UNKNOWN);
}

/* ---- 5. vfio-modules ---------------------------------------------------------- */

static void
test_vfio_states (void)
{
  static const char *const no_vfio[] = { "snd_hda_intel", NULL };
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  set_strv (&host->loaded_modules, no_vfio);
  set_str (&host->kernel_release, "6.1.0-13-amd64");

  host->vfio_pci_state = PT_MODULE_STATE_MODULE;
  checks = run_checks (host);
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  assert_contains (check->summary, "available as a module (not loaded yet)");
  assert_contains (check->summary, "6.1");
  assert_contains (check->summary, "still a separate module");
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* Built in: there is no module list to write, so no word on vfio_virqfd. */
  host->vfio_pci_state = PT_MODULE_STATE_BUILTIN;
  checks = run_checks (host);
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "vfio-pci is built into the kernel.");
  g_clear_pointer (&checks, g_ptr_array_unref);

  set_str (&host->kernel_release, "6.2.0");

  host->vfio_pci_state = PT_MODULE_STATE_MISSING;
  checks = run_checks (host);
  check = assert_check (checks, "vfio-modules", PT_CHECK_FAIL);
  assert_contains (check->summary, "6.2.0");
  assert_contains (check->fix, "CONFIG_VFIO_PCI");
  g_clear_pointer (&checks, g_ptr_array_unref);

  host->vfio_pci_state = PT_MODULE_STATE_UNKNOWN;
  checks = run_checks (host);
  check = assert_check (checks, "vfio-modules", PT_CHECK_UNKNOWN);
  assert_contains (check->summary, "module index");
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* Loaded proves it is there, whatever the index says. */
  set_strv (&host->loaded_modules, (const char *const[]) { "vfio_pci", NULL });
  checks = run_checks (host);
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  assert_contains (check->summary, "vfio-pci is loaded; on kernel 6.2 ");
  g_clear_pointer (&checks, g_ptr_array_unref);

  set_str (&host->kernel_release, NULL);
  checks = run_checks (host);
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "vfio-pci is loaded.");
}

/* ---- 6. and 7. boot mode and Secure Boot -------------------------------------- */

static void
test_legacy_boot (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  host->efi = FALSE;
  host->secure_boot = PT_TRISTATE_NO;
  checks = run_checks (host);
  check = assert_check (checks, "efi-boot", PT_CHECK_WARN);
  assert_contains (check->summary, "legacy BIOS");
  assert_contains (check->fix, "OVMF");
  assert_contains (check->fix, "GOP");
  assert_contains (check->fix, "EFI system partition");
  assert_contains (check->fix, "Boot > CSM (Compatibility Support Module) > Launch CSM");
  check = assert_check (checks, "secure-boot", PT_CHECK_PASS);
  assert_contains (check->summary, "legacy BIOS");
}

static void
test_secure_boot (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  host->secure_boot = PT_TRISTATE_YES;
  checks = run_checks (host);
  check = assert_check (checks, "secure-boot", PT_CHECK_WARN);
  assert_contains (check->summary, "Secure Boot is on");
  assert_contains (check->fix, "vfio-pci is part of the kernel and signed");
  assert_contains (check->fix, "nvidia");
  assert_contains (check->fix, "vendor-reset");
  assert_contains (check->fix, "MOK");
  assert_contains (check->fix, "lockdown");
  g_clear_pointer (&checks, g_ptr_array_unref);

  host->secure_boot = PT_TRISTATE_UNKNOWN;
  checks = run_checks (host);
  check = assert_check (checks, "secure-boot", PT_CHECK_UNKNOWN);
  assert_contains (check->fix, "mokutil --sb-state");
}

/* ---- 8. interrupt-remapping --------------------------------------------------- */

static void
test_interrupt_remapping (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  host->interrupt_remapping = PT_TRISTATE_NO;
  checks = run_checks (host);
  check = assert_check (checks, "interrupt-remapping", PT_CHECK_WARN);
  assert_contains (check->summary, "off");
  assert_contains (check->fix, "vfio_iommu_type1.allow_unsafe_interrupts=1");
  assert_contains (check->fix, "trust");
  g_clear_pointer (&checks, g_ptr_array_unref);

  pt_host_set_cmdline (host, "intel_iommu=on intremap=off "
                             "vfio_iommu_type1.allow_unsafe_interrupts=1");
  checks = run_checks (host);
  check = assert_check (checks, "interrupt-remapping", PT_CHECK_WARN);
  assert_contains (check->fix, "Remove intremap=off");
  assert_contains (check->fix, "allow_unsafe_interrupts=1 is set");
  g_clear_pointer (&checks, g_ptr_array_unref);

  host->interrupt_remapping = PT_TRISTATE_UNKNOWN;
  checks = run_checks (host);
  check = assert_check (checks, "interrupt-remapping", PT_CHECK_UNKNOWN);
  assert_contains (check->summary, "/proc/interrupts");
}

/* ---- 9. and 10. GPUs ---------------------------------------------------------- */

static void
test_gpu_shared (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  /* The NIC lands in the GPU's group, as behind a chipset port. */
  device_at (host, "0000:00:19.0")->iommu_group = 1;
  pt_host_finish (host);
  checks = run_checks (host);

  check = assert_check (checks, "gpu-candidate", PT_CHECK_WARN);
  g_assert_cmpstr (check->summary, ==,
                   "GeForce GTX 970 at 0000:01:00.0 shares IOMMU group 1 with "
                   "Ethernet Connection (2) I218-V at 0000:00:19.0.");
  assert_contains (check->fix, "another slot");
  assert_contains (check->fix, "--allow-shared");
  assert_contains (check->fix, "ACS override");
  /* Still two GPUs for the host. */
  assert_check (checks, "single-gpu", PT_CHECK_PASS);
  g_clear_pointer (&checks, g_ptr_array_unref);

  device_at (host, "0000:00:1b.0")->iommu_group = 1;
  pt_host_finish (host);
  checks = run_checks (host);
  check = assert_check (checks, "gpu-candidate", PT_CHECK_WARN);
  assert_contains (check->summary, "at 0000:00:19.0 and 1 more.");
}

static void
test_gpu_only_boot_vga (void)
{
  g_autoptr(PtHost) host = seed_host_new_unfinished ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  /* No integrated graphics: the card is the boot display. */
  for (guint i = 0; i < G_N_ELEMENTS (seed_devices); i++)
    if (!g_str_equal (seed_devices[i].address, "0000:00:02.0"))
      add_device (host, &seed_devices[i]);
  pt_host_finish (host);
  device_at (host, "0000:01:00.0")->boot_vga = PT_TRISTATE_YES;
  checks = run_checks (host);

  check = assert_check (checks, "gpu-candidate", PT_CHECK_WARN);
  assert_contains (check->summary, "GeForce GTX 970 at 0000:01:00.0");
  assert_contains (check->summary, "boot display");
  assert_contains (check->fix, "--allow-boot-vga");
  assert_contains (check->fix,
                   "Advanced > System Agent Configuration > Graphics Configuration > Primary Display");
  check = assert_check (checks, "single-gpu", PT_CHECK_WARN);
  assert_contains (check->summary, "GeForce GTX 970 at 0000:01:00.0 is the host's only GPU");
  assert_contains (check->fix, "Single-GPU passthrough scripts");
  assert_contains (check->fix, "SSH");
}

static void
test_no_gpu (void)
{
  g_autoptr(PtHost) host = seed_host_new_unfinished ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  for (guint i = 0; i < G_N_ELEMENTS (seed_devices); i++)
    if ((seed_devices[i].klass >> 16) != 0x03)
      add_device (host, &seed_devices[i]);
  pt_host_finish (host);
  checks = run_checks (host);

  check = assert_check (checks, "gpu-candidate", PT_CHECK_FAIL);
  assert_contains (check->summary, "No GPU");
  assert_contains (check->fix, "graphics card");
  assert_check (checks, "single-gpu", PT_CHECK_PASS);
}

static const DevSpec server_devices[] = {
  { "0000:00:00.0", 0x8086, 0x2020, 0x060000, 0, PT_TRISTATE_UNKNOWN, "Sky Lake-E DMI3 Registers" },
  { "0000:02:00.0", 0x1a03, 0x1150, 0x060400, 12, PT_TRISTATE_UNKNOWN, "AST1150 PCI-to-PCI Bridge" },
  { "0000:03:00.0", 0x1a03, 0x2000, 0x030000, 12, PT_TRISTATE_YES, "ASPEED Graphics Family" },
  { "0000:17:00.0", 0x8086, 0x2030, 0x060400, 20, PT_TRISTATE_UNKNOWN, "Sky Lake-E PCI Express Root Port A" },
  { "0000:18:00.0", 0x10de, 0x1eb8, 0x030200, 20, PT_TRISTATE_NO, "TU104GL [Tesla T4]" },
};

static void
test_bmc_only (void)
{
  g_autoptr(PtHost) host = seed_host_new_unfinished ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  set_str (&host->board_vendor, "Supermicro");
  set_str (&host->board_name, "X11SPi-TF");
  add_devices (host, server_devices, 3);
  pt_host_finish (host);
  checks = run_checks (host);

  check = assert_check (checks, "gpu-candidate", PT_CHECK_FAIL);
  assert_contains (check->summary, "BMC");
  assert_contains (check->summary, "ASPEED Graphics Family at 0000:03:00.0");
  check = assert_check (checks, "single-gpu", PT_CHECK_PASS);
  assert_contains (check->summary, "BMC");
}

static void
test_bmc_and_one_gpu (void)
{
  g_autoptr(PtHost) host = seed_host_new_unfinished ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  set_str (&host->board_vendor, "Supermicro");
  set_str (&host->board_name, "X11SPi-TF");
  add_devices (host, server_devices, G_N_ELEMENTS (server_devices));
  pt_host_finish (host);
  checks = run_checks (host);

  check = assert_check (checks, "gpu-candidate", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "Tesla T4 at 0000:18:00.0 is in a clean IOMMU group (group 20).");
  check = assert_check (checks, "single-gpu", PT_CHECK_PASS);
  assert_contains (check->summary, "Tesla T4 at 0000:18:00.0");
  assert_contains (check->summary, "BMC's ASPEED Graphics Family at 0000:03:00.0");
  g_clear_pointer (&checks, g_ptr_array_unref);

  /* The primary display fix for this board comes from its own table. */
  device_at (host, "0000:18:00.0")->boot_vga = PT_TRISTATE_YES;
  checks = run_checks (host);
  check = assert_check (checks, "gpu-candidate", PT_CHECK_WARN);
  assert_contains (check->fix, "Advanced > PCIe/PCI/PnP Configuration > VGA Priority");
  assert_contains (check->fix, "Make another GPU the primary display");
}

/* A discrete card is named before the processor's integrated graphics. */
static void
test_prefers_discrete (void)
{
  g_autoptr(PtHost) host = seed_host_new ();
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  device_at (host, "0000:00:02.0")->boot_vga = PT_TRISTATE_NO;
  checks = run_checks (host);
  check = assert_check (checks, "gpu-candidate", PT_CHECK_PASS);
  assert_contains (check->summary, "GeForce GTX 970 at 0000:01:00.0");
}

/* ---- fixture hosts --------------------------------------------------------- */

static PtHost *
load_fixture (const char *name,
              char      **root_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = pt_test_build_host (name);
  PtHost *host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_nonnull (host);
  *root_out = g_steal_pointer (&root);
  return host;
}

/* The seed listing: the guide's machine before vfio-pci was set up. */
static void
test_fixture_seed (void)
{
  g_autofree char *root = NULL;
  g_autoptr(PtHost) host = load_fixture ("seed", &root);
  g_autoptr(GPtrArray) checks = run_checks (host);
  PtCheck *check;

  check = assert_check (checks, "cpu-virtualization", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "Intel VT-x is available (vmx).");
  check = assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "The firmware enables VT-d (ACPI DMAR table present).");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_PASS);
  assert_contains (check->summary, "11 IOMMU groups");
  check = assert_check (checks, "kernel-arguments", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "The kernel command line has intel_iommu=on and iommu=pt.");
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  /* The GPU is still on nouveau: vfio-pci is there but not loaded. */
  assert_contains (check->summary, "available as a module (not loaded yet)");
  assert_contains (check->summary, "kernel 5.9 vfio_virqfd is still a separate module");
  check = assert_check (checks, "efi-boot", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "The host booted in UEFI mode.");
  check = assert_check (checks, "secure-boot", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "Secure Boot is off.");
  assert_check (checks, "interrupt-remapping", PT_CHECK_PASS);
  check = assert_check (checks, "gpu-candidate", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==,
                   "GeForce GTX 970 at 0000:01:00.0 is in a clean IOMMU group (group 1).");
  check = assert_check (checks, "single-gpu", PT_CHECK_PASS);
  assert_contains (check->summary, "2 GPUs");
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_PASS);

  pt_test_remove_tree (root);
}

/* An AMD desktop whose firmware left the IOMMU off, with the common
 * amd_iommu=on mistake on the command line. */
static const char amd_iommu_off_listing[] =
  "Name: amd-iommu-off\n"
  "CPU: AMD Ryzen 7 5800X 8-Core Processor\n"
  "CPU id: 25/33/0\n"
  "Board: Micro-Star International Co., Ltd. / MAG B550 TOMAHAWK (MS-7C91)\n"
  "Firmware: UEFI\n"
  "Secure Boot: off\n"
  "ACPI:\n"
  "Kernel: 6.8.0-45-generic\n"
  "Cmdline: BOOT_IMAGE=/boot/vmlinuz-6.8.0-45-generic root=UUID=5d1c ro quiet splash amd_iommu=on iommu=pt\n"
  "OS: ubuntu\n"
  "No IOMMU Group:\n"
  "\t00:00.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse Root Complex [1022:1480]\n"
  "\t00:03.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse PCIe Dummy Host Bridge [1022:1482]\n"
  "\t00:03.1 PCI bridge [0604]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse GPP Bridge [1022:1483]\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t2d:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 21 [Radeon RX 6800/6800 XT / 6900 XT] [1002:73bf] (rev c1)\n"
  "\t\tKernel driver in use: amdgpu\n"
  "\t\tKernel modules: amdgpu\n"
  "\t\tboot_vga: 1\n"
  "\t2d:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 21/23 HDMI/DP Audio Controller [1002:ab28]\n"
  "\t\tKernel driver in use: snd_hda_intel\n"
  "\t\tKernel modules: snd_hda_intel\n"
  "\t2b:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8125 2.5GbE Controller [10ec:8125] (rev 05)\n"
  "\t\tKernel driver in use: r8169\n"
  "\t\tKernel modules: r8169\n";

static void
test_fixture_amd_iommu_off (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = pt_test_build_host_from_text (amd_iommu_off_listing);
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  g_assert_no_error (error);
  checks = run_checks (host);

  check = assert_check (checks, "cpu-virtualization", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "AMD-V is available (svm).");
  check = assert_check (checks, "iommu-firmware", PT_CHECK_FAIL);
  assert_contains (check->summary, "no ACPI IVRS table");
  assert_contains (check->fix, "Settings > Advanced > AMD CBS > NBIO Common Options > IOMMU");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_FAIL);
  assert_contains (check->fix, "no argument is needed");
  check = assert_check (checks, "kernel-arguments", PT_CHECK_WARN);
  assert_contains (check->summary, "amd_iommu=on");
  assert_contains (check->fix, "Remove amd_iommu=on");
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  assert_contains (check->summary, "part of vfio (since 6.2)");
  check = assert_check (checks, "interrupt-remapping", PT_CHECK_WARN);
  assert_contains (check->fix, "Enable the IOMMU first");
  check = assert_check (checks, "gpu-candidate", PT_CHECK_UNKNOWN);
  assert_contains (check->summary, "1 GPU was found");
  assert_contains (check->fix, "Enable the IOMMU first");
  check = assert_check (checks, "single-gpu", PT_CHECK_WARN);
  assert_contains (check->summary, "0000:2d:00.0 is the host's only GPU");
  /* MSI's primary-display setting for the fix. */
  assert_contains (check->fix, "Initiate Graphic Adapter");
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_FAIL);

  pt_test_remove_tree (root);
}

/* A server whose only display is the BMC's, booted the legacy way. */
static const char bmc_server_listing[] =
  "Name: bmc-server\n"
  "CPU: Intel(R) Xeon(R) Silver 4210R CPU @ 2.40GHz\n"
  "CPU id: 6/85/7\n"
  "CPU threads: 20\n"
  "Board: Supermicro / X11SPi-TF\n"
  "Firmware: BIOS\n"
  "ACPI: DMAR\n"
  "Kernel: 6.1.0-13-amd64\n"
  "Cmdline: BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=/dev/sda2 ro quiet\n"
  "OS: debian\n"
  "Interrupt remapping: on\n"
  "IOMMU Group 0:\n"
  "\t00:00.0 Host bridge [0600]: Intel Corporation Sky Lake-E DMI3 Registers [8086:2020] (rev 07)\n"
  "IOMMU Group 12:\n"
  "\t00:1c.0 PCI bridge [0604]: Intel Corporation C620 Series Chipset Family PCI Express Root Port #1 [8086:a190] (rev f9)\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t02:00.0 PCI bridge [0604]: ASPEED Technology, Inc. AST1150 PCI-to-PCI Bridge [1a03:1150] (rev 04)\n"
  "\t03:00.0 VGA compatible controller [0300]: ASPEED Technology, Inc. ASPEED Graphics Family [1a03:2000] (rev 41)\n"
  "\t\tKernel driver in use: ast\n"
  "\t\tKernel modules: ast\n"
  "\t\tboot_vga: 1\n"
  "IOMMU Group 20:\n"
  "\t00:1f.0 ISA bridge [0601]: Intel Corporation C621 Series Chipset LPC/eSPI Controller [8086:a1c1] (rev 09)\n"
  "\t00:1f.2 Memory controller [0580]: Intel Corporation C620 Series Chipset Family Power Management Controller [8086:a1a1] (rev 09)\n";

static void
test_fixture_bmc_server (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = pt_test_build_host_from_text (bmc_server_listing);
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  g_assert_no_error (error);
  checks = run_checks (host);

  assert_check (checks, "cpu-virtualization", PT_CHECK_PASS);
  assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  assert_check (checks, "iommu-kernel", PT_CHECK_PASS);
  /* Debian's kernel turns VT-d on by itself. */
  check = assert_check (checks, "kernel-arguments", PT_CHECK_WARN);
  assert_contains (check->summary, "CONFIG_INTEL_IOMMU_DEFAULT_ON");
  check = assert_check (checks, "efi-boot", PT_CHECK_WARN);
  assert_contains (check->summary, "legacy BIOS");
  assert_contains (check->fix, "Boot > Boot mode select to UEFI");
  check = assert_check (checks, "secure-boot", PT_CHECK_PASS);
  assert_contains (check->summary, "legacy BIOS");
  check = assert_check (checks, "gpu-candidate", PT_CHECK_FAIL);
  assert_contains (check->summary, "BMC");
  assert_contains (check->summary, "0000:03:00.0");
  check = assert_check (checks, "single-gpu", PT_CHECK_PASS);
  assert_contains (check->summary, "BMC");

  pt_test_remove_tree (root);
}

/* One card as the boot display, Secure Boot on with nvidia, vfio-pci
 * built in, on a Gigabyte board. */
static const char single_gpu_listing[] =
  "Name: single-gpu\n"
  "CPU: AMD Ryzen 5 5600X 6-Core Processor\n"
  "CPU id: 25/33/0\n"
  "Board: Gigabyte Technology Co., Ltd. / B550 AORUS ELITE V2\n"
  "Firmware: UEFI\n"
  "Secure Boot: on\n"
  "ACPI: IVRS\n"
  "Kernel: 6.6.30-gentoo\n"
  "Cmdline: BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro\n"
  "OS: arch\n"
  "Builtin: vfio vfio_pci vfio_pci_core vfio_iommu_type1\n"
  "Modules: nvidia\n"
  "Interrupt remapping: on\n"
  "IOMMU Group 0:\n"
  "\t00:00.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse Root Complex [1022:1480]\n"
  "IOMMU Group 1:\n"
  "\t00:01.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse PCIe Dummy Host Bridge [1022:1482]\n"
  "\t00:01.1 PCI bridge [0604]: Advanced Micro Devices, Inc. [AMD] Starship/Matisse GPP Bridge [1022:1483]\n"
  "\t\tKernel driver in use: pcieport\n"
  "\t01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA104 [GeForce RTX 3070] [10de:2484] (rev a1)\n"
  "\t\tKernel driver in use: nvidia\n"
  "\t\tKernel modules: nvidia\n"
  "\t\tboot_vga: 1\n"
  "\t01:00.1 Audio device [0403]: NVIDIA Corporation GA104 High Definition Audio Controller [10de:228b] (rev a1)\n"
  "\t\tKernel driver in use: snd_hda_intel\n"
  "\t\tKernel modules: snd_hda_intel\n";

static void
test_fixture_single_gpu (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = pt_test_build_host_from_text (single_gpu_listing);
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  g_assert_no_error (error);
  checks = run_checks (host);

  check = assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
  assert_contains (check->summary, "IVRS");
  check = assert_check (checks, "kernel-arguments", PT_CHECK_PASS);
  assert_contains (check->summary, "AMD IOMMU");
  check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
  g_assert_cmpstr (check->summary, ==, "vfio-pci is built into the kernel.");
  check = assert_check (checks, "secure-boot", PT_CHECK_WARN);
  assert_contains (check->fix, "MOK");
  assert_contains (check->fix, "An out-of-tree module is loaded now");
  check = assert_check (checks, "gpu-candidate", PT_CHECK_WARN);
  assert_contains (check->summary, "GeForce RTX 3070 at 0000:01:00.0");
  assert_contains (check->summary, "boot display");
  assert_contains (check->fix, "Settings > IO Ports > Initial Display Output");
  assert_contains (check->fix, "no other GPU");
  assert_contains (check->fix, "--allow-boot-vga");
  check = assert_check (checks, "single-gpu", PT_CHECK_WARN);
  assert_contains (check->summary, "only GPU");
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_WARN);

  pt_test_remove_tree (root);
}

/* A Ryzen APU laptop: its graphics sit on bus 04, not 0, but are the
 * processor's own; the fix must not send the user looking for them. */
static void
test_fixture_apu_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = pt_test_build_host ("apu-laptop-shared");
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  g_assert_no_error (error);
  checks = run_checks (host);
  check = assert_check (checks, "single-gpu", PT_CHECK_WARN);
  assert_contains (check->fix, "This integrated GPU is the only one");
  g_assert_null (strstr (check->fix, "if it has them"));
  pt_test_remove_tree (root);
}

/* The VMD laptop boots with intel_iommu=on,igfx_off: its only GPU is in
 * no group, so nothing can be passed through, and the fix says why. */
static void
test_fixture_igfx_off (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = pt_test_build_host ("vmd-laptop");
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_autoptr(GPtrArray) checks = NULL;
  PtCheck *check;

  g_assert_no_error (error);
  checks = run_checks (host);
  check = assert_check (checks, "gpu-candidate", PT_CHECK_FAIL);
  assert_contains (check->summary, "igfx_off");
  assert_contains (check->fix, "Remove igfx_off");
  check = assert_check (checks, "iommu-kernel", PT_CHECK_PASS);
  g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_FAIL);
  pt_test_remove_tree (root);
}

/* Real write-ups with the common amd_iommu=on mistake and a second card
 * for the host. */
static void
test_fixture_amd_two_cards (void)
{
  static const struct
  {
    const char *fixture;
    const char *gpu;
    const char *vfio;
  } cases[] = {
    { "navi21-split-audio", "at 0000:0b:00.0 is in a clean IOMMU group (group 26).",
      "vfio-pci is built into the kernel." },
    { "radeon7-threadripper", "at 0000:0d:00.0 is in a clean IOMMU group (group 20).",
      "vfio-pci is loaded; on kernel 5.9 vfio_virqfd is still a separate module" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = NULL;
      g_autoptr(PtHost) host = NULL;
      g_autoptr(GPtrArray) checks = NULL;
      PtCheck *check;

      g_test_message ("fixture %s", cases[i].fixture);
      host = load_fixture (cases[i].fixture, &root);
      checks = run_checks (host);

      check = assert_check (checks, "cpu-virtualization", PT_CHECK_PASS);
      g_assert_cmpstr (check->summary, ==, "AMD-V is available (svm).");
      check = assert_check (checks, "iommu-firmware", PT_CHECK_PASS);
      assert_contains (check->summary, "IVRS");
      assert_check (checks, "iommu-kernel", PT_CHECK_PASS);
      check = assert_check (checks, "kernel-arguments", PT_CHECK_WARN);
      assert_contains (check->summary, "amd_iommu=on");
      assert_contains (check->fix, "Remove amd_iommu=on");
      check = assert_check (checks, "vfio-modules", PT_CHECK_PASS);
      assert_contains (check->summary, cases[i].vfio);
      check = assert_check (checks, "gpu-candidate", PT_CHECK_PASS);
      assert_contains (check->summary, cases[i].gpu);
      check = assert_check (checks, "single-gpu", PT_CHECK_PASS);
      assert_contains (check->summary, "2 GPUs");
      g_assert_cmpint (pt_checks_overall (checks), ==, PT_CHECK_WARN);

      pt_test_remove_tree (root);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checks/state-strings", test_state_strings);
  g_test_add_func ("/checks/overall", test_overall);
  g_test_add_func ("/checks/seed-all-pass", test_seed_all_pass);
  g_test_add_func ("/checks/cpu/virt-off", test_cpu_virt_off);
  g_test_add_func ("/checks/cpu/nested", test_cpu_virt_nested);
  g_test_add_func ("/checks/cpu/amd", test_cpu_virt_amd);
  g_test_add_func ("/checks/cpu/unknown", test_cpu_unknown);
  g_test_add_func ("/checks/iommu/intel-firmware-off", test_intel_iommu_firmware_off);
  g_test_add_func ("/checks/iommu/intel-no-groups-no-argument", test_intel_no_groups_no_argument);
  g_test_add_func ("/checks/iommu/intel-default-on-kernel", test_intel_default_on_kernel);
  g_test_add_func ("/checks/iommu/intel-off-argument", test_intel_iommu_off_argument);
  g_test_add_func ("/checks/iommu/intel-options", test_intel_options);
  g_test_add_func ("/checks/iommu/cmdline-unknown", test_cmdline_unknown);
  g_test_add_func ("/checks/iommu/amd", test_amd_host);
  g_test_add_func ("/checks/iommu/amd-on-argument", test_amd_on_argument);
  g_test_add_func ("/checks/iommu/amd-firmware-off", test_amd_iommu_off);
  g_test_add_func ("/checks/iommu/amd-off-argument", test_amd_off_argument);
  g_test_add_func ("/checks/iommu/groups-without-table", test_groups_without_table);
  g_test_add_func ("/checks/vfio/states", test_vfio_states);
  g_test_add_func ("/checks/boot/legacy", test_legacy_boot);
  g_test_add_func ("/checks/boot/secure-boot", test_secure_boot);
  g_test_add_func ("/checks/interrupt-remapping", test_interrupt_remapping);
  g_test_add_func ("/checks/fixture/igfx-off", test_fixture_igfx_off);
  g_test_add_func ("/checks/fixture/apu-only", test_fixture_apu_only);
  g_test_add_func ("/checks/gpu/shared", test_gpu_shared);
  g_test_add_func ("/checks/gpu/only-boot-vga", test_gpu_only_boot_vga);
  g_test_add_func ("/checks/gpu/none", test_no_gpu);
  g_test_add_func ("/checks/gpu/bmc-only", test_bmc_only);
  g_test_add_func ("/checks/gpu/bmc-and-one-gpu", test_bmc_and_one_gpu);
  g_test_add_func ("/checks/gpu/prefers-discrete", test_prefers_discrete);
  g_test_add_func ("/checks/fixture/seed", test_fixture_seed);
  g_test_add_func ("/checks/fixture/amd-iommu-off", test_fixture_amd_iommu_off);
  g_test_add_func ("/checks/fixture/bmc-server", test_fixture_bmc_server);
  g_test_add_func ("/checks/fixture/single-gpu", test_fixture_single_gpu);
  g_test_add_func ("/checks/fixture/amd-two-cards", test_fixture_amd_two_cards);

  return g_test_run ();
}
