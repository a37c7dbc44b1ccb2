/* pt-vm-connection.c: the hypervisor side: opening a libvirt URI with
 * errors that say what to do, domain capabilities, the domains and their
 * PCI hostdevs, and create / attach / detach as one checked operation.
 * libvirt-gobject carries the connection, domains and storage; the raw
 * libvirt API (through the connection's handle) what it does not wrap:
 * the domain capabilities' details and node devices. */
#define G_LOG_DOMAIN "pt-vm"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libvirt-gobject/libvirt-gobject.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "pt-bootconf.h"
#include "pt-vm-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

struct _PtVmConnection
{
  GObject         parent_instance;
  GVirConnection *conn;
  char           *uri;
};

G_DEFINE_FINAL_TYPE (PtVmConnection, pt_vm_connection, G_TYPE_OBJECT)

static void
pt_vm_connection_finalize (GObject *object)
{
  PtVmConnection *self = PT_VM_CONNECTION (object);

  if (self->conn != NULL && gvir_connection_is_open (self->conn))
    gvir_connection_close (self->conn);
  g_clear_object (&self->conn);
  g_free (self->uri);
  G_OBJECT_CLASS (pt_vm_connection_parent_class)->finalize (object);
}

static void
pt_vm_connection_class_init (PtVmConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_vm_connection_finalize;
}

static void
pt_vm_connection_init (PtVmConnection *self)
{
}

/* ---- opening ------------------------------------------------------------ */

/* Turns libvirt's last error (or @cause's text) into one that says what to do. */
static void
set_open_error (GError **error, const char *uri, const GError *cause)
{
  virErrorPtr last = virGetLastError ();
  const char *text = cause != NULL ? cause->message : (last != NULL ? last->message : "");
  int code = last != NULL ? last->code : VIR_ERR_OK;
  int errnum = last != NULL && last->code == VIR_ERR_SYSTEM_ERROR ? last->int1 : 0;

  if (text == NULL)
    text = "";
  if (errnum == EACCES || code == VIR_ERR_AUTH_FAILED || code == VIR_ERR_AUTH_CANCELLED
      || code == VIR_ERR_AUTH_UNAVAILABLE || strstr (text, "Permission denied") != NULL
      || strstr (text, "authentication") != NULL)
    g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_PERMISSION,
                 _("You may not manage VMs on %s (%s). Add yourself to the group libvirt "
                   "(“sudo usermod -aG libvirt $USER”), log out and in again, and retry."),
                 uri, text);
  else if (g_str_has_suffix (uri, ":///system")
           && (errnum == ENOENT || errnum == ECONNREFUSED
               || strstr (text, "No such file or directory") != NULL
               || strstr (text, "Connection refused") != NULL))
    g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_NO_DAEMON,
                 _("libvirt is not running on this machine (%s). Start it with "
                   "“sudo systemctl enable --now libvirtd” (or virtqemud.socket on "
                   "distributions with modular daemons), then retry."), text);
  else
    g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_UNREACHABLE,
                 _("Cannot connect to %s (%s). Check the URI (e.g. qemu:///system or "
                   "qemu+ssh://user@host/system) and that libvirt runs there."), uri, text);
}

