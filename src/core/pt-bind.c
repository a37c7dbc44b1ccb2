/* pt-bind.c: runtime rebinding through sysfs. A function goes to vfio-pci
 * by naming the driver in its driver_override, leaving its driver and being
 * probed again; it goes back the same way with its old driver named. The
 * old drivers are written down first, so that a crash half-way still knows
 * where everything belongs. */
#define G_LOG_DOMAIN "pt-bind"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libkmod.h>
#include <string.h>
#include <unistd.h>

#include "pt-bind.h"
#include "pt-json.h"
#include "pt-fileutil.h"
#include "pt-verdict.h"

#define VFIO_PCI "vfio-pci"
#define RECORDS_FORMAT "passthrough-bound"
#define RECORDS_VERSION 1

/* How long the live kernel gets to show the vfio group node. */
#define GROUP_NODE_TIMEOUT_MS 3000

void
pt_bind_record_free (PtBindRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->address);
  g_free (record->driver);
  g_free (record->driver_override);
  g_free (record);
}

static gboolean
is_live_root (const char *root)
{
  return g_strcmp0 (root, "/") == 0;
}

/* Driver names go back into driver_override: keep them to what the kernel
 * uses for names. */
static gboolean
driver_name_is_valid (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static int
compare_records (gconstpointer a, gconstpointer b)
{
  const PtBindRecord *ra = *(PtBindRecord **) a;
  const PtBindRecord *rb = *(PtBindRecord **) b;
  PtAddress aa, ab;

  /* Both were validated when they were read or made. */
  if (!pt_address_parse (ra->address, &aa, NULL) || !pt_address_parse (rb->address, &ab, NULL))
    return g_strcmp0 (ra->address, rb->address);
  return pt_address_compare (&aa, &ab);
}

static PtBindRecord *
find_record (GPtrArray *records, const char *address)
{
  for (guint i = 0; i < records->len; i++)
    {
      PtBindRecord *r = g_ptr_array_index (records, i);

      if (g_str_equal (r->address, address))
        return r;
    }
  return NULL;
}

static gboolean
read_optional_string (JsonObject *obj, const char *member, char **out)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  if (!driver_name_is_valid (json_node_get_string (node)))
    return FALSE;
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static GPtrArray *
parse_records (GBytes *contents, const char *display, GError **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_bind_record_free);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (contents, &size);
  JsonObject *root_obj;
  JsonArray *devices;

  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                   _("%s is damaged (%s). It lists the drivers of devices bound to vfio-pci "
                     "since the last boot; remove it to forget them"),
                   display, local_error->message);
      return NULL;
    }

  root_obj = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
    ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (root_obj == NULL
      || g_strcmp0 (json_object_get_string_member_with_default (root_obj, "format", NULL),
                    RECORDS_FORMAT) != 0
      || json_object_get_int_member_with_default (root_obj, "version", 0) != RECORDS_VERSION
      || !json_object_has_member (root_obj, "devices")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root_obj, "devices")))
    goto bad;

  devices = json_object_get_array_member (root_obj, "devices");
  for (guint i = 0; i < json_array_get_length (devices); i++)
    {
      JsonNode *node = json_array_get_element (devices, i);
      JsonObject *obj;
      JsonNode *group;
      g_autoptr(PtBindRecord) record = g_new0 (PtBindRecord, 1);
      PtAddress addr;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        goto bad;
      obj = json_node_get_object (node);
      if (!json_object_has_member (obj, "address")
          || json_node_get_value_type (json_object_get_member (obj, "address")) != G_TYPE_STRING
          || !pt_address_parse (json_object_get_string_member (obj, "address"), &addr, NULL))
        goto bad;
      record->address = pt_address_to_string (&addr);
      group = json_object_get_member (obj, "group");
      record->group = -1;
      if (group != NULL && !JSON_NODE_HOLDS_NULL (group))
        {
          if (json_node_get_value_type (group) != G_TYPE_INT64
              || json_node_get_int (group) < 0 || json_node_get_int (group) > G_MAXINT)
            goto bad;
          record->group = (int) json_node_get_int (group);
        }
      if (!read_optional_string (obj, "driver", &record->driver)
          || !read_optional_string (obj, "driver_override", &record->driver_override))
        goto bad;
      if (find_record (records, record->address) != NULL)
        goto bad;
      g_ptr_array_add (records, g_steal_pointer (&record));
    }

  g_ptr_array_sort (records, compare_records);
  return g_steal_pointer (&records);

