/* pt-bootconf-sdboot.c: the kernel command line for systemd-boot. With an
 * etc/kernel/cmdline, that file is the command line kernel-install (and
 * proxmox-boot-tool) writes into the boot entries, so it is edited and the
 * entries regenerated. Without one, the "options" lines of the Boot Loader
 * Specification entries are edited in place: systemd-boot reads them at
 * boot, and kernel-install copies /proc/cmdline into the entries of later
 * kernels, so the arguments carry over once booted. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pt-bootconf-private.h"

#define CMDLINE_FILE "etc/kernel/cmdline"

static const char *const entry_dirs[] = {
  "boot/loader/entries", "efi/loader/entries", "boot/efi/loader/entries", NULL,
};

static gboolean
sdboot_detect (const char *root)
{
  const char *loaders[] = {
    "boot/loader/loader.conf", "efi/loader/loader.conf", "boot/efi/loader/loader.conf",
  };

  if (pt_bootconf_exists (root, CMDLINE_FILE))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (loaders); i++)
    if (pt_bootconf_exists (root, loaders[i]))
      return TRUE;
  /* entries beside bootctl: an Arch install whose loader.conf is default */
  if (pt_bootconf_exists (root, "usr/bin/bootctl"))
    for (guint i = 0; entry_dirs[i] != NULL; i++)
      {
        g_autoptr(GPtrArray) entries = pt_bootconf_list_dir (root, entry_dirs[i], ".conf");

        if (entries->len > 0)
          return TRUE;
      }
  return FALSE;
}

/* kernel-install for each installed kernel (systemd's documented way to
 * rebuild the entries: "kernel-install add VERSION IMAGE"), or
 * proxmox-boot-tool on Proxmox VE, which copies the kernels to its ESPs. */
static GStrv
sdboot_regenerate_one (PtBootconfContext *ctx, const char *release)
{
  g_autofree char *in_modules = g_strdup_printf ("usr/lib/modules/%s/vmlinuz", release);
  g_autofree char *in_boot = g_strdup_printf ("boot/vmlinuz-%s", release);
  const char *image;
  g_autofree char *abs = NULL;

  if (pt_bootconf_exists (ctx->root, in_modules))
    image = in_modules;
  else if (pt_bootconf_exists (ctx->root, in_boot))
    image = in_boot;
  else
    return NULL;
  abs = g_strconcat ("/", image, NULL);
  {
    const char *argv[] = { "kernel-install", "add", release, abs, NULL };

    return g_strdupv ((char **) argv);
  }
}

static GStrv
sdboot_regenerate (PtBootconfContext *ctx)
{
  const char *const proxmox[] = { "proxmox-boot-tool", "refresh", NULL };

  if (pt_bootconf_exists (ctx->root, "usr/sbin/proxmox-boot-tool"))
    return g_strdupv ((char **) proxmox);
  return NULL;
}

static void
add_regenerate (PtBootconfContext *ctx)
{
  g_auto(GStrv) single = sdboot_regenerate (ctx);
  g_autoptr(GPtrArray) kernels = NULL;
  guint added = 0;

  if (single != NULL)
    {
      pt_bootconf_add_command (ctx, (const char *const *) single);
      return;
    }
  kernels = pt_bootconf_installed_kernels (ctx->root);
  for (guint i = 0; i < kernels->len; i++)
    {
      g_auto(GStrv) argv = sdboot_regenerate_one (ctx, g_ptr_array_index (kernels, i));

      if (argv != NULL)
        {
          pt_bootconf_add_command (ctx, (const char *const *) argv);
          added++;
        }
    }
  if (added == 0 && ctx->kernel_release != NULL)
    {
      g_autofree char *image = g_strdup_printf ("/usr/lib/modules/%s/vmlinuz", ctx->kernel_release);
      const char *argv[] = { "kernel-install", "add", ctx->kernel_release, image, NULL };

      pt_bootconf_add_command (ctx, argv);
      pt_bootconf_add_note (ctx->notes,
                            g_strdup_printf (_("No kernel image was found under the root; the "
                                               "entry of the running kernel (%s) is rebuilt. Run "
                                               "kernel-install add for every other installed "
                                               "kernel too."), ctx->kernel_release));
    }
}

