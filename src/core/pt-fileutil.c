/* pt-fileutil.c: safe path resolution under a host root and atomic file
 * replacement. Every path is walked from the root's directory handle one
 * component at a time with O_NOFOLLOW, so a symlink planted anywhere below
 * the root (etc -> /etc, grub -> /etc/shadow) is refused rather than
 * followed, whatever the caller's privileges. */
#define G_LOG_DOMAIN "pt-fileutil"

#include "config.h"

#include <glib/gi18n.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-fileutil.h"

struct _PtFileRoot
{
  int   fd;
  char *path;
};

static PtFaultHook fault_hook;
static gpointer    fault_hook_data;

/* ---- roots -------------------------------------------------------------- */

PtFileRoot *
pt_file_root_open (const char *path, GError **error)
{
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, PT_ERROR, PT_ERROR_NO_ROOT,
                   _("Cannot open the host root %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  return pt_file_root_new_for_fd (fd, path);
}

PtFileRoot *
pt_file_root_new_for_fd (int fd, const char *path)
{
  PtFileRoot *root = g_new0 (PtFileRoot, 1);

  root->fd = fd;
  root->path = g_strdup (path);
  return root;
}

void
pt_file_root_free (PtFileRoot *root)
{
  if (root == NULL)
    return;
  if (root->fd >= 0)
    close (root->fd);
  g_free (root->path);
  g_free (root);
}

const char *
pt_file_root_get_path (PtFileRoot *root)
{
  return root->path;
}

int
pt_file_root_get_fd (PtFileRoot *root)
{
  return root->fd;
}

char *
pt_file_root_display (PtFileRoot *root, const char *path)
{
  return g_build_filename (root->path, path, NULL);
}

/* ---- faults ------------------------------------------------------------- */

void
pt_fileutil_set_fault_hook (PtFaultHook hook, gpointer user_data)
{
  fault_hook = hook;
  fault_hook_data = user_data;
}

gboolean
pt_fileutil_fault (const char *point, const char *path, GError **error)
{
  if (fault_hook == NULL || fault_hook (point, path, fault_hook_data))
    return TRUE;
  /* Only tests see this. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Injected fault at %s (%s)", point,
               path != NULL ? path : "-");
  return FALSE;
}

/* ---- helpers ------------------------------------------------------------ */

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static gboolean
set_io_error (GError **error, int saved_errno, const char *format, const char *what)
{
  g_autofree char *message = NULL;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  message = g_strdup_printf (format, what, g_strerror (saved_errno));
#pragma GCC diagnostic pop
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), message);
  return FALSE;
}

gboolean
pt_fileutil_path_is_safe (const char *path)
{
  const char *p;
  const char *start;

  if (path == NULL || *path == '\0' || *path == '/' || strlen (path) >= PATH_MAX)
    return FALSE;
  if (!g_utf8_validate (path, -1, NULL))
    return FALSE;
  for (p = path; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;

  start = path;
  for (;;)
    {
      const char *end = strchr (start, '/');
      gsize len = end ? (gsize) (end - start) : strlen (start);

      if (len == 0 || len > NAME_MAX)
        return FALSE;
      if ((len == 1 && start[0] == '.') || (len == 2 && start[0] == '.' && start[1] == '.'))
        return FALSE;
      if (end == NULL)
        break;
      start = end + 1;
    }
  return TRUE;
}

static gboolean
refuse_unsafe_path (PtFileRoot *root, const char *path, GError **error)
{
  if (pt_fileutil_path_is_safe (path))
    return TRUE;
  g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
               _("Refusing the path “%s” under %s: only plain relative paths without "
                 "“..” are written"), path, root->path);
  return FALSE;
}

