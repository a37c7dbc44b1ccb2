/* pt-trial.c: trial boots: the plan, its record in the journal, the checks
 * before confirming, and what rolling one back runs. */
#define G_LOG_DOMAIN "pt-trial"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>

#include "pt-trial.h"
#include "pt-bootconf-private.h"
#include "pt-fileutil.h"
#include "pt-json.h"

/* The names of the plan flags in the journal's record (the daemon's option
 * names). */
static const struct
{
  PtPlanFlags  flag;
  const char  *name;
} flag_names[] = {
  { PT_PLAN_ALLOW_BOOT_VGA, "allow-boot-vga" },
  { PT_PLAN_ALLOW_SHARED, "allow-shared" },
};

/* ---- planning ------------------------------------------------------------ */

void
pt_trial_plan_free (PtTrialPlan *tp)
{
  if (tp == NULL)
    return;
  pt_plan_free (tp->plan);
  pt_bootconf_trial_clear (&tp->boot);
  g_free (tp);
}

PtTrialPlan *
pt_trial_plan_new (PtHost             *host,
                   const char *const  *addresses,
                   PtPlanFlags         flags,
                   GError            **error)
{
  g_autoptr(PtTrialPlan) tp = g_new0 (PtTrialPlan, 1);

  g_return_val_if_fail (PT_IS_HOST (host), NULL);

  pt_bootconf_trial_init (&tp->boot);
  tp->flags = flags;
  tp->plan = pt_plan_new (host, addresses, flags, error);
  if (tp->plan == NULL)
    return NULL;
  if (!pt_bootconf_plan_trial (tp->plan, &tp->boot, error))
    return NULL;
  return g_steal_pointer (&tp);
}

static void
add_strings (JsonBuilder *b, const char *member, const char *const *strv, GPtrArray *array)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  for (guint i = 0; array != NULL && i < array->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (array, i));
  json_builder_end_array (b);
}

static void
add_flags (JsonBuilder *b, PtPlanFlags flags)
{
  json_builder_set_member_name (b, "flags");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    if (flags & flag_names[i].flag)
      json_builder_add_string_value (b, flag_names[i].name);
  json_builder_end_array (b);
}

JsonNode *
pt_trial_plan_to_json (PtTrialPlan *tp)
{
  g_autoptr(JsonNode) plan_node = pt_json_plan (tp->plan);
  g_autofree char *plan_text = pt_json_to_string (plan_node, FALSE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) addresses = g_ptr_array_new ();
  g_autoptr(GPtrArray) devices = g_ptr_array_new ();
  JsonNode *root;

  g_return_val_if_fail (tp != NULL, NULL);

  /* pt_json_plan() builds an immutable tree: add to a copy. */
  if (!json_parser_load_from_data (parser, plan_text, -1, NULL))
    g_return_val_if_reached (NULL);
  root = json_node_copy (json_parser_get_root (parser));

  for (guint i = 0; i < tp->plan->requested->len; i++)
    g_ptr_array_add (addresses,
                     (gpointer) pt_device_get_address (g_ptr_array_index (tp->plan->requested, i)));
  for (guint i = 0; i < tp->plan->devices->len; i++)
    g_ptr_array_add (devices,
                     (gpointer) pt_device_get_address (g_ptr_array_index (tp->plan->devices, i)));

  json_builder_begin_object (b);
  pt_json_add_string_or_null (b, "bootloader", tp->boot.bootloader);
  pt_json_add_string_or_null (b, "entry", tp->boot.entry);
  add_strings (b, "args", NULL, tp->boot.args);
  add_strings (b, "files", NULL, tp->boot.files);
  add_strings (b, "oneshot", (const char *const *) tp->boot.oneshot, NULL);
  add_strings (b, "addresses", NULL, addresses);
  add_strings (b, "devices", NULL, devices);
  add_strings (b, "kernel_args", (const char *const *) tp->plan->kernel_args, NULL);
  add_flags (b, tp->flags);
  json_builder_end_object (b);
  json_object_set_member (json_node_get_object (root), "trial", json_builder_get_root (b));
  return root;
}

/* ---- the journal's record ---------------------------------------------- */

void
pt_trial_free (PtTrial *trial)
{
  if (trial == NULL)
    return;
  g_free (trial->transaction);
  g_free (trial->bootloader);
  g_free (trial->entry);
  g_strfreev (trial->addresses);
  g_strfreev (trial->devices);
  g_strfreev (trial->kernel_args);
  g_strfreev (trial->args);
  g_strfreev (trial->files);
  g_strfreev (trial->oneshot);
  g_free (trial);
}

