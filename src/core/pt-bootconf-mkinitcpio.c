/* pt-bootconf-mkinitcpio.c: vfio modules in mkinitcpio's MODULES array
 * (Arch, Manjaro, EndeavourOS), ahead of any GPU driver listed there so
 * that vfio-pci claims the devices first.
 *
 * mkinitcpio 38 and later also source etc/mkinitcpio.conf.d/NAME.conf after
 * etc/mkinitcpio.conf. The edit goes to the MODULES= assignment mkinitcpio
 * ends up with: the last plain one over the main file and the drop-ins
 * (usually the main file's). Drop-ins that only append (MODULES+=(…)) put
 * their modules after ours, which keeps vfio first. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pt-bootconf-private.h"
#include "pt-shellvar.h"

#define CONF_FILE "etc/mkinitcpio.conf"

static gboolean
mkinitcpio_detect (const char *root)
{
  return pt_bootconf_exists (root, "usr/bin/mkinitcpio");
}

static GStrv
mkinitcpio_regenerate (PtBootconfContext *ctx)
{
  const char *const argv[] = { "mkinitcpio", "-P", NULL };

  return g_strdupv ((char **) argv);
}

typedef struct
{
  char      *path;
  GBytes    *bytes;
  GPtrArray *assigns;
} ConfFile;

static void
conf_file_free (ConfFile *f)
{
  g_free (f->path);
  g_clear_pointer (&f->bytes, g_bytes_unref);
  g_clear_pointer (&f->assigns, g_ptr_array_unref);
  g_free (f);
}

/* Module name of a MODULES entry: "nvidia?" is an optional module. */
static char *
entry_module (const char *text)
{
  gsize len = strlen (text);

  if (len > 0 && text[len - 1] == '?')
    len--;
  return g_strndup (text, len);
}

/* The elements of a MODULES or HOOKS value as tokens. */
static gboolean
value_tokens (PtBootconfContext *ctx, ConfFile *f, PtShellAssign *a, GPtrArray *tokens,
              PtShellWord *word, GError **error)
{
  gsize len;
  const char *text = g_bytes_get_data (f->bytes, &len);
  g_autofree char *reason = NULL;

  if (a->array)
    {
      gsize err = 0;
      g_autoptr(GPtrArray) elems = pt_shell_array_elements (text, a->value_start, a->value_end - 1,
                                                            &err, &reason);

      if (elems == NULL)
        return pt_bootconf_corrupt (error, ctx->root, f->path, pt_bootconf_line_of (text, err),
                                    reason);
      for (guint i = 0; i < elems->len; i++)
        {
          PtShellElement *e = g_ptr_array_index (elems, i);

          pt_tokens_add (tokens, e->value, e->start, e->end, 0);
        }
      return TRUE;
    }

  /* the old string form, MODULES="a b" */
  if (!pt_shell_word_decode (text, a->value_start, a->value_end, word, &reason))
    return pt_bootconf_corrupt (error, ctx->root, f->path, a->line, reason);
  for (gsize i = 0; i < word->len;)
    {
      gsize start;
      g_autofree char *tok = NULL;

      while (i < word->len && g_ascii_isspace (word->value[i]))
        i++;
      if (i >= word->len)
        break;
      start = i;
      while (i < word->len && !g_ascii_isspace (word->value[i]))
        i++;
      tok = g_strndup (word->value + start, i - start);
      pt_tokens_add (tokens, tok, word->raw_start[start], word->raw_end[i - 1], 0);
    }
  return TRUE;
}

/* Blanks to put between entries: a newline and the indentation when the
 * array has one entry per line. */
static char *
array_separator (const char *text, PtShellAssign *a, GPtrArray *tokens)
{
  gsize from, to;
  const char *nl;

  if (tokens->len >= 2)
    {
      from = ((PtToken *) g_ptr_array_index (tokens, 0))->end;
      to = ((PtToken *) g_ptr_array_index (tokens, 1))->start;
    }
  else if (tokens->len == 1)
    {
      from = a->value_start + 1;
      to = ((PtToken *) g_ptr_array_index (tokens, 0))->start;
    }
  else
    return g_strdup (" ");
  nl = g_strrstr_len (text + from, to - from, "\n");
  if (nl == NULL)
    return g_strdup (" ");
  return g_strdup_printf ("\n%.*s", (int) (text + to - nl - 1), nl + 1);
}

