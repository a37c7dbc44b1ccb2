/* pt-host.c: reads one machine from a host root: the PCI functions under
 * ROOT/sys/bus/pci/devices and the facts around them (CPU, firmware, DMI,
 * kernel, distribution). Nothing here reads /sys or /etc except through
 * the root, so tests and offline trees work like the live system. */
#define G_LOG_DOMAIN "pt-host"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-host-private.h"
#include "pt-bootconf.h"

G_DEFINE_FINAL_TYPE (PtHost, pt_host, G_TYPE_OBJECT)

/* The CPU flags worth keeping: the ones checks and the app talk about. */
static const char *const kept_cpu_flags[] = {
  "vmx", "svm", "hypervisor", "ept", "npt", "vpid", "x2apic", "avic", NULL,
};

static void
pt_group_free (PtGroup *group)
{
  g_ptr_array_unref (group->devices);
  g_free (group);
}

static void
pt_host_finalize (GObject *object)
{
  PtHost *self = (PtHost *) object;

  g_free (self->root);
  g_clear_pointer (&self->by_address, g_hash_table_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_clear_pointer (&self->devices, g_ptr_array_unref);
  g_free (self->cpu_model);
  g_strfreev (self->cpu_flags);
  g_free (self->board_vendor);
  g_free (self->board_name);
  g_free (self->bios_version);
  g_free (self->cmdline);
  g_strfreev (self->cmdline_args);
  g_free (self->kernel_release);
  g_strfreev (self->loaded_modules);
  g_free (self->os_id);
  g_free (self->os_id_like);
  g_free (self->os_name);
  g_free (self->os_version_id);
  g_strfreev (self->root_disk_devices);
  g_strfreev (self->default_route_devices);
  g_free (self->bootloader);
  g_free (self->initramfs);

  G_OBJECT_CLASS (pt_host_parent_class)->finalize (object);
}

static void
pt_host_class_init (PtHostClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pt_host_finalize;
}

static void
pt_host_init (PtHost *self)
{
  self->devices = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_address = g_hash_table_new (g_str_hash, g_str_equal);
  self->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_group_free);
  self->acpi_dmar = PT_TRISTATE_UNKNOWN;
  self->acpi_ivrs = PT_TRISTATE_UNKNOWN;
  self->secure_boot = PT_TRISTATE_UNKNOWN;
  self->interrupt_remapping = PT_TRISTATE_UNKNOWN;
}

PtHost *
pt_host_new_empty (void)
{
  return g_object_new (PT_TYPE_HOST, NULL);
}

char *
pt_root_path (const char *root, const char *relative)
{
  if (root == NULL || g_str_equal (root, "/"))
    return g_strconcat ("/", relative, NULL);
  return g_build_filename (root, relative, NULL);
}

/* ---- small file readers ------------------------------------------------ */

/* Reads a small attribute relative to @dirfd into @buf, NUL-terminated and
 * with trailing white space removed. Returns the length, or -1 (errno set). */
static gssize
read_attr (int dirfd, const char *name, char *buf, gsize size)
{
  int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  gssize n;

  if (fd < 0)
    return -1;
  do
    n = read (fd, buf, size - 1);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n < 0)
    return -1;
  while (n > 0 && g_ascii_isspace (buf[n - 1]))
    n--;
  buf[n] = '\0';
  return n;
}

static char *
read_root_file (const char *root, const char *relative)
{
  g_autofree char *path = pt_root_path (root, relative);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static char *
read_root_line (const char *root, const char *relative)
{
  char *contents = read_root_file (root, relative);

  if (contents != NULL)
    g_strstrip (contents);
  if (contents != NULL && *contents == '\0')
    g_clear_pointer (&contents, g_free);
  return contents;
}

static gboolean
root_exists (const char *root, const char *relative)
{
  g_autofree char *path = pt_root_path (root, relative);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
corrupt (GError **error, const char *dir, const char *name, const char *value, const char *what)
{
  g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
               _("%s/%s holds “%s”, which is not %s. The host root looks damaged "
                 "or incomplete; if it is a copy, copy it again"),
               dir, name, value, what);
  return FALSE;
}

/* "0x10de" as the kernel writes IDs: "0x" and exactly @digits hex digits,
 * so a truncated file is caught rather than read as a smaller number. */
static gboolean
read_hex_attr (int dirfd, const char *dir, const char *name, guint digits,
               gboolean required, guint32 *out, GError **error)
{
  char buf[64];
  const char *p = buf + 2;
  guint64 v;

  if (read_attr (dirfd, name, buf, sizeof buf) < 0)
    {
      if (!required && errno == ENOENT)
        return TRUE;
      g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                   _("Cannot read %s/%s: %s. The host root looks damaged or incomplete"),
                   dir, name, g_strerror (errno));
      return FALSE;
    }
  /* Exactly @digits digits after "0x", read without GLib's parsers: the
   * app's host read in a thread failed now and then on "0x10de" when they
   * judged by errno (pt_hex_read(), and main.c). */
  if (!g_str_has_prefix (buf, "0x") || !pt_hex_read (&p, digits, digits, &v) || *p != '\0')
    return corrupt (error, dir, name, buf, _("a hexadecimal number"));
  *out = (guint32) v;
  return TRUE;
}

