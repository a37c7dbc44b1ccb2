/* test-verdict.c: verdicts and plans on hosts built from real machines'
 * published listings (tests/fixtures/hosts/NAME.host, each file names its
 * source): the untidy cases every tool in this field gets wrong somewhere. */
#include "config.h"

#include "pt-host.h"
#include "pt-plan.h"
#include "pt-verdict.h"
#include "pt-test-util.h"

typedef struct
{
  const char *address;
  int         group;          /* -1: none */
  PtIsolation isolation;
  gboolean    boot_vga;
  const char *driver;
  const char *companions;     /* space-separated short addresses */
  const char *blockers;
} GpuExpect;

typedef struct
{
  const char *fixture;
  guint       n_gpus;
  GpuExpect   gpus[9];
} HostExpect;

static const HostExpect hosts[] = {
  { "seed", 2, {
      { "0000:00:02.0", 2, PT_ISOLATION_CLEAN, TRUE, "i915", "", "" },
      { "0000:01:00.0", 1, PT_ISOLATION_CLEAN, FALSE, "nouveau", "01:00.1", "" } } },
  /* all APU functions on one slot in one group with a dummy host bridge */
  { "apu-laptop-shared", 1, {
      { "0000:04:00.0", 5, PT_ISOLATION_CLEAN, TRUE, "amdgpu",
        "04:00.1 04:00.2 04:00.3 04:00.4 04:00.5 04:00.6", "" } } },
  /* a GPU in a chipset slot: shared with USB, SATA and the NIC */
  { "b450-chipset-gpu", 2, {
      { "0000:06:00.0", 15, PT_ISOLATION_SHARED, FALSE, "nouveau", "06:00.1",
        "02:00.0 02:00.1 05:00.0" },
      { "0000:07:00.0", 16, PT_ISOLATION_CLEAN, TRUE, "nouveau", "07:00.1 07:00.2 07:00.3", "" } } },
  /* the BMC's AST2500 behind its AST1150 bridge is the only display */
  { "bmc-only-supermicro", 1, {
      { "0000:06:00.0", 17, PT_ISOLATION_CLEAN, TRUE, "ast", "", "" } } },
  /* eight identical cards behind PLX switches, BMC display */
  { "identical-gpus-server", 9, {
      { "0000:03:00.0", 12, PT_ISOLATION_CLEAN, TRUE, "ast", "", "" },
      { "0000:1a:00.0", 18, PT_ISOLATION_CLEAN, FALSE, "nvidia", "1a:00.1", "" },
      { "0000:1b:00.0", 19, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "1b:00.1", "" },
      { "0000:3d:00.0", 25, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "3d:00.1", "" },
      { "0000:3e:00.0", 26, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "3e:00.1", "" },
      { "0000:88:00.0", 34, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "88:00.1", "" },
      { "0000:89:00.0", 35, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "89:00.1", "" },
      { "0000:b1:00.0", 41, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "b1:00.1", "" },
      { "0000:b2:00.0", 42, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "b2:00.1", "" } } },
  /* two GPUs on the CPU's x8/x8 ports: one group, each blocks the other */
  { "intel-x8x8-shared", 2, {
      { "0000:01:00.0", 1, PT_ISOLATION_SHARED, TRUE, "nvidia", "01:00.1 01:00.2 01:00.3",
        "02:00.0 02:00.1 02:00.2 02:00.3" },
      { "0000:02:00.0", 1, PT_ISOLATION_SHARED, FALSE, "nvidia", "02:00.1 02:00.2 02:00.3",
        "01:00.0 01:00.1 01:00.2 01:00.3" } } },
  /* IOMMU off: no groups at all */
  { "iommu-off-dual-2080ti", 3, {
      { "0000:12:00.0", -1, PT_ISOLATION_UNKNOWN, TRUE, "ast", "", "" },
      { "0000:21:00.0", -1, PT_ISOLATION_UNKNOWN, FALSE, "nvidia", "21:00.1 21:00.2 21:00.3", "" },
      { "0000:61:00.0", -1, PT_ISOLATION_UNKNOWN, FALSE, "nvidia", "61:00.1 61:00.2 61:00.3", "" } } },
  /* RX 6900 XT: audio, USB and UCSI each in a group of their own */
  { "navi21-split-audio", 2, {
      { "0000:0b:00.0", 26, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "0b:00.1 0b:00.2 0b:00.3", "" },
      { "0000:0c:00.0", 30, PT_ISOLATION_CLEAN, TRUE, "amdgpu", "0c:00.1", "" } } },
  /* Optimus laptop: the dGPU is a 3D controller */
  { "optimus-xps15", 2, {
      { "0000:00:02.0", 0, PT_ISOLATION_CLEAN, TRUE, "i915", "", "" },
      { "0000:01:00.0", 2, PT_ISOLATION_CLEAN, FALSE, "nvidia", "", "" } } },
  /* Radeon VII behind its on-card switch, audio in its own group */
  { "radeon7-threadripper", 2, {
      { "0000:0d:00.0", 20, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "0d:00.1", "" },
      { "0000:43:00.0", 42, PT_ISOLATION_CLEAN, TRUE, "amdgpu", "43:00.1", "" } } },
  /* Intel VMD; the iGPU is outside every group (igfx_off) */
  { "vmd-laptop", 1, {
      { "0000:00:02.0", -1, PT_ISOLATION_UNKNOWN, TRUE, "i915", "", "" } } },
  /* BMC as the boot display, a GPU on vfio-pci via driver_override */
  { "x570-bmc-server", 2, {
      { "0000:29:00.0", 27, PT_ISOLATION_CLEAN, TRUE, "ast", "", "" },
      { "0000:2b:00.0", 28, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "2b:00.1 2b:00.2 2b:00.3", "" } } },
  /* an iGPU that is a Display controller [0380] */
  { "z690-display-0380", 3, {
      { "0000:00:02.0", 0, PT_ISOLATION_CLEAN, FALSE, "i915", "", "" },
      { "0000:01:00.0", 2, PT_ISOLATION_CLEAN, FALSE, "vfio-pci", "01:00.1", "" },
      { "0000:0a:00.0", 23, PT_ISOLATION_CLEAN, TRUE, "amdgpu", "0a:00.1", "" } } },
  /* Zen 1 without ACS: a driverless dummy host bridge in the GPU's group */
  { "zen1-dummy-host-bridge", 1, {
      { "0000:09:00.0", 2, PT_ISOLATION_CLEAN, TRUE, "amdgpu", "09:00.1", "" } } },
};

