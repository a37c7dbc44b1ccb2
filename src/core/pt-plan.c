/* pt-plan.c: turns "pass these devices through" into the set of functions
 * vfio-pci must own, the IDs and kernel arguments for it, and the reasons
 * to refuse: a plan never takes what keeps the host running. */
#define G_LOG_DOMAIN "pt-plan"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-plan.h"
#include "pt-bootconf.h"
#include "pt-quirks.h"
#include "pt-verdict.h"
#include "pt-host-private.h"

static void
pt_plan_change_free (PtPlanChange *change)
{
  g_free (change->path);
  g_free (change->diff);
  g_free (change);
}

void
pt_plan_free (PtPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_object (&plan->host);
  g_ptr_array_unref (plan->requested);
  g_ptr_array_unref (plan->devices);
  g_ptr_array_unref (plan->kept);
  g_free (plan->vfio_ids);
  g_strfreev (plan->kernel_args);
  g_free (plan->bootloader);
  g_free (plan->initramfs);
  g_ptr_array_unref (plan->changes);
  g_ptr_array_unref (plan->file_changes);
  g_ptr_array_unref (plan->regenerate);
  g_ptr_array_unref (plan->warnings);
  g_ptr_array_unref (plan->notes);
  g_free (plan);
}

gboolean
pt_plan_takes (PtPlan *plan, PtDevice *device)
{
  return g_ptr_array_find (plan->devices, device, NULL);
}

/* "GeForce GTX 970 (0000:01:00.0)" for messages. */
static char *
describe (PtDevice *device)
{
  g_autofree char *name = pt_device_dup_display_name (device);

  return g_strdup_printf ("%s (%s)", name, pt_device_get_address (device));
}

/* Messages name at most this many devices, then say how many more: a
 * server with 64 identical GPUs would otherwise get a warning of 250
 * addresses, which nobody reads and which costs the app a frozen window
 * to lay out. */
#define LIST_MAX 6

/* "A, B, C" or "A, B, C, D, E and 12 more devices", each item by
 * @describe_one. */
static char *
join_devices (GPtrArray *devices,
              char     *(*describe_one) (PtDevice *device))
{
  g_autoptr(GString) s = g_string_new (NULL);
  guint shown = devices->len > LIST_MAX ? LIST_MAX - 1 : devices->len;

  for (guint i = 0; i < shown; i++)
    {
      g_autofree char *d = describe_one (g_ptr_array_index (devices, i));

      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, d);
    }
  if (shown < devices->len)
    /* TRANSLATORS: a shortened list of devices that is the subject or the
     * object of a sentence: %s is "A, B, C, D, E", %u how many are left out */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %u more device", "%s and %u more devices",
                                         devices->len - shown),
                            s->str, devices->len - shown);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
describe_list (GPtrArray *devices)
{
  return join_devices (devices, describe);
}

static char *
dup_address (PtDevice *device)
{
  return g_strdup (pt_device_get_address (device));
}

static gboolean
on_requested_slot (GPtrArray *requested, PtDevice *device)
{
  for (guint i = 0; i < requested->len; i++)
    if (pt_address_same_slot (pt_device_get_pci_address (g_ptr_array_index (requested, i)),
                              pt_device_get_pci_address (device)))
      return TRUE;
  return FALSE;
}

static void
add_unique (GPtrArray *array, gpointer item)
{
  if (!g_ptr_array_find (array, item, NULL))
    g_ptr_array_add (array, item);
}

static int
compare_devices (gconstpointer a, gconstpointer b)
{
  return pt_address_compare (pt_device_get_pci_address (*(PtDevice **) a),
                             pt_device_get_pci_address (*(PtDevice **) b));
}

static gboolean
strv_has (const char *const *strv, const char *s)
{
  return strv != NULL && g_strv_contains (strv, s);
}