static gboolean
read_int_attr (int dirfd, const char *dir, const char *name, int *out, GError **error)
{
  char buf[64];
  gint64 v;

  if (read_attr (dirfd, name, buf, sizeof buf) < 0)
    return TRUE;    /* optional everywhere it is used */
  if (!g_ascii_string_to_signed (buf, 10, G_MININT32, G_MAXINT32, &v, NULL))
    return corrupt (error, dir, name, buf, _("a number"));
  *out = (int) v;
  return TRUE;
}

static char *
link_basename (int dirfd, const char *name)
{
  char target[PATH_MAX];
  gssize n = readlinkat (dirfd, name, target, sizeof target - 1);
  const char *slash;

  if (n <= 0)
    return NULL;
  target[n] = '\0';
  slash = strrchr (target, '/');
  return g_strdup (slash ? slash + 1 : target);
}

/* The upstream PCI function in a sysfs device path such as
 * ../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0: the component
 * before the device's own that is an address. Intel VMD domains sit below
 * their controller (…/0000:00:0e.0/pci10000:e0/10000:e0:06.0). */
static char *
parent_from_path (const char *path, const char *self_address)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  guint n = g_strv_length (parts);
  guint last = n;
  PtAddress addr;

  for (guint i = n; i-- > 0;)
    if (g_str_equal (parts[i], self_address))
      {
        last = i;
        break;
      }
  for (guint i = last; i-- > 0;)
    if (pt_address_parse (parts[i], &addr, NULL))
      return pt_address_to_string (&addr);
  return NULL;
}

/* ---- PCI functions --------------------------------------------------- */

static PtDevice *
read_device (int devices_fd, const char *devices_dir, const char *name, GError **error)
{
  g_autoptr(PtDevice) device = NULL;
  g_autofree char *dir = NULL;
  PtAddress addr;
  guint32 v = 0;
  char buf[PATH_MAX];
  gssize n;
  int fd;
  gboolean ok = FALSE;

  if (!pt_address_parse (name, &addr, NULL))
    return NULL;   /* not a function; sysfs has nothing else here */

  dir = g_build_filename (devices_dir, name, NULL);
  fd = openat (devices_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                   _("Cannot open %s: %s. The host root looks damaged or incomplete"),
                   dir, g_strerror (errno));
      return NULL;
    }

  device = pt_device_new (&addr);

  {
    /* The kernel always has these three; a tree copied without them
     * still has the config space they come from. */
    guint32 vendor = G_MAXUINT32, dev = G_MAXUINT32, klass = G_MAXUINT32;

    if (!read_hex_attr (fd, dir, "vendor", 4, FALSE, &vendor, error)
        || !read_hex_attr (fd, dir, "device", 4, FALSE, &dev, error)
        || !read_hex_attr (fd, dir, "class", 6, FALSE, &klass, error))
      goto out;
    if (vendor == G_MAXUINT32 || dev == G_MAXUINT32 || klass == G_MAXUINT32)
      {
        guint8 cfg[64];
        int cfd = openat (fd, "config", O_RDONLY | O_CLOEXEC);
        gssize got = cfd >= 0 ? read (cfd, cfg, sizeof cfg) : -1;

        if (cfd >= 0)
          close (cfd);
        if (got < (gssize) sizeof cfg)
          {
            g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                         _("%s has neither vendor, device and class files nor a readable "
                           "config space. The host root looks damaged or incomplete"),
                         dir);
            goto out;
          }
        if (vendor == G_MAXUINT32)
          vendor = cfg[0x00] | (cfg[0x01] << 8);
        if (dev == G_MAXUINT32)
          dev = cfg[0x02] | (cfg[0x03] << 8);
        if (klass == G_MAXUINT32)
          klass = cfg[0x09] | (cfg[0x0a] << 8) | ((guint32) cfg[0x0b] << 16);
        if (!(cfg[0x0e] & 0x7f))
          {
            device->subsystem_vendor = cfg[0x2c] | (cfg[0x2d] << 8);
            device->subsystem_device = cfg[0x2e] | (cfg[0x2f] << 8);
          }
        device->revision = cfg[0x08];
      }
    device->vendor_id = (guint16) vendor;
    device->device_id = (guint16) dev;
    device->klass = klass;
  }
  v = device->subsystem_vendor;
  if (!read_hex_attr (fd, dir, "subsystem_vendor", 4, FALSE, &v, error))
    goto out;
  device->subsystem_vendor = (guint16) v;
  v = device->subsystem_device;
  if (!read_hex_attr (fd, dir, "subsystem_device", 4, FALSE, &v, error))
    goto out;
  device->subsystem_device = (guint16) v;
  v = device->revision;
  if (!read_hex_attr (fd, dir, "revision", 2, FALSE, &v, error))
    goto out;
  device->revision = (guint8) v;

  /* The kernel has boot_vga only on VGA-class devices. */
  if (pt_device_get_class_code (device) == PT_CLASS_VGA
      && read_attr (fd, "boot_vga", buf, sizeof buf) >= 0)
    {
      if (g_str_equal (buf, "1"))
        device->boot_vga = PT_TRISTATE_YES;
      else if (g_str_equal (buf, "0"))
        device->boot_vga = PT_TRISTATE_NO;
      else
        {
          corrupt (error, dir, "boot_vga", buf, _("0 or 1"));
          goto out;
        }
    }
  else if (pt_device_is_gpu (device))
    device->boot_vga = PT_TRISTATE_NO;

  device->driver = link_basename (fd, "driver");

  {
    g_autofree char *group = link_basename (fd, "iommu_group");
    gint64 id;

    if (group != NULL)
      {
        if (!g_ascii_string_to_signed (group, 10, 0, G_MAXINT32, &id, NULL))
          {
            corrupt (error, dir, "iommu_group", group, _("an IOMMU group number"));
            goto out;
          }
        device->iommu_group = (int) id;
      }
  }

  n = readlinkat (devices_fd, name, buf, sizeof buf - 1);
  if (n > 0)
    {
      buf[n] = '\0';
      device->parent_address = parent_from_path (buf, name);
    }

  ok = TRUE;

