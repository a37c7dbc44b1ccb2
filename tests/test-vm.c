/* test-vm.c: the libvirt domain side of the core without a hypervisor: the
 * builder's output for the seed machine's GTX 970 and an AMD card,
 * attach / detach / idempotence on the virt-install fixtures compared
 * element by element, the conflict checks, node-device hosts, and the
 * error paths of a connection (libvirt's test:///default driver). */
#include "config.h"

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "pt-host.h"
#include "pt-plan.h"
#include "pt-test-util.h"
#include "pt-verdict.h"
#include "pt-vm.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

static const char *const fixtures[] = {
  "win11", "linux-pinned", "looking-glass", "bios-i440fx", "qemu-commandline", NULL
};

typedef struct
{
  char   *root;
  PtHost *host;
  PtPlan *plan;
} Seed;

static void
seed_load (Seed *seed, const char *name, const char *address)
{
  g_autoptr(GError) error = NULL;
  const char *addresses[] = { address, NULL };

  seed->root = pt_test_build_host (name);
  seed->host = pt_host_load (seed->root, PT_HOST_LOAD_NO_NAMES, &error);
  g_assert_no_error (error);
  seed->plan = pt_plan_new (seed->host, addresses, PT_PLAN_FLAGS_NONE, &error);
  g_assert_no_error (error);
}

static void
seed_clear (Seed *seed)
{
  g_clear_pointer (&seed->plan, pt_plan_free);
  g_clear_object (&seed->host);
  pt_test_remove_tree (seed->root);
  g_clear_pointer (&seed->root, g_free);
}

static char *
read_fixture (const char *name)
{
  g_autofree char *relative = g_strdup_printf ("domains/%s.xml", name);
  g_autofree char *path = pt_test_fixture_path (relative);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static xmlDocPtr
parse (const char *xml)
{
  xmlDocPtr doc = xmlReadMemory (xml, (int) strlen (xml), "t.xml", NULL, XML_PARSE_NONET);

  g_assert_nonnull (doc);
  return doc;
}

static char *
xpath (xmlDocPtr doc, const char *expression)
{
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj = xmlXPathEvalExpression (BAD_CAST expression, ctx);
  xmlChar *text = obj != NULL ? xmlXPathCastToString (obj) : NULL;
  char *result = g_strdup (text != NULL ? (const char *) text : "");

  xmlFree (text);
  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  return result;
}

static double
xpath_count (xmlDocPtr doc, const char *expression)
{
  xmlXPathContextPtr ctx = xmlXPathNewContext (doc);
  xmlXPathObjectPtr obj = xmlXPathEvalExpression (BAD_CAST expression, ctx);
  double n = obj != NULL ? xmlXPathCastToNumber (obj) : -1;

  xmlXPathFreeObject (obj);
  xmlXPathFreeContext (ctx);
  return n;
}

/* ---- canonical comparison ----------------------------------------------- */

/* Whether @node is a PCI hostdev for one of @addresses ("dddd:bb:ss.f"). */
static gboolean
is_plan_hostdev (xmlNodePtr node, const char *const *addresses)
{
  xmlNodePtr source = NULL;
  xmlNodePtr address = NULL;
  g_autofree char *type = NULL;
  char text[32];

  if (node->type != XML_ELEMENT_NODE || !xmlStrEqual (node->name, BAD_CAST "hostdev"))
    return FALSE;
  type = (char *) xmlGetProp (node, BAD_CAST "type");
  if (g_strcmp0 (type, "pci") != 0)
    return FALSE;
  for (xmlNodePtr n = node->children; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST "source"))
      source = n;
  for (xmlNodePtr n = source ? source->children : NULL; n != NULL; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual (n->name, BAD_CAST "address"))
      address = n;
  if (address == NULL)
    return FALSE;
  {
    g_autofree char *d = (char *) xmlGetProp (address, BAD_CAST "domain");
    g_autofree char *b = (char *) xmlGetProp (address, BAD_CAST "bus");
    g_autofree char *s = (char *) xmlGetProp (address, BAD_CAST "slot");
    g_autofree char *f = (char *) xmlGetProp (address, BAD_CAST "function");

    g_snprintf (text, sizeof text, "%04x:%02x:%02x.%x",
                (guint) g_ascii_strtoull (d ? d : "0", NULL, 0), (guint) g_ascii_strtoull (b, NULL, 0),
                (guint) g_ascii_strtoull (s, NULL, 0), (guint) g_ascii_strtoull (f, NULL, 0));
  }
  return g_strv_contains (addresses, text);
}