/* Applies @edit's deletions and replacements of the tokens of @group and
 * its appends after the last remaining token of that group (or at
 * @empty_at with no separator). */
static void
splice_edit (GPtrArray *splices, GPtrArray *tokens, PtKargsEdit *edit, guint group,
             gboolean with_appends, gsize empty_at, gboolean empty_needs_blank)
{
  g_autoptr(GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));
  int last_kept = -1;
  int first = -1;

  for (guint i = 0; i < tokens->len; i++)
    {
      PtToken *t = g_ptr_array_index (tokens, i);

      if (t->group != group)
        continue;
      g_array_append_val (idx, i);
      if (first < 0)
        first = i;
      if (edit->actions[i] == PT_TOKEN_REPLACE)
        pt_splices_add (splices, t->start, t->end, edit->replacements[i]);
      if (edit->actions[i] != PT_TOKEN_DELETE)
        last_kept = i;
    }
  pt_splices_delete_tokens (splices, tokens, (guint *) idx->data, idx->len, edit->actions);

  if (with_appends && edit->append->len > 0)
    {
      g_autoptr(GString) add = g_string_new (NULL);
      gsize at;

      if (last_kept >= 0)
        at = ((PtToken *) g_ptr_array_index (tokens, last_kept))->end;
      else if (first >= 0)
        at = ((PtToken *) g_ptr_array_index (tokens, first))->start;
      else
        {
          at = empty_at;
          /* "options" alone on its line: a blank after the key */
          if (empty_needs_blank)
            g_string_append_c (add, ' ');
        }
      for (guint i = 0; i < edit->append->len; i++)
        {
          if (last_kept >= 0 || i > 0)
            g_string_append_c (add, ' ');
          g_string_append (add, g_ptr_array_index (edit->append, i));
        }
      pt_splices_add (splices, at, at, add->str);
    }
}

static gboolean
plan_cmdline_file (PtBootconfContext *ctx, GBytes *bytes, GError **error)
{
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(PtKargsEdit) edit = NULL;
  g_autoptr(GBytes) out = NULL;

  pt_kargs_split (text, len, 0, 0, tokens);
  if (!pt_kargs_check_quotes (ctx, tokens, CMDLINE_FILE, text, error))
    return FALSE;
  edit = pt_kargs_edit (ctx, tokens);
  splice_edit (splices, tokens, edit, 0, TRUE, 0, FALSE);
  out = pt_splices_apply (text, len, splices);
  if (g_bytes_equal (out, bytes))
    return TRUE;
  pt_bootconf_add_change (ctx, "systemd-boot", CMDLINE_FILE, bytes, out, 0644);
  add_regenerate (ctx);
  return TRUE;
}

static gboolean
group_emptied (GPtrArray *tokens, PtKargsEdit *edit, guint group)
{
  guint n = 0;

  for (guint i = 0; i < tokens->len; i++)
    if (((PtToken *) g_ptr_array_index (tokens, i))->group == group)
      {
        if (edit->actions[i] != PT_TOKEN_DELETE)
          return FALSE;
        n++;
      }
  return n > 0;
}

/* The splices that put ctx's arguments on the "options" lines of a loader
 * entry (or, with ctx->remove, take them off), the lines as groups of
 * tokens. *@has_linux tells whether it is an entry for a Linux kernel: "efi"
 * entries (unified kernel images) carry their command line inside, and get
 * no splices and no edit. */