/* Says why @name in @dir_fd could not be opened as a directory. */
static gboolean
refuse_component (PtFileRoot *root, int dir_fd, const char *name, const char *prefix,
                  int saved_errno, GError **error)
{
  g_autofree char *shown = pt_file_root_display (root, prefix);
  struct stat st;

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISLNK (st.st_mode))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("Refusing %s: it is a symbolic link, and links under the host root "
                         "are not followed. Replace it with the directory it points to"),
                       shown);
          return FALSE;
        }
      if (!S_ISDIR (st.st_mode))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("Refusing %s: it is not a directory"), shown);
          return FALSE;
        }
    }
  return set_io_error (error, saved_errno, _("Cannot open the directory %s: %s"), shown);
}

static int
open_dir_nofollow (int dir_fd, const char *name)
{
  return openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Walks @parts[0 .. @n - 1] below the root and returns the deepest directory
 * reached; *@depth says how many components that is. With @created, missing
 * directories are made and recorded; without, the walk stops at the first
 * missing one. */
static int
walk_dirs (PtFileRoot *root, char **parts, guint n, GPtrArray *created, guint *depth,
           GError **error)
{
  g_autoptr(GString) prefix = g_string_new (NULL);
  int fd = fcntl (root->fd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0)
    {
      set_io_error (error, errno, _("Cannot open the host root %s: %s"), root->path);
      return -1;
    }

  for (guint i = 0; i < n; i++)
    {
      int next;

      if (i > 0)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, parts[i]);

      next = open_dir_nofollow (fd, parts[i]);
      if (next < 0 && errno == ENOENT)
        {
          gboolean made = FALSE;

          if (created == NULL)
            {
              *depth = i;
              return fd;
            }
          if (!pt_fileutil_fault ("replace:mkdir", prefix->str, error))
            {
              close_fd (&fd);
              return -1;
            }
          if (mkdirat (fd, parts[i], 0755) == 0)
            made = TRUE;
          else if (errno != EEXIST)
            {
              g_autofree char *shown = pt_file_root_display (root, prefix->str);

              set_io_error (error, errno, _("Cannot create the directory %s: %s"), shown);
              close_fd (&fd);
              return -1;
            }
          next = open_dir_nofollow (fd, parts[i]);
          if (next >= 0 && made)
            {
              /* 0755 whatever the umask: these are system directories such
               * as etc/modprobe.d. The parent's entry must reach the disk
               * before anything is written below it. */
              if (fchmod (next, 0755) < 0 || fsync (fd) < 0)
                {
                  g_autofree char *shown = pt_file_root_display (root, prefix->str);

                  set_io_error (error, errno, _("Cannot create the directory %s: %s"), shown);
                  close_fd (&next);
                  close_fd (&fd);
                  return -1;
                }
              g_ptr_array_add (created, g_strdup (prefix->str));
            }
        }
      if (next < 0)
        {
          refuse_component (root, fd, parts[i], prefix->str, errno, error);
          close_fd (&fd);
          return -1;
        }
      close_fd (&fd);
      fd = next;
    }
  *depth = n;
  return fd;
}

PtFileRoot *
pt_file_root_open_subdir (PtFileRoot *root, const char *path, gboolean create, GError **error)
{
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = NULL;
  g_autofree char *shown = NULL;
  guint n;
  guint depth = 0;
  int fd;

  g_return_val_if_fail (root != NULL, NULL);

  if (!refuse_unsafe_path (root, path, error))
    return NULL;
  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts);
  fd = walk_dirs (root, parts, n, create ? created : NULL, &depth, error);
  if (fd < 0)
    return NULL;
  shown = pt_file_root_display (root, path);
  if (depth < n)
    {
      close (fd);
      set_io_error (error, ENOENT, _("Cannot open the directory %s: %s"), shown);
      return NULL;
    }
  return pt_file_root_new_for_fd (fd, shown);
}

/* The directory holding @path and the file name in it; -1 on error. With
 * @missing (and no @created) a missing directory is not an error: the
 * returned fd is -1 with no error and @missing lists what is absent. */