out:
  close (fd);
  return ok ? g_steal_pointer (&device) : NULL;
}

/* The attributes only the details need (snapshots, plans, the inspector):
 * skipping them keeps "groups" to a handful of files per function. */
static gboolean
read_device_details (PtDevice *device, int devices_fd, const char *devices_dir, GError **error)
{
  g_autofree char *dir = g_build_filename (devices_dir, device->address, NULL);
  char buf[PATH_MAX];
  gboolean ok = FALSE;
  int fd = openat (devices_fd, device->address, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                   _("Cannot open %s: %s. The host root looks damaged or incomplete"),
                   dir, g_strerror (errno));
      return FALSE;
    }
  if (!read_int_attr (fd, dir, "numa_node", &device->numa_node, error))
    goto out;
  g_clear_pointer (&device->reset_method, g_free);
  g_clear_pointer (&device->modalias, g_free);
  g_clear_pointer (&device->driver_override, g_free);
  if (read_attr (fd, "reset_method", buf, sizeof buf) > 0)
    device->reset_method = g_strdup (buf);
  if (read_attr (fd, "modalias", buf, sizeof buf) > 0)
    device->modalias = g_strdup (buf);
  if (read_attr (fd, "driver_override", buf, sizeof buf) > 0 && !g_str_equal (buf, "(null)"))
    device->driver_override = g_strdup (buf);
  ok = TRUE;

out:
  close (fd);
  return ok;
}

