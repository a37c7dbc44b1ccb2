/* pt-journal.c: transactions over files under a host root (pt-journal.h).
 *
 * Order of an apply, each step durable before the next:
 *   1. lock the journal, undo any interrupted transaction;
 *   2. read every target, refuse if one differs from what the plan read;
 *   3. create transactions/ID/, back up every existing target to files/N;
 *   4. manifest.json, state "applying" (lists the directories to create);
 *   5. replace each target (pt_fileutil_replace: temp, fsync, rename);
 *   6. manifest.json, state "applied".
 * Undo (a failed apply, a rollback, recovery after a crash) goes by
 * content, not by step: a file that holds its new contents gets the backup
 * back, one that holds the old contents is left, anything else is someone
 * else's edit and is refused unless forced. So the same code is right
 * whichever step a crash stopped at. */
#define G_LOG_DOMAIN "pt-journal"

#include "config.h"

#include <glib/gi18n.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-fileutil.h"
#include "pt-journal.h"

#define JOURNAL_DIR       "var/lib/passthrough"
#define TRANSACTIONS_DIR  "transactions"
#define MANIFEST          "manifest.json"
#define FILES_DIR         "files"
#define MANIFEST_FORMAT   "passthrough-transaction"
#define MANIFEST_VERSION  1
#define ID_MAX_LENGTH     64

typedef struct
{
  PtFileRoot *root;          /* the host root */
  PtFileRoot *dir;           /* ROOT/var/lib/passthrough, locked */
  PtFileRoot *transactions;  /* ROOT/var/lib/passthrough/transactions */
} Journal;

static void
journal_free (Journal *j)
{
  if (j == NULL)
    return;
  /* Closing the directory releases the flock. */
  pt_file_root_free (j->transactions);
  pt_file_root_free (j->dir);
  pt_file_root_free (j->root);
  g_free (j);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Journal, journal_free)

/* ---- transactions in memory ------------------------------------------------ */

static void
journal_file_free (PtJournalFile *f)
{
  g_free (f->path);
  g_free (f->sha256_before);
  g_free (f->sha256_after);
  g_free (f->backup);
  g_free (f);
}

static PtTransaction *
transaction_new (void)
{
  PtTransaction *t = g_new0 (PtTransaction, 1);

  t->regenerate = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  t->files = g_ptr_array_new_with_free_func ((GDestroyNotify) journal_file_free);
  t->created_dirs = g_new0 (char *, 1);
  t->removed_dirs = g_new0 (char *, 1);
  return t;
}

void
pt_transaction_free (PtTransaction *t)
{
  if (t == NULL)
    return;
  g_free (t->id);
  g_strfreev (t->paths);
  g_clear_pointer (&t->regenerate, g_ptr_array_unref);
  g_free (t->summary);
  g_clear_pointer (&t->files, g_ptr_array_unref);
  g_strfreev (t->created_dirs);
  g_strfreev (t->removed_dirs);
  g_free (t);
}

static void
transaction_update_paths (PtTransaction *t)
{
  g_strfreev (t->paths);
  t->paths = g_new0 (char *, t->files->len + 1);
  for (guint i = 0; i < t->files->len; i++)
    t->paths[i] = g_strdup (((PtJournalFile *) g_ptr_array_index (t->files, i))->path);
}

static const char *const state_names[] = {
  [PT_TRANSACTION_APPLIED] = "applied",
  [PT_TRANSACTION_ROLLED_BACK] = "rolled-back",
  [PT_TRANSACTION_APPLYING] = "applying",
  [PT_TRANSACTION_ROLLING_BACK] = "rolling-back",
};

const char *
pt_transaction_state_to_string (PtTransactionState state)
{
  if ((guint) state < G_N_ELEMENTS (state_names))
    return state_names[state];
  return "unknown";
}

static gboolean
state_from_string (const char *s, PtTransactionState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (s, state_names[i]) == 0)
      {
        *state = (PtTransactionState) i;
        return TRUE;
      }
  return FALSE;
}

static const char *
outcome_to_string (PtJournalFileOutcome outcome)
{
  switch (outcome)
    {
    case PT_JOURNAL_FILE_RESTORED: return "restored";
    case PT_JOURNAL_FILE_REMOVED: return "removed";
    case PT_JOURNAL_FILE_UNCHANGED:
    default: return "unchanged";
    }
}

gboolean
pt_journal_id_is_valid (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len == 0 || len > ID_MAX_LENGTH || !g_ascii_isalnum (id[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-')
      return FALSE;
  return TRUE;
}

static gboolean
is_sha256 (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

/* ---- the manifest ------------------------------------------------------- */

static void
add_strv (JsonBuilder *b, const char *member, const char *const *strv)
{
  if (member != NULL)
    json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
}

static void
add_nullable_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static GBytes *
manifest_to_bytes (PtTransaction *t)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, MANIFEST_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, MANIFEST_VERSION);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, t->id);
  json_builder_set_member_name (b, "sequence");
  json_builder_add_int_value (b, (gint64) t->sequence);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, t->created);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, pt_transaction_state_to_string (t->state));
  json_builder_set_member_name (b, "trial");
  json_builder_add_boolean_value (b, t->trial);
  json_builder_set_member_name (b, "interrupted");
  json_builder_add_boolean_value (b, t->interrupted);
  add_nullable_string (b, "summary", t->summary);

  json_builder_set_member_name (b, "regenerate");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->regenerate->len; i++)
    add_strv (b, NULL, g_ptr_array_index (t->regenerate, i));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (t->files, i);
      g_autofree char *mode = g_strdup_printf ("%04o", f->mode);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, f->path);
      json_builder_set_member_name (b, "existed");
      json_builder_add_boolean_value (b, f->existed);
      json_builder_set_member_name (b, "mode");
      json_builder_add_string_value (b, mode);
      json_builder_set_member_name (b, "uid");
      json_builder_add_int_value (b, f->uid);
      json_builder_set_member_name (b, "gid");
      json_builder_add_int_value (b, f->gid);
      add_nullable_string (b, "sha256_before", f->sha256_before);
      add_nullable_string (b, "sha256_after", f->sha256_after);
      add_nullable_string (b, "backup", f->backup);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  add_strv (b, "created_dirs", (const char *const *) t->created_dirs);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
}

