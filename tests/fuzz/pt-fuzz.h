/* pt-fuzz.h: what the fuzz targets share: a scratch host root, planning one
 * backend on it, applying a plan there, and a failure that stops the run. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pt-bootconf-private.h"

G_BEGIN_DECLS

int        LLVMFuzzerInitialize   (int            *argc,
                                   char         ***argv);
int        LLVMFuzzerTestOneInput (const uint8_t  *data,
                                   size_t          size);

/* Criticals and warnings abort, as under G_DEBUG=fatal-warnings. */
void       pt_fuzz_init           (void);

/* An empty directory used as the host root of every run (made once,
 * emptied by pt_fuzz_reset_root()). */
const char *pt_fuzz_root          (void);
void       pt_fuzz_reset_root     (void);
void       pt_fuzz_write          (const char *path,
                                   const void *data,
                                   gsize       len);
/* ROOT/@path, or NULL when it does not exist. */
GBytes    *pt_fuzz_read           (const char *path);

/* Plans @backend on the scratch root (NULL on failure, with @error set):
 * the vfio-pci arguments and modules of an NVIDIA card on an Arch host
 * with a 6.6 kernel, or with @remove their undo. */
PtBootconfContext *pt_fuzz_plan   (const PtBootconfBackend  *backend,
                                   gboolean                  remove,
                                   GError                  **error);
void       pt_fuzz_context_free   (PtBootconfContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtBootconfContext, pt_fuzz_context_free)

/* Writes the new contents of every change of @ctx under the root. */
void       pt_fuzz_apply          (PtBootconfContext *ctx);

/* The checks every planning backend owes (pt-bootconf.h): a plan on
 * @path holding @data either fails or, applied, plans no change a second
 * time; its undo succeeds and is idempotent too; and on a file that holds
 * none of ours (@ours: substrings that mark ours) and, when @has_own is
 * not NULL, has what the backend edits in place (@has_own returns TRUE), the
 * undo gives the original bytes back and applying again gives
 * the same bytes as the first apply. Aborts with a message on a
 * violation. */
void       pt_fuzz_check_backend  (const PtBootconfBackend  *backend,
                                   const char               *path,
                                   const uint8_t            *data,
                                   size_t                    size,
                                   const char *const        *ours,
                                   gboolean                (*has_own) (const char *text,
                                                                       gsize       len));

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
void       pt_fuzz_fail           (const char *format,
                                   ...);

/* The kernel arguments and IDs pt_fuzz_plan() asks for. */
extern const char *const pt_fuzz_kernel_args[];
extern const char *const pt_fuzz_vfio_ids[];

G_END_DECLS