PtVmConnection *
pt_vm_connection_open (const char *uri, GCancellable *cancellable, GError **error)
{
  g_autoptr(PtVmConnection) self = NULL;
  g_autoptr(GError) local_error = NULL;

  if (uri == NULL)
    uri = PT_VM_DEFAULT_URI;
  if (!gvir_init_object_check (NULL, NULL, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  self = g_object_new (PT_TYPE_VM_CONNECTION, NULL);
  self->uri = g_strdup (uri);
  self->conn = gvir_connection_new (uri);
  virResetLastError ();
  if (!gvir_connection_open (self->conn, cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_open_error (error, uri, local_error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

static void
open_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  PtVmConnection *self = pt_vm_connection_open (task_data, cancellable, &error);

  if (self == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, self, g_object_unref);
}

void
pt_vm_connection_open_async (const char          *uri,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pt_vm_connection_open_async);
  g_task_set_task_data (task, g_strdup (uri ? uri : PT_VM_DEFAULT_URI), g_free);
  g_task_run_in_thread (task, open_thread);
}

PtVmConnection *
pt_vm_connection_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
pt_vm_connection_get_uri (PtVmConnection *self)
{
  g_return_val_if_fail (PT_IS_VM_CONNECTION (self), NULL);
  return self->uri;
}

/* The raw handle, for what libvirt-gobject does not wrap. Owned by the caller. */
static virConnectPtr
dup_handle (PtVmConnection *self)
{
  virConnectPtr handle = NULL;

  g_object_get (self->conn, "handle", &handle, NULL);
  return handle;
}

static const char *
last_libvirt_message (void)
{
  virErrorPtr last = virGetLastError ();

  return last != NULL && last->message != NULL ? last->message : _("unknown libvirt error");
}

/* libvirt's last error as a GError with what we were doing in front. */
static void
set_libvirt_error (GError **error, PtVmError code, const char *doing)
{
  g_set_error (error, PT_VM_ERROR, code, "%s: %s", doing, last_libvirt_message ());
}

/* ---- capabilities and resources ------------------------------------------ */

static char *
xpath_string (xmlDocPtr doc, const char *expression)
{
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj = xmlXPathEvalExpression (BAD_CAST expression, ctx);
  char *result = NULL;

  if (obj != NULL && obj->type == XPATH_STRING && obj->stringval != NULL && *obj->stringval != '\0')
    result = g_strdup ((const char *) obj->stringval);
  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  return result;
}

static gboolean
xpath_bool (xmlDocPtr doc, const char *expression)
{
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj = xmlXPathEvalExpression (BAD_CAST expression, ctx);
  gboolean result = obj != NULL && xmlXPathCastToBoolean (obj);

  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  return result;
}

gboolean
pt_vm_connection_get_capabilities (PtVmConnection *self, PtVmCapabilities *caps, GError **error)
{
  virConnectPtr handle;
  char *xml;
  g_autoptr(xmlDoc) doc = NULL;

  g_return_val_if_fail (PT_IS_VM_CONNECTION (self), FALSE);
  g_return_val_if_fail (caps != NULL, FALSE);

  memset (caps, 0, sizeof *caps);
  handle = dup_handle (self);
  xml = virConnectGetDomainCapabilities (handle, NULL, "x86_64", "q35", "kvm", 0);
  if (xml != NULL)
    caps->kvm = TRUE;
  else
    xml = virConnectGetDomainCapabilities (handle, NULL, "x86_64", "q35", "qemu", 0);
  if (xml == NULL)
    {
      set_libvirt_error (error, PT_VM_ERROR_UNSUPPORTED,
                         _("The hypervisor has no x86_64 Q35 machine (is qemu-system-x86 installed?)"));
      virConnectClose (handle);
      return FALSE;
    }
  virConnectClose (handle);
  doc = xmlReadMemory (xml, (int) strlen (xml), "domcaps.xml", NULL, XML_PARSE_NONET);
  free (xml);
  if (doc == NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_FAILED,
                   _("libvirt returned domain capabilities that cannot be read."));
      return FALSE;
    }
  caps->machine = xpath_string (doc, "string(/domainCapabilities/machine)");
  caps->emulator = xpath_string (doc, "string(/domainCapabilities/path)");
  caps->q35 = caps->machine != NULL && strstr (caps->machine, "q35") != NULL;
  caps->efi = xpath_bool (doc, "/domainCapabilities/os[@supported='yes']/enum[@name='firmware']/value[.='efi']")
              || xpath_bool (doc, "/domainCapabilities/os/loader[@supported='yes']/value[contains(., 'OVMF')]");
  caps->hostdev_pci = xpath_bool (doc, "/domainCapabilities/devices/hostdev[@supported='yes']"
                                       "/enum[@name='subsysType']/value[.='pci']");
  return TRUE;
}

gboolean
pt_vm_connection_get_resources (PtVmConnection *self, PtVmResources *resources, GError **error)
{
  GVirNodeInfo *info;

  g_return_val_if_fail (PT_IS_VM_CONNECTION (self), FALSE);

  memset (resources, 0, sizeof *resources);
  info = gvir_connection_get_node_info (self->conn, error);
  if (info == NULL)
    return FALSE;
  resources->memory_mib = info->memory / 1024;
  resources->cpus = info->cpus;
  resources->threads_per_core = info->threads;
  g_boxed_free (gvir_node_info_get_type (), info);
  return TRUE;
}

/* ---- domains ------------------------------------------------------------------ */

static PtVmState
state_from_gvir (GVirDomainState state)
{
  switch (state)
    {
    case GVIR_DOMAIN_STATE_RUNNING:
    case GVIR_DOMAIN_STATE_BLOCKED:
      return PT_VM_STATE_RUNNING;
    case GVIR_DOMAIN_STATE_PAUSED:
    case GVIR_DOMAIN_STATE_PMSUSPENDED:
      return PT_VM_STATE_PAUSED;
    case GVIR_DOMAIN_STATE_SHUTOFF:
      return PT_VM_STATE_OFF;
    default:
      return PT_VM_STATE_OTHER;
    }
}

static PtVmState
domain_state (GVirDomain *domain)
{
  GVirDomainInfo *info = gvir_domain_get_info (domain, NULL);
  PtVmState state = info != NULL ? state_from_gvir (info->state) : PT_VM_STATE_OTHER;

  if (info != NULL)
    g_boxed_free (GVIR_TYPE_DOMAIN_INFO, info);
  return state;
}

static char *
domain_xml (GVirDomain *domain, gboolean inactive, GError **error)
{
  g_autoptr(GVirConfigDomain) config = NULL;

  config = gvir_domain_get_config (domain, inactive ? GVIR_DOMAIN_XML_INACTIVE : GVIR_DOMAIN_XML_NONE,
                                   error);
  if (config == NULL)
    return NULL;
  return gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (config));
}

/* gvir_connection_fetch_domains, but not when there is no domain at all:
 * libvirt-gobject 4.0 then loses the empty array libvirt returns. @none
 * says so, and the connection's list is not to be used. */
static gboolean
fetch_domains (PtVmConnection *self, gboolean *none, GError **error)
{
  virConnectPtr handle = dup_handle (self);
  int running = virConnectNumOfDomains (handle);
  int defined = running >= 0 ? virConnectNumOfDefinedDomains (handle) : -1;

  if (running < 0 || defined < 0)
    {
      set_libvirt_error (error, PT_VM_ERROR_FAILED, _("Cannot list the domains"));
      virConnectClose (handle);
      return FALSE;
    }
  virConnectClose (handle);
  *none = running + defined == 0;
  if (*none)
    return TRUE;
  return gvir_connection_fetch_domains (self->conn, NULL, error);
}

static gint
compare_info (gconstpointer a, gconstpointer b)
{
  const PtVmDomainInfo *x = *(PtVmDomainInfo **) a;
  const PtVmDomainInfo *y = *(PtVmDomainInfo **) b;

  return g_strcmp0 (x->name, y->name);
}

GPtrArray *
pt_vm_connection_list_domains (PtVmConnection *self, PtPlan *plan, GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_vm_domain_info_free);
  GList *domains;
  gboolean none;

  g_return_val_if_fail (PT_IS_VM_CONNECTION (self), NULL);

  if (!fetch_domains (self, &none, error))
    return NULL;
  domains = none ? NULL : gvir_connection_get_domains (self->conn);
  for (GList *l = domains; l != NULL; l = l->next)
    {
      GVirDomain *domain = l->data;
      PtVmDomainInfo *info = g_new0 (PtVmDomainInfo, 1);
      g_autofree char *xml = NULL;

      info->name = g_strdup (gvir_domain_get_name (domain));
      info->uuid = g_strdup (gvir_domain_get_uuid (domain));
      info->persistent = gvir_domain_get_persistent (domain);
      info->state = domain_state (domain);
      g_ptr_array_add (list, info);
      xml = domain_xml (domain, info->persistent, NULL);
      info->hostdevs = xml != NULL ? pt_vm_xml_dup_hostdev_addresses (xml, NULL) : NULL;
      if (info->hostdevs == NULL)
        info->hostdevs = g_new0 (char *, 1);
      if (plan != NULL && plan->devices->len > 0)
        {
          info->has_plan = TRUE;
          for (guint i = 0; i < plan->devices->len; i++)
            if (!g_strv_contains ((const char *const *) info->hostdevs,
                                  pt_device_get_address (g_ptr_array_index (plan->devices, i))))
              info->has_plan = FALSE;
        }
    }
  g_list_free_full (domains, g_object_unref);
  g_ptr_array_sort (list, compare_info);
  return g_steal_pointer (&list);
}

static void
list_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *list = pt_vm_connection_list_domains (source, task_data, &error);

  if (list == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
pt_vm_connection_list_domains_async (PtVmConnection      *self,
                                     PtPlan              *plan,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pt_vm_connection_list_domains_async);
  g_task_set_task_data (task, plan, NULL);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
pt_vm_connection_list_domains_finish (PtVmConnection *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GHashTable *
pt_vm_connection_dup_assigned (PtVmConnection *self, GError **error)
{
  g_autoptr(GPtrArray) list = pt_vm_connection_list_domains (self, NULL, error);
  GHashTable *assigned;

  if (list == NULL)
    return NULL;
  assigned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < list->len; i++)
    {
      PtVmDomainInfo *info = g_ptr_array_index (list, i);

      for (guint j = 0; info->hostdevs[j] != NULL; j++)
        g_hash_table_insert (assigned, g_strdup (info->hostdevs[j]), g_strdup (info->name));
    }
  return assigned;
}

static GVirDomain *
find_domain (PtVmConnection *self, const char *name, GError **error)
{
  GVirDomain *domain;
  gboolean none;

  if (!fetch_domains (self, &none, error))
    return NULL;
  domain = none ? NULL : gvir_connection_find_domain_by_name (self->conn, name);
  if (domain == NULL)
    g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_NO_DOMAIN,
                 _("There is no domain “%s” on %s. “passthroughctl vm list” shows the domains."),
                 name, self->uri);
  return domain;
}

char *
pt_vm_connection_dup_domain_xml (PtVmConnection *self, const char *name, GError **error)
{
  g_autoptr(GVirDomain) domain = NULL;

  g_return_val_if_fail (PT_IS_VM_CONNECTION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  domain = find_domain (self, name, error);
  if (domain == NULL)
    return NULL;
  return domain_xml (domain, gvir_domain_get_persistent (domain), error);
}

/* ---- node devices ----------------------------------------------------------- */

PtHost *
pt_vm_connection_load_host (PtVmConnection *self, GError **error)
{
  virConnectPtr handle;
  virNodeDevicePtr *devices = NULL;
  g_autoptr(GPtrArray) xmls = g_ptr_array_new_with_free_func (free);
  PtHost *host;
  int n;

  g_return_val_if_fail (PT_IS_VM_CONNECTION (self), NULL);

  handle = dup_handle (self);
  n = virConnectListAllNodeDevices (handle, &devices, VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV);
  if (n < 0)
    {
      set_libvirt_error (error, PT_VM_ERROR_FAILED, _("Cannot list the PCI devices of the hypervisor"));
      virConnectClose (handle);
      return NULL;
    }
  for (int i = 0; i < n; i++)
    {
      char *xml = virNodeDeviceGetXMLDesc (devices[i], 0);

      if (xml != NULL)
        g_ptr_array_add (xmls, xml);
      virNodeDeviceFree (devices[i]);
    }
  free (devices);
  virConnectClose (handle);
  g_ptr_array_add (xmls, NULL);
  host = pt_vm_host_from_node_device_xml ((const char *const *) xmls->pdata, error);
  return host;
}

/* ---- create, attach, detach -------------------------------------------------------- */

static GPtrArray *
summarize (PtPlan *plan, const char *before, gboolean attach)
{
  GPtrArray *summary = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) present = before != NULL ? pt_vm_xml_dup_hostdev_addresses (before, NULL) : NULL;

  for (guint i = 0; i < plan->devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (plan->devices, i);
      gboolean there = present != NULL
                       && g_strv_contains ((const char *const *) present, pt_device_get_address (device));
      g_autofree char *what = pt_vm_describe_device (device);

      if (attach && !there)
        g_ptr_array_add (summary, g_strdup_printf (_("Add %s as a managed PCI host device"), what));
      else if (!attach && there)
        g_ptr_array_add (summary, g_strdup_printf (_("Remove the PCI host device %s"), what));
    }
  return summary;
}

static char *
unified_diff (const char *name, const char *before, const char *after)
{
  g_autoptr(GBytes) a = before != NULL ? g_bytes_new (before, strlen (before)) : NULL;
  g_autoptr(GBytes) b = g_bytes_new (after, strlen (after));
  g_autofree char *path = g_strdup_printf ("%s.xml", name);

  return pt_diff_unified (path, a, b);
}

static gboolean
has_fatal (GPtrArray *issues, GError **error)
{
  for (guint i = 0; i < issues->len; i++)
    {
      PtVmIssue *issue = g_ptr_array_index (issues, i);

      if (issue->fatal)
        {
          g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_CONFLICT, "%s %s", issue->message,
                       issue->fix != NULL ? issue->fix : "");
          return TRUE;
        }
    }
  return FALSE;
}

