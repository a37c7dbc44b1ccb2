/* pt-checks.c: the readiness checks behind "passthroughctl status": each one
 * states a fact about the host and, when something is to be done, how. */
#define G_LOG_DOMAIN "pt-checks"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "pt-checks.h"
#include "pt-firmware.h"
#include "pt-verdict.h"

/* Server BMCs show up as VGA controllers: ASPEED AST and Matrox G200e. */
#define PCI_VENDOR_ASPEED 0x1a03
#define PCI_VENDOR_MATROX 0x102b

const char *
pt_check_state_to_string (PtCheckState state)
{
  switch (state)
    {
    case PT_CHECK_PASS: return "pass";
    case PT_CHECK_WARN: return "warn";
    case PT_CHECK_FAIL: return "fail";
    case PT_CHECK_UNKNOWN:
    default: return "unknown";
    }
}

void
pt_check_free (PtCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->id);
  g_free (check->summary);
  g_free (check->fix);
  g_free (check);
}

PtCheck *
pt_check_new (const char   *id,
              PtCheckState  state,
              const char   *summary,
              const char   *fix)
{
  PtCheck *check;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (summary != NULL, NULL);

  check = g_new0 (PtCheck, 1);
  check->id = g_strdup (id);
  check->state = state;
  check->summary = g_strdup (summary);
  check->fix = g_strdup (fix);
  return check;
}

PtCheck *
pt_checks_find (GPtrArray  *checks,
                const char *id)
{
  g_return_val_if_fail (checks != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < checks->len; i++)
    {
      PtCheck *check = g_ptr_array_index (checks, i);

      if (g_str_equal (check->id, id))
        return check;
    }
  return NULL;
}

static int
state_rank (PtCheckState state)
{
  switch (state)
    {
    case PT_CHECK_FAIL: return 3;
    case PT_CHECK_WARN: return 2;
    case PT_CHECK_UNKNOWN: return 1;
    case PT_CHECK_PASS:
    default: return 0;
    }
}

PtCheckState
pt_checks_overall (GPtrArray *checks)
{
  PtCheckState worst = PT_CHECK_PASS;

  g_return_val_if_fail (checks != NULL, PT_CHECK_UNKNOWN);

  for (guint i = 0; i < checks->len; i++)
    {
      PtCheck *check = g_ptr_array_index (checks, i);

      if (state_rank (check->state) > state_rank (worst))
        worst = check->state;
    }
  return worst;
}

/* ---- helpers ------------------------------------------------------------ */

/* Takes ownership of @summary and @fix. */
static PtCheck *
check_take (const char   *id,
            PtCheckState  state,
            char         *summary,
            char         *fix)
{
  PtCheck *check = g_new0 (PtCheck, 1);

  check->id = g_strdup (id);
  check->state = state;
  check->summary = summary;
  check->fix = fix;
  return check;
}

/* Appends a sentence to a fix made of several, or starts it. */
static void
append_sentence (GString    *text,
                 const char *sentence)
{
  if (sentence == NULL || *sentence == '\0')
    return;
  if (text->len > 0)
    g_string_append_c (text, ' ');
  g_string_append (text, sentence);
}