static char *
short_list (GPtrArray *devices)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < devices->len; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "",
                            pt_device_get_address (g_ptr_array_index (devices, i)) + 5);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Each fixture is built once per run; tests only read it. */
static GHashTable *roots;

static PtHost *
load (const char *fixture, char **root_out)
{
  g_autoptr(GError) error = NULL;
  const char *root = g_hash_table_lookup (roots, fixture);
  PtHost *host;

  if (root == NULL)
    {
      root = pt_test_build_host (fixture);
      g_hash_table_insert (roots, g_strdup (fixture), (char *) root);
    }
  host = pt_host_load (root, PT_HOST_LOAD_DEFAULT, &error);
  g_assert_no_error (error);
  *root_out = NULL;
  return host;
}

static void
remove_root (gpointer key, gpointer value, gpointer data)
{
  pt_test_remove_tree (value);
}

static void
test_host_verdicts (gconstpointer data)
{
  const HostExpect *e = data;
  g_autofree char *root = NULL;
  g_autoptr(PtHost) host = load (e->fixture, &root);
  g_autoptr(GPtrArray) gpus = pt_host_list_gpus (host);

  g_assert_cmpuint (gpus->len, ==, e->n_gpus);
  for (guint i = 0; i < e->n_gpus; i++)
    {
      PtGpu *gpu = g_ptr_array_index (gpus, i);
      const GpuExpect *x = &e->gpus[i];
      g_autofree char *companions = short_list (gpu->companions);
      g_autofree char *blockers = short_list (gpu->blockers);

      g_test_message ("%s %s", e->fixture, x->address);
      g_assert_cmpstr (pt_device_get_address (gpu->device), ==, x->address);
      g_assert_cmpint (pt_device_get_iommu_group (gpu->device), ==, x->group);
      g_assert_cmpstr (pt_isolation_to_string (gpu->isolation), ==,
                       pt_isolation_to_string (x->isolation));
      g_assert_cmpint (pt_device_get_boot_vga (gpu->device) == PT_TRISTATE_YES, ==, x->boot_vga);
      g_assert_cmpstr (pt_device_get_driver (gpu->device), ==, x->driver);
      g_assert_cmpstr (companions, ==, x->companions);
      g_assert_cmpstr (blockers, ==, x->blockers);
    }
}