static gboolean
read_details (PtHost *self, GError **error)
{
  g_autofree char *devices_dir = pt_root_path (self->root, "sys/bus/pci/devices");
  int devices_fd = open (devices_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean ok = TRUE;

  if (devices_fd < 0)
    return TRUE;
  for (guint i = 0; ok && i < self->devices->len; i++)
    ok = read_device_details (g_ptr_array_index (self->devices, i), devices_fd, devices_dir, error);
  close (devices_fd);
  return ok;
}

static gboolean
scan_devices (PtHost *self, GError **error)
{
  g_autofree char *devices_dir = pt_root_path (self->root, "sys/bus/pci/devices");
  g_autoptr(GDir) gdir = NULL;
  const char *name;
  int devices_fd;

  devices_fd = open (devices_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (devices_fd < 0)
    return TRUE;   /* no PCI (a disk image, a container): an empty host */

  gdir = g_dir_open (devices_dir, 0, NULL);
  while (gdir != NULL && (name = g_dir_read_name (gdir)) != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      PtDevice *device = read_device (devices_fd, devices_dir, name, &local_error);

      if (local_error != NULL)
        {
          close (devices_fd);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (device != NULL)
        {
          pt_host_add_device (self, device);
          g_object_unref (device);
        }
    }
  close (devices_fd);
  return TRUE;
}

/* Real sysfs links each function to its group; a tree that only has the
 * kernel's own listing (ROOT/sys/kernel/iommu_groups/N/devices/ADDR, what
 * the setup guide's shell loop reads) is read from there. */
static void
read_groups_directory (PtHost *self)
{
  g_autofree char *path = pt_root_path (self->root, "sys/kernel/iommu_groups");
  g_autoptr(GDir) dir = NULL;
  const char *name;

  for (guint i = 0; i < self->devices->len; i++)
    if (((PtDevice *) g_ptr_array_index (self->devices, i))->iommu_group >= 0)
      return;

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *devices = g_build_filename (path, name, "devices", NULL);
      g_autoptr(GDir) gdir = NULL;
      const char *member;
      gint64 id;

      if (!g_ascii_string_to_signed (name, 10, 0, G_MAXINT32, &id, NULL))
        continue;
      gdir = g_dir_open (devices, 0, NULL);
      while (gdir != NULL && (member = g_dir_read_name (gdir)) != NULL)
        {
          PtDevice *device = pt_host_lookup_device (self, member);

          if (device != NULL)
            device->iommu_group = (int) id;
        }
    }
}

void
pt_host_add_device (PtHost *self, PtDevice *device)
{
  g_return_if_fail (PT_IS_HOST (self));
  g_return_if_fail (PT_IS_DEVICE (device));

  g_ptr_array_add (self->devices, g_object_ref (device));
  g_hash_table_replace (self->by_address, device->address, device);
}

static int
compare_devices (gconstpointer a, gconstpointer b)
{
  PtDevice *da = *(PtDevice **) a;
  PtDevice *db = *(PtDevice **) b;

  return pt_address_compare (&da->addr, &db->addr);
}

static int
compare_groups (gconstpointer a, gconstpointer b)
{
  const PtGroup *ga = *(const PtGroup **) a;
  const PtGroup *gb = *(const PtGroup **) b;

  return (ga->id > gb->id) - (ga->id < gb->id);
}

void
pt_host_finish (PtHost *self)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (NULL, NULL);

  g_return_if_fail (PT_IS_HOST (self));

  g_ptr_array_sort (self->devices, compare_devices);
  g_ptr_array_set_size (self->groups, 0);

  for (guint i = 0; i < self->devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (self->devices, i);
      PtGroup *group;

      device->parent = device->parent_address
        ? g_hash_table_lookup (self->by_address, device->parent_address)
        : NULL;

      if (device->iommu_group < 0)
        continue;
      group = g_hash_table_lookup (by_id, GINT_TO_POINTER (device->iommu_group + 1));
      if (group == NULL)
        {
          group = g_new0 (PtGroup, 1);
          group->id = device->iommu_group;
          group->devices = g_ptr_array_new ();
          g_hash_table_insert (by_id, GINT_TO_POINTER (device->iommu_group + 1), group);
          g_ptr_array_add (self->groups, group);
        }
      g_ptr_array_add (group->devices, device);
    }
  g_ptr_array_sort (self->groups, compare_groups);
}

/* ---- host facts ------------------------------------------------------- */

static void
read_cpuinfo (PtHost *self)
{
  g_autofree char *contents = read_root_file (self->root, "proc/cpuinfo");
  g_auto(GStrv) lines = NULL;
  gboolean have_vendor = FALSE, have_model = FALSE, have_flags = FALSE;

  if (contents == NULL)
    return;
  lines = g_strsplit (contents, "\n", -1);
  /* The first processor's block is enough: flags are the same on all. */
  for (guint i = 0; lines[i] != NULL && !(have_vendor && have_model && have_flags); i++)
    {
      char *colon = strchr (lines[i], ':');
      g_autofree char *key = NULL;
      const char *value;

      if (colon == NULL)
        continue;
      key = g_strstrip (g_strndup (lines[i], colon - lines[i]));
      value = colon + 1;
      while (*value == ' ' || *value == '\t')
        value++;

      if (!have_vendor && g_str_equal (key, "vendor_id"))
        {
          have_vendor = TRUE;
          if (g_str_equal (value, "GenuineIntel"))
            self->cpu_vendor = PT_CPU_VENDOR_INTEL;
          else if (g_str_equal (value, "AuthenticAMD") || g_str_equal (value, "HygonGenuine"))
            self->cpu_vendor = PT_CPU_VENDOR_AMD;
        }
      else if (!have_model && g_str_equal (key, "model name"))
        {
          have_model = TRUE;
          self->cpu_model = g_strdup (value);
        }
      else if (!have_flags && g_str_equal (key, "flags"))
        {
          g_auto(GStrv) flags = g_strsplit (value, " ", -1);
          g_autoptr(GPtrArray) kept = g_ptr_array_new ();

          have_flags = TRUE;
          for (guint k = 0; kept_cpu_flags[k]; k++)
            if (g_strv_contains ((const char *const *) flags, kept_cpu_flags[k]))
              g_ptr_array_add (kept, g_strdup (kept_cpu_flags[k]));
          g_ptr_array_add (kept, NULL);
          self->cpu_flags = (GStrv) g_ptr_array_free (g_steal_pointer (&kept), FALSE);
        }
    }
}

static void
read_firmware (PtHost *self)
{
  g_autofree char *secure = NULL;
  g_autofree char *tables = pt_root_path (self->root, "sys/firmware/acpi/tables");

  if (g_file_test (tables, G_FILE_TEST_IS_DIR))
    {
      self->acpi_dmar = root_exists (self->root, "sys/firmware/acpi/tables/DMAR")
        ? PT_TRISTATE_YES : PT_TRISTATE_NO;
      self->acpi_ivrs = root_exists (self->root, "sys/firmware/acpi/tables/IVRS")
        ? PT_TRISTATE_YES : PT_TRISTATE_NO;
    }

  self->efi = root_exists (self->root, "sys/firmware/efi");
  if (!self->efi)
    {
      self->secure_boot = PT_TRISTATE_NO;   /* legacy BIOS has no Secure Boot */
      return;
    }

  /* efivarfs: 4 bytes of attributes, then the value. */
  {
    gsize len = 0;
    g_autofree char *path = pt_root_path (self->root,
      "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c");

    if (g_file_get_contents (path, &secure, &len, NULL) && len >= 5)
      self->secure_boot = secure[4] ? PT_TRISTATE_YES : PT_TRISTATE_NO;
    else if (!root_exists (self->root, "sys/firmware/efi/efivars/"))
      self->secure_boot = PT_TRISTATE_UNKNOWN;
    else
      self->secure_boot = secure == NULL ? PT_TRISTATE_NO : PT_TRISTATE_UNKNOWN;
  }
}

static void
read_interrupts (PtHost *self)
{
  g_autofree char *contents = read_root_file (self->root, "proc/interrupts");

  if (contents == NULL)
    return;
  if (strstr (contents, "IR-") != NULL)
    self->interrupt_remapping = PT_TRISTATE_YES;
  else if (strstr (contents, "IO-APIC") != NULL || strstr (contents, "PCI-MSI") != NULL)
    self->interrupt_remapping = PT_TRISTATE_NO;
}

void
pt_host_set_cmdline (PtHost *self, const char *cmdline)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *p;

  g_return_if_fail (PT_IS_HOST (self));

  g_free (self->cmdline);
  g_strfreev (self->cmdline_args);
  self->cmdline = g_strdup (cmdline);

  /* The kernel splits on spaces and honours double quotes around values. */
  p = cmdline ? cmdline : "";
  while (*p)
    {
      GString *arg;
      gboolean quoted = FALSE;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        break;
      arg = g_string_new (NULL);
      while (*p && (quoted || !g_ascii_isspace (*p)))
        {
          if (*p == '"')
            quoted = !quoted;
          else
            g_string_append_c (arg, *p);
          p++;
        }
      g_ptr_array_add (args, g_string_free (arg, FALSE));
    }
  g_ptr_array_add (args, NULL);
  self->cmdline_args = (GStrv) g_ptr_array_free (g_steal_pointer (&args), FALSE);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static GStrv
ptr_array_to_sorted_strv (GPtrArray *array)
{
  g_ptr_array_sort (array, compare_strings);
  /* drop duplicates */
  for (guint i = 1; i < array->len;)
    {
      if (g_str_equal (g_ptr_array_index (array, i), g_ptr_array_index (array, i - 1)))
        g_ptr_array_remove_index (array, i);
      else
        i++;
    }
  g_ptr_array_add (array, NULL);
  return (GStrv) g_ptr_array_free (array, FALSE);
}

static void
read_modules (PtHost *self)
{
  g_autofree char *contents = read_root_file (self->root, "proc/modules");
  GPtrArray *names = g_ptr_array_new ();
  g_auto(GStrv) lines = NULL;

  if (contents != NULL)
    {
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *space = strchr (lines[i], ' ');

          if (space != NULL && space > lines[i])
            g_ptr_array_add (names, g_strndup (lines[i], space - lines[i]));
        }
    }
  self->loaded_modules = ptr_array_to_sorted_strv (names);
}

