/* test-bootconf-distros.c: the boot configuration backends on the files
 * distributions ship (tests/fixtures/distro, README there names where each
 * comes from) and on hand-edited variants of them. For every tree: the
 * plan's diffs are the golden ones in tests/fixtures/distro/expected/, the
 * regeneration commands are the distribution's; after writing the new
 * contents a second plan changes nothing; the undo plan gives back the
 * original bytes of every file and removes the files the apply created.
 * Set PT_UPDATE_GOLDEN=1 to rewrite the golden files (then read them). */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pt-bootconf.h"
#include "pt-host.h"
#include "pt-plan.h"
#include "pt-test-util.h"

/* ---- trees ------------------------------------------------------------ */

static void
copy_tree (const char *from, const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree (src, dst);
      else
        {
          g_autofree char *data = NULL;
          gsize len;
          g_autoptr(GError) error = NULL;

          g_file_get_contents (src, &data, &len, &error);
          g_assert_no_error (error);
          g_file_set_contents (dst, data, len, &error);
          g_assert_no_error (error);
        }
    }
}

static void
put (const char *root, const char *path, const char *data)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (full, data, -1, &error);
  g_assert_no_error (error);
}

/* Every file under @root: relative path -> GBytes. */
static void
read_tree (const char *root, const char *rel, GHashTable *out)
{
  g_autofree char *dirpath = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dirpath, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *r = rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (root, r, NULL);

      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        read_tree (root, r, out);
      else
        {
          char *data = NULL;
          gsize len;

          g_assert_true (g_file_get_contents (full, &data, &len, NULL));
          g_hash_table_insert (out, g_steal_pointer (&r), g_bytes_new_take (data, len));
        }
    }
}

static GHashTable *
snapshot_tree (const char *root)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_bytes_unref);

  read_tree (root, NULL, t);
  return t;
}

static void
assert_same_tree (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GBytes *other = g_hash_table_lookup (b, key);

      if (other == NULL)
        g_error ("%s is gone", (const char *) key);
      if (!g_bytes_equal (value, other))
        g_error ("%s differs:\n%.*s\n----\n%.*s", (const char *) key,
                 (int) g_bytes_get_size (value), (const char *) g_bytes_get_data (value, NULL),
                 (int) g_bytes_get_size (other), (const char *) g_bytes_get_data (other, NULL));
    }
  g_hash_table_iter_init (&iter, b);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (a, key))
      g_error ("%s was left behind", (const char *) key);
}

/* What pt_journal_apply would do, without the journal. */
static void
apply (const char *root, GPtrArray *changes)
{
  for (guint i = 0; i < changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (changes, i);
      g_autofree char *full = g_build_filename (root, c->path, NULL);

      if (c->new_contents == NULL)
        g_assert_cmpint (g_unlink (full), ==, 0);
      else
        {
          g_autofree char *dir = g_path_get_dirname (full);
          g_autoptr(GError) error = NULL;

          g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
          g_file_set_contents (full, g_bytes_get_data (c->new_contents, NULL),
                               g_bytes_get_size (c->new_contents), &error);
          g_assert_no_error (error);
        }
    }
}

/* ---- cases ------------------------------------------------------------ */

typedef struct
{
  const char *name;            /* under tests/fixtures/distro, also the golden's name */
  const char *tree;            /* fixture tree (default: name) */
  const char *touch[6];        /* tools and files that make the systems detectable */
  const char *os_id;
  const char *os_id_like;
  const char *kernel;          /* running kernel */
  const char *bootloader;
  const char *initramfs;
  const char *regenerate;      /* argv lists, "a b; c d" */
  gboolean    amd;             /* AMD CPU: iommu=pt only, amd_iommu=on goes */
  gboolean    not_restored;    /* the tree had some of our arguments already */
  const char *extra_ids;       /* IDs of a second card, for the union */
} DistroCase;

