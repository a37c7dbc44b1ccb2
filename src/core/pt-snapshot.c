/* pt-snapshot.c: a whole host as JSON ("passthroughctl snapshot"), and back.
 * A snapshot stands in for a host root, so it carries every field the
 * read-only commands look at, and the reader trusts nothing in it: the file
 * may come from someone else's machine, cut short or edited by hand. */
#define G_LOG_DOMAIN "pt-snapshot"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pt-host-private.h"

#define SNAPSHOT_FORMAT  "passthrough-host"
#define SNAPSHOT_VERSION 1

/* JSON names of the enums, indexed by value; NULL is written for index 0,
 * the unknown state. */
static const char *const cpu_vendor_names[] = { "", "intel", "amd", NULL };
static const char *const module_state_names[] = { "", "missing", "module", "builtin", NULL };
/* The systems pt-host.c detects (pt-host.h). */
static const char *const bootloader_names[] = { "grub", "systemd-boot", "kernelstub", NULL };
static const char *const initramfs_names[] = { "mkinitcpio", "dracut", "initramfs-tools", NULL };

/* ---- writing ---------------------------------------------------------- */

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else if (g_utf8_validate (value, -1, NULL))
    json_builder_add_string_value (builder, value);
  else
    {
      /* sysfs and DMI strings are bytes; a file that is not UTF-8 would be
       * refused by every JSON reader, ours included. */
      g_autofree char *valid = g_utf8_make_valid (value, -1);

      json_builder_add_string_value (builder, valid);
    }
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *strv)
{
  json_builder_set_member_name (builder, name);
  if (strv == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; strv[i] != NULL; i++)
    {
      if (g_utf8_validate (strv[i], -1, NULL))
        json_builder_add_string_value (builder, strv[i]);
      else
        {
          g_autofree char *valid = g_utf8_make_valid (strv[i], -1);

          json_builder_add_string_value (builder, valid);
        }
    }
  json_builder_end_array (builder);
}

static void
add_hex (JsonBuilder *builder,
         const char  *name,
         guint64      value,
         int          digits)
{
  g_autofree char *text = g_strdup_printf ("%0*" G_GINT64_MODIFIER "x", digits, value);

  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, text);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* -1 (none, unknown) becomes null. */
static void
add_int_or_null (JsonBuilder *builder,
                 const char  *name,
                 int          value)
{
  json_builder_set_member_name (builder, name);
  if (value < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, value);
}

static void
add_bool (JsonBuilder *builder,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value != FALSE);
}

static void
add_tristate (JsonBuilder *builder,
              const char  *name,
              PtTristate   value)
{
  json_builder_set_member_name (builder, name);
  if (value == PT_TRISTATE_YES || value == PT_TRISTATE_NO)
    json_builder_add_boolean_value (builder, value == PT_TRISTATE_YES);
  else
    json_builder_add_null_value (builder);
}

static void
add_enum (JsonBuilder        *builder,
          const char         *name,
          const char * const *names,
          guint               value)
{
  json_builder_set_member_name (builder, name);
  if (value == 0 || value >= g_strv_length ((GStrv) names))
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, names[value]);
}

static void
add_caps (JsonBuilder        *builder,
          const PtDeviceCaps *caps)
{
  json_builder_set_member_name (builder, "caps");
  json_builder_begin_object (builder);
  add_bool (builder, "known", caps->caps_known);
  add_bool (builder, "pcie", caps->is_pcie);
  add_int (builder, "pcie_type", caps->pcie_type);
  add_bool (builder, "flr", caps->flr);
  add_bool (builder, "pm_reset", caps->pm_reset);
  add_bool (builder, "acs", caps->has_acs);
  add_hex (builder, "acs_cap", caps->acs_cap, 4);
  add_hex (builder, "acs_ctrl", caps->acs_ctrl, 4);
  add_int (builder, "link_speed", caps->link_speed);
  add_int (builder, "link_width", caps->link_width);
  add_int (builder, "link_speed_max", caps->link_speed_max);
  add_int (builder, "link_width_max", caps->link_width_max);
  add_bool (builder, "rebar", caps->rebar);
  json_builder_set_member_name (builder, "rebar_max_size");
  /* JSON integers stop at 2^63 - 1; a BAR size of 2^63 (the largest the
   * Resizable BAR capability can announce) is written as a number with an
   * exponent, which is exact for a power of two. */
  if (caps->rebar_max_size <= G_MAXINT64)
    json_builder_add_int_value (builder, (gint64) caps->rebar_max_size);
  else
    json_builder_add_double_value (builder, (double) caps->rebar_max_size);
  json_builder_end_object (builder);
}

