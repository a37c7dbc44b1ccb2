/* fuzz-kernelstub.c: etc/kernelstub/configuration through the kernelstub
 * backend's JSON reader and its kernel_options edit. */
#include "config.h"

#include "pt-fuzz.h"

static const char *const ours[] = { "iommu", "vfio", NULL };

/* Without a "user" object the apply adds one (a copy of "default"), which
 * the undo leaves: only with one of its own is the undo byte for byte. */

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  pt_fuzz_init ();
  return 0;
}

/* The apply creates a "user" section where there is none, and the undo
 * leaves it: only a file with one of its own is restored byte for byte. */
static gboolean
has_user_section (const char *text, gsize len)
{
  return g_strstr_len (text, len, "\"user\"") != NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  pt_fuzz_check_backend (&pt_bootconf_kernelstub, "etc/kernelstub/configuration",
                         data, size, ours, has_user_section);
  return 0;
}
