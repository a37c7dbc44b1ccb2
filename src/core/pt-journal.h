/* pt-journal.h: transactions on a host root: every file backed up first,
 * written atomically (temporary file in the same directory, fsync, rename),
 * recorded in a journal under ROOT/var/lib/passthrough/, and restorable
 * byte for byte, including removing the files a transaction created.
 *
 * On disk (format "passthrough-transaction", version 1):
 *   ROOT/var/lib/passthrough/transactions/ID/manifest.json
 *   ROOT/var/lib/passthrough/transactions/ID/files/N   (byte-exact backups)
 * The manifest is written (state "applying") before any file is touched
 * and set to "applied" afterwards; a rollback sets "rolling-back", then
 * "rolled-back". A transaction found in "applying" or "rolling-back" was
 * interrupted by a crash: pt_journal_recover() undoes it, and apply and
 * rollback recover first. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pt-bootconf.h"

G_BEGIN_DECLS

typedef enum
{
  PT_TRANSACTION_APPLIED,
  PT_TRANSACTION_ROLLED_BACK,
  PT_TRANSACTION_APPLYING,       /* interrupted while writing its files */
  PT_TRANSACTION_ROLLING_BACK,   /* interrupted while restoring them */
} PtTransactionState;

/* What the last rollback (or recovery) did to one file. */
typedef enum
{
  PT_JOURNAL_FILE_UNCHANGED,     /* not rolled back yet, or already as before */
  PT_JOURNAL_FILE_RESTORED,      /* earlier contents written back */
  PT_JOURNAL_FILE_REMOVED,       /* the transaction created it; removed */
} PtJournalFileOutcome;

typedef struct
{
  char                 *path;           /* relative to the root */
  gboolean              existed;        /* FALSE: the transaction created it */
  guint32               mode;           /* permission bits before (or as created) */
  guint32               uid;
  guint32               gid;
  char                 *sha256_before;  /* NULL when it did not exist */
  char                 *sha256_after;   /* NULL: the transaction removed it */
  char                 *backup;         /* "files/N", NULL when it did not exist */
  PtJournalFileOutcome  outcome;
} PtJournalFile;

typedef struct
{
  char               *id;          /* "20261126T114301Z-3f2a" : safe as a file name */
  gint64              created;     /* unix seconds */
  PtTransactionState  state;
  gboolean            trial;
  GStrv               paths;       /* relative to the root */
  GPtrArray          *regenerate;  /* GStrv argv */
  char               *summary;     /* the plan as JSON, for the app's history */

  /* Added to the first draft of this header: */
  guint64             sequence;       /* order in the journal; 1 is the oldest */
  GPtrArray          *files;          /* PtJournalFile, in the order written */
  GStrv               created_dirs;   /* directories it created, parents first */
  gboolean            interrupted;    /* a crash stopped it; undone by recovery */
  /* Filled by pt_journal_rollback(): the state before that call, so a
   * caller can tell "rolled back now" (APPLIED) from "already rolled back"
   * (ROLLED_BACK) and "an interrupted transaction was undone" (APPLYING or
   * ROLLING_BACK); and the directories it removed. */
  PtTransactionState  previous_state;
  GStrv               removed_dirs;
} PtTransaction;

void           pt_transaction_free  (PtTransaction *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtTransaction, pt_transaction_free)

/* "applied", "rolled-back", "applying", "rolling-back". */
const char    *pt_transaction_state_to_string (PtTransactionState state);

/* Progress of a long step, for the daemon's Progress signal. */
typedef void (*PtJournalProgress) (double fraction, const char *message, gpointer user_data);

/* Writes @changes (PtFileChange) under @root as one transaction and
 * returns it. Each file must still hold the change's old_contents (or not
 * exist when old_contents is NULL): otherwise nothing is written and the
 * error (PT_ERROR_REFUSED) names the file and says to plan again. A change
 * with new_contents NULL removes the file (rollback puts it back). Missing
 * directories are created and recorded. On any failure every file already
 * written is restored and the journal entry removed. Paths are resolved
 * without following symlinks; a symlink, "..", or a target that is not a
 * regular file is refused (PT_ERROR_REFUSED) with the path.
 *
 * With no changes there is nothing to do: returns NULL *without* setting
 * @error, creates no transaction and touches nothing (callers print
 * "Nothing to change"). Interrupted transactions are recovered first. */
PtTransaction *pt_journal_apply     (const char        *root,
                                     GPtrArray         *changes,
                                     GPtrArray         *regenerate,
                                     const char        *summary,
                                     gboolean           trial,
                                     GError           **error);

/* Restores the files of transaction @id (NULL: the newest transaction)
 * byte for byte with their mode and owner, removes the files it created
 * and the directories it created when empty, and marks it rolled back.
 * Refuses (PT_ERROR_REFUSED), naming the file, when one was changed since
 * the transaction unless @force. Rolling back a transaction twice changes
 * nothing and is not an error: previous_state says so. Unknown id:
 * PT_ERROR_NOT_FOUND; an id that is not well-formed:
 * G_IO_ERROR_INVALID_ARGUMENT. */
PtTransaction *pt_journal_rollback  (const char        *root,
                                     const char        *id,
                                     gboolean           force,
                                     GError           **error);

/* Undoes every interrupted transaction ("applying" or "rolling-back") and
 * returns them (PtTransaction, previous_state = the state found), an empty
 * array when there were none. Refuses like pt_journal_rollback() when a file
 * holds neither its old nor its new contents, unless @force. For the
 * daemon at start and for the CLI before it plans. */
GPtrArray     *pt_journal_recover   (const char        *root,
                                     gboolean           force,
                                     GError           **error);

/* The journal's transactions, newest first (by sequence). An empty array
 * when there is no journal. */
GPtrArray     *pt_journal_list      (const char        *root,
                                     GError           **error);

/* One transaction by id. */
PtTransaction *pt_journal_get       (const char        *root,
                                     const char        *id,
                                     GError           **error);

/* Checks that @id has the journal's id syntax (callers may pass it):
 * 1 to 64 characters of [0-9A-Za-z-], starting with a letter or digit. */
gboolean       pt_journal_id_is_valid (const char *id);

/* The transaction as JSON: {"id","created","state","trial","interrupted",
 * "files":[{"path","existed","change":"created|modified|removed",
 * "outcome":"unchanged|restored|removed"}],"created_dirs","regenerate"},
 * for the daemon's Finished signal and the CLI. */
JsonNode      *pt_transaction_to_json (PtTransaction *t);

G_END_DECLS