static int
open_parent (PtFileRoot *root, const char *path, GPtrArray *created, GPtrArray *missing,
             gboolean *absent, char **name, GError **error)
{
  g_auto(GStrv) parts = NULL;
  guint n;
  guint depth = 0;
  int fd;

  if (!refuse_unsafe_path (root, path, error))
    return -1;
  parts = g_strsplit (path, "/", -1);
  n = g_strv_length (parts) - 1;
  fd = walk_dirs (root, parts, n, created, &depth, error);
  if (fd < 0)
    return -1;
  if (depth < n)
    {
      g_autoptr(GString) prefix = g_string_new (NULL);

      close_fd (&fd);
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append_c (prefix, '/');
          g_string_append (prefix, parts[i]);
          if (i >= depth && missing != NULL)
            g_ptr_array_add (missing, g_strdup (prefix->str));
        }
      *absent = TRUE;
      return -1;
    }
  *absent = FALSE;
  *name = g_strdup (parts[n]);
  return fd;
}

static gboolean
refuse_target (PtFileRoot *root, const char *path, const struct stat *st, GError **error)
{
  g_autofree char *shown = pt_file_root_display (root, path);

  if (S_ISLNK (st->st_mode))
    g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                 _("Refusing %s: it is a symbolic link, and links under the host root are "
                   "not followed. Replace it with the file it points to"), shown);
  else
    g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                 _("Refusing %s: it is not a regular file"), shown);
  return FALSE;
}

/* ---- reading ------------------------------------------------------------ */

gboolean
pt_fileutil_read (PtFileRoot *root, const char *path, GBytes **contents, struct stat *st,
                  GPtrArray *missing_dirs, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(GByteArray) buffer = NULL;
  struct stat lst;
  struct stat fst;
  gboolean absent = FALSE;
  int dir_fd;
  int fd;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  *contents = NULL;
  dir_fd = open_parent (root, path, NULL, missing_dirs, &absent, &name, error);
  if (dir_fd < 0)
    return absent;

  shown = pt_file_root_display (root, path);
  if (fstatat (dir_fd, name, &lst, AT_SYMLINK_NOFOLLOW) < 0)
    {
      int saved = errno;

      close (dir_fd);
      if (saved == ENOENT)
        return TRUE;
      return set_io_error (error, saved, _("Cannot read %s: %s"), shown);
    }
  if (!S_ISREG (lst.st_mode))
    {
      close (dir_fd);
      return refuse_target (root, path, &lst, error);
    }

  /* O_NONBLOCK: should a FIFO replace the file after the check, opening
   * it must not hang; fstat below refuses it. */
  fd = openat (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  close (dir_fd);
  if (fd < 0)
    {
      int saved = errno;

      if (saved == ELOOP)
        {
          lst.st_mode = S_IFLNK;
          return refuse_target (root, path, &lst, error);
        }
      return set_io_error (error, saved, _("Cannot read %s: %s"), shown);
    }
  if (fstat (fd, &fst) < 0 || !S_ISREG (fst.st_mode) || fst.st_ino != lst.st_ino
      || fst.st_dev != lst.st_dev)
    {
      close (fd);
      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("Refusing %s: it was replaced while being read"), shown);
      return FALSE;
    }

  buffer = g_byte_array_sized_new (fst.st_size > 0 && fst.st_size < PT_FILEUTIL_MAX_SIZE
                                   ? (guint) fst.st_size + 1 : 4096);
  for (;;)
    {
      guint8 chunk[16384];
      ssize_t got = read (fd, chunk, sizeof chunk);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          close (fd);
          return set_io_error (error, saved, _("Cannot read %s: %s"), shown);
        }
      if (got == 0)
        break;
      if (buffer->len + (gsize) got > PT_FILEUTIL_MAX_SIZE)
        {
          close (fd);
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("Refusing %s: it is larger than %d MiB, which no configuration "
                         "file is"), shown, PT_FILEUTIL_MAX_SIZE / (1024 * 1024));
          return FALSE;
        }
      g_byte_array_append (buffer, chunk, (guint) got);
    }
  close (fd);

  if (st != NULL)
    *st = fst;
  *contents = g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
  return TRUE;
}

/* ---- writing ------------------------------------------------------------ */