typedef struct
{
  const char *fixture;
  const char *address;
  PtPlanFlags flags;
  const char *vfio_ids;       /* NULL: refused */
  const char *needle;         /* in the refusal, or in a warning */
} PlanExpect;

static const PlanExpect plans[] = {
  { "apu-laptop-shared", "04:00.0", 0, NULL, "boot display" },
  { "apu-laptop-shared", "04:00.0", PT_PLAN_ALLOW_BOOT_VGA,
    "1002:1638,1002:1637,1022:15df,1022:1639,1022:15e2,1022:15e3", "No GPU stays" },
  { "b450-chipset-gpu", "06:00.0", 0, NULL, "0000:05:00.0" },
  { "b450-chipset-gpu", "06:00.0", PT_PLAN_ALLOW_SHARED, NULL, "default route" },
  { "b450-chipset-gpu", "07:00.0", PT_PLAN_ALLOW_BOOT_VGA,
    "10de:1e04,10de:10f7,10de:1ad6,10de:1ad7", "boot display" },
  { "bmc-only-supermicro", "06:00.0", 0, NULL, "boot display" },
  { "bmc-only-supermicro", "06:00.0", PT_PLAN_ALLOW_BOOT_VGA, "1a03:2000", "No GPU stays" },
  { "identical-gpus-server", "1b:00.0", 0, "10de:2206,10de:1aef", "0000:1a:00.0" },
  { "identical-gpus-server", "03:00.0", 0, NULL, "boot display" },
  { "intel-x8x8-shared", "02:00.0", 0, NULL, "0000:01:00.0" },
  { "intel-x8x8-shared", "02:00.0", 0, NULL, "slot wired to the chipset" },
  { "b450-chipset-gpu", "06:00.0", 0, NULL, "slot wired to the processor" },
  { "intel-x8x8-shared", "02:00.0", PT_PLAN_ALLOW_SHARED, NULL, "boot display" },
  { "intel-x8x8-shared", "02:00.0", PT_PLAN_ALLOW_SHARED | PT_PLAN_ALLOW_BOOT_VGA,
    "10de:1e04,10de:10f7,10de:1ad6,10de:1ad7,10de:1f08,10de:10f9,10de:1ada,10de:1adb", "No GPU stays" },
  { "iommu-off-dual-2080ti", "21:00.0", 0, "10de:1e07,10de:10f7,10de:1ad6,10de:1ad7", "not active" },
  { "navi21-split-audio", "0b:00.0", 0, "1002:73bf,1002:ab28,1002:73a6,1002:73a4", "amd_iommu=on" },
  { "optimus-xps15", "01:00.0", 0, "10de:1f95", NULL },
  { "radeon7-threadripper", "0d:00.0", 0, "1002:66af,1002:ab20", "reset bug" },
  { "radeon7-threadripper", "43:00.0", PT_PLAN_ALLOW_BOOT_VGA, "1002:67df,1002:aaf0", "reset bug" },
  { "radeon7-threadripper", "0c:00.0", 0, NULL, "bridge" },
  { "seed", "01:00.0", 0, "10de:13c2,10de:0fbb", NULL },
  { "vmd-laptop", "00:02.0", PT_PLAN_ALLOW_BOOT_VGA, NULL, "igfx_off" },
  { "vmd-laptop", "10000:e1:00.0", 0, NULL, "root file system" },
  { "x570-bmc-server", "29:00.0", 0, NULL, "boot display" },
  { "x570-bmc-server", "2b:00.0", 0, "10de:1e07,10de:10f7,10de:1ad6,10de:1ad7", NULL },
  { "z690-display-0380", "01:00.0", 0, "10de:2488,10de:228b", NULL },
  { "z690-display-0380", "00:02.0", 0, "8086:a780", NULL },
  { "zen1-dummy-host-bridge", "09:00.0", 0, NULL, "boot display" },
  { "zen1-dummy-host-bridge", "09:00.0", PT_PLAN_ALLOW_BOOT_VGA, "1002:67df,1002:aaf0", "No GPU stays" },
};