static gboolean
read_strings (JsonObject *obj, const char *member, gboolean paths, GStrv *out)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      const char *s;

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return FALSE;
      s = json_node_get_string (e);
      if (paths && !pt_fileutil_path_is_safe (s))
        return FALSE;
      g_strv_builder_add (builder, s);
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
read_string (JsonObject *obj, const char *member, char **out)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* The trial record of @t's summary; NULL with @error when it is damaged. */
static PtTrial *
trial_from_transaction (PtTransaction *t, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PtTrial) trial = g_new0 (PtTrial, 1);
  g_auto(GStrv) flags = NULL;
  JsonNode *root;
  JsonNode *node;
  JsonObject *obj;

  if (t->summary == NULL || !json_parser_load_from_data (parser, t->summary, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser)))
      || (node = json_object_get_member (json_node_get_object (root), "trial")) == NULL
      || !JSON_NODE_HOLDS_OBJECT (node))
    goto damaged;
  obj = json_node_get_object (node);
  if (!read_string (obj, "bootloader", &trial->bootloader)
      || !read_string (obj, "entry", &trial->entry)
      || !read_strings (obj, "addresses", FALSE, &trial->addresses)
      || !read_strings (obj, "devices", FALSE, &trial->devices)
      || !read_strings (obj, "kernel_args", FALSE, &trial->kernel_args)
      || !read_strings (obj, "args", FALSE, &trial->args)
      || !read_strings (obj, "files", TRUE, &trial->files)
      || !read_strings (obj, "oneshot", FALSE, &trial->oneshot)
      || !read_strings (obj, "flags", FALSE, &flags)
      || trial->addresses[0] == NULL)
    goto damaged;
  for (guint i = 0; flags[i] != NULL; i++)
    for (guint k = 0; k < G_N_ELEMENTS (flag_names); k++)
      if (g_str_equal (flags[i], flag_names[k].name))
        trial->flags |= flag_names[k].flag;
  trial->transaction = g_strdup (t->id);
  return g_steal_pointer (&trial);

damaged:
  g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
               _("The journal’s record of trial transaction %s cannot be read. Roll it back "
                 "with “passthroughctl rollback %s”"), t->id, t->id);
  return NULL;
}

/* TRUE when every trial file of @trial still holds what @t wrote. */
static gboolean
trial_files_present (const char *root, PtTransaction *t, PtTrial *trial)
{
  if (trial->files[0] == NULL)
    return FALSE;
  for (guint i = 0; trial->files[i] != NULL; i++)
    {
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (root, trial->files[i], NULL);
      g_autofree char *sha = NULL;
      PtJournalFile *record = NULL;

      for (guint k = 0; k < t->files->len && record == NULL; k++)
        if (g_str_equal (((PtJournalFile *) g_ptr_array_index (t->files, k))->path,
                         trial->files[i]))
          record = g_ptr_array_index (t->files, k);
      if (bytes == NULL || record == NULL || record->sha256_after == NULL)
        return FALSE;
      sha = pt_fileutil_sha256 (bytes);
      if (!g_str_equal (sha, record->sha256_after))
        return FALSE;
    }
  return TRUE;
}

PtTrial *
pt_trial_find_pending (const char *root, GError **error)
{
  g_autoptr(GPtrArray) all = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  all = pt_journal_list (root, error);
  if (all == NULL)
    return NULL;
  /* Newest first. Trial files have fixed names, so once the newest trial's
   * files are gone (confirmed, or removed by a permanent apply), no older
   * trial can be waiting either. */
  for (guint i = 0; i < all->len; i++)
    {
      PtTransaction *t = g_ptr_array_index (all, i);
      g_autoptr(PtTrial) trial = NULL;

      if (!t->trial || t->state != PT_TRANSACTION_APPLIED)
        continue;
      trial = trial_from_transaction (t, error);
      if (trial == NULL)
        return NULL;
      if (trial_files_present (root, t, trial))
        return g_steal_pointer (&trial);
      return NULL;
    }
  return NULL;
}

/* ---- checking the trial boot ------------------------------------------- */

/* The arguments of @wanted the command line @cmdline does not satisfy, in
 * the sense of pt_kargs_edit(): present, with the value we want (for
 * vfio-pci.ids: every ID). */
static GPtrArray *
missing_args (const char *cmdline, GStrv wanted)
{
  GPtrArray *missing = g_ptr_array_new ();
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  const char *text = cmdline != NULL ? cmdline : "";

  pt_kargs_split (text, strlen (text), 0, 0, tokens);
  for (guint i = 0; wanted != NULL && wanted[i] != NULL; i++)
    {
      char *one[] = { wanted[i], NULL };
      PtBootconfContext ctx;
      g_autoptr(PtKargsEdit) edit = NULL;

      pt_bootconf_context_init (&ctx);
      ctx.kernel_args = one;
      edit = pt_kargs_edit (&ctx, tokens);
      if (edit->set_args->len > 0)
        g_ptr_array_add (missing, wanted[i]);
      pt_bootconf_context_clear (&ctx);
    }
  return missing;
}

static char *
join (GPtrArray *items, const char *separator)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      if (i > 0)
        g_string_append (s, separator);
      g_string_append (s, g_ptr_array_index (items, i));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

