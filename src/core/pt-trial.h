/* pt-trial.h: trial boots (DESIGN.md "The privileged side", Trial boot).
 * A trial puts the new kernel arguments into a boot entry used once and
 * leaves the default entry alone, so a boot that fails, or that is never
 * confirmed, falls back to the old configuration by itself. Confirming
 * checks that the trial boot came up with the arguments and with every
 * device on vfio-pci, then applies the permanent plan, which also removes
 * the trial's files. The CLI (offline) and passthroughd share this. */
#pragma once

#include <json-glib/json-glib.h>

#include "pt-bootconf.h"
#include "pt-journal.h"
#include "pt-plan.h"

G_BEGIN_DECLS

/* A trial planned on a host: apply plan's file changes and regenerate
 * commands with pt_journal_apply (…, trial = TRUE) and the summary
 * pt_trial_plan_to_json() gives. */
typedef struct
{
  PtPlan          *plan;
  PtPlanFlags      flags;
  PtBootconfTrial  boot;     /* the entry, what it adds, its files and the
                              * one-time command (the last of plan->regenerate) */
} PtTrialPlan;

PtTrialPlan *pt_trial_plan_new     (PtHost             *host,
                                    const char *const  *addresses,
                                    PtPlanFlags         flags,
                                    GError            **error);
void         pt_trial_plan_free    (PtTrialPlan        *tp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtTrialPlan, pt_trial_plan_free)

/* pt_json_plan() of the plan plus "trial": {"bootloader","entry","args",
 * "files","oneshot","addresses","devices","kernel_args","flags"}. As the
 * transaction's summary it is what pt_trial_find_pending() reads back. */
JsonNode    *pt_trial_plan_to_json (PtTrialPlan        *tp);

/* A trial recorded in the journal. */
typedef struct
{
  char        *transaction;
  char        *bootloader;
  char        *entry;
  GStrv        addresses;    /* as the caller named them */
  GStrv        devices;      /* every function for vfio-pci */
  GStrv        kernel_args;  /* the plan's: all must be on the trial boot's command line */
  GStrv        args;         /* what the trial entry adds */
  GStrv        files;
  GStrv        oneshot;
  PtPlanFlags  flags;
} PtTrial;

void           pt_trial_free          (PtTrial *trial);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtTrial, pt_trial_free)

/* The trial waiting for confirmation under @root: the newest applied trial
 * transaction whose trial files are still there as it wrote them. NULL
 * without an error when there is none. */
PtTrial       *pt_trial_find_pending  (const char  *root,
                                       GError     **error);

/* Whether @host (read from the root now) is the trial boot working: the
 * kernel command line has every argument of the plan, and every device is
 * bound to vfio-pci. PT_ERROR_REFUSED otherwise, saying what was found (and
 * that the usual entry booted, when the arguments are missing). */
gboolean       pt_trial_check_booted  (PtTrial     *trial,
                                       PtHost      *host,
                                       GError     **error);

/* The permanent plan that confirms @trial: its devices and flags, planned
 * on @host with pt_bootconf_plan(), which also removes the trial's files.
 * Apply it as a transaction of its own (trial = FALSE). */
PtPlan        *pt_trial_confirm_plan  (PtTrial     *trial,
                                       PtHost      *host,
                                       GError     **error);

/* For an apply that is not a trial (passthroughd's Apply without "trial"):
 * when a trial is pending under @root, the checks of
 * pt_trial_check_booted(); TRUE when none is pending. */
gboolean       pt_trial_check_apply   (const char  *root,
                                       PtHost      *host,
                                       GError     **error);

/* The commands to run after rolling back @t (GStrv argv): its regenerate
 * commands, with a trial's one-time command ("grub-reboot ID", "bootctl
 * set-oneshot ID") turned into the one that clears it again, since the
 * entry it names is gone. */
GPtrArray     *pt_trial_rollback_commands (PtTransaction *t);

/* {"transaction","bootloader","entry","args","files","oneshot","addresses",
 * "devices","kernel_args","flags"}, for GetState and the CLI. */
JsonNode      *pt_trial_to_json       (PtTrial     *trial);

G_END_DECLS
