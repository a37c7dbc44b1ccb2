/* passthroughctl: the host core from a terminal (DESIGN.md "passthroughctl").
 * JSON goes to stdout, messages to stderr; exit 0 on success, 1 on failure
 * or refusal, 2 on a usage error. */
#define G_LOG_DOMAIN "passthroughctl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pt-checks.h"
#include "pt-host.h"
#include "pt-json.h"
#include "pt-plan.h"
#include "pt-verdict.h"

#define EXIT_USAGE 2

typedef struct
{
  PtHost   *host;
  gboolean  json;
  gboolean  allow_boot_vga;
  gboolean  allow_shared;
  int       width;      /* 0: do not shorten lines (not a terminal) */
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
  return 1;
}

static int
cmd_plan (Ctl *ctl, char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPlan) plan = NULL;
  PtPlanFlags flags = PT_PLAN_FLAGS_NONE;

  if (ctl->allow_boot_vga)
    flags |= PT_PLAN_ALLOW_BOOT_VGA;
  if (ctl->allow_shared)
    flags |= PT_PLAN_ALLOW_SHARED;

  if (!pt_host_ensure_details (ctl->host, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  plan = pt_plan_new (ctl->host, (const char *const *) args, flags, &error);
  if (plan == NULL)
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
  for (guint i = 0; i < plan->changes->len; i++)
    {
      PtPlanChange *c = g_ptr_array_index (plan->changes, i);

      g_print ("\n%s\n%s", c->path, c->diff);
    }
  for (guint i = 0; i < plan->warnings->len; i++)
    print_wrapped (_("Warning: "), g_ptr_array_index (plan->warnings, i), 0, ctl->width);
  for (guint i = 0; i < plan->notes->len; i++)
    print_wrapped (_("Note: "), g_ptr_array_index (plan->notes, i), 0, ctl->width);
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

typedef struct
{
  const char *name;
  int (*run) (Ctl *ctl, char **args);
  gboolean takes_addresses;
} Command;

static const Command commands[] = {
  { "status", cmd_status, FALSE },
  { "groups", cmd_groups, FALSE },
  { "gpus", cmd_gpus, FALSE },
  { "plan", cmd_plan, TRUE },
  { "snapshot", cmd_snapshot, FALSE },
};

/* In the contract, built on the privileged helper and libvirt. */
static const char *const later_commands[] = {
  "apply", "rollback", "confirm", "bind", "unbind", "vm", NULL,
};

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *snapshot = NULL;
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
      N_("plan: allow passing through the boot display"), NULL },
    { "allow-shared", 0, 0, G_OPTION_ARG_NONE, &ctl.allow_shared,
      N_("plan: take a shared IOMMU group whole"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ADDRESS…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
    _("Check a host for GPU passthrough and plan the changes.\n\n"
      "Commands:\n"
      "  status              readiness checks, each with a fix\n"
      "  groups              IOMMU groups and their devices\n"
      "  gpus                GPUs with their verdicts\n"
      "  plan ADDRESS…       what passing these devices through takes\n"
      "  snapshot            the whole host as JSON, for --snapshot"));

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
      if (g_strv_contains (later_commands, argv[1]))
        {
          g_printerr (_("“%s” is not available in this version of passthroughctl yet.\n"),
                      argv[1]);
          return 1;
        }
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

  ctl.width = ctl.json ? 0 : terminal_width ();
  status = command->run (&ctl, argv + 2);
  g_object_unref (ctl.host);
  return status;
}
