/* test-journal.c: transactions on temporary host roots (pt-journal.h):
 * byte-exact restore of awkward files, modes and owners, files and
 * directories created and removed, symlink and ".." attacks, edits made
 * behind the journal's back, and a failure or a crash injected at every
 * step, after which the root must be exactly as before. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pt-fileutil.h"
#include "pt-journal.h"
#include "pt-test-util.h"

/* ---- fixtures ------------------------------------------------------------- */

/* Odd bytes on purpose: no final newline, CRLF, NULs and 0xff, UTF-8. */
static const char grub_old[] = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"";
static const char grub_new[] = "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"";
static const char crlf_old[] = "MODULES=()\r\nHOOKS=(base udev)\r\n";
static const char crlf_new[] = "MODULES=(vfio_pci vfio)\r\nHOOKS=(base udev)\r\n";
static const guint8 blob_old[] = { 0x00, 0xff, 0x7f, 0x0d, 0x0a, 0x00, 0x80, 0xfe };
static const guint8 blob_new[] = { 0xff, 0x00, 0x0a };
static const char utf8_old[] = "# Grüße, Ελληνικά, 日本語 ✓\noptions snd index=0\n";
static const char utf8_new[] = "# Grüße, Ελληνικά, 日本語 ✓\noptions snd index=1\n";
static const char vfio_new[] = "options vfio-pci ids=10de:13c2,10de:0fbb\n";
static const char stale_old[] = "softdep nouveau pre: vfio-pci";

static void
write_file (const char *root, const char *path, const void *data, gsize len, guint mode)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (full, data, (gssize) len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (full, mode), ==, 0);
}

static char *
make_root (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("pt-journal-XXXXXX", &error);
  g_autofree char *var_lib = NULL;

  g_assert_no_error (error);
  write_file (root, "etc/default/grub", grub_old, strlen (grub_old), 0644);
  write_file (root, "etc/mkinitcpio.conf", crlf_old, strlen (crlf_old), 0644);
  write_file (root, "etc/blob.bin", blob_old, sizeof blob_old, 0600);
  write_file (root, "etc/modprobe.d.keep/utf8.conf", utf8_old, strlen (utf8_old), 0640);
  write_file (root, "etc/modprobe.d.keep/stale.conf", stale_old, strlen (stale_old), 0600);
  var_lib = g_build_filename (root, "var", "lib", NULL);
  g_assert_cmpint (g_mkdir_with_parents (var_lib, 0755), ==, 0);
  return root;
}

static GBytes *
bytes (const void *data, gsize len)
{
  return g_bytes_new (data, len);
}

static PtFileChange *
change_new (const char *path, GBytes *old_contents, GBytes *new_contents, guint32 mode)
{
  PtFileChange *c = g_new0 (PtFileChange, 1);

  c->path = g_strdup (path);
  c->old_contents = old_contents;
  c->new_contents = new_contents;
  c->mode = mode;
  c->owner = g_strdup ("test");
  return c;
}

static GPtrArray *
changes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pt_file_change_free);
}

/* Four files changed, two created (one in a new directory, one two new
 * directories deep) and one removed. */
static GPtrArray *
standard_changes (void)
{
  GPtrArray *changes = changes_new ();

  g_ptr_array_add (changes, change_new ("etc/default/grub", bytes (grub_old, strlen (grub_old)),
                                        bytes (grub_new, strlen (grub_new)), 0));
  g_ptr_array_add (changes, change_new ("etc/mkinitcpio.conf", bytes (crlf_old, strlen (crlf_old)),
                                        bytes (crlf_new, strlen (crlf_new)), 0));
  g_ptr_array_add (changes, change_new ("etc/blob.bin", bytes (blob_old, sizeof blob_old),
                                        bytes (blob_new, sizeof blob_new), 0));
  g_ptr_array_add (changes, change_new ("etc/modprobe.d.keep/utf8.conf",
                                        bytes (utf8_old, strlen (utf8_old)),
                                        bytes (utf8_new, strlen (utf8_new)), 0));
  g_ptr_array_add (changes, change_new ("etc/modprobe.d/vfio.conf", NULL,
                                        bytes (vfio_new, strlen (vfio_new)), 0644));
  g_ptr_array_add (changes, change_new ("etc/dracut.conf.d/deep/vfio.conf", NULL,
                                        bytes (vfio_new, strlen (vfio_new)), 0600));
  g_ptr_array_add (changes, change_new ("etc/modprobe.d.keep/stale.conf",
                                        bytes (stale_old, strlen (stale_old)), NULL, 0));
  return changes;
}

static GPtrArray *
regenerate_new (void)
{
  GPtrArray *regenerate = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *const update_grub[] = { "update-grub", NULL };
  const char *const mkinitcpio[] = { "mkinitcpio", "-P", NULL };

  g_ptr_array_add (regenerate, g_strdupv ((char **) update_grub));
  g_ptr_array_add (regenerate, g_strdupv ((char **) mkinitcpio));
  return regenerate;
}

