/* pt-vm-build.c: a new passthrough-ready domain for a plan, as libvirt-gconfig
 * objects. What libvirt-gconfig 4.0 has no setter for (Hyper-V
 * enlightenments with attributes, <kvm><hidden/>, the hypervclock timer)
 * is added as libxml2 nodes to the tree it produced: no string templates. */
#define G_LOG_DOMAIN "pt-vm"

#include "config.h"

#include <glib/gi18n.h>
#include <libxml/parser.h>

#include "pt-vm-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* Hyper-V vendor_id for NVIDIA: the driver before 465 stops with Code 43
 * when it sees the KVM signature or Microsoft's vendor id; any other
 * value of at most 12 characters does. */
#define PT_VM_HYPERV_VENDOR_ID "passthrough"

static gboolean
plan_has_nvidia_gpu (PtPlan *plan)
{
  for (guint i = 0; i < plan->devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (plan->devices, i);

      if (pt_device_is_gpu (d) && pt_device_get_vendor_id (d) == 0x10de)
        return TRUE;
    }
  return FALSE;
}

static void
add_disk (GVirConfigDomain *domain, const char *path, gboolean cdrom, const char *dev)
{
  g_autoptr(GVirConfigDomainDisk) disk = gvir_config_domain_disk_new ();
  g_autoptr(GVirConfigDomainDiskDriver) driver = gvir_config_domain_disk_driver_new ();
  gboolean block = g_str_has_prefix (path, "/dev/");

  gvir_config_domain_disk_set_type (disk, block ? GVIR_CONFIG_DOMAIN_DISK_BLOCK
                                                : GVIR_CONFIG_DOMAIN_DISK_FILE);
  gvir_config_domain_disk_set_guest_device_type (disk, cdrom ? GVIR_CONFIG_DOMAIN_DISK_GUEST_DEVICE_CDROM
                                                             : GVIR_CONFIG_DOMAIN_DISK_GUEST_DEVICE_DISK);
  gvir_config_domain_disk_driver_set_name (driver, "qemu");
  if (cdrom || !g_str_has_suffix (path, ".qcow2"))
    gvir_config_domain_disk_driver_set_format (driver, GVIR_CONFIG_DOMAIN_DISK_FORMAT_RAW);
  else
    gvir_config_domain_disk_driver_set_format (driver, GVIR_CONFIG_DOMAIN_DISK_FORMAT_QCOW2);
  if (!cdrom)
    gvir_config_domain_disk_driver_set_discard (driver, GVIR_CONFIG_DOMAIN_DISK_DRIVER_DISCARD_UNMAP);
  gvir_config_domain_disk_set_driver (disk, driver);
  gvir_config_domain_disk_set_source (disk, path);
  /* SATA: Windows' installer has no virtio-blk driver. */
  gvir_config_domain_disk_set_target_bus (disk, GVIR_CONFIG_DOMAIN_DISK_BUS_SATA);
  gvir_config_domain_disk_set_target_dev (disk, dev);
  if (cdrom)
    gvir_config_domain_disk_set_readonly (disk, TRUE);
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (disk));
}

static void
add_hostdev (GVirConfigDomain *domain, PtDevice *device)
{
  g_autoptr(GVirConfigDomainHostdevPci) hostdev = gvir_config_domain_hostdev_pci_new ();
  g_autoptr(GVirConfigDomainAddressPci) address = gvir_config_domain_address_pci_new ();
  const PtAddress *a = pt_device_get_pci_address (device);

  gvir_config_domain_address_pci_set_domain (address, (int) a->domain);
  gvir_config_domain_address_pci_set_bus (address, a->bus);
  gvir_config_domain_address_pci_set_slot (address, a->slot);
  gvir_config_domain_address_pci_set_function (address, a->func);
  gvir_config_domain_hostdev_pci_set_address (hostdev, address);
  gvir_config_domain_hostdev_pci_set_managed (hostdev, TRUE);
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (hostdev));
}

