/* test-cli.c: passthroughctl as a user and a script meet it: the JSON
 * contract of DESIGN.md on fixture hosts, exit codes, and one clear message
 * for each kind of bad input. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pt-test-util.h"

#define ctl(run, ...) pt_test_ctl (run, __VA_ARGS__)
#define parse_object pt_test_parse_object

static gboolean
is_lower_hex (const char *s, guint len)
{
  if (strlen (s) != len)
    return FALSE;
  for (guint i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

static void
assert_contract_device (JsonObject *d)
{
  const char *address = json_object_get_string_member (d, "address");
  JsonNode *driver = json_object_get_member (d, "driver");

  g_assert_nonnull (address);
  g_assert_cmpint (strlen (address), >=, 12);
  g_assert_true (is_lower_hex (json_object_get_string_member (d, "vendor"), 4));
  g_assert_true (is_lower_hex (json_object_get_string_member (d, "device"), 4));
  g_assert_true (is_lower_hex (json_object_get_string_member (d, "class"), 4));
  g_assert_nonnull (driver);
  g_assert_true (JSON_NODE_HOLDS_NULL (driver) || JSON_NODE_HOLDS_VALUE (driver));
  g_assert_true (json_object_has_member (d, "name"));
}

static char *seed_root;

static void
test_groups_json (void)
{
  g_auto(PtTestRun) r = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *groups;
  int last = -1;
  gboolean saw_gpu = FALSE;

  ctl (&r, "--root", seed_root, "groups", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  root = parse_object (parser, r.out);
  groups = json_object_get_array_member (root, "groups");
  g_assert_cmpuint (json_array_get_length (groups), ==, 11);

  for (guint i = 0; i < json_array_get_length (groups); i++)
    {
      JsonObject *g = json_array_get_object_element (groups, i);
      JsonArray *devices = json_object_get_array_member (g, "devices");
      int id = (int) json_object_get_int_member (g, "id");

      g_assert_cmpint (id, >, last);   /* numeric order */
      last = id;
      g_assert_cmpuint (json_array_get_length (devices), >, 0);
      for (guint k = 0; k < json_array_get_length (devices); k++)
        {
          JsonObject *d = json_array_get_object_element (devices, k);

          assert_contract_device (d);
          if (g_str_equal (json_object_get_string_member (d, "address"), "0000:01:00.0"))
            {
              saw_gpu = TRUE;
              g_assert_cmpint (id, ==, 1);
              g_assert_cmpstr (json_object_get_string_member (d, "vendor"), ==, "10de");
              g_assert_cmpstr (json_object_get_string_member (d, "device"), ==, "13c2");
              g_assert_cmpstr (json_object_get_string_member (d, "class"), ==, "0300");
              g_assert_nonnull (strstr (json_object_get_string_member (d, "name"),
                                        "GeForce GTX 970"));
            }
        }
    }
  g_assert_true (saw_gpu);
}

static void
test_gpus_json (void)
{
  g_auto(PtTestRun) r = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *gpus;
  gboolean saw_nvidia = FALSE, saw_igpu = FALSE;

  ctl (&r, "--root", seed_root, "gpus", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  gpus = json_object_get_array_member (parse_object (parser, r.out), "gpus");
  g_assert_cmpuint (json_array_get_length (gpus), ==, 2);
  for (guint i = 0; i < json_array_get_length (gpus); i++)
    {
      JsonObject *g = json_array_get_object_element (gpus, i);
      const char *address = json_object_get_string_member (g, "address");
      JsonArray *companions = json_object_get_array_member (g, "companions");
      JsonArray *blockers = json_object_get_array_member (g, "blockers");

      g_assert_nonnull (blockers);
      if (g_str_equal (address, "0000:01:00.0"))
        {
          saw_nvidia = TRUE;
          g_assert_cmpint (json_object_get_int_member (g, "group"), ==, 1);
          g_assert_cmpstr (json_object_get_string_member (g, "isolation"), ==, "clean");
          g_assert_false (json_object_get_boolean_member (g, "boot_vga"));
          g_assert_cmpuint (json_array_get_length (companions), ==, 1);
          g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (companions, 0),
                                                          "address"), ==, "0000:01:00.1");
          g_assert_cmpuint (json_array_get_length (blockers), ==, 0);
        }
      else if (g_str_equal (address, "0000:00:02.0"))
        {
          saw_igpu = TRUE;
          g_assert_true (json_object_get_boolean_member (g, "boot_vga"));
          g_assert_cmpstr (json_object_get_string_member (g, "isolation"), ==, "clean");
        }
    }
  g_assert_true (saw_nvidia);
  g_assert_true (saw_igpu);
}