static gboolean
entry_options_splices (PtBootconfContext  *ctx,
                       const char         *path,
                       const char         *text,
                       gsize               len,
                       GPtrArray          *splices,
                       gboolean           *has_linux,
                       PtKargsEdit       **edit_out,
                       GError            **error)
{
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(GArray) option_lines = g_array_new (FALSE, FALSE, sizeof (gsize)); /* value starts */
  g_autoptr(GArray) line_spans = g_array_new (FALSE, FALSE, sizeof (gsize));   /* start, end pairs */
  g_autoptr(PtKargsEdit) edit = NULL;
  gsize pos = 0;
  guint group = 0;

  *has_linux = FALSE;
  while (pos < len)
    {
      const char *nl = memchr (text + pos, '\n', len - pos);
      gsize end = nl ? (gsize) (nl - text) : len;
      gsize p = pos, key_start, key_end;

      while (p < end && (text[p] == ' ' || text[p] == '\t'))
        p++;
      key_start = p;
      while (p < end && !g_ascii_isspace (text[p]))
        p++;
      key_end = p;
      if (key_end > key_start && text[key_start] != '#')
        {
          gsize klen = key_end - key_start;

          if (klen == 5 && memcmp (text + key_start, "linux", 5) == 0)
            *has_linux = TRUE;
          if (klen == 7 && memcmp (text + key_start, "options", 7) == 0)
            {
              gsize vend = end;

              while (p < end && (text[p] == ' ' || text[p] == '\t'))
                p++;
              if (vend > p && text[vend - 1] == '\r')
                vend--;
              g_array_append_val (option_lines, p);
              g_array_append_val (line_spans, pos);
              g_array_append_val (line_spans, end);
              pt_kargs_split (text + p, vend - p, p, group++, tokens);
            }
        }
      pos = nl ? end + 1 : len;
    }

  if (!*has_linux)
    return TRUE;
  if (!pt_kargs_check_quotes (ctx, tokens, path, text, error))
    return FALSE;

  edit = pt_kargs_edit (ctx, tokens);
  for (guint g = 0; g < group; g++)
    {
      gsize at = g_array_index (option_lines, gsize, g);

      /* Undo: an options line left with nothing is the one the apply
       * added (or means as much), so it goes whole. */
      if (ctx->remove && group_emptied (tokens, edit, g))
        {
          gsize ls = g_array_index (line_spans, gsize, 2 * g);
          gsize le = g_array_index (line_spans, gsize, 2 * g + 1);

          if (le < len)
            le++;
          else if (ls > 0)
            ls--;
          pt_splices_add (splices, ls, le, NULL);
          continue;
        }
      splice_edit (splices, tokens, edit, g, g + 1 == group, at,
                   at == 0 || !g_ascii_isspace (text[at - 1]));
    }
  if (group == 0 && edit->append->len > 0)
    {
      g_autofree char *args = NULL;
      g_autofree char *line = NULL;

      g_ptr_array_add (edit->append, NULL);
      args = g_strjoinv (" ", (char **) edit->append->pdata);
      g_ptr_array_remove_index (edit->append, edit->append->len - 1);
      if (len > 0 && text[len - 1] != '\n')
        line = g_strdup_printf ("\noptions %s", args);
      else
        line = g_strdup_printf ("options %s\n", args);
      pt_splices_add (splices, len, len, line);
    }
  *edit_out = g_steal_pointer (&edit);
  return TRUE;
}

/* One loader entry: its "options" lines, as groups of tokens. */
static gboolean
plan_entry (PtBootconfContext *ctx, const char *path, GBytes *bytes, GError **error)
{
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(PtKargsEdit) edit = NULL;
  g_autoptr(GBytes) out = NULL;
  gboolean has_linux = FALSE;

  if (!entry_options_splices (ctx, path, text, len, splices, &has_linux, &edit, error))
    return FALSE;
  if (!has_linux)
    return TRUE;
  out = pt_splices_apply (text, len, splices);
  if (!g_bytes_equal (out, bytes))
    pt_bootconf_add_change (ctx, "systemd-boot", path, bytes, out, 0644);
  return TRUE;
}