/* Element by element: name, namespace, attributes in order, non-blank
 * text, children in order; whitespace between elements and the hostdevs
 * of @skip do not count. The first difference goes into @out. */
static void
canon (xmlNodePtr node, const char *const *skip, GString *out, int depth)
{
  for (xmlNodePtr n = node; n != NULL; n = n->next)
    {
      if (n->type == XML_TEXT_NODE)
        {
          g_autofree char *text = g_strstrip (g_strdup ((const char *) n->content));

          if (*text != '\0')
            g_string_append_printf (out, "%*stext %s\n", depth * 2, "", text);
          continue;
        }
      if (n->type == XML_COMMENT_NODE)
        {
          g_string_append_printf (out, "%*scomment %s\n", depth * 2, "", n->content);
          continue;
        }
      if (n->type != XML_ELEMENT_NODE || (skip != NULL && is_plan_hostdev (n, skip)))
        continue;
      g_string_append_printf (out, "%*s<%s%s%s", depth * 2, "",
                              n->ns && n->ns->prefix ? (const char *) n->ns->prefix : "",
                              n->ns && n->ns->prefix ? ":" : "", n->name);
      if (n->ns != NULL)
        g_string_append_printf (out, " {%s}", n->ns->href);
      for (xmlAttrPtr a = n->properties; a != NULL; a = a->next)
        {
          g_autofree char *value = (char *) xmlNodeGetContent ((xmlNodePtr) a);

          g_string_append_printf (out, " %s=%s", a->name, value);
        }
      g_string_append (out, ">\n");
      canon (n->children, skip, out, depth + 1);
    }
}

static char *
canonical (const char *xml, const char *const *skip)
{
  g_autoptr(xmlDoc) doc = parse (xml);
  GString *out = g_string_new (NULL);

  canon (xmlDocGetRootElement (doc), skip, out, 0);
  return g_string_free (out, FALSE);
}

static char **
plan_addresses (PtPlan *plan)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  for (guint i = 0; i < plan->devices->len; i++)
    g_strv_builder_add (builder, pt_device_get_address (g_ptr_array_index (plan->devices, i)));
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

/* ---- builder --------------------------------------------------------------- */

static char *
build (Seed *seed, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtVmOptions) options = pt_vm_options_new (name);
  PtVmResources resources = { 32768, 8, 2 };
  char *xml;

  pt_vm_options_fill_defaults (options, &resources);
  options->disk_path = g_strdup ("/var/lib/libvirt/images/test.qcow2");
  options->iso_path = g_strdup ("/srv/Win11.iso");
  xml = pt_vm_build_xml (seed->plan, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (xml);
  return xml;
}

