/* pt-firmware.c: firmware (BIOS/UEFI) guidance as data, one table per board
 * vendor and CPU vendor, with a generic fallback.
 *
 * Menu paths are the ones of current boards from each vendor; older
 * generations and other product lines are named in the notes. Labels are
 * marked for translation because some firmware shows them translated;
 * translators keep them as the firmware shows them. */
#define G_LOG_DOMAIN "pt-firmware"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "pt-firmware.h"

/* Why each setting matters: shared by every vendor's table. */
#define WHY_CPU_VIRT_INTEL \
  N_("KVM needs the processor's virtualization extensions (Intel VT-x, the vmx flag) " \
     "to run virtual machines at all.")
#define WHY_CPU_VIRT_AMD \
  N_("KVM needs the processor's virtualization extensions (AMD-V, the svm flag) " \
     "to run virtual machines at all.")
#define WHY_CPU_VIRT_ANY \
  N_("KVM needs the processor's virtualization extensions (Intel VT-x or AMD-V) " \
     "to run virtual machines at all.")
#define WHY_IOMMU_INTEL \
  N_("VT-d is the IOMMU: it confines the card's memory accesses to the guest and forms " \
     "the IOMMU groups that decide what can be passed through. When it is off the " \
     "firmware publishes no ACPI DMAR table and Linux cannot use it.")
#define WHY_IOMMU_AMD \
  N_("AMD-Vi is the IOMMU: it confines the card's memory accesses to the guest and forms " \
     "the IOMMU groups that decide what can be passed through. When it is off the " \
     "firmware publishes no ACPI IVRS table and Linux cannot use it.")
#define WHY_IOMMU_ANY \
  N_("The IOMMU (Intel VT-d or AMD-Vi) confines the card's memory accesses to the guest " \
     "and forms the IOMMU groups that decide what can be passed through.")
#define WHY_ACS \
  N_("With Access Control Services enabled on the PCIe ports, Linux can put devices " \
     "behind different ports into IOMMU groups of their own.")
#define WHY_PRIMARY_DISPLAY \
  N_("The firmware and the host's console start on the primary display. Make it the GPU " \
     "the host keeps (usually the integrated graphics), so the card for the virtual " \
     "machine is not the boot display and can be handed to vfio-pci cleanly.")
#define WHY_IGPU \
  N_("Keeps the integrated graphics enabled while a graphics card is installed, so the " \
     "host still has a display once the card belongs to the virtual machine.")
#define WHY_ABOVE_4G \
  N_("Lets the firmware place the cards' large 64-bit memory windows (BARs) above 4 GiB; " \
     "current GPUs need it, and Resizable BAR requires it.")
#define WHY_REBAR \
  N_("With Resizable BAR the card can expose a memory window larger than the virtual " \
     "machine's firmware (OVMF) reserves, and the guest driver then fails to start. Keep " \
     "it off until passthrough works; turn it back on only with a virtual machine whose " \
     "64-bit MMIO window is large enough.")
#define WHY_CSM \
  N_("With CSM off the machine boots in UEFI mode and initialises the cards through " \
     "their UEFI (GOP) ROMs; a card set up by its legacy VGA BIOS can be left in a state " \
     "the guest's OVMF firmware cannot take over, and Resizable BAR needs CSM off. The " \
     "installed system must boot in UEFI mode (EFI system partition, UEFI bootloader) " \
     "before CSM is turned off.")
#define WHY_SECURE_BOOT \
  N_("Secure Boot can stay on: vfio-pci is part of the kernel and signed. Out-of-tree " \
     "modules such as nvidia or vendor-reset must then be signed with a key enrolled " \
     "with mokutil (MOK); turn Secure Boot off only if you cannot sign them.")

#define REQUIRED    PT_FIRMWARE_NEED_REQUIRED
#define RECOMMENDED PT_FIRMWARE_NEED_RECOMMENDED
#define OPTIONAL    PT_FIRMWARE_NEED_OPTIONAL

#define CPU_VIRT_INTEL(name, path, note) \
  { PT_FIRMWARE_SETTING_CPU_VIRT, REQUIRED, name, path, N_("Enabled"), WHY_CPU_VIRT_INTEL, note }
#define CPU_VIRT_AMD(name, path, note) \
  { PT_FIRMWARE_SETTING_CPU_VIRT, REQUIRED, name, path, N_("Enabled"), WHY_CPU_VIRT_AMD, note }
#define IOMMU_INTEL(name, path, note) \
  { PT_FIRMWARE_SETTING_IOMMU, REQUIRED, name, path, N_("Enabled"), WHY_IOMMU_INTEL, note }
#define IOMMU_AMD(name, path, value, note) \
  { PT_FIRMWARE_SETTING_IOMMU, REQUIRED, name, path, value, WHY_IOMMU_AMD, note }