static gboolean
sdboot_plan (PtBootconfContext *ctx, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) cmdline = pt_bootconf_read_file (ctx->root, CMDLINE_FILE, &local_error);
  guint n_entries = 0;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (cmdline != NULL)
    return plan_cmdline_file (ctx, cmdline, error);

  for (guint d = 0; entry_dirs[d] != NULL; d++)
    {
      g_autoptr(GPtrArray) entries = pt_bootconf_list_dir (ctx->root, entry_dirs[d], ".conf");

      for (guint i = 0; i < entries->len; i++)
        {
          const char *path = g_ptr_array_index (entries, i);
          g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, path, error);

          if (bytes == NULL)
            {
              if (error != NULL && *error != NULL)
                return FALSE;
              continue;
            }
          /* a trial's entry goes whole with the permanent plan */
          if (pt_bootconf_is_trial_file (bytes))
            continue;
          n_entries++;
          if (!plan_entry (ctx, path, bytes, error))
            return FALSE;
        }
    }

  if (n_entries == 0 && !ctx->remove && ctx->kernel_args != NULL)
    {
      g_autofree char *args = g_strjoinv (" ", ctx->kernel_args);

      pt_bootconf_add_note (ctx->warnings,
                            g_strdup_printf (_("systemd-boot is in use, but neither "
                                               "/etc/kernel/cmdline nor boot loader entries were "
                                               "found under the root. Add these kernel arguments "
                                               "to the entries by hand: %s"), args));
    }
  return TRUE;
}

/* ---- trial boots ------------------------------------------------------ */

/* Where systemd-boot stores its settings for the boot loader (the Boot
 * Loader Interface): the vendor GUID of LoaderEntryDefault and friends. */
#define LOADER_GUID "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

static const char *const loader_confs[] = {
  "boot/loader/loader.conf", "efi/loader/loader.conf", "boot/efi/loader/loader.conf", NULL,
};

void
pt_loader_entry_free (PtLoaderEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->path);
  g_free (entry->id);
  g_clear_pointer (&entry->bytes, g_bytes_unref);
  g_free (entry->title);
  g_free (entry->version);
  g_free (entry->sort_key);
  g_free (entry->machine_id);
  g_free (entry);
}

/* A line of a loader entry or loader.conf: its key and the span of its
 * value (blanks around it left out). FALSE for blank and comment lines. */
typedef struct
{
  gsize start;      /* of the line */
  gsize end;        /* of the line, before its newline */
  char *key;
  gsize value_start;
  gsize value_end;
} ConfLine;

static GArray *
conf_lines (const char *text, gsize len)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (ConfLine));
  gsize pos = 0;

  while (pos < len)
    {
      const char *nl = memchr (text + pos, '\n', len - pos);
      gsize end = nl ? (gsize) (nl - text) : len;
      gsize p = pos, ks, ke, ve = end;
      ConfLine line = { 0 };

      while (p < end && (text[p] == ' ' || text[p] == '\t'))
        p++;
      ks = p;
      while (p < end && !g_ascii_isspace (text[p]))
        p++;
      ke = p;
      while (p < end && (text[p] == ' ' || text[p] == '\t'))
        p++;
      while (ve > p && g_ascii_isspace (text[ve - 1]))
        ve--;
      if (ke > ks && text[ks] != '#')
        {
          line.start = pos;
          line.end = end;
          line.key = g_strndup (text + ks, ke - ks);
          line.value_start = p;
          line.value_end = ve;
          g_array_append_val (lines, line);
        }
      pos = nl ? end + 1 : len;
    }
  return lines;
}

static void
conf_lines_free (GArray *lines)
{
  for (guint i = 0; i < lines->len; i++)
    g_free (g_array_index (lines, ConfLine, i).key);
  g_array_unref (lines);
}

static char *
conf_value (const char *text, ConfLine *line)
{
  return g_strndup (text + line->value_start, line->value_end - line->value_start);
}

/* The last value of @key (systemd-boot keeps the last one it reads). */
static char *
conf_get (const char *text, GArray *lines, const char *key)
{
  for (guint i = lines->len; i > 0; i--)
    {
      ConfLine *line = &g_array_index (lines, ConfLine, i - 1);

      if (g_str_equal (line->key, key))
        return conf_value (text, line);
    }
  return NULL;
}