bad:
  g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
               _("%s is damaged: it is not a list of devices bound to vfio-pci. Remove it "
                 "to forget them"),
               display);
  return NULL;
}

static GPtrArray *
load_records (PtFileRoot *froot, GError **error)
{
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *display = pt_file_root_display (froot, PT_BIND_RECORDS_PATH);

  if (!pt_fileutil_read (froot, PT_BIND_RECORDS_PATH, &contents, NULL, NULL, error))
    return NULL;
  if (contents == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) pt_bind_record_free);
  return parse_records (contents, display, error);
}

GPtrArray *
pt_bind_load_records (const char *root, GError **error)
{
  g_autoptr(PtFileRoot) froot = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  froot = pt_file_root_open (root, error);
  if (froot == NULL)
    return NULL;
  return load_records (froot, error);
}

void
pt_bind_add_records_json (JsonBuilder *b, GPtrArray *records)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < records->len; i++)
    {
      PtBindRecord *r = g_ptr_array_index (records, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, r->address);
      json_builder_set_member_name (b, "group");
      if (r->group >= 0)
        json_builder_add_int_value (b, r->group);
      else
        json_builder_add_null_value (b);
      pt_json_add_string_or_null (b, "driver", r->driver);
      pt_json_add_string_or_null (b, "driver_override", r->driver_override);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static gboolean
save_records (PtFileRoot *froot, GPtrArray *records, GError **error)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *text;
  gsize len;

  if (records->len == 0)
    return pt_fileutil_remove (froot, PT_BIND_RECORDS_PATH, error);

  g_ptr_array_sort (records, compare_records);
  b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, RECORDS_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, RECORDS_VERSION);
  json_builder_set_member_name (b, "devices");
  pt_bind_add_records_json (b, records);
  json_builder_end_object (b);

  node = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  text = g_realloc (text, len + 2);
  text[len++] = '\n';
  text[len] = '\0';
  bytes = g_bytes_new_take (text, len);

  created = g_ptr_array_new_with_free_func (g_free);
  return pt_fileutil_replace (froot, PT_BIND_RECORDS_PATH, bytes, 0644,
                              (uid_t) -1, (gid_t) -1, created, error);
}

/* Writes one sysfs attribute. Values end in a newline, as echo writes
 * them: the kernel ignores it, and on a test root it keeps the writes to
 * one file apart. unbind and drivers_probe are opened for appending, which
 * sysfs ignores and which lets a test root record every write. */
static gboolean
write_attr (const char *path, const char *value, gboolean append, GError **error)
{
  g_autofree char *line = g_strconcat (value, "\n", NULL);
  gsize len = strlen (line);
  gssize n;
  int fd;
  int saved;

  fd = open (path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (append ? O_APPEND : O_TRUNC));
  if (fd < 0)
    goto fail;
  do
    n = write (fd, line, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      saved = errno;
      close (fd);
      errno = saved;
      goto fail;
    }
  if ((gsize) n != len)
    {
      close (fd);
      errno = EIO;
      goto fail;
    }
  if (close (fd) < 0)
    goto fail;
  return TRUE;

fail:
  saved = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("Cannot write “%s” to %s: %s"),
               *value ? value : "\\n", path, g_strerror (saved));
  return FALSE;
}

static char *
device_path (const char *root, const char *address, const char *attr)
{
  return g_build_filename (root, "sys", "bus", "pci", "devices", address, attr, NULL);
}

static gboolean
set_driver_override (const char *root, const char *address, const char *driver, GError **error)
{
  g_autofree char *path = device_path (root, address, "driver_override");

  return write_attr (path, driver != NULL ? driver : "", FALSE, error);
}

static gboolean
probe (const char *root, const char *address, GError **error)
{
  g_autofree char *path = g_build_filename (root, "sys", "bus", "pci", "drivers_probe", NULL);

  return write_attr (path, address, TRUE, error);
}