#define ACS(name, path, note) \
  { PT_FIRMWARE_SETTING_ACS, OPTIONAL, name, path, N_("Enabled"), WHY_ACS, note }
#define PRIMARY_DISPLAY(name, path, value, note) \
  { PT_FIRMWARE_SETTING_PRIMARY_DISPLAY, RECOMMENDED, name, path, value, WHY_PRIMARY_DISPLAY, note }
#define IGPU(name, path, value, note) \
  { PT_FIRMWARE_SETTING_IGPU, RECOMMENDED, name, path, value, WHY_IGPU, note }
#define ABOVE_4G(name, path, note) \
  { PT_FIRMWARE_SETTING_ABOVE_4G, RECOMMENDED, name, path, N_("Enabled"), WHY_ABOVE_4G, note }
#define REBAR(name, path, note) \
  { PT_FIRMWARE_SETTING_RESIZABLE_BAR, RECOMMENDED, name, path, N_("Disabled"), WHY_REBAR, note }
#define CSM(name, path, value, note) \
  { PT_FIRMWARE_SETTING_CSM, RECOMMENDED, name, path, value, WHY_CSM, note }
#define SECURE_BOOT(name, path, value, note) \
  { PT_FIRMWARE_SETTING_SECURE_BOOT, OPTIONAL, name, path, value, WHY_SECURE_BOOT, note }

/* TRANSLATORS: the strings in these tables are firmware menu labels; keep
 * them as the firmware setup shows them in your language (usually English). */

/* ---- generic: AMI Aptio-style setups, the most common layout ---- */

static const PtFirmwareStep generic_intel[] = {
  CPU_VIRT_INTEL (N_("Intel Virtualization Technology"), N_("Advanced > CPU Configuration"),
                  N_("Also called \"Intel VT\", \"VT-x\" or \"Virtualization\"; some firmware "
                     "keeps it under Security or Processor.")),
  IOMMU_INTEL (N_("VT-d"), N_("Advanced > Chipset Configuration"),
               N_("Also called \"Intel VT for Directed I/O\"; look under Chipset, System Agent, "
                  "North Bridge or Security.")),
  PRIMARY_DISPLAY (N_("Primary Display"), N_("Advanced > Chipset Configuration > Graphics Configuration"),
                   N_("IGD (the integrated graphics)"),
                   N_("Also called \"Primary Graphics Adapter\" or \"Initial Display Output\".")),
  IGPU (N_("iGPU Multi-Monitor"), N_("Advanced > Chipset Configuration > Graphics Configuration"),
        N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCI Subsystem Settings"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCI Subsystem Settings"), NULL),
  CSM (N_("CSM Support"), N_("Boot"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"),
               N_("Some firmware keeps it under Boot > Secure Boot.")),
};

