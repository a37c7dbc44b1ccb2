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

/* One loader entry: its "options" lines, as groups of tokens. */
static gboolean
plan_entry (PtBootconfContext *ctx, const char *path, GBytes *bytes, GError **error)
{
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(GArray) option_lines = g_array_new (FALSE, FALSE, sizeof (gsize)); /* value starts */
  g_autoptr(GArray) line_spans = g_array_new (FALSE, FALSE, sizeof (gsize));   /* start, end pairs */
  g_autoptr(PtKargsEdit) edit = NULL;
  g_autoptr(GBytes) out = NULL;
  gboolean has_linux = FALSE;
  gsize pos = 0;
  guint group = 0;

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
            has_linux = TRUE;
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

  /* type #1 entries for a Linux kernel; "efi" entries (unified kernel
   * images) carry their command line inside */
  if (!has_linux)
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

const PtBootconfBackend pt_bootconf_sdboot = {
  .name = "systemd-boot",
  .is_bootloader = TRUE,
  .detect = sdboot_detect,
  .plan = sdboot_plan,
  .kind = PT_BOOTCONF_KIND_BOOTLOADER,
  .regenerate = sdboot_regenerate,
};