static void
read_os_release (PtHost *self)
{
  g_autofree char *contents = read_root_file (self->root, "etc/os-release");
  g_auto(GStrv) lines = NULL;

  if (contents == NULL)
    contents = read_root_file (self->root, "usr/lib/os-release");
  if (contents == NULL)
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (eq == NULL || lines[i][0] == '#')
        continue;
      key = g_strndup (lines[i], eq - lines[i]);
      value = g_shell_unquote (eq + 1, NULL);
      if (value == NULL)
        continue;
      if (g_str_equal (key, "ID"))
        pt_device_set_string (&self->os_id, value);
      else if (g_str_equal (key, "ID_LIKE"))
        pt_device_set_string (&self->os_id_like, value);
      else if (g_str_equal (key, "PRETTY_NAME"))
        pt_device_set_string (&self->os_name, value);
      else if (g_str_equal (key, "NAME") && self->os_name == NULL)
        pt_device_set_string (&self->os_name, value);
      else if (g_str_equal (key, "VERSION_ID"))
        pt_device_set_string (&self->os_version_id, value);
    }
}

/* The innermost PCI address in a sysfs path: the controller of a disk or
 * a network interface. */
static void
collect_pci_address (const char *path, GPtrArray *out)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  const char *last = NULL;
  PtAddress addr;

  for (guint i = 0; parts[i] != NULL; i++)
    if (pt_address_parse (parts[i], &addr, NULL))
      last = parts[i];
  if (last != NULL && pt_address_parse (last, &addr, NULL))
    g_ptr_array_add (out, pt_address_to_string (&addr));
}

