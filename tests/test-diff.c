/* test-diff.c: pt_diff_unified() against GNU "diff -u" (diffutils) on
 * hand-picked cases and on thousands of random pairs of files made from a
 * few distinct lines (the ambiguous case, where two correct diffs differ):
 * the whole output must be the same, headers included ("--label" keeps
 * timestamps out), and "patch" must turn the old file into the new one. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pt-bootconf.h"

static char *tmpdir;

static void
write_file (const char *path, const char *data, gssize len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

/* GNU diff's output for the same pair, with our header labels. */
static char *
gnu_diff (const char *path, const char *old, gssize old_len, const char *new, gssize new_len)
{
  g_autofree char *a = g_build_filename (tmpdir, "old", NULL);
  g_autofree char *b = g_build_filename (tmpdir, "new", NULL);
  g_autofree char *la = old ? g_strconcat ("a/", path, NULL) : g_strdup ("/dev/null");
  g_autofree char *lb = new ? g_strconcat ("b/", path, NULL) : g_strdup ("/dev/null");
  const char *argv[] = { "diff", "-u", "--label", la, "--label", lb, a, b, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  write_file (a, old ? old : "", old ? old_len : 0);
  write_file (b, new ? new : "", new ? new_len : 0);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  return out;
}

/* Applies @diff to @old with patch(1) and returns the result. */
static char *
patched (const char *old, const char *diff)
{
  g_autofree char *a = g_build_filename (tmpdir, "target", NULL);
  g_autofree char *p = g_build_filename (tmpdir, "patch", NULL);
  const char *argv[] = { "patch", "-s", "-f", "-o", "-", a, p, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  write_file (a, old, -1);
  write_file (p, diff, -1);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  return out;
}

static gboolean have_patch;

static void
check_pair_full (const char *old, const char *new, gboolean with_patch)
{
  g_autoptr(GBytes) a = old ? g_bytes_new (old, strlen (old)) : NULL;
  g_autoptr(GBytes) b = new ? g_bytes_new (new, strlen (new)) : NULL;
  g_autofree char *ours = pt_diff_unified ("etc/default/grub", a, b);
  g_autofree char *theirs = gnu_diff ("etc/default/grub", old, old ? strlen (old) : 0,
                                      new, new ? strlen (new) : 0);

  if (g_strcmp0 (ours, theirs) != 0)
    {
      g_test_message ("old:\n%s\nnew:\n%s", old ? old : "(none)", new ? new : "(none)");
      g_assert_cmpstr (ours, ==, theirs);
    }
  if (with_patch && have_patch && old != NULL && new != NULL && *ours != '\0')
    {
      g_autofree char *result = patched (old, ours);

      g_assert_cmpstr (result, ==, new);
    }
}

static void
check_pair (const char *old, const char *new)
{
  check_pair_full (old, new, TRUE);
}

static void
test_headers (void)
{
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(GBytes) one = g_bytes_new_static ("x\n", 2);
  g_autofree char *same = pt_diff_unified ("etc/x", one, one);
  g_autofree char *created = pt_diff_unified ("etc/modprobe.d/vfio.conf", NULL, one);
  g_autofree char *removed = pt_diff_unified ("etc/dracut.conf.d/10-passthrough.conf", one, NULL);
  g_autofree char *emptied = pt_diff_unified ("etc/x", one, empty);

  g_assert_cmpstr (same, ==, "");
  g_assert_cmpstr (created, ==,
                   "--- /dev/null\n+++ b/etc/modprobe.d/vfio.conf\n@@ -0,0 +1 @@\n+x\n");
  g_assert_cmpstr (removed, ==,
                   "--- a/etc/dracut.conf.d/10-passthrough.conf\n+++ /dev/null\n"
                   "@@ -1 +0,0 @@\n-x\n");
  g_assert_cmpstr (emptied, ==, "--- a/etc/x\n+++ b/etc/x\n@@ -1 +0,0 @@\n-x\n");
}

static void
test_cases (void)
{
  static const char *const cases[][2] = {
    { "", "a\n" },
    { "a\n", "" },
    { NULL, "a\nb\n" },
    { "a\nb\n", NULL },
    { "a", "a\n" },
    { "a\n", "a" },
    { "a", "b" },
    { "a\nb", "a\nc" },
    { "a\nb\nc", "a\nb\nc\nd" },
    { "x\na\nb\nc", "y\na\nb\nc" },
    { "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\n5\nX\n7\n8\n9\n10\n" },
    /* two changes 6 lines apart share a hunk, 7 apart do not */
    { "a\n1\n2\n3\n4\n5\n6\nb\n", "A\n1\n2\n3\n4\n5\n6\nB\n" },
    { "a\n1\n2\n3\n4\n5\n6\n7\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\nB\n" },
    { "a\n1\n2\n3\n4\n5\nb\n", "A\n1\n2\n3\n4\n5\nB\n" },
    /* runs of identical lines: where the change lands */
    { "x\nx\nx\n", "x\nx\nx\nx\n" },
    { "a\nx\nx\nb\n", "a\nx\nb\n" },
    { "{\n}\n{\n}\n", "{\n}\n{\n}\n{\n}\n" },
    { "MODULES=()\nHOOKS=(a)\n", "MODULES=(vfio_pci vfio)\nHOOKS=(a)\n" },
    { "GRUB_DEFAULT=0\n\n\n\nGRUB_TIMEOUT=5\n", "GRUB_DEFAULT=0\n\n\nGRUB_TIMEOUT=5\n\n" },
    { "# c\nA=1\n# c\nA=2\n# c\n", "# c\nA=1\n# c\nA=3\n# c\nA=4\n" },
    { "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16",
      "l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\nl11\nl12\nl13\nl14\nl15\nl16\n" },
    { "a\r\nb\r\n", "a\r\nc\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_pair (cases[i][0], cases[i][1]);
}

/* The real files the backends change, with the edits they make. */
static void
test_config_files (void)
{
  static const char grub[] =
    "# If you change this file, run 'update-grub' afterwards to update\n"
    "# /boot/grub/grub.cfg.\n"
    "\n"
    "GRUB_DEFAULT=0\n"
    "GRUB_TIMEOUT=5\n"
    "GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\n"
    "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
    "GRUB_CMDLINE_LINUX=\"\"\n"
    "\n"
    "# Uncomment to disable graphical terminal\n"
    "#GRUB_TERMINAL=console\n";
  g_autofree char *edited = NULL;
  g_autofree char *appended = NULL;

  {
    g_autoptr(GString) s = g_string_new (grub);

    g_string_replace (s, "\"quiet\"", "\"quiet intel_iommu=on iommu=pt\"", 1);
    edited = g_string_free (g_steal_pointer (&s), FALSE);
  }
  appended = g_strconcat (grub, "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt\"\n", NULL);
  check_pair (grub, edited);
  check_pair (edited, grub);
  check_pair (grub, appended);
  check_pair (appended, edited);
}

static void
test_random (void)
{
  static const char *const alphabet[] = { "a\n", "b\n", "c\n", "\n", "# c\n", "x=1\n" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261126);
  guint rounds = g_test_slow () ? 20000 : 800;

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(GString) a = g_string_new (NULL);
      g_autoptr(GString) b = g_string_new (NULL);
      guint na = g_rand_int_range (rand, 0, r % 10 == 0 ? 120 : 30);
      guint nb;
      guint symbols = g_rand_int_range (rand, 2, G_N_ELEMENTS (alphabet) + 1);

      for (guint i = 0; i < na; i++)
        g_string_append (a, alphabet[g_rand_int_range (rand, 0, symbols)]);
      /* b: a with edits, or unrelated */
      if (g_rand_boolean (rand))
        {
          const char *p = a->str;

          while (*p != '\0')
            {
              const char *nl = strchr (p, '\n');
              int op = g_rand_int_range (rand, 0, 10);

              if (op == 0)
                ;   /* drop */
              else if (op == 1)
                g_string_append (b, alphabet[g_rand_int_range (rand, 0, symbols)]);
              else
                g_string_append_len (b, p, nl - p + 1);
              if (op == 2)
                g_string_append (b, alphabet[g_rand_int_range (rand, 0, symbols)]);
              p = nl + 1;
            }
        }
      else
        {
          nb = g_rand_int_range (rand, 0, 30);
          for (guint i = 0; i < nb; i++)
            g_string_append (b, alphabet[g_rand_int_range (rand, 0, symbols)]);
        }
      if (a->len > 0 && g_rand_int_range (rand, 0, 4) == 0)
        g_string_truncate (a, a->len - 1);
      if (b->len > 0 && g_rand_int_range (rand, 0, 4) == 0)
        g_string_truncate (b, b->len - 1);
      /* patch(1) on some: spawning is what takes the time */
      check_pair_full (a->str, b->str, r % 8 == 0);
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *diff = NULL;
  g_autofree char *patch = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("pt-diff-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  diff = g_find_program_in_path ("diff");
  patch = g_find_program_in_path ("patch");
  have_patch = patch != NULL;
  if (diff == NULL)
    {
      g_test_skip ("GNU diff is not installed");
      return 0;
    }

  g_test_add_func ("/diff/headers", test_headers);
  g_test_add_func ("/diff/cases", test_cases);
  g_test_add_func ("/diff/config-files", test_config_files);
  g_test_add_func ("/diff/random", test_random);
  ret = g_test_run ();

  {
    const char *names[] = { "old", "new", "target", "patch", NULL };

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *p = g_build_filename (tmpdir, names[i], NULL);

        g_unlink (p);
      }
    g_rmdir (tmpdir);
    g_free (tmpdir);
  }
  return ret;
}
