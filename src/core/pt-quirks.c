/* pt-quirks.c: GPUs with the "AMD reset bug": once a guest has used them
 * they do not come back from a reset until the host reboots, so a VM can
 * start only once per boot. The IDs are those the vendor-reset module
 * handles (Polaris, Vega 10/20, Navi 10/12/14). */
#define G_LOG_DOMAIN "pt-quirks"

#include "config.h"

#include "pt-quirks.h"

static const PtQuirkEntry quirks[] = {
  /* Polaris 10/11/12 */
  { 0x1002, 0x67df, PT_QUIRK_AMD_RESET_BUG, "Polaris 10" },
  { 0x1002, 0x67ef, PT_QUIRK_AMD_RESET_BUG, "Polaris 11" },
  { 0x1002, 0x67ff, PT_QUIRK_AMD_RESET_BUG, "Polaris 11" },
  { 0x1002, 0x699f, PT_QUIRK_AMD_RESET_BUG, "Polaris 12" },
  /* Vega 10 */
  { 0x1002, 0x6860, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x6861, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x6862, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x6863, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x6864, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x6867, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x6868, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x686c, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  { 0x1002, 0x687f, PT_QUIRK_AMD_RESET_BUG, "Vega 10" },
  /* Vega 20 */
  { 0x1002, 0x66a0, PT_QUIRK_AMD_RESET_BUG, "Vega 20" },
  { 0x1002, 0x66a1, PT_QUIRK_AMD_RESET_BUG, "Vega 20" },
  { 0x1002, 0x66a2, PT_QUIRK_AMD_RESET_BUG, "Vega 20" },
  { 0x1002, 0x66a3, PT_QUIRK_AMD_RESET_BUG, "Vega 20" },
  { 0x1002, 0x66a7, PT_QUIRK_AMD_RESET_BUG, "Vega 20" },
  { 0x1002, 0x66af, PT_QUIRK_AMD_RESET_BUG, "Vega 20" },
  /* Navi 10 */
  { 0x1002, 0x7310, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  { 0x1002, 0x7312, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  { 0x1002, 0x7318, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  { 0x1002, 0x7319, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  { 0x1002, 0x731a, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  { 0x1002, 0x731b, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  { 0x1002, 0x731e, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  { 0x1002, 0x731f, PT_QUIRK_AMD_RESET_BUG, "Navi 10" },
  /* Navi 12 and 14 */
  { 0x1002, 0x7360, PT_QUIRK_AMD_RESET_BUG, "Navi 12" },
  { 0x1002, 0x7362, PT_QUIRK_AMD_RESET_BUG, "Navi 12" },
  { 0x1002, 0x7340, PT_QUIRK_AMD_RESET_BUG, "Navi 14" },
  { 0x1002, 0x7341, PT_QUIRK_AMD_RESET_BUG, "Navi 14" },
  { 0x1002, 0x7347, PT_QUIRK_AMD_RESET_BUG, "Navi 14" },
  { 0x1002, 0x734f, PT_QUIRK_AMD_RESET_BUG, "Navi 14" },
};

const PtQuirkEntry *
pt_quirks_lookup (PtDevice *device)
{
  g_return_val_if_fail (PT_IS_DEVICE (device), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (quirks); i++)
    if (quirks[i].vendor == pt_device_get_vendor_id (device)
        && quirks[i].device == pt_device_get_device_id (device))
      return &quirks[i];
  return NULL;
}