/* Every entry below @root but the journal: type, mode, owner and a hash
 * of the contents or the link target, sorted. Two equal listings mean the
 * trees are the same byte for byte. */
static void
list_tree (const char *root, const char *rel, GPtrArray *lines)
{
  g_autofree char *dir_path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (root, child, NULL);
      g_autofree char *what = NULL;
      struct stat st;

      if (g_str_equal (child, "var/lib/passthrough"))
        continue;
      g_assert_cmpint (lstat (full, &st), ==, 0);
      if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (full, NULL);

          what = g_strdup_printf ("link %s", target);
        }
      else if (S_ISREG (st.st_mode))
        {
          g_autofree char *data = NULL;
          gsize len = 0;
          g_autoptr(GBytes) b = NULL;
          g_autofree char *sha = NULL;

          g_assert_true (g_file_get_contents (full, &data, &len, NULL));
          b = g_bytes_new (data, len);
          sha = pt_fileutil_sha256 (b);
          what = g_strdup_printf ("file %s", sha);
        }
      else if (S_ISDIR (st.st_mode))
        what = g_strdup ("dir");
      else
        what = g_strdup ("other");
      g_ptr_array_add (lines, g_strdup_printf ("%s %s %04o %u:%u", child, what,
                                               st.st_mode & 07777, st.st_uid, st.st_gid));
      if (S_ISDIR (st.st_mode))
        list_tree (root, child, lines);
    }
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static char *
tree_listing (const char *root)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) s = g_string_new (NULL);

  list_tree (root, NULL, lines);
  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (s, "%s\n", (char *) g_ptr_array_index (lines, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GBytes *
read_bytes (const char *root, const char *path)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (full, &data, &len, NULL))
    return NULL;
  return g_bytes_new_take (data, len);
}

static void
assert_contents (const char *root, const char *path, const void *data, gsize len)
{
  g_autoptr(GBytes) got = read_bytes (root, path);
  g_autoptr(GBytes) want = g_bytes_new (data, len);

  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, want));
}

static gboolean
exists (const char *root, const char *path)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  struct stat st;

  return lstat (full, &st) == 0;
}

static guint
journal_length (const char *root)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = pt_journal_list (root, &error);

  g_assert_no_error (error);
  return list->len;
}

/* Files changed by standard_changes() each hold exactly their old or
 * their new contents: never a half-written one. */
static void
assert_old_or_new (const char *root)
{
  g_autoptr(GPtrArray) changes = standard_changes ();

  for (guint i = 0; i < changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (changes, i);
      g_autoptr(GBytes) got = read_bytes (root, c->path);

      if (got == NULL)
        g_assert_true (c->old_contents == NULL || c->new_contents == NULL);
      else if (c->new_contents == NULL)
        g_assert_true (g_bytes_equal (got, c->old_contents));
      else if (!g_bytes_equal (got, c->new_contents))
        {
          g_assert_nonnull (c->old_contents);
          g_assert_true (g_bytes_equal (got, c->old_contents));
        }
    }
}

/* ---- tests ------------------------------------------------------------------ */

static void
test_ids (void)
{
  const char *valid[] = { "20261126T114301Z-3f2a", "a", "A-1", NULL };
  const char *invalid[] = { "", "-x", "../etc", "a/b", "a b", "a.b", "a\nb", ".", "..",
                            "ünïcode", NULL };
  g_autofree char *long_id = g_strnfill (65, 'a');
  g_autofree char *max_id = g_strnfill (64, 'a');

  for (guint i = 0; valid[i] != NULL; i++)
    g_assert_true (pt_journal_id_is_valid (valid[i]));
  for (guint i = 0; invalid[i] != NULL; i++)
    g_assert_false (pt_journal_id_is_valid (invalid[i]));
  g_assert_false (pt_journal_id_is_valid (NULL));
  g_assert_false (pt_journal_id_is_valid (long_id));
  g_assert_true (pt_journal_id_is_valid (max_id));
}

static void
test_safe_paths (void)
{
  const char *safe[] = { "etc/default/grub", "etc", "a/.hidden", "a/..b", "a/b..", NULL };
  const char *unsafe[] = { "", "/etc/passwd", "etc/../../x", "..", ".", "etc//grub",
                           "etc/./grub", "etc/", "etc/\x01", NULL };

  for (guint i = 0; safe[i] != NULL; i++)
    g_assert_true (pt_fileutil_path_is_safe (safe[i]));
  for (guint i = 0; unsafe[i] != NULL; i++)
    g_assert_false (pt_fileutil_path_is_safe (unsafe[i]));
}