/* Resolves ROOT/<dir>/<name> (a sysfs link such as sys/dev/block/8:2) to
 * the target path relative to sys/, without leaving the root. */
static char *
resolve_sys_link (const char *root, const char *relative)
{
  g_autofree char *path = pt_root_path (root, relative);
  g_autofree char *target = g_file_read_link (path, NULL);
  g_autofree char *dir = NULL;
  g_autofree char *joined = NULL;

  if (target == NULL)
    return NULL;
  if (g_path_is_absolute (target))
    return g_strdup (target);
  dir = g_path_get_dirname (relative);
  joined = g_build_filename ("/", dir, target, NULL);
  return g_canonicalize_filename (joined, "/");
}

/* A block device's sysfs path (relative to the root, absolute form) to the
 * PCI controllers behind it, following device-mapper and md slaves. */
static void
block_to_controllers (const char *root, const char *sys_path, GPtrArray *out, guint depth)
{
  g_autofree char *slaves = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint before = out->len;

  if (depth > 8)
    return;
  collect_pci_address (sys_path, out);
  if (out->len > before)
    return;

  slaves = pt_root_path (root, sys_path + 1);
  {
    g_autofree char *s = g_build_filename (slaves, "slaves", NULL);
    g_free (slaves);
    slaves = g_steal_pointer (&s);
  }
  dir = g_dir_open (slaves, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = g_build_filename (sys_path + 1, "slaves", name, NULL);
      g_autofree char *target = resolve_sys_link (root, rel);

      if (target != NULL)
        block_to_controllers (root, target, out, depth + 1);
    }
}

static void
read_root_disk (PtHost *self)
{
  g_autofree char *contents = read_root_file (self->root, "proc/self/mountinfo");
  g_auto(GStrv) lines = NULL;
  GPtrArray *found = g_ptr_array_new ();

  if (contents == NULL)
    contents = read_root_file (self->root, "proc/1/mountinfo");
  if (contents != NULL)
    lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      g_autofree char *rel = NULL;
      g_autofree char *target = NULL;
      const char *source = NULL;

      if (g_strv_length (fields) < 10 || !g_str_equal (fields[4], "/"))
        continue;
      for (guint k = 6; fields[k] != NULL; k++)
        if (g_str_equal (fields[k], "-") && fields[k + 1] && fields[k + 2])
          {
            source = fields[k + 2];
            break;
          }

      /* btrfs and other anonymous devices have major 0: use the source. */
      if (!g_str_has_prefix (fields[2], "0:"))
        rel = g_strconcat ("sys/dev/block/", fields[2], NULL);
      else if (source != NULL && g_str_has_prefix (source, "/dev/"))
        rel = g_strconcat ("sys/class/block/", source + 5, NULL);
      if (rel != NULL)
        target = resolve_sys_link (self->root, rel);
      if (target != NULL)
        block_to_controllers (self->root, target, found, 0);
    }
  self->root_disk_devices = ptr_array_to_sorted_strv (found);
}

static void
net_to_controllers (const char *root, const char *iface, GPtrArray *out, guint depth)
{
  g_autofree char *rel = g_strconcat ("sys/class/net/", iface, NULL);
  g_autofree char *target = resolve_sys_link (root, rel);
  g_autofree char *dirpath = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (target == NULL || depth > 8)
    return;
  if (strstr (target, "/virtual/") == NULL)
    {
      collect_pci_address (target, out);
      return;
    }
  /* bridges, bonds and VLANs: the ports below them carry the traffic */
  dirpath = pt_root_path (root, target + 1);
  dir = g_dir_open (dirpath, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "lower_"))
      net_to_controllers (root, name + strlen ("lower_"), out, depth + 1);
}

static void
read_default_route (PtHost *self)
{
  g_autofree char *route = read_root_file (self->root, "proc/net/route");
  g_autofree char *route6 = read_root_file (self->root, "proc/net/ipv6_route");
  g_autoptr(GPtrArray) ifaces = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *found = g_ptr_array_new ();
  g_auto(GStrv) lines = NULL;

  if (route != NULL)
    {
      lines = g_strsplit (route, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++)
        {
          g_auto(GStrv) f = g_strsplit_set (lines[i], " \t", -1);
          g_autoptr(GPtrArray) cols = g_ptr_array_new ();

          for (guint k = 0; f[k]; k++)
            if (*f[k])
              g_ptr_array_add (cols, f[k]);
          if (cols->len >= 8 && g_str_equal (g_ptr_array_index (cols, 1), "00000000")
              && g_str_equal (g_ptr_array_index (cols, 7), "00000000"))
            g_ptr_array_add (ifaces, g_strdup (g_ptr_array_index (cols, 0)));
        }
      g_clear_pointer (&lines, g_strfreev);
    }
  if (route6 != NULL)
    {
      lines = g_strsplit (route6, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) f = g_strsplit_set (lines[i], " \t", -1);
          g_autoptr(GPtrArray) cols = g_ptr_array_new ();

          for (guint k = 0; f[k]; k++)
            if (*f[k])
              g_ptr_array_add (cols, f[k]);
          if (cols->len >= 10
              && g_str_equal (g_ptr_array_index (cols, 0), "00000000000000000000000000000000")
              && g_str_equal (g_ptr_array_index (cols, 1), "00")
              && !g_str_equal (g_ptr_array_index (cols, 9), "lo"))
            g_ptr_array_add (ifaces, g_strdup (g_ptr_array_index (cols, 9)));
        }
    }

  for (guint i = 0; i < ifaces->len; i++)
    net_to_controllers (self->root, g_ptr_array_index (ifaces, i), found, 0);
  self->default_route_devices = ptr_array_to_sorted_strv (found);
}