/* The pool @pool_name, active and without a volume @vol_name yet, and the
 * directory new volumes go to. */
static GVirStoragePool *
find_pool (PtVmConnection *self, const char *pool_name, const char *vol_name, char **target,
           GError **error)
{
  g_autoptr(GVirStoragePool) pool = NULL;
  g_autoptr(GVirConfigStoragePool) config = NULL;
  g_autoptr(GVirConfigStoragePoolTarget) pool_target = NULL;
  g_autoptr(GVirStorageVol) existing = NULL;

  if (!gvir_connection_fetch_storage_pools (self->conn, NULL, error))
    return NULL;
  pool = gvir_connection_find_storage_pool_by_name (self->conn, pool_name);
  if (pool == NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_FAILED,
                   _("There is no storage pool “%s” for the new disk. Create it with “virsh "
                     "pool-define-as %s dir --target /var/lib/libvirt/images && virsh pool-start "
                     "%s && virsh pool-autostart %s”, or give an existing disk with --disk PATH."),
                   pool_name, pool_name, pool_name, pool_name);
      return NULL;
    }
  if (!gvir_storage_pool_get_active (pool))
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_FAILED,
                   _("The storage pool “%s” for the new disk is not active. Start it with “virsh "
                     "pool-start %s” (and “virsh pool-autostart %s” for the next boots), or give "
                     "an existing disk with --disk PATH."), pool_name, pool_name, pool_name);
      return NULL;
    }
  if (!gvir_storage_pool_refresh (pool, NULL, error))
    return NULL;
  existing = gvir_storage_pool_get_volume (pool, vol_name);
  if (existing != NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_EXISTS,
                   _("The storage pool “%s” has a disk %s already. Use it with --disk PATH, "
                     "or choose another name for the VM."), pool_name, vol_name);
      return NULL;
    }
  config = gvir_storage_pool_get_config (pool, 0, error);
  if (config == NULL)
    return NULL;
  pool_target = gvir_config_storage_pool_get_target (config);
  *target = g_strdup (pool_target != NULL ? gvir_config_storage_pool_target_get_path (pool_target) : NULL);
  if (*target == NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_FAILED,
                   _("The storage pool “%s” has no directory for new disks; give an existing "
                     "disk with --disk PATH."), pool_name);
      return NULL;
    }
  return g_steal_pointer (&pool);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (virStorageVol, virStorageVolFree)