/* "arch+3-1.conf" → "arch.conf", 3; "arch.conf" → "arch.conf", -1. */
static char *
entry_id_of (const char *name, int *tries_left)
{
  g_autofree char *base = g_strndup (name, strlen (name) - strlen (".conf"));
  char *plus = strrchr (base, '+');

  *tries_left = -1;
  if (plus != NULL && g_ascii_isdigit (plus[1]))
    {
      char *end = NULL;
      guint64 left = g_ascii_strtoull (plus + 1, &end, 10);

      if (*end == '-' && g_ascii_isdigit (end[1]))
        g_ascii_strtoull (end + 1, &end, 10);
      if (*end == '\0')
        {
          *tries_left = (int) MIN (left, G_MAXINT);
          *plus = '\0';
        }
    }
  {
    g_autofree char *lower = g_ascii_strdown (base, -1);

    return g_strconcat (lower, ".conf", NULL);
  }
}

GPtrArray *
pt_loader_entries_read (const char *root, const char *dir, GError **error)
{
  g_autoptr(GPtrArray) paths = pt_bootconf_list_dir (root, dir, ".conf");
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_loader_entry_free);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (root, path, &local_error);
      g_autoptr(PtLoaderEntry) e = NULL;
      GArray *lines;
      gsize len;
      const char *text;

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (bytes == NULL)
        continue;
      text = g_bytes_get_data (bytes, &len);
      lines = conf_lines (text, len);
      e = g_new0 (PtLoaderEntry, 1);
      e->path = g_strdup (path);
      e->id = entry_id_of (strrchr (path, '/') + 1, &e->tries_left);
      e->bytes = g_bytes_ref (bytes);
      e->title = conf_get (text, lines, "title");
      e->version = conf_get (text, lines, "version");
      e->sort_key = conf_get (text, lines, "sort-key");
      e->machine_id = conf_get (text, lines, "machine-id");
      for (guint k = 0; k < lines->len; k++)
        if (g_str_equal (g_array_index (lines, ConfLine, k).key, "linux"))
          e->has_linux = TRUE;
      conf_lines_free (lines);
      g_ptr_array_add (entries, g_steal_pointer (&e));
    }
  return g_steal_pointer (&entries);
}

GBytes *
pt_loader_entry_trial_copy (PtBootconfContext  *ctx,
                            PtLoaderEntry      *entry,
                            const char         *version,
                            gboolean            later_sort_key,
                            GError            **error)
{
  gsize len;
  const char *text = g_bytes_get_data (entry->bytes, &len);
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(PtKargsEdit) edit = NULL;
  g_autofree char *header = NULL;
  g_autofree char *shown = pt_bootconf_display_path (ctx->root, entry->path);
  const char *name = strrchr (entry->path, '/') + 1;
  gboolean has_linux = FALSE;
  gboolean titled = FALSE;
  GArray *lines;

  g_return_val_if_fail (ctx->trial != NULL && !ctx->remove, NULL);

  if (!entry_options_splices (ctx, entry->path, text, len, splices, &has_linux, &edit, error))
    return NULL;
  if (!has_linux)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("The default boot entry %s starts a unified kernel image, whose kernel "
                     "command line is built into it: a trial entry cannot add arguments to it. "
                     "Apply without --trial"), shown);
      return NULL;
    }
  if (edit->set_args->len == 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("The default boot entry %s has these kernel arguments already, so a trial "
                     "boot would try nothing new. Apply without --trial"), shown);
      return NULL;
    }
  if (!pt_bootconf_trial_args_ok (edit->set_args, error))
    return NULL;
  for (guint i = 0; i < edit->set_args->len; i++)
    g_ptr_array_add (ctx->trial->args, g_strdup (g_ptr_array_index (edit->set_args, i)));

  lines = conf_lines (text, len);
  for (guint i = 0; i < lines->len; i++)
    {
      ConfLine *line = &g_array_index (lines, ConfLine, i);

      if (g_str_equal (line->key, "title"))
        {
          const char *prefix = "Passthrough trial: ";

          if (line->value_end == line->value_start)
            prefix = g_ascii_isspace (text[line->value_start - 1]) ? "Passthrough trial"
                                                                   : " Passthrough trial";
          pt_splices_add (splices, line->value_start, line->value_start, prefix);
          titled = TRUE;
        }
      else if (g_str_equal (line->key, "version") && version != NULL)
        pt_splices_add (splices, line->value_start, line->value_end, version);
      else if (g_str_equal (line->key, "sort-key") && later_sort_key)
        pt_splices_add (splices, line->value_end, line->value_end, "-" PT_BOOTCONF_TRIAL_ID);
    }
  conf_lines_free (lines);

  /* Not translated: the file must not depend on who planned it. */
  header = g_strdup_printf (PT_BOOTCONF_TRIAL_MARKER ": a copy of %s for one trial boot with the "
                            "added kernel arguments.\n# \"passthroughctl confirm\" and "
                            "\"passthroughctl rollback\" remove it.\n%s%s%s", name,
                            titled ? "" : "title Passthrough trial (", titled ? "" : name,
                            titled ? "" : ")\n");
  pt_splices_add (splices, 0, 0, header);
  return pt_splices_apply (text, len, splices);
}

