/* pt-json.c: builds the contract's JSON documents with json-glib. */
#define G_LOG_DOMAIN "pt-json"

#include "config.h"

#include "pt-json.h"
#include "pt-checks.h"
#include "pt-verdict.h"

static void
add_hex (JsonBuilder *b, const char *member, guint value, int digits)
{
  char buf[16];

  g_snprintf (buf, sizeof buf, "%0*x", digits, value);
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, buf);
}

void
pt_json_add_string_or_null (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_device (JsonBuilder *b, PtDevice *d)
{
  g_autofree char *name = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, pt_device_get_address (d));
  add_hex (b, "vendor", pt_device_get_vendor_id (d), 4);
  add_hex (b, "device", pt_device_get_device_id (d), 4);
  add_hex (b, "class", pt_device_get_class_code (d), 4);
  pt_json_add_string_or_null (b, "driver", pt_device_get_driver (d));
  if (pt_device_get_device_name (d) != NULL)
    {
      name = pt_device_get_vendor_name (d)
        ? g_strdup_printf ("%s %s", pt_device_get_vendor_name (d), pt_device_get_device_name (d))
        : g_strdup (pt_device_get_device_name (d));
    }
  pt_json_add_string_or_null (b, "name", name);
  json_builder_end_object (b);
}

static void
add_device_list (JsonBuilder *b, const char *member, GPtrArray *devices)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < devices->len; i++)
    add_device (b, g_ptr_array_index (devices, i));
  json_builder_end_array (b);
}

static void
add_string_list (JsonBuilder *b, const char *member, const char *const *strv, GPtrArray *array)
{
  if (member != NULL)
    json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  for (guint i = 0; array != NULL && i < array->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (array, i));
  json_builder_end_array (b);
}

JsonNode *
pt_json_groups (PtHost *host)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  GPtrArray *groups = pt_host_get_groups (host);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "groups");
  json_builder_begin_array (b);
  for (guint i = 0; i < groups->len; i++)
    {
      PtGroup *group = g_ptr_array_index (groups, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, group->id);
      add_device_list (b, "devices", group->devices);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
pt_json_gpus (PtHost *host)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr(GPtrArray) gpus = pt_host_list_gpus (host);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "gpus");
  json_builder_begin_array (b);
  for (guint i = 0; i < gpus->len; i++)
    {
      PtGpu *gpu = g_ptr_array_index (gpus, i);
      PtDevice *d = gpu->device;
      g_autofree char *name = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, pt_device_get_address (d));
      add_hex (b, "vendor", pt_device_get_vendor_id (d), 4);
      add_hex (b, "device", pt_device_get_device_id (d), 4);
      add_hex (b, "class", pt_device_get_class_code (d), 4);
      name = pt_device_get_device_name (d) ? pt_device_dup_display_name (d) : NULL;
      pt_json_add_string_or_null (b, "name", name);
      pt_json_add_string_or_null (b, "driver", pt_device_get_driver (d));
      json_builder_set_member_name (b, "group");
      if (pt_device_get_iommu_group (d) >= 0)
        json_builder_add_int_value (b, pt_device_get_iommu_group (d));
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "isolation");
      json_builder_add_string_value (b, pt_isolation_to_string (gpu->isolation));
      json_builder_set_member_name (b, "boot_vga");
      json_builder_add_boolean_value (b, pt_device_get_boot_vga (d) == PT_TRISTATE_YES);
      add_device_list (b, "companions", gpu->companions);
      add_device_list (b, "blockers", gpu->blockers);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
pt_json_plan (PtPlan *plan)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  add_device_list (b, "devices", plan->devices);
  add_device_list (b, "kept", plan->kept);
  json_builder_set_member_name (b, "vfio_ids");
  json_builder_add_string_value (b, plan->vfio_ids);
  add_string_list (b, "kernel_args", (const char *const *) plan->kernel_args, NULL);
  pt_json_add_string_or_null (b, "bootloader", plan->bootloader);
  pt_json_add_string_or_null (b, "initramfs", plan->initramfs);

  json_builder_set_member_name (b, "changes");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->changes->len; i++)
    {
      PtPlanChange *c = g_ptr_array_index (plan->changes, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, c->path);
      json_builder_set_member_name (b, "diff");
      json_builder_add_string_value (b, c->diff);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "regenerate");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->regenerate->len; i++)
    add_string_list (b, NULL, g_ptr_array_index (plan->regenerate, i), NULL);
  json_builder_end_array (b);

  add_string_list (b, "warnings", NULL, plan->warnings);
  add_string_list (b, "notes", NULL, plan->notes);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
pt_json_status (GPtrArray *checks)
{
  g_autoptr(JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "checks");
  json_builder_begin_array (b);
  for (guint i = 0; i < checks->len; i++)
    {
      PtCheck *c = g_ptr_array_index (checks, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, c->id);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, pt_check_state_to_string (c->state));
      pt_json_add_string_or_null (b, "summary", c->summary);
      pt_json_add_string_or_null (b, "fix", c->fix);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
pt_json_to_string (JsonNode *node, gboolean pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, NULL);
}