static void
test_build_nvidia (void)
{
  Seed seed = { 0 };
  g_autofree char *xml = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_auto(GStrv) hostdevs = NULL;
  g_autofree char *machine = NULL, *firmware = NULL, *mode = NULL, *vendor = NULL;
  g_autofree char *hidden = NULL, *cores = NULL, *threads = NULL, *sockets = NULL;
  g_autofree char *memory = NULL, *vcpu = NULL, *retries = NULL, *clock = NULL;
  g_autofree char *iso = NULL, *network = NULL;

  seed_load (&seed, "seed", "01:00.0");
  xml = build (&seed, "win11");
  doc = parse (xml);

  machine = xpath (doc, "string(/domain/os/type/@machine)");
  g_assert_cmpstr (machine, ==, "q35");
  firmware = xpath (doc, "string(/domain/os/@firmware)");
  g_assert_cmpstr (firmware, ==, "efi");
  mode = xpath (doc, "string(/domain/cpu/@mode)");
  g_assert_cmpstr (mode, ==, "host-passthrough");
  sockets = xpath (doc, "string(/domain/cpu/topology/@sockets)");
  cores = xpath (doc, "string(/domain/cpu/topology/@cores)");
  threads = xpath (doc, "string(/domain/cpu/topology/@threads)");
  g_assert_cmpstr (sockets, ==, "1");
  g_assert_cmpstr (cores, ==, "2");
  g_assert_cmpstr (threads, ==, "2");
  /* A quarter of 32 GiB, half of 8 CPUs. */
  memory = xpath (doc, "string(/domain/memory)");
  g_assert_cmpstr (memory, ==, "8388608");
  vcpu = xpath (doc, "string(/domain/vcpu)");
  g_assert_cmpstr (vcpu, ==, "4");

  /* Both functions of the GTX 970, managed. */
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/hostdev[@mode='subsystem'][@type='pci'][@managed='yes'])"), ==, 2);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/hostdev/source/address[@bus='0x01'][@slot='0x00'][@function='0x0'])"), ==, 1);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/hostdev/source/address[@bus='0x01'][@slot='0x00'][@function='0x1'])"), ==, 1);

  /* Code 43: vendor_id and a hidden KVM. */
  vendor = xpath (doc, "string(/domain/features/hyperv/vendor_id/@state)");
  g_assert_cmpstr (vendor, ==, "on");
  g_assert_cmpfloat (xpath_count (doc, "string-length(/domain/features/hyperv/vendor_id/@value)"), <=, 12);
  g_assert_cmpfloat (xpath_count (doc, "string-length(/domain/features/hyperv/vendor_id/@value)"), >, 0);
  hidden = xpath (doc, "string(/domain/features/kvm/hidden/@state)");
  g_assert_cmpstr (hidden, ==, "on");
  /* virt-install's Windows enlightenments and the hypervclock timer. */
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/features/hyperv/relaxed[@state='on'])"), ==, 1);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/features/hyperv/vapic[@state='on'])"), ==, 1);
  retries = xpath (doc, "string(/domain/features/hyperv/spinlocks[@state='on']/@retries)");
  g_assert_cmpstr (retries, ==, "8191");
  clock = xpath (doc, "string(/domain/clock/timer[@name='hypervclock']/@present)");
  g_assert_cmpstr (clock, ==, "yes");

  iso = xpath (doc, "string(/domain/devices/disk[@device='cdrom']/target/@bus)");
  g_assert_cmpstr (iso, ==, "sata");
  network = xpath (doc, "string(/domain/devices/interface[@type='network']/source/@network)");
  g_assert_cmpstr (network, ==, "default");
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/interface/model[@type='virtio'])"), ==, 1);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/graphics[@type='spice'])"), ==, 1);
  /* virt-install's PCIe root ports, so that there is room to hot-plug. */
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/controller[@type='pci'][@model='pcie-root'])"), ==, 1);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/controller[@type='pci'][@model='pcie-root-port'])"), ==, 14);

  /* libvirt-gconfig reads it back. */
  domain = gvir_config_domain_new_from_xml (xml, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gvir_config_domain_get_name (domain), ==, "win11");
  hostdevs = pt_vm_xml_dup_hostdev_addresses (xml, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (hostdevs), ==, 2);
  g_assert_cmpstr (hostdevs[0], ==, "0000:01:00.0");
  g_assert_cmpstr (hostdevs[1], ==, "0000:01:00.1");
  seed_clear (&seed);
}

static void
test_build_amd (void)
{
  Seed seed = { 0 };
  g_autofree char *xml = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *relaxed = NULL;
  const char *address;

  /* The first GPU of the Navi 21 host, whatever its address. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *root = pt_test_build_host ("navi21-split-audio");
    g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_NO_NAMES, &error);
    GPtrArray *devices;

    g_assert_no_error (error);
    devices = pt_host_get_devices (host);
    address = NULL;
    for (guint i = 0; i < devices->len; i++)
      if (pt_device_is_gpu (g_ptr_array_index (devices, i))
          && pt_device_get_vendor_id (g_ptr_array_index (devices, i)) == 0x1002
          && pt_device_get_boot_vga (g_ptr_array_index (devices, i)) != PT_TRISTATE_YES)
        {
          address = g_intern_string (pt_device_get_address (g_ptr_array_index (devices, i)));
          break;
        }
    pt_test_remove_tree (root);
    g_assert_nonnull (address);
  }
  seed_load (&seed, "navi21-split-audio", address);
  xml = build (&seed, "amd");
  doc = parse (xml);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/features/kvm)"), ==, 0);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/features/hyperv/vendor_id)"), ==, 0);
  relaxed = xpath (doc, "string(/domain/features/hyperv/relaxed/@state)");
  g_assert_cmpstr (relaxed, ==, "on");
  /* Its audio function is in a group of its own, and comes along. */
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/hostdev)"), ==, seed.plan->devices->len);
  g_assert_cmpuint (seed.plan->devices->len, >=, 2);
  seed_clear (&seed);
}