static const PtFirmwareStep generic_amd[] = {
  CPU_VIRT_AMD (N_("SVM Mode"), N_("Advanced > CPU Configuration"),
                N_("Also called \"AMD-V\", \"SVM\" or \"Virtualization\".")),
  IOMMU_AMD (N_("IOMMU"), N_("Advanced > AMD CBS > NBIO Common Options"), N_("Enabled"),
             N_("Also called \"AMD-Vi\"; some firmware keeps it under Advanced > NB "
                "Configuration or directly under AMD CBS. \"Auto\" may leave it off.")),
  ACS (N_("ACS Enable"), N_("Advanced > AMD CBS > NBIO Common Options"), NULL),
  PRIMARY_DISPLAY (N_("Primary Video Device"), N_("Advanced > NB Configuration"),
                   N_("IGFX (the integrated graphics)"),
                   N_("Also called \"Primary Graphics Adapter\" or \"Initial Display Output\".")),
  IGPU (N_("Integrated Graphics"), N_("Advanced > NB Configuration"), N_("Forces"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCI Subsystem Settings"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCI Subsystem Settings"), NULL),
  CSM (N_("CSM Support"), N_("Boot"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"),
               N_("Some firmware keeps it under Boot > Secure Boot.")),
};

static const PtFirmwareStep generic_any[] = {
  { PT_FIRMWARE_SETTING_CPU_VIRT, REQUIRED, N_("Intel Virtualization Technology or SVM Mode"),
    N_("Advanced > CPU Configuration"), N_("Enabled"), WHY_CPU_VIRT_ANY, NULL },
  { PT_FIRMWARE_SETTING_IOMMU, REQUIRED, N_("VT-d or IOMMU"),
    N_("Advanced > Chipset Configuration"), N_("Enabled"), WHY_IOMMU_ANY,
    N_("Intel boards call it VT-d, AMD boards IOMMU or AMD-Vi (often under AMD CBS).") },
  PRIMARY_DISPLAY (N_("Primary Display"), N_("Advanced > Chipset Configuration"),
                   N_("the integrated graphics"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCI Subsystem Settings"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCI Subsystem Settings"), NULL),
  CSM (N_("CSM Support"), N_("Boot"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- ASUS (UEFI BIOS, Advanced Mode: F7) ---- */

static const PtFirmwareStep asus_intel[] = {
  CPU_VIRT_INTEL (N_("Intel (VMX) Virtualization Technology"), N_("Advanced > CPU Configuration"),
                  N_("Older boards call it \"Intel Virtualization Technology\".")),
  IOMMU_INTEL (N_("VT-d"), N_("Advanced > System Agent (SA) Configuration"), NULL),
  PRIMARY_DISPLAY (N_("Primary Display"),
                   N_("Advanced > System Agent (SA) Configuration > Graphics Configuration"),
                   N_("IGFX"), NULL),
  IGPU (N_("iGPU Multi-Monitor"),
        N_("Advanced > System Agent (SA) Configuration > Graphics Configuration"),
        N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCI Subsystem Settings"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCI Subsystem Settings"), NULL),
  CSM (N_("Launch CSM"), N_("Boot > CSM (Compatibility Support Module)"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("OS Type"), N_("Boot > Secure Boot"),
               N_("Windows UEFI mode (on, modules signed) or Other OS (off)"), NULL),
};

static const PtFirmwareStep asus_amd[] = {
  CPU_VIRT_AMD (N_("SVM Mode"), N_("Advanced > CPU Configuration"), NULL),
  IOMMU_AMD (N_("IOMMU"), N_("Advanced > AMD CBS > NBIO Common Options"), N_("Enabled"),
             N_("On some AM4 boards it is directly under Advanced > AMD CBS.")),
  ACS (N_("ACS Enable"), N_("Advanced > AMD CBS > NBIO Common Options"), NULL),
  PRIMARY_DISPLAY (N_("Primary Video Device"), N_("Advanced > NB Configuration"),
                   N_("IGFX Video"), NULL),
  IGPU (N_("IGFX Multi-Monitor"), N_("Advanced > NB Configuration"), N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCI Subsystem Settings"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCI Subsystem Settings"), NULL),
  CSM (N_("Launch CSM"), N_("Boot > CSM (Compatibility Support Module)"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("OS Type"), N_("Boot > Secure Boot"),
               N_("Windows UEFI mode (on, modules signed) or Other OS (off)"), NULL),
};

/* ASUS 9-series (Z97) ROG boards, as set up in the project's seed guide
 * for the MAXIMUS VII Ranger. */
static const PtFirmwareStep asus_maximus7_intel[] = {
  CPU_VIRT_INTEL (N_("Intel Virtualization Technology"), N_("Advanced > CPU Configuration"), NULL),
  IOMMU_INTEL (N_("VT-d"), N_("Advanced > System Agent Configuration"), NULL),
  PRIMARY_DISPLAY (N_("Primary Display"),
                   N_("Advanced > System Agent Configuration > Graphics Configuration"),
                   N_("CPU Graphics"), NULL),
  IGPU (N_("CPU Graphics Multi-Monitor"),
        N_("Advanced > System Agent Configuration > Graphics Configuration"),
        N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Boot"), NULL),
  CSM (N_("Launch CSM"), N_("Boot > CSM (Compatibility Support Module)"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("OS Type"), N_("Boot > Secure Boot"),
               N_("Other OS"),
               N_("\"Windows UEFI mode\" keeps Secure Boot on; then out-of-tree modules must be signed.")),
};

/* ---- MSI (Click BIOS 5, Advanced mode: F7) ---- */

static const PtFirmwareStep msi_intel[] = {
  CPU_VIRT_INTEL (N_("Intel Virtualization Tech"), N_("OC > CPU Features"), NULL),
  IOMMU_INTEL (N_("Intel VT-D Tech"), N_("OC > CPU Features"), NULL),
  PRIMARY_DISPLAY (N_("Initiate Graphic Adapter"),
                   N_("Settings > Advanced > Integrated Graphics Configuration"),
                   N_("IGD"), NULL),
  IGPU (N_("IGD Multi-Monitor"), N_("Settings > Advanced > Integrated Graphics Configuration"),
        N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G memory/Crypto Currency mining"),
            N_("Settings > Advanced > PCIe/PCI Sub-system Settings"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Settings > Advanced > PCIe/PCI Sub-system Settings"), NULL),
  CSM (N_("BIOS UEFI/CSM Mode"), N_("Settings > Advanced > Windows OS Configuration"),
       N_("UEFI"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Settings > Advanced > Windows OS Configuration > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

static const PtFirmwareStep msi_amd[] = {
  CPU_VIRT_AMD (N_("SVM Mode"), N_("OC > Advanced CPU Configuration"),
                N_("Older boards keep it under OC > CPU Features.")),
  IOMMU_AMD (N_("IOMMU"), N_("Settings > Advanced > AMD CBS > NBIO Common Options"),
             N_("Enabled"),
             N_("Some boards also show it under OC > Advanced CPU Configuration.")),
  PRIMARY_DISPLAY (N_("Initiate Graphic Adapter"),
                   N_("Settings > Advanced > Integrated Graphics Configuration"),
                   N_("IGD"), NULL),
  IGPU (N_("Integrated Graphics Configuration"), N_("Settings > Advanced"),
        N_("Force"), NULL),
  ABOVE_4G (N_("Above 4G memory/Crypto Currency mining"),
            N_("Settings > Advanced > PCIe/PCI Sub-system Settings"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Settings > Advanced > PCIe/PCI Sub-system Settings"), NULL),
  CSM (N_("BIOS UEFI/CSM Mode"), N_("Settings > Advanced > Windows OS Configuration"),
       N_("UEFI"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Settings > Advanced > Windows OS Configuration > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- Gigabyte / AORUS (Advanced Mode: F2) ---- */

static const PtFirmwareStep gigabyte_intel[] = {
  CPU_VIRT_INTEL (N_("Intel Virtualization Technology"), N_("Tweaker > Advanced CPU Settings"), NULL),
  IOMMU_INTEL (N_("VT-d"), N_("Settings > Miscellaneous"), NULL),
  PRIMARY_DISPLAY (N_("Initial Display Output"), N_("Settings > IO Ports"), N_("IGD Video"), NULL),
  IGPU (N_("Internal Graphics"), N_("Settings > IO Ports"), N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Settings > IO Ports"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Settings > IO Ports"), NULL),
  CSM (N_("CSM Support"), N_("Boot"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Boot > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

static const PtFirmwareStep gigabyte_amd[] = {
  CPU_VIRT_AMD (N_("SVM Mode"), N_("Tweaker > Advanced CPU Settings"), NULL),
  IOMMU_AMD (N_("IOMMU"), N_("Settings > Miscellaneous"), N_("Enabled"),
             N_("Also under Settings > AMD CBS > NBIO Common Options on some boards.")),
  PRIMARY_DISPLAY (N_("Initial Display Output"), N_("Settings > IO Ports"), N_("IGD Video"), NULL),
  IGPU (N_("Integrated Graphics"), N_("Settings > IO Ports"), N_("Forces"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Settings > IO Ports"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Settings > IO Ports"), NULL),
  CSM (N_("CSM Support"), N_("Boot"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Boot > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- ASRock (Advanced Mode: F6) ---- */

static const PtFirmwareStep asrock_intel[] = {
  CPU_VIRT_INTEL (N_("Intel Virtualization Technology"), N_("Advanced > CPU Configuration"), NULL),
  IOMMU_INTEL (N_("VT-d"), N_("Advanced > Chipset Configuration"), NULL),
  PRIMARY_DISPLAY (N_("Primary Graphics Adapter"), N_("Advanced > Chipset Configuration"),
                   N_("Onboard"), NULL),
  IGPU (N_("IGPU Multi-Monitor"), N_("Advanced > Chipset Configuration"), N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > Chipset Configuration"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > Chipset Configuration"), NULL),
  CSM (N_("CSM"), N_("Boot > CSM (Compatibility Support Module)"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

static const PtFirmwareStep asrock_amd[] = {
  CPU_VIRT_AMD (N_("SVM Mode"), N_("Advanced > CPU Configuration"), NULL),
  IOMMU_AMD (N_("IOMMU"), N_("Advanced > AMD CBS > NBIO Common Options"), N_("Enabled"), NULL),
  ACS (N_("ACS Enable"), N_("Advanced > AMD CBS > NBIO Common Options"), NULL),
  PRIMARY_DISPLAY (N_("Primary Graphics Adapter"), N_("Advanced > Chipset Configuration"),
                   N_("Onboard"), NULL),
  IGPU (N_("IGPU Multi-Monitor"), N_("Advanced > Chipset Configuration"), N_("Enabled"), NULL),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCI Configuration"),
            N_("Some boards keep it under Advanced > Chipset Configuration.")),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCI Configuration"),
         N_("Some boards keep it under Advanced > Chipset Configuration.")),
  CSM (N_("CSM"), N_("Boot > CSM (Compatibility Support Module)"), N_("Disabled"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- Dell (OptiPlex, Precision, Latitude: F2) ---- */

static const PtFirmwareStep dell_intel[] = {
  CPU_VIRT_INTEL (N_("Enable Intel Virtualization Technology"), N_("Virtualization Support > Virtualization"),
                  N_("Newer setup screens: Virtualization > Enable Intel Virtualization Technology (VT).")),
  IOMMU_INTEL (N_("Enable VT for Direct I/O"), N_("Virtualization Support > VT for Direct I/O"),
               N_("Newer setup screens: Virtualization > VT for Direct I/O.")),
  PRIMARY_DISPLAY (N_("Primary Display"), N_("Video"), N_("Intel HD Graphics"),
                   N_("Newer setup screens: Display > Primary Display.")),
  CSM (N_("Enable Legacy Option ROMs"), N_("General > Advanced Boot Options"), N_("Off"),
       N_("Newer setup screens boot in UEFI mode only.")),
  SECURE_BOOT (N_("Secure Boot Enable"), N_("Secure Boot"),
               N_("Enabled with signed modules, or Disabled"),
               N_("Newer setup screens: Boot Configuration > Enable Secure Boot.")),
};

static const PtFirmwareStep dell_amd[] = {
  CPU_VIRT_AMD (N_("Virtualization (AMD-V)"), N_("Virtualization Support"), NULL),
  IOMMU_AMD (N_("IOMMU (AMD-Vi)"), N_("Virtualization Support"), N_("Enabled"),
             N_("Labels differ between models; look for IOMMU or Direct I/O under "
                "Virtualization Support or Virtualization.")),
  PRIMARY_DISPLAY (N_("Primary Display"), N_("Video"), N_("the integrated graphics"), NULL),
  CSM (N_("Enable Legacy Option ROMs"), N_("General > Advanced Boot Options"), N_("Off"), NULL),
  SECURE_BOOT (N_("Secure Boot Enable"), N_("Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- Lenovo ThinkPad, ThinkCentre, ThinkStation (F1) ---- */

static const PtFirmwareStep lenovo_intel[] = {
  CPU_VIRT_INTEL (N_("Intel Virtualization Technology"), N_("Security > Virtualization"),
                  N_("Older ThinkCentre desktops: Advanced > CPU Setup.")),
  IOMMU_INTEL (N_("Intel VT-d Feature"), N_("Security > Virtualization"),
               N_("Older ThinkCentre desktops: Advanced > CPU Setup > VT-d.")),
  PRIMARY_DISPLAY (N_("Select Active Video"), N_("Devices > Video Setup"), N_("IGD"),
                   N_("ThinkPads: Config > Display > Graphics Device = Hybrid Graphics.")),
  CSM (N_("UEFI/Legacy Boot"), N_("Startup"), N_("UEFI Only"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

static const PtFirmwareStep lenovo_amd[] = {
  CPU_VIRT_AMD (N_("AMD V(TM) Technology"), N_("Security > Virtualization"),
                N_("ThinkCentre desktops: Advanced > CPU Setup > SVM.")),
  IOMMU_AMD (N_("AMD IOMMU"), N_("Security > Virtualization"), N_("Enabled"),
             N_("ThinkCentre desktops: Advanced > CPU Setup > IOMMU. Some ThinkPads have "
                "no separate switch and enable it together with AMD-V and Kernel DMA "
                "Protection.")),
  PRIMARY_DISPLAY (N_("Select Active Video"), N_("Devices > Video Setup"), N_("IGD"),
                   N_("ThinkPads: Config > Display > Graphics Device = Hybrid Graphics.")),
  CSM (N_("UEFI/Legacy Boot"), N_("Startup"), N_("UEFI Only"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- HP business desktops, laptops and Z workstations (F10) ---- */

static const PtFirmwareStep hp_intel[] = {
  CPU_VIRT_INTEL (N_("Virtualization Technology (VTx)"), N_("Advanced > System Options"), NULL),
  IOMMU_INTEL (N_("Virtualization Technology for Directed I/O (VTd)"),
               N_("Advanced > System Options"), NULL),
  IGPU (N_("Integrated Video"), N_("Advanced > Built-In Device Options"), N_("Enabled"),
        N_("Z workstations without integrated graphics need a second card for the host.")),
  CSM (N_("Legacy Support"), N_("Advanced > Secure Boot Configuration"), N_("Disable"),
       N_("Set \"Configure Legacy Support and Secure Boot\".")),
  SECURE_BOOT (N_("Secure Boot"), N_("Advanced > Secure Boot Configuration"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

static const PtFirmwareStep hp_amd[] = {
  CPU_VIRT_AMD (N_("Virtualization Technology (AMD-V)"), N_("Advanced > System Options"), NULL),
  IOMMU_AMD (N_("IOMMU"), N_("Advanced > System Options"), N_("Enabled"),
             N_("Some models call it \"DMA Protection\" or enable it together with AMD-V.")),
  IGPU (N_("Integrated Video"), N_("Advanced > Built-In Device Options"), N_("Enabled"), NULL),
  CSM (N_("Legacy Support"), N_("Advanced > Secure Boot Configuration"), N_("Disable"),
       N_("Set \"Configure Legacy Support and Secure Boot\".")),
  SECURE_BOOT (N_("Secure Boot"), N_("Advanced > Secure Boot Configuration"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- HPE ProLiant (System Utilities, F9) ---- */

static const PtFirmwareStep hpe_intel[] = {
  CPU_VIRT_INTEL (N_("Intel(R) Virtualization Technology"),
                  N_("System Configuration > BIOS/Platform Configuration (RBSU) > Virtualization Options"),
                  NULL),
  IOMMU_INTEL (N_("Intel(R) VT-d"),
               N_("System Configuration > BIOS/Platform Configuration (RBSU) > Virtualization Options"),
               NULL),
  CSM (N_("Boot Mode"), N_("System Configuration > BIOS/Platform Configuration (RBSU) > Boot Options"),
       N_("UEFI Mode"), NULL),
  SECURE_BOOT (N_("Secure Boot Enforcement"),
               N_("System Configuration > BIOS/Platform Configuration (RBSU) > Server Security > Secure Boot Settings"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

static const PtFirmwareStep hpe_amd[] = {
  CPU_VIRT_AMD (N_("AMD Virtualization Technology"),
                N_("System Configuration > BIOS/Platform Configuration (RBSU) > Virtualization Options"),
                NULL),
  IOMMU_AMD (N_("AMD I/O Virtualization Technology (IOMMU)"),
             N_("System Configuration > BIOS/Platform Configuration (RBSU) > Virtualization Options"),
             N_("Enabled"), NULL),
  CSM (N_("Boot Mode"), N_("System Configuration > BIOS/Platform Configuration (RBSU) > Boot Options"),
       N_("UEFI Mode"), NULL),
  SECURE_BOOT (N_("Secure Boot Enforcement"),
               N_("System Configuration > BIOS/Platform Configuration (RBSU) > Server Security > Secure Boot Settings"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

/* ---- Supermicro (AMI Aptio, server layout: Del) ---- */

static const PtFirmwareStep supermicro_intel[] = {
  CPU_VIRT_INTEL (N_("Intel Virtualization Technology"), N_("Advanced > CPU Configuration"), NULL),
  IOMMU_INTEL (N_("Intel VT for Directed I/O (VT-d)"),
               N_("Advanced > Chipset Configuration > North Bridge > IIO Configuration"),
               N_("Single-socket boards: Advanced > Chipset Configuration > System Agent "
                  "(SA) Configuration > VT-d.")),
  ACS (N_("ACS Control"),
       N_("Advanced > Chipset Configuration > North Bridge > IIO Configuration > Intel VT for Directed I/O (VT-d)"),
       NULL),
  PRIMARY_DISPLAY (N_("VGA Priority"), N_("Advanced > PCIe/PCI/PnP Configuration"),
                   N_("Onboard"),
                   N_("\"Onboard\" keeps the BMC's display as the host's console.")),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCIe/PCI/PnP Configuration"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCIe/PCI/PnP Configuration"),
         N_("Only on recent boards.")),
  CSM (N_("Boot mode select"), N_("Boot"), N_("UEFI"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

static const PtFirmwareStep supermicro_amd[] = {
  CPU_VIRT_AMD (N_("SVM Mode"), N_("Advanced > CPU Configuration"), NULL),
  IOMMU_AMD (N_("IOMMU"), N_("Advanced > NB Configuration"), N_("Enabled"),
             N_("Also under Advanced > AMD CBS > NBIO Common Options on newer boards.")),
  ACS (N_("ACS Enable"), N_("Advanced > AMD CBS > NBIO Common Options"), NULL),
  PRIMARY_DISPLAY (N_("VGA Priority"), N_("Advanced > PCIe/PCI/PnP Configuration"),
                   N_("Onboard"),
                   N_("\"Onboard\" keeps the BMC's display as the host's console.")),
  ABOVE_4G (N_("Above 4G Decoding"), N_("Advanced > PCIe/PCI/PnP Configuration"), NULL),
  REBAR (N_("Re-Size BAR Support"), N_("Advanced > PCIe/PCI/PnP Configuration"),
         N_("Only on recent boards.")),
  CSM (N_("Boot mode select"), N_("Boot"), N_("UEFI"), NULL),
  SECURE_BOOT (N_("Secure Boot"), N_("Security > Secure Boot"),
               N_("Enabled with signed modules, or Disabled"), NULL),
};

typedef struct
{
  const char           *vendor_id;   /* NULL: generic */
  PtCpuVendor           cpu;
  const char           *board_glob;  /* upper-case glob on the DMI board name, NULL: any */
  const PtFirmwareStep *steps;
  guint                 n_steps;
} FirmwareTable;

#define TABLE(vendor, cpu, glob, steps) { vendor, cpu, glob, steps, G_N_ELEMENTS (steps) }

/* Board-specific tables come before their vendor's general one. */
static const FirmwareTable tables[] = {
  TABLE ("asus",       PT_CPU_VENDOR_INTEL,   "MAXIMUS VII *", asus_maximus7_intel),
  TABLE ("asus",       PT_CPU_VENDOR_INTEL,   NULL, asus_intel),
  TABLE ("asus",       PT_CPU_VENDOR_AMD,     NULL, asus_amd),
  TABLE ("msi",        PT_CPU_VENDOR_INTEL,   NULL, msi_intel),
  TABLE ("msi",        PT_CPU_VENDOR_AMD,     NULL, msi_amd),
  TABLE ("gigabyte",   PT_CPU_VENDOR_INTEL,   NULL, gigabyte_intel),
  TABLE ("gigabyte",   PT_CPU_VENDOR_AMD,     NULL, gigabyte_amd),
  TABLE ("asrock",     PT_CPU_VENDOR_INTEL,   NULL, asrock_intel),
  TABLE ("asrock",     PT_CPU_VENDOR_AMD,     NULL, asrock_amd),
  TABLE ("dell",       PT_CPU_VENDOR_INTEL,   NULL, dell_intel),
  TABLE ("dell",       PT_CPU_VENDOR_AMD,     NULL, dell_amd),
  TABLE ("lenovo",     PT_CPU_VENDOR_INTEL,   NULL, lenovo_intel),
  TABLE ("lenovo",     PT_CPU_VENDOR_AMD,     NULL, lenovo_amd),
  TABLE ("hp",         PT_CPU_VENDOR_INTEL,   NULL, hp_intel),
  TABLE ("hp",         PT_CPU_VENDOR_AMD,     NULL, hp_amd),
  TABLE ("hpe",        PT_CPU_VENDOR_INTEL,   NULL, hpe_intel),
  TABLE ("hpe",        PT_CPU_VENDOR_AMD,     NULL, hpe_amd),
  TABLE ("supermicro", PT_CPU_VENDOR_INTEL,   NULL, supermicro_intel),
  TABLE ("supermicro", PT_CPU_VENDOR_AMD,     NULL, supermicro_amd),
  TABLE (NULL,         PT_CPU_VENDOR_INTEL,   NULL, generic_intel),
  TABLE (NULL,         PT_CPU_VENDOR_AMD,     NULL, generic_amd),
  TABLE (NULL,         PT_CPU_VENDOR_UNKNOWN, NULL, generic_any),
};

typedef struct
{
  const char *prefix;   /* normalised: lower case, words separated by one space */
  const char *id;
} VendorRule;

/* More specific prefixes first ("asrock rack" before "asrock", "hpe" before "hp"). */
static const VendorRule vendor_rules[] = {
  { "asustek", "asus" },
  { "asus", "asus" },
  { "micro star", "msi" },
  { "msi", "msi" },
  { "gigabyte", "gigabyte" },
  { "asrockrack", "asrock-rack" },
  { "asrock rack", "asrock-rack" },
  { "asrock", "asrock" },
  { "dell", "dell" },
  { "lenovo", "lenovo" },
  { "hewlett packard enterprise", "hpe" },
  { "hpe", "hpe" },
  { "hewlett packard", "hp" },
  { "hp", "hp" },
  { "supermicro", "supermicro" },
  { "super micro", "supermicro" },
  { "framework", "framework" },
  { "acer", "acer" },
  { "biostar", "biostar" },
  { "evga", "evga" },
  { "intel", "intel" },
};

static const struct
{
  const char *id;
  const char *name;
} vendor_names[] = {
  { "asus", "ASUS" },
  { "msi", "MSI" },
  { "gigabyte", "Gigabyte" },
  { "asrock", "ASRock" },
  { "asrock-rack", "ASRock Rack" },
  { "dell", "Dell" },
  { "lenovo", "Lenovo" },
  { "hp", "HP" },
  { "hpe", "HPE" },
  { "supermicro", "Supermicro" },
  { "framework", "Framework" },
  { "acer", "Acer" },
  { "biostar", "Biostar" },
  { "evga", "EVGA" },
  { "intel", "Intel" },
};

static const char *setting_ids[PT_FIRMWARE_N_SETTINGS] = {
  [PT_FIRMWARE_SETTING_CPU_VIRT] = "cpu-virtualization",
  [PT_FIRMWARE_SETTING_IOMMU] = "iommu",
  [PT_FIRMWARE_SETTING_ACS] = "acs",
  [PT_FIRMWARE_SETTING_PRIMARY_DISPLAY] = "primary-display",
  [PT_FIRMWARE_SETTING_IGPU] = "integrated-graphics",
  [PT_FIRMWARE_SETTING_ABOVE_4G] = "above-4g-decoding",
  [PT_FIRMWARE_SETTING_RESIZABLE_BAR] = "resizable-bar",
  [PT_FIRMWARE_SETTING_CSM] = "csm",
  [PT_FIRMWARE_SETTING_SECURE_BOOT] = "secure-boot",
};

const char *
pt_firmware_setting_to_string (PtFirmwareSetting setting)
{
  g_return_val_if_fail (setting < PT_FIRMWARE_N_SETTINGS, NULL);

  return setting_ids[setting];
}

/* "Micro-Star International Co., Ltd." -> "micro star international co ltd" */
static char *
normalise_vendor (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (pending_space && out->len > 0)
            g_string_append_c (out, ' ');
          pending_space = FALSE;
          g_string_append_c (out, g_ascii_tolower (*p));
        }
      else
        pending_space = TRUE;
    }

  return g_string_free (out, FALSE);
}

const char *
pt_firmware_board_vendor_id (const char *dmi_board_vendor)
{
  g_autofree char *norm = NULL;

  if (dmi_board_vendor == NULL)
    return NULL;

  norm = normalise_vendor (dmi_board_vendor);
  for (guint i = 0; i < G_N_ELEMENTS (vendor_rules); i++)
    {
      gsize len = strlen (vendor_rules[i].prefix);

      /* Whole words only: "hp" must not match "hpe", "intel" not "intelligent". */
      if (strncmp (norm, vendor_rules[i].prefix, len) == 0 &&
          (norm[len] == '\0' || norm[len] == ' '))
        return vendor_rules[i].id;
    }

  return NULL;
}

const char *
pt_firmware_vendor_display_name (const char *vendor_id)
{
  if (vendor_id == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (vendor_names); i++)
    if (g_str_equal (vendor_names[i].id, vendor_id))
      return vendor_names[i].name;

  return NULL;
}

static gboolean
board_matches (const char *glob,
               const char *board_name)
{
  g_autofree char *upper = NULL;

  if (glob == NULL)
    return TRUE;
  if (board_name == NULL)
    return FALSE;

  upper = g_ascii_strup (board_name, -1);
  g_strstrip (upper);
  return g_pattern_match_simple (glob, upper);
}

static const FirmwareTable *
find_table (PtCpuVendor  cpu,
            const char  *dmi_board_vendor,
            const char  *dmi_board_name)
{
  const char *vendor_id = pt_firmware_board_vendor_id (dmi_board_vendor);

  if (vendor_id != NULL && cpu != PT_CPU_VENDOR_UNKNOWN)
    {
      for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
        {
          if (tables[i].vendor_id != NULL &&
              g_str_equal (tables[i].vendor_id, vendor_id) &&
              tables[i].cpu == cpu &&
              board_matches (tables[i].board_glob, dmi_board_name))
            return &tables[i];
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (tables[i].vendor_id == NULL && tables[i].cpu == cpu)
      return &tables[i];

  g_assert_not_reached ();
  return NULL;
}

gboolean
pt_firmware_has_vendor_table (const char *dmi_board_vendor)
{
  const char *vendor_id = pt_firmware_board_vendor_id (dmi_board_vendor);

  if (vendor_id == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (tables[i].vendor_id != NULL && g_str_equal (tables[i].vendor_id, vendor_id))
      return TRUE;

  return FALSE;
}

GPtrArray *
pt_firmware_guidance (PtCpuVendor  cpu,
                      const char  *dmi_board_vendor,
                      const char  *dmi_board_name)
{
  const FirmwareTable *table = find_table (cpu, dmi_board_vendor, dmi_board_name);
  GPtrArray *steps = g_ptr_array_sized_new (table->n_steps);

  for (guint i = 0; i < table->n_steps; i++)
    g_ptr_array_add (steps, (gpointer) &table->steps[i]);

  return steps;
}

const PtFirmwareStep *
pt_firmware_lookup (PtCpuVendor        cpu,
                    const char        *dmi_board_vendor,
                    const char        *dmi_board_name,
                    PtFirmwareSetting  setting)
{
  const FirmwareTable *table;

  g_return_val_if_fail (setting < PT_FIRMWARE_N_SETTINGS, NULL);

  table = find_table (cpu, dmi_board_vendor, dmi_board_name);
  for (guint i = 0; i < table->n_steps; i++)
    if (table->steps[i].setting == setting)
      return &table->steps[i];

  return NULL;
}

char *
pt_firmware_step_dup_location (const PtFirmwareStep *step)
{
  g_return_val_if_fail (step != NULL, NULL);

  /* TRANSLATORS: a firmware menu path followed by the setting's label,
   * e.g. "Advanced > CPU Configuration > SVM Mode" */
  return g_strdup_printf (C_("firmware menu path", "%s > %s"),
                          _(step->menu_path), _(step->name));
}

char *
pt_firmware_step_dup_instruction (const PtFirmwareStep *step)
{
  g_autofree char *location = NULL;
  g_autofree char *sentence = NULL;

  g_return_val_if_fail (step != NULL, NULL);

  location = pt_firmware_step_dup_location (step);
  /* TRANSLATORS: "In the firmware setup, set <menu path> to <value>." */
  sentence = g_strdup_printf (_("In the firmware setup, set %s to %s."),
                              location, _(step->value));
  if (step->note == NULL)
    return g_steal_pointer (&sentence);

  /* TRANSLATORS: an instruction followed by a note on other models */
  return g_strdup_printf (C_("firmware instruction", "%s %s"), sentence, _(step->note));
}
