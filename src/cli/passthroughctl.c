/* passthroughctl: the host core from a terminal (DESIGN.md "passthroughctl").
 * JSON goes to stdout, messages to stderr; exit 0 on success, 1 on failure
 * or refusal, 2 on a usage error. apply and rollback go through the daemon
 * on the live system and through the journal directly on any other root. */
#define G_LOG_DOMAIN "passthroughctl"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pt-address.h"
#include "pt-bootconf.h"
#include "pt-checks.h"
#include "pt-fileutil.h"
#include "pt-host.h"
#include "pt-journal.h"
#include "pt-json.h"
#include "pt-plan.h"
#include "pt-trial.h"
#include "pt-verdict.h"
#if PT_CLI_VM
#include "pt-vm.h"
#endif

#define EXIT_USAGE 2

/* DESIGN.md "The privileged side" (contract). */
#define HELPER_BUS_NAME    "io.github.passthrough.Helper1"
#define HELPER_OBJECT_PATH "/io/github/passthrough/Helper1"
#define HELPER_INTERFACE   "io.github.passthrough.Helper1"

typedef struct
{
  PtHost     *host;       /* NULL for apply and rollback on the live system */
  const char *root;       /* the --root given, or "/" */
  gboolean    live;       /* the root is "/": changes go through passthroughd */
  gboolean    json;
  gboolean    allow_boot_vga;
  gboolean    allow_shared;
  gboolean    trial;
  gboolean    force;
  int         width;      /* 0: do not shorten lines (not a terminal) */
  /* vm */
  gboolean    root_given;     /* --root or --snapshot: the host whose groups are used */
  const char *snapshot;
  const char *connect;
  char      **gpus;
  int         memory;
  int         vcpus;
  const char *disk;
  const char *iso;
  gboolean    print_xml;
  gboolean    hotplug;        /* --live: attach / detach on the running domain too */
} Ctl;

/* ---- output helpers ---------------------------------------------------- */

static int
terminal_width (void)
{
  struct winsize ws;
  const char *columns = g_getenv ("COLUMNS");

  if (!isatty (STDOUT_FILENO))
    return 0;
  if (columns != NULL && atoi (columns) >= 40)
    return atoi (columns);
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    return ws.ws_col;
  return 80;
}

/* Cuts @text to @width characters with an ellipsis; width 0 keeps it. */
static char *
fit (const char *text, int width)
{
  glong len = g_utf8_strlen (text, -1);
  const char *end;

  if (width <= 0 || len <= width)
    return g_strdup (text);
  if (width < 2)
    return g_strdup ("…");
  end = g_utf8_offset_to_pointer (text, width - 1);
  {
    g_autofree char *head = g_strndup (text, end - text);

    return g_strconcat (head, "…", NULL);
  }
}

/* @text padded with spaces to @width characters (not bytes: translated
 * headers have umlauts). */
static char *
pad (const char *text, int width)
{
  int len = (int) g_utf8_strlen (text, -1);

  return g_strdup_printf ("%s%*s", text, len < width ? width - len : 0, "");
}

/* Prints @text wrapped at @width (80 when 0) with @indent spaces. */
static void
print_wrapped (const char *prefix, const char *text, int indent, int width)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  int col;
  int limit = width > 0 ? width : 80;

  g_print ("%*s%s", indent, "", prefix);
  col = indent + (int) g_utf8_strlen (prefix, -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      int len = (int) g_utf8_strlen (words[i], -1);

      if (*words[i] == '\0')
        continue;
      if (col + 1 + len > limit && col > indent + (int) g_utf8_strlen (prefix, -1))
        {
          g_print ("\n%*s", indent + (int) g_utf8_strlen (prefix, -1), "");
          col = indent + (int) g_utf8_strlen (prefix, -1);
        }
      else if (col > indent + (int) g_utf8_strlen (prefix, -1))
        {
          g_print (" ");
          col++;
        }
      g_print ("%s", words[i]);
      col += len;
    }
  g_print ("\n");
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = pt_json_to_string (node, TRUE);

  g_print ("%s\n", text);
  json_node_unref (node);
}

static const char *
or_dash (const char *s)
{
  return s != NULL ? s : "-";
}

static char *
device_label (PtDevice *d)
{
  if (pt_device_get_device_name (d) != NULL)
    return g_strdup (pt_device_get_device_name (d));
  return g_strdup_printf (_("Device %04x:%04x"), pt_device_get_vendor_id (d),
                          pt_device_get_device_id (d));
}

/* One lspci-like row: address, class, IDs, driver, name. */
static void
print_device_row (Ctl *ctl, const char *lead, PtDevice *d)
{
  g_autofree char *ids = pt_device_dup_ids (d);
  g_autofree char *label = device_label (d);
  g_autofree char *row = g_strdup_printf ("%s%-12s  %04x   %-9s  %-14s ", lead,
                                          pt_device_get_address (d),
                                          pt_device_get_class_code (d), ids,
                                          or_dash (pt_device_get_driver (d)));
  int room = ctl->width > 0 ? ctl->width - (int) g_utf8_strlen (row, -1) : 0;
  g_autofree char *name = fit (label, room > 8 ? room : (ctl->width > 0 ? 8 : 0));

  g_print ("%s%s\n", row, name);
}

/* ---- commands --------------------------------------------------------- */

static void
print_header (gboolean with_group)
{
  g_autofree char *group = pad (with_group ? _("Group") : "", 5);
  g_autofree char *address = pad (_("Address"), 12);
  g_autofree char *klass = pad (_("Class"), 5);
  g_autofree char *ids = pad (_("IDs"), 9);
  g_autofree char *driver = pad (_("Driver"), 14);

  g_print ("%s %s  %s  %s  %s %s\n", group, address, klass, ids, driver, _("Name"));
}

static int
cmd_groups (Ctl *ctl, char **args)
{
  GPtrArray *groups = pt_host_get_groups (ctl->host);
  GPtrArray *devices = pt_host_get_devices (ctl->host);
  g_autoptr(GPtrArray) ungrouped = g_ptr_array_new ();

  if (args[0] != NULL)
    {
      g_printerr (_("“groups” takes no arguments.\n"));
      return EXIT_USAGE;
    }

  for (guint i = 0; i < devices->len; i++)
    if (pt_device_get_iommu_group (g_ptr_array_index (devices, i)) < 0)
      g_ptr_array_add (ungrouped, g_ptr_array_index (devices, i));

  if (ctl->json)
    {
      JsonNode *root = pt_json_groups (ctl->host);
      JsonObject *obj = json_node_get_object (root);
      JsonArray *array = json_array_new ();
      g_autoptr(JsonNode) list = NULL;

      /* Functions the IOMMU does not cover: not in the contract's groups,
       * but a user asking "where is my device?" needs to see them. */
      for (guint i = 0; i < ungrouped->len; i++)
        {
          PtDevice *d = g_ptr_array_index (ungrouped, i);

          json_array_add_string_element (array, pt_device_get_address (d));
        }
      json_object_set_array_member (obj, "ungrouped", array);
      print_json (root);
      return 0;
    }

  if (groups->len > 0)
    print_header (TRUE);
  for (guint i = 0; i < groups->len; i++)
    {
      PtGroup *group = g_ptr_array_index (groups, i);

      for (guint k = 0; k < group->devices->len; k++)
        {
          g_autofree char *lead = k == 0 ? g_strdup_printf ("%-5d ", group->id)
                                         : g_strdup ("      ");

          print_device_row (ctl, lead, g_ptr_array_index (group->devices, k));
        }
    }

  if (ungrouped->len > 0)
    {
      if (groups->len > 0)
        g_print ("\n");
      if (groups->len == 0)
        g_print ("%s\n", _("No IOMMU groups: the IOMMU is off or not supported. "
                           "“passthroughctl status” says what to do."));
      else
        g_print ("%s\n", _("Not in any IOMMU group:"));
      print_header (FALSE);
      for (guint i = 0; i < ungrouped->len; i++)
        print_device_row (ctl, "      ", g_ptr_array_index (ungrouped, i));
    }
  return 0;
}

static char *
verdict_label (PtGpu *gpu)
{
  const char *iso;

  switch (gpu->isolation)
    {
    case PT_ISOLATION_CLEAN: iso = _("clean"); break;
    case PT_ISOLATION_SHARED: iso = _("shared"); break;
    case PT_ISOLATION_UNKNOWN:
    default: iso = _("no group"); break;
    }
  if (pt_device_get_boot_vga (gpu->device) == PT_TRISTATE_YES)
    return g_strdup_printf (_("%s, boot display"), iso);
  return g_strdup (iso);
}