static void
test_build_invalid (void)
{
  Seed seed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PtVmOptions) options = pt_vm_options_new ("bad/name");
  g_autofree char *xml = NULL;

  seed_load (&seed, "seed", "01:00.0");
  pt_vm_options_fill_defaults (options, NULL);
  options->disk_path = g_strdup ("/tmp/x.qcow2");
  xml = pt_vm_build_xml (seed.plan, options, &error);
  g_assert_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_ARGUMENT);
  g_assert_null (xml);
  g_clear_error (&error);

  g_free (options->name);
  options->name = g_strdup ("odd");
  options->vcpus = 3;
  options->threads = 2;
  xml = pt_vm_build_xml (seed.plan, options, &error);
  g_assert_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_ARGUMENT);
  g_assert_null (xml);
  seed_clear (&seed);
}

static void
test_defaults (void)
{
  g_autoptr(PtVmOptions) small = pt_vm_options_new ("a");
  g_autoptr(PtVmOptions) big = pt_vm_options_new ("b");
  g_autoptr(PtVmOptions) none = pt_vm_options_new ("c");
  PtVmResources laptop = { 8192, 4, 2 };
  PtVmResources server = { 262144, 64, 2 };

  pt_vm_options_fill_defaults (small, &laptop);
  g_assert_cmpuint (small->memory_mib, ==, 4096);   /* at least 4 GiB */
  g_assert_cmpuint (small->vcpus, ==, 2);
  pt_vm_options_fill_defaults (big, &server);
  g_assert_cmpuint (big->memory_mib, ==, 16384);    /* at most 16 GiB */
  g_assert_cmpuint (big->vcpus, ==, 32);
  g_assert_cmpuint (big->threads, ==, 2);
  pt_vm_options_fill_defaults (none, NULL);
  g_assert_cmpuint (none->memory_mib, ==, 8192);
  g_assert_cmpuint (none->vcpus, ==, 2);
  g_assert_cmpstr (none->pool, ==, "default");
  g_assert_cmpstr (none->network, ==, "default");
}

/* ---- attach / detach ------------------------------------------------------ */

static void
test_attach_detach (void)
{
  Seed seed = { 0 };
  g_auto(GStrv) addresses = NULL;

  seed_load (&seed, "seed", "01:00.0");
  addresses = plan_addresses (seed.plan);
  g_assert_cmpuint (g_strv_length (addresses), ==, 2);

  for (guint i = 0; fixtures[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *before = read_fixture (fixtures[i]);
      g_autofree char *after = NULL;
      g_autofree char *twice = NULL;
      g_autofree char *back = NULL;
      g_autofree char *canon_before = NULL;
      g_autofree char *canon_after = NULL;
      g_autofree char *canon_back = NULL;
      g_autofree char *canon_full_before = NULL;
      g_auto(GStrv) present = NULL;
      g_auto(GStrv) present_before = NULL;
      g_autoptr(GVirConfigDomain) parsed = NULL;
      gboolean changed = FALSE;
      guint n_before;

      g_test_message ("fixture %s", fixtures[i]);
      present_before = pt_vm_xml_dup_hostdev_addresses (before, &error);
      g_assert_no_error (error);
      n_before = g_strv_length (present_before);

      after = pt_vm_xml_attach (before, seed.plan, &changed, &error);
      g_assert_no_error (error);
      g_assert_true (changed);
      present = pt_vm_xml_dup_hostdev_addresses (after, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_strv_length (present), ==, n_before + 2);
      g_assert_true (g_strv_contains ((const char *const *) present, "0000:01:00.0"));
      g_assert_true (g_strv_contains ((const char *const *) present, "0000:01:00.1"));
      {
        g_autoptr(xmlDoc) doc = parse (after);

        g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/hostdev[@managed='yes']"
                                              "[source/address/@bus='0x01'])"), ==, 2);
      }

      /* Everything but the new hostdevs is what it was, element by element. */
      canon_before = canonical (before, NULL);
      canon_after = canonical (after, (const char *const *) addresses);
      g_assert_cmpstr (canon_after, ==, canon_before);

      /* libvirt-gconfig keeps it all when it reads the result. */
      parsed = gvir_config_domain_new_from_xml (after, &error);
      g_assert_no_error (error);
      {
        g_autofree char *again = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (parsed));
        g_autofree char *canon_again = canonical (again, NULL);
        g_autofree char *canon_after_full = canonical (after, NULL);

        g_assert_cmpstr (canon_again, ==, canon_after_full);
      }

      /* A second attach changes nothing. */
      twice = pt_vm_xml_attach (after, seed.plan, &changed, &error);
      g_assert_no_error (error);
      g_assert_false (changed);
      g_assert_cmpstr (twice, ==, after);

      /* Detach gives the domain back as it was: every element, and the text. */
      back = pt_vm_xml_detach (after, seed.plan, &changed, &error);
      g_assert_no_error (error);
      g_assert_true (changed);
      canon_back = canonical (back, NULL);
      canon_full_before = canonical (before, NULL);
      g_assert_cmpstr (canon_back, ==, canon_full_before);
      g_assert_cmpstr (back, ==, before);

      /* Detaching again changes nothing. */
      {
        g_autofree char *none = pt_vm_xml_detach (back, seed.plan, &changed, &error);

        g_assert_no_error (error);
        g_assert_false (changed);
        g_assert_cmpstr (none, ==, back);
      }
    }
  seed_clear (&seed);
}