static char *
string_free_or_null (GString *text)
{
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

/* The firmware step for this host's CPU and board, as a sentence. */
static char *
firmware_instruction (PtHost            *host,
                      PtFirmwareSetting  setting)
{
  const PtFirmwareStep *step;

  step = pt_firmware_lookup (pt_host_get_cpu_vendor (host),
                             pt_host_get_board_vendor (host),
                             pt_host_get_board_name (host),
                             setting);
  return step != NULL ? pt_firmware_step_dup_instruction (step) : NULL;
}

/* Whether a comma-separated option value ("on,sm_on") contains @option. */
static gboolean
value_has_option (const char *value,
                  const char *option)
{
  g_auto(GStrv) options = NULL;

  if (value == NULL)
    return FALSE;
  options = g_strsplit (value, ",", -1);
  return g_strv_contains ((const char *const *) options, option);
}

/* Major and minor of the running kernel, FALSE when unknown. */
static gboolean
kernel_version (PtHost *host,
                guint  *major,
                guint  *minor)
{
  const char *release = pt_host_get_kernel_release (host);

  return release != NULL && sscanf (release, "%u.%u", major, minor) == 2;
}

static gboolean
is_bmc_display (PtDevice *device)
{
  guint16 vendor = pt_device_get_vendor_id (device);

  return vendor == PCI_VENDOR_ASPEED || vendor == PCI_VENDOR_MATROX;
}

/* Functions on bus 0 are integrated in the processor or chipset. AMD APUs
 * put their graphics on a bus of their own behind an internal bridge, but
 * always next to the platform security processor (class 1080) on the same
 * slot, which no discrete card has. */
static gboolean
is_integrated (PtHost *host, PtDevice *device)
{
  g_autoptr(GPtrArray) slot = NULL;

  if (pt_device_get_pci_address (device)->bus == 0)
    return TRUE;
  if (pt_device_get_vendor_id (device) != 0x1002)
    return FALSE;
  slot = pt_host_dup_slot_functions (host, device);
  for (guint i = 0; i < slot->len; i++)
    if (pt_device_get_class_code (g_ptr_array_index (slot, i)) == 0x1080)
      return TRUE;
  return FALSE;
}

/* "GeForce GTX 970 at 0000:01:00.0" */
static char *
describe_device (PtDevice *device)
{
  g_autofree char *name = pt_device_dup_display_name (device);

  /* TRANSLATORS: a device name and its PCI address */
  return g_strdup_printf (_("%s at %s"), name, pt_device_get_address (device));
}

/* ---- 1. cpu-virtualization ------------------------------------------------ */

static PtCheck *
check_cpu_virtualization (PtHost *host)
{
  PtCpuVendor cpu = pt_host_get_cpu_vendor (host);
  gboolean vmx = pt_host_has_cpu_flag (host, "vmx");
  gboolean svm = pt_host_has_cpu_flag (host, "svm");
  const char *tech;
  const char *flag;
  g_autoptr(GString) fix = NULL;
  g_autofree char *instruction = NULL;

  if (vmx && cpu != PT_CPU_VENDOR_AMD)
    return check_take ("cpu-virtualization", PT_CHECK_PASS,
                       g_strdup (_("Intel VT-x is available (vmx).")), NULL);
  if (svm && cpu != PT_CPU_VENDOR_INTEL)
    return check_take ("cpu-virtualization", PT_CHECK_PASS,
                       g_strdup (_("AMD-V is available (svm).")), NULL);

  if (cpu == PT_CPU_VENDOR_UNKNOWN && pt_host_get_cpu_model (host) == NULL)
    return check_take ("cpu-virtualization", PT_CHECK_UNKNOWN,
                       g_strdup (_("The processor could not be identified from /proc/cpuinfo.")),
                       NULL);

  tech = cpu == PT_CPU_VENDOR_AMD ? "AMD-V"
         : cpu == PT_CPU_VENDOR_INTEL ? "Intel VT-x"
         : "VT-x/AMD-V";
  flag = cpu == PT_CPU_VENDOR_AMD ? "svm" : cpu == PT_CPU_VENDOR_INTEL ? "vmx" : "vmx/svm";

  fix = g_string_new (NULL);
  if (pt_host_has_cpu_flag (host, "hypervisor"))
    {
      append_sentence (fix, _("This host is itself a virtual machine: enable nested "
                              "virtualization on the hypervisor it runs on (for KVM, the "
                              "“nested” option of kvm_intel or kvm_amd and a CPU model that "
                              "passes vmx or svm through)."));
      return check_take ("cpu-virtualization", PT_CHECK_FAIL,
                         /* TRANSLATORS: %s is "Intel VT-x" or "AMD-V", then the cpuinfo flag */
                         g_strdup_printf (_("The virtual processor does not offer %s "
                                            "(no %s flag)."), tech, flag),
                         string_free_or_null (g_steal_pointer (&fix)));
    }

  instruction = firmware_instruction (host, PT_FIRMWARE_SETTING_CPU_VIRT);
  append_sentence (fix, instruction);
  append_sentence (fix, _("If the firmware has no such setting, the processor does not "
                          "support hardware virtualization."));
  return check_take ("cpu-virtualization", PT_CHECK_FAIL,
                     /* TRANSLATORS: %s is "Intel VT-x" or "AMD-V", then the cpuinfo flag */
                     g_strdup_printf (_("The processor does not offer %s (no %s flag in "
                                        "/proc/cpuinfo): it is off in the firmware or not "
                                        "supported."), tech, flag),
                     string_free_or_null (g_steal_pointer (&fix)));
}

/* ---- 2. iommu-firmware ---------------------------------------------------- */

static PtCheck *
check_iommu_firmware (PtHost *host)
{
  PtCpuVendor cpu = pt_host_get_cpu_vendor (host);
  PtTristate dmar = pt_host_get_acpi_dmar (host);
  PtTristate ivrs = pt_host_get_acpi_ivrs (host);
  PtTristate table;
  const char *table_name;
  const char *tech;
  gboolean groups = pt_host_has_groups (host);
  g_autoptr(GString) fix = NULL;
  g_autofree char *instruction = NULL;

  switch (cpu)
    {
    case PT_CPU_VENDOR_INTEL:
      table = dmar;
      table_name = "DMAR";
      tech = "VT-d";
      break;
    case PT_CPU_VENDOR_AMD:
      table = ivrs;
      table_name = "IVRS";
      tech = "AMD-Vi";
      break;
    case PT_CPU_VENDOR_UNKNOWN:
    default:
      table = (dmar == PT_TRISTATE_YES || ivrs == PT_TRISTATE_YES) ? PT_TRISTATE_YES
              : (dmar == PT_TRISTATE_NO && ivrs == PT_TRISTATE_NO) ? PT_TRISTATE_NO
              : PT_TRISTATE_UNKNOWN;
      table_name = dmar == PT_TRISTATE_YES ? "DMAR"
                   : ivrs == PT_TRISTATE_YES ? "IVRS"
                   : "DMAR/IVRS";
      tech = dmar == PT_TRISTATE_YES ? "VT-d" : ivrs == PT_TRISTATE_YES ? "AMD-Vi" : "IOMMU";
      break;
    }

  if (table == PT_TRISTATE_YES)
    return check_take ("iommu-firmware", PT_CHECK_PASS,
                       /* TRANSLATORS: "The firmware enables VT-d (ACPI DMAR table present)." */
                       g_strdup_printf (_("The firmware enables %s (ACPI %s table present)."),
                                        tech, table_name),
                       NULL);

  /* IOMMU groups prove an IOMMU works whatever the tables say: a virtual
   * machine's virtio-iommu, or tables we could not list. */
  if (groups)
    {
      if (table == PT_TRISTATE_NO)
        return check_take ("iommu-firmware", PT_CHECK_PASS,
                           g_strdup_printf (_("An IOMMU is working (IOMMU groups exist) although "
                                              "the firmware has no ACPI %s table."), table_name),
                           NULL);
      return check_take ("iommu-firmware", PT_CHECK_PASS,
                         g_strdup (_("An IOMMU is working (IOMMU groups exist); the ACPI tables "
                                     "could not be listed.")),
                         NULL);
    }

  if (table == PT_TRISTATE_UNKNOWN)
    return check_take ("iommu-firmware", PT_CHECK_UNKNOWN,
                       g_strdup (_("The ACPI tables could not be listed, so whether the firmware "
                                   "enables the IOMMU is unknown.")),
                       NULL);

  fix = g_string_new (NULL);
  instruction = firmware_instruction (host, PT_FIRMWARE_SETTING_IOMMU);
  append_sentence (fix, instruction);
  append_sentence (fix, _("If the firmware has no such setting, the board or processor does "
                          "not support an IOMMU, and devices cannot be passed through."));
  return check_take ("iommu-firmware", PT_CHECK_FAIL,
                     /* TRANSLATORS: "The firmware has no ACPI DMAR table: VT-d is off or
                      * not supported." */
                     g_strdup_printf (_("The firmware has no ACPI %s table: %s is off or not "
                                        "supported."), table_name, tech),
                     string_free_or_null (g_steal_pointer (&fix)));
}

/* ---- command-line facts shared by checks 3 and 4 ---------------------------- */

typedef struct
{
  gboolean intel_on;     /* intel_iommu=on */
  gboolean amd_on;       /* amd_iommu=on: not a valid value */
  gboolean pt;           /* iommu=pt or iommu.passthrough=1 */
  GPtrArray *off_args;   /* arguments that turn the IOMMU off, as written */
} CmdlineFacts;

static void
cmdline_facts_clear (CmdlineFacts *facts)
{
  g_clear_pointer (&facts->off_args, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CmdlineFacts, cmdline_facts_clear)

static void
read_cmdline_facts (PtHost       *host,
                    CmdlineFacts *facts)
{
  PtCpuVendor cpu = pt_host_get_cpu_vendor (host);
  const char *intel = pt_host_cmdline_get_value (host, "intel_iommu");
  const char *amd = pt_host_cmdline_get_value (host, "amd_iommu");
  const char *iommu = pt_host_cmdline_get_value (host, "iommu");
  const char *passthrough = pt_host_cmdline_get_value (host, "iommu.passthrough");

  facts->intel_on = value_has_option (intel, "on");
  facts->amd_on = value_has_option (amd, "on");
  facts->pt = value_has_option (iommu, "pt") ||
              g_strcmp0 (passthrough, "1") == 0 || g_strcmp0 (passthrough, "y") == 0;
  facts->off_args = g_ptr_array_new_with_free_func (g_free);

  /* Each vendor's driver only reads its own argument. */
  if (cpu != PT_CPU_VENDOR_AMD && value_has_option (intel, "off"))
    g_ptr_array_add (facts->off_args, g_strdup_printf ("intel_iommu=%s", intel));
  if (cpu != PT_CPU_VENDOR_INTEL && value_has_option (amd, "off"))
    g_ptr_array_add (facts->off_args, g_strdup_printf ("amd_iommu=%s", amd));
  if (value_has_option (iommu, "off"))
    g_ptr_array_add (facts->off_args, g_strdup_printf ("iommu=%s", iommu));
}

static char *
join_args (GPtrArray *args)
{
  g_autoptr(GPtrArray) strv = g_ptr_array_new ();

  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (strv, g_ptr_array_index (args, i));
  g_ptr_array_add (strv, NULL);
  return g_strjoinv (" ", (char **) strv->pdata);
}

/* ---- 3. iommu-kernel -------------------------------------------------------- */

static PtCheck *
check_iommu_kernel (PtHost *host)
{
  PtCpuVendor cpu = pt_host_get_cpu_vendor (host);
  g_auto(CmdlineFacts) facts = { 0 };
  g_autoptr(GString) fix = NULL;
  g_autofree char *instruction = NULL;
  gboolean firmware_off;

  if (pt_host_has_groups (host))
    {
      guint n = pt_host_get_groups (host)->len;

      return check_take ("iommu-kernel", PT_CHECK_PASS,
                         g_strdup_printf (ngettext ("The kernel uses the IOMMU: devices are in "
                                                    "%u IOMMU group.",
                                                    "The kernel uses the IOMMU: devices are in "
                                                    "%u IOMMU groups.", n), n),
                         NULL);
    }

  read_cmdline_facts (host, &facts);
  fix = g_string_new (NULL);

  if (facts.off_args->len > 0)
    {
      g_autofree char *args = join_args (facts.off_args);
      g_autofree char *sentence = g_strdup_printf (_("Remove %s from the kernel command line."),
                                                   args);

      append_sentence (fix, sentence);
    }

  firmware_off = cpu == PT_CPU_VENDOR_AMD
                 ? pt_host_get_acpi_ivrs (host) == PT_TRISTATE_NO
                 : cpu == PT_CPU_VENDOR_INTEL
                   ? pt_host_get_acpi_dmar (host) == PT_TRISTATE_NO
                   : FALSE;
  instruction = firmware_instruction (host, PT_FIRMWARE_SETTING_IOMMU);

  /* The firmware first when it is known to be off: no argument helps then. */
  if (firmware_off)
    append_sentence (fix, instruction);

  if (cpu == PT_CPU_VENDOR_AMD)
    append_sentence (fix, _("The kernel turns the AMD IOMMU on by itself when the firmware "
                            "enables it: no argument is needed, but amd_iommu=off or "
                            "iommu=off must not be on the command line."));
  else if (cpu == PT_CPU_VENDOR_INTEL && !facts.intel_on)
    append_sentence (fix, _("Add intel_iommu=on (and iommu=pt) to the kernel command line "
                            "and reboot."));

  if (!firmware_off)
    {
      if (cpu == PT_CPU_VENDOR_INTEL && !facts.intel_on)
        append_sentence (fix, _("If there are still no groups after that, check the "
                                "firmware."));
      append_sentence (fix, instruction);
    }

  return check_take ("iommu-kernel", PT_CHECK_FAIL,
                     g_strdup (_("The kernel does not use an IOMMU: there are no IOMMU groups.")),
                     string_free_or_null (g_steal_pointer (&fix)));
}

/* ---- 4. kernel-arguments ---------------------------------------------------- */

static PtCheck *
check_kernel_arguments (PtHost *host)
{
  PtCpuVendor cpu = pt_host_get_cpu_vendor (host);
  gboolean groups = pt_host_has_groups (host);
  g_auto(CmdlineFacts) facts = { 0 };
  g_autoptr(GString) fix = NULL;
  PtCheckState state = PT_CHECK_PASS;
  char *summary = NULL;

  if (pt_host_get_cmdline (host) == NULL)
    return check_take ("kernel-arguments", PT_CHECK_UNKNOWN,
                       g_strdup (_("The kernel command line could not be read.")), NULL);

  read_cmdline_facts (host, &facts);
  fix = g_string_new (NULL);

  if (facts.off_args->len > 0)
    {
      g_autofree char *args = join_args (facts.off_args);
      g_autofree char *sentence = g_strdup_printf (_("Remove %s from the kernel command line."),
                                                   args);

      append_sentence (fix, sentence);
      if (cpu != PT_CPU_VENDOR_AMD && !facts.intel_on)
        append_sentence (fix, _("Add intel_iommu=on in its place."));
      return check_take ("kernel-arguments", PT_CHECK_FAIL,
                         g_strdup_printf (_("The kernel command line turns the IOMMU off (%s)."),
                                          args),
                         string_free_or_null (g_steal_pointer (&fix)));
    }

  if (cpu == PT_CPU_VENDOR_INTEL && !facts.intel_on)
    {
      if (groups)
        {
          state = PT_CHECK_WARN;
          summary = g_strdup (_("intel_iommu=on is not on the kernel command line; this kernel "
                                "turns the IOMMU on by default (CONFIG_INTEL_IOMMU_DEFAULT_ON, "
                                "or Debian's default, which leaves Intel integrated graphics "
                                "out)."));
          append_sentence (fix, _("Add intel_iommu=on so the IOMMU stays on with kernels built "
                                  "without that default and also covers Intel integrated "
                                  "graphics."));
        }
      else
        {
          state = PT_CHECK_FAIL;
          summary = g_strdup (_("intel_iommu=on is not on the kernel command line, and the "
                                "IOMMU is off."));
          append_sentence (fix, _("Add intel_iommu=on to the kernel command line and reboot."));
        }
      if (!facts.pt)
        append_sentence (fix, _("iommu=pt is worth adding too: it leaves the host's own devices "
                                "out of IOMMU translation."));
    }

  if (facts.amd_on)
    {
      append_sentence (fix, _("Remove amd_iommu=on: “on” is not a value amd_iommu accepts, so "
                              "the kernel ignores it; the AMD IOMMU is on by default."));
      if (summary == NULL)
        {
          state = PT_CHECK_WARN;
          summary = g_strdup (_("amd_iommu=on is on the kernel command line, but “on” is not a "
                                "valid value for amd_iommu and does nothing."));
        }
    }

  if (summary == NULL)
    {
      if (facts.intel_on)
        summary = facts.pt
          ? g_strdup (_("The kernel command line has intel_iommu=on and iommu=pt."))
          : g_strdup (_("The kernel command line has intel_iommu=on."));
      else if (cpu == PT_CPU_VENDOR_AMD)
        summary = facts.pt
          ? g_strdup (_("The kernel command line leaves the AMD IOMMU on (the default) and has "
                        "iommu=pt."))
          : g_strdup (_("The kernel command line leaves the AMD IOMMU on (the default)."));
      else
        summary = g_strdup (_("The kernel command line does not turn the IOMMU off."));
    }

  return check_take ("kernel-arguments", state, summary,
                     state == PT_CHECK_PASS ? NULL
                     : string_free_or_null (g_steal_pointer (&fix)));
}

/* ---- 5. vfio-modules -------------------------------------------------------- */

static PtCheck *
check_vfio_modules (PtHost *host)
{
  PtModuleState state = pt_host_get_vfio_pci_state (host);
  const char *release = pt_host_get_kernel_release (host);
  gboolean loaded;
  guint major = 0;
  guint minor = 0;
  g_autofree char *virqfd = NULL;
  g_autofree char *head = NULL;

  loaded = state == PT_MODULE_STATE_BUILTIN ||
           pt_host_module_loaded (host, "vfio_pci") ||
           pt_host_module_loaded (host, "vfio-pci");

  if (state == PT_MODULE_STATE_MISSING && !loaded)
    return check_take ("vfio-modules", PT_CHECK_FAIL,
                       release != NULL
                       ? g_strdup_printf (_("The kernel %s has no vfio-pci driver."), release)
                       : g_strdup (_("The running kernel has no vfio-pci driver.")),
                       g_strdup (_("Boot a kernel built with CONFIG_VFIO_PCI (the standard "
                                   "kernels of the major distributions are), or install its "
                                   "modules package.")));

  if (state == PT_MODULE_STATE_UNKNOWN && !loaded)
    return check_take ("vfio-modules", PT_CHECK_UNKNOWN,
                       g_strdup (_("Whether the kernel has vfio-pci is unknown: there is no "
                                   "module index for the running kernel.")),
                       g_strdup (_("If the kernel was updated since the last boot, reboot into "
                                   "it; otherwise install the modules for the running kernel.")));

  if (state == PT_MODULE_STATE_BUILTIN)
    head = g_strdup (_("vfio-pci is built into the kernel"));
  else if (loaded)
    head = g_strdup (_("vfio-pci is loaded"));
  else
    head = g_strdup (_("vfio-pci is available as a module (not loaded yet)"));

  /* vfio_virqfd was its own module until Linux 6.2 merged it into vfio;
   * only initramfs module lists care, so not a kernel with vfio built in. */
  if (state != PT_MODULE_STATE_BUILTIN && kernel_version (host, &major, &minor))
    {
      if (major < 6 || (major == 6 && minor < 2))
        virqfd = g_strdup_printf (_("on kernel %u.%u vfio_virqfd is still a separate module, "
                                    "needed with vfio_pci in the initramfs"), major, minor);
      else
        virqfd = g_strdup_printf (_("on kernel %u.%u vfio_virqfd is part of vfio (since 6.2) "
                                    "and need not be listed"), major, minor);
    }

  return check_take ("vfio-modules", PT_CHECK_PASS,
                     virqfd != NULL
                     /* TRANSLATORS: two clauses above joined into one sentence */
                     ? g_strdup_printf (C_("vfio summary", "%s; %s."), head, virqfd)
                     : g_strdup_printf (C_("vfio summary", "%s."), head),
                     NULL);
}

/* ---- 6. efi-boot ------------------------------------------------------------ */

static PtCheck *
check_efi_boot (PtHost *host)
{
  g_autoptr(GString) fix = NULL;
  g_autofree char *instruction = NULL;

  if (pt_host_is_efi (host))
    return check_take ("efi-boot", PT_CHECK_PASS,
                       g_strdup (_("The host booted in UEFI mode.")), NULL);

  fix = g_string_new (NULL);
  append_sentence (fix, _("Virtual machines get UEFI from OVMF whatever the host uses, but with "
                          "the firmware's CSM on, the graphics card is started through its "
                          "legacy VGA BIOS instead of its UEFI (GOP) ROM, which some cards do not "
                          "recover from in a guest, and Resizable BAR is unavailable."));
  append_sentence (fix, _("Switching the host to UEFI needs an EFI system partition and a UEFI "
                          "bootloader first; then turn CSM off."));
  instruction = firmware_instruction (host, PT_FIRMWARE_SETTING_CSM);
  append_sentence (fix, instruction);
  return check_take ("efi-boot", PT_CHECK_WARN,
                     g_strdup (_("The host booted in legacy BIOS mode (CSM).")),
                     string_free_or_null (g_steal_pointer (&fix)));
}

/* ---- 7. secure-boot --------------------------------------------------------- */

static PtCheck *
check_secure_boot (PtHost *host)
{
  g_autoptr(GString) fix = NULL;

  switch (pt_host_get_secure_boot (host))
    {
    case PT_TRISTATE_NO:
      if (!pt_host_is_efi (host))
        return check_take ("secure-boot", PT_CHECK_PASS,
                           g_strdup (_("Secure Boot is off (the host booted in legacy BIOS "
                                       "mode).")),
                           NULL);
      return check_take ("secure-boot", PT_CHECK_PASS,
                         g_strdup (_("Secure Boot is off.")), NULL);

    case PT_TRISTATE_YES:
      fix = g_string_new (NULL);
      append_sentence (fix, _("vfio-pci is part of the kernel and signed, so it loads as it "
                              "is. Out-of-tree modules such as nvidia or vendor-reset load "
                              "only when signed with a key enrolled with mokutil (MOK)."));
      if (pt_host_module_loaded (host, "nvidia") || pt_host_module_loaded (host, "vendor_reset"))
        append_sentence (fix, _("An out-of-tree module is loaded now, so signing is already set "
                                "up for it; rebuilt modules must be signed again."));
      append_sentence (fix, _("The kernel's lockdown mode, which Secure Boot turns on, also "
                              "refuses unsigned modules and direct PCI configuration writes "
                              "from user space (setpci); passthrough through vfio is not "
                              "affected."));
      return check_take ("secure-boot", PT_CHECK_WARN,
                         g_strdup (_("Secure Boot is on: out-of-tree kernel modules must be "
                                     "signed.")),
                         string_free_or_null (g_steal_pointer (&fix)));

    case PT_TRISTATE_UNKNOWN:
    default:
      return check_take ("secure-boot", PT_CHECK_UNKNOWN,
                         g_strdup (_("The Secure Boot state could not be read (no SecureBoot "
                                     "EFI variable).")),
                         g_strdup (_("Run “mokutil --sb-state” to see it.")));
    }
}

/* ---- 8. interrupt-remapping ------------------------------------------------- */

static PtCheck *
check_interrupt_remapping (PtHost *host)
{
  gboolean groups = pt_host_has_groups (host);
  gboolean unsafe_allowed;
  g_autoptr(GString) fix = NULL;

  unsafe_allowed = g_strcmp0 (pt_host_cmdline_get_value (host,
                                "vfio_iommu_type1.allow_unsafe_interrupts"), "1") == 0 ||
                   g_strcmp0 (pt_host_cmdline_get_value (host,
                                "vfio_iommu_type1.allow_unsafe_interrupts"), "Y") == 0;

  switch (pt_host_get_interrupt_remapping (host))
    {
    case PT_TRISTATE_YES:
      return check_take ("interrupt-remapping", PT_CHECK_PASS,
                         g_strdup (_("Interrupt remapping is on.")), NULL);

    case PT_TRISTATE_NO:
      fix = g_string_new (NULL);
      if (!groups)
        append_sentence (fix, _("Enable the IOMMU first: interrupt remapping comes with it."));
      else
        append_sentence (fix, _("Enable interrupt remapping in the firmware (it comes with VT-d "
                                "or the IOMMU on most boards, sometimes as a setting of its "
                                "own)."));
      if (value_has_option (pt_host_cmdline_get_value (host, "intremap"), "off"))
        append_sentence (fix, _("Remove intremap=off from the kernel command line."));
      if (unsafe_allowed)
        append_sentence (fix, _("vfio_iommu_type1.allow_unsafe_interrupts=1 is set, so vfio "
                                "assigns devices anyway: a device in a guest can then send "
                                "interrupts the host never allowed. Keep it only with guests "
                                "you trust."));
      else
        append_sentence (fix, _("Without it vfio refuses to assign devices unless "
                                "vfio_iommu_type1.allow_unsafe_interrupts=1 is set, which lets a "
                                "device in a guest send interrupts the host never allowed; use "
                                "that only with guests you trust."));
      return check_take ("interrupt-remapping", PT_CHECK_WARN,
                         g_strdup (_("Interrupt remapping is off.")),
                         string_free_or_null (g_steal_pointer (&fix)));

    case PT_TRISTATE_UNKNOWN:
    default:
      if (!groups)
        return check_take ("interrupt-remapping", PT_CHECK_UNKNOWN,
                           g_strdup (_("Interrupt remapping cannot be judged while the IOMMU is "
                                       "off.")),
                           g_strdup (_("Enable the IOMMU first.")));
      return check_take ("interrupt-remapping", PT_CHECK_UNKNOWN,
                         g_strdup (_("Whether interrupt remapping is on could not be read from "
                                     "/proc/interrupts.")),
                         NULL);
    }
}

/* ---- 9. gpu-candidate ------------------------------------------------------- */

/* "Ethernet controller at 0000:00:19.0 and 2 more" */
static char *
describe_blockers (GPtrArray *blockers)
{
  g_autofree char *first = NULL;
  guint more;

  g_assert (blockers->len > 0);

  first = describe_device (g_ptr_array_index (blockers, 0));
  more = blockers->len - 1;
  if (more == 0)
    return g_steal_pointer (&first);

  /* TRANSLATORS: "<device> and 2 more" */
  return g_strdup_printf (ngettext ("%s and %u more", "%s and %u more", more), first, more);
}

static PtCheck *
check_gpu_candidate (PtHost *host)
{
  g_autoptr(GPtrArray) gpus = pt_host_list_gpus (host);
  PtGpu *clean = NULL;
  PtGpu *clean_boot = NULL;
  PtGpu *shared = NULL;
  PtGpu *bmc = NULL;
  guint candidates = 0;

  for (guint i = 0; i < gpus->len; i++)
    {
      PtGpu *gpu = g_ptr_array_index (gpus, i);
      gboolean boot = pt_device_get_boot_vga (gpu->device) == PT_TRISTATE_YES;

      if (is_bmc_display (gpu->device))
        {
          if (bmc == NULL)
            bmc = gpu;
          continue;
        }
      candidates++;

      if (gpu->isolation == PT_ISOLATION_CLEAN && !boot)
        {
          /* A discrete card before the processor's integrated graphics. */
          if (clean == NULL
              || (is_integrated (host, clean->device) && !is_integrated (host, gpu->device)))
            clean = gpu;
        }
      else if (gpu->isolation == PT_ISOLATION_CLEAN)
        {
          if (clean_boot == NULL ||
              (is_integrated (host, clean_boot->device) && !is_integrated (host, gpu->device)))
            clean_boot = gpu;
        }
      else if (gpu->isolation == PT_ISOLATION_SHARED)
        {
          if (shared == NULL
              || (is_integrated (host, shared->device) && !is_integrated (host, gpu->device)))
            shared = gpu;
        }
    }

  if (candidates == 0 && bmc != NULL)
    {
      g_autofree char *what = describe_device (bmc->device);

      return check_take ("gpu-candidate", PT_CHECK_FAIL,
                         g_strdup_printf (_("The only display controller is the BMC's %s, "
                                            "which is no GPU to pass through."), what),
                         g_strdup (_("Install a graphics card in a PCIe slot.")));
    }
  if (candidates == 0)
    return check_take ("gpu-candidate", PT_CHECK_FAIL,
                       g_strdup (_("No GPU was found (no PCI display controller, class 03xx).")),
                       g_strdup (_("Install a graphics card in a PCIe slot and check that it is "
                                   "seated and powered; on a laptop, the firmware may have "
                                   "switched the discrete GPU off.")));

  if (clean != NULL)
    {
      g_autofree char *what = describe_device (clean->device);

      return check_take ("gpu-candidate", PT_CHECK_PASS,
                         /* TRANSLATORS: "GeForce GTX 970 at 0000:01:00.0 is in a clean
                          * IOMMU group (group 1)." */
                         g_strdup_printf (_("%s is in a clean IOMMU group (group %d)."), what,
                                          pt_device_get_iommu_group (clean->device)),
                         NULL);
    }

  if (!pt_host_has_groups (host))
    return check_take ("gpu-candidate", PT_CHECK_UNKNOWN,
                       g_strdup_printf (ngettext ("%u GPU was found, but without IOMMU groups its "
                                                  "isolation cannot be judged.",
                                                  "%u GPUs were found, but without IOMMU groups "
                                                  "their isolation cannot be judged.",
                                                  candidates), candidates),
                       g_strdup (_("Enable the IOMMU first (see the IOMMU checks above).")));

  /* What to warn about: a discrete card before the integrated graphics,
   * which are usually the host's own display. */
  if (clean_boot != NULL && shared != NULL &&
      is_integrated (host, clean_boot->device) && !is_integrated (host, shared->device))
    clean_boot = NULL;

  if (clean_boot != NULL)
    {
      g_autofree char *what = describe_device (clean_boot->device);
      g_autofree char *instruction = firmware_instruction (host,
                                                           PT_FIRMWARE_SETTING_PRIMARY_DISPLAY);
      g_autoptr(GString) fix = g_string_new (NULL);

      if (candidates > 1 || bmc != NULL)
        append_sentence (fix, _("Make another GPU the primary display so this one is free."));
      else
        append_sentence (fix, _("The host has no other GPU: add one, or use the processor's "
                                "integrated graphics if it has them, and make it the primary "
                                "display."));
      append_sentence (fix, instruction);
      append_sentence (fix, _("Or pass it through with --allow-boot-vga: the host then loses its "
                              "boot console when the card is bound to vfio-pci."));
      return check_take ("gpu-candidate", PT_CHECK_WARN,
                         g_strdup_printf (_("%s is in a clean IOMMU group, but it is the boot "
                                            "display."), what),
                         string_free_or_null (g_steal_pointer (&fix)));
    }

  if (shared != NULL)
    {
      g_autofree char *what = describe_device (shared->device);
      g_autofree char *others = describe_blockers (shared->blockers);
      g_autofree char *acs = firmware_instruction (host, PT_FIRMWARE_SETTING_ACS);
      g_autoptr(GString) fix = g_string_new (NULL);

      append_sentence (fix, _("Put the card in another slot (slots wired to the processor "
                              "usually have groups of their own), or move or disable the "
                              "device it shares its group with, or pass the whole group "
                              "through with --allow-shared."));
      if (acs != NULL)
        {
          g_autofree char *sentence = NULL;

          /* TRANSLATORS: %s is an instruction like "In the firmware setup, set ... to Enabled." */
          sentence = g_strdup_printf (_("If the firmware offers ACS, enabling it may split the "
                                        "group: %s"), acs);
          append_sentence (fix, sentence);
        }
      append_sentence (fix, _("The ACS override patch splits groups without real isolation: "
                              "the devices can still reach each other's memory."));
      return check_take ("gpu-candidate", PT_CHECK_WARN,
                         /* TRANSLATORS: "<GPU> shares IOMMU group 1 with <device> and 2 more." */
                         g_strdup_printf (_("%s shares IOMMU group %d with %s."), what,
                                          pt_device_get_iommu_group (shared->device), others),
                         string_free_or_null (g_steal_pointer (&fix)));
    }

  /* Groups exist but the GPUs are in none of them: the IOMMU does not
   * cover them, so none can be passed through. */
  {
    const char *intel_iommu = pt_host_cmdline_get_value (host, "intel_iommu");

    if (intel_iommu != NULL && strstr (intel_iommu, "igfx_off") != NULL)
      return check_take ("gpu-candidate", PT_CHECK_FAIL,
                         g_strdup (_("No GPU is in an IOMMU group: intel_iommu=igfx_off keeps "
                                     "the integrated graphics out of the IOMMU.")),
                         g_strdup (_("Remove igfx_off from the kernel command line and reboot, "
                                     "or add a graphics card in a slot with an IOMMU group of "
                                     "its own.")));
    return check_take ("gpu-candidate", PT_CHECK_FAIL,
                       g_strdup (_("No GPU is in an IOMMU group: the IOMMU does not cover "
                                   "them, so none can be passed through.")),
                       g_strdup (_("Put the card in another slot, one wired to the processor, "
                                   "and check that the firmware enables the IOMMU for all "
                                   "PCIe slots.")));
  }
}

/* ---- 10. single-gpu --------------------------------------------------------- */

static PtCheck *
check_single_gpu (PtHost *host)
{
  g_autoptr(GPtrArray) gpus = pt_host_list_gpus (host);
  PtDevice *only = NULL;
  PtDevice *bmc = NULL;
  guint n = 0;

  for (guint i = 0; i < gpus->len; i++)
    {
      PtGpu *gpu = g_ptr_array_index (gpus, i);

      if (is_bmc_display (gpu->device))
        {
          if (bmc == NULL)
            bmc = gpu->device;
          continue;
        }
      n++;
      only = gpu->device;
    }

  if (n == 0)
    {
      if (bmc != NULL)
        {
          g_autofree char *what = describe_device (bmc);

          return check_take ("single-gpu", PT_CHECK_PASS,
                             g_strdup_printf (_("The host's display is the BMC's %s, which "
                                                "stays with the host."), what),
                             NULL);
        }
      return check_take ("single-gpu", PT_CHECK_PASS,
                         g_strdup (_("The host has no GPU that passthrough could take from "
                                     "it.")),
                         NULL);
    }

  if (n == 1 && bmc != NULL)
    {
      g_autofree char *gpu_what = describe_device (only);
      g_autofree char *bmc_what = describe_device (bmc);

      return check_take ("single-gpu", PT_CHECK_PASS,
                         /* TRANSLATORS: "Besides <GPU>, the host keeps the BMC's <device>
                          * as its display ..." */
                         g_strdup_printf (_("Besides %s, the host keeps the BMC's %s as its "
                                            "display (its VGA port or the BMC's remote "
                                            "console)."), gpu_what, bmc_what),
                         NULL);
    }

  if (n == 1)
    {
      g_autofree char *what = describe_device (only);
      g_autofree char *primary = firmware_instruction (host, PT_FIRMWARE_SETTING_PRIMARY_DISPLAY);
      g_autoptr(GString) fix = g_string_new (NULL);

      if (is_integrated (host, only))
        append_sentence (fix, _("This integrated GPU is the only one: give the host a second "
                                "card for itself, or run it headless."));
      else
        {
          append_sentence (fix, _("Give the host a display of its own: the processor's "
                                  "integrated graphics, if it has them, or a second card."));
          append_sentence (fix, primary);
        }
      append_sentence (fix, _("Single-GPU passthrough scripts hand the card to the virtual "
                              "machine and back when it starts and stops, but a guest that "
                              "fails to start or a card that does not reset leaves the host "
                              "with a black screen: keep SSH access to it."));
      return check_take ("single-gpu", PT_CHECK_WARN,
                         g_strdup_printf (_("%s is the host's only GPU: passing it through "
                                            "leaves the host without a display."), what),
                         string_free_or_null (g_steal_pointer (&fix)));
    }

  return check_take ("single-gpu", PT_CHECK_PASS,
                     g_strdup_printf (ngettext ("The host has %u GPU, so one can stay with the "
                                                "host.",
                                                "The host has %u GPUs, so one can stay with the "
                                                "host.", n), n),
                     NULL);
}

/* ---- all -------------------------------------------------------------------- */

GPtrArray *
pt_checks_run (PtHost *host)
{
  GPtrArray *checks;

  g_return_val_if_fail (PT_IS_HOST (host), NULL);

  /* vfio-pci's state comes from the module index, a detail. */
  /* A damaged attribute leaves its facts unknown; the checks still run. */
  pt_host_ensure_details (host, NULL);

  checks = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_check_free);
  g_ptr_array_add (checks, check_cpu_virtualization (host));
  g_ptr_array_add (checks, check_iommu_firmware (host));
  g_ptr_array_add (checks, check_iommu_kernel (host));
  g_ptr_array_add (checks, check_kernel_arguments (host));
  g_ptr_array_add (checks, check_vfio_modules (host));
  g_ptr_array_add (checks, check_efi_boot (host));
  g_ptr_array_add (checks, check_secure_boot (host));
  g_ptr_array_add (checks, check_interrupt_remapping (host));
  g_ptr_array_add (checks, check_gpu_candidate (host));
  g_ptr_array_add (checks, check_single_gpu (host));
  return checks;
}