/* Sets a "damaged entry" error naming @shown and @what. */
static gboolean
damaged (GError **error, const char *shown, const char *what)
{
  g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
               _("The journal entry %s is damaged (%s). Move it out of the journal "
                 "directory to go on; its backups are in the files directory next to it"),
               shown, what);
  return FALSE;
}

static gboolean
member_string (JsonObject *obj, const char *name, gboolean nullable, const char **out,
               const char *shown, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *what = NULL;

  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *out = json_node_get_string (node);
      return TRUE;
    }
  what = g_strdup_printf ("“%s”", name);
  return damaged (error, shown, what);
}

static gboolean
member_int (JsonObject *obj, const char *name, gint64 min, gint64 max, gint64 *out,
            const char *shown, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *what = NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      if (*out >= min && *out <= max)
        return TRUE;
    }
  what = g_strdup_printf ("“%s”", name);
  return damaged (error, shown, what);
}

static gboolean
member_bool (JsonObject *obj, const char *name, gboolean *out, const char *shown,
             GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *what = NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *out = json_node_get_boolean (node);
      return TRUE;
    }
  what = g_strdup_printf ("“%s”", name);
  return damaged (error, shown, what);
}

static gboolean
member_array (JsonObject *obj, const char *name, JsonArray **out, const char *shown,
              GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *what = NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      *out = json_node_get_array (node);
      return TRUE;
    }
  what = g_strdup_printf ("“%s”", name);
  return damaged (error, shown, what);
}

static GStrv
strv_from_array (JsonArray *array, gboolean paths, const char *shown, const char *name,
                 GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *s;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_autofree char *what = g_strdup_printf ("“%s”[%u]", name, i);

          damaged (error, shown, what);
          return NULL;
        }
      s = json_node_get_string (node);
      if (paths && !pt_fileutil_path_is_safe (s))
        {
          g_autofree char *what = g_strdup_printf ("“%s”[%u]", name, i);

          damaged (error, shown, what);
          return NULL;
        }
      g_strv_builder_add (builder, s);
    }
  return g_strv_builder_end (builder);
}

static PtJournalFile *
file_from_json (JsonNode *node, guint index, const char *shown, GError **error)
{
  g_autofree char *expected_backup = g_strdup_printf (FILES_DIR "/%u", index);
  PtJournalFile *f;
  JsonObject *obj;
  const char *path;
  const char *mode;
  const char *before;
  const char *after;
  const char *backup;
  gboolean existed;
  gint64 uid;
  gint64 gid;
  char *end = NULL;
  guint64 mode_value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *what = g_strdup_printf ("“files”[%u]", index);

      damaged (error, shown, what);
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!member_string (obj, "path", FALSE, &path, shown, error)
      || !member_bool (obj, "existed", &existed, shown, error)
      || !member_string (obj, "mode", FALSE, &mode, shown, error)
      || !member_int (obj, "uid", 0, G_MAXUINT32, &uid, shown, error)
      || !member_int (obj, "gid", 0, G_MAXUINT32, &gid, shown, error)
      || !member_string (obj, "sha256_before", TRUE, &before, shown, error)
      || !member_string (obj, "sha256_after", TRUE, &after, shown, error)
      || !member_string (obj, "backup", TRUE, &backup, shown, error))
    return NULL;

  mode_value = g_ascii_strtoull (mode, &end, 8);
  if (!pt_fileutil_path_is_safe (path)
      || *mode == '\0' || end == NULL || *end != '\0' || mode_value > 07777
      || (after != NULL && !is_sha256 (after))
      || (after == NULL && !existed)
      || (existed && (!is_sha256 (before) || g_strcmp0 (backup, expected_backup) != 0))
      || (!existed && (before != NULL || backup != NULL)))
    {
      g_autofree char *what = g_strdup_printf ("“files”[%u]", index);

      damaged (error, shown, what);
      return NULL;
    }

  f = g_new0 (PtJournalFile, 1);
  f->path = g_strdup (path);
  f->existed = existed;
  f->mode = (guint32) mode_value;
  f->uid = (guint32) uid;
  f->gid = (guint32) gid;
  f->sha256_before = g_strdup (before);
  f->sha256_after = g_strdup (after);
  f->backup = g_strdup (backup);
  return f;
}

