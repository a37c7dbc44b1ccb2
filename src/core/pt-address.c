/* pt-address.c: strict parsing of PCI addresses. Anything that is not a
 * well-formed address is refused here, before it can reach a path. */
#define G_LOG_DOMAIN "pt-core"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pt-address.h"

gboolean
pt_hex_read (const char **p, guint min, guint max, guint64 *out)
{
  guint64 v = 0;
  guint n = 0;

  while (n < max && g_ascii_xdigit_value ((*p)[0]) >= 0)
    {
      v = (v << 4) | (guint) g_ascii_xdigit_value ((*p)[0]);
      (*p)++;
      n++;
    }
  if (n < min || g_ascii_xdigit_value ((*p)[0]) >= 0)
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
pt_address_parse (const char *text, PtAddress *out, GError **error)
{
  const char *p = text;
  guint64 domain = 0, bus, slot, func;
  const char *colon;
  int colons = 0;

  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL || *text == '\0')
    goto bad;

  for (colon = text; *colon; colon++)
    if (*colon == ':')
      colons++;

  if (colons == 2)
    {
      if (!pt_hex_read (&p, 4, 8, &domain) || *p++ != ':')
        goto bad;
    }
  else if (colons != 1)
    goto bad;

  if (!pt_hex_read (&p, 2, 2, &bus) || *p++ != ':')
    goto bad;
  if (!pt_hex_read (&p, 2, 2, &slot) || *p++ != '.')
    goto bad;
  if (!pt_hex_read (&p, 1, 1, &func) || *p != '\0')
    goto bad;
  if (slot > 0x1f || func > 7)
    goto bad;

  out->domain = (guint32) domain;
  out->bus = (guint8) bus;
  out->slot = (guint8) slot;
  out->func = (guint8) func;
  return TRUE;

bad:
  g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ADDRESS,
               _("“%s” is not a PCI address: write it as bus:slot.function "
                 "(01:00.0) or domain:bus:slot.function (0000:01:00.0), as "
                 "lspci -D prints it"),
               text ? text : "");
  return FALSE;
}

gboolean
pt_address_is_valid_string (const char *text)
{
  PtAddress a;

  return pt_address_parse (text, &a, NULL);
}

void
pt_address_format (const PtAddress *addr, char buf[32])
{
  g_snprintf (buf, 32, "%04x:%02x:%02x.%x",
              addr->domain, addr->bus, addr->slot, addr->func);
}

char *
pt_address_to_string (const PtAddress *addr)
{
  char buf[32];

  pt_address_format (addr, buf);
  return g_strdup (buf);
}

int
pt_address_compare (const PtAddress *a, const PtAddress *b)
{
  if (a->domain != b->domain)
    return a->domain < b->domain ? -1 : 1;
  if (a->bus != b->bus)
    return a->bus < b->bus ? -1 : 1;
  if (a->slot != b->slot)
    return a->slot < b->slot ? -1 : 1;
  if (a->func != b->func)
    return a->func < b->func ? -1 : 1;
  return 0;
}

gboolean
pt_address_same_slot (const PtAddress *a, const PtAddress *b)
{
  return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}