static gboolean
write_all (int fd, GBytes *contents)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (contents, &len);

  while (len > 0)
    {
      ssize_t done = write (fd, data, len);

      if (done < 0 && errno == EINTR)
        continue;
      if (done < 0)
        return FALSE;
      data += done;
      len -= (gsize) done;
    }
  return TRUE;
}

static char *
temporary_name (const char *name)
{
  static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  char suffix[7];

  for (guint i = 0; i < 6; i++)
    suffix[i] = chars[g_random_int_range (0, sizeof chars - 1)];
  suffix[6] = '\0';
  return g_strdup_printf (".%s.pt-%s", name, suffix);
}

static gboolean
is_temporary_for (const char *entry, const char *name)
{
  gsize name_len = strlen (name);

  return strlen (entry) == 1 + name_len + 4 + 6
    && entry[0] == '.'
    && strncmp (entry + 1, name, name_len) == 0
    && strncmp (entry + 1 + name_len, ".pt-", 4) == 0;
}

gboolean
pt_fileutil_replace (PtFileRoot *root, const char *path, GBytes *contents, guint32 mode,
                     uid_t uid, gid_t gid, GPtrArray *created_dirs, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *tmp = NULL;
  struct stat st;
  gboolean absent = FALSE;
  int dir_fd;
  int fd = -1;
  int saved;

  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  dir_fd = open_parent (root, path, created_dirs, NULL, &absent, &name, error);
  if (dir_fd < 0)
    {
      if (absent)
        {
          g_autofree char *parent = g_path_get_dirname (path);
          g_autofree char *shown_parent = pt_file_root_display (root, parent);

          set_io_error (error, ENOENT, _("Cannot write into %s: %s"), shown_parent);
        }
      return FALSE;
    }
  shown = pt_file_root_display (root, path);

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG (st.st_mode))
    {
      close (dir_fd);
      return refuse_target (root, path, &st, error);
    }

  for (guint attempt = 0; fd < 0 && attempt < 100; attempt++)
    {
      g_free (tmp);
      tmp = temporary_name (name);
      fd = openat (dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
                   0600);
      if (fd < 0 && errno != EEXIST)
        break;
    }
  if (fd < 0)
    {
      saved = errno;
      close (dir_fd);
      return set_io_error (error, saved, _("Cannot write %s: %s"), shown);
    }

  if (!pt_fileutil_fault ("replace:temp-created", path, error))
    goto fail_quiet;

  if (fstat (fd, &st) < 0)
    goto fail;
  /* Owner before mode: chown clears set-id bits. */
  if ((uid != (uid_t) -1 && uid != st.st_uid) || (gid != (gid_t) -1 && gid != st.st_gid))
    if (fchown (fd, uid, gid) < 0)
      goto fail;
  if (fchmod (fd, mode & 07777) < 0)
    goto fail;
  if (!write_all (fd, contents) || fsync (fd) < 0)
    goto fail;
  if (!pt_fileutil_fault ("replace:temp-written", path, error))
    goto fail_quiet;
  if (close (fd) < 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;

  if (renameat (dir_fd, tmp, dir_fd, name) < 0)
    goto fail;
  if (!pt_fileutil_fault ("replace:renamed", path, error))
    {
      close (dir_fd);
      return FALSE;
    }
  if (fsync (dir_fd) < 0)
    {
      saved = errno;
      close (dir_fd);
      return set_io_error (error, saved, _("Cannot write %s: %s"), shown);
    }
  close (dir_fd);
  return TRUE;

fail:
  saved = errno;
  set_io_error (error, saved, _("Cannot write %s: %s"), shown);
fail_quiet:
  close_fd (&fd);
  unlinkat (dir_fd, tmp, 0);
  close (dir_fd);
  return FALSE;
}