static int
cmd_gpus (Ctl *ctl, char **args)
{
  g_autoptr(GPtrArray) gpus = NULL;

  if (args[0] != NULL)
    {
      g_printerr (_("“gpus” takes no arguments.\n"));
      return EXIT_USAGE;
    }
  if (ctl->json)
    {
      print_json (pt_json_gpus (ctl->host));
      return 0;
    }

  gpus = pt_host_list_gpus (ctl->host);
  if (gpus->len == 0)
    {
      g_print ("%s\n", _("This host has no GPU (no PCI function of class 03xx)."));
      return 0;
    }

  {
    g_autofree char *address = pad (_("Address"), 12);
    g_autofree char *group = pad (_("Group"), 5);
    g_autofree char *verdict = pad (_("Verdict"), 21);
    g_autofree char *driver = pad (_("Driver"), 14);

    g_print ("%s  %s  %s %s %s\n", address, group, verdict, driver, _("Name"));
  }
  for (guint i = 0; i < gpus->len; i++)
    {
      PtGpu *gpu = g_ptr_array_index (gpus, i);
      PtDevice *d = gpu->device;
      g_autofree char *verdict = verdict_label (gpu);
      g_autofree char *name = pt_device_dup_display_name (d);
      g_autofree char *group = pt_device_get_iommu_group (d) >= 0
        ? g_strdup_printf ("%d", pt_device_get_iommu_group (d)) : g_strdup ("-");
      g_autofree char *verdict_col = pad (verdict, 21);
      g_autofree char *row = g_strdup_printf ("%-12s  %-5s  %s %-14s ",
                                              pt_device_get_address (d), group, verdict_col,
                                              or_dash (pt_device_get_driver (d)));
      int room = ctl->width > 0 ? ctl->width - (int) g_utf8_strlen (row, -1) : 0;
      g_autofree char *shown = fit (name, room > 8 ? room : (ctl->width > 0 ? 8 : 0));

      g_print ("%s%s\n", row, shown);
      for (guint k = 0; k < gpu->companions->len; k++)
        {
          PtDevice *c = g_ptr_array_index (gpu->companions, k);
          g_autofree char *cname = device_label (c);
          g_autofree char *line = NULL;

          if (pt_device_get_iommu_group (c) >= 0
              && pt_device_get_iommu_group (c) != pt_device_get_iommu_group (d))
            line = g_strdup_printf (_("with %s %s (%s, group %d)"), pt_device_get_address (c),
                                    cname, or_dash (pt_device_get_driver (c)),
                                    pt_device_get_iommu_group (c));
          else
            line = g_strdup_printf (_("with %s %s (%s)"), pt_device_get_address (c), cname,
                                    or_dash (pt_device_get_driver (c)));
          print_wrapped ("", line, 14, ctl->width);
        }
      for (guint k = 0; k < gpu->blockers->len; k++)
        {
          PtDevice *c = g_ptr_array_index (gpu->blockers, k);
          g_autofree char *cname = device_label (c);
          g_autofree char *line = g_strdup_printf (_("shares its group with %s %s (%s)"),
                                                   pt_device_get_address (c), cname,
                                                   or_dash (pt_device_get_driver (c)));

          print_wrapped ("", line, 14, ctl->width);
        }
    }
  return 0;
}

static int
exit_for_error (const GError *error)
{
  if (error->domain == PT_ERROR && error->code == PT_ERROR_INVALID_ADDRESS)
    return EXIT_USAGE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    return EXIT_USAGE;
  return 1;
}

static PtPlanFlags
plan_flags (Ctl *ctl)
{
  PtPlanFlags flags = PT_PLAN_FLAGS_NONE;

  if (ctl->allow_boot_vga)
    flags |= PT_PLAN_ALLOW_BOOT_VGA;
  if (ctl->allow_shared)
    flags |= PT_PLAN_ALLOW_SHARED;
  return flags;
}

static void
print_plan_changes (PtPlan *plan)
{
  for (guint i = 0; i < plan->changes->len; i++)
    {
      PtPlanChange *c = g_ptr_array_index (plan->changes, i);

      g_print ("\n%s\n%s", c->path, c->diff);
    }
}

static void
print_plan_remarks (Ctl *ctl, PtPlan *plan)
{
  for (guint i = 0; i < plan->warnings->len; i++)
    print_wrapped (_("Warning: "), g_ptr_array_index (plan->warnings, i), 0, ctl->width);
  for (guint i = 0; i < plan->notes->len; i++)
    print_wrapped (_("Note: "), g_ptr_array_index (plan->notes, i), 0, ctl->width);
}

