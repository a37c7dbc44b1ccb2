/* pt-journal.h: transactions on a host root: every file backed up first,
 * written atomically (temporary file in the same directory, fsync, rename),
 * recorded in a journal under ROOT/var/lib/passthrough/, and restorable
 * byte for byte, including removing the files a transaction created. */
#pragma once

#include <gio/gio.h>

#include "pt-bootconf.h"

G_BEGIN_DECLS

typedef enum
{
  PT_TRANSACTION_APPLIED,
  PT_TRANSACTION_ROLLED_BACK,
} PtTransactionState;

typedef struct
{
  char               *id;          /* "20261126T114301Z-3f2a" : safe as a file name */
  gint64              created;     /* unix seconds */
  PtTransactionState  state;
  gboolean            trial;
  GStrv               paths;       /* relative to the root */
  GPtrArray          *regenerate;  /* GStrv argv */
  char               *summary;     /* the plan as JSON, for the app's history */
} PtTransaction;

void           pt_transaction_free  (PtTransaction *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtTransaction, pt_transaction_free)

/* Progress of a long step, for the daemon's Progress signal. */
typedef void (*PtJournalProgress) (double fraction, const char *message, gpointer user_data);

/* Writes @changes (PtFileChange) under @root as one transaction and
 * returns it. On any failure every file already written is restored and
 * the journal entry removed. Paths are resolved without following
 * symlinks out of the root. */
PtTransaction *pt_journal_apply     (const char        *root,
                                     GPtrArray         *changes,
                                     GPtrArray         *regenerate,
                                     const char        *summary,
                                     gboolean           trial,
                                     GError           **error);

/* Restores the files of transaction @id (NULL: the latest applied one)
 * byte for byte and removes the files it created. Refuses, naming the
 * file, when one was changed since the transaction unless @force. */
PtTransaction *pt_journal_rollback  (const char        *root,
                                     const char        *id,
                                     gboolean           force,
                                     GError           **error);

/* The journal's transactions, newest first. */
GPtrArray     *pt_journal_list      (const char        *root,
                                     GError           **error);

/* Checks that @id has the journal's id syntax (callers may pass it). */
gboolean       pt_journal_id_is_valid (const char *id);

G_END_DECLS