/* The unrelated hostdev of the Looking Glass fixture (00:14.0) and the
 * USB one of linux-pinned survive a detach of the plan. */
static void
test_other_hostdevs (void)
{
  Seed seed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *lg = read_fixture ("looking-glass");
  g_autofree char *pinned = read_fixture ("linux-pinned");
  g_autofree char *lg_after = NULL;
  g_autofree char *lg_back = NULL;
  g_autofree char *pinned_after = NULL;
  g_auto(GStrv) left = NULL;
  g_autoptr(xmlDoc) doc = NULL;

  seed_load (&seed, "seed", "01:00.0");
  lg_after = pt_vm_xml_attach (lg, seed.plan, NULL, &error);
  g_assert_no_error (error);
  lg_back = pt_vm_xml_detach (lg_after, seed.plan, NULL, &error);
  g_assert_no_error (error);
  left = pt_vm_xml_dup_hostdev_addresses (lg_back, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (left), ==, 1);
  g_assert_cmpstr (left[0], ==, "0000:00:14.0");

  pinned_after = pt_vm_xml_attach (pinned, seed.plan, NULL, &error);
  g_assert_no_error (error);
  doc = parse (pinned_after);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/devices/hostdev[@type='usb'])"), ==, 1);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/cputune/vcpupin)"), ==, 4);
  g_assert_cmpfloat (xpath_count (doc, "count(/domain/memoryBacking/hugepages)"), ==, 1);
  seed_clear (&seed);
}

static void
test_invalid_xml (void)
{
  Seed seed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  seed_load (&seed, "seed", "01:00.0");
  out = pt_vm_xml_attach ("<domain><devices>", seed.plan, NULL, &error);
  g_assert_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_XML);
  g_assert_null (out);
  g_clear_error (&error);
  out = pt_vm_xml_attach ("<network/>", seed.plan, NULL, &error);
  g_assert_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_XML);
  g_assert_null (out);
  seed_clear (&seed);
}

/* ---- checks ---------------------------------------------------------------- */

static PtVmIssue *
find_issue (GPtrArray *issues, PtVmIssueKind kind)
{
  for (guint i = 0; i < issues->len; i++)
    if (((PtVmIssue *) g_ptr_array_index (issues, i))->kind == kind)
      return g_ptr_array_index (issues, i);
  return NULL;
}