static int
cmd_plan (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;

  if (!pt_host_ensure_details (ctl->host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  plan = pt_plan_new (ctl->host, (const char *const *) args, plan_flags (ctl), &error);
  /* The files: from the backends detected under the root (a snapshot has
   * none, and gets a note saying so). */
  if (plan == NULL || !pt_bootconf_plan (plan, &error))
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }

  if (ctl->json)
    {
      print_json (pt_json_plan (plan));
      return 0;
    }

  g_print ("%s\n", _("Devices for vfio-pci:"));
  for (guint i = 0; i < plan->devices->len; i++)
    print_device_row (ctl, "  ", g_ptr_array_index (plan->devices, i));
  if (plan->kept->len > 0)
    {
      g_print ("%s\n", _("Staying with the host:"));
      for (guint i = 0; i < plan->kept->len; i++)
        print_device_row (ctl, "  ", g_ptr_array_index (plan->kept, i));
    }
  {
    g_autofree char *args_line = g_strjoinv (" ", plan->kernel_args);

    g_print ("\n");
    print_wrapped (_("Kernel arguments: "), args_line, 0, ctl->width);
  }
  g_print (_("Bootloader: %s\n"), plan->bootloader ? plan->bootloader : _("not detected"));
  g_print (_("Initramfs: %s\n"), plan->initramfs ? plan->initramfs : _("not detected"));
  print_plan_changes (plan);
  print_plan_remarks (ctl, plan);
  return 0;
}

static const char *
state_label (PtCheckState state)
{
  switch (state)
    {
    case PT_CHECK_PASS: return _("pass");
    case PT_CHECK_WARN: return _("warn");
    case PT_CHECK_FAIL: return _("FAIL");
    case PT_CHECK_UNKNOWN:
    default: return _("unknown");
    }
}

static int
cmd_status (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  PtCheckState overall;

  if (args[0] != NULL)
    {
      g_printerr (_("“status” takes no arguments.\n"));
      return EXIT_USAGE;
    }

  if (!pt_host_ensure_details (ctl->host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  checks = pt_checks_run (ctl->host);
  overall = pt_checks_overall (checks);

  if (ctl->json)
    {
      print_json (pt_json_status (checks));
      return overall == PT_CHECK_FAIL ? 1 : 0;
    }

  {
    const char *parts[] = {
      pt_host_get_board_vendor (ctl->host), pt_host_get_board_name (ctl->host),
      pt_host_get_os_name (ctl->host),
    };
    g_autoptr(GString) host = g_string_new (NULL);
    const char *cpu = pt_host_get_cpu_model (ctl->host);

    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      if (parts[i] != NULL)
        g_string_append_printf (host, "%s%s", host->len ? (i == 2 ? ", " : " ") : "", parts[i]);
    if (host->len > 0)
      g_print (_("Host: %s\n"), host->str);
    if (cpu != NULL)
      g_print (_("CPU: %s\n"), cpu);
    g_print (_("Kernel: %s\n\n"), or_dash (pt_host_get_kernel_release (ctl->host)));
  }

  for (guint i = 0; i < checks->len; i++)
    {
      PtCheck *c = g_ptr_array_index (checks, i);
      g_autofree char *label = pad (state_label (c->state), 7);
      g_autofree char *lead = g_strconcat (label, " ", NULL);

      print_wrapped (lead, c->summary, 0, ctl->width);
      if (c->fix != NULL && c->state != PT_CHECK_PASS)
        print_wrapped (_("fix: "), c->fix, 8, ctl->width);
    }
  return overall == PT_CHECK_FAIL ? 1 : 0;
}

static int
cmd_snapshot (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (args[0] != NULL)
    {
      g_printerr (_("“snapshot” takes no arguments.\n"));
      return EXIT_USAGE;
    }
  if (!pt_host_ensure_details (ctl->host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  text = pt_host_to_snapshot (ctl->host);
  fputs (text, stdout);
  return 0;
}

/* ---- apply and rollback ------------------------------------------------- */

/* An argument as a shell would need it: bare when safe, quoted otherwise. */
static char *
quote_arg (const char *arg)
{
  if (*arg == '\0')
    return g_strdup ("''");
  for (const char *p = arg; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_@%+=:,./-", *p) == NULL)
      return g_shell_quote (arg);
  return g_strdup (arg);
}

static char *
quote_argv (const char *const *argv)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *q = quote_arg (argv[i]);

      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, q);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Offline, nothing is regenerated: say what to run inside that system. */
static void
print_regenerate_hints (Ctl *ctl, GPtrArray *regenerate)
{
  g_autofree char *root = quote_arg (ctl->root);

  if (regenerate == NULL || regenerate->len == 0)
    return;
  g_print ("\n%s\n", _("Nothing was regenerated. Run these commands inside that system "
                       "(for example from a live system with chroot):"));
  for (guint i = 0; i < regenerate->len; i++)
    {
      g_autofree char *cmd = quote_argv (g_ptr_array_index (regenerate, i));

      g_print ("  chroot %s %s\n", root, cmd);
    }
}

static void
json_add_regenerate (JsonBuilder *b, GPtrArray *regenerate)
{
  json_builder_set_member_name (b, "regenerate");
  json_builder_begin_array (b);
  for (guint i = 0; regenerate != NULL && i < regenerate->len; i++)
    {
      const char *const *argv = g_ptr_array_index (regenerate, i);

      json_builder_begin_array (b);
      for (guint k = 0; argv[k] != NULL; k++)
        json_builder_add_string_value (b, argv[k]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
}

static gboolean
check_addresses (char **args)
{
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      PtAddress addr;

      if (*args[i] == '-' || !pt_address_parse (args[i], &addr, &error))
        {
          if (error != NULL)
            g_printerr ("%s\n", error->message);
          else
            g_printerr (_("Unknown option “%s”. Run “passthroughctl --help” to see the "
                          "options.\n"), args[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* Undoes what a crash interrupted before anything else reads the root. */
static gboolean
recover_offline (Ctl *ctl)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) recovered = pt_journal_recover (ctl->root, FALSE, &error);

  if (recovered == NULL)
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  for (guint i = 0; i < recovered->len; i++)
    {
      PtTransaction *t = g_ptr_array_index (recovered, i);

      g_printerr (_("Transaction %s had been interrupted; its files are back as they were "
                    "before it.\n"), t->id);
    }
  return TRUE;
}

/* ---- trial boots ------------------------------------------------------- */

/* Writes @plan's files under the root as one transaction, with the plan
 * as its summary. *@out stays NULL when there is nothing to change. */
static gboolean
write_plan_offline (Ctl *ctl, PtPlan *plan, PtTransaction **out, GError **error)
{
  GPtrArray *changes = pt_plan_get_file_changes (plan);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *summary = NULL;

  *out = NULL;
  if (changes->len == 0)
    return TRUE;
  node = pt_json_plan (plan);
  summary = pt_json_to_string (node, FALSE);
  *out = pt_journal_apply (ctl->root, changes, plan->regenerate, summary, FALSE, error);
  return *out != NULL || error == NULL || *error == NULL;
}

static void
json_add_changes (JsonBuilder *b, PtPlan *plan, gboolean applied)
{
  json_builder_set_member_name (b, "changes");
  json_builder_begin_array (b);
  for (guint i = 0; applied && i < plan->changes->len; i++)
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
}

static void
json_add_strv (JsonBuilder *b, const char *member, const char *const *strv, GPtrArray *array)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  for (guint i = 0; array != NULL && i < array->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (array, i));
  json_builder_end_array (b);
}

/* "apply --trial" on another root: the trial entry and what vfio-pci needs
 * to load early, written as a transaction marked trial; the commands to
 * run inside that system end with the one that boots the entry once. */
static int
apply_trial_offline (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtTrialPlan) tp = NULL;
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(PtTrial) pending = NULL;
  g_autofree char *root = quote_arg (ctl->root);
  GPtrArray *changes;

  if (!recover_offline (ctl))
    return 1;
  if (!pt_host_ensure_details (ctl->host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  tp = pt_trial_plan_new (ctl->host, (const char *const *) args, plan_flags (ctl), &error);
  if (tp == NULL)
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }
  changes = pt_plan_get_file_changes (tp->plan);
  if (changes->len > 0)
    {
      g_autoptr(JsonNode) node = pt_trial_plan_to_json (tp);
      g_autofree char *summary = pt_json_to_string (node, FALSE);

      t = pt_journal_apply (ctl->root, changes, tp->plan->regenerate, summary, TRUE, &error);
      if (t == NULL && error != NULL)
        {
          g_printerr ("%s\n", error->message);
          return exit_for_error (error);
        }
    }
  else
    {
      pending = pt_trial_find_pending (ctl->root, &error);
      if (pending == NULL && error != NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }

  if (ctl->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "transaction");
      if (t != NULL)
        json_builder_add_string_value (b, t->id);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "trial");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "entry");
      json_builder_add_string_value (b, tp->boot.entry);
      json_add_strv (b, "args", NULL, tp->boot.args);
      json_add_strv (b, "files", NULL, tp->boot.files);
      json_add_strv (b, "oneshot", (const char *const *) tp->boot.oneshot, NULL);
      json_builder_set_member_name (b, "pending");
      if (t != NULL || pending != NULL)
        json_builder_add_string_value (b, t != NULL ? t->id : pending->transaction);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      json_add_changes (b, tp->plan, t != NULL);
      json_add_regenerate (b, t != NULL ? t->regenerate : NULL);
      json_builder_end_object (b);
      print_json (json_builder_get_root (b));
      return 0;
    }

  if (t == NULL)
    {
      g_autofree char *oneshot = quote_argv ((const char *const *) tp->boot.oneshot);

      if (pending != NULL)
        g_print (_("Nothing to change: the trial entry of transaction %s is in place under %s. "
                   "To boot it once more, run inside that system:\n  chroot %s %s\n"),
                 pending->transaction, ctl->root, root, oneshot);
      else
        g_print (_("Nothing to change: %s is already set up for these devices.\n"), ctl->root);
      print_plan_remarks (ctl, tp->plan);
      return 0;
    }

  print_plan_changes (tp->plan);
  g_print ("\n");
  print_plan_remarks (ctl, tp->plan);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Applied trial transaction %s: %u file under %s.\n",
                        "Applied trial transaction %s: %u files under %s.\n", t->files->len),
           t->id, t->files->len, ctl->root);
  print_regenerate_hints (ctl, t->regenerate);
  g_print ("\n");
  {
    g_autofree char *args_line = NULL;
    g_autofree char *text = NULL;

    g_ptr_array_add (tp->boot.args, NULL);
    args_line = g_strjoinv (" ", (char **) tp->boot.args->pdata);
    g_ptr_array_remove_index (tp->boot.args, tp->boot.args->len - 1);
    text = g_strdup_printf (_("The next start of that system boots the trial entry %s once, with "
                              "%s; the start after it boots the usual entry again. When the "
                              "trial boot came up with the devices on vfio-pci, run "
                              "“passthroughctl confirm” there to keep the change."),
                            tp->boot.entry, args_line);
    print_wrapped ("", text, 0, ctl->width);
  }
  g_print (_("To undo it: passthroughctl --root %s rollback %s\n"), root, t->id);
  return 0;
}

/* "confirm" on another root: the trial files go and the permanent plan is
 * written, when the root's proc/cmdline and driver links show the trial
 * boot working. */
static int
confirm_offline (Ctl *ctl)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtTrial) trial = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(PtTransaction) t = NULL;
  g_autofree char *root = quote_arg (ctl->root);

  if (!recover_offline (ctl))
    return 1;
  trial = pt_trial_find_pending (ctl->root, &error);
  if (trial == NULL)
    {
      if (error != NULL)
        g_printerr ("%s\n", error->message);
      else
        g_printerr (_("No trial boot is waiting for confirmation under %s (“apply --trial” "
                      "starts one).\n"), ctl->root);
      return 1;
    }
  if (!pt_trial_check_booted (trial, ctl->host, &error)
      || !pt_host_ensure_details (ctl->host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  plan = pt_trial_confirm_plan (trial, ctl->host, &error);
  if (plan == NULL)
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }
  if (!write_plan_offline (ctl, plan, &t, &error))
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }

  if (ctl->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "transaction");
      if (t != NULL)
        json_builder_add_string_value (b, t->id);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "confirmed");
      json_builder_add_string_value (b, trial->transaction);
      json_add_changes (b, plan, t != NULL);
      json_add_regenerate (b, t != NULL ? t->regenerate : NULL);
      json_builder_end_object (b);
      print_json (json_builder_get_root (b));
      return 0;
    }

  if (t == NULL)
    {
      g_print (_("Nothing to change: %s is already set up for these devices.\n"), ctl->root);
      return 0;
    }
  print_plan_changes (plan);
  g_print ("\n");
  print_plan_remarks (ctl, plan);
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Confirmed trial %s with transaction %s: %u file under %s.\n",
                        "Confirmed trial %s with transaction %s: %u files under %s.\n",
                        t->files->len),
           trial->transaction, t->id, t->files->len, ctl->root);
  print_regenerate_hints (ctl, t->regenerate);
  g_print ("\n");
  g_print (_("To undo it: passthroughctl --root %s rollback %s\n"), root, t->id);
  return 0;
}