gboolean
pt_fileutil_remove (PtFileRoot *root, const char *path, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *shown = NULL;
  struct stat st;
  gboolean absent = FALSE;
  int dir_fd;
  int saved;

  g_return_val_if_fail (root != NULL, FALSE);

  dir_fd = open_parent (root, path, NULL, NULL, &absent, &name, error);
  if (dir_fd < 0)
    return absent;
  shown = pt_file_root_display (root, path);

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      saved = errno;
      close (dir_fd);
      if (saved == ENOENT)
        return TRUE;
      return set_io_error (error, saved, _("Cannot remove %s: %s"), shown);
    }
  if (!S_ISREG (st.st_mode))
    {
      close (dir_fd);
      return refuse_target (root, path, &st, error);
    }
  if (!pt_fileutil_fault ("remove", path, error))
    {
      close (dir_fd);
      return FALSE;
    }
  if (unlinkat (dir_fd, name, 0) < 0 && errno != ENOENT)
    {
      saved = errno;
      close (dir_fd);
      return set_io_error (error, saved, _("Cannot remove %s: %s"), shown);
    }
  if (fsync (dir_fd) < 0)
    {
      saved = errno;
      close (dir_fd);
      return set_io_error (error, saved, _("Cannot remove %s: %s"), shown);
    }
  close (dir_fd);
  return TRUE;
}

gboolean
pt_fileutil_remove_dir_if_empty (PtFileRoot *root, const char *path, gboolean *removed,
                                 GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *shown = NULL;
  struct stat st;
  gboolean absent = FALSE;
  int dir_fd;
  int saved;

  g_return_val_if_fail (root != NULL, FALSE);

  if (removed != NULL)
    *removed = FALSE;
  dir_fd = open_parent (root, path, NULL, NULL, &absent, &name, error);
  if (dir_fd < 0)
    return absent;
  shown = pt_file_root_display (root, path);

  /* Someone put something else there: it is theirs now. */
  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR (st.st_mode))
    {
      close (dir_fd);
      return TRUE;
    }
  if (!pt_fileutil_fault ("remove-dir", path, error))
    {
      close (dir_fd);
      return FALSE;
    }
  if (unlinkat (dir_fd, name, AT_REMOVEDIR) < 0)
    {
      saved = errno;
      close (dir_fd);
      if (saved == ENOTEMPTY || saved == EEXIST || saved == ENOENT)
        return TRUE;
      return set_io_error (error, saved, _("Cannot remove the directory %s: %s"), shown);
    }
  if (fsync (dir_fd) < 0)
    {
      saved = errno;
      close (dir_fd);
      return set_io_error (error, saved, _("Cannot remove the directory %s: %s"), shown);
    }
  close (dir_fd);
  if (removed != NULL)
    *removed = TRUE;
  return TRUE;
}

gboolean
pt_fileutil_clean_temporaries (PtFileRoot *root, const char *path, GError **error)
{
  g_autofree char *name = NULL;
  gboolean absent = FALSE;
  gboolean removed_any = FALSE;
  struct dirent *entry;
  DIR *dir;
  int dir_fd;
  int list_fd;

  dir_fd = open_parent (root, path, NULL, NULL, &absent, &name, error);
  if (dir_fd < 0)
    return absent;

  list_fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);
  dir = list_fd >= 0 ? fdopendir (list_fd) : NULL;
  if (dir == NULL)
    {
      g_autofree char *parent = g_path_get_dirname (path);
      g_autofree char *shown = pt_file_root_display (root, parent);
      int saved = errno;

      if (list_fd >= 0)
        close (list_fd);
      close (dir_fd);
      return set_io_error (error, saved, _("Cannot read the directory %s: %s"), shown);
    }
  while ((entry = readdir (dir)) != NULL)
    {
      struct stat st;

      if (!is_temporary_for (entry->d_name, name))
        continue;
      if (fstatat (dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode)
          && unlinkat (dir_fd, entry->d_name, 0) == 0)
        removed_any = TRUE;
    }
  closedir (dir);
  if (removed_any)
    fsync (dir_fd);
  close (dir_fd);
  return TRUE;
}

char *
pt_fileutil_sha256 (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

char *
pt_fileutil_find_companion (const char *beside,
                            GFileTest   test,
                            const char *installed)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *path = g_build_filename (dir, beside, NULL);

      if (g_file_test (path, test))
        return g_steal_pointer (&path);
    }
  return g_strdup (installed);
}