static void
test_checks (void)
{
  Seed seed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *bios = read_fixture ("bios-i440fx");
  g_autofree char *win11 = read_fixture ("win11");
  g_autoptr(GPtrArray) bios_issues = NULL;
  g_autoptr(GPtrArray) win_issues = NULL;
  g_autoptr(GPtrArray) conflict = NULL;
  g_autoptr(GPtrArray) own = NULL;
  g_autoptr(GHashTable) assigned = g_hash_table_new (g_str_hash, g_str_equal);
  PtVmIssue *issue;

  seed_load (&seed, "seed", "01:00.0");

  bios_issues = pt_vm_check_xml (bios, "pt-fixture-bios-i440fx", seed.plan, NULL, &error);
  g_assert_no_error (error);
  issue = find_issue (bios_issues, PT_VM_ISSUE_LEGACY_BIOS);
  g_assert (issue != NULL);
  g_assert_false (issue->fatal);
  g_assert_nonnull (issue->fix);
  issue = find_issue (bios_issues, PT_VM_ISSUE_I440FX);
  g_assert (issue != NULL);
  g_assert_false (issue->fatal);
  g_assert_nonnull (strstr (issue->message, "pc"));

  win_issues = pt_vm_check_xml (win11, "pt-fixture-win11", seed.plan, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (find_issue (win_issues, PT_VM_ISSUE_LEGACY_BIOS));
  g_assert_null (find_issue (win_issues, PT_VM_ISSUE_I440FX));
  /* The seed is before vfio-pci.ids: the wizard or apply is named. */
  issue = find_issue (win_issues, PT_VM_ISSUE_VFIO_NOT_SET_UP);
  g_assert (issue != NULL);
  g_assert_nonnull (strstr (issue->fix, "passthroughctl apply"));
  g_assert_null (find_issue (win_issues, PT_VM_ISSUE_IOMMU_INACTIVE));

  g_hash_table_insert (assigned, (char *) "0000:01:00.1", (char *) "gaming");
  conflict = pt_vm_check_xml (win11, "pt-fixture-win11", seed.plan, assigned, &error);
  g_assert_no_error (error);
  issue = find_issue (conflict, PT_VM_ISSUE_ASSIGNED_ELSEWHERE);
  g_assert (issue != NULL);
  g_assert_true (issue->fatal);
  g_assert_nonnull (strstr (issue->message, "gaming"));
  g_assert_nonnull (strstr (issue->message, "0000:01:00.1"));
  g_assert_nonnull (strstr (issue->fix, "vm detach gaming"));

  /* The domain's own devices are no conflict. */
  own = pt_vm_check_xml (win11, "gaming", seed.plan, assigned, &error);
  g_assert_no_error (error);
  g_assert_null (find_issue (own, PT_VM_ISSUE_ASSIGNED_ELSEWHERE));
  seed_clear (&seed);
}

static void
test_checks_iommu_off (void)
{
  Seed seed = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GPtrArray) gpus = NULL;
  g_autofree char *root = pt_test_build_host ("iommu-off-dual-2080ti");
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_NO_NAMES, &error);
  const char *addresses[2] = { NULL, NULL };
  PtVmIssue *issue;

  g_assert_no_error (error);
  gpus = pt_host_list_gpus (host);
  g_assert_cmpuint (gpus->len, >=, 2);
  addresses[0] = pt_device_get_address (((PtGpu *) g_ptr_array_index (gpus, 1))->device);
  seed.plan = pt_plan_new (host, addresses, PT_PLAN_FLAGS_NONE, &error);
  g_assert_no_error (error);
  issues = pt_vm_check_xml (NULL, "new", seed.plan, NULL, &error);
  g_assert_no_error (error);
  issue = find_issue (issues, PT_VM_ISSUE_IOMMU_INACTIVE);
  g_assert (issue != NULL);
  g_assert_nonnull (strstr (issue->fix, "wizard"));
  g_clear_pointer (&seed.plan, pt_plan_free);
  pt_test_remove_tree (root);
}

/* A plan with blockers refuses, as plan does, before any XML is made. */
static void
test_blockers (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = pt_test_build_host ("intel-x8x8-shared");
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_NO_NAMES, &error);
  g_autoptr(GPtrArray) gpus = NULL;
  PtGpu *shared = NULL;

  g_assert_no_error (error);
  gpus = pt_host_list_gpus (host);
  for (guint i = 0; i < gpus->len; i++)
    if (((PtGpu *) g_ptr_array_index (gpus, i))->isolation == PT_ISOLATION_SHARED)
      shared = g_ptr_array_index (gpus, i);
  g_assert (shared != NULL);
  {
    const char *addresses[] = { pt_device_get_address (shared->device), NULL };
    g_autoptr(PtPlan) plan = pt_plan_new (host, addresses, PT_PLAN_FLAGS_NONE, &error);

    g_assert_null (plan);
    g_assert_error (error, PT_ERROR, PT_ERROR_REFUSED);
  }
  pt_test_remove_tree (root);
}