static void
add_device (JsonBuilder *builder,
            PtDevice    *device)
{
  json_builder_begin_object (builder);
  add_string (builder, "address", device->address);
  add_hex (builder, "vendor", device->vendor_id, 4);
  add_hex (builder, "device", device->device_id, 4);
  add_hex (builder, "subsystem_vendor", device->subsystem_vendor, 4);
  add_hex (builder, "subsystem_device", device->subsystem_device, 4);
  add_hex (builder, "class", device->klass, 6);
  add_hex (builder, "revision", device->revision, 2);
  add_string (builder, "driver", device->driver);
  add_string (builder, "driver_override", device->driver_override);
  add_int_or_null (builder, "iommu_group", device->iommu_group);
  add_tristate (builder, "boot_vga", device->boot_vga);
  add_string (builder, "reset_method", device->reset_method);
  add_int_or_null (builder, "numa_node", device->numa_node);
  add_string (builder, "modalias", device->modalias);
  add_string (builder, "parent", device->parent_address);
  add_string (builder, "vendor_name", device->vendor_name);
  add_string (builder, "device_name", device->device_name);
  add_string (builder, "subsystem_name", device->subsystem_name);
  add_string (builder, "class_name", device->class_name);
  add_strv (builder, "kernel_modules", (const char * const *) device->kernel_modules);
  add_caps (builder, &device->caps);
  json_builder_end_object (builder);
}

static void
add_host (JsonBuilder *builder,
          PtHost      *self)
{
  json_builder_set_member_name (builder, "host");
  json_builder_begin_object (builder);
  add_enum (builder, "cpu_vendor", cpu_vendor_names, self->cpu_vendor);
  add_string (builder, "cpu_model", self->cpu_model);
  add_strv (builder, "cpu_flags", (const char * const *) self->cpu_flags);
  add_tristate (builder, "acpi_dmar", self->acpi_dmar);
  add_tristate (builder, "acpi_ivrs", self->acpi_ivrs);
  add_bool (builder, "efi", self->efi);
  add_tristate (builder, "secure_boot", self->secure_boot);
  add_tristate (builder, "interrupt_remapping", self->interrupt_remapping);
  add_string (builder, "board_vendor", self->board_vendor);
  add_string (builder, "board_name", self->board_name);
  add_string (builder, "bios_version", self->bios_version);
  add_string (builder, "kernel_release", self->kernel_release);
  add_string (builder, "cmdline", self->cmdline);
  add_strv (builder, "loaded_modules", (const char * const *) self->loaded_modules);
  add_enum (builder, "vfio_pci", module_state_names, self->vfio_pci_state);
  add_string (builder, "os_id", self->os_id);
  add_string (builder, "os_id_like", self->os_id_like);
  add_string (builder, "os_name", self->os_name);
  add_string (builder, "os_version_id", self->os_version_id);
  add_strv (builder, "root_disk_devices", (const char * const *) self->root_disk_devices);
  add_strv (builder, "default_route_devices", (const char * const *) self->default_route_devices);
  add_string (builder, "bootloader", self->bootloader);
  add_string (builder, "initramfs", self->initramfs);
  json_builder_end_object (builder);
}

/**
 * pt_host_to_snapshot:
 * @self: a host
 *
 * Writes @self as a snapshot: pretty-printed JSON ending in a newline, the
 * same bytes for the same host. Capabilities and kernel modules are read
 * first if the host was loaded without them.
 *
 * Returns: (transfer full): the snapshot text
 */
