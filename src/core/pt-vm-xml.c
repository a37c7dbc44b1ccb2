/* pt-vm-xml.c: attaching and detaching a plan's PCI hostdevs on a domain's
 * XML at the libxml2 node level. libvirt-gconfig 4.0 can add a device but
 * not remove one, appends without indentation, and keeps its generic node
 * helpers private; editing the parsed tree directly touches only the
 * <hostdev> elements and the whitespace in front of them, so a detach
 * after an attach gives the same text back. */
#define G_LOG_DOMAIN "pt-vm"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>

#include "pt-vm-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

xmlDocPtr
pt_vm_xml_parse (const char *xml, GError **error)
{
  xmlDocPtr doc;
  xmlNodePtr root;

  g_return_val_if_fail (xml != NULL, NULL);

  doc = xmlReadMemory (xml, (int) strlen (xml), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == NULL)
    {
      const xmlError *last = xmlGetLastError ();

      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_XML,
                   _("The domain XML cannot be read (line %d: %s). Check it with “virsh dumpxml”."),
                   last != NULL ? last->line : 0,
                   last != NULL && last->message != NULL ? g_strstrip (last->message) : "?");
      return NULL;
    }
  root = xmlDocGetRootElement (doc);
  if (root == NULL || !xmlStrEqual (root->name, BAD_CAST "domain"))
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_XML,
                   _("The XML is not a libvirt domain: its root element is not <domain>."));
      xmlFreeDoc (doc);
      return NULL;
    }
  return doc;
}

char *
pt_vm_xml_serialize (xmlDocPtr doc, const char *original)
{
  xmlBufferPtr buffer = xmlBufferCreate ();
  const char *tail = "\n";
  char *text;

  /* Whatever white space followed the root element stays. */
  if (original != NULL)
    {
      const char *end = strrchr (original, '>');

      if (end != NULL && end[1] != '\0')
        tail = end + 1;
    }
  xmlNodeDump (buffer, doc, xmlDocGetRootElement (doc), 0, 0);
  text = g_strconcat ((const char *) xmlBufferContent (buffer), tail, NULL);
  xmlBufferFree (buffer);
  return text;
}

xmlNodePtr
pt_vm_xml_child (xmlNodePtr parent, const char *name)
{
  for (xmlNodePtr n = parent != NULL ? parent->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST name) && n->ns == NULL)
      return n;
  return NULL;
}

static gboolean
is_blank (xmlNodePtr node)
{
  return node != NULL && node->type == XML_TEXT_NODE && xmlIsBlankNode (node);
}

/* Gives @node's element children their own lines, @depth levels deep. */
static void
indent_children (xmlNodePtr node, int depth)
{
  g_autofree char *inner = g_strdup_printf ("\n%*s", (depth + 1) * 2, "");
  g_autofree char *outer = g_strdup_printf ("\n%*s", depth * 2, "");
  xmlNodePtr child = node->children;

  if (child == NULL)
    return;
  for (xmlNodePtr n = child; n != NULL; n = n->next)
    if (n->type != XML_ELEMENT_NODE)
      return;   /* text content: leave it as it is */
  while (child != NULL)
    {
      xmlNodePtr next = child->next;

      xmlAddPrevSibling (child, xmlNewText (BAD_CAST inner));
      indent_children (child, depth + 1);
      child = next;
    }
  xmlAddChild (node, xmlNewText (BAD_CAST outer));
}

/* libxml2 merges adjacent text nodes when one is inserted next to another,
 * so new whitespace only ever goes next to element nodes. */
void
pt_vm_xml_append (xmlNodePtr parent, xmlNodePtr child, int depth)
{
  xmlNodePtr last = parent->last;
  g_autofree char *lead = NULL;
  g_autofree char *close = NULL;

  /* Take the indentation of the last element child when there is one. */
  for (xmlNodePtr n = parent->last; n != NULL; n = n->prev)
    if (n->type == XML_ELEMENT_NODE)
      {
        if (is_blank (n->prev))
          {
            const char *text = (const char *) n->prev->content;
            const char *nl = strrchr (text, '\n');

            if (nl != NULL)
              depth = (int) strlen (nl + 1) / 2;
          }
        break;
      }
  lead = g_strdup_printf ("\n%*s", depth * 2, "");
  close = g_strdup_printf ("\n%*s", MAX (depth - 1, 0) * 2, "");
  indent_children (child, depth);
  if (is_blank (last))
    {
      /* ELEMENT "\n  " becomes ELEMENT "\n    " CHILD "\n  ". */
      g_free (close);
      close = g_strdup ((const char *) last->content);
      xmlNodeSetContent (last, BAD_CAST lead);
      xmlAddNextSibling (last, child);
      xmlAddNextSibling (child, xmlNewText (BAD_CAST close));
    }
  else
    {
      xmlAddChild (parent, child);
      xmlAddPrevSibling (child, xmlNewText (BAD_CAST lead));
      xmlAddNextSibling (child, xmlNewText (BAD_CAST close));
    }
}

