/* pt-quirks.h: hardware known to misbehave in passthrough, kept as data. */
#pragma once

#include "pt-device.h"

G_BEGIN_DECLS

typedef enum
{
  PT_QUIRK_NONE = 0,
  PT_QUIRK_AMD_RESET_BUG,   /* no working reset after a guest used it */
} PtQuirk;

typedef struct
{
  guint16     vendor;
  guint16     device;
  PtQuirk     quirk;
  const char *family;       /* "Vega 20" */
} PtQuirkEntry;

/* The entry for @device, or NULL when nothing is known against it. */
const PtQuirkEntry *pt_quirks_lookup (PtDevice *device);

G_END_DECLS
