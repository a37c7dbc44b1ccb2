/* pt-bootconf-private.h: what the boot configuration backends share: byte
 * splices on a file's text, editing lists of tokens (kernel arguments,
 * module names) so that removing what was added gives the old bytes back,
 * the kernel command line rules, and the root-relative file helpers. */
#pragma once

#include "pt-bootconf.h"

G_BEGIN_DECLS

/* ---- the backends ----------------------------------------------------- */

extern const PtBootconfBackend pt_bootconf_grub;
extern const PtBootconfBackend pt_bootconf_sdboot;
extern const PtBootconfBackend pt_bootconf_kernelstub;
extern const PtBootconfBackend pt_bootconf_mkinitcpio;
extern const PtBootconfBackend pt_bootconf_dracut;
extern const PtBootconfBackend pt_bootconf_initramfs_tools;
extern const PtBootconfBackend pt_bootconf_modprobe;

/* ---- files under the root --------------------------------------------- */

gboolean   pt_bootconf_exists        (const char *root,
                                      const char *path);
/* Regular files in ROOT/@dir whose names end in @suffix, as root-relative
 * paths in name order (the order shells glob them). */
GPtrArray *pt_bootconf_list_dir      (const char *root,
                                      const char *dir,
                                      const char *suffix);
/* "/etc/default/grub" on the live root, the full path on any other. */
char      *pt_bootconf_display_path  (const char *root,
                                      const char *path);
/* PT_ERROR_CORRUPT: "PATH:LINE: REASON", and that the file is not rewritten. */
gboolean   pt_bootconf_corrupt       (GError    **error,
                                      const char *root,
                                      const char *path,
                                      guint       line,
                                      const char *reason);
guint      pt_bootconf_line_of       (const char *text,
                                      gsize       offset);
/* Adds a regeneration command (NULL-terminated argv, copied) unless the
 * same one is there already. */
void       pt_bootconf_add_command   (PtBootconfContext  *ctx,
                                      const char *const  *argv);
void       pt_bootconf_add_note      (GPtrArray          *list,
                                      char               *message);

/* ---- kernels ---------------------------------------------------------- */

/* TRUE when RELEASE ("5.9.16-1-MANJARO") is older than MAJOR.MINOR; FALSE
 * when it is newer or cannot be read (@known tells). */
gboolean   pt_bootconf_release_before (const char *release,
                                       guint       major,
                                       guint       minor,
                                       gboolean   *known);
/* Kernel releases installed under the root (usr/lib/modules, lib/modules),
 * sorted, without duplicates. */
GPtrArray *pt_bootconf_installed_kernels (const char *root);
/* vfio_virqfd is a module of its own only before Linux 6.2: TRUE when every
 * kernel we know of (installed, else the running one) is older. */
gboolean   pt_bootconf_wants_virqfd   (PtBootconfContext *ctx);
/* The early vfio modules, in load order (vfio_virqfd when wanted). */
GPtrArray *pt_bootconf_vfio_modules   (PtBootconfContext *ctx);
/* Module names compare with '-' and '_' alike. */
gboolean   pt_bootconf_module_equal   (const char *a,
                                       const char *b);
/* A GPU driver, or one of ctx->gpu_drivers: vfio modules go before it. */
gboolean   pt_bootconf_is_gpu_module  (PtBootconfContext *ctx,
                                       const char        *name);
/* os-release ID or ID_LIKE names one of @ids. */
gboolean   pt_bootconf_os_is          (PtBootconfContext  *ctx,
                                       const char *const  *ids);

/* ---- splices ---------------------------------------------------------- */

typedef struct
{
  gsize  start;
  gsize  end;
  char  *text;
} PtSplice;

GPtrArray *pt_splices_new    (void);
void       pt_splices_add    (GPtrArray  *splices,
                              gsize       start,
                              gsize       end,
                              const char *text);
/* Applies @splices (sorted here; they must not overlap) to @data. */
GBytes    *pt_splices_apply  (const char *data,
                              gsize       len,
                              GPtrArray  *splices);