/* The driver a function has now according to sysfs, NULL when none. */
static char *
current_driver (const char *root, const char *address)
{
  g_autofree char *link = device_path (root, address, "driver");
  g_autofree char *target = g_file_read_link (link, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

/* Unbinds from whatever driver holds it now (through the device's own
 * driver link, so the right driver directory is used). */
static gboolean
unbind_current (const char *root, const char *address, GError **error)
{
  g_autofree char *link = device_path (root, address, "driver");
  g_autofree char *path = NULL;

  if (!g_file_test (link, G_FILE_TEST_IS_SYMLINK))
    return TRUE;
  path = g_build_filename (link, "unbind", NULL);
  return write_attr (path, address, TRUE, error);
}

static gboolean
vfio_pci_present (const char *root)
{
  g_autofree char *dir = g_build_filename (root, "sys", "bus", "pci", "drivers", VFIO_PCI, NULL);

  return g_file_test (dir, G_FILE_TEST_IS_DIR);
}

static void
kmod_quiet_cb (void *data, int priority, const char *file, int line,
               const char *fn, const char *format, va_list args)
{
}

/* Loads vfio-pci into the running kernel with libkmod, as modprobe would
 * but without running install commands from modprobe.d: the daemon runs
 * no shell. */
static gboolean
load_vfio_pci (GError **error)
{
  struct kmod_ctx *ctx;
  struct kmod_list *list = NULL;
  struct kmod_list *l;
  gboolean found = FALSE;
  int r = 0;

  ctx = kmod_new (NULL, NULL);
  if (ctx == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                   _("Cannot load vfio-pci: the kernel module index cannot be read"));
      return FALSE;
    }
  kmod_set_log_fn (ctx, kmod_quiet_cb, NULL);

  if (kmod_module_new_from_lookup (ctx, VFIO_PCI, &list) < 0)
    list = NULL;
  kmod_list_foreach (l, list)
    {
      struct kmod_module *mod = kmod_module_get_module (l);

      found = TRUE;
      if (r == 0)
        r = kmod_module_probe_insert_module (mod, KMOD_PROBE_IGNORE_COMMAND,
                                             NULL, NULL, NULL, NULL);
      kmod_module_unref (mod);
    }
  kmod_module_unref_list (list);
  kmod_unref (ctx);

  if (!found)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("The running kernel has no vfio-pci module. Install the kernel's "
                     "modules package or a kernel built with VFIO_PCI"));
      return FALSE;
    }
  if (r < 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                   _("Cannot load vfio-pci: %s. The kernel log (journalctl -k) may say why"),
                   g_strerror (-r));
      return FALSE;
    }
  return TRUE;
}

/* A vfio group opened by a VM cannot be opened again (EBUSY); unbinding a
 * function a VM still holds would block until the VM lets go. */
static gboolean
check_group_unused (const char *root, int group, GError **error)
{
  g_autofree char *name = g_strdup_printf ("%d", group);
  g_autofree char *node = g_build_filename (root, "dev", "vfio", name, NULL);
  int fd;

  if (group < 0 || !is_live_root (root))
    return TRUE;
  fd = open (node, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd >= 0)
    {
      close (fd);
      return TRUE;
    }
  if (errno == EBUSY)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("IOMMU group %d is in use (%s is open): shut down the virtual machine "
                     "using it first"),
                   group, node);
      return FALSE;
    }
  return TRUE;
}