static int
apply_offline (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(PtTransaction) t = NULL;

  if (ctl->trial)
    return apply_trial_offline (ctl, args);
  if (!recover_offline (ctl))
    return 1;
  if (!pt_host_ensure_details (ctl->host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  /* As passthroughd does: with a trial waiting, a permanent apply is its
   * confirmation, and makes the same checks. */
  if (!pt_trial_check_apply (ctl->root, ctl->host, &error))
    {
      g_printerr ("%s\n%s\n", error->message,
                  _("A permanent apply while a trial boot waits confirms it. Roll the trial "
                    "back first to apply without it."));
      return 1;
    }
  plan = pt_plan_new (ctl->host, (const char *const *) args, plan_flags (ctl), &error);
  if (plan == NULL || !pt_bootconf_plan (plan, &error))
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }
  if (!write_plan_offline (ctl, plan, &t, &error))
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }

  if (ctl->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "transaction");
      if (t != NULL)
        json_builder_add_string_value (b, t->id);
      else
        json_builder_add_null_value (b);
      json_add_changes (b, plan, t != NULL);
      json_add_regenerate (b, t != NULL ? t->regenerate : NULL);
      json_builder_end_object (b);
      print_json (json_builder_get_root (b));
      return 0;
    }

  if (t == NULL)
    {
      g_print (_("Nothing to change: %s is already set up for these devices.\n"), ctl->root);
      print_plan_remarks (ctl, plan);
      return 0;
    }

  print_plan_changes (plan);
  g_print ("\n");
  print_plan_remarks (ctl, plan);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Applied transaction %s: %u file under %s.\n",
                        "Applied transaction %s: %u files under %s.\n", t->files->len),
           t->id, t->files->len, ctl->root);
  print_regenerate_hints (ctl, t->regenerate);
  {
    g_autofree char *root = quote_arg (ctl->root);

    g_print ("\n");
    g_print (_("To undo it: passthroughctl --root %s rollback %s\n"), root, t->id);
  }
  return 0;
}

static int
rollback_offline (Ctl *ctl, const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtTransaction) t = NULL;
  g_autoptr(GPtrArray) restored = g_ptr_array_new ();
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  g_autoptr(GPtrArray) commands = NULL;
  gboolean changed;

  t = pt_journal_rollback (ctl->root, id, ctl->force, &error);
  if (t == NULL)
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }
  for (guint i = 0; i < t->files->len; i++)
    {
      PtJournalFile *f = g_ptr_array_index (t->files, i);

      if (f->outcome == PT_JOURNAL_FILE_RESTORED)
        g_ptr_array_add (restored, f->path);
      else if (f->outcome == PT_JOURNAL_FILE_REMOVED)
        g_ptr_array_add (removed, f->path);
    }
  changed = restored->len > 0 || removed->len > 0;
  /* a trial's one-time command becomes the one that clears it */
  commands = pt_trial_rollback_commands (t);

  if (ctl->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "transaction");
      json_builder_add_string_value (b, t->id);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, pt_transaction_state_to_string (t->state));
      json_builder_set_member_name (b, "previous_state");
      json_builder_add_string_value (b, pt_transaction_state_to_string (t->previous_state));
      json_builder_set_member_name (b, "restored");
      json_builder_begin_array (b);
      for (guint i = 0; i < restored->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (restored, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "removed");
      json_builder_begin_array (b);
      for (guint i = 0; i < removed->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (removed, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "removed_dirs");
      json_builder_begin_array (b);
      for (guint i = 0; t->removed_dirs[i] != NULL; i++)
        json_builder_add_string_value (b, t->removed_dirs[i]);
      json_builder_end_array (b);
      json_add_regenerate (b, changed ? commands : NULL);
      json_builder_end_object (b);
      print_json (json_builder_get_root (b));
      return 0;
    }

  switch (t->previous_state)
    {
    case PT_TRANSACTION_ROLLED_BACK:
      g_print (_("Transaction %s was already rolled back; nothing to do.\n"), t->id);
      return 0;
    case PT_TRANSACTION_APPLYING:
    case PT_TRANSACTION_ROLLING_BACK:
      g_print (_("Transaction %s had been interrupted and is now undone.\n"), t->id);
      break;
    case PT_TRANSACTION_APPLIED:
    default:
      g_print (_("Rolled back transaction %s under %s.\n"), t->id, ctl->root);
      break;
    }
  for (guint i = 0; i < restored->len; i++)
    g_print (_("  restored %s\n"), (char *) g_ptr_array_index (restored, i));
  for (guint i = 0; i < removed->len; i++)
    g_print (_("  removed %s\n"), (char *) g_ptr_array_index (removed, i));
  for (guint i = 0; t->removed_dirs[i] != NULL; i++)
    g_print (_("  removed the directory %s\n"), t->removed_dirs[i]);
  if (changed)
    print_regenerate_hints (ctl, commands);
  return 0;
}

/* ---- the daemon ---------------------------------------------------------- */

typedef struct
{
  GMainLoop  *loop;
  GVariant   *reply;
  GError     *error;
  char       *transaction;   /* the id Finished must carry; "" for any */
  gboolean    replied;
  gboolean    finished;
  gboolean    ok;
  char       *result;        /* Finished's JSON */
  gboolean    vanished;
  gboolean    rebind;        /* Bind, Unbind: no signals, the reply ends it */
} HelperCall;

static void
helper_call_clear (HelperCall *call)
{
  g_clear_pointer (&call->loop, g_main_loop_unref);
  g_clear_pointer (&call->reply, g_variant_unref);
  g_clear_error (&call->error);
  g_clear_pointer (&call->transaction, g_free);
  g_clear_pointer (&call->result, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HelperCall, helper_call_clear)

/* Errors that mean nobody answers for the helper's name: no system bus,
 * the service not installed (not activatable), or failing to start. */
static gboolean
helper_unavailable (const char *remote)
{
  const char *const names[] = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownObject",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.NoServer",
    "org.freedesktop.DBus.Error.FileNotFound",
    NULL,
  };

  return remote == NULL || g_strv_contains (names, remote)
    || g_str_has_prefix (remote, "org.freedesktop.DBus.Error.Spawn.");
}

/* Prints @error from the bus or the daemon and returns the exit status;
 * with @json (bind, unbind) also {"ok":false,"error"} on stdout. */
static int
report_helper_error (GError *error, gboolean rebind, gboolean json)
{
  g_autofree char *remote = g_dbus_error_get_remote_error (error);

  g_dbus_error_strip_remote_error (error);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, FALSE);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
      json_builder_end_object (b);
      print_json (json_builder_get_root (b));
    }
  if (helper_unavailable (remote))
    {
      g_printerr (_("The privileged helper passthroughd is not installed or not running: %s\n"),
                  error->message);
      g_printerr ("%s\n", _("Install Passthrough’s system service, or work on a copy of the "
                            "system with --root DIR."));
      return 1;
    }
  if (g_str_equal (remote, "org.freedesktop.DBus.Error.InvalidArgs"))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_USAGE;
    }
  if (g_str_equal (remote, "io.github.passthrough.Helper1.Error.NotAuthorized")
      || g_str_equal (remote, "org.freedesktop.DBus.Error.AccessDenied")
      || g_str_equal (remote, "org.freedesktop.DBus.Error.AuthFailed")
      || g_str_equal (remote, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"))
    {
      if (rebind)
        g_printerr (_("Not authorized to rebind devices: %s\n"), error->message);
      else
        g_printerr (_("Not authorized to change the boot configuration: %s\n"), error->message);
      return 1;
    }
  g_printerr ("%s\n", error->message);
  return 1;
}

static void
maybe_quit (HelperCall *call)
{
  /* An error, "nothing to change", or the end of the work. */
  if (call->replied && (call->error != NULL || call->finished || call->vanished
                        || (call->transaction != NULL && *call->transaction == '\0'
                            && call->reply != NULL
                            && g_variant_is_of_type (call->reply, G_VARIANT_TYPE ("(s)")))
                        /* Bind and Unbind: the reply is all there is */
                        || (call->rebind && call->reply != NULL)))
    g_main_loop_quit (call->loop);
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HelperCall *call = user_data;

  call->reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                               &call->error);
  call->replied = TRUE;
  if (call->reply != NULL && g_variant_is_of_type (call->reply, G_VARIANT_TYPE ("(s)")))
    {
      g_free (call->transaction);
      g_variant_get (call->reply, "(s)", &call->transaction);
    }
  maybe_quit (call);
}

static void
on_signal (GDBusConnection *connection, const char *sender, const char *path,
           const char *interface, const char *signal, GVariant *parameters,
           gpointer user_data)
{
  HelperCall *call = user_data;

  if (call->rebind)
    return;
  if (g_str_equal (signal, "Progress")
      && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sds)")))
    {
      const char *id;
      const char *message;
      double fraction;

      g_variant_get (parameters, "(&sd&s)", &id, &fraction, &message);
      if (call->transaction == NULL || *call->transaction == '\0'
          || g_str_equal (id, call->transaction))
        g_printerr ("[%3d%%] %s\n", (int) CLAMP (fraction * 100, 0, 100), message);
    }
  else if (g_str_equal (signal, "Finished")
           && g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sbs)")))
    {
      const char *id;
      const char *json;
      gboolean ok;

      g_variant_get (parameters, "(&sb&s)", &id, &ok, &json);
      if (call->transaction != NULL && *call->transaction != '\0'
          && !g_str_equal (id, call->transaction))
        return;
      /* Before the reply only a rollback of "the latest" waits for any id. */
      if (!call->replied && call->transaction == NULL)
        return;
      if (call->transaction == NULL || *call->transaction == '\0')
        {
          g_free (call->transaction);
          call->transaction = g_strdup (id);
        }
      call->finished = TRUE;
      call->ok = ok;
      g_free (call->result);
      call->result = g_strdup (json);
      maybe_quit (call);
    }
}

static void
on_name_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  HelperCall *call = user_data;

  /* Only after the reply: before it, the name may just not be activated yet. */
  if (call->replied)
    {
      call->vanished = TRUE;
      maybe_quit (call);
    }
}