static void
test_plan_json (void)
{
  g_auto(PtTestRun) r = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *plan;
  JsonArray *devices, *args;
  g_autoptr(GString) joined = g_string_new (NULL);

  /* Short and full address forms name the same device. */
  ctl (&r, "--root", seed_root, "plan", "01:00.0", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  plan = parse_object (parser, r.out);
  devices = json_object_get_array_member (plan, "devices");
  g_assert_cmpuint (json_array_get_length (devices), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (devices, 0),
                                                  "address"), ==, "0000:01:00.0");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (devices, 1),
                                                  "address"), ==, "0000:01:00.1");
  g_assert_cmpstr (json_object_get_string_member (plan, "vfio_ids"), ==, "10de:13c2,10de:0fbb");
  args = json_object_get_array_member (plan, "kernel_args");
  for (guint i = 0; i < json_array_get_length (args); i++)
    g_string_append_printf (joined, "%s%s", i ? " " : "", json_array_get_string_element (args, i));
  g_assert_cmpstr (joined->str, ==, "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb");
  g_assert_true (json_object_has_member (plan, "bootloader"));
  g_assert_true (json_object_has_member (plan, "initramfs"));
  g_assert_nonnull (json_object_get_array_member (plan, "changes"));
  g_assert_nonnull (json_object_get_array_member (plan, "regenerate"));
  g_assert_nonnull (json_object_get_array_member (plan, "warnings"));
}

static void
test_status_json (void)
{
  g_auto(PtTestRun) r = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *checks;
  const char *ids[] = { "cpu-virtualization", "iommu-firmware", "iommu-kernel", NULL };

  ctl (&r, "--root", seed_root, "status", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  checks = json_object_get_array_member (parse_object (parser, r.out), "checks");
  g_assert_cmpuint (json_array_get_length (checks), >=, 9);
  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *c = json_array_get_object_element (checks, i);
      const char *state = json_object_get_string_member (c, "state");

      g_assert_nonnull (json_object_get_string_member (c, "id"));
      g_assert_true (g_str_equal (state, "pass") || g_str_equal (state, "warn")
                     || g_str_equal (state, "fail") || g_str_equal (state, "unknown"));
      g_assert_nonnull (json_object_get_string_member (c, "summary"));
      g_assert_true (json_object_has_member (c, "fix"));
      for (guint k = 0; ids[k]; k++)
        if (g_str_equal (json_object_get_string_member (c, "id"), ids[k]))
          g_assert_cmpstr (state, ==, "pass");
    }
}