static PtTransaction *
manifest_parse (GBytes *bytes, const char *dir_id, const char *shown, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PtTransaction) t = transaction_new ();
  g_autoptr(GError) local = NULL;
  JsonObject *obj;
  JsonArray *array;
  const char *s;
  gint64 n;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, (gssize) len, &local)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      damaged (error, shown, local != NULL ? local->message : _("not a JSON object"));
      return NULL;
    }
  obj = json_node_get_object (json_parser_get_root (parser));

  if (!member_string (obj, "format", FALSE, &s, shown, error))
    return NULL;
  if (!g_str_equal (s, MANIFEST_FORMAT))
    {
      damaged (error, shown, "“format”");
      return NULL;
    }
  if (!member_int (obj, "version", 0, G_MAXINT, &n, shown, error))
    return NULL;
  if (n != MANIFEST_VERSION)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("The journal entry %s has version %d, which this version of "
                     "Passthrough cannot read"), shown, (int) n);
      return NULL;
    }

  if (!member_string (obj, "id", FALSE, &s, shown, error))
    return NULL;
  if (!g_str_equal (s, dir_id))
    {
      damaged (error, shown, "“id”");
      return NULL;
    }
  t->id = g_strdup (s);
  if (!member_int (obj, "sequence", 1, G_MAXINT64, &n, shown, error))
    return NULL;
  t->sequence = (guint64) n;
  if (!member_int (obj, "created", 0, G_MAXINT64, &t->created, shown, error))
    return NULL;
  if (!member_string (obj, "state", FALSE, &s, shown, error))
    return NULL;
  if (!state_from_string (s, &t->state))
    {
      damaged (error, shown, "“state”");
      return NULL;
    }
  t->previous_state = t->state;
  if (!member_bool (obj, "trial", &t->trial, shown, error)
      || !member_bool (obj, "interrupted", &t->interrupted, shown, error)
      || !member_string (obj, "summary", TRUE, &s, shown, error))
    return NULL;
  t->summary = g_strdup (s);

  if (!member_array (obj, "regenerate", &array, shown, error))
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      GStrv argv;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          damaged (error, shown, "“regenerate”");
          return NULL;
        }
      argv = strv_from_array (json_node_get_array (node), FALSE, shown, "regenerate", error);
      if (argv == NULL)
        return NULL;
      g_ptr_array_add (t->regenerate, argv);
    }

  if (!member_array (obj, "files", &array, shown, error))
    return NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      PtJournalFile *f = file_from_json (json_array_get_element (array, i), i, shown, error);

      if (f == NULL)
        return NULL;
      g_ptr_array_add (t->files, f);
    }
  transaction_update_paths (t);

  if (!member_array (obj, "created_dirs", &array, shown, error))
    return NULL;
  g_strfreev (t->created_dirs);
  t->created_dirs = strv_from_array (array, TRUE, shown, "created_dirs", error);
  if (t->created_dirs == NULL)
    return NULL;

  return g_steal_pointer (&t);
}

/* ---- the journal directory ---------------------------------------------- */

/* Opens (with @create, makes) ROOT/var/lib/passthrough and locks it. NULL
 * with G_IO_ERROR_NOT_FOUND when there is no journal and !@create. */
static Journal *
journal_open (const char *root_path, gboolean create, GError **error)
{
  g_autoptr(Journal) j = g_new0 (Journal, 1);

  j->root = pt_file_root_open (root_path, error);
  if (j->root == NULL)
    return NULL;
  j->dir = pt_file_root_open_subdir (j->root, JOURNAL_DIR, create, error);
  if (j->dir == NULL)
    return NULL;
  if (flock (pt_file_root_get_fd (j->dir), LOCK_EX | LOCK_NB) < 0)
    {
      int saved = errno;

      if (saved == EWOULDBLOCK)
        g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                     _("Another change to %s is in progress (the journal %s is locked). "
                       "Try again when it has finished"),
                     pt_file_root_get_path (j->root), pt_file_root_get_path (j->dir));
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                     _("Cannot lock the journal %s: %s"), pt_file_root_get_path (j->dir),
                     g_strerror (saved));
      return NULL;
    }
  j->transactions = pt_file_root_open_subdir (j->dir, TRANSACTIONS_DIR, create, error);
  if (j->transactions == NULL)
    return NULL;
  return g_steal_pointer (&j);
}

static PtFileRoot *
entry_open (Journal *j, const char *id, gboolean create, GError **error)
{
  return pt_file_root_open_subdir (j->transactions, id, create, error);
}

/* Reads transactions/@id/manifest.json; NULL with no error when the entry
 * has no manifest (a crash before step 4). */
static PtTransaction *
entry_load (Journal *j, const char *id, gboolean *no_manifest, GError **error)
{
  g_autoptr(PtFileRoot) entry = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *shown = NULL;

  *no_manifest = FALSE;
  entry = entry_open (j, id, FALSE, error);
  if (entry == NULL)
    return NULL;
  if (!pt_fileutil_read (entry, MANIFEST, &bytes, NULL, NULL, error))
    return NULL;
  if (bytes == NULL)
    {
      *no_manifest = TRUE;
      return NULL;
    }
  shown = pt_file_root_display (entry, MANIFEST);
  return manifest_parse (bytes, id, shown, error);
}

static gboolean
entry_save (Journal *j, PtTransaction *t, GError **error)
{
  g_autoptr(PtFileRoot) entry = entry_open (j, t->id, FALSE, error);
  g_autoptr(GBytes) bytes = NULL;

  if (entry == NULL)
    return FALSE;
  bytes = manifest_to_bytes (t);
  return pt_fileutil_replace (entry, MANIFEST, bytes, 0644, (uid_t) -1, (gid_t) -1, NULL, error);
}