static void
add_spice (GVirConfigDomain *domain)
{
  g_autoptr(GVirConfigDomainGraphicsSpice) spice = gvir_config_domain_graphics_spice_new ();
  g_autoptr(GVirConfigDomainVideo) video = gvir_config_domain_video_new ();
  g_autoptr(GVirConfigDomainChannel) channel = gvir_config_domain_channel_new ();
  g_autoptr(GVirConfigDomainChardevSourceSpiceVmc) vmc = gvir_config_domain_chardev_source_spicevmc_new ();

  gvir_config_domain_graphics_spice_set_autoport (spice, TRUE);
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (spice));
  gvir_config_domain_video_set_model (video, GVIR_CONFIG_DOMAIN_VIDEO_MODEL_VIRTIO);
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (video));
  gvir_config_domain_channel_set_target_type (channel, GVIR_CONFIG_DOMAIN_CHANNEL_TARGET_VIRTIO);
  gvir_config_domain_channel_set_target_name (channel, "com.redhat.spice.0");
  gvir_config_domain_chardev_set_source (GVIR_CONFIG_DOMAIN_CHARDEV (channel),
                                         GVIR_CONFIG_DOMAIN_CHARDEV_SOURCE (vmc));
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (channel));
}

static GVirConfigDomain *
build_gconfig (PtPlan *plan, const PtVmOptions *options)
{
  g_autoptr(GVirConfigDomain) domain = gvir_config_domain_new ();
  g_autoptr(GVirConfigDomainOs) os = gvir_config_domain_os_new ();
  g_autoptr(GVirConfigDomainCpu) cpu = gvir_config_domain_cpu_new ();
  g_autoptr(GVirConfigCapabilitiesCpuTopology) topology = gvir_config_capabilities_cpu_topology_new ();
  g_autoptr(GVirConfigDomainClock) klock = gvir_config_domain_clock_new ();
  g_autoptr(GVirConfigDomainTimerRtc) rtc = gvir_config_domain_timer_rtc_new ();
  g_autoptr(GVirConfigDomainTimerPit) pit = gvir_config_domain_timer_pit_new ();
  g_autoptr(GVirConfigDomainTimerHpet) hpet = gvir_config_domain_timer_hpet_new ();
  g_autoptr(GVirConfigDomainPowerManagement) pm = gvir_config_domain_power_management_new ();
  g_autoptr(GVirConfigDomainControllerUsb) usb = gvir_config_domain_controller_usb_new ();
  g_autoptr(GVirConfigDomainInterfaceNetwork) nic = gvir_config_domain_interface_network_new ();
  g_autoptr(GVirConfigDomainInput) tablet = gvir_config_domain_input_new ();
  const char *const features[] = { "acpi", "apic", NULL };
  GList *boot = NULL;

  gvir_config_domain_set_virt_type (domain, GVIR_CONFIG_DOMAIN_VIRT_KVM);
  gvir_config_domain_set_name (domain, options->name);
  gvir_config_domain_set_memory (domain, options->memory_mib * 1024);
  gvir_config_domain_set_current_memory (domain, options->memory_mib * 1024);
  gvir_config_domain_set_vcpus (domain, options->vcpus);

  gvir_config_domain_os_set_os_type (os, GVIR_CONFIG_DOMAIN_OS_TYPE_HVM);
  gvir_config_domain_os_set_arch (os, "x86_64");
  gvir_config_domain_os_set_machine (os, "q35");
  gvir_config_domain_os_set_firmware (os, GVIR_CONFIG_DOMAIN_OS_FIRMWARE_EFI);
  boot = g_list_append (boot, GINT_TO_POINTER (GVIR_CONFIG_DOMAIN_OS_BOOT_DEVICE_HD));
  if (options->iso_path != NULL)
    boot = g_list_append (boot, GINT_TO_POINTER (GVIR_CONFIG_DOMAIN_OS_BOOT_DEVICE_CDROM));
  gvir_config_domain_os_set_boot_devices (os, boot);
  g_list_free (boot);
  gvir_config_domain_set_os (domain, os);

  gvir_config_domain_set_features (domain, (const GStrv) features);

  gvir_config_domain_cpu_set_mode (cpu, GVIR_CONFIG_DOMAIN_CPU_MODE_HOST_PASSTHROUGH);
  gvir_config_capabilities_cpu_topology_set_sockets (topology, 1);
  gvir_config_capabilities_cpu_topology_set_cores (topology, options->vcpus / MAX (options->threads, 1));
  gvir_config_capabilities_cpu_topology_set_threads (topology, MAX (options->threads, 1));
  gvir_config_capabilities_cpu_set_topology (GVIR_CONFIG_CAPABILITIES_CPU (cpu), topology);
  gvir_config_domain_set_cpu (domain, cpu);

  /* Windows keeps the RTC in local time; the timers are virt-install's for it. */
  gvir_config_domain_clock_set_offset (klock, GVIR_CONFIG_DOMAIN_CLOCK_LOCALTIME);
  gvir_config_domain_timer_set_tick_policy (GVIR_CONFIG_DOMAIN_TIMER (rtc),
                                            GVIR_CONFIG_DOMAIN_TIMER_TICK_POLICY_CATCHUP);
  gvir_config_domain_clock_add_timer (klock, GVIR_CONFIG_DOMAIN_TIMER (rtc));
  gvir_config_domain_timer_set_tick_policy (GVIR_CONFIG_DOMAIN_TIMER (pit),
                                            GVIR_CONFIG_DOMAIN_TIMER_TICK_POLICY_DELAY);
  gvir_config_domain_clock_add_timer (klock, GVIR_CONFIG_DOMAIN_TIMER (pit));
  gvir_config_domain_timer_set_present (GVIR_CONFIG_DOMAIN_TIMER (hpet), FALSE);
  gvir_config_domain_clock_add_timer (klock, GVIR_CONFIG_DOMAIN_TIMER (hpet));
  gvir_config_domain_set_clock (domain, klock);

  /* Suspending a guest with a passed-through GPU rarely wakes it again. */
  gvir_config_domain_power_management_set_mem_suspend_enabled (pm, FALSE);
  gvir_config_domain_power_management_set_disk_suspend_enabled (pm, FALSE);
  gvir_config_domain_set_power_management (domain, pm);

  add_disk (domain, options->disk_path, FALSE, "sda");
  if (options->iso_path != NULL)
    add_disk (domain, options->iso_path, TRUE, "sdb");

  gvir_config_domain_controller_usb_set_model (usb, GVIR_CONFIG_DOMAIN_CONTROLLER_USB_MODEL_QEMU_XHCI);
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (usb));

  gvir_config_domain_interface_network_set_source (nic, options->network);
  gvir_config_domain_interface_set_model (GVIR_CONFIG_DOMAIN_INTERFACE (nic), "virtio");
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (nic));

  gvir_config_domain_input_set_device_type (tablet, GVIR_CONFIG_DOMAIN_INPUT_DEVICE_TABLET);
  gvir_config_domain_input_set_bus (tablet, GVIR_CONFIG_DOMAIN_INPUT_BUS_USB);
  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (tablet));

  if (options->graphics == PT_VM_GRAPHICS_SPICE)
    add_spice (domain);

  for (guint i = 0; i < plan->devices->len; i++)
    add_hostdev (domain, g_ptr_array_index (plan->devices, i));

  return g_steal_pointer (&domain);
}