static void
test_human_output (void)
{
  g_auto(PtTestRun) r = { 0 };
  g_auto(GStrv) lines = NULL;

  ctl (&r, "--root", seed_root, "gpus", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "0000:01:00.0"));
  g_assert_nonnull (strstr (r.out, "GeForce GTX 970"));
  g_assert_nonnull (strstr (r.out, "clean"));
  g_assert_nonnull (strstr (r.out, "boot display"));
  pt_test_run_clear (&r);

  ctl (&r, "--root", seed_root, "groups", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  /* header + 15 functions */
  g_assert_cmpuint (g_strv_length (lines), ==, 17);
  g_assert_nonnull (strstr (r.out, "10de:0fbb"));
  pt_test_run_clear (&r);

  ctl (&r, "--root", seed_root, "plan", "01:00.0", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb"));
}

static void
test_usage_errors (void)
{
  struct { const char *args[6]; int status; const char *needle; } cases[] = {
    { { "frobnicate", NULL }, 2, "frobnicate" },
    { { "--no-such-option", "groups", NULL }, 2, "no-such-option" },
    { { NULL }, 2, "--help" },
    { { "plan", NULL }, 2, "01:00.0" },
    { { "plan", "1:0.0", NULL }, 2, "1:0.0" },
    { { "plan", "../../etc/passwd", NULL }, 2, "not a PCI address" },
    { { "groups", "extra", NULL }, 2, "groups" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(PtTestRun) r = { 0 };
      const char **a = cases[i].args;

      ctl (&r, "--root", seed_root, a[0], a[0] ? a[1] : NULL, a[0] && a[1] ? a[2] : NULL, NULL);
      g_assert_cmpint (r.status, ==, cases[i].status);
      g_assert_nonnull (strstr (r.err, cases[i].needle));
      g_assert_cmpstr (r.out, ==, "");
    }
}

static void
test_failures (void)
{
  g_auto(PtTestRun) r = { 0 };

  ctl (&r, "--root", "/nonexistent/root", "groups", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent/root"));
  pt_test_run_clear (&r);

  ctl (&r, "--root", seed_root, "plan", "05:00.0", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "0000:05:00.0"));
  pt_test_run_clear (&r);

  /* the boot display is refused without --allow-boot-vga */
  ctl (&r, "--root", seed_root, "plan", "00:02.0", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "boot display"));
  g_assert_nonnull (strstr (r.err, "--allow-boot-vga"));
  pt_test_run_clear (&r);

  ctl (&r, "--root", seed_root, "plan", "00:02.0", "--allow-boot-vga", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "8086:0412"));
  pt_test_run_clear (&r);

  ctl (&r, "--snapshot", "/nonexistent/host.json", "groups", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent/host.json"));
}

/* A garbage or truncated sysfs attribute: one message naming the file. */
static void
test_damaged_root (void)
{
  const char *bad[] = { "garbage\n", "", "0x10", "0x1234567\n" };
  const char *attrs[] = { "vendor", "vendor", "class", "device" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(PtTestRun) r = { 0 };
      g_autofree char *root = pt_test_build_host ("seed");
      g_autofree char *path = g_build_filename (root, "sys/bus/pci/devices/0000:01:00.0",
                                                attrs[i], NULL);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) lines = NULL;

      g_file_set_contents (path, bad[i], -1, &error);
      g_assert_no_error (error);
      ctl (&r, "--root", root, "gpus", NULL);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, "0000:01:00.0"));
      g_assert_nonnull (strstr (r.err, attrs[i]));
      lines = g_strsplit (g_strstrip (r.err), "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 1);
      g_assert_null (strstr (r.err, "CRITICAL"));
      pt_test_remove_tree (root);
    }
}

static void
test_snapshot_round_trip (void)
{
  g_auto(PtTestRun) r = { 0 };
  g_auto(PtTestRun) live = { 0 };
  g_auto(PtTestRun) snap = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (seed_root, "host.json", NULL);
  const char *commands[] = { "groups", "gpus", "status" };

  ctl (&r, "--root", seed_root, "snapshot", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_file_set_contents (path, r.out, -1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      ctl (&live, "--root", seed_root, commands[i], "--json", NULL);
      ctl (&snap, "--snapshot", path, commands[i], "--json", NULL);
      g_assert_cmpint (live.status, ==, snap.status);
      g_assert_cmpstr (live.out, ==, snap.out);
      pt_test_run_clear (&live);
      pt_test_run_clear (&snap);
      memset (&live, 0, sizeof live);
      memset (&snap, 0, sizeof snap);
    }
  /* A plan from a snapshot decides the same, but has no files to edit. */
  ctl (&live, "--root", seed_root, "plan", "01:00.0", "--json", NULL);
  ctl (&snap, "--snapshot", path, "plan", "01:00.0", "--json", NULL);
  g_assert_cmpint (live.status, ==, 0);
  g_assert_cmpint (snap.status, ==, 0);
  {
    g_autoptr(JsonParser) lp = json_parser_new ();
    g_autoptr(JsonParser) sp = json_parser_new ();
    JsonObject *lo = parse_object (lp, live.out);
    JsonObject *so = parse_object (sp, snap.out);
    const char *same[] = { "devices", "kept", "vfio_ids", "kernel_args", "bootloader",
                           "initramfs", "warnings" };

    for (guint i = 0; i < G_N_ELEMENTS (same); i++)
      {
        g_autofree char *a = json_to_string (json_object_get_member (lo, same[i]), FALSE);
        g_autofree char *b = json_to_string (json_object_get_member (so, same[i]), FALSE);

        g_assert_cmpstr (a, ==, b);
      }
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (lo, "changes")), >, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (so, "changes")), ==, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (so, "regenerate")), ==, 0);
  }
}

/* The contract on every fixture host: well-formed documents, GPUs in
 * groups agree with the gpus verdicts, plans for clean GPUs work. */