/* Removes the regular files in @dir_fd's subdirectory @name (not
 * following links), then the subdirectory. */
static gboolean
remove_flat_dir (int dir_fd, const char *name)
{
  struct dirent *e;
  DIR *dir;
  int fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    return errno == ENOENT;
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return FALSE;
    }
  while ((e = readdir (dir)) != NULL)
    {
      struct stat st;

      if (g_str_equal (e->d_name, ".") || g_str_equal (e->d_name, ".."))
        continue;
      if (fstatat (dirfd (dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
        remove_flat_dir (dirfd (dir), e->d_name);
      else
        unlinkat (dirfd (dir), e->d_name, 0);
    }
  fsync (dirfd (dir));
  closedir (dir);
  return unlinkat (dir_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
}

/* Deletes an entry: the manifest first, so that a crash half-way leaves an
 * entry without a manifest, which recovery clears. */
static gboolean
entry_delete (Journal *j, const char *id, GError **error)
{
  int fd = pt_file_root_get_fd (j->transactions);
  g_autoptr(PtFileRoot) entry = entry_open (j, id, FALSE, NULL);

  if (entry != NULL)
    {
      if (unlinkat (pt_file_root_get_fd (entry), MANIFEST, 0) < 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot remove the journal entry %s: %s"),
                       pt_file_root_get_path (entry), g_strerror (saved));
          return FALSE;
        }
      fsync (pt_file_root_get_fd (entry));
    }
  if (!remove_flat_dir (fd, id))
    {
      int saved = errno;
      g_autofree char *shown = pt_file_root_display (j->transactions, id);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot remove the journal entry %s: %s"), shown, g_strerror (saved));
      return FALSE;
    }
  fsync (fd);
  return TRUE;
}

static gint
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const PtTransaction *ta = *(PtTransaction **) a;
  const PtTransaction *tb = *(PtTransaction **) b;

  if (ta->sequence != tb->sequence)
    return ta->sequence > tb->sequence ? -1 : 1;
  return -g_strcmp0 (ta->id, tb->id);
}

/* Every transaction with a manifest, newest first; @orphans (optional) gets
 * the ids of entries without one. */
static GPtrArray *
journal_load_all (Journal *j, GPtrArray *orphans, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_transaction_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  struct dirent *e;
  DIR *dir;
  int fd = fcntl (pt_file_root_get_fd (j->transactions), F_DUPFD_CLOEXEC, 3);

  dir = fd >= 0 ? fdopendir (fd) : NULL;
  if (dir == NULL)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot read the journal %s: %s"),
                   pt_file_root_get_path (j->transactions), g_strerror (saved));
      return NULL;
    }
  while ((e = readdir (dir)) != NULL)
    if (pt_journal_id_is_valid (e->d_name))
      g_ptr_array_add (names, g_strdup (e->d_name));
  closedir (dir);

  for (guint i = 0; i < names->len; i++)
    {
      const char *id = g_ptr_array_index (names, i);
      gboolean no_manifest = FALSE;
      PtTransaction *t = entry_load (j, id, &no_manifest, error);

      if (t != NULL)
        g_ptr_array_add (list, t);
      else if (no_manifest)
        {
          if (orphans != NULL)
            g_ptr_array_add (orphans, g_strdup (id));
        }
      else
        return NULL;
    }
  g_ptr_array_sort (list, compare_newest_first);
  return g_steal_pointer (&list);
}

/* ---- undo by content ---------------------------------------------------- */

typedef enum
{
  HOLDS_BEFORE,
  HOLDS_AFTER,
  HOLDS_OTHER,
} Holds;

static Holds
file_holds (PtJournalFile *f, GBytes *current)
{
  g_autofree char *sha = NULL;

  if (current == NULL)
    {
      if (!f->existed)
        return HOLDS_BEFORE;
      return f->sha256_after == NULL ? HOLDS_AFTER : HOLDS_OTHER;
    }
  sha = pt_fileutil_sha256 (current);
  if (g_strcmp0 (sha, f->sha256_after) == 0)
    return HOLDS_AFTER;
  if (f->existed && g_str_equal (sha, f->sha256_before))
    return HOLDS_BEFORE;
  return HOLDS_OTHER;
}

/* Newer applied transactions that wrote @path, for the refusal message. */
static char *
newer_writer (GPtrArray *all, PtTransaction *t, const char *path)
{
  for (guint i = 0; all != NULL && i < all->len; i++)
    {
      PtTransaction *other = g_ptr_array_index (all, i);

      if (other->sequence <= t->sequence || other->state != PT_TRANSACTION_APPLIED)
        continue;
      if (other->paths != NULL && g_strv_contains ((const char *const *) other->paths, path))
        return g_strdup (other->id);
    }
  return NULL;
}

/* Pass 1: every file must hold its contents from before or after @t.
 * Nothing is written. */
