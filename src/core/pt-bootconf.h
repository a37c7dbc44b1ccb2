/* pt-bootconf.h: boot configuration backends (DESIGN.md "Boot configuration
 * backends"). Each backend owns one setting in one kind of file; planning
 * needs no privileges and produces whole new file contents plus a unified
 * diff; applying writes them through a transaction (pt-journal.h). */
#pragma once

#include <gio/gio.h>

#include "pt-host.h"
#include "pt-plan.h"

G_BEGIN_DECLS

/* One file a plan changes. Paths are relative to the host root and never
 * come from a caller: backends build them from fixed names. */
typedef struct
{
  char     *path;         /* "etc/default/grub" */
  GBytes   *old_contents; /* NULL when the file does not exist yet */
  GBytes   *new_contents; /* NULL: remove the file (only files a backend
                           * owns whole, e.g. its drop-in, when undoing) */
  guint32   mode;         /* for new files; existing files keep theirs */
  char     *owner;        /* backend name, for messages */
} PtFileChange;

void          pt_file_change_free (PtFileChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtFileChange, pt_file_change_free)

/* A trial boot (DESIGN.md "The privileged side", Trial boot): the kernel
 * arguments go into a boot entry used once, and the default entry stays as
 * it was, so a boot that fails or is never confirmed falls back to it. */
#define PT_BOOTCONF_TRIAL_ID "passthrough-trial"
/* Every file a trial writes carries this in its first lines; only such
 * files are removed again. Not translated. */
#define PT_BOOTCONF_TRIAL_MARKER "# Written by Passthrough"

typedef struct
{
  char       *bootloader;  /* backend that planned it */
  char       *entry;       /* the entry the one-time command names */
  GPtrArray  *args;        /* char *: what the trial entry adds to the default
                            * entry's arguments (in their final form) */
  GPtrArray  *files;       /* char *: the files that make the trial entry;
                            * confirm and rollback remove them */
  GStrv       oneshot;     /* the command that boots it once (also the last
                            * of the plan's regenerate commands) */
} PtBootconfTrial;

void          pt_bootconf_trial_init  (PtBootconfTrial *trial);
void          pt_bootconf_trial_clear (PtBootconfTrial *trial);

/* What the backends are asked to make true.
 *
 * Kernel arguments: one already there is not added again (names compare
 * with '-' and '_' alike, as the kernel does); intel_iommu=off and
 * iommu=nopt are turned into the value we want, inside a list of options
 * too (intel_iommu=off,sm_on becomes on,sm_on); an existing vfio-pci.ids
 * gets the union of the IDs, in the occurrence the kernel uses (the last).
 * New arguments go after the last one that stays. With @remove, every
 * argument equal to one of ours goes (also one that was there before the
 * apply) and our IDs leave vfio-pci.ids; @remove_args are not touched. */
typedef struct
{
  PtHost      *host;            /* unowned; has the root (NULL for a snapshot) */
  const char  *root;            /* host root, "/" for the live system */
  GStrv        kernel_args;     /* to be present: "intel_iommu=on", "vfio-pci.ids=…" */
  GStrv        remove_args;     /* to go: "key" (every occurrence) or "key=value" (that
                                 * value only); pt_bootconf_plan() sets "amd_iommu=on"
                                 * on AMD hosts, which the kernel does not know */
  GStrv        vfio_ids;        /* "10de:13c2", … */
  GStrv        gpu_drivers;     /* modules the passed devices would otherwise get (softdep) */
  const char  *kernel_release;  /* for vfio_virqfd (< 6.2) */
  gboolean     remove;          /* plan the undo of an earlier apply instead */
  const char  *os_id;           /* os-release ID and ID_LIKE, for commands */
  const char  *os_id_like;
  gboolean     vfio_builtin;    /* vfio-pci is built into the kernel: no module lists,
                                 * no modprobe.d (options do not reach it) */
  PtBootconfTrial *trial;       /* not NULL: plan a trial boot into it. The bootloader
                                 * adds a one-time entry and leaves the default alone;
                                 * modprobe.d gets the softdep lines but no IDs (they
                                 * would bind the devices on the fallback boot too);
                                 * the initramfs gets its module list, which binds
                                 * nothing without IDs. Without: our trial files found
                                 * under the root are removed (confirm). */

  /* outputs */
  GPtrArray   *changes;         /* PtFileChange: the bootloader's first */
  GPtrArray   *regenerate;      /* GStrv argv, run in order after the files: the
                                 * initramfs first, then the bootloader (kernelstub
                                 * and proxmox-boot-tool copy the new initramfs);
                                 * names, not paths: run them inside the system */
  GPtrArray   *notes;           /* char *, translated */
  GPtrArray   *warnings;        /* char *, translated */
} PtBootconfContext;