gboolean
pt_trial_check_booted (PtTrial *trial, PtHost *host, GError **error)
{
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GPtrArray) unbound = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *oneshot = NULL;

  g_return_val_if_fail (trial != NULL && PT_IS_HOST (host), FALSE);

  oneshot = trial->oneshot[0] != NULL ? g_strjoinv (" ", trial->oneshot) : g_strdup ("");
  missing = missing_args (pt_host_get_cmdline (host), trial->kernel_args);
  if (missing->len > 0)
    {
      g_autofree char *list = join (missing, " ");

      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("The running system did not boot the trial entry of transaction %s: "
                     "its kernel command line lacks %s. The usual boot entry started, so the "
                     "fallback worked, and nothing was changed. To try again, run “%s” and "
                     "reboot; to give the trial up, run “passthroughctl rollback %s”"),
                   trial->transaction, list, oneshot, trial->transaction);
      return FALSE;
    }

  for (guint i = 0; trial->devices[i] != NULL; i++)
    {
      PtDevice *d = pt_host_lookup_device (host, trial->devices[i]);
      const char *driver = d != NULL ? pt_device_get_driver (d) : NULL;

      if (d == NULL)
        g_ptr_array_add (unbound, g_strdup_printf (_("%s is not on this system"),
                                                   trial->devices[i]));
      else if (driver == NULL)
        g_ptr_array_add (unbound, g_strdup_printf (_("%s has no driver"), trial->devices[i]));
      else if (!g_str_equal (driver, "vfio-pci"))
        g_ptr_array_add (unbound, g_strdup_printf (_("%s is bound to %s"), trial->devices[i],
                                                   driver));
    }
  if (unbound->len > 0)
    {
      g_autofree char *list = join (unbound, "; ");

      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("The trial boot of transaction %s came up with its kernel arguments, but "
                     "not every device is on vfio-pci: %s. Nothing was changed. Check that "
                     "vfio-pci loads before their drivers, then run “%s” and reboot to try "
                     "again, or give the trial up with “passthroughctl rollback %s”"),
                   trial->transaction, list, oneshot, trial->transaction);
      return FALSE;
    }
  return TRUE;
}

PtPlan *
pt_trial_confirm_plan (PtTrial *trial, PtHost *host, GError **error)
{
  g_autoptr(PtPlan) plan = NULL;

  g_return_val_if_fail (trial != NULL && PT_IS_HOST (host), NULL);

  plan = pt_plan_new (host, (const char *const *) trial->addresses, trial->flags, error);
  if (plan == NULL || !pt_bootconf_plan (plan, error))
    return NULL;
  return g_steal_pointer (&plan);
}

gboolean
pt_trial_check_apply (const char *root, PtHost *host, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PtTrial) trial = pt_trial_find_pending (root, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return trial == NULL || pt_trial_check_booted (trial, host, error);
}

/* ---- rolling back ------------------------------------------------------ */

GPtrArray *
pt_trial_rollback_commands (PtTransaction *t)
{
  GPtrArray *commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_return_val_if_fail (t != NULL, commands);

  for (guint i = 0; t->regenerate != NULL && i < t->regenerate->len; i++)
    {
      char **argv = g_ptr_array_index (t->regenerate, i);
      guint n = g_strv_length (argv);

      if (t->trial && n == 2 && (g_str_equal (argv[0], "grub-reboot")
                                 || g_str_equal (argv[0], "grub2-reboot")))
        {
          const char *editenv = g_str_equal (argv[0], "grub2-reboot") ? "grub2-editenv"
                                                                       : "grub-editenv";
          const char *clear[] = { editenv, "-", "unset", "next_entry", NULL };

          g_ptr_array_add (commands, g_strdupv ((char **) clear));
        }
      else if (t->trial && n == 3 && g_str_equal (argv[0], "bootctl")
               && g_str_equal (argv[1], "set-oneshot"))
        {
          const char *clear[] = { "bootctl", "set-oneshot", "", NULL };

          g_ptr_array_add (commands, g_strdupv ((char **) clear));
        }
      else
        g_ptr_array_add (commands, g_strdupv (argv));
    }
  return commands;
}

JsonNode *
pt_trial_to_json (PtTrial *trial)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  pt_json_add_string_or_null (b, "transaction", trial->transaction);
  pt_json_add_string_or_null (b, "bootloader", trial->bootloader);
  pt_json_add_string_or_null (b, "entry", trial->entry);
  add_strings (b, "args", (const char *const *) trial->args, NULL);
  add_strings (b, "files", (const char *const *) trial->files, NULL);
  add_strings (b, "oneshot", (const char *const *) trial->oneshot, NULL);
  add_strings (b, "addresses", (const char *const *) trial->addresses, NULL);
  add_strings (b, "devices", (const char *const *) trial->devices, NULL);
  add_strings (b, "kernel_args", (const char *const *) trial->kernel_args, NULL);
  add_flags (b, trial->flags);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