static gboolean
undo_check (Journal *j, PtTransaction *t, GPtrArray *all, gboolean force, GError **error)
{
  for (guint i = 0; i < t->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (t->files, i);
      g_autoptr(GBytes) current = NULL;

      if (!pt_fileutil_read (j->root, f->path, &current, NULL, NULL, error))
        return FALSE;
      if (file_holds (f, current) == HOLDS_OTHER && !force)
        {
          g_autofree char *shown = pt_file_root_display (j->root, f->path);
          g_autofree char *newer = newer_writer (all, t, f->path);

          if (newer != NULL)
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s was changed again by the later transaction %s. Roll that "
                           "one back first"), shown, newer);
          else if (current == NULL)
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s was removed after transaction %s. Nothing was restored; "
                           "to restore the files anyway, roll back with --force"),
                         shown, t->id);
          else
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s was changed after transaction %s: rolling back would discard "
                           "that change. Nothing was restored; undo the change by hand, or "
                           "roll back with --force to overwrite it"), shown, t->id);
          return FALSE;
        }
    }
  return TRUE;
}

/* Pass 2: puts every file back as it was before @t, last written first,
 * then removes the directories @t created when they are empty. */
static gboolean
undo_files (Journal *j, PtTransaction *t, gboolean force, GError **error)
{
  g_autoptr(PtFileRoot) entry = NULL;
  g_autoptr(GStrvBuilder) removed = g_strv_builder_new ();

  for (guint n = t->files->len; n > 0; n--)
    {
      PtJournalFile *f = g_ptr_array_index (t->files, n - 1);
      g_autoptr(GBytes) current = NULL;
      g_autoptr(GBytes) backup = NULL;
      g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *sha = NULL;
      struct stat st;
      Holds holds;

      f->outcome = PT_JOURNAL_FILE_UNCHANGED;
      if (!pt_fileutil_fault ("journal:restore", f->path, error)
          || !pt_fileutil_clean_temporaries (j->root, f->path, error)
          || !pt_fileutil_read (j->root, f->path, &current, &st, NULL, error))
        return FALSE;
      holds = file_holds (f, current);
      if (holds == HOLDS_OTHER && !force)
        {
          g_autofree char *shown = pt_file_root_display (j->root, f->path);

          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("%s was changed while transaction %s was being undone"),
                       shown, t->id);
          return FALSE;
        }

      if (!f->existed)
        {
          if (current == NULL)
            continue;
          if (!pt_fileutil_remove (j->root, f->path, error))
            return FALSE;
          f->outcome = PT_JOURNAL_FILE_REMOVED;
          continue;
        }

      /* Same bytes, mode and owner: nothing to write. */
      if (holds == HOLDS_BEFORE && (st.st_mode & 07777) == f->mode && st.st_uid == f->uid
          && st.st_gid == f->gid)
        continue;

      if (entry == NULL)
        {
          entry = entry_open (j, t->id, FALSE, error);
          if (entry == NULL)
            return FALSE;
        }
      if (!pt_fileutil_read (entry, f->backup, &backup, NULL, NULL, error))
        return FALSE;
      if (backup != NULL)
        sha = pt_fileutil_sha256 (backup);
      if (backup == NULL || !g_str_equal (sha, f->sha256_before))
        {
          g_autofree char *shown = pt_file_root_display (entry, f->backup);
          g_autofree char *target = pt_file_root_display (j->root, f->path);

          g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                       _("The backup %s of %s is missing or damaged; %s was not restored"),
                       shown, target, target);
          return FALSE;
        }
      /* A directory on the way may have been removed since: make it again
       * rather than lose the file. */
      if (!pt_fileutil_replace (j->root, f->path, backup, f->mode, f->uid, f->gid, made, error))
        return FALSE;
      f->outcome = PT_JOURNAL_FILE_RESTORED;
    }

  for (guint n = g_strv_length (t->created_dirs); n > 0; n--)
    {
      gboolean gone = FALSE;

      if (!pt_fileutil_remove_dir_if_empty (j->root, t->created_dirs[n - 1], &gone, error))
        return FALSE;
      if (gone)
        g_strv_builder_add (removed, t->created_dirs[n - 1]);
    }
  g_strfreev (t->removed_dirs);
  t->removed_dirs = g_strv_builder_end (removed);
  return TRUE;
}

/* Undoes one interrupted transaction and marks it rolled back. */
static gboolean
recover_one (Journal *j, PtTransaction *t, GPtrArray *all, gboolean force, GError **error)
{
  g_autoptr(GError) local = NULL;

  t->previous_state = t->state;
  if (!undo_check (j, t, all, force, &local) || !undo_files (j, t, force, &local))
    {
      g_set_error (error, local->domain, local->code,
                   _("Transaction %s was interrupted and could not be undone: %s"),
                   t->id, local->message);
      return FALSE;
    }
  t->state = PT_TRANSACTION_ROLLED_BACK;
  t->interrupted = TRUE;
  return entry_save (j, t, error);
}

/* Recovers everything interrupted; returns what it recovered. @all is
 * updated in place (states). */
static GPtrArray *
recover_locked (Journal *j, GPtrArray *all, gboolean force, GError **error)
{
  g_autoptr(GPtrArray) recovered = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    {
      PtTransaction *t = g_ptr_array_index (all, i);

      if (t->state != PT_TRANSACTION_APPLYING && t->state != PT_TRANSACTION_ROLLING_BACK)
        continue;
      if (!recover_one (j, t, all, force, error))
        return NULL;
      g_ptr_array_add (recovered, t);
    }
  return g_steal_pointer (&recovered);
}

/* Loads the journal, clears entries left without a manifest and recovers
 * interrupted transactions. */