char *
pt_host_to_snapshot (PtHost *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (PT_IS_HOST (self), NULL);

  pt_host_ensure_details (self, NULL);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, SNAPSHOT_FORMAT);
  add_int (builder, "version", SNAPSHOT_VERSION);
  json_builder_set_member_name (builder, "generator");
  json_builder_add_string_value (builder, "passthrough " PACKAGE_VERSION);
  add_host (builder, self);
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->devices->len; i++)
    add_device (builder, g_ptr_array_index (self->devices, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return g_strconcat (text, "\n", NULL);
}

/* ---- reading ---------------------------------------------------------- */

/* One JSON object being read and where it is in the file, for messages
 * such as "devices[3].address". */
typedef struct
{
  JsonObject *object;
  const char *where;   /* NULL at the top level */
} Section;

/* The reader's errors name only the problem; load_data() wraps them in a
 * sentence that names the file and says what to do. */
static gboolean problem (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
problem (GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, PT_ERROR, PT_ERROR_CORRUPT, message);
  return FALSE;
}

static char *
member_path (const Section *section,
             const char    *name)
{
  if (section->where == NULL)
    return g_strdup (name);
  return g_strdup_printf ("%s.%s", section->where, name);
}

/* What a value is, for "expected …, found …". */
static char *
describe_node (JsonNode *node)
{
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("null");
  if (JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup (_("an object"));
  if (JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup (_("a list"));

  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      if (g_utf8_strlen (text, -1) > 40)
        {
          g_autofree char *start = g_utf8_substring (text, 0, 40);

          return g_strdup_printf (_("the string “%s…”"), start);
        }
      return g_strdup_printf (_("the string “%s”"), text);
    }
  if (type == G_TYPE_INT64)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

      return g_strdup_printf (_("the number %s"), number);
    }
  if (type == G_TYPE_DOUBLE)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      return g_strdup_printf (_("the number %s"),
                              g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
    }
  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  return g_strdup (_("a value of an unknown kind"));
}

static gboolean
wrong_type (const Section  *section,
            const char     *name,
            JsonNode       *node,
            const char     *expected,
            GError        **error)
{
  g_autofree char *path = member_path (section, name);
  g_autofree char *found = describe_node (node);

  /* TRANSLATORS: "devices[3].vendor: expected a string, found the number 4318" */
  return problem (error, _("%s: expected %s, found %s"), path, expected, found);
}

/* The member @name, or NULL when it is absent or null: a snapshot leaves
 * out or nulls what the host did not know, and a later version may drop a
 * member, so both read as "unknown". */
static JsonNode *
get_member (const Section *section,
            const char    *name)
{
  JsonNode *node = json_object_get_member (section->object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static gboolean
missing (const Section  *section,
         const char     *name,
         GError        **error)
{
  g_autofree char *path = member_path (section, name);

  return problem (error, _("%s is missing"), path);
}

static gboolean
node_is (JsonNode *node,
         GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Reads a string into *@out (borrowed from the parser), NULL when absent. */
static gboolean
read_string (const Section  *section,
             const char     *name,
             gboolean        required,
             const char    **out,
             GError        **error)
{
  JsonNode *node = get_member (section, name);

  *out = NULL;
  if (node == NULL)
    return required ? missing (section, name, error) : TRUE;
  if (!node_is (node, G_TYPE_STRING))
    return wrong_type (section, name, node,
                       required ? _("a string") : _("a string or null"), error);
  *out = json_node_get_string (node);
  return TRUE;
}

static void
set_string (char       **field,
            const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static gboolean
read_string_into (const Section  *section,
                  const char     *name,
                  char          **field,
                  GError        **error)
{
  const char *value;

  if (!read_string (section, name, FALSE, &value, error))
    return FALSE;
  set_string (field, value);
  return TRUE;
}

/* A list of strings, in the file's order: the host's lists are only ever
 * searched, and keeping the order keeps the round trip exact. */
static gboolean
read_strv (const Section  *section,
           const char     *name,
           GStrv          *out,
           GError        **error)
{
  JsonNode *node = get_member (section, name);
  g_autoptr(GPtrArray) strings = NULL;
  JsonArray *array;
  guint length;

  g_clear_pointer (out, g_strfreev);
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (section, name, node, _("a list of strings or null"), error);

  array = json_node_get_array (node);
  length = json_array_get_length (array);
  strings = g_ptr_array_new_full (length + 1, g_free);
  for (guint i = 0; i < length; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!node_is (element, G_TYPE_STRING))
        {
          g_autofree char *path = member_path (section, name);
          g_autofree char *found = describe_node (element);

          return problem (error, _("%s[%u]: expected a string, found %s"), path, i, found);
        }
      g_ptr_array_add (strings, g_strdup (json_node_get_string (element)));
    }

  g_ptr_array_add (strings, NULL);
  *out = (GStrv) g_ptr_array_free (g_steal_pointer (&strings), FALSE);
  return TRUE;
}

static gboolean
read_bool (const Section  *section,
           const char     *name,
           gboolean       *out,
           GError        **error)
{
  JsonNode *node = get_member (section, name);

  *out = FALSE;
  if (node == NULL)
    return TRUE;
  if (!node_is (node, G_TYPE_BOOLEAN))
    return wrong_type (section, name, node, _("true or false"), error);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_tristate (const Section  *section,
               const char     *name,
               PtTristate     *out,
               GError        **error)
{
  JsonNode *node = get_member (section, name);

  *out = PT_TRISTATE_UNKNOWN;
  if (node == NULL)
    return TRUE;
  if (!node_is (node, G_TYPE_BOOLEAN))
    return wrong_type (section, name, node, _("true, false or null"), error);
  *out = json_node_get_boolean (node) ? PT_TRISTATE_YES : PT_TRISTATE_NO;
  return TRUE;
}

/* A whole number between @min and @max; absent or null gives @unset. */
static gboolean
read_int (const Section  *section,
          const char     *name,
          gint64          min,
          gint64          max,
          gint64          unset,
          gint64         *out,
          GError        **error)
{
  JsonNode *node = get_member (section, name);
  gint64 value;

  *out = unset;
  if (node == NULL)
    return TRUE;
  if (!node_is (node, G_TYPE_INT64))
    return wrong_type (section, name, node, _("a whole number"), error);

  value = json_node_get_int (node);
  if (value < min || value > max)
    {
      g_autofree char *path = member_path (section, name);
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      g_autofree char *low = g_strdup_printf ("%" G_GINT64_FORMAT, min);
      g_autofree char *high = g_strdup_printf ("%" G_GINT64_FORMAT, max);

      return problem (error, _("%s: %s is out of range; it must be from %s to %s"),
                      path, text, low, high);
    }
  *out = value;
  return TRUE;
}

/* IDs, class codes and register values: lower- or upper-case hex digits in
 * a string, without "0x", at most @max. */
static gboolean
read_hex (const Section  *section,
          const char     *name,
          gboolean        required,
          guint64         max,
          guint64        *out,
          GError        **error)
{
  g_autofree char *path = NULL;
  const char *text;
  guint64 value = 0;

  *out = 0;
  if (!read_string (section, name, required, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  path = member_path (section, name);
  if (*text == '\0')
    return problem (error, _("%s: the string is empty; it should hold a hexadecimal "
                             "number such as “10de”"), path);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p))
        return problem (error, _("%s: “%s” is not a hexadecimal number such as “10de”"),
                        path, text);
      /* Stops before the value can overflow, whatever the length. */
      if (value <= max)
        value = (value << 4) | (guint64) g_ascii_xdigit_value (*p);
    }
  if (value > max)
    {
      g_autofree char *high = g_strdup_printf ("%" G_GINT64_MODIFIER "x", max);

      return problem (error, _("%s: “%s” is out of range; it must be at most “%s”"),
                      path, text, high);
    }
  *out = value;
  return TRUE;
}

static gboolean
read_address (const Section  *section,
              const char     *name,
              gboolean        required,
              PtAddress      *out,
              gboolean       *present,
              GError        **error)
{
  const char *text;

  *present = FALSE;
  if (!read_string (section, name, required, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!pt_address_parse (text, out, NULL))
    {
      g_autofree char *path = member_path (section, name);

      return problem (error, _("%s: “%s” is not a PCI address"), path, text);
    }
  *present = TRUE;
  return TRUE;
}

/* A list of PCI addresses, kept in full form. */
static gboolean
read_address_list (const Section  *section,
                   const char     *name,
                   GStrv          *out,
                   GError        **error)
{
  if (!read_strv (section, name, out, error))
    return FALSE;
  if (*out == NULL)
    return TRUE;

  for (guint i = 0; (*out)[i] != NULL; i++)
    {
      PtAddress addr;

      if (!pt_address_parse ((*out)[i], &addr, NULL))
        {
          g_autofree char *path = member_path (section, name);

          return problem (error, _("%s[%u]: “%s” is not a PCI address"), path, i, (*out)[i]);
        }
      g_free ((*out)[i]);
      (*out)[i] = pt_address_to_string (&addr);
    }
  return TRUE;
}

/* One of @names (or null, which gives @unset); *@out is the index plus
 * @offset. */
static gboolean
read_enum (const Section      *section,
           const char         *name,
           const char * const *names,
           guint               offset,
           int                 unset,
           int                *out,
           GError            **error)
{
  g_autofree char *path = NULL;
  g_autofree char *choices = NULL;
  const char *text;

  *out = unset;
  if (!read_string (section, name, FALSE, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  for (guint i = offset; names[i] != NULL; i++)
    if (g_str_equal (text, names[i]))
      {
        *out = (int) i;
        return TRUE;
      }

  path = member_path (section, name);
  choices = g_strjoinv (", ", (GStrv) names + offset);
  return problem (error, _("%s: “%s” is not one of the values this version knows (%s)"),
                  path, text, choices);
}

static gboolean
get_object (const Section  *section,
            const char     *name,
            gboolean        required,
            JsonObject    **out,
            GError        **error)
{
  JsonNode *node = get_member (section, name);

  *out = NULL;
  if (node == NULL)
    return required ? missing (section, name, error) : TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (section, name, node,
                       required ? _("an object") : _("an object or null"), error);
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_caps (const Section  *device_section,
           PtDeviceCaps   *caps,
           GError        **error)
{
  g_autofree char *where = NULL;
  Section section;
  JsonObject *object;
  JsonNode *node;
  gint64 number;
  guint64 hex;

  if (!get_object (device_section, "caps", FALSE, &object, error))
    return FALSE;
  if (object == NULL)
    return TRUE;

  where = member_path (device_section, "caps");
  section.object = object;
  section.where = where;

  if (!read_bool (&section, "known", &caps->caps_known, error)
      || !read_bool (&section, "pcie", &caps->is_pcie, error))
    return FALSE;
  if (!read_int (&section, "pcie_type", 0, 15, 0, &number, error))
    return FALSE;
  caps->pcie_type = (guint8) number;
  if (!read_bool (&section, "flr", &caps->flr, error)
      || !read_bool (&section, "pm_reset", &caps->pm_reset, error)
      || !read_bool (&section, "acs", &caps->has_acs, error))
    return FALSE;
  if (!read_hex (&section, "acs_cap", FALSE, G_MAXUINT16, &hex, error))
    return FALSE;
  caps->acs_cap = (guint16) hex;
  if (!read_hex (&section, "acs_ctrl", FALSE, G_MAXUINT16, &hex, error))
    return FALSE;
  caps->acs_ctrl = (guint16) hex;
  if (!read_int (&section, "link_speed", 0, G_MAXUINT8, 0, &number, error))
    return FALSE;
  caps->link_speed = (guint8) number;
  if (!read_int (&section, "link_width", 0, G_MAXUINT8, 0, &number, error))
    return FALSE;
  caps->link_width = (guint8) number;
  if (!read_int (&section, "link_speed_max", 0, G_MAXUINT8, 0, &number, error))
    return FALSE;
  caps->link_speed_max = (guint8) number;
  if (!read_int (&section, "link_width_max", 0, G_MAXUINT8, 0, &number, error))
    return FALSE;
  caps->link_width_max = (guint8) number;
  if (!read_bool (&section, "rebar", &caps->rebar, error))
    return FALSE;

  /* See add_caps(): sizes past 2^63 - 1 come as a number with an exponent. */
  node = get_member (&section, "rebar_max_size");
  if (node != NULL && node_is (node, G_TYPE_DOUBLE))
    {
      double size = json_node_get_double (node);

      if (!(size >= 9223372036854775808.0 && size < 18446744073709551616.0)
          || size != (double) (guint64) size)
        {
          g_autofree char *path = member_path (&section, "rebar_max_size");
          g_autofree char *found = describe_node (node);

          return problem (error, _("%s: %s is not a size in bytes"), path, found);
        }
      caps->rebar_max_size = (guint64) size;
    }
  else
    {
      if (!read_int (&section, "rebar_max_size", 0, G_MAXINT64, 0, &number, error))
        return FALSE;
      caps->rebar_max_size = (guint64) number;
    }

  return TRUE;
}

static PtDevice *
read_device (JsonNode    *node,
             guint        index,
             GError     **error)
{
  g_autoptr(PtDevice) device = NULL;
  g_autofree char *where = g_strdup_printf ("devices[%u]", index);
  Section section;
  PtAddress addr;
  PtAddress parent;
  gboolean present;
  guint64 hex;
  gint64 number;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *found = describe_node (node);

      problem (error, _("%s: expected an object, found %s"), where, found);
      return NULL;
    }
  section.object = json_node_get_object (node);
  section.where = where;

  if (!read_address (&section, "address", TRUE, &addr, &present, error))
    return NULL;
  device = pt_device_new (&addr);

  if (!read_hex (&section, "vendor", TRUE, G_MAXUINT16, &hex, error))
    return NULL;
  device->vendor_id = (guint16) hex;
  if (!read_hex (&section, "device", TRUE, G_MAXUINT16, &hex, error))
    return NULL;
  device->device_id = (guint16) hex;
  if (!read_hex (&section, "subsystem_vendor", FALSE, G_MAXUINT16, &hex, error))
    return NULL;
  device->subsystem_vendor = (guint16) hex;
  if (!read_hex (&section, "subsystem_device", FALSE, G_MAXUINT16, &hex, error))
    return NULL;
  device->subsystem_device = (guint16) hex;
  if (!read_hex (&section, "class", TRUE, 0xffffff, &hex, error))
    return NULL;
  device->klass = (guint32) hex;
  if (!read_hex (&section, "revision", FALSE, G_MAXUINT8, &hex, error))
    return NULL;
  device->revision = (guint8) hex;

  if (!read_string_into (&section, "driver", &device->driver, error)
      || !read_string_into (&section, "driver_override", &device->driver_override, error))
    return NULL;
  if (!read_int (&section, "iommu_group", 0, G_MAXINT, -1, &number, error))
    return NULL;
  device->iommu_group = (int) number;
  if (!read_tristate (&section, "boot_vga", &device->boot_vga, error)
      || !read_string_into (&section, "reset_method", &device->reset_method, error))
    return NULL;
  /* sysfs says -1 for "no NUMA node"; accept it as well as null. */
  if (!read_int (&section, "numa_node", -1, G_MAXINT, -1, &number, error))
    return NULL;
  device->numa_node = (int) number;
  if (!read_string_into (&section, "modalias", &device->modalias, error))
    return NULL;

  if (!read_address (&section, "parent", FALSE, &parent, &present, error))
    return NULL;
  if (present)
    {
      if (pt_address_compare (&parent, &addr) == 0)
        {
          problem (error, _("%s.parent: a device cannot be its own parent"), where);
          return NULL;
        }
      device->parent_address = pt_address_to_string (&parent);
    }

  if (!read_string_into (&section, "vendor_name", &device->vendor_name, error)
      || !read_string_into (&section, "device_name", &device->device_name, error)
      || !read_string_into (&section, "subsystem_name", &device->subsystem_name, error)
      || !read_string_into (&section, "class_name", &device->class_name, error)
      || !read_strv (&section, "kernel_modules", &device->kernel_modules, error)
      || !read_caps (&section, &device->caps, error))
    return NULL;

  return g_steal_pointer (&device);
}

/* Upstream links that go round in a circle would send anything walking
 * towards the root bus (ACS checks, the app's tree) round for ever. */
static gboolean
check_parent_loops (GPtrArray   *devices,
                    GHashTable  *index_of,
                    GError     **error)
{
  for (guint i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      const char *up = device->parent_address;
      guint steps = 0;

      while (up != NULL)
        {
          gpointer found;
          PtDevice *parent;

          if (!g_hash_table_lookup_extended (index_of, up, NULL, &found))
            break;
          if (++steps > devices->len)
            return problem (error, _("devices[%u].parent: the chain of parents of %s "
                                     "goes round in a loop"),
                            i, device->address);
          parent = g_ptr_array_index (devices, GPOINTER_TO_UINT (found));
          up = parent->parent_address;
        }
    }
  return TRUE;
}

static gboolean
read_host (const Section  *top,
           PtHost         *host,
           GError        **error)
{
  Section section;
  JsonObject *object;
  int value;

  if (!get_object (top, "host", TRUE, &object, error))
    return FALSE;
  section.object = object;
  section.where = "host";

  if (!read_enum (&section, "cpu_vendor", cpu_vendor_names, 1, PT_CPU_VENDOR_UNKNOWN,
                  &value, error))
    return FALSE;
  host->cpu_vendor = value;
  if (!read_string_into (&section, "cpu_model", &host->cpu_model, error)
      || !read_strv (&section, "cpu_flags", &host->cpu_flags, error)
      || !read_tristate (&section, "acpi_dmar", &host->acpi_dmar, error)
      || !read_tristate (&section, "acpi_ivrs", &host->acpi_ivrs, error)
      || !read_bool (&section, "efi", &host->efi, error)
      || !read_tristate (&section, "secure_boot", &host->secure_boot, error)
      || !read_tristate (&section, "interrupt_remapping", &host->interrupt_remapping, error)
      || !read_string_into (&section, "board_vendor", &host->board_vendor, error)
      || !read_string_into (&section, "board_name", &host->board_name, error)
      || !read_string_into (&section, "bios_version", &host->bios_version, error)
      || !read_string_into (&section, "kernel_release", &host->kernel_release, error))
    return FALSE;

  {
    const char *cmdline;

    if (!read_string (&section, "cmdline", FALSE, &cmdline, error))
      return FALSE;
    /* Also splits it into arguments, as the scanner does. */
    pt_host_set_cmdline (host, cmdline);
  }

  if (!read_strv (&section, "loaded_modules", &host->loaded_modules, error))
    return FALSE;
  if (!read_enum (&section, "vfio_pci", module_state_names, 1, PT_MODULE_STATE_UNKNOWN,
                  &value, error))
    return FALSE;
  host->vfio_pci_state = value;
  if (!read_string_into (&section, "os_id", &host->os_id, error)
      || !read_string_into (&section, "os_id_like", &host->os_id_like, error)
      || !read_string_into (&section, "os_name", &host->os_name, error)
      || !read_string_into (&section, "os_version_id", &host->os_version_id, error)
      || !read_address_list (&section, "root_disk_devices", &host->root_disk_devices, error)
      || !read_address_list (&section, "default_route_devices",
                             &host->default_route_devices, error))
    return FALSE;

  if (!read_enum (&section, "bootloader", bootloader_names, 0, -1, &value, error))
    return FALSE;
  set_string (&host->bootloader, value < 0 ? NULL : bootloader_names[value]);
  if (!read_enum (&section, "initramfs", initramfs_names, 0, -1, &value, error))
    return FALSE;
  set_string (&host->initramfs, value < 0 ? NULL : initramfs_names[value]);

  return TRUE;
}

static gboolean
read_devices (const Section  *top,
              PtHost         *host,
              GError        **error)
{
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GHashTable) index_of = NULL;
  JsonNode *node = get_member (top, "devices");
  JsonArray *array;
  guint length;

  if (node == NULL)
    return missing (top, "devices", error);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (top, "devices", node, _("a list"), error);

  array = json_node_get_array (node);
  length = json_array_get_length (array);
  devices = g_ptr_array_new_full (length, g_object_unref);
  /* address -> index in @devices; keys belong to the devices */
  index_of = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < length; i++)
    {
      PtDevice *device = read_device (json_array_get_element (array, i), i, error);
      gpointer other;

      if (device == NULL)
        return FALSE;
      if (g_hash_table_lookup_extended (index_of, device->address, NULL, &other))
        {
          problem (error, _("devices[%u].address: %s appears twice (also devices[%u])"),
                   i, device->address, GPOINTER_TO_UINT (other));
          g_object_unref (device);
          return FALSE;
        }
      g_ptr_array_add (devices, device);
      g_hash_table_insert (index_of, device->address, GUINT_TO_POINTER (i));
    }

  if (!check_parent_loops (devices, index_of, error))
    return FALSE;

  for (guint i = 0; i < devices->len; i++)
    pt_host_add_device (host, g_ptr_array_index (devices, i));
  return TRUE;
}

static PtHost *
load_data (const char  *data,
           gsize        length,
           const char  *path,
           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autofree char *display = path ? g_filename_display_name (path) : NULL;
  const char *format;
  gint64 version = 0;
  gboolean newer = FALSE;
  JsonNode *root;
  Section top = { NULL, NULL };

  if (length == 0 || data == NULL)
    problem (&local_error, _("the file is empty"));
  else if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      /* "<data>:3:7: Parse error: …" names a buffer the user never saw. */
      const char *message = local_error->message;
      g_autofree char *text = NULL;

      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      text = g_strdup (message);
      g_clear_error (&local_error);
      problem (&local_error, _("it is not complete, well-formed JSON (%s)"), text);
    }
  else if ((root = json_parser_get_root (parser)) == NULL)
    problem (&local_error, _("the file is empty"));
  else if (!JSON_NODE_HOLDS_OBJECT (root))
    problem (&local_error, _("the top level is not a JSON object"));
  else
    {
      top.object = json_node_get_object (root);
      if (!read_string (&top, "format", TRUE, &format, &local_error))
        ;
      else if (!g_str_equal (format, SNAPSHOT_FORMAT))
        problem (&local_error, _("format: “%s” is not “%s”, so this is not a Passthrough "
                                 "host snapshot"),
                 format, SNAPSHOT_FORMAT);
      else if (!read_int (&top, "version", 1, G_MAXINT64, 0, &version, &local_error))
        ;
      else if (version == 0)
        missing (&top, "version", &local_error);
      else if (version > SNAPSHOT_VERSION)
        newer = TRUE;
      else
        {
          host = pt_host_new_empty ();
          if (read_host (&top, host, &local_error)
              && read_devices (&top, host, &local_error))
            {
              pt_host_finish (host);
              /* Nothing more can be read from a snapshot: it is complete. */
              host->details_loaded = TRUE;
              return g_steal_pointer (&host);
            }
        }
    }

  if (newer)
    {
      g_autofree char *found = g_strdup_printf ("%" G_GINT64_FORMAT, version);

      if (display != NULL)
        g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                     _("Cannot read the host snapshot “%s”: it was written by a newer "
                       "version of Passthrough (snapshot version %s; this version reads "
                       "up to %d). Update Passthrough to read it"),
                     display, found, SNAPSHOT_VERSION);
      else
        g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                     _("Cannot read the host snapshot: it was written by a newer "
                       "version of Passthrough (snapshot version %s; this version reads "
                       "up to %d). Update Passthrough to read it"),
                     found, SNAPSHOT_VERSION);
      return NULL;
    }

  g_assert (local_error != NULL);
  if (display != NULL)
    g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                 _("Cannot read the host snapshot “%s”: %s. The file may be damaged or "
                   "written by another program; make a new one on the machine with "
                   "“passthroughctl snapshot > host.json”"),
                 display, local_error->message);
  else
    g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
                 _("Cannot read the host snapshot: %s. The file may be damaged or "
                   "written by another program; make a new one on the machine with "
                   "“passthroughctl snapshot > host.json”"),
                 local_error->message);
  return NULL;
}