static gboolean
read_number (xmlNodePtr node, const char *attribute, guint64 max, guint64 *value)
{
  g_autofree char *text = (char *) xmlGetProp (node, BAD_CAST attribute);
  char *end = NULL;

  if (text == NULL)
    return FALSE;
  *value = g_ascii_strtoull (text, &end, 0);
  return end != text && *end == '\0' && *value <= max;
}

gboolean
pt_vm_xml_hostdev_address (xmlNodePtr hostdev, PtAddress *address)
{
  g_autofree char *type = (char *) xmlGetProp (hostdev, BAD_CAST "type");
  xmlNodePtr source;
  xmlNodePtr addr;
  guint64 d, b, s, f;

  if (g_strcmp0 (type, "pci") != 0)
    return FALSE;
  source = pt_vm_xml_child (hostdev, "source");
  addr = pt_vm_xml_child (source, "address");
  if (addr == NULL
      || !read_number (addr, "bus", 0xff, &b)
      || !read_number (addr, "slot", 0x1f, &s)
      || !read_number (addr, "function", 7, &f))
    return FALSE;
  if (!read_number (addr, "domain", G_MAXUINT32, &d))
    d = 0;
  address->domain = (guint32) d;
  address->bus = (guint8) b;
  address->slot = (guint8) s;
  address->func = (guint8) f;
  return TRUE;
}

static xmlNodePtr
devices_node (xmlDocPtr doc, gboolean create)
{
  xmlNodePtr root = xmlDocGetRootElement (doc);
  xmlNodePtr devices = pt_vm_xml_child (root, "devices");

  if (devices == NULL && create)
    {
      devices = xmlNewNode (NULL, BAD_CAST "devices");
      pt_vm_xml_append (root, devices, 1);
    }
  return devices;
}

static xmlNodePtr
find_hostdev (xmlNodePtr devices, const PtAddress *address)
{
  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    {
      PtAddress a;

      if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST "hostdev")
          && pt_vm_xml_hostdev_address (n, &a) && pt_address_compare (&a, address) == 0)
        return n;
    }
  return NULL;
}

static xmlNodePtr
new_hostdev (const PtAddress *address)
{
  xmlNodePtr hostdev = xmlNewNode (NULL, BAD_CAST "hostdev");
  xmlNodePtr source;
  xmlNodePtr addr;
  char text[16];

  xmlNewProp (hostdev, BAD_CAST "mode", BAD_CAST "subsystem");
  xmlNewProp (hostdev, BAD_CAST "type", BAD_CAST "pci");
  xmlNewProp (hostdev, BAD_CAST "managed", BAD_CAST "yes");
  source = xmlNewChild (hostdev, NULL, BAD_CAST "source", NULL);
  addr = xmlNewChild (source, NULL, BAD_CAST "address", NULL);
  g_snprintf (text, sizeof text, "0x%04x", address->domain);
  xmlNewProp (addr, BAD_CAST "domain", BAD_CAST text);
  g_snprintf (text, sizeof text, "0x%02x", address->bus);
  xmlNewProp (addr, BAD_CAST "bus", BAD_CAST text);
  g_snprintf (text, sizeof text, "0x%02x", address->slot);
  xmlNewProp (addr, BAD_CAST "slot", BAD_CAST text);
  g_snprintf (text, sizeof text, "0x%x", address->func);
  xmlNewProp (addr, BAD_CAST "function", BAD_CAST text);
  return hostdev;
}

char *
pt_vm_xml_hostdev_device (const PtAddress *address)
{
  g_autoptr(xmlDoc) doc = xmlNewDoc (BAD_CAST "1.0");
  xmlBufferPtr buffer = xmlBufferCreate ();
  char *text;

  xmlDocSetRootElement (doc, new_hostdev (address));
  xmlNodeDump (buffer, doc, xmlDocGetRootElement (doc), 0, 0);
  text = g_strdup ((const char *) xmlBufferContent (buffer));
  xmlBufferFree (buffer);
  return text;
}