static xmlNodePtr
new_state_on (xmlNodePtr parent, const char *name)
{
  xmlNodePtr node = xmlNewChild (parent, NULL, BAD_CAST name, NULL);

  xmlNewProp (node, BAD_CAST "state", BAD_CAST "on");
  return node;
}

/* The enlightenments virt-install gives Windows guests, and for NVIDIA the
 * two settings that hide the hypervisor from its driver. */
static void
add_hyperv (xmlDocPtr doc, gboolean nvidia)
{
  xmlNodePtr root = xmlDocGetRootElement (doc);
  xmlNodePtr features = pt_vm_xml_child (root, "features");
  xmlNodePtr klock = pt_vm_xml_child (root, "clock");
  xmlNodePtr hyperv;
  xmlNodePtr node;

  g_assert (features != NULL && klock != NULL);

  hyperv = xmlNewChild (features, NULL, BAD_CAST "hyperv", NULL);
  new_state_on (hyperv, "relaxed");
  new_state_on (hyperv, "vapic");
  node = new_state_on (hyperv, "spinlocks");
  xmlNewProp (node, BAD_CAST "retries", BAD_CAST "8191");
  if (nvidia)
    {
      xmlNodePtr kvm;

      node = new_state_on (hyperv, "vendor_id");
      xmlNewProp (node, BAD_CAST "value", BAD_CAST PT_VM_HYPERV_VENDOR_ID);
      kvm = xmlNewChild (features, NULL, BAD_CAST "kvm", NULL);
      new_state_on (kvm, "hidden");
    }
  node = xmlNewChild (features, NULL, BAD_CAST "vmport", NULL);
  xmlNewProp (node, BAD_CAST "state", BAD_CAST "off");

  node = xmlNewChild (klock, NULL, BAD_CAST "timer", NULL);
  xmlNewProp (node, BAD_CAST "name", BAD_CAST "hypervclock");
  xmlNewProp (node, BAD_CAST "present", BAD_CAST "yes");
}