/* Which boot and initramfs systems the root has. */
static void
detect_boot_systems (PtHost *self)
{
  const PtBootconfBackend *bootloader = pt_bootconf_detect (self->root, PT_BOOTCONF_KIND_BOOTLOADER);
  const PtBootconfBackend *initramfs = pt_bootconf_detect (self->root, PT_BOOTCONF_KIND_INITRAMFS);

  /* the backends' own detection, so the names match what they edit */
  self->bootloader = bootloader ? g_strdup (bootloader->name) : NULL;
  self->initramfs = initramfs ? g_strdup (initramfs->name) : NULL;
}

PtHost *
pt_host_load (const char *root, PtHostLoadFlags flags, GError **error)
{
  g_autoptr(PtHost) self = NULL;
  g_autofree char *cmdline = NULL;

  if (root == NULL || *root == '\0')
    root = "/";

  if (!g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NO_ROOT,
                   _("The host root “%s” does not exist or is not a directory. "
                     "Give --root the top of a Linux tree (it holds sys/ and proc/), "
                     "or leave it out to read this machine"),
                   root);
      return NULL;
    }

  self = pt_host_new_empty ();
  self->root = g_canonicalize_filename (root, NULL);

  if (!scan_devices (self, error))
    return NULL;
  read_groups_directory (self);
  pt_host_finish (self);

  read_cpuinfo (self);
  read_firmware (self);
  read_interrupts (self);
  cmdline = read_root_line (self->root, "proc/cmdline");
  pt_host_set_cmdline (self, cmdline);
  self->kernel_release = read_root_line (self->root, "proc/sys/kernel/osrelease");
  read_modules (self);
  read_os_release (self);
  read_root_disk (self);
  read_default_route (self);
  detect_boot_systems (self);

  self->board_vendor = read_root_line (self->root, "sys/class/dmi/id/board_vendor");
  self->board_name = read_root_line (self->root, "sys/class/dmi/id/board_name");
  self->bios_version = read_root_line (self->root, "sys/class/dmi/id/bios_version");

  if (!(flags & PT_HOST_LOAD_NO_NAMES))
    pt_pci_fill_names (self);
  if ((flags & PT_HOST_LOAD_DETAILS) && !pt_host_ensure_details (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
pt_host_ensure_details (PtHost *self, GError **error)
{
  g_return_val_if_fail (PT_IS_HOST (self), FALSE);

  if (self->details_loaded || self->root == NULL)
    return TRUE;
  if (!read_details (self, error))
    return FALSE;
  pt_pci_fill_caps (self);
  pt_kmod_fill_modules (self);
  self->details_loaded = TRUE;
  return TRUE;
}

/* ---- getters ---------------------------------------------------------- */

const char *
pt_host_get_root (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return self->root;
}

gboolean
pt_host_is_snapshot (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), FALSE);
  return self->root == NULL;
}

GPtrArray *
pt_host_get_devices (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return self->devices;
}

GPtrArray *
pt_host_get_groups (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return self->groups;
}

gboolean
pt_host_has_groups (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), FALSE);
  return self->groups->len > 0;
}

PtDevice *
pt_host_lookup_device (PtHost *self, const char *address)
{
  PtAddress addr;
  char buf[32];

  g_return_val_if_fail (PT_IS_HOST (self), NULL);

  if (address == NULL || !pt_address_parse (address, &addr, NULL))
    return NULL;
  pt_address_format (&addr, buf);
  return g_hash_table_lookup (self->by_address, buf);
}

PtDevice *
pt_host_find_device (PtHost *self, const char *address, GError **error)
{
  PtAddress addr;
  PtDevice *device;

  g_return_val_if_fail (PT_IS_HOST (self), NULL);

  if (!pt_address_parse (address, &addr, error))
    return NULL;
  device = pt_host_lookup_device (self, address);
  if (device == NULL)
    {
      g_autofree char *full = pt_address_to_string (&addr);

      g_set_error (error, PT_ERROR, PT_ERROR_NOT_FOUND,
                   _("There is no PCI device at %s on this host. "
                     "“passthroughctl groups” lists the devices there are"),
                   full);
    }
  return device;
}