/* A sparse qcow2 volume @vol_name of @size_gib GiB in @pool, described
 * with libvirt-gconfig and made through plain libvirt: libvirt-gobject 4.0's
 * gvir_storage_pool_create_volume() and gvir_storage_vol_get_path() leak
 * the XML and the path. */
static virStorageVol *
create_volume (GVirStoragePool *pool, const char *vol_name, guint64 size_gib, GError **error)
{
  g_autoptr(GVirConfigStorageVol) config = gvir_config_storage_vol_new ();
  g_autoptr(GVirConfigStorageVolTarget) target = gvir_config_storage_vol_target_new ();
  g_autofree char *xml = NULL;
  virStoragePoolPtr handle = NULL;
  virStorageVol *volume;

  gvir_config_storage_vol_set_name (config, vol_name);
  gvir_config_storage_vol_set_capacity (config, size_gib * 1024 * 1024 * 1024);
  gvir_config_storage_vol_set_allocation (config, 0);
  gvir_config_storage_vol_target_set_format (target, "qcow2");
  gvir_config_storage_vol_set_target (config, target);
  xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (config));
  g_object_get (pool, "handle", &handle, NULL);
  volume = virStorageVolCreateXML (handle, xml, 0);
  if (volume == NULL)
    set_libvirt_error (error, PT_VM_ERROR_FAILED, _("Cannot create the disk"));
  virStoragePoolFree (handle);
  return volume;
}