/* virt-install's PCIe topology for Q35: the root complex and 14 root ports.
 * libvirt puts the devices on the first ones; the rest stay free, so that
 * a GPU (or anything else) can be hot-plugged into the running VM later.
 * Without free ports, live attach has nowhere to go. */
#define PCIE_ROOT_PORTS 14

static void
add_pcie_root_ports (xmlDocPtr doc)
{
  xmlNodePtr devices = pt_vm_xml_child (xmlDocGetRootElement (doc), "devices");
  xmlNodePtr node;

  g_assert (devices != NULL);
  node = xmlNewChild (devices, NULL, BAD_CAST "controller", NULL);
  xmlNewProp (node, BAD_CAST "type", BAD_CAST "pci");
  xmlNewProp (node, BAD_CAST "model", BAD_CAST "pcie-root");
  for (guint i = 0; i < PCIE_ROOT_PORTS; i++)
    {
      node = xmlNewChild (devices, NULL, BAD_CAST "controller", NULL);
      xmlNewProp (node, BAD_CAST "type", BAD_CAST "pci");
      xmlNewProp (node, BAD_CAST "model", BAD_CAST "pcie-root-port");
    }
}

char *
pt_vm_build_xml (PtPlan *plan, const PtVmOptions *options, GError **error)
{
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(xmlDoc) doc = NULL;
  xmlBufferPtr buffer;
  char *text;

  g_return_val_if_fail (plan != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (options->name == NULL || *options->name == '\0' || strchr (options->name, '/') != NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_ARGUMENT,
                   _("“%s” cannot be a domain name: give a name without “/”, e.g. win11."),
                   options->name ? options->name : "");
      return NULL;
    }
  if (options->memory_mib == 0 || options->vcpus == 0 || options->disk_path == NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_ARGUMENT,
                   _("The VM needs memory, vCPUs and a disk; fill in the defaults first."));
      return NULL;
    }
  if (options->threads > 1 && options->vcpus % options->threads != 0)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_INVALID_ARGUMENT,
                   _("%u vCPUs cannot be split into cores of %u threads: give a multiple of %u."),
                   options->vcpus, options->threads, options->threads);
      return NULL;
    }

  domain = build_gconfig (plan, options);
  plain = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (domain));
  doc = xmlReadMemory (plain, (int) strlen (plain), "domain.xml", NULL,
                       XML_PARSE_NONET | XML_PARSE_NOBLANKS);
  if (doc == NULL)
    {
      g_set_error (error, PT_VM_ERROR, PT_VM_ERROR_FAILED,
                   _("libvirt-gconfig produced XML that cannot be read back."));
      return NULL;
    }
  add_hyperv (doc, plan_has_nvidia_gpu (plan));
  add_pcie_root_ports (doc);
  if (options->emulated)
    {
      /* libvirt-gconfig 4.0 knows neither the "qemu" type constant's
       * counterpart for CPU mode "maximum" nor a setter for it. */
      xmlNodePtr root = xmlDocGetRootElement (doc);
      xmlNodePtr cpu = pt_vm_xml_child (root, "cpu");

      xmlSetProp (root, BAD_CAST "type", BAD_CAST "qemu");
      if (cpu != NULL)
        xmlSetProp (cpu, BAD_CAST "mode", BAD_CAST "maximum");
    }

  buffer = xmlBufferCreate ();
  xmlNodeDump (buffer, doc, xmlDocGetRootElement (doc), 0, 1);
  text = g_strconcat ((const char *) xmlBufferContent (buffer), "\n", NULL);
  xmlBufferFree (buffer);
  return text;
}

GVirConfigDomain *
pt_vm_build_domain (PtPlan *plan, const PtVmOptions *options, GError **error)
{
  g_autofree char *xml = pt_vm_build_xml (plan, options, error);

  if (xml == NULL)
    return NULL;
  return gvir_config_domain_new_from_xml (xml, error);
}