static gboolean
wait_for_group_node (const char *root, int group)
{
  g_autofree char *name = g_strdup_printf ("%d", group);
  g_autofree char *node = g_build_filename (root, "dev", "vfio", name, NULL);
  gint64 deadline = g_get_monotonic_time () + GROUP_NODE_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  while (!g_file_test (node, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
  return TRUE;
}

static char *
describe (PtDevice *device)
{
  g_autofree char *name = pt_device_dup_display_name (device);

  return g_strdup_printf ("%s (%s)", name, pt_device_get_address (device));
}

/* Best effort: gives @devices back to the drivers in @records. */
static void
give_back (const char *root, GPtrArray *devices, GPtrArray *records)
{
  for (guint i = 0; i < devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (devices, i);
      const char *address = pt_device_get_address (d);
      PtBindRecord *r = find_record (records, address);
      g_autofree char *now = NULL;
      g_autoptr(GError) error = NULL;

      if (!set_driver_override (root, address, r ? r->driver : NULL, &error))
        g_warning ("%s", error->message);
      g_clear_error (&error);
      now = current_driver (root, address);
      if (g_strcmp0 (now, VFIO_PCI) == 0 && !unbind_current (root, address, &error))
        g_warning ("%s", error->message);
      g_clear_error (&error);
      if (!probe (root, address, &error))
        g_warning ("%s", error->message);
      g_clear_error (&error);
      if (!set_driver_override (root, address, r ? r->driver_override : NULL, &error))
        g_warning ("%s", error->message);
    }
}

gboolean
pt_bind_plan (PtPlan *plan, GPtrArray *changed, GError **error)
{
  PtHost *host;
  const char *root;
  g_autoptr(PtFileRoot) froot = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) todo = g_ptr_array_new ();
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  guint step;

  g_return_val_if_fail (plan != NULL, FALSE);

  host = plan->host;
  root = pt_host_get_root (host);
  if (root == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("A saved host cannot be bound: runtime binding works on a running system"));
      return FALSE;
    }
  if (!pt_host_has_groups (host))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("The IOMMU is not active, so there are no IOMMU groups to bind. Turn it on "
                     "(passthroughctl status says how) and reboot first"));
      return FALSE;
    }

  for (guint i = 0; i < plan->devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (plan->devices, i);

      if (pt_device_get_iommu_group (d) < 0)
        {
          g_autofree char *what = describe (d);

          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("%s is in no IOMMU group, so vfio-pci cannot take it"), what);
          return FALSE;
        }
      if (g_strcmp0 (pt_device_get_driver (d), VFIO_PCI) != 0)
        g_ptr_array_add (todo, d);
    }
  if (todo->len == 0)
    return TRUE;

  if (is_live_root (root) && !vfio_pci_present (root) && !load_vfio_pci (error))
    return FALSE;

  froot = pt_file_root_open (root, error);
  if (froot == NULL)
    return FALSE;
  records = load_records (froot, error);
  if (records == NULL)
    return FALSE;

  /* Written down before anything moves, so an interrupted bind can still
   * be undone with the right drivers. */
  for (guint i = 0; i < todo->len; i++)
    {
      PtDevice *d = g_ptr_array_index (todo, i);
      PtBindRecord *r;

      if (find_record (records, pt_device_get_address (d)) != NULL)
        continue;
      r = g_new0 (PtBindRecord, 1);
      r->address = g_strdup (pt_device_get_address (d));
      r->group = pt_device_get_iommu_group (d);
      if (pt_device_get_driver (d) != NULL && driver_name_is_valid (pt_device_get_driver (d)))
        r->driver = g_strdup (pt_device_get_driver (d));
      if (pt_device_get_driver_override (d) != NULL
          && g_strcmp0 (pt_device_get_driver_override (d), VFIO_PCI) != 0
          && driver_name_is_valid (pt_device_get_driver_override (d)))
        r->driver_override = g_strdup (pt_device_get_driver_override (d));
      g_ptr_array_add (records, r);
      g_ptr_array_add (added, r);
    }
  if (added->len > 0 && !save_records (froot, records, error))
    return FALSE;

  /* Every function first gets its override, then leaves its driver, then
   * is probed: vfio-pci only accepts a group once all of it is free. */
  for (step = 0; step < 3; step++)
    for (guint i = 0; i < todo->len; i++)
      {
        PtDevice *d = g_ptr_array_index (todo, i);
        const char *address = pt_device_get_address (d);
        gboolean ok = TRUE;

        if (step == 0)
          ok = set_driver_override (root, address, VFIO_PCI, &local_error);
        else if (step == 1)
          ok = unbind_current (root, address, &local_error);
        else
          ok = probe (root, address, &local_error);
        if (!ok)
          goto undo;
      }

  if (is_live_root (root))
    {
      for (guint i = 0; i < todo->len; i++)
        {
          PtDevice *d = g_ptr_array_index (todo, i);
          g_autofree char *now = current_driver (root, pt_device_get_address (d));

          if (g_strcmp0 (now, VFIO_PCI) != 0)
            {
              g_autofree char *what = describe (d);

              if (now != NULL)
                g_set_error (&local_error, PT_ERROR, PT_ERROR_FAILED,
                             _("vfio-pci did not take %s: %s has it. The kernel log "
                               "(journalctl -k) may say why"), what, now);
              else
                g_set_error (&local_error, PT_ERROR, PT_ERROR_FAILED,
                             _("vfio-pci did not take %s. The kernel log (journalctl -k) "
                               "may say why"), what);
              goto undo;
            }
          if (!wait_for_group_node (root, pt_device_get_iommu_group (d)))
            {
              g_set_error (&local_error, PT_ERROR, PT_ERROR_FAILED,
                           _("vfio-pci took %s but /dev/vfio/%d did not appear: another "
                             "function of IOMMU group %d is still held by a host driver"),
                           pt_device_get_address (d), pt_device_get_iommu_group (d),
                           pt_device_get_iommu_group (d));
              goto undo;
            }
        }
    }

  if (changed != NULL)
    for (guint i = 0; i < todo->len; i++)
      g_ptr_array_add (changed, g_strdup (pt_device_get_address (g_ptr_array_index (todo, i))));
  return TRUE;