/* ---- token lists ------------------------------------------------------ */

/* A token of a list in a file: its text (unquoted) and its bytes. */
typedef struct
{
  char    *text;
  gsize    start;
  gsize    end;
  guint    group;   /* which list of the file it is in (edit per group) */
} PtToken;

void       pt_token_free     (PtToken *token);
GPtrArray *pt_tokens_new     (void);
void       pt_tokens_add     (GPtrArray  *tokens,
                              const char *text,
                              gsize       start,
                              gsize       end,
                              guint       group);

typedef enum
{
  PT_TOKEN_KEEP,
  PT_TOKEN_DELETE,
  PT_TOKEN_REPLACE,
} PtTokenAction;

/* Splices deleting the tokens of one list marked PT_TOKEN_DELETE in
 * @actions (indices into @tokens, all of one list, in order), with their
 * separators: after a kept token, the separator before a deleted run
 * goes; at the start, the one after it. So deleting what an append or an
 * insertion added gives the old bytes back. */
void       pt_splices_delete_tokens (GPtrArray           *splices,
                                     GPtrArray           *tokens,
                                     const guint         *indices,
                                     guint                n,
                                     const PtTokenAction *actions);

/* ---- early module lists (mkinitcpio MODULES, initramfs-tools modules) -- */

typedef struct
{
  PtTokenAction *actions;        /* per entry: KEEP or DELETE */
  GPtrArray     *insert;         /* const char *: modules to add, in load order */
  int            insert_before;  /* entry to add them before, -1: after the last */
  gboolean       dropped_virqfd; /* vfio_virqfd went for a kernel >= 6.2 */
} PtModulesEdit;

void           pt_modules_edit_free (PtModulesEdit *edit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtModulesEdit, pt_modules_edit_free)

/* @names: the module of each entry of the list, NULL for entries that are
 * no module (comments). The vfio modules must all be there ahead of the
 * first GPU driver: missing ones are added right before it (or at the end),
 * ones behind it move there; vfio_virqfd goes on kernels >= 6.2. With
 * ctx->remove every vfio module goes. */
PtModulesEdit *pt_modules_edit      (PtBootconfContext  *ctx,
                                     const char *const  *names,
                                     guint               n);
gboolean       pt_modules_edit_changed (PtModulesEdit *edit,
                                        guint          n);

/* ---- line lists ------------------------------------------------------- */

/* One token per line: its text without the newline, its span likewise. */
void       pt_lines_split    (const char *text,
                              gsize       len,
                              GPtrArray  *lines);
/* Splices that delete the lines marked in @actions, replace those marked
 * PT_TOKEN_REPLACE with @replacements (may be NULL), and add @insert
 * (char *, lines without newline) before line @before or, when -1, after
 * the last line that stays. A missing final newline stays missing; a file
 * left with no line at all becomes empty. */
void       pt_lines_splice   (GPtrArray           *splices,
                              const char          *text,
                              gsize                len,
                              GPtrArray           *lines,
                              const PtTokenAction *actions,
                              char               **replacements,
                              GPtrArray           *insert,
                              int                  before);

/* ---- kernel command lines --------------------------------------------- */

/* Splits a kernel command line the way the kernel does (blanks separate,
 * double quotes group); offsets are into @text. */
void       pt_kargs_split    (const char *text,
                              gsize       len,
                              gsize       base,
                              guint       group,
                              GPtrArray  *tokens);

/* PT_ERROR_CORRUPT naming the line of the first argument of @tokens (with
 * offsets into @text of ROOT/@path) whose double quote is not closed: the
 * kernel would take the rest of the line, ours included, for its value. */
gboolean   pt_kargs_check_quotes (PtBootconfContext *ctx,
                                  GPtrArray         *tokens,
                                  const char        *path,
                                  const char        *text,
                                  GError           **error);

