/* fuzz-grub-defaults.c: etc/default/grub through the GRUB backend's
 * planner (the shell lexer of pt-shellvar.c and the kernel argument edit). */
#include "config.h"

#include "pt-fuzz.h"

static const char *const ours[] = { "iommu", "vfio", NULL };

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  pt_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  pt_fuzz_check_backend (&pt_bootconf_grub, "etc/default/grub", data, size, ours, NULL);
  return 0;
}