PtGroup *
pt_host_lookup_group (PtHost *self, int id)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);

  for (guint i = 0; i < self->groups->len; i++)
    {
      PtGroup *group = g_ptr_array_index (self->groups, i);

      if (group->id == id)
        return group;
    }
  return NULL;
}

GPtrArray *
pt_host_dup_slot_functions (PtHost *self, PtDevice *device)
{
  GPtrArray *out = g_ptr_array_new ();

  g_return_val_if_fail (PT_IS_HOST (self), out);

  for (guint i = 0; i < self->devices->len; i++)
    {
      PtDevice *other = g_ptr_array_index (self->devices, i);

      if (pt_address_same_slot (&other->addr, &device->addr))
        g_ptr_array_add (out, other);
    }
  return out;
}

PtCpuVendor
pt_host_get_cpu_vendor (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), PT_CPU_VENDOR_UNKNOWN);
  return self->cpu_vendor;
}

const char *
pt_host_get_cpu_model (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return self->cpu_model;
}

gboolean
pt_host_has_cpu_flag (PtHost *self, const char *flag)
{
  g_return_val_if_fail (PT_IS_HOST (self), FALSE);
  return self->cpu_flags != NULL
         && g_strv_contains ((const char *const *) self->cpu_flags, flag);
}

#define SIMPLE_GETTER(type, name, field, fallback) \
  type pt_host_get_##name (PtHost *self) \
  { \
    g_return_val_if_fail (PT_IS_HOST (self), fallback); \
    return self->field; \
  }

SIMPLE_GETTER (PtTristate, acpi_dmar, acpi_dmar, PT_TRISTATE_UNKNOWN)
SIMPLE_GETTER (PtTristate, acpi_ivrs, acpi_ivrs, PT_TRISTATE_UNKNOWN)
SIMPLE_GETTER (PtTristate, secure_boot, secure_boot, PT_TRISTATE_UNKNOWN)
SIMPLE_GETTER (PtTristate, interrupt_remapping, interrupt_remapping, PT_TRISTATE_UNKNOWN)
SIMPLE_GETTER (const char *, board_vendor, board_vendor, NULL)
SIMPLE_GETTER (const char *, board_name, board_name, NULL)
SIMPLE_GETTER (const char *, bios_version, bios_version, NULL)
SIMPLE_GETTER (const char *, cmdline, cmdline, NULL)
SIMPLE_GETTER (const char *, kernel_release, kernel_release, NULL)
SIMPLE_GETTER (PtModuleState, vfio_pci_state, vfio_pci_state, PT_MODULE_STATE_UNKNOWN)
SIMPLE_GETTER (const char *, os_id, os_id, NULL)
SIMPLE_GETTER (const char *, os_id_like, os_id_like, NULL)
SIMPLE_GETTER (const char *, os_name, os_name, NULL)
SIMPLE_GETTER (const char *, os_version_id, os_version_id, NULL)
SIMPLE_GETTER (const char *, bootloader, bootloader, NULL)
SIMPLE_GETTER (const char *, initramfs, initramfs, NULL)

#undef SIMPLE_GETTER

gboolean
pt_host_is_efi (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), FALSE);
  return self->efi;
}

static const char *const *
strv_or_empty (GStrv strv)
{
  static const char *const empty[] = { NULL };

  return strv ? (const char *const *) strv : empty;
}

const char *const *
pt_host_get_loaded_modules (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return strv_or_empty (self->loaded_modules);
}

const char *const *
pt_host_get_root_disk_devices (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return strv_or_empty (self->root_disk_devices);
}

const char *const *
pt_host_get_default_route_devices (PtHost *self)
{
  g_return_val_if_fail (PT_IS_HOST (self), NULL);
  return strv_or_empty (self->default_route_devices);
}

/* Module names are equal with '-' and '_' mixed, as the kernel treats them. */
gboolean
pt_host_module_loaded (PtHost *self, const char *module)
{
  g_autofree char *wanted = NULL;

  g_return_val_if_fail (PT_IS_HOST (self), FALSE);

  wanted = g_strdelimit (g_strdup (module), "-", '_');
  return self->loaded_modules != NULL
         && g_strv_contains ((const char *const *) self->loaded_modules, wanted);
}

gboolean
pt_host_cmdline_has (PtHost *self, const char *arg)
{
  g_return_val_if_fail (PT_IS_HOST (self), FALSE);
  return self->cmdline_args != NULL
         && g_strv_contains ((const char *const *) self->cmdline_args, arg);
}

/* The value of the last "key=value" for @key, as the kernel takes the last. */
const char *
pt_host_cmdline_get_value (PtHost *self, const char *key)
{
  const char *value = NULL;
  gsize len;

  g_return_val_if_fail (PT_IS_HOST (self), NULL);

  len = strlen (key);
  for (guint i = 0; self->cmdline_args && self->cmdline_args[i]; i++)
    if (strncmp (self->cmdline_args[i], key, len) == 0 && self->cmdline_args[i][len] == '=')
      value = self->cmdline_args[i] + len + 1;
  return value;
}
