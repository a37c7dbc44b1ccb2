/* fuzz-mkinitcpio.c: etc/mkinitcpio.conf through the mkinitcpio backend's
 * planner (the shell lexer of pt-shellvar.c, MODULES arrays and strings). */
#include "config.h"

#include "pt-fuzz.h"

static const char *const ours[] = { "vfio", NULL };

/* Where the file has no MODULES= line the apply adds one, and the undo
 * leaves it as "MODULES=()": only with one of its own is the undo byte
 * for byte. */

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  pt_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  pt_fuzz_check_backend (&pt_bootconf_mkinitcpio, "etc/mkinitcpio.conf", data, size, ours, "\nMODULES=");
  return 0;
}
