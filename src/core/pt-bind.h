/* pt-bind.h: runtime rebinding. Moves whole IOMMU groups to vfio-pci
 * through driver_override and drivers_probe without a reboot, and gives
 * them back to the drivers they had, which ROOT/run/passthrough/bound.json
 * remembers (it is gone after a reboot, as the binding is). */
#pragma once

#include <json-glib/json-glib.h>

#include "pt-plan.h"

G_BEGIN_DECLS

/* Relative to the host root. */
#define PT_BIND_RECORDS_PATH "run/passthrough/bound.json"

/* A function pt_bind_plan() moved to vfio-pci and what it had before. */
typedef struct
{
  char *address;          /* "0000:01:00.0" */
  int   group;            /* IOMMU group, -1 when none */
  char *driver;           /* driver before the bind, NULL when none */
  char *driver_override;  /* driver_override before the bind, NULL when none */
} PtBindRecord;

void       pt_bind_record_free  (PtBindRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtBindRecord, pt_bind_record_free)

/* Adds @records as a JSON array of {address, group, driver,
 * driver_override}: the records file and the daemon's GetState share it. */
void       pt_bind_add_records_json (JsonBuilder *builder,
                                     GPtrArray   *records);

/* Binds every function @plan takes (its whole groups, with the refusals of
 * pt_plan_new()) to vfio-pci: loads vfio-pci when the live host lacks it,
 * records each function's driver, then writes "vfio-pci" to its
 * driver_override, unbinds it from its driver and asks drivers_probe for
 * it. On the live host ("/") it then checks that vfio-pci holds every
 * function and that ROOT/dev/vfio/GROUP exists, and undoes what it did when
 * not. On other roots there is no kernel: only the sysfs writes happen.
 * Functions already on vfio-pci are left alone. @changed (optional) gets
 * the addresses it moved (char *). The plan's host must come from a root. */
gboolean   pt_bind_plan         (PtPlan             *plan,
                                 GPtrArray          *changed,
                                 GError            **error);

/* Gives back the functions of the groups and slots of @addresses that are
 * on vfio-pci, have it as driver_override, or were recorded by
 * pt_bind_plan(): each goes back to the driver it had (driver_override set
 * to it for the probe, then restored), is unbound from vfio-pci and probed.
 * Functions not held by vfio-pci are left alone; unbinding twice changes
 * nothing. @changed (optional) gets the addresses it gave back. */
gboolean   pt_unbind            (PtHost             *host,
                                 const char *const  *addresses,
                                 GPtrArray          *changed,
                                 GError            **error);

/* The records under @root (PtBindRecord, address order); empty when there
 * are none. A damaged file is an error naming it. */
GPtrArray *pt_bind_load_records (const char         *root,
                                 GError            **error);

G_END_DECLS