static const DistroCase cases[] = {
  /* the distributions' own files */
  { "debian", NULL, { "usr/sbin/update-grub", "usr/sbin/grub-mkconfig", "usr/sbin/update-initramfs",
                      "boot/grub/grub.cfg" },
    "debian", NULL, "6.1.0-13-amd64", "grub", "initramfs-tools",
    "update-initramfs -u -k all; update-grub" },
  { "debian-dracut", "debian", { "usr/sbin/update-grub", "usr/bin/dracut", "boot/grub/grub.cfg" },
    "debian", NULL, "6.1.0-13-amd64", "grub", "dracut",
    "dracut --regenerate-all --force; update-grub" },
  { "ubuntu", NULL, { "usr/sbin/update-grub", "usr/sbin/grub-mkconfig", "usr/sbin/update-initramfs",
                      "boot/grub/grub.cfg" },
    "ubuntu", "debian", "5.15.0-91-generic", "grub", "initramfs-tools",
    "update-initramfs -u -k all; update-grub" },
  { "arch", NULL, { "usr/bin/grub-mkconfig", "usr/bin/mkinitcpio", "boot/grub/grub.cfg" },
    "arch", NULL, "6.6.10-arch1-1", "grub", "mkinitcpio",
    "mkinitcpio -P; grub-mkconfig -o /boot/grub/grub.cfg" },
  { "arch-5.15", "arch", { "usr/bin/grub-mkconfig", "usr/bin/mkinitcpio", "boot/grub/grub.cfg" },
    "arch", NULL, "5.15.87-1-lts", "grub", "mkinitcpio",
    "mkinitcpio -P; grub-mkconfig -o /boot/grub/grub.cfg" },
  { "manjaro-package", NULL, { "usr/bin/grub-mkconfig", "boot/grub/grub.cfg" },
    "manjaro", "arch", "6.1.71-1-MANJARO", "grub", NULL, "grub-mkconfig -o /boot/grub/grub.cfg" },
  { "manjaro", NULL, { "usr/bin/grub-mkconfig", "usr/bin/mkinitcpio", "boot/grub/grub.cfg" },
    "manjaro", "arch", "5.9.16-1-MANJARO", "grub", "mkinitcpio",
    "mkinitcpio -P; grub-mkconfig -o /boot/grub/grub.cfg", FALSE, TRUE },
  { "fedora", NULL, { "usr/sbin/grub2-mkconfig", "usr/sbin/grubby", "usr/bin/dracut",
                      "boot/grub2/grub.cfg" },
    "fedora", NULL, "6.5.6-300.fc39.x86_64", "grub", "dracut",
    "dracut --regenerate-all --force; grub2-mkconfig -o /boot/grub2/grub.cfg; "
    "grubby --update-kernel=ALL --args=intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
  { "pop", NULL, { "usr/bin/kernelstub", "usr/sbin/update-initramfs", "usr/bin/bootctl" },
    "pop", "ubuntu debian", "6.9.3-76060903-generic", "kernelstub", "initramfs-tools",
    "update-initramfs -u -k all; kernelstub" },

  /* GRUB, hand-edited */
  { "odd/grub-single-quotes", NULL, { "usr/sbin/update-grub" }, "debian", NULL, "6.1.0-13-amd64",
    "grub", NULL, "update-grub" },
  { "odd/grub-unquoted", NULL, { "usr/sbin/update-grub" }, "debian", NULL, "6.1.0-13-amd64",
    "grub", NULL, "update-grub" },
  { "odd/grub-unquoted-empty", NULL, { "usr/sbin/update-grub" }, "debian", NULL, "6.1.0-13-amd64",
    "grub", NULL, "update-grub" },
  { "odd/grub-no-final-newline", NULL, { "usr/sbin/update-grub" }, "debian", NULL,
    "6.1.0-13-amd64", "grub", NULL, "update-grub" },
  { "odd/grub-commented-duplicates", NULL, { "usr/sbin/update-grub" }, "debian", NULL,
    "6.1.0-13-amd64", "grub", NULL, "update-grub" },
  { "odd/grub-twice", NULL, { "usr/sbin/update-grub" }, "debian", NULL, "6.1.0-13-amd64",
    "grub", NULL, "update-grub" },
  { "odd/grub-neither", NULL, { "usr/sbin/grub2-mkconfig" }, "rhel", "fedora", "5.14.0-362.el9.x86_64",
    "grub", NULL, "grub2-mkconfig -o /boot/grub2/grub.cfg" },
  { "odd/grub-neither-no-final-newline", NULL, { "usr/bin/grub-mkconfig" }, "arch", NULL,
    "6.6.10-arch1-1", "grub", NULL, "grub-mkconfig -o /boot/grub/grub.cfg" },
  { "odd/grub-intel-iommu-off", NULL, { "usr/sbin/update-grub" }, "debian", NULL,
    "6.1.0-13-amd64", "grub", NULL, "update-grub", FALSE, TRUE },
  { "odd/grub-other-vfio-ids", NULL, { "usr/sbin/update-grub" }, "debian", NULL,
    "6.1.0-13-amd64", "grub", NULL, "update-grub", FALSE, FALSE },
  { "odd/grub-args-in-linux", NULL, { "usr/sbin/update-grub" }, "debian", NULL,
    "6.1.0-13-amd64", "grub", NULL, "update-grub", FALSE, TRUE },
  { "odd/grub-amd-iommu-on", NULL, { "usr/sbin/update-grub" }, "debian", NULL,
    "6.1.0-13-amd64", "grub", NULL, "update-grub", TRUE, TRUE },
  { "odd/grub-export-and-comment", NULL, { "usr/sbin/update-grub" }, "debian", NULL,
    "6.1.0-13-amd64", "grub", NULL, "update-grub" },
  { "odd/grub-multiline-other", NULL, { "usr/sbin/grub2-mkconfig" }, "fedora", NULL,
    "6.5.6-300.fc39.x86_64", "grub", NULL, "grub2-mkconfig -o /boot/grub2/grub.cfg" },
  { "odd/grub-continuation", NULL, { "usr/sbin/update-grub" }, "debian", NULL, "6.1.0-13-amd64",
    "grub", NULL, "update-grub" },
  { "odd/grub-dropin", NULL, { "usr/sbin/update-grub" }, "ubuntu", "debian", "6.5.0-14-generic",
    "grub", NULL, "update-grub" },

  /* mkinitcpio, hand-edited */
  { "odd/mkinitcpio-gpu-listed", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "6.6.10-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P" },
  { "odd/mkinitcpio-wrong-order", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "6.6.10-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P", FALSE, TRUE },
  { "odd/mkinitcpio-virqfd-new-kernel", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL,
    "6.6.10-arch1-1", NULL, "mkinitcpio", "mkinitcpio -P", FALSE, TRUE },
  { "odd/mkinitcpio-multiline", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "6.6.10-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P" },
  { "odd/mkinitcpio-string", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "5.10.9-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P" },
  { "odd/mkinitcpio-optional", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "6.6.10-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P" },
  { "odd/mkinitcpio-no-modconf", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "6.6.10-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P" },
  { "odd/mkinitcpio-dropin", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "6.6.10-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P" },
  { "odd/mkinitcpio-dropin-append", NULL, { "usr/bin/mkinitcpio" }, "arch", NULL, "6.6.10-arch1-1",
    NULL, "mkinitcpio", "mkinitcpio -P" },

  /* initramfs-tools, hand-edited */
  { "odd/initramfs-tools-gpu-listed", NULL, { "usr/sbin/update-initramfs" }, "debian", NULL,
    "6.1.0-13-amd64", NULL, "initramfs-tools", "update-initramfs -u -k all", FALSE, TRUE },
  { "odd/initramfs-tools-no-final-newline", NULL, { "usr/sbin/update-initramfs" }, "debian", NULL,
    "5.10.0-26-amd64", NULL, "initramfs-tools", "update-initramfs -u -k all" },
  { "odd/initramfs-tools-present", NULL, { "usr/sbin/update-initramfs" }, "debian", NULL,
    "6.1.0-13-amd64", NULL, "initramfs-tools", "update-initramfs -u -k all", FALSE, TRUE },
};

static const char *const intel_args[] = {
  "intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:13c2,10de:0fbb", NULL,
};
static const char *const amd_args[] = { "iommu=pt", "vfio-pci.ids=10de:13c2,10de:0fbb", NULL };
static const char *const amd_remove[] = { "amd_iommu=on", NULL };
static const char *const ids[] = { "10de:13c2", "10de:0fbb", NULL };
static const char *const drivers[] = { "nouveau", NULL };

static char *
join_commands (GPtrArray *regenerate)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < regenerate->len; i++)
    {
      g_autofree char *cmd = g_strjoinv (" ", g_ptr_array_index (regenerate, i));

      g_string_append_printf (s, "%s%s", i ? "; " : "", cmd);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
all_diffs (PtBootconfContext *ctx)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < ctx->changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (ctx->changes, i);
      g_autofree char *d = pt_diff_unified (c->path, c->old_contents, c->new_contents);

      g_string_append (s, d);
    }
  for (guint i = 0; i < ctx->notes->len; i++)
    g_string_append_printf (s, "# note: %s\n", (const char *) g_ptr_array_index (ctx->notes, i));
  for (guint i = 0; i < ctx->warnings->len; i++)
    g_string_append_printf (s, "# warning: %s\n",
                            (const char *) g_ptr_array_index (ctx->warnings, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
plan_case (const DistroCase *dc, const char *root, gboolean remove, PtBootconfContext *ctx,
           const char **bootloader, const char **initramfs)
{
  g_autoptr(GError) error = NULL;

  pt_bootconf_context_init (ctx);
  ctx->root = root;
  ctx->kernel_args = (GStrv) (dc->amd ? amd_args : intel_args);
  ctx->remove_args = dc->amd ? (GStrv) amd_remove : NULL;
  ctx->vfio_ids = (GStrv) ids;
  ctx->gpu_drivers = (GStrv) drivers;
  ctx->kernel_release = dc->kernel;
  ctx->remove = remove;
  ctx->os_id = dc->os_id;
  ctx->os_id_like = dc->os_id_like;
  g_assert_true (pt_bootconf_run (ctx, bootloader, initramfs, &error));
  g_assert_no_error (error);
}

static void
check_golden (const char *name, const char *text)
{
  g_autofree char *file = g_strdup_printf ("distro/expected/%s.diff", name);
  g_autofree char *path = pt_test_fixture_path (file);
  g_autofree char *want = NULL;

  if (g_getenv ("PT_UPDATE_GOLDEN") != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      return;
    }
  if (!g_file_get_contents (path, &want, NULL, NULL))
    g_error ("no golden file %s; the plan was:\n%s", path, text);
  g_assert_cmpstr (text, ==, want);
}

static char *
run_shell (const char *shell, const char *script, const char *root)
{
  const char *argv[] = { shell, "-c", script, shell, root, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  return out;
}

/* What grub-mkconfig and mkinitcpio really read: the edited files sourced
 * by sh (as grub-mkconfig does, drop-ins after) and bash. */
static void
check_with_shells (const DistroCase *dc, const char *root)
{
  g_autofree char *grub = g_build_filename (root, "etc/default/grub", NULL);
  g_autofree char *mkinitcpio = g_build_filename (root, "etc/mkinitcpio.conf", NULL);
  const char *const *args = dc->amd ? amd_args : intel_args;
  g_autofree char *bash = g_find_program_in_path ("bash");

  if (g_file_test (grub, G_FILE_TEST_EXISTS))
    {
      g_autofree char *out = run_shell ("sh",
                                        ". \"$1/etc/default/grub\"; "
                                        "for f in \"$1\"/etc/default/grub.d/*.cfg; do "
                                        "[ -e \"$f\" ] && . \"$f\"; done; "
                                        "printf '%s %s' \"$GRUB_CMDLINE_LINUX\" "
                                        "\"$GRUB_CMDLINE_LINUX_DEFAULT\"", root);
      g_auto(GStrv) words = g_strsplit_set (out, " ", -1);

      for (guint i = 0; args[i] != NULL; i++)
        {
          gboolean found = FALSE;

          for (guint k = 0; words[k] != NULL; k++)
            if (g_str_equal (words[k], args[i])
                || (g_str_has_prefix (args[i], "vfio-pci.ids=")
                    && (g_str_has_prefix (words[k], "vfio-pci.ids=")
                        || g_str_has_prefix (words[k], "vfio_pci.ids="))
                    && strstr (words[k], "10de:13c2") && strstr (words[k], "10de:0fbb")))
              found = TRUE;
          if (!found)
            g_error ("%s: sh reads the command line as “%s”, without %s", dc->name, out, args[i]);
        }
    }
  if (g_file_test (mkinitcpio, G_FILE_TEST_EXISTS) && bash != NULL)
    {
      g_autofree char *out = run_shell ("bash",
                                        ". \"$1/etc/mkinitcpio.conf\"; "
                                        "for f in \"$1\"/etc/mkinitcpio.conf.d/*.conf; do "
                                        "[ -e \"$f\" ] && . \"$f\"; done; "
                                        "echo ${MODULES[@]}", root);
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (out), " ", -1);
      int vfio = -1, gpu = -1;

      for (guint k = 0; words[k] != NULL; k++)
        {
          if (g_str_equal (words[k], "vfio_pci") && vfio < 0)
            vfio = k;
          if ((g_str_has_prefix (words[k], "nvidia") || g_str_equal (words[k], "i915")
               || g_str_equal (words[k], "amdgpu")) && gpu < 0)
            gpu = k;
        }
      if (vfio < 0 || (gpu >= 0 && gpu < vfio))
        g_error ("%s: bash reads MODULES as “%s”", dc->name, out);
    }
}

static void
test_case (gconstpointer data)
{
  const DistroCase *dc = data;
  g_autofree char *fixture = g_strdup_printf ("distro/%s", dc->tree ? dc->tree : dc->name);
  g_autofree char *src = pt_test_fixture_path (fixture);
  g_autofree char *root = g_dir_make_tmp ("pt-distro-XXXXXX", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GHashTable) undone = NULL;
  g_autofree char *diffs = NULL;
  g_autofree char *commands = NULL;
  PtBootconfContext ctx;
  const char *bootloader = NULL, *initramfs = NULL;

  copy_tree (src, root);
  for (guint i = 0; i < G_N_ELEMENTS (dc->touch) && dc->touch[i] != NULL; i++)
    put (root, dc->touch[i], "");
  before = snapshot_tree (root);

  /* plan: the golden diffs, the distribution's commands */
  plan_case (dc, root, FALSE, &ctx, &bootloader, &initramfs);
  g_assert_cmpstr (bootloader, ==, dc->bootloader);
  g_assert_cmpstr (initramfs, ==, dc->initramfs);
  diffs = all_diffs (&ctx);
  check_golden (dc->name, diffs);
  commands = join_commands (ctx.regenerate);
  g_assert_cmpstr (commands, ==, dc->regenerate);
  g_assert_cmpuint (ctx.changes->len, >, 0);
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);
  after = snapshot_tree (root);
  check_with_shells (dc, root);

  /* again: nothing to do */
  plan_case (dc, root, FALSE, &ctx, NULL, NULL);
  if (ctx.changes->len > 0)
    {
      g_autofree char *again = all_diffs (&ctx);

      g_error ("second plan is not empty:\n%s", again);
    }
  g_assert_cmpuint (ctx.regenerate->len, ==, 0);
  pt_bootconf_context_clear (&ctx);

  /* undo: the original bytes, our files gone */
  plan_case (dc, root, TRUE, &ctx, NULL, NULL);
  g_assert_cmpuint (ctx.changes->len, >, 0);
  g_assert_cmpuint (ctx.regenerate->len, >, 0);
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);
  undone = snapshot_tree (root);
  if (!dc->not_restored)
    assert_same_tree (before, undone);

  /* undo twice: nothing more */
  plan_case (dc, root, TRUE, &ctx, NULL, NULL);
  g_assert_cmpuint (ctx.changes->len, ==, 0);
  pt_bootconf_context_clear (&ctx);

  /* and apply again after the undo: the same files as the first time */
  plan_case (dc, root, FALSE, &ctx, NULL, NULL);
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);
  {
    g_autoptr(GHashTable) again = snapshot_tree (root);

    if (!dc->not_restored)
      assert_same_tree (after, again);
  }

  pt_test_remove_tree (root);
}