/* systemd-boot's version from its EFI binary on the ESP ("#### LoaderInfo:
 * systemd-boot 252.19-1~deb12u1 ####"), 0 when none is found. */
static guint
sdboot_loader_version (const char *root)
{
  static const char *const binaries[] = {
    "boot/efi/EFI/systemd/systemd-bootx64.efi", "efi/EFI/systemd/systemd-bootx64.efi",
    "boot/EFI/systemd/systemd-bootx64.efi", "boot/efi/EFI/systemd/systemd-bootaa64.efi",
    "efi/EFI/systemd/systemd-bootaa64.efi", "boot/EFI/systemd/systemd-bootaa64.efi", NULL,
  };
  static const char needle[] = "LoaderInfo: systemd-boot ";

  for (guint i = 0; binaries[i] != NULL; i++)
    {
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (root, binaries[i], NULL);
      const char *data, *hit;
      gsize len;

      if (bytes == NULL)
        continue;
      data = g_bytes_get_data (bytes, &len);
      hit = NULL;
      for (gsize k = 0; hit == NULL && k + sizeof needle - 1 <= len; k++)
        if (data[k] == 'L' && memcmp (data + k, needle, sizeof needle - 1) == 0)
          hit = data + k;
      if (hit != NULL && hit + sizeof needle - 1 < data + len
          && g_ascii_isdigit (hit[sizeof needle - 1]))
        return (guint) g_ascii_strtoull (hit + sizeof needle - 1, NULL, 10);
    }
  return 0;
}

/* An EFI variable of the boot loader interface as a string (UTF-16 after
 * four bytes of attributes in efivarfs), NULL when it is not set. */