static GPtrArray *
journal_prepare (Journal *j, gboolean force, GPtrArray **recovered, GError **error)
{
  g_autoptr(GPtrArray) orphans = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) all = journal_load_all (j, orphans, error);

  if (all == NULL)
    return NULL;
  /* A crash before the manifest was written: no target was touched. */
  for (guint i = 0; i < orphans->len; i++)
    if (!entry_delete (j, g_ptr_array_index (orphans, i), error))
      return NULL;
  *recovered = recover_locked (j, all, force, error);
  if (*recovered == NULL)
    return NULL;
  return g_steal_pointer (&all);
}

static PtTransaction *
transaction_copy (PtTransaction *t)
{
  PtTransaction *copy = transaction_new ();

  copy->id = g_strdup (t->id);
  copy->created = t->created;
  copy->state = t->state;
  copy->trial = t->trial;
  copy->summary = g_strdup (t->summary);
  copy->sequence = t->sequence;
  copy->interrupted = t->interrupted;
  copy->previous_state = t->previous_state;
  for (guint i = 0; i < t->regenerate->len; i++)
    g_ptr_array_add (copy->regenerate, g_strdupv (g_ptr_array_index (t->regenerate, i)));
  for (guint i = 0; i < t->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (t->files, i);
      PtJournalFile *c = g_new0 (PtJournalFile, 1);

      *c = *f;
      c->path = g_strdup (f->path);
      c->sha256_before = g_strdup (f->sha256_before);
      c->sha256_after = g_strdup (f->sha256_after);
      c->backup = g_strdup (f->backup);
      g_ptr_array_add (copy->files, c);
    }
  transaction_update_paths (copy);
  g_strfreev (copy->created_dirs);
  copy->created_dirs = g_strdupv (t->created_dirs);
  g_strfreev (copy->removed_dirs);
  copy->removed_dirs = g_strdupv (t->removed_dirs);
  return copy;
}

/* ---- apply -------------------------------------------------------------- */

static char *
new_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("%s-%04x", stamp, g_random_int_range (0, 0x10000));
}

static gboolean
bytes_equal0 (GBytes *a, GBytes *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_bytes_equal (a, b);
}

/* Makes transactions/ID/ with a fresh id. */
static char *
entry_create (Journal *j, GError **error)
{
  int fd = pt_file_root_get_fd (j->transactions);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *id = new_id ();

      if (mkdirat (fd, id, 0755) == 0)
        {
          fsync (fd);
          return g_steal_pointer (&id);
        }
      if (errno != EEXIST)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot create a journal entry in %s: %s"),
                       pt_file_root_get_path (j->transactions), g_strerror (saved));
          return NULL;
        }
    }
  g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
               _("Cannot create a journal entry in %s: every name tried is taken"),
               pt_file_root_get_path (j->transactions));
  return NULL;
}

static void
add_unique_dir (GPtrArray *dirs, const char *dir)
{
  for (guint i = 0; i < dirs->len; i++)
    if (g_str_equal (g_ptr_array_index (dirs, i), dir))
      return;
  g_ptr_array_add (dirs, g_strdup (dir));
}

static gboolean
validate_changes (GPtrArray *changes, const char *root, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (changes, i);

      if (c == NULL || !pt_fileutil_path_is_safe (c->path))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("Refusing the path “%s” under %s: only plain relative paths without "
                         "“..” are written"), c != NULL && c->path ? c->path : "", root);
          return FALSE;
        }
      /* Removing a file that is not there is no change: a backend bug. */
      if (c->new_contents == NULL && c->old_contents == NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                       _("The plan removes %s, which did not exist; nothing was written"),
                       c->path);
          return FALSE;
        }
      if (!g_hash_table_add (seen, c->path))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("The plan changes %s twice; nothing was written"), c->path);
          return FALSE;
        }
    }
  return TRUE;
}