typedef struct
{
  guint          n_tokens;
  PtTokenAction *actions;
  char         **replacements;  /* new text for PT_TOKEN_REPLACE */
  GPtrArray     *append;        /* char *: tokens to add at the end, in order */
  GPtrArray     *set_args;      /* char *: arguments added or changed */
  GPtrArray     *removed_args;  /* char *: arguments removed */
} PtKargsEdit;

void         pt_kargs_edit_free (PtKargsEdit *edit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtKargsEdit, pt_kargs_edit_free)

/* What makes ctx->kernel_args true on the command line @tokens (PtToken),
 * or, with ctx->remove, takes them away: present arguments are not added
 * twice; "intel_iommu=off" becomes "on"; vfio-pci.ids gets the union of
 * the IDs; ctx->remove_args go. */
PtKargsEdit *pt_kargs_edit     (PtBootconfContext *ctx,
                                GPtrArray         *tokens);
gboolean     pt_kargs_edit_changed (PtKargsEdit *edit);

/* ---- trial boots ------------------------------------------------------ */

/* GRUB's trial entry: a generator script grub-mkconfig runs last. */
#define PT_BOOTCONF_GRUB_TRIAL_SCRIPT "etc/grub.d/99_passthrough_trial"
/* The loader entry a trial adds, in the directory of the entry it copies. */
#define PT_BOOTCONF_TRIAL_ENTRY_FILE  PT_BOOTCONF_TRIAL_ID ".conf"

/* TRUE when @bytes is a file a trial boot wrote: PT_BOOTCONF_TRIAL_MARKER
 * in its first lines. Only those are removed again. */
gboolean   pt_bootconf_is_trial_file  (GBytes *bytes);
/* The trial's arguments go into a shell script and loader entries as they
 * are: refuses (PT_ERROR_REFUSED) anything but the characters of kernel
 * parameters that need no quoting anywhere. */
gboolean   pt_bootconf_trial_args_ok  (GPtrArray  *args,
                                       GError    **error);
/* Versions (and entry names) compared the way systemd-boot sorts them (the
 * UAPI version format: a segment after '~' is older than anything, then
 * '-', '^', '.'; numbers are newer than letters): < 0 when @a is older. */
int        pt_bootconf_verscmp        (const char *a,
                                       const char *b);

/* A Boot Loader Specification type #1 entry (loader/entries/NAME.conf). */
typedef struct
{
  char     *path;        /* root-relative */
  char     *id;          /* file name without a boot counter ("+3-1"), lower case,
                          * with ".conf" as systemd-boot 250 and later name it */
  GBytes   *bytes;
  char     *title;
  char     *version;
  char     *sort_key;
  char     *machine_id;
  gboolean  has_linux;   /* a "linux" line: our arguments can go on its options */
  int       tries_left;  /* -1 without boot counting */
} PtLoaderEntry;

void           pt_loader_entry_free (PtLoaderEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtLoaderEntry, pt_loader_entry_free)
/* The entries of ROOT/@dir (PtLoaderEntry), name order. */
GPtrArray     *pt_loader_entries_read (const char  *root,
                                       const char  *dir,
                                       GError     **error);
/* A copy of @entry for one trial boot: a comment naming it ours, the title
 * prefixed, ctx's kernel arguments on its options (added to
 * ctx->trial->args), @version in place of its own when not NULL, and its
 * sort-key made to sort after the original's when @later_sort_key.
 * Refuses an entry the arguments are on already. */
GBytes        *pt_loader_entry_trial_copy (PtBootconfContext  *ctx,
                                           PtLoaderEntry      *entry,
                                           const char         *version,
                                           gboolean            later_sort_key,
                                           GError            **error);
/* The trial entry for systemd-boot (and kernelstub, which writes
 * systemd-boot entries on Pop!_OS): a copy of the default entry and
 * "bootctl set-oneshot". @owner names the backend in messages. */
gboolean       pt_bootconf_sdboot_plan_trial (PtBootconfContext  *ctx,
                                              const char         *owner,
                                              GError            **error);

G_END_DECLS