/* Why a function must stay with the host whatever the options, or NULL. */
static char *
host_critical_reason (PtPlan *plan, PtDevice *device, PtPlanFlags flags)
{
  PtHost *host = plan->host;
  g_autofree char *what = describe (device);
  guint16 code = pt_device_get_class_code (device);

  if (code == PT_CLASS_HOST_BRIDGE && !pt_device_is_neutral (device))
    return g_strdup_printf (_("%s is a host bridge; the host cannot run without it"), what);
  if (code == PT_CLASS_ISA_BRIDGE)
    return g_strdup_printf (_("%s is the ISA/LPC bridge of the chipset; the host cannot run without it"),
                            what);
  if (strv_has (pt_host_get_root_disk_devices (host), pt_device_get_address (device)))
    return g_strdup_printf (_("%s controls the disk the root file system is on"), what);
  if (strv_has (pt_host_get_default_route_devices (host), pt_device_get_address (device)))
    return g_strdup_printf (_("%s is the network card of the default route; the host would go offline"),
                            what);
  if (pt_device_get_boot_vga (device) == PT_TRISTATE_YES && !(flags & PT_PLAN_ALLOW_BOOT_VGA))
    return g_strdup_printf (_("%s is the boot display: the firmware and the host console use it. "
                              "Set the primary display to another GPU in the firmware settings, "
                              "or pass --allow-boot-vga if you know the host can run without it"),
                            what);
  return NULL;
}

/* intel_iommu=on (possibly with other options, "on,sm_on") is given. */
static gboolean
intel_iommu_forced_on (PtHost *host)
{
  const char *value = pt_host_cmdline_get_value (host, "intel_iommu");
  g_auto(GStrv) options = NULL;

  if (value == NULL)
    return FALSE;
  options = g_strsplit (value, ",", -1);
  return g_strv_contains ((const char *const *) options, "on");
}

static void
add_kernel_args (PtPlan *plan)
{
  PtHost *host = plan->host;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  switch (pt_host_get_cpu_vendor (host))
    {
    case PT_CPU_VENDOR_INTEL:
      g_ptr_array_add (args, g_strdup ("intel_iommu=on"));
      g_ptr_array_add (args, g_strdup ("iommu=pt"));
      break;
    case PT_CPU_VENDOR_AMD:
      g_ptr_array_add (args, g_strdup ("iommu=pt"));
      g_ptr_array_add (plan->notes,
                       g_strdup (_("AMD CPU: the kernel turns AMD-Vi on by itself when the firmware "
                                   "enables the IOMMU, so only iommu=pt is added. amd_iommu=on is "
                                   "not a valid value and is not added.")));
      if (pt_host_cmdline_has (host, "amd_iommu=on"))
        g_ptr_array_add (plan->warnings,
                         g_strdup (_("The command line has amd_iommu=on, which the kernel does not "
                                     "understand (valid values are off, fullflush, force_isolation…); "
                                     "remove it.")));
      break;
    case PT_CPU_VENDOR_UNKNOWN:
    default:
      g_ptr_array_add (args, g_strdup ("iommu=pt"));
      g_ptr_array_add (plan->notes,
                       g_strdup (_("The CPU vendor is unknown, so no vendor-specific IOMMU argument "
                                   "is added.")));
      break;
    }

  if (plan->vfio_ids != NULL && *plan->vfio_ids != '\0')
    g_ptr_array_add (args, g_strdup_printf ("vfio-pci.ids=%s", plan->vfio_ids));

  g_ptr_array_add (args, NULL);
  plan->kernel_args = (GStrv) g_ptr_array_free (g_steal_pointer (&args), FALSE);
}

/* vfio-pci.ids claims every device with an ID, wherever it is: name, in
 * one warning, everything left with the host that it would take too. */
static void
check_shared_ids (PtPlan *plan)
{
  GPtrArray *all = pt_host_get_devices (plan->host);
  g_autoptr(GPtrArray) caught = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < all->len; i++)
    {
      PtDevice *other = g_ptr_array_index (all, i);

      if (pt_plan_takes (plan, other) || pt_device_is_neutral (other))
        continue;
      for (guint k = 0; k < plan->devices->len; k++)
        {
          PtDevice *taken = g_ptr_array_index (plan->devices, k);

          if (pt_device_get_vendor_id (taken) == pt_device_get_vendor_id (other)
              && pt_device_get_device_id (taken) == pt_device_get_device_id (other))
            {
              char *id = pt_device_dup_ids (other);

              g_ptr_array_add (caught, other);
              if (g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
                g_free (id);
              else
                g_ptr_array_add (ids, id);
              break;
            }
        }
    }

  if (caught->len > 0)
    {
      g_autofree char *addresses = join_devices (caught, dup_address);
      g_autofree char *id_list = NULL;

      g_ptr_array_add (ids, NULL);
      id_list = g_strjoinv (", ", (char **) ids->pdata);
      g_ptr_array_add (plan->warnings,
                       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                     "%s stays with the host but has the same "
                                                     "ID (%s) as a device being passed through, "
                                                     "so vfio-pci.ids would claim it too. Bind by "
                                                     "address instead (driver_override), or use "
                                                     "cards of different models.",
                                                     "%s stay with the host but have the same "
                                                     "IDs (%s) as devices being passed through, "
                                                     "so vfio-pci.ids would claim them too. Bind "
                                                     "by address instead (driver_override), or "
                                                     "use cards of different models.",
                                                     caught->len),
                                        addresses, id_list));
    }
}