/* ---- the seed machine, through pt_plan_new() and pt_bootconf_plan() ---- */

static void
test_seed (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DETAILS, &error);
  g_autoptr(PtPlan) plan = NULL;
  const char *addresses[] = { "01:00.0", NULL };
  g_autofree char *grub = NULL;
  g_autofree char *mkinitcpio = NULL;
  g_autofree char *commands = NULL;

  g_assert_no_error (error);
  plan = pt_plan_new (host, addresses, PT_PLAN_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (pt_bootconf_plan (plan, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (plan->bootloader, ==, "grub");
  g_assert_cmpstr (plan->initramfs, ==, "mkinitcpio");
  g_assert_cmpuint (plan->changes->len, ==, 3);
  g_assert_cmpuint (pt_plan_get_file_changes (plan)->len, ==, 3);
  commands = join_commands (plan->regenerate);
  g_assert_cmpstr (commands, ==, "mkinitcpio -P; grub-mkconfig -o /boot/grub/grub.cfg");

  apply (root, pt_plan_get_file_changes (plan));
  {
    g_autofree char *p = g_build_filename (root, "etc/default/grub", NULL);
    g_autofree char *m = g_build_filename (root, "etc/mkinitcpio.conf", NULL);

    g_assert_true (g_file_get_contents (p, &grub, NULL, NULL));
    g_assert_true (g_file_get_contents (m, &mkinitcpio, NULL, NULL));
  }
  /* the guide's result: ids after the arguments already there, once each */
  g_assert_nonnull (strstr (grub, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet resume=UUID=4b26c43b-c6ef-"
                                  "4d50-aabe-bb0200bf03d3 udev.log_priority=3 intel_iommu=on "
                                  "iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb\"\n"));
  g_assert_null (strstr (strstr (grub, "intel_iommu=on") + 1, "intel_iommu=on"));
  g_assert_nonnull (strstr (mkinitcpio, "\nMODULES=(vfio_pci vfio vfio_iommu_type1 vfio_virqfd)\n"));

  /* planned again on the new files: nothing */
  {
    g_autoptr(PtHost) again = pt_host_load (root, PT_HOST_LOAD_DETAILS, &error);
    g_autoptr(PtPlan) plan2 = NULL;

    g_assert_no_error (error);
    plan2 = pt_plan_new (again, addresses, PT_PLAN_FLAGS_NONE, &error);
    g_assert_no_error (error);
    g_assert_true (pt_bootconf_plan (plan2, &error));
    g_assert_cmpuint (plan2->changes->len, ==, 0);
    g_assert_cmpuint (plan2->regenerate->len, ==, 0);

    /* undo: our arguments, modules and file go */
    g_assert_true (pt_bootconf_plan_undo (plan2, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (plan2->changes->len, ==, 3);
    apply (root, pt_plan_get_file_changes (plan2));
  }
  {
    g_autofree char *p = g_build_filename (root, "etc/default/grub", NULL);
    g_autofree char *v = g_build_filename (root, "etc/modprobe.d/vfio.conf", NULL);
    g_autofree char *text = NULL;

    g_assert_true (g_file_get_contents (p, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet resume=UUID=4b26c43b-c6ef-"
                                    "4d50-aabe-bb0200bf03d3 udev.log_priority=3\"\n"));
    g_assert_false (g_file_test (v, G_FILE_TEST_EXISTS));
  }
  pt_test_remove_tree (root);
}

static void
test_snapshot_host (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) live = pt_host_load (root, PT_HOST_LOAD_DETAILS, &error);
  g_autoptr(PtHost) snap = NULL;
  g_autoptr(PtPlan) plan = NULL;
  const char *addresses[] = { "01:00.0", NULL };

  g_assert_no_error (error);
  json = pt_host_to_snapshot (live);
  snap = pt_host_load_snapshot_data (json, -1, &error);
  g_assert_no_error (error);
  plan = pt_plan_new (snap, addresses, PT_PLAN_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (pt_bootconf_plan (plan, &error));
  g_assert_cmpuint (plan->changes->len, ==, 0);
  g_assert_cmpuint (plan->regenerate->len, ==, 0);
  g_assert_cmpstr (plan->bootloader, ==, "grub");
  g_assert_cmpstr (plan->initramfs, ==, "mkinitcpio");
  g_assert_cmpuint (plan->notes->len, >, 0);
  pt_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bootconf/distro/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/bootconf/seed", test_seed);
  g_test_add_func ("/bootconf/snapshot", test_snapshot_host);
  return g_test_run ();
}
