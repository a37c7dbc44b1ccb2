/* pt-firmware.h: where each board vendor's firmware setup keeps the settings
 * passthrough needs (VT-x/SVM, VT-d/AMD-Vi, primary display, Above 4G, ...). */
#pragma once

#include "pt-types.h"

G_BEGIN_DECLS

typedef enum
{
  PT_FIRMWARE_SETTING_CPU_VIRT,         /* Intel VT-x (VMX) / AMD-V (SVM) */
  PT_FIRMWARE_SETTING_IOMMU,            /* Intel VT-d / AMD-Vi */
  PT_FIRMWARE_SETTING_ACS,              /* PCIe Access Control Services, where offered */
  PT_FIRMWARE_SETTING_PRIMARY_DISPLAY,  /* which GPU the firmware boots on */
  PT_FIRMWARE_SETTING_IGPU,             /* keep the integrated GPU on beside a card */
  PT_FIRMWARE_SETTING_ABOVE_4G,
  PT_FIRMWARE_SETTING_RESIZABLE_BAR,
  PT_FIRMWARE_SETTING_CSM,
  PT_FIRMWARE_SETTING_SECURE_BOOT,
  PT_FIRMWARE_N_SETTINGS
} PtFirmwareSetting;

typedef enum
{
  PT_FIRMWARE_NEED_REQUIRED,     /* passthrough does not work without it */
  PT_FIRMWARE_NEED_RECOMMENDED,  /* avoids common failures */
  PT_FIRMWARE_NEED_OPTIONAL,     /* depends on the setup; read `why` */
} PtFirmwareNeed;

/* One setting in one vendor's firmware. The strings are untranslated
 * message ids (marked with N_()): pass them through _() before showing
 * them, or use the pt_firmware_step_dup_*() helpers, which do. */
typedef struct
{
  PtFirmwareSetting  setting;
  PtFirmwareNeed     need;
  const char        *name;       /* the label the firmware shows, "VT-d" */
  const char        *menu_path;  /* "Advanced > System Agent (SA) Configuration" */
  const char        *value;      /* what to set it to, "Enabled" */
  const char        *why;        /* one or two sentences */
  const char        *note;       /* variants on other models, or NULL */
} PtFirmwareStep;

/* Stable identifier for JSON and tests: "cpu-virtualization", "iommu", ... */
const char           *pt_firmware_setting_to_string   (PtFirmwareSetting setting);

/* Maps a DMI board (or system) vendor string to a short identifier:
 * "ASUSTeK COMPUTER INC." -> "asus", "Micro-Star International Co., Ltd."
 * -> "msi", "LENOVO" -> "lenovo", ... NULL when the vendor is not known,
 * including placeholders like "To Be Filled By O.E.M.". */
const char           *pt_firmware_board_vendor_id     (const char *dmi_board_vendor);
/* "ASUS", "MSI", ... for an identifier from the function above; NULL if unknown. */
const char           *pt_firmware_vendor_display_name (const char *vendor_id);
/* TRUE when the vendor has its own table (others get generic guidance). */
gboolean              pt_firmware_has_vendor_table    (const char *dmi_board_vendor);

/* Every step for this CPU vendor and board, in the order to do them, as
 * const PtFirmwareStep * (static; the array does not own them).
 * @dmi_board_vendor and @dmi_board_name may be NULL; an unknown vendor gets
 * generic guidance. Settings a vendor's firmware does not offer (Above 4G
 * on most OEM desktops) are left out. */
GPtrArray            *pt_firmware_guidance            (PtCpuVendor  cpu,
                                                       const char  *dmi_board_vendor,
                                                       const char  *dmi_board_name);
/* The step for one setting, or NULL when that firmware does not offer it.
 * CPU virtualization and the IOMMU are always there. */
const PtFirmwareStep *pt_firmware_lookup              (PtCpuVendor        cpu,
                                                       const char        *dmi_board_vendor,
                                                       const char        *dmi_board_name,
                                                       PtFirmwareSetting  setting);

/* Translated "Advanced > CPU Configuration > SVM Mode". */
char                 *pt_firmware_step_dup_location   (const PtFirmwareStep *step);
/* Translated "In the firmware setup, set Advanced > CPU Configuration >
 * SVM Mode to Enabled.", followed by the note on other models if any. */
char                 *pt_firmware_step_dup_instruction (const PtFirmwareStep *step);

G_END_DECLS
