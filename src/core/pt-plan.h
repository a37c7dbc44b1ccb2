/* pt-plan.h: what passing a set of devices through takes: the functions
 * bound to vfio-pci, their IDs, the kernel arguments, and the refusals
 * (DESIGN.md "Verdicts"). The boot configuration backends add the files. */
#pragma once

#include "pt-host.h"

G_BEGIN_DECLS

typedef enum
{
  PT_PLAN_FLAGS_NONE       = 0,
  PT_PLAN_ALLOW_BOOT_VGA   = 1 << 0,
  PT_PLAN_ALLOW_SHARED     = 1 << 1,
} PtPlanFlags;

typedef struct
{
  char *path;   /* relative to the host root */
  char *diff;   /* unified diff */
} PtPlanChange;

struct _PtPlan
{
  PtHost     *host;          /* owned reference */
  GPtrArray  *requested;     /* PtDevice, unowned: what the caller named */
  GPtrArray  *devices;       /* PtDevice, unowned: every function for vfio-pci, address order */
  GPtrArray  *kept;          /* PtDevice, unowned: companions that stay with the host */
  char       *vfio_ids;      /* "10de:13c2,10de:0fbb" */
  GStrv       kernel_args;
  char       *bootloader;
  char       *initramfs;
  GPtrArray  *changes;       /* PtPlanChange: path + diff, for people */
  GPtrArray  *file_changes;  /* PtFileChange (pt-bootconf.h): what apply writes */
  GPtrArray  *regenerate;    /* GStrv argv */
  GPtrArray  *warnings;      /* char *, translated */
  GPtrArray  *notes;         /* char *, translated */
};

PtPlan *pt_plan_new  (PtHost             *host,
                      const char *const  *addresses,
                      PtPlanFlags         flags,
                      GError            **error);
void    pt_plan_free (PtPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtPlan, pt_plan_free)

gboolean pt_plan_takes (PtPlan *plan, PtDevice *device);

G_END_DECLS
