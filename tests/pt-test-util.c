/* pt-test-util.c: runs the fixture builder for the C tests. */
#define G_LOG_DOMAIN "pt-test"

#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "pt-test-util.h"

char *
pt_test_fixture_path (const char *relative)
{
  return g_build_filename (PT_TEST_FIXTURES_DIR, relative, NULL);
}

/* Fixture roots are hundreds of small files: tmpfs builds them several
 * times faster than a disk-backed /tmp. */
static char *
make_tmp_dir (GError **error)
{
  if (g_getenv ("TMPDIR") == NULL && access ("/dev/shm", W_OK) == 0)
    {
      g_autofree char *path = g_build_filename ("/dev/shm", "pt-host-XXXXXX", NULL);

      if (g_mkdtemp (path) != NULL)
        return g_steal_pointer (&path);
    }
  return g_dir_make_tmp ("pt-host-XXXXXX", error);
}

static char *
build_from_file (const char *listing_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = make_tmp_dir (&error);
  g_autofree char *builder = pt_test_fixture_path ("mkhost.py");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "python3", builder, listing_path, tmp, NULL };

  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("mkhost.py %s failed: %s", listing_path, err);
  return g_steal_pointer (&tmp);
}

char *
pt_test_build_host (const char *name)
{
  g_autofree char *file = g_strconcat ("hosts/", name, ".host", NULL);
  g_autofree char *path = pt_test_fixture_path (file);

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  return build_from_file (path);
}

char *
pt_test_build_host_from_text (const char *listing)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("pt-listing-XXXXXX.host", &path, &error);
  char *root;

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, listing, -1, &error);
  g_assert_no_error (error);
  root = build_from_file (path);
  g_unlink (path);
  return root;
}

static void
remove_recursive (GFile *file)
{
  g_autoptr(GFileEnumerator) e = NULL;

  e = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                 G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (e != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (e, &info, &child, NULL, NULL) && info != NULL)
        {
          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            remove_recursive (child);
          else
            g_file_delete (child, NULL, NULL);
        }
    }
  g_file_delete (file, NULL, NULL);
}

void
pt_test_remove_tree (const char *path)
{
  g_autoptr(GFile) file = NULL;

  if (path == NULL || g_getenv ("PT_TEST_KEEP") != NULL)
    return;
  file = g_file_new_for_path (path);
  remove_recursive (file);
}

void
pt_test_run_clear (PtTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

void
pt_test_run_ctl (PtTestRun *run, const char *env_name, const char *env_value,
                 const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  const char *bin = g_getenv ("PASSTHROUGHCTL");
  int wait_status = 0;

  g_assert_nonnull (bin);
  pt_test_run_clear (run);
  g_ptr_array_add (argv, (char *) bin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (env_name != NULL)
    envp = g_environ_setenv (envp, env_name, env_value, TRUE);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

JsonObject *
pt_test_parse_object (JsonParser *parser, const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

/* ---- trees, byte for byte ---------------------------------------------- */

/* The journal and the directories made to hold it are not part of the
 * comparison: everything else is. */
static gboolean
is_journal (const char *path)
{
  return g_str_equal (path, "var") || g_str_equal (path, "var/lib")
    || g_str_has_prefix (path, "var/lib/passthrough");
}

static void
tree_list (const char *root, const char *rel, GHashTable *entries)
{
  g_autofree char *dir_path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (root, child, NULL);
      char *what = NULL;
      struct stat st;

      if (is_journal (child))
        {
          if (g_str_equal (child, "var") || g_str_equal (child, "var/lib"))
            tree_list (root, child, entries);
          continue;
        }
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
          sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);
          what = g_strdup_printf ("file %s %04o %u:%u", sha, st.st_mode & 07777, st.st_uid,
                                  st.st_gid);
        }
      else if (S_ISDIR (st.st_mode))
        what = g_strdup_printf ("dir %04o", st.st_mode & 07777);
      else
        what = g_strdup ("other");
      g_hash_table_insert (entries, g_strdup (child), what);
      if (S_ISDIR (st.st_mode))
        tree_list (root, child, entries);
    }
}

GHashTable *
pt_test_tree_new (const char *root)
{
  GHashTable *entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  tree_list (root, NULL, entries);
  return entries;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Paths that differ between @a and @b (added, removed or changed), sorted. */
GPtrArray *
pt_test_tree_diff (GHashTable *a, GHashTable *b)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (value, g_hash_table_lookup (b, key)) != 0)
      g_ptr_array_add (paths, g_strdup (key));
  g_hash_table_iter_init (&iter, b);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (a, key))
      g_ptr_array_add (paths, g_strdup (key));
  g_ptr_array_sort (paths, compare_strings);
  return paths;
}

char *
pt_test_tree_diff_string (GHashTable *a, GHashTable *b)
{
  g_autoptr(GPtrArray) paths = pt_test_tree_diff (a, b);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < paths->len; i++)
    g_string_append_printf (s, "%s\n", (char *) g_ptr_array_index (paths, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}