static void
test_apply_rollback_bytes (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = tree_listing (root);
  g_autofree char *applied = NULL;
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(GPtrArray) regenerate = regenerate_new ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(PtTransaction) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *manifest = NULL;

  t = pt_journal_apply (root, changes, regenerate, "{\"plan\":1}", FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  g_assert_true (pt_journal_id_is_valid (t->id));
  g_assert_cmpint (t->state, ==, PT_TRANSACTION_APPLIED);
  g_assert_cmpuint (t->files->len, ==, 7);
  g_assert_cmpuint (g_strv_length (t->paths), ==, 7);
  g_assert_cmpuint (t->regenerate->len, ==, 2);
  g_assert_cmpuint (g_strv_length (t->created_dirs), ==, 3);
  g_assert_cmpstr (t->created_dirs[0], ==, "etc/modprobe.d");
  g_assert_cmpstr (t->created_dirs[1], ==, "etc/dracut.conf.d");
  g_assert_cmpstr (t->created_dirs[2], ==, "etc/dracut.conf.d/deep");

  assert_contents (root, "etc/default/grub", grub_new, strlen (grub_new));
  assert_contents (root, "etc/mkinitcpio.conf", crlf_new, strlen (crlf_new));
  assert_contents (root, "etc/blob.bin", blob_new, sizeof blob_new);
  assert_contents (root, "etc/modprobe.d.keep/utf8.conf", utf8_new, strlen (utf8_new));
  assert_contents (root, "etc/modprobe.d/vfio.conf", vfio_new, strlen (vfio_new));
  assert_contents (root, "etc/dracut.conf.d/deep/vfio.conf", vfio_new, strlen (vfio_new));
  g_assert_false (exists (root, "etc/modprobe.d.keep/stale.conf"));

  /* The on-disk format: manifest and byte-exact backups. */
  manifest_path = g_build_filename (root, "var/lib/passthrough/transactions", t->id,
                                    "manifest.json", NULL);
  g_assert_true (g_file_get_contents (manifest_path, &manifest, NULL, NULL));
  g_assert_nonnull (strstr (manifest, "\"state\" : \"applied\""));
  g_assert_nonnull (strstr (manifest, "\"backup\" : \"files/0\""));
  g_assert_nonnull (strstr (manifest, "\"mode\" : \"0600\""));
  g_assert_nonnull (strstr (manifest, "\"sha256_after\" : null"));
  {
    g_autofree char *backup = g_build_filename ("var/lib/passthrough/transactions", t->id,
                                                "files", "2", NULL);

    assert_contents (root, backup, blob_old, sizeof blob_old);
  }

  applied = tree_listing (root);
  r = pt_journal_rollback (root, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (r->id, ==, t->id);
  g_assert_cmpint (r->state, ==, PT_TRANSACTION_ROLLED_BACK);
  g_assert_cmpint (r->previous_state, ==, PT_TRANSACTION_APPLIED);
  for (guint i = 0; i < r->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (r->files, i);

      g_assert_cmpint (f->outcome, ==, f->existed ? PT_JOURNAL_FILE_RESTORED
                                                  : PT_JOURNAL_FILE_REMOVED);
    }
  g_assert_cmpuint (g_strv_length (r->removed_dirs), ==, 3);
  g_assert_cmpstr (r->removed_dirs[0], ==, "etc/dracut.conf.d/deep");

  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpstr (applied, !=, before);
  g_assert_false (exists (root, "etc/modprobe.d"));

  pt_test_remove_tree (root);
}

static void
test_nothing_to_do (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = tree_listing (root);
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(GError) error = NULL;
  PtTransaction *t;

  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_null (t);
  g_assert_no_error (error);
  g_assert_false (exists (root, "var/lib/passthrough"));
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (journal_length (root), ==, 0);

  /* Nothing to roll back either: a clear not-found, not a crash. */
  t = pt_journal_rollback (root, NULL, FALSE, &error);
  g_assert_null (t);
  g_assert_error (error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_assert_false (exists (root, "var/lib/passthrough"));
  pt_test_remove_tree (root);
}

static void
test_modes_owners (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *grub = g_build_filename (root, "etc/default/grub", NULL);
  g_autofree char *created = g_build_filename (root, "etc/modprobe.d/vfio.conf", NULL);
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(PtTransaction) r = NULL;
  g_autoptr(GError) error = NULL;
  gboolean as_root = geteuid () == 0;
  mode_t old_umask;
  struct stat st;

  g_assert_cmpint (chmod (grub, 0640), ==, 0);
  if (as_root)
    g_assert_cmpint (chown (grub, 1234, 5678), ==, 0);
  before = tree_listing (root);

  g_ptr_array_add (changes, change_new ("etc/default/grub", bytes (grub_old, strlen (grub_old)),
                                        bytes (grub_new, strlen (grub_new)), 0600));
  g_ptr_array_add (changes, change_new ("etc/modprobe.d/vfio.conf", NULL,
                                        bytes (vfio_new, strlen (vfio_new)), 0644));
  /* The umask must not decide the modes of system files. */
  old_umask = umask (077);
  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  umask (old_umask);
  g_assert_no_error (error);

  g_assert_cmpint (stat (grub, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);   /* existing files keep theirs */
  if (as_root)
    {
      g_assert_cmpint (st.st_uid, ==, 1234);
      g_assert_cmpint (st.st_gid, ==, 5678);
    }
  g_assert_cmpint (stat (created, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);
  {
    g_autofree char *dir = g_path_get_dirname (created);

    g_assert_cmpint (stat (dir, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  }

  r = pt_journal_rollback (root, t->id, FALSE, &error);
  g_assert_no_error (error);
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  if (!as_root)
    g_test_message ("not root: owners were not changed");
  pt_test_remove_tree (root);
}

/* Runs one apply of a single change and expects a refusal naming @name. */
static void
assert_refused (const char *root, PtFileChange *change, const char *name)
{
  g_autoptr(GPtrArray) changes = changes_new ();
  g_autoptr(GError) error = NULL;
  PtTransaction *t;

  g_ptr_array_add (changes, change);
  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_null (t);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, name));
}

static void
test_symlink_component (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *outside = NULL;
  g_autofree char *link = NULL;
  g_autofree char *before = NULL;
  g_autofree char *outside_before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  /* ROOT/etc2 -> /etc: a file "under" it would be written in the real /etc. */
  link = g_build_filename (root, "etc2", NULL);
  g_assert_cmpint (symlink ("/etc", link), ==, 0);
  before = tree_listing (root);
  assert_refused (root, change_new ("etc2/pt-test-must-not-exist", NULL,
                                    bytes ("x", 1), 0644), "etc2");
  g_assert_false (g_file_test ("/etc/pt-test-must-not-exist", G_FILE_TEST_EXISTS));

  /* A link deeper down, to a directory outside with a file of the same
   * contents the plan expects: still refused, and the file is untouched. */
  outside = g_dir_make_tmp ("pt-outside-XXXXXX", &error);
  g_assert_no_error (error);
  write_file (outside, "grub", grub_old, strlen (grub_old), 0644);
  g_free (link);
  link = g_build_filename (root, "etc/default2", NULL);
  g_assert_cmpint (symlink (outside, link), ==, 0);
  g_free (before);
  before = tree_listing (root);
  outside_before = tree_listing (outside);
  assert_refused (root, change_new ("etc/default2/grub", bytes (grub_old, strlen (grub_old)),
                                    bytes (grub_new, strlen (grub_new)), 0), "etc/default2");
  after = tree_listing (outside);
  g_assert_cmpstr (after, ==, outside_before);
  g_free (after);
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (journal_length (root), ==, 0);

  /* Rollback of a transaction whose directory became a link since. */
  {
    g_autoptr(GPtrArray) changes = changes_new ();
    g_autoptr(PtTransaction) t = NULL;
    g_autoptr(PtTransaction) r = NULL;
    g_autofree char *dir = g_build_filename (root, "etc/default", NULL);
    g_autofree char *moved = g_build_filename (root, "etc/default.real", NULL);

    g_ptr_array_add (changes, change_new ("etc/default/grub", bytes (grub_old, strlen (grub_old)),
                                          bytes (grub_new, strlen (grub_new)), 0));
    t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpint (rename (dir, moved), ==, 0);
    g_assert_cmpint (symlink (outside, dir), ==, 0);
    r = pt_journal_rollback (root, t->id, TRUE, &error);
    g_assert_null (r);
    g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
    g_assert_nonnull (strstr (error->message, "etc/default"));
    g_free (after);
    after = tree_listing (outside);
    g_assert_cmpstr (after, ==, outside_before);
  }

  pt_test_remove_tree (outside);
  pt_test_remove_tree (root);
}

static void
test_symlink_target (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *outside = NULL;
  g_autofree char *target = NULL;
  g_autofree char *link = g_build_filename (root, "etc/default/grub", NULL);
  g_autofree char *outside_before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  outside = g_dir_make_tmp ("pt-outside-XXXXXX", &error);
  g_assert_no_error (error);
  write_file (outside, "shadow", grub_old, strlen (grub_old), 0600);
  target = g_build_filename (outside, "shadow", NULL);
  g_assert_cmpint (unlink (link), ==, 0);
  g_assert_cmpint (symlink (target, link), ==, 0);
  outside_before = tree_listing (outside);

  assert_refused (root, change_new ("etc/default/grub", bytes (grub_old, strlen (grub_old)),
                                    bytes (grub_new, strlen (grub_new)), 0),
                  "etc/default/grub");
  after = tree_listing (outside);
  g_assert_cmpstr (after, ==, outside_before);
  /* Still a link: not replaced either. */
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));

  /* A dangling link where a new file would go. */
  g_free (target);
  target = g_build_filename (root, "etc/new.conf", NULL);
  g_assert_cmpint (symlink ("/nonexistent-pt-test", target), ==, 0);
  assert_refused (root, change_new ("etc/new.conf", NULL, bytes ("x", 1), 0644),
                  "etc/new.conf");
  g_assert_cmpuint (journal_length (root), ==, 0);
  pt_test_remove_tree (outside);
  pt_test_remove_tree (root);
}

static void
test_dotdot_and_absolute (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = tree_listing (root);
  g_autofree char *after = NULL;
  const char *bad[] = { "etc/../../pt-escape", "../pt-escape", "/etc/pt-escape",
                        "etc//grub", "etc/./default/grub", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    assert_refused (root, change_new (bad[i], NULL, bytes ("x", 1), 0644), bad[i]);
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  g_assert_false (exists (root, "var/lib/passthrough"));
  pt_test_remove_tree (root);
}

static void
test_non_regular (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *fifo = g_build_filename (root, "etc/fifo", NULL);
  g_autofree char *dir = g_build_filename (root, "etc/adir", NULL);

  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  assert_refused (root, change_new ("etc/fifo", bytes ("", 0), bytes ("x", 1), 0), "etc/fifo");
  assert_refused (root, change_new ("etc/adir", NULL, bytes ("x", 1), 0644), "etc/adir");
  /* A regular file where a directory is needed. */
  assert_refused (root, change_new ("etc/default/grub/x", NULL, bytes ("x", 1), 0644),
                  "etc/default/grub");
  pt_test_remove_tree (root);
}

static void
test_concurrent_edit (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(GError) error = NULL;
  PtTransaction *t;

  /* Someone edits a file after the plan read it. */
  write_file (root, "etc/mkinitcpio.conf", "MODULES=(i915)\n", 15, 0644);
  before = tree_listing (root);
  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_null (t);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "etc/mkinitcpio.conf"));
  g_assert_nonnull (strstr (error->message, "plan again"));
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (journal_length (root), ==, 0);

  /* Or creates a file the plan would create. */
  g_clear_error (&error);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = changes_new ();
  g_ptr_array_add (changes, change_new ("etc/mkinitcpio.conf", NULL, bytes ("x", 1), 0644));
  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_null (t);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "etc/mkinitcpio.conf"));
  pt_test_remove_tree (root);
}

