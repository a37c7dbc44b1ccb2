/* pt-vm-private.h: helpers shared by the pt-vm*.c files. */
#pragma once

#include <libxml/tree.h>

#include <libvirt-gobject/libvirt-gobject.h>

#include "pt-vm.h"

G_BEGIN_DECLS

/* libvirt-glib 4.0 declares no cleanup functions of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainOs, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainCpu, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigCapabilitiesCpuTopology, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainClock, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainTimerRtc, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainTimerPit, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainTimerHpet, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainPowerManagement, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainControllerUsb, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainInterfaceNetwork, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainInput, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainDisk, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainDiskDriver, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainHostdevPci, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainAddressPci, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainGraphicsSpice, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainVideo, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainChannel, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainChardevSourceSpiceVmc, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigStorageVol, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigStorageVolTarget, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigStoragePool, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigStoragePoolTarget, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirDomain, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirStoragePool, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirStorageVol, g_object_unref)

PtVmIssue *pt_vm_issue_new        (PtVmIssueKind  kind,
                                   gboolean       fatal,
                                   char          *message,
                                   char          *fix);
char      *pt_vm_describe_device  (PtDevice      *device);

/* pt-vm-xml.c: libxml2 node-level access to domain XML. */
xmlDocPtr  pt_vm_xml_parse        (const char    *xml,
                                   GError       **error);
/* The root element as text, every node as parsed, followed by the white
 * space that followed it in @original (a newline when NULL). */
char      *pt_vm_xml_serialize    (xmlDocPtr      doc,
                                   const char    *original);
xmlNodePtr pt_vm_xml_child        (xmlNodePtr     parent,
                                   const char    *name);
/* Appends @child to @parent indented like its siblings (or @depth levels
 * of two spaces), keeping the whitespace before the parent's end tag. */
void       pt_vm_xml_append       (xmlNodePtr     parent,
                                   xmlNodePtr     child,
                                   int            depth);
gboolean   pt_vm_xml_read_os      (const char    *xml,
                                   char         **firmware,
                                   char         **loader,
                                   char         **machine,
                                   GError       **error);
/* A managed PCI <hostdev> for @address as a device document, for
 * virDomainAttachDeviceFlags / virDomainDetachDeviceFlags. */
char      *pt_vm_xml_hostdev_device (const PtAddress *address);
/* The PCI source address of a <hostdev type='pci'> node, or FALSE. */
gboolean   pt_vm_xml_hostdev_address (xmlNodePtr  hostdev,
                                      PtAddress  *address);

G_END_DECLS