/* The words of the Finished JSON ("modified", "done") for people. */
static const char *
finished_label (const char *word)
{
  static const struct
  {
    const char *word;
    const char *label;
  } labels[] = {
    { "created", N_("created") },
    { "modified", N_("changed") },
    { "removed", N_("removed") },
    { "restored", N_("restored") },
    { "unchanged", N_("unchanged") },
    { "done", N_("done") },
    { "failed", N_("failed") },
    { "not-run", N_("not run") },
  };

  for (guint i = 0; word != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (word, labels[i].word))
      return _(labels[i].label);
  return word != NULL ? word : "";
}

/* Prints what Finished says: the files and the commands. */
static void
print_finished (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  JsonArray *files = NULL;
  JsonArray *commands = NULL;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  obj = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (obj, "files")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "files")))
    files = json_object_get_array_member (obj, "files");
  if (json_object_has_member (obj, "commands")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "commands")))
    commands = json_object_get_array_member (obj, "commands");

  for (guint i = 0; files != NULL && i < json_array_get_length (files); i++)
    {
      JsonNode *node = json_array_get_element (files, i);
      JsonObject *f = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *path = f ? json_object_get_string_member_with_default (f, "path", NULL) : NULL;
      const char *change = f ? json_object_get_string_member_with_default (f, "change", "")
                             : "";

      if (path != NULL)
        g_print ("  %s %s\n", finished_label (change), path);
    }
  for (guint i = 0; commands != NULL && i < json_array_get_length (commands); i++)
    {
      JsonNode *node = json_array_get_element (commands, i);
      JsonObject *c = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;
      g_autofree char *line = NULL;
      const char *state;

      if (c == NULL || !json_object_has_member (c, "argv")
          || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (c, "argv")))
        continue;
      for (guint k = 0; k < json_array_get_length (json_object_get_array_member (c, "argv")); k++)
        {
          JsonNode *a = json_array_get_element (json_object_get_array_member (c, "argv"), k);

          if (JSON_NODE_HOLDS_VALUE (a) && json_node_get_value_type (a) == G_TYPE_STRING)
            g_strv_builder_add (argv, json_node_get_string (a));
        }
      strv = g_strv_builder_end (argv);
      line = quote_argv ((const char *const *) strv);
      state = json_object_get_string_member_with_default (c, "state", NULL);
      g_print ("  $ %s  (%s)\n", line, finished_label (state));
    }
}

static JsonNode *
parse_json_or_null (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return json_node_new (JSON_NODE_NULL);
  return json_node_copy (json_parser_get_root (parser));
}

/* Calls @method on passthroughd and waits for its Finished signal, printing
 * Progress on the way. Bind and Unbind (parameters "(as)") end with their
 * reply: {"ok":true} with --json, nothing printed otherwise. */
static int
call_helper (Ctl *ctl, const char *method, GVariant *parameters, const char *transaction)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_auto(HelperCall) call = { 0 };
  guint progress_id;
  guint finished_id;
  guint watch_id;

  g_variant_ref_sink (parameters);
  call.rebind = g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(as)"));
  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  if (bus == NULL)
    {
      g_variant_unref (parameters);
      return report_helper_error (error, call.rebind, call.rebind && ctl->json);
    }

  call.loop = g_main_loop_new (NULL, FALSE);
  call.transaction = g_strdup (transaction);
  progress_id = g_dbus_connection_signal_subscribe (bus, HELPER_BUS_NAME, HELPER_INTERFACE,
                                                    "Progress", HELPER_OBJECT_PATH, NULL,
                                                    G_DBUS_SIGNAL_FLAGS_NONE, on_signal,
                                                    &call, NULL);
  finished_id = g_dbus_connection_signal_subscribe (bus, HELPER_BUS_NAME, HELPER_INTERFACE,
                                                    "Finished", HELPER_OBJECT_PATH, NULL,
                                                    G_DBUS_SIGNAL_FLAGS_NONE, on_signal,
                                                    &call, NULL);
  watch_id = g_bus_watch_name_on_connection (bus, HELPER_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                             NULL, on_name_vanished, &call, NULL);
  /* Regenerating an initramfs can take minutes; polkit may ask for a
   * password first. */
  g_dbus_connection_call (bus, HELPER_BUS_NAME, HELPER_OBJECT_PATH, HELPER_INTERFACE, method,
                          parameters, NULL, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
                          G_MAXINT, NULL, on_reply, &call);
  g_variant_unref (parameters);
  g_main_loop_run (call.loop);
  g_dbus_connection_signal_unsubscribe (bus, progress_id);
  g_dbus_connection_signal_unsubscribe (bus, finished_id);
  g_bus_unwatch_name (watch_id);

  if (call.error != NULL)
    return report_helper_error (call.error, call.rebind, call.rebind && ctl->json);
  if (call.rebind)
    {
      if (ctl->json)
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "ok");
          json_builder_add_boolean_value (b, TRUE);
          json_builder_end_object (b);
          print_json (json_builder_get_root (b));
        }
      return 0;
    }

  if (ctl->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "transaction");
      if (call.transaction != NULL && *call.transaction != '\0')
        json_builder_add_string_value (b, call.transaction);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, call.finished ? call.ok : !call.vanished);
      json_builder_set_member_name (b, "result");
      json_builder_add_value (b, parse_json_or_null (call.result));
      json_builder_end_object (b);
      print_json (json_builder_get_root (b));
    }

  if (call.vanished && !call.finished)
    {
      g_printerr ("%s\n", _("passthroughd stopped before it had finished. Its journal keeps "
                            "the transaction: “passthroughctl rollback” undoes it."));
      return 1;
    }
  if (call.transaction == NULL || *call.transaction == '\0')
    {
      if (!ctl->json)
        g_print ("%s\n", _("Nothing to change: this system is already set up for these devices."));
      return 0;
    }
  if (!call.ok)
    {
      g_autoptr(JsonNode) node = parse_json_or_null (call.result);
      const char *message = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *obj = json_node_get_object (node);

          message = json_object_get_string_member_with_default (obj, "message", NULL);
          if (message == NULL)
            message = json_object_get_string_member_with_default (obj, "error", NULL);
        }
      g_printerr (_("Transaction %s failed: %s\n"), call.transaction,
                  message != NULL ? message : _("passthroughd gave no reason"));
      return 1;
    }
  if (!ctl->json)
    {
      g_autoptr(JsonNode) node = parse_json_or_null (call.result);
      const char *message = NULL;

      /* "already rolled back" and the like come from the daemon. */
      if (JSON_NODE_HOLDS_OBJECT (node))
        message = json_object_get_string_member_with_default (json_node_get_object (node),
                                                              "message", NULL);
      if (message != NULL)
        g_print ("%s\n", message);
      else if (g_str_equal (method, "Apply"))
        g_print (_("Applied transaction %s.\n"), call.transaction);
      else
        g_print (_("Rolled back transaction %s.\n"), call.transaction);
      print_finished (call.result);
    }
  return 0;
}

static int
cmd_apply (Ctl *ctl, char **args)
{
  GVariantBuilder options;

  if (!check_addresses (args))
    return EXIT_USAGE;
  if (!ctl->live)
    return apply_offline (ctl, args);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  if (ctl->trial)
    g_variant_builder_add (&options, "{sv}", "trial", g_variant_new_boolean (TRUE));
  if (ctl->allow_boot_vga)
    g_variant_builder_add (&options, "{sv}", "allow-boot-vga", g_variant_new_boolean (TRUE));
  if (ctl->allow_shared)
    g_variant_builder_add (&options, "{sv}", "allow-shared", g_variant_new_boolean (TRUE));
  return call_helper (ctl, "Apply",
                      g_variant_new ("(^as@a{sv})", args, g_variant_builder_end (&options)),
                      NULL);
}

static int
cmd_rollback (Ctl *ctl, char **args)
{
  const char *id = args[0];
  GVariantBuilder options;

  if (id != NULL && args[1] != NULL)
    {
      g_printerr ("%s\n", _("“rollback” takes at most one transaction id."));
      return EXIT_USAGE;
    }
  if (id != NULL && !pt_journal_id_is_valid (id))
    {
      g_printerr (_("“%s” is not a transaction id: ids are letters, digits and “-”, like "
                    "20250101T120000Z-3f2a.\n"), id);
      return EXIT_USAGE;
    }
  if (!ctl->live)
    return rollback_offline (ctl, id);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  if (ctl->force)
    g_variant_builder_add (&options, "{sv}", "force", g_variant_new_boolean (TRUE));
  return call_helper (ctl, "Rollback",
                      g_variant_new ("(s@a{sv})", id != NULL ? id : "",
                                     g_variant_builder_end (&options)),
                      id != NULL ? id : "");
}

/* "confirm": after a trial boot that came up with its arguments and the
 * devices on vfio-pci, the permanent change (which also removes the trial
 * entry). On the live system the daemon applies it and checks again; the
 * checks here only give the message before a password is asked for. */