undo:
  give_back (root, todo, records);
  for (guint i = 0; i < added->len; i++)
    g_ptr_array_remove (records, g_ptr_array_index (added, i));
  {
    g_autoptr(GError) save_error = NULL;

    if (added->len > 0 && !save_records (froot, records, &save_error))
      g_warning ("%s", save_error->message);
  }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
add_group_functions (PtHost *host, PtDevice *device, GPtrArray *out)
{
  PtGroup *group = pt_host_lookup_group (host, pt_device_get_iommu_group (device));

  if (group == NULL)
    {
      if (!pt_device_is_neutral (device) && !g_ptr_array_find (out, device, NULL))
        g_ptr_array_add (out, device);
      return;
    }
  for (guint i = 0; i < group->devices->len; i++)
    {
      PtDevice *x = g_ptr_array_index (group->devices, i);

      if (!pt_device_is_neutral (x) && !g_ptr_array_find (out, x, NULL))
        g_ptr_array_add (out, x);
    }
}

static int
compare_devices (gconstpointer a, gconstpointer b)
{
  return pt_address_compare (pt_device_get_pci_address (*(PtDevice **) a),
                             pt_device_get_pci_address (*(PtDevice **) b));
}

gboolean
pt_unbind (PtHost *host, const char *const *addresses, GPtrArray *changed, GError **error)
{
  const char *root;
  g_autoptr(PtFileRoot) froot = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new ();
  g_autoptr(GPtrArray) groups_checked = g_ptr_array_new ();

  g_return_val_if_fail (PT_IS_HOST (host), FALSE);

  root = pt_host_get_root (host);
  if (root == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("A saved host cannot be unbound: runtime binding works on a running system"));
      return FALSE;
    }
  if (addresses == NULL || addresses[0] == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ADDRESS,
                   _("Name at least one device to give back to the host by its PCI address, "
                     "e.g. 01:00.0"));
      return FALSE;
    }
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      PtAddress addr;

      if (!pt_address_parse (addresses[i], &addr, error))
        return FALSE;
    }
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      PtDevice *device = pt_host_find_device (host, addresses[i], error);
      g_autoptr(GPtrArray) slot = NULL;

      if (device == NULL)
        return FALSE;
      add_group_functions (host, device, candidates);
      slot = pt_host_dup_slot_functions (host, device);
      for (guint k = 0; k < slot->len; k++)
        if (!pt_device_is_neutral (g_ptr_array_index (slot, k)))
          add_group_functions (host, g_ptr_array_index (slot, k), candidates);
    }

  froot = pt_file_root_open (root, error);
  if (froot == NULL)
    return FALSE;
  records = load_records (froot, error);
  if (records == NULL)
    return FALSE;

  for (guint i = 0; i < candidates->len; i++)
    {
      PtDevice *d = g_ptr_array_index (candidates, i);

      if (g_strcmp0 (pt_device_get_driver (d), VFIO_PCI) == 0
          || g_strcmp0 (pt_device_get_driver_override (d), VFIO_PCI) == 0
          || find_record (records, pt_device_get_address (d)) != NULL)
        g_ptr_array_add (held, d);
    }
  g_ptr_array_sort (held, compare_devices);

  for (guint i = 0; i < held->len; i++)
    {
      PtDevice *d = g_ptr_array_index (held, i);
      int group = pt_device_get_iommu_group (d);

      if (g_ptr_array_find (groups_checked, GINT_TO_POINTER (group + 1), NULL))
        continue;
      g_ptr_array_add (groups_checked, GINT_TO_POINTER (group + 1));
      if (!check_group_unused (root, group, error))
        return FALSE;
    }

  for (guint i = 0; i < held->len; i++)
    {
      PtDevice *d = g_ptr_array_index (held, i);
      const char *address = pt_device_get_address (d);
      PtBindRecord *r = find_record (records, address);

      /* Naming the old driver for the probe makes it win even when
       * vfio-pci.ids on the command line would claim the device again. */
      if (!set_driver_override (root, address, r ? r->driver : NULL, error))
        return FALSE;
      if (g_strcmp0 (pt_device_get_driver (d), VFIO_PCI) == 0
          && !unbind_current (root, address, error))
        return FALSE;
      if (!probe (root, address, error))
        return FALSE;
      if (!set_driver_override (root, address, r ? r->driver_override : NULL, error))
        return FALSE;
      if (r != NULL)
        g_ptr_array_remove (records, r);
      if (changed != NULL)
        g_ptr_array_add (changed, g_strdup (address));
    }

  return save_records (froot, records, error);
}
