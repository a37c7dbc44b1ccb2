/* pt-fuzz.c: the scratch root and the backend checks of the fuzz targets. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pt-fuzz.h"

const char *const pt_fuzz_kernel_args[] = {
  "intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:13c2,10de:0fbb", NULL,
};
const char *const pt_fuzz_vfio_ids[] = { "10de:13c2", "10de:0fbb", NULL };
static const char *const gpu_drivers[] = { "nouveau", "nvidia", "snd_hda_intel", NULL };

static char *scratch_root;

void
pt_fuzz_fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("FUZZ INVARIANT VIOLATED: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  abort ();
}

void
pt_fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
}

static void
remove_tree (const char *path)
{
  DIR *dir = opendir (path);
  struct dirent *e;

  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((e = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;

      if (g_str_equal (e->d_name, ".") || g_str_equal (e->d_name, ".."))
        continue;
      child = g_build_filename (path, e->d_name, NULL);
      remove_tree (child);
    }
  closedir (dir);
  g_rmdir (path);
}

static void
remove_scratch_root (void)
{
  if (scratch_root != NULL)
    remove_tree (scratch_root);
  g_clear_pointer (&scratch_root, g_free);
}

const char *
pt_fuzz_root (void)
{
  if (scratch_root == NULL)
    {
      g_autoptr(GError) error = NULL;

      scratch_root = g_dir_make_tmp ("pt-fuzz-XXXXXX", &error);
      if (scratch_root == NULL)
        pt_fuzz_fail ("no scratch directory: %s", error->message);
      atexit (remove_scratch_root);
    }
  return scratch_root;
}

void
pt_fuzz_reset_root (void)
{
  const char *root = pt_fuzz_root ();
  DIR *dir = opendir (root);
  struct dirent *e;

  if (dir == NULL)
    pt_fuzz_fail ("cannot open %s", root);
  while ((e = readdir (dir)) != NULL)
    {
      g_autofree char *child = NULL;

      if (g_str_equal (e->d_name, ".") || g_str_equal (e->d_name, ".."))
        continue;
      child = g_build_filename (root, e->d_name, NULL);
      remove_tree (child);
    }
  closedir (dir);
}

void
pt_fuzz_write (const char *path, const void *data, gsize len)
{
  g_autofree char *full = g_build_filename (pt_fuzz_root (), path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    pt_fuzz_fail ("cannot make %s", dir);
  if (!g_file_set_contents (full, len > 0 ? data : "", len, &error))
    pt_fuzz_fail ("cannot write %s: %s", full, error->message);
}

GBytes *
pt_fuzz_read (const char *path)
{
  g_autofree char *full = g_build_filename (pt_fuzz_root (), path, NULL);
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (full, &contents, &len, NULL))
    return NULL;
  return g_bytes_new_take (contents, len);
}

void
pt_fuzz_context_free (PtBootconfContext *ctx)
{
  pt_bootconf_context_clear (ctx);
  g_free (ctx);
}

PtBootconfContext *
pt_fuzz_plan (const PtBootconfBackend *backend, gboolean remove, GError **error)
{
  g_autoptr(PtBootconfContext) ctx = g_new0 (PtBootconfContext, 1);

  pt_bootconf_context_init (ctx);
  ctx->root = pt_fuzz_root ();
  ctx->kernel_args = (GStrv) pt_fuzz_kernel_args;
  ctx->vfio_ids = (GStrv) pt_fuzz_vfio_ids;
  ctx->gpu_drivers = (GStrv) gpu_drivers;
  ctx->kernel_release = "6.6.10-arch1-1";
  ctx->remove = remove;
  ctx->os_id = "arch";
  if (!backend->plan (ctx, error))
    return NULL;
  return g_steal_pointer (&ctx);
}

void
pt_fuzz_apply (PtBootconfContext *ctx)
{
  for (guint i = 0; i < ctx->changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (ctx->changes, i);

      if (c->new_contents == NULL)
        {
          g_autofree char *full = g_build_filename (pt_fuzz_root (), c->path, NULL);

          g_unlink (full);
        }
      else
        pt_fuzz_write (c->path, g_bytes_get_data (c->new_contents, NULL),
                       g_bytes_get_size (c->new_contents));
    }
}

static gboolean
holds_ours (const uint8_t *data, size_t size, const char *const *ours)
{
  for (guint i = 0; ours[i] != NULL; i++)
    {
      gsize n = strlen (ours[i]);

      for (gsize at = 0; at + n <= size; at++)
        if (g_ascii_strncasecmp ((const char *) data + at, ours[i], n) == 0)
          return TRUE;
    }
  return FALSE;
}

static void
expect_no_change (PtBootconfContext *ctx, const char *what)
{
  if (ctx->changes->len > 0)
    {
      PtFileChange *c = g_ptr_array_index (ctx->changes, 0);
      g_autofree char *diff = pt_diff_unified (c->path, c->old_contents, c->new_contents);

      pt_fuzz_fail ("%s changed %s again:\n%s", what, c->path, diff);
    }
  if (ctx->regenerate->len > 0)
    pt_fuzz_fail ("%s asks for a regeneration without a change", what);
}

static void
expect_bytes (const char *path, GBytes *want, const char *what)
{
  g_autoptr(GBytes) now = pt_fuzz_read (path);

  if (now == NULL || !g_bytes_equal (now, want))
    {
      g_autofree char *diff = pt_diff_unified (path, want, now);

      pt_fuzz_fail ("%s: %s differs:\n%s", what, path, diff);
    }
}

void
pt_fuzz_check_backend (const PtBootconfBackend *backend,
                       const char              *path,
                       const uint8_t           *data,
                       size_t                   size,
                       const char *const       *ours,
                       gboolean               (*has_own) (const char *text, gsize len))
{
  g_autoptr(GBytes) original = g_bytes_new (data, size);
  g_autoptr(GBytes) applied = NULL;
  g_autoptr(PtBootconfContext) ctx = NULL;
  g_autoptr(PtBootconfContext) again = NULL;
  g_autoptr(PtBootconfContext) undo = NULL;
  g_autoptr(PtBootconfContext) undo_again = NULL;
  g_autoptr(PtBootconfContext) reapply = NULL;
  g_autoptr(GError) error = NULL;
  gboolean clean;

  pt_fuzz_reset_root ();
  pt_fuzz_write (path, data, size);

  ctx = pt_fuzz_plan (backend, FALSE, &error);
  if (ctx == NULL)
    {
      /* refused: with a message, and only as "corrupt" (nothing else can
       * go wrong on a readable file) */
      if (error == NULL || error->message == NULL || *error->message == '\0')
        pt_fuzz_fail ("%s failed without a message", backend->name);
      return;
    }
  for (guint i = 0; i < ctx->changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (ctx->changes, i);

      if (!g_str_equal (c->path, path))
        pt_fuzz_fail ("%s changed %s, which it was not given", backend->name, c->path);
      if (c->old_contents == NULL || !g_bytes_equal (c->old_contents, original))
        pt_fuzz_fail ("%s planned on other bytes than the file's", backend->name);
      if (c->new_contents == NULL || g_bytes_equal (c->new_contents, original))
        pt_fuzz_fail ("%s planned a change that changes nothing", backend->name);
    }
  pt_fuzz_apply (ctx);
  applied = pt_fuzz_read (path);

  /* idempotence: planned on its own output, nothing to do */
  again = pt_fuzz_plan (backend, FALSE, &error);
  if (again == NULL)
    pt_fuzz_fail ("%s refuses the file it wrote: %s", backend->name, error->message);
  expect_no_change (again, "a second apply");

  /* undo, and undo again: nothing more */
  undo = pt_fuzz_plan (backend, TRUE, &error);
  if (undo == NULL)
    pt_fuzz_fail ("%s refuses to undo on the file it wrote: %s", backend->name, error->message);
  pt_fuzz_apply (undo);
  undo_again = pt_fuzz_plan (backend, TRUE, &error);
  if (undo_again == NULL)
    pt_fuzz_fail ("%s refuses the file its undo wrote: %s", backend->name, error->message);
  expect_no_change (undo_again, "a second undo");

  /* A file with nothing of ours: the undo is byte for byte, and applying
   * after it gives the first apply's bytes. */
  clean = !holds_ours (data, size, ours);
  if (has_own != NULL)
    clean = clean && has_own ((const char *) data, size);
  if (clean)
    {
      expect_bytes (path, original, "the undo of an apply");
      reapply = pt_fuzz_plan (backend, FALSE, &error);
      if (reapply == NULL)
        pt_fuzz_fail ("%s refuses the file after the undo: %s", backend->name, error->message);
      pt_fuzz_apply (reapply);
      expect_bytes (path, applied, "an apply after the undo");
    }
}