static int
cmd_confirm (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtTrial) trial = NULL;
  g_autoptr(PtHost) host = NULL;
  GVariantBuilder options;

  if (args[0] != NULL)
    {
      g_printerr ("%s\n", _("“confirm” takes no arguments: it confirms the trial boot "
                            "waiting for it."));
      return EXIT_USAGE;
    }
  if (!ctl->live)
    return confirm_offline (ctl);

  trial = pt_trial_find_pending (ctl->root, &error);
  if (trial == NULL)
    {
      if (error != NULL)
        g_printerr ("%s\n", error->message);
      else
        g_printerr ("%s\n", _("No trial boot is waiting for confirmation on this system "
                              "(“apply --trial” starts one)."));
      return 1;
    }
  host = pt_host_load (ctl->root, PT_HOST_LOAD_NO_NAMES, &error);
  if (host == NULL || !pt_trial_check_booted (trial, host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  /* The permanent plan of the same devices, as the trial asked for them. */
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  if (trial->flags & PT_PLAN_ALLOW_BOOT_VGA)
    g_variant_builder_add (&options, "{sv}", "allow-boot-vga", g_variant_new_boolean (TRUE));
  if (trial->flags & PT_PLAN_ALLOW_SHARED)
    g_variant_builder_add (&options, "{sv}", "allow-shared", g_variant_new_boolean (TRUE));
  return call_helper (ctl, "Apply",
                      g_variant_new ("(^as@a{sv})", trial->addresses,
                                     g_variant_builder_end (&options)),
                      NULL);
}

/* "bind", "unbind": runtime rebinding of whole groups, through
 * passthroughd only: a tree under --root has no kernel to move devices. */
static int
rebind (Ctl *ctl, char **args, const char *method)
{
  g_autofree char *list = NULL;

  if (!check_addresses (args))
    return EXIT_USAGE;
  g_return_val_if_fail (ctl->live, EXIT_USAGE);
  if (call_helper (ctl, method, g_variant_new ("(^as)", args), NULL) != 0)
    return 1;
  if (!ctl->json)
    {
      list = g_strjoinv (" ", args);
      if (g_str_equal (method, "Bind"))
        g_print (_("The IOMMU groups of %s are on vfio-pci.\n"), list);
      else
        g_print (_("The IOMMU groups of %s are back with their drivers.\n"), list);
    }
  return 0;
}

static int
cmd_bind (Ctl *ctl, char **args)
{
  return rebind (ctl, args, "Bind");
}

static int
cmd_unbind (Ctl *ctl, char **args)
{
  return rebind (ctl, args, "Unbind");
}

/* ---- vm: libvirt domains (DESIGN.md "passthroughctl", issue 6) ------------ */

/* This file builds two programs. passthroughctl itself (PT_CLI_VM 0) does
 * not link libvirt, whose libraries would double the memory and add to the
 * start-up time of every other command: it hands "vm" to passthroughctl-vm
 * (PT_CLI_VM 1, the same code with the vm commands), with the same
 * arguments. */
#if PT_CLI_VM

static int
vm_exit_for_error (const GError *error)
{
  if (error->domain == PT_VM_ERROR && error->code == PT_VM_ERROR_INVALID_ARGUMENT)
    return EXIT_USAGE;
  return exit_for_error (error);
}

/* The libvirt URI is remote when it names a host or a transport. */
static gboolean
uri_is_remote (const char *uri)
{
  const char *scheme_end = strstr (uri, "://");

  if (scheme_end == NULL)
    return FALSE;
  return memchr (uri, '+', scheme_end - uri) != NULL || scheme_end[3] != '/';
}

/* The host whose groups are used: --root / --snapshot when given, the
 * hypervisor's node devices for a remote URI, else this machine. */
static PtHost *
vm_load_host (Ctl *ctl, PtVmConnection *connection, GError **error)
{
  if (ctl->snapshot != NULL)
    return pt_host_load_snapshot (ctl->snapshot, error);
  if (!ctl->root_given && connection != NULL && uri_is_remote (ctl->connect))
    return pt_vm_connection_load_host (connection, error);
  return pt_host_load (ctl->root, PT_HOST_LOAD_DEFAULT, error);
}

static void
vm_print_issues (Ctl *ctl, GPtrArray *issues)
{
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      PtVmIssue *issue = g_ptr_array_index (issues, i);
      g_autofree char *line = g_strdup_printf ("%s %s", issue->message, issue->fix ? issue->fix : "");

      g_printerr ("%s%s\n", _("Warning: "), line);
    }
}

static void
vm_json_result (Ctl *ctl, PtVmResult *result, const char *op)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "uri");
  json_builder_add_string_value (b, ctl->connect);
  json_builder_set_member_name (b, "operation");
  json_builder_add_string_value (b, op);
  json_builder_set_member_name (b, "domain");
  json_builder_add_string_value (b, result->domain);
  json_builder_set_member_name (b, "changed");
  json_builder_add_boolean_value (b, result->changed);
  json_builder_set_member_name (b, "written");
  json_builder_add_boolean_value (b, result->changed && !ctl->print_xml);
  if (g_str_equal (op, "create"))
    pt_json_add_string_or_null (b, "disk", result->disk_path);
  else
    {
      json_builder_set_member_name (b, "running");
      json_builder_add_boolean_value (b, result->running);
      json_builder_set_member_name (b, "live");
      json_builder_add_string_value (b, pt_vm_live_to_string (result->live));
      pt_json_add_string_or_null (b, "live_error", result->live_error);
    }
  json_builder_set_member_name (b, "summary");
  json_builder_begin_array (b);
  for (guint i = 0; result->summary != NULL && i < result->summary->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (result->summary, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; result->issues != NULL && i < result->issues->len; i++)
    {
      PtVmIssue *issue = g_ptr_array_index (result->issues, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, pt_vm_issue_kind_to_string (issue->kind));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, issue->message);
      pt_json_add_string_or_null (b, "fix", issue->fix);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "diff");
  json_builder_add_string_value (b, result->diff != NULL ? result->diff : "");
  json_builder_set_member_name (b, "xml");
  json_builder_add_string_value (b, result->after != NULL ? result->after : "");
  json_builder_end_object (b);
  print_json (json_builder_get_root (b));
}

/* What --live did to the running domain; 1 when it refused. */
static int
vm_print_live (PtVmResult *result, PtVmOp op)
{
  switch (result->live)
    {
    case PT_VM_LIVE_APPLIED:
      if (op == PT_VM_OP_ATTACH)
        g_print (_("The running domain “%s” has the devices now.\n"), result->domain);
      else
        g_print (_("The devices are back with their host drivers.\n"));
      return 0;
    case PT_VM_LIVE_PENDING:
      g_print (_("The running domain “%s” was asked to release the devices; its guest has not "
                 "done so yet. They leave when the guest lets them go, at the latest when the "
                 "domain shuts down; run the same command again then to give them back to "
                 "their host drivers.\n"), result->domain);
      return 0;
    case PT_VM_LIVE_FAILED:
      g_printerr (_("%s The stored definition is changed: the domain gets it at its next start.\n"),
                  result->live_error);
      return 1;
    case PT_VM_LIVE_NONE:
    default:
      return 0;
    }
}