/* ---- node devices ---------------------------------------------------------- */

static const char *const nodedevs[] = {
  "<device><name>pci_0000_00_01_0</name><parent>computer</parent>"
  "<driver><name>pcieport</name></driver><capability type='pci'><class>0x060400</class>"
  "<domain>0</domain><bus>0</bus><slot>1</slot><function>0</function>"
  "<product id='0x0c01'>Xeon E3-1200 v3 PCI Express x16 Controller</product>"
  "<vendor id='0x8086'>Intel Corporation</vendor>"
  "<iommuGroup number='1'><address domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>"
  "</iommuGroup></capability></device>",
  "<device><name>pci_0000_01_00_0</name><parent>pci_0000_00_01_0</parent>"
  "<driver><name>nouveau</name></driver><capability type='pci'><class>0x030000</class>"
  "<domain>0</domain><bus>1</bus><slot>0</slot><function>0</function>"
  "<product id='0x13c2'>GM204 [GeForce GTX 970]</product>"
  "<vendor id='0x10de'>NVIDIA Corporation</vendor>"
  "<iommuGroup number='1'><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>"
  "</iommuGroup></capability></device>",
  "<device><name>pci_0000_01_00_1</name><parent>pci_0000_00_01_0</parent>"
  "<driver><name>snd_hda_intel</name></driver><capability type='pci'><class>0x040300</class>"
  "<domain>0</domain><bus>1</bus><slot>0</slot><function>1</function>"
  "<product id='0x0fbb'>GM204 High Definition Audio Controller</product>"
  "<vendor id='0x10de'>NVIDIA Corporation</vendor>"
  "<iommuGroup number='1'/></capability></device>",
  "<device><name>net_eth0</name><capability type='net'><interface>eth0</interface></capability></device>",
  NULL
};

static void
test_node_devices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_vm_host_from_node_device_xml (nodedevs, &error);
  g_autoptr(PtPlan) plan = NULL;
  const char *addresses[] = { "01:00.0", NULL };
  PtDevice *gpu;
  PtGroup *group;
  const char *const broken[] = { "<device><name>pci_x</name><capability type='pci'><class>0x030000</class></capability></device>", NULL };

  g_assert_no_error (error);
  g_assert_true (pt_host_is_snapshot (host));
  g_assert_cmpuint (pt_host_get_devices (host)->len, ==, 3);
  gpu = pt_host_lookup_device (host, "0000:01:00.0");
  g_assert_nonnull (gpu);
  g_assert_cmphex (pt_device_get_vendor_id (gpu), ==, 0x10de);
  g_assert_cmphex (pt_device_get_device_id (gpu), ==, 0x13c2);
  g_assert_cmphex (pt_device_get_class_code (gpu), ==, 0x0300);
  g_assert_cmpstr (pt_device_get_driver (gpu), ==, "nouveau");
  g_assert_cmpint (pt_device_get_iommu_group (gpu), ==, 1);
  g_assert_cmpstr (pt_device_get_parent_address (gpu), ==, "0000:00:01.0");
  group = pt_host_lookup_group (host, 1);
  g_assert_nonnull (group);
  g_assert_cmpuint (group->devices->len, ==, 3);

  plan = pt_plan_new (host, addresses, PT_PLAN_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->devices->len, ==, 2);

  g_clear_object (&host);
  host = pt_vm_host_from_node_device_xml (broken, &error);
  g_assert_null (host);
  g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
}

/* ---- connections: error paths on libvirt's test driver --------------------- */

