/* pt-types.h: forward declarations and the error domain shared by the core. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _PtHost   PtHost;
typedef struct _PtDevice PtDevice;
typedef struct _PtGroup  PtGroup;
typedef struct _PtGpu    PtGpu;
typedef struct _PtPlan   PtPlan;
typedef struct _PtCheck  PtCheck;

#define PT_ERROR (pt_error_quark ())
GQuark pt_error_quark (void);

typedef enum
{
  PT_ERROR_FAILED,
  PT_ERROR_INVALID_ADDRESS,   /* syntax of a PCI address is wrong */
  PT_ERROR_NOT_FOUND,         /* a well-formed address names no device */
  PT_ERROR_NO_ROOT,           /* host root missing or not a Linux tree */
  PT_ERROR_CORRUPT,           /* a sysfs attribute or snapshot cannot be read */
  PT_ERROR_REFUSED,           /* a plan would take something it must not */
  PT_ERROR_NOT_SUPPORTED,
} PtError;

/* Tri-state for facts a host may not tell us (no efivars, unreadable files). */
typedef enum
{
  PT_TRISTATE_UNKNOWN = -1,
  PT_TRISTATE_NO      = 0,
  PT_TRISTATE_YES     = 1,
} PtTristate;

typedef enum
{
  PT_CPU_VENDOR_UNKNOWN,
  PT_CPU_VENDOR_INTEL,
  PT_CPU_VENDOR_AMD,
} PtCpuVendor;

typedef enum
{
  PT_MODULE_STATE_UNKNOWN,   /* no module index for the running kernel */
  PT_MODULE_STATE_MISSING,
  PT_MODULE_STATE_MODULE,
  PT_MODULE_STATE_BUILTIN,
} PtModuleState;

const char *pt_tristate_to_string     (PtTristate    t);
const char *pt_module_state_to_string (PtModuleState s);

G_END_DECLS