PtTransaction *
pt_journal_apply (const char *root, GPtrArray *changes, GPtrArray *regenerate,
                  const char *summary, gboolean trial, GError **error)
{
  g_autoptr(Journal) j = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) recovered = NULL;
  g_autoptr(GPtrArray) currents = NULL;
  g_autoptr(GPtrArray) dirs = NULL;
  g_autoptr(GPtrArray) made = NULL;
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(PtFileRoot) entry = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GError) undo_error = NULL;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (changes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (changes->len == 0)
    return NULL;
  if (!validate_changes (changes, root, error))
    return NULL;

  j = journal_open (root, TRUE, error);
  if (j == NULL)
    return NULL;
  all = journal_prepare (j, FALSE, &recovered, error);
  if (all == NULL)
    return NULL;

  t = transaction_new ();
  t->created = g_get_real_time () / G_USEC_PER_SEC;
  t->trial = trial;
  t->summary = g_strdup (summary);
  t->state = PT_TRANSACTION_APPLYING;
  t->sequence = all->len > 0 ? ((PtTransaction *) g_ptr_array_index (all, 0))->sequence + 1 : 1;
  for (guint i = 0; regenerate != NULL && i < regenerate->len; i++)
    g_ptr_array_add (t->regenerate, g_strdupv (g_ptr_array_index (regenerate, i)));

  /* Step 2: all checks before anything is written. */
  currents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  dirs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (changes, i);
      g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GBytes) current = NULL;
      PtJournalFile *f;
      struct stat st;

      if (!pt_fileutil_read (j->root, c->path, &current, &st, missing, error))
        return NULL;
      if (!bytes_equal0 (current, c->old_contents))
        {
          g_autofree char *shown = pt_file_root_display (j->root, c->path);

          if (c->old_contents == NULL)
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s was created after the plan was made. Nothing was written; "
                           "plan again and apply the new plan"), shown);
          else if (current == NULL)
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s was removed after the plan was made. Nothing was written; "
                           "plan again and apply the new plan"), shown);
          else
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s was changed after the plan was made. Nothing was written; "
                           "plan again and apply the new plan"), shown);
          return NULL;
        }

      f = g_new0 (PtJournalFile, 1);
      f->path = g_strdup (c->path);
      f->existed = current != NULL;
      f->sha256_after = c->new_contents != NULL ? pt_fileutil_sha256 (c->new_contents) : NULL;
      if (f->existed)
        {
          f->mode = st.st_mode & 07777;
          f->uid = st.st_uid;
          f->gid = st.st_gid;
          f->sha256_before = pt_fileutil_sha256 (current);
          f->backup = g_strdup_printf (FILES_DIR "/%u", i);
        }
      else
        {
          f->mode = (c->mode & 07777) != 0 ? (c->mode & 07777) : 0644;
          f->uid = geteuid ();
          f->gid = getegid ();
        }
      g_ptr_array_add (t->files, f);
      g_ptr_array_add (currents, current != NULL ? g_bytes_ref (current) : NULL);
      for (guint k = 0; k < missing->len; k++)
        add_unique_dir (dirs, g_ptr_array_index (missing, k));
    }
  transaction_update_paths (t);
  g_strfreev (t->created_dirs);
  g_ptr_array_add (dirs, NULL);
  t->created_dirs = (GStrv) g_ptr_array_steal (dirs, NULL);

  /* Step 3: the entry and the backups. Until the manifest exists a crash
   * leaves an entry without one, which recovery deletes. */
  t->id = entry_create (j, error);
  if (t->id == NULL)
    return NULL;
  entry = entry_open (j, t->id, FALSE, &local);
  if (entry == NULL)
    goto fail;
  made = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < t->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (t->files, i);

      if (!f->existed)
        continue;
      /* Backups keep the permission bits (a 0600 file stays private) but
       * not set-id bits; their owner is the journal's. */
      if (!pt_fileutil_fault ("journal:backup", f->path, &local)
          || !pt_fileutil_replace (entry, f->backup, g_ptr_array_index (currents, i),
                                   f->mode & 0777, (uid_t) -1, (gid_t) -1, made, &local))
        goto fail;
    }

  /* Step 4. */
  if (!pt_fileutil_fault ("journal:manifest", NULL, &local) || !entry_save (j, t, &local))
    goto fail;

  /* Step 5. */
  for (guint i = 0; i < changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (changes, i);
      PtJournalFile *f = g_ptr_array_index (t->files, i);
      g_autoptr(GPtrArray) new_dirs = g_ptr_array_new_with_free_func (g_free);

      if (!pt_fileutil_fault ("journal:write", f->path, &local))
        goto fail;
      if (c->new_contents == NULL)
        {
          if (!pt_fileutil_remove (j->root, f->path, &local))
            goto fail;
        }
      else if (!pt_fileutil_replace (j->root, f->path, c->new_contents, f->mode,
                                     f->existed ? f->uid : (uid_t) -1,
                                     f->existed ? f->gid : (gid_t) -1, new_dirs, &local))
        goto fail;
    }

  /* Step 6. */
  t->state = PT_TRANSACTION_APPLIED;
  t->previous_state = PT_TRANSACTION_APPLIED;
  if (!pt_fileutil_fault ("journal:commit", NULL, &local) || !entry_save (j, t, &local))
    {
      t->state = PT_TRANSACTION_APPLYING;
      goto fail;
    }
  g_debug ("Applied transaction %s (%u files)", t->id, t->files->len);
  return g_steal_pointer (&t);

fail:
  /* Undo by content: whatever step failed, each target holds either its
   * old or its new contents. */
  if (undo_check (j, t, NULL, FALSE, &undo_error) && undo_files (j, t, FALSE, &undo_error)
      && entry_delete (j, t->id, &undo_error))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  g_set_error (error, local->domain, local->code,
               _("%s. Restoring the earlier files failed too: %s. The journal keeps "
                 "transaction %s; “passthroughctl rollback %s” retries"),
               local->message, undo_error->message, t->id, t->id);
  return NULL;
}

/* ---- rollback, recovery, listing ---------------------------------------- */