/* The new file's last MODULES, planned again, needs nothing more. */
static gboolean
reads_back (PtBootconfContext *ctx, const char *path, GBytes *bytes)
{
  ConfFile f = { (char *) path, bytes, NULL };
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PtModulesEdit) edit = NULL;
  PtShellAssign *target = NULL;
  PtShellWord word = { 0 };
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  gboolean ok;

  f.assigns = pt_shell_scan (text, len, NULL, NULL);
  if (f.assigns == NULL)
    return FALSE;
  for (guint k = 0; k < f.assigns->len; k++)
    {
      PtShellAssign *a = g_ptr_array_index (f.assigns, k);

      if (g_str_equal (a->name, "MODULES") && !a->append)
        target = a;
    }
  ok = target != NULL && value_tokens (ctx, &f, target, tokens, &word, NULL);
  if (ok)
    {
      for (guint i = 0; i < tokens->len; i++)
        g_ptr_array_add (names, entry_module (((PtToken *) g_ptr_array_index (tokens, i))->text));
      edit = pt_modules_edit (ctx, (const char *const *) names->pdata, names->len);
      ok = !pt_modules_edit_changed (edit, tokens->len);
    }
  else if (target == NULL && ctx->remove)
    ok = TRUE;
  pt_shell_word_clear (&word);
  g_ptr_array_unref (f.assigns);
  return ok;
}

