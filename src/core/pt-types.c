/* pt-types.c: the error domain and the small enums shared by the core. */
#define G_LOG_DOMAIN "pt-core"

#include "config.h"

#include "pt-types.h"

G_DEFINE_QUARK (pt-error-quark, pt_error)

const char *
pt_tristate_to_string (PtTristate t)
{
  switch (t)
    {
    case PT_TRISTATE_YES: return "yes";
    case PT_TRISTATE_NO: return "no";
    case PT_TRISTATE_UNKNOWN:
    default: return "unknown";
    }
}

const char *
pt_module_state_to_string (PtModuleState s)
{
  switch (s)
    {
    case PT_MODULE_STATE_MISSING: return "missing";
    case PT_MODULE_STATE_MODULE: return "module";
    case PT_MODULE_STATE_BUILTIN: return "builtin";
    case PT_MODULE_STATE_UNKNOWN:
    default: return "unknown";
    }
}
