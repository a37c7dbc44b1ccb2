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

/* Reads between @min and @max hex digits from *@p into @out and moves *@p
 * past them; FALSE when there are fewer, or more follow. Digit by digit:
 * no locale, no errno (GLib's parsers judge by errno, which a thread can
 * find set after the first call in a process made GLib's C locale). */
gboolean  pt_hex_read            (const char     **p,
                                  guint            min,
                                  guint            max,
                                  guint64         *out);

G_END_DECLS