static void
test_rollback_conflict (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = tree_listing (root);
  g_autofree char *after = NULL;
  g_autofree char *edited = NULL;
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(GError) error = NULL;
  PtTransaction *r;

  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_no_error (error);

  write_file (root, "etc/default/grub", "edited\n", 7, 0644);
  edited = tree_listing (root);
  r = pt_journal_rollback (root, NULL, FALSE, &error);
  g_assert_null (r);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_assert_nonnull (strstr (error->message, "etc/default/grub"));
  g_assert_nonnull (strstr (error->message, "--force"));
  /* Refused before anything was restored. */
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, edited);

  g_clear_error (&error);
  r = pt_journal_rollback (root, NULL, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  pt_transaction_free (r);
  g_free (after);
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  pt_test_remove_tree (root);
}

static void
test_rollback_twice (void)
{
  g_autofree char *root = make_root ();
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = tree_listing (root);
  g_autofree char *after = NULL;

  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(PtTransaction) r = pt_journal_rollback (root, round == 1 ? NULL : t->id,
                                                        FALSE, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (r->id, ==, t->id);
      g_assert_cmpint (r->state, ==, PT_TRANSACTION_ROLLED_BACK);
      g_assert_cmpint (r->previous_state, ==,
                       round == 0 ? PT_TRANSACTION_APPLIED : PT_TRANSACTION_ROLLED_BACK);
      g_free (after);
      after = tree_listing (root);
      g_assert_cmpstr (after, ==, before);
    }
  pt_test_remove_tree (root);
}

