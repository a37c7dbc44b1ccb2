/* fuzz-mkinitcpio.c: etc/mkinitcpio.conf through the mkinitcpio backend's
 * planner (the shell lexer of pt-shellvar.c, MODULES arrays and strings). */
#include "config.h"

#include "pt-fuzz.h"
#include "pt-shellvar.h"

static const char *const ours[] = { "vfio", NULL };

/* Where the file has no MODULES= assignment the apply adds one, and the
 * undo leaves it as "MODULES=()": only with one of its own (as the shell
 * reads it, not as text: "\nMODULES=" may sit inside another value) is the
 * undo byte for byte. */
static gboolean
has_modules (const char *text, gsize len)
{
  g_autoptr(GPtrArray) assigns = pt_shell_scan (text, len, NULL, NULL);
  PtShellAssign *a = assigns ? pt_shell_find_last (assigns, "MODULES") : NULL;

  return a != NULL && !a->append;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  pt_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  pt_fuzz_check_backend (&pt_bootconf_mkinitcpio, "etc/mkinitcpio.conf", data, size, ours,
                         has_modules);
  return 0;
}