/* The new domain's XML for @options into result->after, and its diff. */
static gboolean
build_new_domain (PtPlan *plan, const PtVmOptions *options, PtVmResult *result, GError **error)
{
  g_clear_pointer (&result->after, g_free);
  g_clear_pointer (&result->diff, g_free);
  result->after = pt_vm_build_xml (plan, options, error);
  if (result->after == NULL)
    return FALSE;
  result->diff = unified_diff (options->name, NULL, result->after);
  return TRUE;
}

static PtVmResult *
run_create (PtVmConnection     *self,
            PtPlan             *plan,
            const PtVmOptions  *given,
            PtVmRunFlags        flags,
            GError            **error)
{
  g_autoptr(PtVmResult) result = g_new0 (PtVmResult, 1);
  g_autoptr(PtVmOptions) options = pt_vm_options_copy (given);
  g_autoptr(GHashTable) assigned = NULL;
  g_autoptr(GVirStoragePool) pool = NULL;
  g_autoptr(virStorageVol) volume = NULL;
  g_autofree char *vol_name = NULL;
  g_autoptr(GVirDomain) existing = NULL;
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autoptr(GVirDomain) created = NULL;
  PtVmCapabilities caps = { 0 };
  PtVmResources resources = { 0 };
  gboolean none;

  if (!pt_vm_connection_get_capabilities (self, &caps, error))
    return NULL;
  if (!caps.q35 || !caps.efi || !caps.hostdev_pci)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_UNSUPPORTED,
                   _("The hypervisor at %s lacks %s, which a passthrough VM needs. Install "
                     "qemu-system-x86 and ovmf (edk2-ovmf) there and restart libvirtd."),
                   self->uri, !caps.q35 ? "Q35" : !caps.efi ? _("UEFI firmware (OVMF)")
                                                            : _("PCI host devices (vfio)"));
      pt_vm_capabilities_clear (&caps);
      return NULL;
    }
  pt_vm_capabilities_clear (&caps);
  if (!fetch_domains (self, &none, error))
    return NULL;
  existing = none ? NULL : gvir_connection_find_domain_by_name (self->conn, options->name);
  if (existing != NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_EXISTS,
                   _("A domain “%s” exists already. Choose another name, or add the devices to "
                     "it with “passthroughctl vm attach %s ADDRESS”."), options->name, options->name);
      return NULL;
    }
  options->emulated = !caps.kvm;
  if (pt_vm_connection_get_resources (self, &resources, NULL))
    pt_vm_options_fill_defaults (options, &resources);
  else
    pt_vm_options_fill_defaults (options, NULL);

  assigned = pt_vm_connection_dup_assigned (self, error);
  if (assigned == NULL)
    return NULL;
  result->issues = pt_vm_check_xml (NULL, options->name, plan, assigned, error);
  if (result->issues == NULL || has_fatal (result->issues, error))
    return NULL;
  if (!caps.kvm)
    g_ptr_array_add (result->issues, pt_vm_issue_new (PT_VM_ISSUE_NO_KVM, FALSE,
      g_strdup (_("The hypervisor has no KVM: the VM would be emulated, far too slowly for a GPU.")),
      g_strdup (_("Turn on virtualization (VT-x / AMD-V) in the firmware and load kvm_intel or kvm_amd."))));

  if (options->disk_path == NULL)
    {
      g_autofree char *dir = NULL;

      vol_name = g_strdup_printf ("%s.qcow2", options->name);
      pool = find_pool (self, options->pool, vol_name, &dir, error);
      if (pool == NULL)
        return NULL;
      options->disk_path = g_build_filename (dir, vol_name, NULL);
      result->disk_created = TRUE;
    }

  result->domain = g_strdup (options->name);
  if (!build_new_domain (plan, options, result, error))
    return NULL;
  result->summary = summarize (plan, NULL, TRUE);
  g_ptr_array_insert (result->summary, 0,
                      /* Translators: %s is a VM name, %u a number of virtual CPUs, %llu MiB of memory. */
                      g_strdup_printf (_("Define the domain “%s”: Q35, UEFI, %u vCPUs, %llu MiB"),
                                       options->name, options->vcpus,
                                       (unsigned long long) options->memory_mib));
  if (result->disk_created)
    g_ptr_array_insert (result->summary, 1,
                        /* Translators: %s is a file path, %llu a size in GiB. */
                        g_strdup_printf (_("Create the disk %s (%llu GiB, qcow2)"),
                                         options->disk_path, (unsigned long long) options->disk_size_gib));
  result->changed = TRUE;
  result->disk_path = g_strdup (options->disk_path);
  if (flags & PT_VM_RUN_PREVIEW)
    return g_steal_pointer (&result);

  if (pool != NULL)
    {
      char *path;
      gboolean built = TRUE;

      volume = create_volume (pool, vol_name, options->disk_size_gib, error);
      if (volume == NULL)
        return NULL;
      path = virStorageVolGetPath (volume);
      if (g_strcmp0 (path, result->disk_path) != 0)
        {
          /* The pool put it elsewhere than its target said: the domain
           * must name the volume's real path. */
          g_free (result->disk_path);
          result->disk_path = g_strdup (path);
          g_free (options->disk_path);
          options->disk_path = g_strdup (path);
          built = build_new_domain (plan, options, result, error);
        }
      free (path);
      if (!built)
        {
          virStorageVolDelete (volume, 0);
          return NULL;
        }
    }
  config = gvir_config_domain_new_from_xml (result->after, error);
  created = config != NULL ? gvir_connection_create_domain (self->conn, config, error) : NULL;
  if (created == NULL)
    {
      /* Nothing half-made stays behind: the new disk goes with the domain. */
      if (volume != NULL)
        virStorageVolDelete (volume, 0);
      return NULL;
    }
  return g_steal_pointer (&result);
}

