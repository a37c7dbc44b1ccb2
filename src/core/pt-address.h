/* pt-address.h: PCI addresses ("dddd:bb:ss.f"), parsed strictly. */
#pragma once

#include "pt-types.h"

G_BEGIN_DECLS

typedef struct
{
  guint32 domain;  /* up to 0xffffffff: Intel VMD uses 10000 and above */
  guint8  bus;
  guint8  slot;    /* 0..31 */
  guint8  func;    /* 0..7 */
} PtAddress;

gboolean  pt_address_parse       (const char      *text,
                                  PtAddress       *out,
                                  GError         **error);
char     *pt_address_to_string  (const PtAddress *addr);
void      pt_address_format      (const PtAddress *addr,
                                  char             buf[32]);
int       pt_address_compare     (const PtAddress *a,
                                  const PtAddress *b);
gboolean  pt_address_same_slot   (const PtAddress *a,
                                  const PtAddress *b);
gboolean  pt_address_is_valid_string (const char *text);

G_END_DECLS
