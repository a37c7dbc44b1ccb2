/* pt-vm-nodedev.c: a host's PCI functions and IOMMU groups from libvirt's
 * node-device XML (DESIGN.md "The core model": the second source of
 * hosts, for a hypervisor reached through qemu+ssh://). The host has no
 * root, like a snapshot: verdicts and plans work, boot files do not. */
#define G_LOG_DOMAIN "pt-vm"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>

#include "pt-host-private.h"
#include "pt-vm-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

static gboolean
read_hex (xmlNodePtr node, const char *attribute, guint64 max, guint64 *value)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (node == NULL)
    return FALSE;
  text = attribute != NULL ? (char *) xmlGetProp (node, BAD_CAST attribute)
                           : (char *) xmlNodeGetContent (node);
  if (text == NULL)
    return FALSE;
  *value = g_ascii_strtoull (g_strstrip (text), &end, 0);
  return end != text && *end == '\0' && *value <= max;
}

static char *
content (xmlNodePtr node)
{
  g_autofree char *text = node != NULL ? (char *) xmlNodeGetContent (node) : NULL;

  if (text == NULL || *g_strstrip (text) == '\0')
    return NULL;
  return g_strdup (text);
}

/* "pci_0000_00_01_0" -> "0000:00:01.0" */
static char *
parent_address (const char *name)
{
  PtAddress address;
  g_auto(GStrv) parts = NULL;
  g_autofree char *text = NULL;

  if (name == NULL || !g_str_has_prefix (name, "pci_"))
    return NULL;
  parts = g_strsplit (name + 4, "_", -1);
  if (g_strv_length (parts) != 4)
    return NULL;
  text = g_strdup_printf ("%s:%s:%s.%s", parts[0], parts[1], parts[2], parts[3]);
  if (!pt_address_parse (text, &address, NULL))
    return NULL;
  return pt_address_to_string (&address);
}

static PtDevice *
device_from_xml (const char *xml, GError **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNodePtr root;
  xmlNodePtr cap = NULL;
  xmlNodePtr node;
  PtAddress address;
  guint64 d, b, s, f, klass, vendor, product;
  g_autoptr(PtDevice) device = NULL;
  g_autofree char *name = NULL;
  g_autofree char *parent = NULL;

  doc = xmlReadMemory (xml, (int) strlen (xml), "nodedev.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  root = doc != NULL ? xmlDocGetRootElement (doc) : NULL;
  if (root == NULL || !xmlStrEqual (root->name, BAD_CAST "device"))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                   _("libvirt sent a node device description that is not a <device>."));
      return NULL;
    }
  name = content (pt_vm_xml_child (root, "name"));
  for (node = root->children; node != NULL; node = node->next)
    if (node->type == XML_ELEMENT_NODE && xmlStrEqual (node->name, BAD_CAST "capability"))
      {
        g_autofree char *type = (char *) xmlGetProp (node, BAD_CAST "type");

        if (g_strcmp0 (type, "pci") == 0)
          cap = node;
      }
  if (cap == NULL)
    return NULL;   /* not a PCI function: skipped */
  if (!read_hex (pt_vm_xml_child (cap, "domain"), NULL, G_MAXUINT32, &d)
      || !read_hex (pt_vm_xml_child (cap, "bus"), NULL, 0xff, &b)
      || !read_hex (pt_vm_xml_child (cap, "slot"), NULL, 0x1f, &s)
      || !read_hex (pt_vm_xml_child (cap, "function"), NULL, 7, &f)
      || !read_hex (pt_vm_xml_child (cap, "class"), NULL, 0xffffff, &klass)
      || !read_hex (pt_vm_xml_child (cap, "vendor"), "id", 0xffff, &vendor)
      || !read_hex (pt_vm_xml_child (cap, "product"), "id", 0xffff, &product))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                   _("The node device %s has no complete PCI address, class or IDs."),
                   name != NULL ? name : "?");
      return NULL;
    }
  address.domain = (guint32) d;
  address.bus = (guint8) b;
  address.slot = (guint8) s;
  address.func = (guint8) f;
  device = pt_device_new (&address);
  device->klass = (guint32) klass;
  device->vendor_id = (guint16) vendor;
  device->device_id = (guint16) product;
  device->iommu_group = -1;
  device->numa_node = -1;
  device->boot_vga = PT_TRISTATE_UNKNOWN;
  node = pt_vm_xml_child (cap, "iommuGroup");
  if (node != NULL)
    {
      guint64 group;

      if (read_hex (node, "number", G_MAXINT, &group))
        device->iommu_group = (int) group;
    }
  device->vendor_name = content (pt_vm_xml_child (cap, "vendor"));
  device->device_name = content (pt_vm_xml_child (cap, "product"));
  device->driver = content (pt_vm_xml_child (pt_vm_xml_child (root, "driver"), "name"));
  parent = content (pt_vm_xml_child (root, "parent"));
  device->parent_address = parent_address (parent);
  return g_steal_pointer (&device);
}

PtHost *
pt_vm_host_from_node_device_xml (const char *const *xmls, GError **error)
{
  g_autoptr(PtHost) host = NULL;

  g_return_val_if_fail (xmls != NULL, NULL);

  host = pt_host_new_empty ();
  for (guint i = 0; xmls[i] != NULL; i++)
    {
      GError *local_error = NULL;
      g_autoptr(PtDevice) device = device_from_xml (xmls[i], &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (device != NULL)
        pt_host_add_device (host, device);
    }
  pt_host_finish (host);
  host->details_loaded = TRUE;
  return g_steal_pointer (&host);
}