static gboolean
no_journal (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

PtTransaction *
pt_journal_rollback (const char *root, const char *id, gboolean force, GError **error)
{
  g_autoptr(Journal) j = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) recovered = NULL;
  g_autoptr(GError) local = NULL;
  PtTransaction *t = NULL;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (id != NULL && !pt_journal_id_is_valid (id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a transaction id: ids are letters, digits and “-”, "
                     "like 20250101T120000Z-3f2a"), id);
      return NULL;
    }

  j = journal_open (root, FALSE, &local);
  if (j == NULL)
    {
      if (!no_journal (local))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (id != NULL)
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                     _("There is no transaction %s: %s has no journal of changes"),
                     id, root);
      else
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                     _("There is nothing to roll back: %s has no journal of changes"), root);
      return NULL;
    }

  all = journal_prepare (j, force, &recovered, error);
  if (all == NULL)
    return NULL;

  for (guint i = 0; i < all->len && t == NULL; i++)
    {
      PtTransaction *candidate = g_ptr_array_index (all, i);

      if (id == NULL || g_str_equal (candidate->id, id))
        t = candidate;
    }
  if (t == NULL)
    {
      if (id != NULL)
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                     _("There is no transaction %s in the journal %s"),
                     id, pt_file_root_get_path (j->dir));
      else
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                     _("There is nothing to roll back: the journal %s is empty"),
                     pt_file_root_get_path (j->dir));
      return NULL;
    }

  /* Recovered just now, or rolled back before: nothing more to do. */
  if (g_ptr_array_find (recovered, t, NULL) || t->state == PT_TRANSACTION_ROLLED_BACK)
    return transaction_copy (t);

  t->previous_state = PT_TRANSACTION_APPLIED;
  if (!undo_check (j, t, all, force, error))
    return NULL;
  t->state = PT_TRANSACTION_ROLLING_BACK;
  if (!pt_fileutil_fault ("journal:rollback-manifest", NULL, error) || !entry_save (j, t, error))
    return NULL;
  if (!undo_files (j, t, force, &local))
    {
      g_set_error (error, local->domain, local->code,
                   _("Rolling back transaction %s stopped: %s. Run the rollback again to "
                     "finish it"), t->id, local->message);
      return NULL;
    }
  t->state = PT_TRANSACTION_ROLLED_BACK;
  if (!pt_fileutil_fault ("journal:rollback-commit", NULL, error) || !entry_save (j, t, error))
    return NULL;
  return transaction_copy (t);
}

GPtrArray *
pt_journal_recover (const char *root, gboolean force, GError **error)
{
  g_autoptr(Journal) j = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) recovered = NULL;
  g_autoptr(GError) local = NULL;
  GPtrArray *result;

  g_return_val_if_fail (root != NULL, NULL);

  j = journal_open (root, FALSE, &local);
  if (j == NULL)
    {
      if (no_journal (local))
        return g_ptr_array_new_with_free_func ((GDestroyNotify) pt_transaction_free);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  all = journal_prepare (j, force, &recovered, error);
  if (all == NULL)
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_transaction_free);
  for (guint i = 0; i < recovered->len; i++)
    g_ptr_array_add (result, transaction_copy (g_ptr_array_index (recovered, i)));
  return result;
}

/* Reading needs no lock: manifests are replaced atomically. */
static Journal *
journal_open_unlocked (const char *root, GError **error)
{
  g_autoptr(Journal) j = g_new0 (Journal, 1);

  j->root = pt_file_root_open (root, error);
  if (j->root == NULL)
    return NULL;
  j->dir = pt_file_root_open_subdir (j->root, JOURNAL_DIR, FALSE, error);
  if (j->dir == NULL)
    return NULL;
  j->transactions = pt_file_root_open_subdir (j->dir, TRANSACTIONS_DIR, FALSE, error);
  if (j->transactions == NULL)
    return NULL;
  return g_steal_pointer (&j);
}

GPtrArray *
pt_journal_list (const char *root, GError **error)
{
  g_autoptr(Journal) j = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  j = journal_open_unlocked (root, &local);
  if (j == NULL)
    {
      if (no_journal (local))
        return g_ptr_array_new_with_free_func ((GDestroyNotify) pt_transaction_free);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return journal_load_all (j, NULL, error);
}

PtTransaction *
pt_journal_get (const char *root, const char *id, GError **error)
{
  g_autoptr(Journal) j = NULL;
  g_autoptr(GError) local = NULL;
  PtTransaction *t;
  gboolean no_manifest = FALSE;

  g_return_val_if_fail (root != NULL, NULL);

  if (!pt_journal_id_is_valid (id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a transaction id: ids are letters, digits and “-”, "
                     "like 20250101T120000Z-3f2a"), id != NULL ? id : "");
      return NULL;
    }
  j = journal_open_unlocked (root, &local);
  if (j != NULL)
    {
      g_clear_error (&local);
      t = entry_load (j, id, &no_manifest, &local);
      if (t != NULL)
        return t;
    }
  if (local != NULL && !no_journal (local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
               _("There is no transaction %s under %s"), id, root);
  return NULL;
}

JsonNode *
pt_transaction_to_json (PtTransaction *t)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (t != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, t->id);
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, t->created);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, pt_transaction_state_to_string (t->state));
  json_builder_set_member_name (b, "trial");
  json_builder_add_boolean_value (b, t->trial);
  json_builder_set_member_name (b, "interrupted");
  json_builder_add_boolean_value (b, t->interrupted);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (t->files, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, f->path);
      json_builder_set_member_name (b, "existed");
      json_builder_add_boolean_value (b, f->existed);
      json_builder_set_member_name (b, "change");
      json_builder_add_string_value (b, !f->existed ? "created"
                                        : f->sha256_after == NULL ? "removed" : "modified");
      json_builder_set_member_name (b, "outcome");
      json_builder_add_string_value (b, outcome_to_string (f->outcome));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_strv (b, "created_dirs", (const char *const *) t->created_dirs);
  add_strv (b, "removed_dirs", (const char *const *) t->removed_dirs);
  json_builder_set_member_name (b, "regenerate");
  json_builder_begin_array (b);
  for (guint i = 0; i < t->regenerate->len; i++)
    add_strv (b, NULL, g_ptr_array_index (t->regenerate, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