static void
test_connection_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtVmConnection) bad = pt_vm_connection_open ("nosuchdriver:///x", NULL, &error);
  g_autoptr(PtVmConnection) conn = NULL;
  g_autoptr(PtVmResult) result = NULL;
  g_autoptr(GPtrArray) domains = NULL;
  g_autofree char *xml = NULL;
  Seed seed = { 0 };

  g_assert_null (bad);
  g_assert_error (error, PT_VM_ERROR, PT_VM_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "nosuchdriver:///x"));
  g_clear_error (&error);

  conn = pt_vm_connection_open ("test:///default", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pt_vm_connection_get_uri (conn), ==, "test:///default");
  domains = pt_vm_connection_list_domains (conn, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (domains->len, >=, 1);

  seed_load (&seed, "seed", "01:00.0");
  result = pt_vm_connection_run (conn, PT_VM_OP_ATTACH, "pt-test-missing", seed.plan, NULL,
                                 PT_VM_RUN_PREVIEW, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, PT_VM_ERROR, PT_VM_ERROR_NO_DOMAIN);
  g_assert_nonnull (strstr (error->message, "pt-test-missing"));
  g_clear_error (&error);

  xml = pt_vm_connection_dup_domain_xml (conn, "pt-test-missing", &error);
  g_assert_null (xml);
  g_assert_error (error, PT_VM_ERROR, PT_VM_ERROR_NO_DOMAIN);
  g_clear_error (&error);

  /* The test driver's "test" domain: a preview writes nothing. */
  result = pt_vm_connection_run (conn, PT_VM_OP_ATTACH, "test", seed.plan, NULL,
                                 PT_VM_RUN_PREVIEW, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (result->changed);
  g_assert_nonnull (strstr (result->diff, "+    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">"));
  /* It runs; without PT_VM_RUN_LIVE the change waits for its next start
   * and the summary names the two functions only. */
  g_assert_true (result->running);
  g_assert_cmpint (result->live, ==, PT_VM_LIVE_NONE);
  g_assert_cmpuint (result->summary->len, ==, 2);
  g_clear_pointer (&result, pt_vm_result_free);
  /* Asked to change the running VM too, the preview says so and does nothing live. */
  result = pt_vm_connection_run (conn, PT_VM_OP_ATTACH, "test", seed.plan, NULL,
                                 PT_VM_RUN_PREVIEW | PT_VM_RUN_LIVE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->summary->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (result->summary, 2), "hotplug"));
  g_assert_cmpint (result->live, ==, PT_VM_LIVE_NONE);
  g_clear_pointer (&result, pt_vm_result_free);
  xml = pt_vm_connection_dup_domain_xml (conn, "test", &error);
  g_assert_no_error (error);
  g_assert_null (strstr (xml, "<hostdev"));
  seed_clear (&seed);
}

static void
open_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PtVmConnection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pt_vm_connection_open_finish (result, &error);
  g_assert_no_error (error);
}

static void
list_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pt_vm_connection_list_domains_finish (PT_VM_CONNECTION (source), result, &error);
  g_assert_no_error (error);
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PtVmResult **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pt_vm_connection_run_finish (PT_VM_CONNECTION (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autoptr(PtVmConnection) conn = NULL;
  g_autoptr(GPtrArray) domains = NULL;
  g_autoptr(PtVmResult) result = NULL;
  Seed seed = { 0 };

  pt_vm_connection_open_async ("test:///default", NULL, open_done, &conn);
  while (conn == NULL)
    g_main_context_iteration (NULL, TRUE);
  seed_load (&seed, "seed", "01:00.0");
  pt_vm_connection_list_domains_async (conn, seed.plan, NULL, list_done, &domains);
  while (domains == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (domains->len, >=, 1);
  g_assert_false (((PtVmDomainInfo *) g_ptr_array_index (domains, 0))->has_plan);
  pt_vm_connection_run_async (conn, PT_VM_OP_ATTACH, "test", seed.plan, NULL,
                              PT_VM_RUN_PREVIEW, NULL, run_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (result->changed);
  g_assert_nonnull (result->before);
  g_assert_nonnull (result->after);
  seed_clear (&seed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vm/build/nvidia", test_build_nvidia);
  g_test_add_func ("/vm/build/amd", test_build_amd);
  g_test_add_func ("/vm/build/invalid", test_build_invalid);
  g_test_add_func ("/vm/defaults", test_defaults);
  g_test_add_func ("/vm/xml/attach-detach", test_attach_detach);
  g_test_add_func ("/vm/xml/other-hostdevs", test_other_hostdevs);
  g_test_add_func ("/vm/xml/invalid", test_invalid_xml);
  g_test_add_func ("/vm/checks/conflicts", test_checks);
  g_test_add_func ("/vm/checks/iommu-off", test_checks_iommu_off);
  g_test_add_func ("/vm/checks/blockers", test_blockers);
  g_test_add_func ("/vm/node-devices", test_node_devices);
  g_test_add_func ("/vm/connection/errors", test_connection_errors);
  g_test_add_func ("/vm/connection/async", test_async);

  return g_test_run ();
}