static void
check_reset_quirks (PtPlan *plan)
{
  for (guint i = 0; i < plan->devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (plan->devices, i);
      const PtQuirkEntry *quirk = pt_quirks_lookup (d);

      if (quirk != NULL && quirk->quirk == PT_QUIRK_AMD_RESET_BUG)
        {
          g_autofree char *what = describe (d);

          g_ptr_array_add (plan->warnings,
                           /* TRANSLATORS: the first %s is a device with its address,
                            * the second a GPU family such as "Vega 20" */
                           g_strdup_printf (_("%s has the AMD reset bug of the %s family: "
                                              "after a guest has used it, it does not reset "
                                              "until the host reboots, so the VM starts once "
                                              "per boot. The vendor-reset kernel module works "
                                              "around it."),
                                            what, quirk->family));
        }
    }
}

static void
check_host_display (PtPlan *plan)
{
  GPtrArray *all = pt_host_get_devices (plan->host);

  for (guint i = 0; i < all->len; i++)
    {
      PtDevice *d = g_ptr_array_index (all, i);

      if (pt_device_is_gpu (d) && !pt_plan_takes (plan, d))
        return;
    }
  g_ptr_array_add (plan->warnings,
                   g_strdup (_("No GPU stays with the host: it will have no display while the "
                               "devices are bound to vfio-pci. Make sure you can reach it over the "
                               "network.")));
}