static void
test_listing (void)
{
  g_autofree char *root = make_root ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  const char *versions[] = { grub_old, "v1", "v2", "v3", NULL };

  for (guint i = 0; versions[i + 1] != NULL; i++)
    {
      g_autoptr(GPtrArray) changes = changes_new ();
      g_autoptr(PtTransaction) t = NULL;

      g_ptr_array_add (changes, change_new ("etc/default/grub",
                                            bytes (versions[i], strlen (versions[i])),
                                            bytes (versions[i + 1], strlen (versions[i + 1])), 0));
      t = pt_journal_apply (root, changes, NULL, NULL, i == 2, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (t->sequence, ==, i + 1);
      g_ptr_array_add (ids, g_strdup (t->id));
    }

  list = pt_journal_list (root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      PtTransaction *t = g_ptr_array_index (list, i);

      g_assert_cmpstr (t->id, ==, g_ptr_array_index (ids, 2 - i));
      g_assert_cmpint (t->state, ==, PT_TRANSACTION_APPLIED);
      g_assert_cmpint (t->trial, ==, i == 0);
    }

  /* The oldest cannot go before the newer ones that wrote the same file. */
  {
    g_autoptr(PtTransaction) r = pt_journal_rollback (root, g_ptr_array_index (ids, 0), FALSE,
                                                      &error);

    g_assert_null (r);
    g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
    g_assert_nonnull (strstr (error->message, g_ptr_array_index (ids, 2)));
    g_clear_error (&error);
  }

  /* Newest first, one at a time, by naming them. */
  for (guint i = 3; i > 0; i--)
    {
      g_autoptr(PtTransaction) r = pt_journal_rollback (root, g_ptr_array_index (ids, i - 1),
                                                        FALSE, &error);

      g_assert_no_error (error);
      assert_contents (root, "etc/default/grub", versions[i - 1], strlen (versions[i - 1]));
    }
  {
    g_autoptr(PtTransaction) t = pt_journal_get (root, g_ptr_array_index (ids, 1), &error);

    g_assert_no_error (error);
    g_assert_cmpint (t->state, ==, PT_TRANSACTION_ROLLED_BACK);
  }
  pt_test_remove_tree (root);
}

static void
test_invalid_ids (void)
{
  g_autofree char *root = make_root ();
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(GError) error = NULL;
  const char *bad[] = { "../../etc", "a/b", "", "-rf", "x.y", NULL };

  /* Without a journal. */
  g_assert_null (pt_journal_rollback (root, "20250101T000000Z-0000", FALSE, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_assert_null (pt_journal_rollback (root, bad[i], FALSE, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_null (pt_journal_get (root, bad[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_null (pt_journal_rollback (root, "20250101T000000Z-0000", FALSE, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pt_journal_get (root, "20250101T000000Z-0000", &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Still applied. */
  assert_contents (root, "etc/default/grub", grub_new, strlen (grub_new));
  pt_test_remove_tree (root);
}

static void
test_damaged_manifest (void)
{
  g_autofree char *root = make_root ();
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *text = NULL;
  GPtrArray *list;

  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_no_error (error);
  manifest = g_build_filename (root, "var/lib/passthrough/transactions", t->id,
                               "manifest.json", NULL);
  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  /* A path pointing out of the root must never be restored to. */
  {
    g_auto(GStrv) parts = g_strsplit (text, "\"etc/default/grub\"", 2);
    g_autofree char *damaged = g_strjoinv ("\"../../pt-escape\"", parts);

    g_assert_true (g_file_set_contents (manifest, damaged, -1, NULL));
  }
  list = pt_journal_list (root, &error);
  g_assert_null (list);
  g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "manifest.json"));
  g_clear_error (&error);
  g_assert_null (pt_journal_rollback (root, NULL, TRUE, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (manifest, "{", -1, NULL));
  g_assert_null (pt_journal_get (root, t->id, &error));
  g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
  pt_test_remove_tree (root);
}

/* ---- faults and crashes ------------------------------------------------------- */

typedef struct
{
  guint    calls;
  guint    fail_at;     /* 1-based; 0: never */
  gboolean crash;       /* _exit() instead of failing */
  GString *points;
} Fault;

static gboolean
fault_hook (const char *point, const char *path, gpointer user_data)
{
  Fault *fault = user_data;

  fault->calls++;
  if (fault->points != NULL)
    g_string_append_printf (fault->points, "%s %s\n", point, path ? path : "-");
  if (fault->calls != fault->fail_at)
    return TRUE;
  if (fault->crash)
    _exit (77);
  return FALSE;
}

/* The points a successful apply passes, for the logs and the loop bound. */
static guint
count_points (gboolean rollback)
{
  g_autofree char *root = make_root ();
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(PtTransaction) r = NULL;
  g_autoptr(GError) error = NULL;
  Fault fault = { 0, 0, FALSE, g_string_new (NULL) };

  if (!rollback)
    pt_fileutil_set_fault_hook (fault_hook, &fault);
  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_no_error (error);
  if (rollback)
    {
      pt_fileutil_set_fault_hook (fault_hook, &fault);
      r = pt_journal_rollback (root, NULL, FALSE, &error);
      g_assert_no_error (error);
    }
  pt_fileutil_set_fault_hook (NULL, NULL);
  g_test_message ("%s fault points:\n%s", rollback ? "rollback" : "apply", fault.points->str);
  g_string_free (fault.points, TRUE);
  pt_test_remove_tree (root);
  return fault.calls;
}

static void
test_fault_apply (void)
{
  guint points = count_points (FALSE);

  g_assert_cmpuint (points, >=, 20);
  for (guint k = 1; k <= points; k++)
    {
      g_autofree char *root = make_root ();
      g_autofree char *before = tree_listing (root);
      g_autofree char *after = NULL;
      g_autoptr(GPtrArray) changes = standard_changes ();
      g_autoptr(GError) error = NULL;
      PtTransaction *t;
      Fault fault = { 0, k, FALSE, NULL };

      pt_fileutil_set_fault_hook (fault_hook, &fault);
      t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
      pt_fileutil_set_fault_hook (NULL, NULL);
      g_assert_null (t);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "Injected fault"));
      after = tree_listing (root);
      g_assert_cmpstr (after, ==, before);
      g_assert_cmpuint (journal_length (root), ==, 0);
      pt_test_remove_tree (root);
    }
}

static void
test_fault_rollback (void)
{
  guint points = count_points (TRUE);

  g_assert_cmpuint (points, >=, 10);
  for (guint k = 1; k <= points; k++)
    {
      g_autofree char *root = make_root ();
      g_autofree char *before = tree_listing (root);
      g_autofree char *after = NULL;
      g_autoptr(GPtrArray) changes = standard_changes ();
      g_autoptr(PtTransaction) t = NULL;
      g_autoptr(PtTransaction) r = NULL;
      g_autoptr(GError) error = NULL;
      Fault fault = { 0, k, FALSE, NULL };

      t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
      g_assert_no_error (error);
      pt_fileutil_set_fault_hook (fault_hook, &fault);
      r = pt_journal_rollback (root, NULL, FALSE, &error);
      pt_fileutil_set_fault_hook (NULL, NULL);
      g_assert_null (r);
      g_assert_nonnull (error);
      g_clear_error (&error);
      assert_old_or_new (root);

      /* Running it again finishes the job. */
      r = pt_journal_rollback (root, NULL, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (r->state, ==, PT_TRANSACTION_ROLLED_BACK);
      after = tree_listing (root);
      g_assert_cmpstr (after, ==, before);
      pt_test_remove_tree (root);
    }
}

/* Runs @func in a child that dies at the @k-th fault point; TRUE when it
 * died there, FALSE when it finished first. */
static gboolean
crash_at (guint k, void (*func) (const char *root), const char *root)
{
  int status = 0;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      Fault fault = { 0, k, TRUE, NULL };

      pt_fileutil_set_fault_hook (fault_hook, &fault);
      func (root);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_true (WEXITSTATUS (status) == 0 || WEXITSTATUS (status) == 77);
  return WEXITSTATUS (status) == 77;
}

static void
child_apply (const char *root)
{
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(PtTransaction) t = pt_journal_apply (root, changes, NULL, NULL, FALSE, NULL);

  if (t == NULL)
    _exit (1);
}

static void
child_rollback (const char *root)
{
  g_autoptr(PtTransaction) t = pt_journal_rollback (root, NULL, FALSE, NULL);

  if (t == NULL)
    _exit (1);
}

static void
child_recover (const char *root)
{
  g_autoptr(GPtrArray) list = pt_journal_recover (root, FALSE, NULL);

  if (list == NULL)
    _exit (1);
}

/* After a crash: recovery (itself crashed once at @recovery_crash when not
 * 0), then a rollback if the transaction had got to "applied", must give
 * the tree back exactly. */
static void
recover_and_compare (const char *root, const char *before, guint recovery_crash)
{
  g_autoptr(GPtrArray) recovered = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  assert_old_or_new (root);
  if (recovery_crash > 0)
    {
      crash_at (recovery_crash, child_recover, root);
      assert_old_or_new (root);
    }
  recovered = pt_journal_recover (root, FALSE, &error);
  g_assert_no_error (error);
  list = pt_journal_list (root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, <=, 1);
  if (list->len == 1)
    {
      PtTransaction *t = g_ptr_array_index (list, 0);

      g_assert_true (t->state == PT_TRANSACTION_APPLIED
                     || t->state == PT_TRANSACTION_ROLLED_BACK);
      if (t->state == PT_TRANSACTION_APPLIED)
        {
          g_autoptr(PtTransaction) r = pt_journal_rollback (root, NULL, FALSE, &error);

          g_assert_no_error (error);
        }
    }
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
}

static void
test_crash_apply (void)
{
  guint points = count_points (FALSE);
  guint crashes = 0;

  for (guint k = 1; k <= points + 1; k++)
    {
      g_autofree char *root = make_root ();
      g_autofree char *before = tree_listing (root);

      if (crash_at (k, child_apply, root))
        crashes++;
      /* Every third point, let the recovery crash once too. */
      recover_and_compare (root, before, k % 3 == 0 ? 1 + k % 5 : 0);

      /* The root works normally afterwards. */
      {
        g_autoptr(GPtrArray) changes = standard_changes ();
        g_autoptr(GError) error = NULL;
        g_autoptr(PtTransaction) t = pt_journal_apply (root, changes, NULL, NULL, FALSE,
                                                       &error);
        g_autoptr(PtTransaction) r = NULL;
        g_autofree char *after = NULL;

        g_assert_no_error (error);
        r = pt_journal_rollback (root, t->id, FALSE, &error);
        g_assert_no_error (error);
        after = tree_listing (root);
        g_assert_cmpstr (after, ==, before);
      }
      pt_test_remove_tree (root);
    }
  g_assert_cmpuint (crashes, ==, points);
}

static void
test_crash_rollback (void)
{
  guint points = count_points (TRUE);
  guint crashes = 0;

  for (guint k = 1; k <= points + 1; k++)
    {
      g_autofree char *root = make_root ();
      g_autofree char *before = tree_listing (root);
      g_autoptr(GPtrArray) changes = standard_changes ();
      g_autoptr(PtTransaction) t = NULL;
      g_autoptr(GError) error = NULL;

      t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
      g_assert_no_error (error);
      if (crash_at (k, child_rollback, root))
        crashes++;
      recover_and_compare (root, before, 0);
      pt_test_remove_tree (root);
    }
  g_assert_cmpuint (crashes, ==, points);
}

/* A manifest left in "applying" by hand, as a crash after the last write
 * would leave it: the next apply undoes it first and then plans fail their
 * check (the files moved back), so the caller plans again. */
static void
test_interrupted_manifest (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = tree_listing (root);
  g_autofree char *after = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) changes = standard_changes ();
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(PtTransaction) again = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *list;

  t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_no_error (error);
  manifest = g_build_filename (root, "var/lib/passthrough/transactions", t->id,
                               "manifest.json", NULL);
  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  {
    g_auto(GStrv) parts = g_strsplit (text, "\"applied\"", 2);
    g_autofree char *applying = g_strjoinv ("\"applying\"", parts);

    g_assert_true (g_file_set_contents (manifest, applying, -1, NULL));
  }
  /* And a temporary file a killed writer left behind. */
  write_file (root, "etc/default/.grub.pt-AbC123", "half", 4, 0600);

  list = pt_journal_list (root, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((PtTransaction *) g_ptr_array_index (list, 0))->state, ==,
                   PT_TRANSACTION_APPLYING);
  g_ptr_array_unref (list);

  /* A plan made against the half-applied files is refused once the
   * interrupted transaction is undone. */
  {
    g_autoptr(GPtrArray) stale = changes_new ();

    g_ptr_array_add (stale, change_new ("etc/default/grub", bytes (grub_new, strlen (grub_new)),
                                        bytes ("v3", 2), 0));
    again = pt_journal_apply (root, stale, NULL, NULL, FALSE, &error);
  }
  g_assert_null (again);
  g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  g_clear_error (&error);
  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);

  list = pt_journal_list (root, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpint (((PtTransaction *) g_ptr_array_index (list, 0))->state, ==,
                   PT_TRANSACTION_ROLLED_BACK);
  g_assert_true (((PtTransaction *) g_ptr_array_index (list, 0))->interrupted);
  g_ptr_array_unref (list);

  /* Rolling it back says it already is. */
  {
    g_autoptr(PtTransaction) r = pt_journal_rollback (root, t->id, FALSE, &error);

    g_assert_no_error (error);
    g_assert_cmpint (r->previous_state, ==, PT_TRANSACTION_ROLLED_BACK);
  }

  /* Planning again from the restored files works. */
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = standard_changes ();
  again = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->sequence, ==, 2);
  pt_test_remove_tree (root);
}

/* An unprivileged writer meets a read-only directory half-way: the files
 * it already wrote are restored. As root, permissions do not stop writes,
 * so the test drops to nobody in a child. */
static void
test_read_only_directory (void)
{
  g_autofree char *root = make_root ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *ro = g_build_filename (root, "etc/modprobe.d.keep", NULL);
  g_autofree char *chown_cmd = NULL;
  int status = 0;
  pid_t pid;

  if (geteuid () == 0)
    {
      chown_cmd = g_strdup_printf ("chown -R 65534:65534 %s", root);
      g_assert_true (g_spawn_command_line_sync (chown_cmd, NULL, NULL, &status, NULL));
      g_assert_cmpint (status, ==, 0);
      g_assert_cmpint (chmod (root, 0755), ==, 0);
    }
  g_assert_cmpint (chmod (ro, 0555), ==, 0);
  before = tree_listing (root);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GPtrArray) changes = standard_changes ();
      g_autoptr(GError) error = NULL;
      PtTransaction *t;

      if (geteuid () == 0 && (setgid (65534) < 0 || setuid (65534) < 0))
        _exit (3);
      t = pt_journal_apply (root, changes, NULL, NULL, FALSE, &error);
      if (t != NULL)
        _exit (4);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
          || strstr (error->message, "modprobe.d.keep") == NULL)
        {
          g_printerr ("unexpected error: %s\n", error->message);
          _exit (5);
        }
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  after = tree_listing (root);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (journal_length (root), ==, 0);
  chmod (ro, 0755);
  pt_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/journal/ids", test_ids);
  g_test_add_func ("/journal/safe-paths", test_safe_paths);
  g_test_add_func ("/journal/apply-rollback-bytes", test_apply_rollback_bytes);
  g_test_add_func ("/journal/nothing-to-do", test_nothing_to_do);
  g_test_add_func ("/journal/modes-owners", test_modes_owners);
  g_test_add_func ("/journal/symlink-component", test_symlink_component);
  g_test_add_func ("/journal/symlink-target", test_symlink_target);
  g_test_add_func ("/journal/dotdot-absolute", test_dotdot_and_absolute);
  g_test_add_func ("/journal/non-regular", test_non_regular);
  g_test_add_func ("/journal/concurrent-edit", test_concurrent_edit);
  g_test_add_func ("/journal/rollback-conflict", test_rollback_conflict);
  g_test_add_func ("/journal/rollback-twice", test_rollback_twice);
  g_test_add_func ("/journal/listing", test_listing);
  g_test_add_func ("/journal/invalid-ids", test_invalid_ids);
  g_test_add_func ("/journal/damaged-manifest", test_damaged_manifest);
  g_test_add_func ("/journal/read-only-directory", test_read_only_directory);
  g_test_add_func ("/journal/interrupted-manifest", test_interrupted_manifest);
  g_test_add_func ("/journal/fault/apply", test_fault_apply);
  g_test_add_func ("/journal/fault/rollback", test_fault_rollback);
  g_test_add_func ("/journal/crash/apply", test_crash_apply);
  g_test_add_func ("/journal/crash/rollback", test_crash_rollback);

  return g_test_run ();
}