static void
test_plans (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (plans); i++)
    {
      const PlanExpect *e = &plans[i];
      g_autofree char *root = NULL;
      g_autoptr(PtHost) host = load (e->fixture, &root);
      g_autoptr(GError) error = NULL;
      const char *addresses[] = { e->address, NULL };
      g_autoptr(PtPlan) plan = NULL;

      g_test_message ("%s %s", e->fixture, e->address);
      plan = pt_plan_new (host, addresses, e->flags, &error);
      if (e->vfio_ids == NULL)
        {
          g_assert_null (plan);
          g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
          g_assert_nonnull (strstr (error->message, e->needle));
        }
      else
        {
          gboolean found = e->needle == NULL;

          g_assert_no_error (error);
          g_assert_cmpstr (plan->vfio_ids, ==, e->vfio_ids);
          for (guint k = 0; k < plan->warnings->len; k++)
            if (e->needle && strstr (g_ptr_array_index (plan->warnings, k), e->needle))
              found = TRUE;
          if (e->needle == NULL)
            g_assert_cmpuint (plan->warnings->len, ==, 0);
          g_assert_true (found);
        }
    }
}

/* Topology from sysfs paths: VMD children under their controller, GPUs
 * under their card's own switch, sparse buses. */
static void
test_topology (void)
{
  struct { const char *fixture, *device, *parent; } cases[] = {
    { "vmd-laptop", "10000:e1:00.0", "10000:e0:1d.0" },
    { "vmd-laptop", "10000:e0:1d.0", "0000:00:0e.0" },
    { "radeon7-threadripper", "0d:00.0", "0000:0c:00.0" },
    { "radeon7-threadripper", "0c:00.0", "0000:0b:00.0" },
    { "z690-display-0380", "0a:00.0", "0000:09:00.0" },
    { "optimus-xps15", "6c:00.0", "0000:00:1c.6" },
    { "optimus-xps15", "38:00.0", "0000:03:02.0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = NULL;
      g_autoptr(PtHost) host = load (cases[i].fixture, &root);
      PtDevice *d = pt_host_lookup_device (host, cases[i].device);

      g_test_message ("%s %s", cases[i].fixture, cases[i].device);
      g_assert_nonnull (d);
      g_assert_cmpstr (pt_device_get_parent_address (d), ==, cases[i].parent);
      g_assert_nonnull (pt_device_get_parent (d));
    }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/verdict/%s", hosts[i].fixture);

      g_test_add_data_func (path, &hosts[i], test_host_verdicts);
    }
  g_test_add_func ("/verdict/plans", test_plans);
  g_test_add_func ("/verdict/topology", test_topology);

  ret = g_test_run ();
  g_hash_table_foreach (roots, remove_root, NULL);
  g_hash_table_unref (roots);
  return ret;
}
