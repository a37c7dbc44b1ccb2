/* pt-bootconf.c: the registry of boot configuration backends and what they
 * share: reading files under the root, collecting changes, diffs. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-bootconf.h"

void
pt_file_change_free (PtFileChange *change)
{
  if (change == NULL)
    return;
  g_free (change->path);
  g_clear_pointer (&change->old_contents, g_bytes_unref);
  g_clear_pointer (&change->new_contents, g_bytes_unref);
  g_free (change->owner);
  g_free (change);
}