/* ---- live changes ------------------------------------------------------ */

/* libvirt's node-device name of a PCI function: pci_0000_01_00_0. */
static char *
nodedev_name (PtDevice *device)
{
  const PtAddress *a = pt_device_get_pci_address (device);

  return g_strdup_printf ("pci_%04x_%02x_%02x_%x", a->domain, a->bus, a->slot, a->func);
}

/* The hypervisor's node device for @device, when it is the function the
 * plan means (same address and IDs), with the driver that holds it now in
 * @driver. The plan may come from another host's read (--root,
 * --snapshot): a live change must never unbind one of the hypervisor's
 * own devices that merely has the same address. */
static virNodeDevicePtr
lookup_node_device (virConnectPtr conn, PtDevice *device, char **driver, char **message)
{
  g_autofree char *name = nodedev_name (device);
  virNodeDevicePtr node = virNodeDeviceLookupByName (conn, name);
  char *xml = node != NULL ? virNodeDeviceGetXMLDesc (node, 0) : NULL;
  const char *const xmls[] = { xml, NULL };
  g_autoptr(PtHost) host = xml != NULL ? pt_vm_host_from_node_device_xml (xmls, NULL) : NULL;
  PtDevice *there = host != NULL ? pt_host_lookup_device (host, pt_device_get_address (device)) : NULL;

  free (xml);
  if (there == NULL || pt_device_get_vendor_id (there) != pt_device_get_vendor_id (device)
      || pt_device_get_device_id (there) != pt_device_get_device_id (device))
    {
      if (node != NULL)
        virNodeDeviceFree (node);
      if (message != NULL)
        *message = g_strdup_printf (_("The hypervisor has no %04x:%04x device at %s: the host "
                                      "that was read is not the one the VM runs on. Read the "
                                      "hypervisor’s own devices (no --root or --snapshot)."),
                                    pt_device_get_vendor_id (device), pt_device_get_device_id (device),
                                    pt_device_get_address (device));
      return NULL;
    }
  *driver = g_strdup (pt_device_get_driver (there));
  return node;
}

typedef enum
{
  MOVE_TO_VFIO,     /* every function to vfio-pci, before a hotplug */
  MOVE_RESTORE,     /* back to its driver what was elsewhere before (undo, best effort) */
  MOVE_GIVE_BACK,   /* every function on vfio-pci back to its host driver */
} MoveMode;

/* Moves the plan's functions between vfio-pci and their host drivers
 * through libvirt's node-device API (virNodeDeviceDetachFlags,
 * virNodeDeviceReAttach). Hot-plugging one function while a group mate is
 * still on its host driver fails: QEMU finds the group not viable. At
 * start, libvirt prepares all hostdevs before QEMU runs; for a hotplug we
 * do it, and libvirt then leaves them on vfio-pci when the VM stops
 * (devices detached through the node-device API stay detached), until
 * MOVE_GIVE_BACK. libvirt refuses to give back a function a running
 * domain uses. */