static char *
read_loader_variable (const char *root, const char *name)
{
  g_autofree char *path = g_strconcat ("sys/firmware/efi/efivars/", name, "-" LOADER_GUID, NULL);
  g_autoptr(GBytes) bytes = pt_bootconf_read_file (root, path, NULL);
  const guint8 *data;
  gsize len;
  g_autoptr(GArray) units = g_array_new (TRUE, TRUE, sizeof (gunichar2));
  char *value;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  for (gsize i = 4; i + 1 < len; i += 2)
    {
      gunichar2 u = data[i] | (data[i + 1] << 8);

      if (u == 0)
        break;
      g_array_append_val (units, u);
    }
  value = g_utf16_to_utf8 ((const gunichar2 *) units->data, units->len, NULL, NULL, NULL);
  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

/* The id as @pattern (a loader.conf glob or an EFI variable) would name it:
 * with ".conf" since systemd 250, without before. */
static gboolean
id_matches (const char *pattern, const char *id)
{
  g_autofree char *p = g_ascii_strdown (pattern, -1);
  g_autofree char *old_id = g_strndup (id, strlen (id) - strlen (".conf"));

  return g_pattern_match_simple (p, id) || g_pattern_match_simple (p, old_id);
}

/* systemd-boot's menu order since version 250: entries with a sort-key
 * first (by sort-key, machine-id, newest version), then by name, newest
 * first; entries out of tries last. Its default is the first. */
static int
entry_order (gconstpointer pa, gconstpointer pb)
{
  const PtLoaderEntry *a = *(PtLoaderEntry **) pa;
  const PtLoaderEntry *b = *(PtLoaderEntry **) pb;
  int r;

  if ((a->tries_left == 0) != (b->tries_left == 0))
    return a->tries_left == 0 ? 1 : -1;
  if ((a->sort_key == NULL) != (b->sort_key == NULL))
    return a->sort_key == NULL ? 1 : -1;
  if (a->sort_key != NULL)
    {
      if ((r = g_strcmp0 (a->sort_key, b->sort_key)) != 0)
        return r;
      if ((r = g_strcmp0 (a->machine_id, b->machine_id)) != 0)
        return r;
      if ((r = -pt_bootconf_verscmp (a->version, b->version)) != 0)
        return r;
    }
  return -pt_bootconf_verscmp (a->id, b->id);
}

gboolean
pt_bootconf_sdboot_plan_trial (PtBootconfContext *ctx, const char *owner, GError **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_loader_entry_free);
  g_autofree char *variable = read_loader_variable (ctx->root, "LoaderEntryDefault");
  g_autofree char *pattern = NULL;
  g_autofree char *loader_conf = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *shown_root = pt_bootconf_display_path (ctx->root, "");
  g_autoptr(GBytes) copy = NULL;
  g_autoptr(GBytes) old = NULL;
  g_autoptr(GError) local_error = NULL;
  PtLoaderEntry *chosen = NULL;
  guint version = sdboot_loader_version (ctx->root);
  gboolean old_ids;

  for (guint d = 0; entry_dirs[d] != NULL; d++)
    {
      g_autoptr(GPtrArray) found = pt_loader_entries_read (ctx->root, entry_dirs[d], error);

      if (found == NULL)
        return FALSE;
      for (guint i = 0; i < found->len; i++)
        {
          PtLoaderEntry *e = g_ptr_array_index (found, i);

          if (pt_bootconf_is_trial_file (e->bytes))
            continue;
          g_ptr_array_add (entries, g_ptr_array_steal_index (found, i--));
        }
    }
  if (entries->len == 0)
    {
      if (g_str_equal (owner, "kernelstub"))
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                     _("kernelstub writes no systemd-boot entries under %s (a BIOS install boots "
                       "with GRUB, which kernelstub does not manage), so there is no entry to "
                       "copy for a trial boot. Apply without --trial; should the new "
                       "configuration not boot, start the Pop!_OS recovery system and run "
                       "“passthroughctl --root /mnt rollback” on the installed one"),
                     shown_root);
      else
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                     _("No boot loader entries (loader/entries/*.conf) were found under %s, so "
                       "there is no entry to copy for a trial boot. Apply without --trial"),
                     shown_root);
      return FALSE;
    }
  g_ptr_array_sort (entries, entry_order);

  for (guint i = 0; loader_confs[i] != NULL && loader_conf == NULL; i++)
    {
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, loader_confs[i], NULL);

      if (bytes != NULL)
        {
          gsize len;
          const char *text = g_bytes_get_data (bytes, &len);
          GArray *lines = conf_lines (text, len);

          pattern = conf_get (text, lines, "default");
          conf_lines_free (lines);
          loader_conf = pt_bootconf_display_path (ctx->root, loader_confs[i]);
        }
    }

  /* Entry names: "NAME.conf" since systemd 250, "NAME" before; unknown
   * versions go by how loader.conf names its default. */
  if (version > 0)
    old_ids = version < 250;
  else
    old_ids = pattern != NULL && !g_str_has_suffix (pattern, ".conf")
              && strpbrk (pattern, "*?[") == NULL && pattern[0] != '@';
  id = old_ids ? g_strdup (PT_BOOTCONF_TRIAL_ID) : g_strdup (PT_BOOTCONF_TRIAL_ENTRY_FILE);

  /* The default as systemd-boot picks it: "bootctl set-default", then
   * loader.conf's pattern, then the first entry. The trial entry must not
   * become it. */
  if (variable != NULL)
    {
      if (id_matches (variable, PT_BOOTCONF_TRIAL_ENTRY_FILE))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("systemd-boot’s default entry is set to “%s”, the name of the trial "
                         "entry. Set another default with “bootctl set-default”, then try "
                         "again"), variable);
          return FALSE;
        }
      for (guint i = 0; i < entries->len && chosen == NULL; i++)
        if (id_matches (variable, ((PtLoaderEntry *) g_ptr_array_index (entries, i))->id))
          chosen = g_ptr_array_index (entries, i);
    }
  if (chosen == NULL && pattern != NULL && g_str_equal (pattern, "@saved"))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("%s says “default @saved”: systemd-boot would keep booting the trial entry "
                     "after it was booted once, also when that boot failed. Set a fixed default "
                     "there (or with “bootctl set-default”), then try again; or apply without "
                     "--trial"), loader_conf);
      return FALSE;
    }
  if (chosen == NULL && pattern != NULL && !id_matches (pattern, PT_BOOTCONF_TRIAL_ENTRY_FILE))
    for (guint i = 0; i < entries->len && chosen == NULL; i++)
      if (id_matches (pattern, ((PtLoaderEntry *) g_ptr_array_index (entries, i))->id))
        chosen = g_ptr_array_index (entries, i);
  if (chosen == NULL)
    {
      PtLoaderEntry *first = g_ptr_array_index (entries, 0);

      /* No default is set: systemd-boot boots the entry that sorts first
       * (before 250: last). A copy keeping the sort-key with a suffix sorts
       * after every entry of that key since 250; without a sort-key, or on
       * an older systemd-boot, it could sort first. */
      if (first->sort_key == NULL || old_ids)
        {
          g_autofree char *first_id = old_ids ? g_strndup (first->id, strlen (first->id) - 5)
                                              : g_strdup (first->id);

          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("systemd-boot has no default entry set, so it boots the entry that "
                         "sorts first, and a trial entry could sort before %s. Set the default "
                         "first, for example with “bootctl set-default %s” or a “default %s” "
                         "line in loader.conf, then try again; or apply without --trial"),
                       first_id, first_id, first_id);
          return FALSE;
        }
      chosen = first;
    }

  copy = pt_loader_entry_trial_copy (ctx, chosen, NULL, TRUE, error);
  if (copy == NULL)
    return FALSE;
  dir = g_path_get_dirname (chosen->path);
  path = g_build_filename (dir, PT_BOOTCONF_TRIAL_ENTRY_FILE, NULL);
  old = pt_bootconf_read_file (ctx->root, path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (old != NULL && !pt_bootconf_is_trial_file (old))
    {
      g_autofree char *shown = pt_bootconf_display_path (ctx->root, path);

      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("%s exists and was not written by Passthrough: move it away, then try "
                     "again"), shown);
      return FALSE;
    }
  pt_bootconf_add_change (ctx, owner, path, old, copy, 0644);
  g_ptr_array_add (ctx->trial->files, g_strdup (path));

  {
    const char *argv[] = { "bootctl", "set-oneshot", id, NULL };
    g_autofree char *from = g_strndup (chosen->id, strlen (chosen->id) - (old_ids ? 5 : 0));

    ctx->trial->entry = g_strdup (id);
    ctx->trial->oneshot = g_strdupv ((char **) argv);
    pt_bootconf_add_command (ctx, argv);
    pt_bootconf_add_note (ctx->notes,
                          g_strdup_printf (_("The trial entry %s is a copy of %s with the new "
                                             "kernel arguments. “bootctl set-oneshot” makes "
                                             "systemd-boot boot it at the next start only; "
                                             "every later start boots %s as before until the "
                                             "trial is confirmed."), id, from, from));
  }
  return TRUE;
}

static gboolean
sdboot_plan_trial (PtBootconfContext *ctx, GError **error)
{
  return pt_bootconf_sdboot_plan_trial (ctx, "systemd-boot", error);
}

const PtBootconfBackend pt_bootconf_sdboot = {
  .name = "systemd-boot",
  .is_bootloader = TRUE,
  .detect = sdboot_detect,
  .plan = sdboot_plan,
  .kind = PT_BOOTCONF_KIND_BOOTLOADER,
  .regenerate = sdboot_regenerate,
  .plan_trial = sdboot_plan_trial,
};