char *
pt_vm_xml_attach (const char *domain_xml, PtPlan *plan, gboolean *changed, GError **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNodePtr devices;
  gboolean added = FALSE;

  g_return_val_if_fail (domain_xml != NULL, NULL);
  g_return_val_if_fail (plan != NULL, NULL);

  doc = pt_vm_xml_parse (domain_xml, error);
  if (doc == NULL)
    return NULL;
  devices = devices_node (doc, TRUE);
  for (guint i = 0; i < plan->devices->len; i++)
    {
      const PtAddress *address = pt_device_get_pci_address (g_ptr_array_index (plan->devices, i));

      if (find_hostdev (devices, address) != NULL)
        continue;
      pt_vm_xml_append (devices, new_hostdev (address), 2);
      added = TRUE;
    }
  if (changed != NULL)
    *changed = added;
  if (!added)
    return g_strdup (domain_xml);
  return pt_vm_xml_serialize (doc, domain_xml);
}

char *
pt_vm_xml_detach (const char *domain_xml, PtPlan *plan, gboolean *changed, GError **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNodePtr devices;
  gboolean removed = FALSE;

  g_return_val_if_fail (domain_xml != NULL, NULL);
  g_return_val_if_fail (plan != NULL, NULL);

  doc = pt_vm_xml_parse (domain_xml, error);
  if (doc == NULL)
    return NULL;
  devices = devices_node (doc, FALSE);
  for (guint i = 0; i < plan->devices->len; i++)
    {
      const PtAddress *address = pt_device_get_pci_address (g_ptr_array_index (plan->devices, i));
      xmlNodePtr hostdev;

      while ((hostdev = find_hostdev (devices, address)) != NULL)
        {
          /* The line it stood on goes with it. */
          if (is_blank (hostdev->prev))
            {
              xmlNodePtr blank = hostdev->prev;

              xmlUnlinkNode (blank);
              xmlFreeNode (blank);
            }
          xmlUnlinkNode (hostdev);
          xmlFreeNode (hostdev);
          removed = TRUE;
        }
    }
  if (changed != NULL)
    *changed = removed;
  if (!removed)
    return g_strdup (domain_xml);
  return pt_vm_xml_serialize (doc, domain_xml);
}

GStrv
pt_vm_xml_dup_hostdev_addresses (const char *domain_xml, GError **error)
{
  g_autoptr(xmlDoc) doc = pt_vm_xml_parse (domain_xml, error);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  xmlNodePtr devices;

  if (doc == NULL)
    return NULL;
  devices = devices_node (doc, FALSE);
  for (xmlNodePtr n = devices != NULL ? devices->children : NULL; n != NULL; n = n->next)
    {
      PtAddress a;

      if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST "hostdev")
          && pt_vm_xml_hostdev_address (n, &a))
        {
          g_autofree char *text = pt_address_to_string (&a);

          g_strv_builder_add (builder, text);
        }
    }
  return g_strv_builder_end (builder);
}

gboolean
pt_vm_xml_read_os (const char  *xml,
                   char       **firmware,
                   char       **loader,
                   char       **machine,
                   GError     **error)
{
  g_autoptr(xmlDoc) doc = pt_vm_xml_parse (xml, error);
  xmlNodePtr os;
  xmlNodePtr node;

  if (doc == NULL)
    return FALSE;
  os = pt_vm_xml_child (xmlDocGetRootElement (doc), "os");
  *firmware = os != NULL ? (char *) xmlGetProp (os, BAD_CAST "firmware") : NULL;
  node = pt_vm_xml_child (os, "loader");
  *loader = node != NULL ? (char *) xmlNodeGetContent (node) : NULL;
  node = pt_vm_xml_child (os, "type");
  *machine = node != NULL ? (char *) xmlGetProp (node, BAD_CAST "machine") : NULL;
  /* xmlFree and g_free are the same allocator here; copy to be sure. */
  {
    char *tmp;

    tmp = *firmware; *firmware = g_strdup (tmp); xmlFree (tmp);
    tmp = *loader; *loader = g_strdup (tmp); xmlFree (tmp);
    tmp = *machine; *machine = g_strdup (tmp); xmlFree (tmp);
  }
  return TRUE;
}