PtPlan *
pt_plan_new (PtHost *host, const char *const *addresses, PtPlanFlags flags, GError **error)
{
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();
  gboolean have_groups;

  g_return_val_if_fail (PT_IS_HOST (host), NULL);

  if (addresses == NULL || addresses[0] == NULL)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_INVALID_ADDRESS,
                   _("Name at least one device to pass through by its PCI address, "
                     "e.g. 01:00.0; “passthroughctl gpus” lists the GPUs"));
      return NULL;
    }

  plan = g_new0 (PtPlan, 1);
  plan->host = g_object_ref (host);
  plan->requested = g_ptr_array_new ();
  plan->devices = g_ptr_array_new ();
  plan->kept = g_ptr_array_new ();
  plan->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_plan_change_free);
  plan->file_changes = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_file_change_free);
  plan->regenerate = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  plan->warnings = g_ptr_array_new_with_free_func (g_free);
  plan->notes = g_ptr_array_new_with_free_func (g_free);
  plan->bootloader = g_strdup (pt_host_get_bootloader (host));
  plan->initramfs = g_strdup (pt_host_get_initramfs (host));

  /* Syntax first, so a typo is a usage error whatever else is wrong. */
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      PtAddress addr;

      if (!pt_address_parse (addresses[i], &addr, error))
        return NULL;
    }
  for (guint i = 0; addresses[i] != NULL; i++)
    {
      PtDevice *device = pt_host_find_device (host, addresses[i], error);

      if (device == NULL)
        return NULL;
      if (pt_device_is_neutral (device))
        {
          g_autofree char *what = describe (device);

          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("%s is a bridge: bridges stay with the host. Name the device "
                         "behind it instead"), what);
          return NULL;
        }
      add_unique (plan->requested, device);
    }

  have_groups = pt_host_has_groups (host);

  for (guint i = 0; i < plan->requested->len; i++)
    {
      PtDevice *device = g_ptr_array_index (plan->requested, i);
      g_autoptr(GPtrArray) slot = pt_host_dup_slot_functions (host, device);
      PtGroup *group;

      if (!have_groups)
        {
          /* Without an IOMMU there are no groups yet; the slot is what we
           * know will come along. The plan is for the first boot. */
          for (guint k = 0; k < slot->len; k++)
            if (!pt_device_is_neutral (g_ptr_array_index (slot, k)))
              add_unique (plan->devices, g_ptr_array_index (slot, k));
          continue;
        }

      group = pt_host_lookup_group (host, pt_device_get_iommu_group (device));
      if (group == NULL && pt_device_is_gpu (device)
          && pt_device_get_vendor_id (device) == 0x8086
          && pt_device_get_pci_address (device)->bus == 0
          && !intel_iommu_forced_on (host))
        {
          /* Debian's kernels turn VT-d on by default but leave Intel
           * integrated graphics out unless intel_iommu=on is given, which
           * this plan adds: its group exists only after the reboot. */
          g_autofree char *what = describe (device);

          for (guint k = 0; k < slot->len; k++)
            if (!pt_device_is_neutral (g_ptr_array_index (slot, k)))
              add_unique (plan->devices, g_ptr_array_index (slot, k));
          g_ptr_array_add (plan->warnings,
                           g_strdup_printf (_("%s is in no IOMMU group yet: without "
                                              "intel_iommu=on some kernels (Debian's among "
                                              "them) leave Intel integrated graphics outside "
                                              "the IOMMU. The plan adds intel_iommu=on; check "
                                              "the group after rebooting."),
                                            what));
          continue;
        }
      if (group == NULL)
        {
          g_autofree char *what = describe (device);
          const char *intel_iommu = pt_host_cmdline_get_value (host, "intel_iommu");

          /* intel_iommu=igfx_off leaves the integrated graphics out on
           * purpose; anything else on the root bus cannot move either. */
          if (intel_iommu != NULL && strstr (intel_iommu, "igfx_off") != NULL)
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s is in no IOMMU group: intel_iommu=igfx_off on the kernel command "
                           "line keeps the integrated graphics out of the IOMMU. Remove "
                           "igfx_off and reboot to pass it through"), what);
          else if (pt_device_get_pci_address (device)->bus == 0)
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s is in no IOMMU group: the IOMMU does not cover it, so it cannot "
                           "be passed through"), what);
          else
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("%s is in no IOMMU group: the IOMMU does not cover it, so it cannot "
                           "be passed through. Try another slot"), what);
          return NULL;
        }
      add_unique (groups, group);

      /* Companions in groups of their own come along when those groups hold
       * nothing else; otherwise they stay with the host. */
      for (guint k = 0; k < slot->len; k++)
        {
          PtDevice *mate = g_ptr_array_index (slot, k);
          PtGroup *mate_group;
          g_autoptr(GPtrArray) mate_blockers = NULL;

          if (mate == device || pt_device_is_neutral (mate))
            continue;
          mate_group = pt_host_lookup_group (host, pt_device_get_iommu_group (mate));
          if (mate_group == NULL || mate_group == group)
            {
              if (mate_group == NULL)
                add_unique (plan->kept, mate);
              continue;
            }
          mate_blockers = g_ptr_array_new ();
          for (guint m = 0; m < mate_group->devices->len; m++)
            {
              PtDevice *x = g_ptr_array_index (mate_group->devices, m);

              if (!pt_device_is_neutral (x) && !on_requested_slot (plan->requested, x))
                g_ptr_array_add (mate_blockers, x);
            }
          if (mate_blockers->len == 0)
            add_unique (groups, mate_group);
          else
            {
              g_autofree char *what = describe (mate);
              g_autofree char *list = describe_list (mate_blockers);

              add_unique (plan->kept, mate);
              g_ptr_array_add (plan->warnings,
                               g_strdup_printf (_("%s stays with the host: its IOMMU group also "
                                                  "holds %s. The guest gets the GPU without it."),
                                                what, list));
            }
        }
    }

  /* The requested devices' own groups: everything not on a requested slot
   * is a blocker, taken only when the caller accepts a shared group. */
  for (guint i = 0; i < groups->len; i++)
    {
      PtGroup *group = g_ptr_array_index (groups, i);
      g_autoptr(GPtrArray) blockers = g_ptr_array_new ();

      for (guint k = 0; k < group->devices->len; k++)
        {
          PtDevice *x = g_ptr_array_index (group->devices, k);

          if (!pt_device_is_neutral (x) && !on_requested_slot (plan->requested, x))
            g_ptr_array_add (blockers, x);
        }

      if (blockers->len > 0 && !(flags & PT_PLAN_ALLOW_SHARED))
        {
          g_autofree char *list = describe_list (blockers);
          guint root_ports = 0;
          const char *where;

          /* Two root-bus ports in one group: the processor's own ports lack
           * ACS (Intel desktops splitting x16 into x8/x8), so the chipset's
           * ports are the way out; otherwise the group hangs below a
           * chipset or switch port and a processor slot is. */
          for (guint k = 0; k < group->devices->len; k++)
            {
              PtDevice *x = g_ptr_array_index (group->devices, k);

              if (pt_device_is_bridge (x) && pt_device_get_pci_address (x)->bus == 0)
                root_ports++;
            }
          where = root_ports >= 2
            ? _("the processor's ports share this group, so try a slot wired to the chipset, "
                "whose ports usually have groups of their own")
            : _("one whose port has a group of its own, usually a slot wired to the "
                "processor");

          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("IOMMU group %d is shared: it also holds %s, which would have to go "
                         "to the guest too. Ways out: put the card in another slot (%s), "
                         "move the other device, or take the whole group with --allow-shared. "
                         "The ACS override patch splits groups by ignoring what the hardware "
                         "says and gives up the isolation between them: use it only if you "
                         "accept that risk"),
                       group->id, list, where);
          return NULL;
        }
      if (blockers->len > 0)
        {
          g_autofree char *list = describe_list (blockers);

          g_ptr_array_add (plan->warnings,
                           g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "IOMMU group %d is shared: %s goes to "
                                                         "the guest too (--allow-shared).",
                                                         "IOMMU group %d is shared: %s go to "
                                                         "the guest too (--allow-shared).",
                                                         blockers->len),
                                            group->id, list));
        }

      for (guint k = 0; k < group->devices->len; k++)
        {
          PtDevice *x = g_ptr_array_index (group->devices, k);

          if (!pt_device_is_neutral (x))
            add_unique (plan->devices, x);
        }
    }

  g_ptr_array_sort (plan->devices, compare_devices);
  g_ptr_array_sort (plan->kept, compare_devices);

  for (guint i = 0; i < plan->devices->len; i++)
    {
      PtDevice *x = g_ptr_array_index (plan->devices, i);
      g_autofree char *reason = host_critical_reason (plan, x, flags);

      if (reason != NULL)
        {
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("Refusing to plan this: %s."), reason);
          return NULL;
        }
      if (pt_device_get_boot_vga (x) == PT_TRISTATE_YES)
        {
          g_autofree char *what = describe (x);

          g_ptr_array_add (plan->warnings,
                           g_strdup_printf (_("%s is the boot display (--allow-boot-vga): the "
                                              "host console goes dark when vfio-pci takes it."),
                                            what));
        }
      if (g_strcmp0 (pt_device_get_driver (x), "vfio-pci") == 0)
        {
          g_autofree char *what = describe (x);

          g_ptr_array_add (plan->notes,
                           g_strdup_printf (_("%s is already bound to vfio-pci."), what));
        }
    }

  if (!have_groups)
    g_ptr_array_add (plan->warnings,
                     g_strdup (_("The IOMMU is not active, so the groups are not known yet. The "
                                 "plan takes the named devices and the functions on their slots; "
                                 "check the groups again after rebooting with these kernel "
                                 "arguments.")));

  /* vfio-pci.ids: each vendor:device once, in address order. */
  {
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < plan->devices->len; i++)
      {
        char *id = pt_device_dup_ids (g_ptr_array_index (plan->devices, i));

        if (g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
          g_free (id);
        else
          g_ptr_array_add (ids, id);
      }
    g_ptr_array_add (ids, NULL);
    plan->vfio_ids = g_strjoinv (",", (char **) ids->pdata);
  }

  add_kernel_args (plan);
  check_shared_ids (plan);
  check_reset_quirks (plan);
  check_host_display (plan);

  return g_steal_pointer (&plan);
}