static void
test_contract_all_fixtures (void)
{
  g_autofree char *dir = pt_test_fixture_path ("hosts");
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *file;
  guint n = 0;

  g_assert_nonnull (d);
  while ((file = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *name = NULL;
      g_autofree char *root = NULL;
      g_auto(PtTestRun) groups_run = { 0 };
      g_auto(PtTestRun) gpus_run = { 0 };
      g_auto(PtTestRun) status_run = { 0 };
      g_autoptr(JsonParser) gp = json_parser_new ();
      g_autoptr(JsonParser) vp = json_parser_new ();
      g_autoptr(JsonParser) sp = json_parser_new ();
      g_autoptr(GHashTable) group_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      JsonArray *groups, *gpus, *checks;

      if (!g_str_has_suffix (file, ".host"))
        continue;
      name = g_strndup (file, strlen (file) - strlen (".host"));
      g_test_message ("fixture %s", name);
      root = pt_test_build_host (name);
      n++;

      ctl (&groups_run, "--root", root, "groups", "--json", NULL);
      g_assert_cmpint (groups_run.status, ==, 0);
      groups = json_object_get_array_member (parse_object (gp, groups_run.out), "groups");
      for (guint i = 0; i < json_array_get_length (groups); i++)
        {
          JsonObject *g = json_array_get_object_element (groups, i);
          JsonArray *devices = json_object_get_array_member (g, "devices");

          for (guint k = 0; k < json_array_get_length (devices); k++)
            {
              JsonObject *dev = json_array_get_object_element (devices, k);

              assert_contract_device (dev);
              g_hash_table_insert (group_of, g_strdup (json_object_get_string_member (dev, "address")),
                                   GINT_TO_POINTER ((int) json_object_get_int_member (g, "id") + 1));
            }
        }

      ctl (&gpus_run, "--root", root, "gpus", "--json", NULL);
      g_assert_cmpint (gpus_run.status, ==, 0);
      gpus = json_object_get_array_member (parse_object (vp, gpus_run.out), "gpus");
      for (guint i = 0; i < json_array_get_length (gpus); i++)
        {
          JsonObject *g = json_array_get_object_element (gpus, i);
          const char *address = json_object_get_string_member (g, "address");
          const char *isolation = json_object_get_string_member (g, "isolation");
          JsonNode *group = json_object_get_member (g, "group");
          int expected = GPOINTER_TO_INT (g_hash_table_lookup (group_of, address)) - 1;

          g_assert_true (g_str_has_prefix (json_object_get_string_member (g, "class"), "03"));
          if (expected < 0)
            {
              g_assert_true (JSON_NODE_HOLDS_NULL (group));
              g_assert_cmpstr (isolation, ==, "unknown");
            }
          else
            {
              g_assert_cmpint (json_node_get_int (group), ==, expected);
              g_assert_cmpstr (isolation, ==,
                               json_array_get_length (json_object_get_array_member (g, "blockers"))
                               ? "shared" : "clean");
            }
          for (guint k = 0; k < json_array_get_length (json_object_get_array_member (g, "companions")); k++)
            assert_contract_device (json_array_get_object_element (
              json_object_get_array_member (g, "companions"), k));
          if (g_str_equal (isolation, "clean") && !json_object_get_boolean_member (g, "boot_vga"))
            {
              g_auto(PtTestRun) plan_run = { 0 };

              ctl (&plan_run, "--root", root, "plan", address, "--json", NULL);
              /* refused only for what the host needs (root disk, NIC) */
              if (plan_run.status != 0)
                g_assert_true (strstr (plan_run.err, "root file system")
                               || strstr (plan_run.err, "default route")
                               || strstr (plan_run.err, "host bridge"));
              else
                g_assert_nonnull (strstr (plan_run.out, address));
            }
        }

      ctl (&status_run, "--root", root, "status", "--json", NULL);
      g_assert_cmpint (status_run.status, <=, 1);
      checks = json_object_get_array_member (parse_object (sp, status_run.out), "checks");
      g_assert_cmpuint (json_array_get_length (checks), ==, 10);
      pt_test_remove_tree (root);
    }
  g_assert_cmpuint (n, >=, 10);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  seed_root = pt_test_build_host ("seed");

  g_test_add_func ("/cli/groups-json", test_groups_json);
  g_test_add_func ("/cli/gpus-json", test_gpus_json);
  g_test_add_func ("/cli/plan-json", test_plan_json);
  g_test_add_func ("/cli/status-json", test_status_json);
  g_test_add_func ("/cli/human-output", test_human_output);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/failures", test_failures);
  g_test_add_func ("/cli/damaged-root", test_damaged_root);
  g_test_add_func ("/cli/snapshot-round-trip", test_snapshot_round_trip);
  g_test_add_func ("/cli/contract-all-fixtures", test_contract_all_fixtures);

  ret = g_test_run ();
  pt_test_remove_tree (seed_root);
  g_free (seed_root);
  return ret;
}