static gboolean
move_group (virConnectPtr conn, PtPlan *plan, MoveMode mode, char **message)
{
  for (guint i = 0; i < plan->devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (plan->devices, i);
      g_autofree char *driver = NULL;
      virNodeDevicePtr node = lookup_node_device (conn, device, &driver,
                                                  mode == MOVE_RESTORE ? NULL : message);
      gboolean on_vfio = g_strcmp0 (driver, "vfio-pci") == 0;
      int rc = 0;

      if (node == NULL)
        {
          if (mode == MOVE_RESTORE)
            continue;
          return FALSE;
        }
      if (mode == MOVE_TO_VFIO)
        rc = virNodeDeviceDetachFlags (node, "vfio", 0);
      else if (on_vfio && (mode == MOVE_GIVE_BACK
                           || g_strcmp0 (pt_device_get_driver (device), "vfio-pci") != 0))
        rc = virNodeDeviceReAttach (node);
      virNodeDeviceFree (node);
      if (rc < 0 && mode != MOVE_RESTORE)
        {
          *message = g_strdup_printf (mode == MOVE_TO_VFIO
                                        ? _("%s could not be moved to vfio-pci (%s).")
                                        : _("%s could not be given back to its driver (%s)."),
                                      pt_device_get_address (device), last_libvirt_message ());
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
live_has (GVirDomain *domain, PtDevice *device, GStrv *present)
{
  if (*present == NULL)
    {
      g_autofree char *xml = domain_xml (domain, FALSE, NULL);

      *present = xml != NULL ? pt_vm_xml_dup_hostdev_addresses (xml, NULL) : NULL;
      if (*present == NULL)
        *present = g_new0 (char *, 1);
    }
  return g_strv_contains ((const char *const *) *present, pt_device_get_address (device));
}

/* Makes the live system follow the change (PT_VM_RUN_LIVE) and says what
 * happened in result->live; the stored definition is changed already and
 * nothing here fails the operation.
 *  - attach, domain running: the group to vfio-pci, then each function
 *    hot-plugged; on a refusal, what was plugged is unplugged again and
 *    the functions go back where they were: no half group in the VM.
 *  - detach: each function the running domain has is unplugged (libvirt
 *    returns once it asked: PENDING while the guest holds on), then, with
 *    none left in the domain, the group goes back to its host drivers. */
static void
apply_live (PtVmConnection *self, GVirDomain *domain, PtPlan *plan, gboolean attach,
            gboolean running, PtVmResult *result)
{
  virConnectPtr conn = dup_handle (self);
  virDomainPtr handle = NULL;
  g_auto(GStrv) present = NULL;
  g_autoptr(GPtrArray) plugged = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *message = NULL;

  g_object_get (domain, "handle", &handle, NULL);
  result->live = PT_VM_LIVE_APPLIED;
  if (attach && !move_group (conn, plan, MOVE_TO_VFIO, &message))
    goto failed;
  for (guint i = 0; running && i < plan->devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (plan->devices, i);
      g_autofree char *xml = NULL;
      int rc;

      if (live_has (domain, device, &present) == attach)
        continue;
      xml = pt_vm_xml_hostdev_device (pt_device_get_pci_address (device));
      rc = attach ? virDomainAttachDeviceFlags (handle, xml, VIR_DOMAIN_AFFECT_LIVE)
                  : virDomainDetachDeviceFlags (handle, xml, VIR_DOMAIN_AFFECT_LIVE);
      if (rc < 0)
        {
          g_autofree char *what = pt_vm_describe_device (device);

          message = g_strdup_printf (attach ? _("The running VM could not take %s (%s).")
                                            : _("The running VM could not release %s (%s)."),
                                     what, last_libvirt_message ());
          goto failed;
        }
      g_ptr_array_add (plugged, g_steal_pointer (&xml));
    }
  if (!attach)
    {
      if (plugged->len > 0)
        {
          g_clear_pointer (&present, g_strfreev);
          for (guint i = 0; i < plan->devices->len; i++)
            if (live_has (domain, g_ptr_array_index (plan->devices, i), &present))
              result->live = PT_VM_LIVE_PENDING;
        }
      if (result->live == PT_VM_LIVE_APPLIED && !move_group (conn, plan, MOVE_GIVE_BACK, &message))
        goto failed;
    }
  goto out;

failed:
  result->live = PT_VM_LIVE_FAILED;
  result->live_error = g_steal_pointer (&message);
  if (attach)
    {
      for (guint i = 0; i < plugged->len; i++)
        virDomainDetachDeviceFlags (handle, g_ptr_array_index (plugged, i), VIR_DOMAIN_AFFECT_LIVE);
      move_group (conn, plan, MOVE_RESTORE, NULL);
    }
out:
  if (handle != NULL)
    virDomainFree (handle);
  virConnectClose (conn);
}

static PtVmResult *
run_change (PtVmConnection  *self,
            PtVmOp           op,
            const char      *name,
            PtPlan          *plan,
            PtVmRunFlags     flags,
            GError         **error)
{
  g_autoptr(PtVmResult) result = g_new0 (PtVmResult, 1);
  g_autoptr(GVirDomain) domain = NULL;
  g_autoptr(GHashTable) assigned = NULL;
  gboolean attach = op == PT_VM_OP_ATTACH;
  gboolean live;

  domain = find_domain (self, name, error);
  if (domain == NULL)
    return NULL;
  if (!gvir_domain_get_persistent (domain))
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_ARGUMENT,
                   _("The domain “%s” is transient: it has no stored definition to change. "
                     "Define it first (virsh dumpxml %s > %s.xml; virsh define %s.xml)."),
                   name, name, name, name);
      return NULL;
    }
  result->domain = g_strdup (name);
  result->before = domain_xml (domain, TRUE, error);
  if (result->before == NULL)
    return NULL;
  if (attach)
    {
      assigned = pt_vm_connection_dup_assigned (self, error);
      if (assigned == NULL)
        return NULL;
      result->issues = pt_vm_check_xml (result->before, name, plan, assigned, error);
      if (result->issues == NULL || has_fatal (result->issues, error))
        return NULL;
      result->after = pt_vm_xml_attach (result->before, plan, &result->changed, error);
    }
  else
    {
      result->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_vm_issue_free);
      result->after = pt_vm_xml_detach (result->before, plan, &result->changed, error);
    }
  if (result->after == NULL)
    return NULL;
  result->summary = summarize (plan, result->before, attach);
  result->diff = result->changed ? unified_diff (name, result->before, result->after) : g_strdup ("");
  result->running = pt_vm_state_is_active (domain_state (domain));
  live = (flags & PT_VM_RUN_LIVE) && (result->running || !attach);
  if (live && attach)
    g_ptr_array_add (result->summary, g_strdup (_("Move the group to vfio-pci and add it to the running VM "
                                                  "now (hotplug); it stays on vfio-pci when the VM stops, "
                                                  "until it is detached with --live")));
  else if (live && result->running)
    g_ptr_array_add (result->summary, g_strdup (_("Ask the running VM to release them now (hot-unplug), "
                                                  "then give the group back to its host drivers")));
  else if (live)
    g_ptr_array_add (result->summary, g_strdup (_("Give the group back to its host drivers")));
  if (flags & PT_VM_RUN_PREVIEW)
    return g_steal_pointer (&result);
  if (result->changed)
    {
      g_autoptr(GVirConfigDomain) config = gvir_config_domain_new_from_xml (result->after, error);

      if (config == NULL || !gvir_domain_set_config (domain, config, error))
        return NULL;
    }
  if (live)
    apply_live (self, domain, plan, attach, result->running, result);
  return g_steal_pointer (&result);
}

