/* pt-verdict.h: which GPUs can be passed through, and what comes along
 * (DESIGN.md "Verdicts"). */
#pragma once

#include "pt-host.h"

G_BEGIN_DECLS

typedef enum
{
  PT_ISOLATION_CLEAN,
  PT_ISOLATION_SHARED,
  PT_ISOLATION_UNKNOWN,   /* the IOMMU is off: there are no groups to judge */
} PtIsolation;

struct _PtGpu
{
  PtDevice    *device;      /* unowned */
  PtIsolation  isolation;
  GPtrArray   *companions;  /* PtDevice, unowned: other non-bridge functions on the slot */
  GPtrArray   *blockers;    /* PtDevice, unowned: non-bridge group mates off the slot */
};

const char *pt_isolation_to_string (PtIsolation isolation);

PtGpu      *pt_gpu_new             (PtHost   *host,
                                    PtDevice *device);
void        pt_gpu_free            (PtGpu    *gpu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtGpu, pt_gpu_free)

/* Every GPU of the host in address order, as PtGpu (owned by the array). */
GPtrArray  *pt_host_list_gpus      (PtHost   *host);

/* TRUE for functions that are neither taken nor blockers: PCI bridges and
 * root ports, and host bridges no driver has claimed. */
gboolean    pt_device_is_neutral   (PtDevice *device);

/* Non-bridge devices of @group that are not on @device's slot. */
GPtrArray  *pt_group_dup_blockers  (PtGroup  *group,
                                    PtDevice *device);

G_END_DECLS