static int
vm_list (Ctl *ctl, PtVmConnection *connection, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(GPtrArray) domains = NULL;

  if (args[0] != NULL)
    {
      g_printerr (_("“vm list” takes no arguments.\n"));
      return EXIT_USAGE;
    }
  if (ctl->gpus != NULL)
    {
      if (!check_addresses (ctl->gpus))
        return EXIT_USAGE;
      host = vm_load_host (ctl, connection, &error);
      if (host != NULL)
        plan = pt_plan_new (host, (const char *const *) ctl->gpus, plan_flags (ctl), &error);
      if (plan == NULL)
        {
          g_printerr ("%s\n", error->message);
          return exit_for_error (error);
        }
    }
  domains = pt_vm_connection_list_domains (connection, plan, &error);
  if (domains == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (ctl->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "uri");
      json_builder_add_string_value (b, ctl->connect);
      json_builder_set_member_name (b, "domains");
      json_builder_begin_array (b);
      for (guint i = 0; i < domains->len; i++)
        {
          PtVmDomainInfo *info = g_ptr_array_index (domains, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, info->name);
          json_builder_set_member_name (b, "uuid");
          json_builder_add_string_value (b, info->uuid);
          json_builder_set_member_name (b, "state");
          json_builder_add_string_value (b, pt_vm_state_to_string (info->state));
          json_builder_set_member_name (b, "persistent");
          json_builder_add_boolean_value (b, info->persistent);
          json_builder_set_member_name (b, "hostdevs");
          json_builder_begin_array (b);
          for (guint j = 0; info->hostdevs[j] != NULL; j++)
            json_builder_add_string_value (b, info->hostdevs[j]);
          json_builder_end_array (b);
          if (plan != NULL)
            {
              json_builder_set_member_name (b, "has_devices");
              json_builder_add_boolean_value (b, info->has_plan);
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (json_builder_get_root (b));
      return 0;
    }
  if (domains->len == 0)
    {
      g_print (_("No domains on %s.\n"), ctl->connect);
      return 0;
    }
  {
    g_autofree char *name = pad (_("Name"), 24);
    g_autofree char *state = pad (_("State"), 8);

    g_print ("%s %s %s\n", name, state, _("PCI host devices"));
  }
  for (guint i = 0; i < domains->len; i++)
    {
      PtVmDomainInfo *info = g_ptr_array_index (domains, i);
      g_autofree char *name = pad (info->name, 24);
      g_autofree char *state = pad (pt_vm_state_to_string (info->state), 8);
      g_autofree char *devs = g_strjoinv (" ", info->hostdevs);

      g_print ("%s %s %s%s\n", name, state, *devs ? devs : "-",
               plan != NULL && info->has_plan ? _("  (has the devices)") : "");
    }
  return 0;
}

/* create with --print-xml: no hypervisor needed; the defaults come from the
 * host root and the disk is the default pool's usual path. */
static int
vm_print_offline (Ctl *ctl, PtPlan *plan, PtVmOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtVmResult) result = g_new0 (PtVmResult, 1);
  PtVmResources resources = { 0 };

  if (pt_host_get_root (plan->host) != NULL)
    pt_vm_resources_from_root (pt_host_get_root (plan->host), &resources);
  pt_vm_options_fill_defaults (options, &resources);
  if (options->disk_path == NULL)
    options->disk_path = g_strdup_printf ("/var/lib/libvirt/images/%s.qcow2", options->name);
  result->domain = g_strdup (options->name);
  result->after = pt_vm_build_xml (plan, options, &error);
  if (result->after == NULL)
    {
      g_printerr ("%s\n", error->message);
      return vm_exit_for_error (error);
    }
  result->issues = pt_vm_check_xml (NULL, options->name, plan, NULL, NULL);
  result->changed = TRUE;
  result->disk_path = g_strdup (options->disk_path);
  result->summary = g_ptr_array_new_with_free_func (g_free);
  if (ctl->json)
    vm_json_result (ctl, result, "create");
  else
    {
      vm_print_issues (ctl, result->issues);
      g_print ("%s", result->after);
    }
  return 0;
}

static int
vm_change (Ctl *ctl, PtVmConnection *connection, PtVmOp op, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtPlan) plan = NULL;
  g_autoptr(PtVmOptions) options = NULL;
  g_autoptr(PtVmResult) result = NULL;
  const char *name = args[0];
  char **addresses = op == PT_VM_OP_CREATE ? ctl->gpus : (name != NULL ? args + 1 : NULL);
  const char *op_name = op == PT_VM_OP_CREATE ? "create" : op == PT_VM_OP_ATTACH ? "attach" : "detach";

  if (name == NULL || *name == '-')
    {
      g_printerr (op == PT_VM_OP_CREATE ? _("“vm create” needs a name: vm create NAME --gpu ADDRESS.\n")
                                        : _("“vm %s” needs a domain and at least one PCI address.\n"),
                  op_name);
      return EXIT_USAGE;
    }
  if (op == PT_VM_OP_CREATE && args[1] != NULL)
    {
      g_printerr (_("“vm create” takes one name; give the devices with --gpu ADDRESS.\n"));
      return EXIT_USAGE;
    }
  if (addresses == NULL || addresses[0] == NULL)
    {
      g_printerr (op == PT_VM_OP_CREATE ? _("“vm create” needs at least one --gpu ADDRESS, e.g. --gpu 01:00.0.\n")
                                        : _("“vm %s” needs a domain and at least one PCI address.\n"),
                  op_name);
      return EXIT_USAGE;
    }
  if (!check_addresses (addresses))
    return EXIT_USAGE;
  if (ctl->memory < 0 || ctl->vcpus < 0)
    {
      g_printerr (_("--memory and --vcpus must be positive numbers.\n"));
      return EXIT_USAGE;
    }

  host = vm_load_host (ctl, connection, &error);
  if (host != NULL)
    plan = pt_plan_new (host, (const char *const *) addresses, plan_flags (ctl), &error);
  if (plan == NULL)
    {
      g_printerr ("%s\n", error->message);
      return exit_for_error (error);
    }

  if (op == PT_VM_OP_CREATE)
    {
      options = pt_vm_options_new (name);
      options->memory_mib = (guint64) ctl->memory;
      options->vcpus = (guint) ctl->vcpus;
      options->disk_path = g_strdup (ctl->disk);
      options->iso_path = g_strdup (ctl->iso);
      if (connection == NULL)
        return vm_print_offline (ctl, plan, options);
    }

  result = pt_vm_connection_run (connection, op, name, plan, options,
                                 (ctl->print_xml ? PT_VM_RUN_PREVIEW : PT_VM_RUN_DEFAULT)
                                 | (ctl->hotplug ? PT_VM_RUN_LIVE : PT_VM_RUN_DEFAULT),
                                 NULL, &error);
  if (result == NULL)
    {
      g_printerr ("%s\n", error->message);
      return vm_exit_for_error (error);
    }
  if (ctl->json)
    {
      vm_json_result (ctl, result, op_name);
      return result->live == PT_VM_LIVE_FAILED ? 1 : 0;
    }
  vm_print_issues (ctl, result->issues);
  if (ctl->print_xml)
    {
      g_print ("%s", result->after);
      return 0;
    }
  if (!result->changed)
    {
      g_autofree char *list = g_strjoinv (" ", addresses);

      if (op == PT_VM_OP_ATTACH)
        g_print (_("The domain “%s” already has %s; nothing changed.\n"), name, list);
      else
        g_print (_("The domain “%s” does not have %s; nothing changed.\n"), name, list);
    }
  else
    {
      for (guint i = 0; i < result->summary->len; i++)
        g_print ("%s\n", (const char *) g_ptr_array_index (result->summary, i));
      if (op == PT_VM_OP_CREATE)
        g_print (_("The domain “%s” is defined on %s. Start it with “virsh -c %s start %s”.\n"),
                 name, ctl->connect, ctl->connect, name);
      else if (result->running && !ctl->hotplug)
        g_print (_("The domain “%s” is changed; it runs, so the change takes effect at its next "
                   "start (or now, with --live).\n"), name);
      else
        g_print (_("The domain “%s” is changed; it takes effect at its next start.\n"), name);
    }
  return vm_print_live (result, op);
}

static int
cmd_vm (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtVmConnection) connection = NULL;
  const char *sub = args[0];
  PtVmOp op;

  if (sub == NULL)
    {
      g_printerr ("%s\n", _("“vm” needs a subcommand: list, create, attach or detach."));
      return EXIT_USAGE;
    }
  if (g_str_equal (sub, "create"))
    op = PT_VM_OP_CREATE;
  else if (g_str_equal (sub, "attach"))
    op = PT_VM_OP_ATTACH;
  else if (g_str_equal (sub, "detach"))
    op = PT_VM_OP_DETACH;
  else if (!g_str_equal (sub, "list"))
    {
      g_printerr (_("Unknown vm subcommand “%s”: use list, create, attach or detach.\n"), sub);
      return EXIT_USAGE;
    }
  else
    op = -1;
  if ((int) op != PT_VM_OP_CREATE
      && (ctl->memory != 0 || ctl->vcpus != 0 || ctl->disk != NULL || ctl->iso != NULL))
    {
      g_printerr ("%s\n", _("--memory, --vcpus, --disk and --iso are options of “vm create”."));
      return EXIT_USAGE;
    }
  if (ctl->hotplug && op != PT_VM_OP_ATTACH && op != PT_VM_OP_DETACH)
    {
      g_printerr ("%s\n", _("--live is an option of “vm attach” and “vm detach”: a new domain "
                             "is not running yet."));
      return EXIT_USAGE;
    }
  if (ctl->gpus != NULL && (op == PT_VM_OP_ATTACH || op == PT_VM_OP_DETACH))
    {
      g_printerr (_("“vm %s” takes the addresses as arguments, not with --gpu.\n"), sub);
      return EXIT_USAGE;
    }
  if (ctl->root_given && ctl->snapshot == NULL && !g_file_test (ctl->root, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_("The host root %s does not exist or is not a directory.\n"), ctl->root);
      return 1;
    }

  /* vm create --print-xml needs no hypervisor. */
  if (!(op == PT_VM_OP_CREATE && ctl->print_xml))
    {
      connection = pt_vm_connection_open (ctl->connect, NULL, &error);
      if (connection == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }
  if ((int) op == -1)
    return vm_list (ctl, connection, args + 1);
  return vm_change (ctl, connection, op, args + 1);
}

#else /* !PT_CLI_VM */

static char **original_argv;  /* the command line as given, for the hand-over */

/* PASSTHROUGHCTL_VM (tests, meson devenv), else beside this program (the
 * build tree), else the installed one. */
static char *
find_vm_program (void)
{
  const char *env = g_getenv ("PASSTHROUGHCTL_VM");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return pt_fileutil_find_companion ("passthroughctl-vm", G_FILE_TEST_IS_EXECUTABLE,
                                     PT_LIBEXECDIR "/passthroughctl-vm");
}