static gboolean
mkinitcpio_plan (PtBootconfContext *ctx, GError **error)
{
  g_autoptr(GPtrArray) paths = pt_bootconf_list_dir (ctx->root, "etc/mkinitcpio.conf.d", ".conf");
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) conf_file_free);
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(PtModulesEdit) edit = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) out = NULL;
  PtShellWord word = { 0 };
  ConfFile *target_file = NULL;
  PtShellAssign *target = NULL;
  const char *text;
  gsize len;
  gboolean ok = FALSE;

  if (ctx->vfio_builtin && !ctx->remove)
    {
      pt_bootconf_add_note (ctx->notes,
                            g_strdup (_("vfio-pci is built into the kernel, so no modules are "
                                        "added to the initramfs.")));
      return TRUE;
    }

  g_ptr_array_insert (paths, 0, g_strdup (CONF_FILE));
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(GError) local_error = NULL;
      GBytes *bytes = pt_bootconf_read_file (ctx->root, path, &local_error);
      ConfFile *f;
      guint line = 0;
      g_autofree char *reason = NULL;

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (bytes == NULL)
        continue;
      f = g_new0 (ConfFile, 1);
      f->path = g_strdup (path);
      f->bytes = bytes;
      g_ptr_array_add (files, f);
      text = g_bytes_get_data (bytes, &len);
      f->assigns = pt_shell_scan (text, len, &line, &reason);
      if (f->assigns == NULL)
        return pt_bootconf_corrupt (error, ctx->root, path, line, reason);
      for (guint k = 0; k < f->assigns->len; k++)
        {
          PtShellAssign *a = g_ptr_array_index (f->assigns, k);

          if (g_str_equal (a->name, "MODULES") && !a->append)
            {
              target_file = f;
              target = a;
            }
        }
    }
  if (files->len == 0 || (target_file == NULL
                          && !g_str_equal (((ConfFile *) g_ptr_array_index (files, 0))->path,
                                           CONF_FILE)))
    {
      if (!ctx->remove)
        pt_bootconf_add_note (ctx->warnings,
                              g_strdup (_("mkinitcpio is installed but /etc/mkinitcpio.conf is "
                                          "missing, so the vfio modules are not added to the "
                                          "initramfs.")));
      return TRUE;
    }

  if (target == NULL)
    {
      /* no MODULES at all: a line of our own */
      ConfFile *f = g_ptr_array_index (files, 0);
      g_autoptr(GPtrArray) wanted = pt_bootconf_vfio_modules (ctx);
      g_autofree char *list = NULL;
      g_autofree char *line = NULL;

      PtShellAssign *first_append = NULL;

      if (ctx->remove)
        return TRUE;
      text = g_bytes_get_data (f->bytes, &len);
      g_ptr_array_add (wanted, NULL);
      list = g_strjoinv (" ", (char **) wanted->pdata);
      for (guint k = 0; k < f->assigns->len && first_append == NULL; k++)
        {
          PtShellAssign *a = g_ptr_array_index (f->assigns, k);

          if (g_str_equal (a->name, "MODULES") && a->append)
            first_append = a;
        }
      if (first_append != NULL && (first_append->start == 0 || text[first_append->start - 1] == '\n'))
        {
          /* before the first MODULES+=, which would otherwise be lost */
          line = g_strdup_printf ("MODULES=(%s)\n", list);
          pt_splices_add (splices, first_append->start, first_append->start, line);
        }
      else
        {
          line = len > 0 && text[len - 1] != '\n' ? g_strdup_printf ("\nMODULES=(%s)", list)
                                                  : g_strdup_printf ("MODULES=(%s)\n", list);
          pt_splices_add (splices, len, len, line);
        }
      target_file = f;
    }
  else
    {
      text = g_bytes_get_data (target_file->bytes, &len);
      if (!value_tokens (ctx, target_file, target, tokens, &word, error))
        goto out;

      for (guint i = 0; i < tokens->len; i++)
        g_ptr_array_add (names, entry_module (((PtToken *) g_ptr_array_index (tokens, i))->text));
      edit = pt_modules_edit (ctx, (const char *const *) names->pdata, names->len);
      if (!pt_modules_edit_changed (edit, tokens->len))
        {
          ok = TRUE;
          goto out;
        }
      {
        g_autofree guint *idx = g_new0 (guint, tokens->len + 1);

        for (guint i = 0; i < tokens->len; i++)
          idx[i] = i;
        pt_splices_delete_tokens (splices, tokens, idx, tokens->len, edit->actions);
      }

      if (edit->insert->len > 0)
        {
          g_autofree char *sep = NULL;
          g_autoptr(GString) add = g_string_new (NULL);
          PtShellQuote quote = target->array ? PT_SHELL_QUOTE_NONE : word.quote;
          int last_kept = -1;

          if (target->array)
            sep = array_separator (text, target, tokens);
          else
            sep = g_strdup (quote == PT_SHELL_QUOTE_NONE ? "\\ " : " ");
          for (guint i = 0; i < tokens->len; i++)
            if (edit->actions[i] != PT_TOKEN_DELETE)
              last_kept = i;

          for (guint i = 0; i < edit->insert->len; i++)
            {
              g_autofree char *raw = pt_shell_encode (quote, g_ptr_array_index (edit->insert, i));

              if (i > 0)
                g_string_append (add, sep);
              g_string_append (add, raw);
            }
          if (edit->insert_before >= 0)
            {
              PtToken *t = g_ptr_array_index (tokens, edit->insert_before);

              g_string_append (add, sep);
              pt_splices_add (splices, t->start, t->start, add->str);
            }
          else if (last_kept >= 0)
            {
              PtToken *t = g_ptr_array_index (tokens, last_kept);

              g_string_prepend (add, sep);
              pt_splices_add (splices, t->end, t->end, add->str);
            }
          else if (tokens->len > 0)
            {
              PtToken *t = g_ptr_array_index (tokens, 0);

              pt_splices_add (splices, t->start, t->start, add->str);
            }
          else
            {
              gsize at = target->array ? target->value_start + 1 : word.inner_start;

              pt_splices_add (splices, at, at, add->str);
            }
        }
      if (edit->dropped_virqfd)
        pt_bootconf_add_note (ctx->notes,
                              g_strdup (_("vfio_virqfd is part of vfio since Linux 6.2, so it "
                                          "is taken out of MODULES: mkinitcpio would fail to "
                                          "find it.")));
    }

  /* modconf puts etc/modprobe.d (softdep, options) into the image */
  if (!ctx->remove)
    {
      gboolean has_hooks = FALSE, has_modconf = FALSE;

      for (guint i = 0; i < files->len; i++)
        {
          ConfFile *f = g_ptr_array_index (files, i);

          for (guint k = 0; k < f->assigns->len; k++)
            {
              PtShellAssign *a = g_ptr_array_index (f->assigns, k);
              g_autoptr(GPtrArray) hooks = pt_tokens_new ();
              PtShellWord w = { 0 };

              if (!g_str_equal (a->name, "HOOKS"))
                continue;
              if (!a->append)
                has_modconf = FALSE;
              has_hooks = TRUE;
              if (!value_tokens (ctx, f, a, hooks, &w, NULL))
                {
                  has_modconf = TRUE;   /* cannot tell: say nothing */
                  continue;
                }
              pt_shell_word_clear (&w);
              for (guint h = 0; h < hooks->len; h++)
                if (g_str_equal (((PtToken *) g_ptr_array_index (hooks, h))->text, "modconf"))
                  has_modconf = TRUE;
            }
        }
      if (has_hooks && !has_modconf)
        pt_bootconf_add_note (ctx->notes,
                              g_strdup (_("HOOKS in /etc/mkinitcpio.conf has no modconf, so the "
                                          "modprobe.d settings (vfio-pci IDs, softdep) do not "
                                          "reach the initramfs. Add modconf after udev or "
                                          "systemd.")));
    }

  text = g_bytes_get_data (target_file->bytes, &len);
  out = pt_splices_apply (text, len, splices);
  if (!g_bytes_equal (out, target_file->bytes) && !reads_back (ctx, target_file->path, out))
    {
      pt_bootconf_corrupt (error, ctx->root, target_file->path,
                           target ? target->line : pt_bootconf_line_of (text, len),
                           _("the edited file would not read back as intended "
                             "(does a line before it end in a backslash?)"));
      goto out;
    }
  if (!g_bytes_equal (out, target_file->bytes))
    {
      g_auto(GStrv) argv = mkinitcpio_regenerate (ctx);

      pt_bootconf_add_change (ctx, "mkinitcpio", target_file->path, target_file->bytes, out, 0644);
      pt_bootconf_add_command (ctx, (const char *const *) argv);
    }
  ok = TRUE;

out:
  pt_shell_word_clear (&word);
  return ok;
}

const PtBootconfBackend pt_bootconf_mkinitcpio = {
  .name = "mkinitcpio",
  .is_bootloader = FALSE,
  .detect = mkinitcpio_detect,
  .plan = mkinitcpio_plan,
  .kind = PT_BOOTCONF_KIND_INITRAMFS,
  .regenerate = mkinitcpio_regenerate,
};