/**
 * pt_host_load_snapshot_data:
 * @data: snapshot text
 * @length: length of @data, or -1 when it is NUL-terminated
 * @error: return location for a #PT_ERROR_CORRUPT error
 *
 * Reads a host written by pt_host_to_snapshot(). Members this version does
 * not know are ignored; anything else out of place is an error naming it.
 *
 * Returns: (transfer full): the host, whose root is %NULL
 */
PtHost *
pt_host_load_snapshot_data (const char  *data,
                            gssize       length,
                            GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_data (data, length < 0 ? strlen (data) : (gsize) length, NULL, error);
}

/**
 * pt_host_load_snapshot:
 * @path: a file written by `passthroughctl snapshot`
 * @error: return location for an error
 *
 * Like pt_host_load_snapshot_data() on the contents of @path. A file that
 * cannot be read gives %PT_ERROR_NO_ROOT, as a missing host root does.
 *
 * Returns: (transfer full): the host, whose root is %NULL
 */
PtHost *
pt_host_load_snapshot (const char  *path,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_autofree char *display = g_filename_display_name (path);
      const char *reason = local_error->message;

      /* GLib's messages repeat the file name; say only why. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        reason = _("there is no such file");
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        reason = _("you may not read it");
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ISDIR))
        reason = _("it is a folder");

      g_set_error (error, PT_ERROR, PT_ERROR_NO_ROOT,
                   _("Cannot read the host snapshot “%s”: %s. Check the path, or make "
                     "a snapshot on the machine with “passthroughctl snapshot > host.json”"),
                   display, reason);
      return NULL;
    }
  return load_data (contents, length, path, error);
}