PtVmResult *
pt_vm_connection_run (PtVmConnection     *self,
                      PtVmOp              op,
                      const char         *domain,
                      PtPlan             *plan,
                      const PtVmOptions  *options,
                      PtVmRunFlags        flags,
                      GCancellable       *cancellable,
                      GError            **error)
{
  g_return_val_if_fail (PT_IS_VM_CONNECTION (self), NULL);
  g_return_val_if_fail (domain != NULL, NULL);
  g_return_val_if_fail (plan != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (op == PT_VM_OP_CREATE)
    {
      g_return_val_if_fail (options != NULL && g_strcmp0 (options->name, domain) == 0, NULL);
      return run_create (self, plan, options, flags, error);
    }
  return run_change (self, op, domain, plan, flags, error);
}

typedef struct
{
  PtVmOp        op;
  char         *domain;
  PtPlan       *plan;      /* unowned: the caller keeps it alive */
  PtVmOptions  *options;
  PtVmRunFlags  flags;
} RunData;

static void
run_data_free (RunData *data)
{
  g_free (data->domain);
  pt_vm_options_free (data->options);
  g_free (data);
}

static void
run_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RunData *data = task_data;
  GError *error = NULL;
  PtVmResult *result = pt_vm_connection_run (source, data->op, data->domain, data->plan,
                                             data->options, data->flags, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) pt_vm_result_free);
}

void
pt_vm_connection_run_async (PtVmConnection      *self,
                            PtVmOp               op,
                            const char          *domain,
                            PtPlan              *plan,
                            const PtVmOptions   *options,
                            PtVmRunFlags         flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  RunData *data = g_new0 (RunData, 1);

  data->op = op;
  data->domain = g_strdup (domain);
  data->plan = plan;
  data->options = options != NULL ? pt_vm_options_copy (options) : NULL;
  data->flags = flags;
  g_task_set_source_tag (task, pt_vm_connection_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

PtVmResult *
pt_vm_connection_run_finish (PtVmConnection *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
