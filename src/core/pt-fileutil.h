/* pt-fileutil.h: files under a host root, reached one directory at a time
 * without following symlinks, read whole and replaced atomically (temporary
 * file in the same directory, fsync, rename, fsync of the directory). Used
 * by the journal and the daemon; nothing here knows about transactions. */
#pragma once

#include <gio/gio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "pt-types.h"

G_BEGIN_DECLS

/* Files larger than this are refused: configuration files are small, and
 * the whole content is held in memory and in the journal. */
#define PT_FILEUTIL_MAX_SIZE (16 * 1024 * 1024)

/* A host root opened once: operations go through its directory handle, so
 * the root itself may be (or sit behind) a symlink the caller chose, but
 * nothing below it is followed. */
typedef struct _PtFileRoot PtFileRoot;

PtFileRoot  *pt_file_root_open      (const char  *path,
                                     GError     **error);
/* Takes ownership of @fd (a directory); @path is only for messages. */
PtFileRoot  *pt_file_root_new_for_fd (int          fd,
                                      const char  *path);
void         pt_file_root_free      (PtFileRoot  *root);
const char  *pt_file_root_get_path  (PtFileRoot  *root);
int          pt_file_root_get_fd    (PtFileRoot  *root);
/* Opens the directory ROOT/@path (no symlinks on the way) as a root of its
 * own. With @create, missing directories are made (0755); without, a
 * missing one is G_IO_ERROR_NOT_FOUND. */
PtFileRoot  *pt_file_root_open_subdir (PtFileRoot  *root,
                                       const char  *path,
                                       gboolean     create,
                                       GError     **error);
/* "ROOT/PATH" for messages ("/etc/default/grub" for the root "/"). */
char        *pt_file_root_display   (PtFileRoot  *root,
                                     const char  *path);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtFileRoot, pt_file_root_free)

/* TRUE when @path is relative, not empty, shorter than PATH_MAX, and made of
 * components that are neither empty, "." nor "..", without control
 * characters. Every path below must pass this. */
gboolean     pt_fileutil_path_is_safe (const char *path);

/* Reads ROOT/@path, a regular file reached without symlinks. When it (or a
 * directory on the way) does not exist, sets *@contents to NULL and returns
 * TRUE; @missing_dirs (optional) then gets the directories that would have to
 * be created, parents first. @st (optional) gets the file's status. Refuses
 * (PT_ERROR_REFUSED) a symlink, a non-directory on the way, a target that is
 * not a regular file, and a file over PT_FILEUTIL_MAX_SIZE. */
gboolean     pt_fileutil_read       (PtFileRoot   *root,
                                     const char   *path,
                                     GBytes      **contents,
                                     struct stat  *st,
                                     GPtrArray    *missing_dirs,
                                     GError      **error);

/* Replaces or creates ROOT/@path with @contents atomically: a temporary file
 * ".NAME.pt-XXXXXX" (O_EXCL) in the same directory, owner @uid:@gid (-1:
 * whoever creates it), mode @mode (permission bits, umask ignored), written,
 * fsynced, renamed over the target, and the directory fsynced. Missing
 * directories are created (0755) when @created_dirs is not NULL, which then
 * gets their paths, parents first; otherwise a missing directory is an
 * error. A target that exists must be a regular file. */
gboolean     pt_fileutil_replace    (PtFileRoot   *root,
                                     const char   *path,
                                     GBytes       *contents,
                                     guint32       mode,
                                     uid_t         uid,
                                     gid_t         gid,
                                     GPtrArray    *created_dirs,
                                     GError      **error);

/* Removes the regular file ROOT/@path and fsyncs its directory. A file
 * that does not exist is not an error. */
gboolean     pt_fileutil_remove     (PtFileRoot   *root,
                                     const char   *path,
                                     GError      **error);

/* Removes the directory ROOT/@path when it is empty; sets *@removed. A
 * directory that does not exist or is not empty is not an error. */
gboolean     pt_fileutil_remove_dir_if_empty (PtFileRoot  *root,
                                              const char  *path,
                                              gboolean    *removed,
                                              GError     **error);

/* Removes temporary files left by pt_fileutil_replace() for ROOT/@path by a
 * process that died between creating and renaming them. */
gboolean     pt_fileutil_clean_temporaries (PtFileRoot  *root,
                                            const char  *path,
                                            GError     **error);

/* Lower-case hex SHA-256 of @bytes. */
char        *pt_fileutil_sha256     (GBytes       *bytes);

/* Where a file that ships with the running program is: @beside (a path
 * relative to the executable's directory) when it passes @test there, as
 * in a build tree, else @installed. Used for passthroughctl-vm and the
 * app's VM module, so that a built program never picks up an installed
 * companion of another version. */
char        *pt_fileutil_find_companion (const char *beside,
                                         GFileTest   test,
                                         const char *installed);

/* Test builds of the journal and the daemon inject failures here: the hook
 * runs at each named step ("replace:temp-written", "journal:manifest", …, see
 * pt-journal.c) with the path concerned, and a FALSE return makes that step
 * fail as an I/O error would. A test may also _exit() in it to simulate a
 * crash at that point. NULL removes the hook. */
typedef gboolean (*PtFaultHook) (const char *point,
                                 const char *path,
                                 gpointer    user_data);

void         pt_fileutil_set_fault_hook (PtFaultHook hook,
                                         gpointer    user_data);
/* Runs the hook for @point; FALSE (and @error set) when it injects a fault. */
gboolean     pt_fileutil_fault      (const char  *point,
                                     const char  *path,
                                     GError     **error);

G_END_DECLS