typedef enum
{
  PT_BOOTCONF_KIND_BOOTLOADER,  /* one per host: the kernel command line */
  PT_BOOTCONF_KIND_INITRAMFS,   /* one per host: vfio modules loaded early */
  PT_BOOTCONF_KIND_MODPROBE,    /* always: etc/modprobe.d */
} PtBootconfKind;

typedef struct
{
  const char *name;             /* "grub", "systemd-boot", "kernelstub", "mkinitcpio", … */
  gboolean    is_bootloader;
  /* TRUE when this system is in use under @root. */
  gboolean  (*detect) (const char *root);
  /* Adds the backend's file changes and regeneration commands to @ctx.
   * A file the backend cannot parse safely is refused with its path and
   * line (PT_ERROR_CORRUPT); nothing is added then. Idempotent: on a root
   * already configured it adds no change, and no command. */
  gboolean  (*plan)   (PtBootconfContext *ctx, GError **error);
  PtBootconfKind kind;
  /* The command that rebuilds what this backend's files feed (argv), for
   * @ctx's root and distribution; NULL when there is none. pt_bootconf_plan()
   * asks the initramfs backend for it when only modprobe.d changed. */
  GStrv     (*regenerate) (PtBootconfContext *ctx);
  /* Bootloaders: adds the one-time entry for ctx->trial (its files, the
   * regeneration and, last, the one-time command) and fills ctx->trial.
   * Refuses (PT_ERROR_REFUSED, PT_ERROR_NOT_SUPPORTED) when the entry could
   * change what the default boot does. NULL: no trial boots. */
  gboolean  (*plan_trial) (PtBootconfContext *ctx, GError **error);
} PtBootconfBackend;

/* Every backend, bootloaders first. */
const PtBootconfBackend *const *pt_bootconf_backends (void);
const PtBootconfBackend        *pt_bootconf_find     (const char *name);

/* Reads ROOT/@path; returns NULL with no error when it does not exist. */
GBytes   *pt_bootconf_read_file (const char  *root,
                                 const char  *path,
                                 GError     **error);
/* Adds a change to @ctx unless @new_contents equals the old ones. */
void      pt_bootconf_add_change (PtBootconfContext *ctx,
                                  const char        *owner,
                                  const char        *path,
                                  GBytes            *old_contents,
                                  GBytes            *new_contents,
                                  guint32            mode);

/* Fills @plan->changes (path + unified diff), @plan->regenerate and the
 * private file list from the backends detected on the plan's host root.
 * The files of a trial boot found under the root are removed with it: the
 * permanent plan is what confirming a trial applies. Does nothing for a
 * snapshot host (no files to read). */
gboolean  pt_bootconf_plan      (PtPlan  *plan,
                                 GError **error);
/* The same, planning the undo of what pt_bootconf_plan() adds: our
 * arguments, modules and lines go, every other byte stays, and files only
 * we write (drop-ins) are removed. An argument that was there before the
 * apply goes too: restoring a transaction byte for byte is the journal's
 * rollback, this is "stop passing these devices through". */
gboolean  pt_bootconf_plan_undo (PtPlan  *plan,
                                 GError **error);

/* The same for a trial boot of @plan's devices: the one-time entry, the
 * module lists and softdep lines, no change to the default boot entry and
 * no IDs in modprobe.d. Fills @trial (initialised by the caller). Refuses
 * a snapshot host, a system without a bootloader that can boot an entry
 * once, and a plan whose arguments the default entry has already. */
gboolean  pt_bootconf_plan_trial (PtPlan          *plan,
                                  PtBootconfTrial *trial,
                                  GError         **error);

/* Fills the outputs of @ctx from the backends detected under ctx->root:
 * the bootloader's and the initramfs system's (first detected of each) and
 * modprobe.d. The names found go to @bootloader and @initramfs (either may
 * be NULL). What pt_bootconf_plan() runs; for tests and callers that build
 * a context themselves. */
gboolean  pt_bootconf_run       (PtBootconfContext  *ctx,
                                 const char        **bootloader,
                                 const char        **initramfs,
                                 GError            **error);
void      pt_bootconf_context_init  (PtBootconfContext *ctx);
void      pt_bootconf_context_clear (PtBootconfContext *ctx);

/* The backends found under @root: first bootloader, first initramfs
 * system (NULL when none). Used by pt_host_load(). */
const PtBootconfBackend *pt_bootconf_detect (const char     *root,
                                             PtBootconfKind  kind);
/* The full file changes behind @plan->changes (PtFileChange, owned by the plan). */
GPtrArray *pt_plan_get_file_changes (PtPlan *plan);

/* A unified diff ("--- a/PATH", "+++ b/PATH", @@ hunks with 3 lines of
 * context) of two contents; "\ No newline at end of file" where due.
 * @old_contents NULL: a new file ("--- /dev/null"); @new_contents NULL: a
 * removed one ("+++ /dev/null"). Equal contents give "". */
char     *pt_diff_unified       (const char *path,
                                 GBytes     *old_contents,
                                 GBytes     *new_contents);

G_END_DECLS