static int
cmd_vm (Ctl *ctl, char **args)
{
  g_autofree char *program = find_vm_program ();

  fflush (stdout);
  execv (program, original_argv);
  g_printerr (_("The vm commands are a program of their own, %s, which cannot be run (%s). "
                "Install Passthrough’s libvirt support with it.\n"),
              program, g_strerror (errno));
  return 1;
}

#endif /* PT_CLI_VM */

typedef struct
{
  const char *name;
  int (*run) (Ctl *ctl, char **args);
  gboolean takes_addresses;
  gboolean changes_root;   /* through the daemon on "/", the journal elsewhere;
                            * never on a snapshot */
  gboolean needs_host;     /* read the host first (offline only for changes) */
  gboolean live_only;      /* through the daemon only: no --root, no --snapshot */
} Command;

static const Command commands[] = {
  { "status", cmd_status, FALSE, FALSE, TRUE },
  { "groups", cmd_groups, FALSE, FALSE, TRUE },
  { "gpus", cmd_gpus, FALSE, FALSE, TRUE },
  { "plan", cmd_plan, TRUE, FALSE, TRUE },
  { "apply", cmd_apply, TRUE, TRUE, TRUE },
  { "rollback", cmd_rollback, FALSE, TRUE, FALSE },
  { "confirm", cmd_confirm, FALSE, TRUE, TRUE },
  { "snapshot", cmd_snapshot, FALSE, FALSE, TRUE },
  { "bind", cmd_bind, TRUE, TRUE, FALSE, TRUE },
  { "unbind", cmd_unbind, TRUE, TRUE, FALSE, TRUE },
  { "vm", cmd_vm, FALSE, FALSE, FALSE },
};

/* TRUE when @root is the running system's "/" (also through "//" or a
 * symlink to it): changes then go through passthroughd. */
static gboolean
root_is_live (const char *root)
{
  char resolved[PATH_MAX];

  if (root == NULL)
    return TRUE;
  if (realpath (root, resolved) == NULL)
    return FALSE;
  return g_str_equal (resolved, "/");
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *snapshot = NULL;
  g_autofree char *connect_uri = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *iso = NULL;
  g_auto(GStrv) gpus = NULL;
  gboolean version = FALSE;
  Ctl ctl = { 0 };
  const Command *command = NULL;
  int status;
  const char *localedir = g_getenv ("PASSTHROUGH_LOCALEDIR");
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
      N_("Read the host from this directory instead of / (like bootctl --root)"), N_("DIR") },
    { "snapshot", 0, 0, G_OPTION_ARG_FILENAME, &snapshot,
      N_("Read the host from a snapshot file made by “passthroughctl snapshot”"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &ctl.json, N_("Print JSON on standard output"), NULL },
    { "allow-boot-vga", 0, 0, G_OPTION_ARG_NONE, &ctl.allow_boot_vga,
      N_("plan, apply: allow passing through the boot display"), NULL },
    { "allow-shared", 0, 0, G_OPTION_ARG_NONE, &ctl.allow_shared,
      N_("plan, apply: take a shared IOMMU group whole"), NULL },
    { "trial", 0, 0, G_OPTION_ARG_NONE, &ctl.trial,
      N_("apply: boot the new configuration once; without confirmation the next boot "
         "uses the old one"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &ctl.force,
      N_("rollback: restore files even when they were changed since the transaction"), NULL },
    { "connect", 0, 0, G_OPTION_ARG_STRING, &connect_uri,
      N_("vm: the libvirt URI (default qemu:///system)"), N_("URI") },
    { "gpu", 0, 0, G_OPTION_ARG_STRING_ARRAY, &gpus,
      N_("vm create, vm list: a GPU (or other device) to pass through; repeat for more"), N_("ADDRESS") },
    { "memory", 0, 0, G_OPTION_ARG_INT, &ctl.memory,
      N_("vm create: memory in MiB (default: a quarter of the host’s, 4–16 GiB)"), N_("MIB") },
    { "vcpus", 0, 0, G_OPTION_ARG_INT, &ctl.vcpus,
      N_("vm create: virtual CPUs (default: half the host’s)"), N_("N") },
    { "disk", 0, 0, G_OPTION_ARG_FILENAME, &disk,
      N_("vm create: an existing disk image (default: a new 64 GiB qcow2 volume in the pool "
         "“default”)"), N_("PATH") },
    { "iso", 0, 0, G_OPTION_ARG_FILENAME, &iso,
      N_("vm create: an installation medium, attached as a SATA CD-ROM"), N_("PATH") },
    { "print-xml", 0, 0, G_OPTION_ARG_NONE, &ctl.print_xml,
      N_("vm create, attach, detach: print the domain XML instead of defining it"), NULL },
    { "live", 0, 0, G_OPTION_ARG_NONE, &ctl.hotplug,
      N_("vm attach, detach: also change a running domain now (hotplug); without it, a "
         "running domain gets the change at its next start"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { NULL }
  };

#if !PT_CLI_VM
  /* GOption takes what it parses out of argv; "vm" hands over the whole. */
  original_argv = g_strdupv (argv);
#endif
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ADDRESS…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Check a host for GPU passthrough, plan the changes and make them.\n\n"
      "Commands:\n"
      "  status              readiness checks, each with a fix\n"
      "  groups              IOMMU groups and their devices\n"
      "  gpus                GPUs with their verdicts\n"
      "  plan ADDRESS…       what passing these devices through takes\n"
      "  apply ADDRESS…      make those changes as one transaction (through\n"
      "                      passthroughd; with --root, offline on that tree)\n"
      "  rollback [ID]       undo the latest (or the named) transaction byte for byte\n"
      "  confirm             after a good trial boot (apply --trial), keep the change\n"
      "  bind ADDRESS…       move their IOMMU groups to vfio-pci now, until the next\n"
      "                      boot (through passthroughd; the live system only)\n"
      "  unbind ADDRESS…     give their IOMMU groups back to their drivers\n"
      "  snapshot            the whole host as JSON, for --snapshot\n"
      "  vm list             libvirt domains and their PCI host devices\n"
      "  vm create NAME --gpu ADDRESS…\n"
      "                      define a Q35 + UEFI domain with the devices passed through\n"
      "  vm attach DOMAIN ADDRESS…\n"
      "                      add the devices (their groups and companions) to a domain\n"
      "  vm detach DOMAIN ADDRESS…\n"
      "                      remove them again; nothing else in the domain changes"));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n%s\n", error->message,
                  _("Run “passthroughctl --help” to see the commands and options."));
      return EXIT_USAGE;
    }
  if (version)
    {
      g_print ("passthroughctl %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (argc < 2)
    {
      g_printerr ("%s\n", _("No command given. Run “passthroughctl --help” to see the commands."));
      return EXIT_USAGE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      command = &commands[i];
  if (command == NULL)
    {
      g_printerr (_("Unknown command “%s”. Run “passthroughctl --help” to see the commands.\n"),
                  argv[1]);
      return EXIT_USAGE;
    }
  if (command->takes_addresses && argc < 3)
    {
      g_printerr (_("“%s” needs at least one PCI address, e.g. 01:00.0.\n"), command->name);
      return EXIT_USAGE;
    }
  if (root != NULL && snapshot != NULL)
    {
      g_printerr ("%s\n", _("Give either --root or --snapshot, not both."));
      return EXIT_USAGE;
    }
  if (command->live_only && (snapshot != NULL || (root != NULL && !root_is_live (root))))
    {
      g_printerr (_("“%s” rebinds devices on the running system through passthroughd, so it "
                    "needs the live system: give neither --root nor --snapshot.\n"),
                  command->name);
      return EXIT_USAGE;
    }
  if (command->changes_root && snapshot != NULL)
    {
      g_printerr (_("“%s” changes files, and a snapshot has none: give --root DIR, or "
                    "nothing for this system.\n"), command->name);
      return EXIT_USAGE;
    }
  ctl.root = root != NULL ? root : "/";
  ctl.live = root_is_live (root);
  ctl.root_given = root != NULL || snapshot != NULL;
  ctl.snapshot = snapshot;
#if PT_CLI_VM
  ctl.connect = connect_uri != NULL ? connect_uri : PT_VM_DEFAULT_URI;
#endif
  ctl.disk = disk;
  ctl.iso = iso;
  ctl.gpus = gpus;
  ctl.width = ctl.json ? 0 : terminal_width ();
  /* On the live system the daemon reads the host itself. */
  if (command->changes_root && ctl.live)
    return command->run (&ctl, argv + 2);
  if (command->changes_root && !g_file_test (ctl.root, G_FILE_TEST_IS_DIR))
    {
      g_printerr (_("The host root %s does not exist or is not a directory.\n"), ctl.root);
      return 1;
    }
  if (!command->needs_host)
    return command->run (&ctl, argv + 2);
  /* groups and gpus need neither capabilities nor module look-ups: keep
   * them as fast as lspci. */
  if (snapshot != NULL)
    ctl.host = pt_host_load_snapshot (snapshot, &error);
  else
    ctl.host = pt_host_load (root ? root : "/", PT_HOST_LOAD_DEFAULT, &error);
  if (ctl.host == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  status = command->run (&ctl, argv + 2);
  g_object_unref (ctl.host);
  return status;
}
