/* pt-bootconf-grub.c: the kernel command line in GRUB's etc/default/grub
 * (and the etc/default/grub.d/NAME.cfg drop-ins Debian's grub-mkconfig reads
 * after it). The arguments go into the assignment grub-mkconfig ends up
 * using: the last GRUB_CMDLINE_LINUX_DEFAULT, else the last
 * GRUB_CMDLINE_LINUX (Fedora, RHEL), else a new GRUB_CMDLINE_LINUX_DEFAULT
 * line. Only the bytes of that value change. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pt-bootconf-private.h"
#include "pt-shellvar.h"

#define GRUB_DEFAULT_FILE "etc/default/grub"
#define VAR_DEFAULT "GRUB_CMDLINE_LINUX_DEFAULT"
#define VAR_LINUX "GRUB_CMDLINE_LINUX"

static gboolean
grub_detect (const char *root)
{
  const char *tools[] = {
    "usr/sbin/update-grub", "usr/sbin/grub-mkconfig", "usr/bin/grub-mkconfig",
    "usr/sbin/grub2-mkconfig", "usr/bin/grub2-mkconfig", "boot/grub/grub.cfg",
    "boot/grub2/grub.cfg",
  };

  if (!pt_bootconf_exists (root, GRUB_DEFAULT_FILE))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    if (pt_bootconf_exists (root, tools[i]))
      return TRUE;
  return FALSE;
}

static const char *const debian_ids[] = { "debian", "ubuntu", "linuxmint", "pop", NULL };
static const char *const redhat_ids[] = {
  "fedora", "rhel", "centos", "rocky", "almalinux", "suse", "opensuse", "opensuse-leap",
  "opensuse-tumbleweed", "sles", NULL,
};

static gboolean
any_exists (const char *root, const char *const *paths)
{
  for (guint i = 0; paths[i] != NULL; i++)
    if (pt_bootconf_exists (root, paths[i]))
      return TRUE;
  return FALSE;
}

/* The distribution's command first, then whichever tool the root has. */
static GStrv
grub_regenerate (PtBootconfContext *ctx)
{
  const char *update_grub[] = { "usr/sbin/update-grub", "usr/bin/update-grub", NULL };
  const char *grub2_mkconfig[] = { "usr/sbin/grub2-mkconfig", "usr/bin/grub2-mkconfig", NULL };
  const char *grub_mkconfig[] = { "usr/sbin/grub-mkconfig", "usr/bin/grub-mkconfig", NULL };
  const char *const argv_update[] = { "update-grub", NULL };
  const char *const argv_grub2[] = { "grub2-mkconfig", "-o", "/boot/grub2/grub.cfg", NULL };
  const char *const argv_grub[] = { "grub-mkconfig", "-o", "/boot/grub/grub.cfg", NULL };
  gboolean has_update = any_exists (ctx->root, update_grub);
  gboolean has_grub2 = any_exists (ctx->root, grub2_mkconfig);
  gboolean has_grub = any_exists (ctx->root, grub_mkconfig);

  if (pt_bootconf_os_is (ctx, debian_ids) && has_update)
    return g_strdupv ((char **) argv_update);
  if (pt_bootconf_os_is (ctx, redhat_ids) && has_grub2)
    return g_strdupv ((char **) argv_grub2);
  if (has_update)
    return g_strdupv ((char **) argv_update);
  if (has_grub2)
    return g_strdupv ((char **) argv_grub2);
  if (has_grub)
    return g_strdupv ((char **) argv_grub);

  /* No tool under the root (an image, a container): the distribution's. */
  if (pt_bootconf_os_is (ctx, debian_ids))
    return g_strdupv ((char **) argv_update);
  if (pt_bootconf_os_is (ctx, redhat_ids) || pt_bootconf_exists (ctx->root, "boot/grub2"))
    return g_strdupv ((char **) argv_grub2);
  return g_strdupv ((char **) argv_grub);
}

/* One file of the set grub-mkconfig sources, read and scanned. */
typedef struct
{
  char      *path;
  GBytes    *bytes;
  GPtrArray *assigns;
  GPtrArray *splices;
  GBytes    *out;      /* new contents, NULL when unchanged */
} GrubFile;

static void
grub_file_free (GrubFile *f)
{
  g_free (f->path);
  g_clear_pointer (&f->bytes, g_bytes_unref);
  g_clear_pointer (&f->assigns, g_ptr_array_unref);
  g_clear_pointer (&f->splices, g_ptr_array_unref);
  g_clear_pointer (&f->out, g_bytes_unref);
  g_free (f);
}

static GrubFile *
grub_file_new (const char *path, GBytes *bytes)
{
  GrubFile *f = g_new0 (GrubFile, 1);

  f->path = g_strdup (path);
  f->bytes = g_bytes_ref (bytes);
  f->splices = pt_splices_new ();
  return f;
}

static const char *
file_text (GrubFile *f, gsize *len)
{
  return g_bytes_get_data (f->bytes, len);
}

/* A variable's value, taken apart. */
typedef struct
{
  GrubFile      *file;
  PtShellAssign *assign;
  PtShellWord    word;
  guint          group;
} GrubValue;

static gboolean
decode_value (PtBootconfContext *ctx, GrubValue *v, GPtrArray *tokens, GError **error)
{
  gsize len;
  const char *text = file_text (v->file, &len);
  g_autofree char *reason = NULL;
  gsize i = 0;

  if (v->assign->array)
    return pt_bootconf_corrupt (error, ctx->root, v->file->path, v->assign->line,
                                _("the value is an array"));
  if (v->assign->append)
    return pt_bootconf_corrupt (error, ctx->root, v->file->path, v->assign->line,
                                _("the value is appended to (+=), which sh does not know"));
  if (!pt_shell_word_decode (text, v->assign->value_start, v->assign->value_end, &v->word, &reason))
    return pt_bootconf_corrupt (error, ctx->root, v->file->path, v->assign->line, reason);

  /* kernel arguments of the value, with the file's bytes of each */
  while (i < v->word.len)
    {
      gsize start;
      gboolean quoted = FALSE;
      g_autofree char *tok = NULL;

      while (i < v->word.len && g_ascii_isspace (v->word.value[i]))
        i++;
      if (i >= v->word.len)
        break;
      start = i;
      while (i < v->word.len && (quoted || !g_ascii_isspace (v->word.value[i])))
        {
          if (v->word.value[i] == '"')
            quoted = !quoted;
          i++;
        }
      tok = g_strndup (v->word.value + start, i - start);
      pt_tokens_add (tokens, tok, v->word.raw_start[start], v->word.raw_end[i - 1], v->group);
    }
  return TRUE;
}

static char *
encode_or_fail (PtBootconfContext *ctx, GrubValue *v, const char *plain, GError **error)
{
  char *raw = pt_shell_encode (v->word.quote, plain);

  if (raw == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("“%s” cannot be written inside single quotes"),
                                                 plain);

      pt_bootconf_corrupt (error, ctx->root, v->file->path, v->assign->line, reason);
    }
  return raw;
}

/* Removes the last GRUB_CMDLINE_LINUX_DEFAULT="" of @bytes when it is a
 * line of its own, as the apply writes it. */
static void
drop_empty_default (GBytes **bytes)
{
  gsize len;
  const char *text = g_bytes_get_data (*bytes, &len);
  g_autoptr(GPtrArray) assigns = pt_shell_scan (text, len, NULL, NULL);
  PtShellAssign *a;
  gsize s, e;
  GString *out;

  if (assigns == NULL || (a = pt_shell_find_last (assigns, VAR_DEFAULT)) == NULL)
    return;
  s = a->start;
  e = a->value_end;
  if (a->exported || a->append || e - a->value_start != 2
      || text[a->value_start] != '"' || text[a->value_start + 1] != '"')
    return;
  if ((s > 0 && text[s - 1] != '\n') || (e < len && text[e] != '\n'))
    return;
  /* the line and its newline; a last line without one takes the one before */
  if (e < len)
    e++;
  else if (s > 0)
    s--;
  out = g_string_new_len (text, s);
  g_string_append_len (out, text + e, len - e);
  g_bytes_unref (*bytes);
  *bytes = g_string_free_to_bytes (out);
}

/* Where the edit went, for messages. */
typedef struct
{
  PtKargsEdit *edit;
  const char  *path;   /* owned by the file list */
  guint        line;
} GrubResult;

/* Computes each file's new contents (f->out) from f->bytes. */
static gboolean
grub_compute (PtBootconfContext *ctx, GPtrArray *files, GrubResult *result, GError **error)
{
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(PtKargsEdit) edit = NULL;
  GrubValue values[2] = { { 0 } };   /* GRUB_CMDLINE_LINUX, then _DEFAULT */
  GrubValue *target = NULL;
  gboolean ok = FALSE;

  for (guint i = 0; i < files->len; i++)
    {
      GrubFile *f = g_ptr_array_index (files, i);
      gsize len;
      const char *text = file_text (f, &len);
      guint line = 0;
      g_autofree char *reason = NULL;

      g_clear_pointer (&f->assigns, g_ptr_array_unref);
      g_ptr_array_set_size (f->splices, 0);
      g_clear_pointer (&f->out, g_bytes_unref);
      f->assigns = pt_shell_scan (text, len, &line, &reason);
      if (f->assigns == NULL)
        return pt_bootconf_corrupt (error, ctx->root, f->path, line, reason);
    }

  /* The last assignment of each variable over the files, in the order
   * grub-mkconfig sources them. */
  {
    const char *names[2] = { VAR_LINUX, VAR_DEFAULT };

    for (guint n = 0; n < 2; n++)
      for (guint i = 0; i < files->len; i++)
        {
          GrubFile *f = g_ptr_array_index (files, i);
          PtShellAssign *a = pt_shell_find_last (f->assigns, names[n]);

          if (a != NULL)
            {
              values[n].file = f;
              values[n].assign = a;
            }
        }
  }

  for (guint n = 0; n < 2; n++)
    if (values[n].assign != NULL)
      {
        guint first = tokens->len;
        g_autoptr(GPtrArray) mine = pt_tokens_new ();

        values[n].group = n;
        if (!decode_value (ctx, &values[n], tokens, error))
          goto out;
        for (guint i = first; i < tokens->len; i++)
          {
            PtToken *t = g_ptr_array_index (tokens, i);

            pt_tokens_add (mine, t->text, t->start, t->end, n);
          }
        if (!pt_kargs_check_quotes (ctx, mine, values[n].file->path,
                                    file_text (values[n].file, NULL), error))
          goto out;
        target = &values[n];
      }

  edit = pt_kargs_edit (ctx, tokens);

  /* Deletions and replacements, in whichever value they are. */
  for (guint n = 0; n < 2; n++)
    {
      GrubValue *v = &values[n];
      g_autoptr(GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));

      if (v->assign == NULL)
        continue;
      for (guint i = 0; i < tokens->len; i++)
        {
          PtToken *t = g_ptr_array_index (tokens, i);

          if (t->group != n)
            continue;
          g_array_append_val (idx, i);
          if (edit->actions[i] == PT_TOKEN_REPLACE)
            {
              g_autofree char *raw = encode_or_fail (ctx, v, edit->replacements[i], error);

              if (raw == NULL)
                goto out;
              pt_splices_add (v->file->splices, t->start, t->end, raw);
            }
        }
      pt_splices_delete_tokens (v->file->splices, tokens, (guint *) idx->data, idx->len,
                                edit->actions);
    }

  if (target != NULL)
    {
      result->path = target->file->path;
      result->line = target->assign->line;
    }
  else
    {
      GrubFile *f = g_ptr_array_index (files, 0);
      gsize len;
      const char *text = file_text (f, &len);

      result->path = f->path;
      result->line = pt_bootconf_line_of (text, len);
    }

  if (edit->append->len > 0 && target != NULL)
    {
      g_autoptr(GString) add = g_string_new (NULL);
      const char *sep = target->word.quote == PT_SHELL_QUOTE_NONE ? "\\ " : " ";
      gsize at = target->word.inner_end;
      gboolean after_token = FALSE;

      /* after the last argument that stays, else where the value starts */
      for (guint i = tokens->len; i > 0; i--)
        {
          PtToken *t = g_ptr_array_index (tokens, i - 1);

          if (t->group == target->group && edit->actions[i - 1] != PT_TOKEN_DELETE)
            {
              at = t->end;
              after_token = TRUE;
              break;
            }
        }
      if (!after_token)
        {
          at = target->word.inner_start;
          /* keep blanks of an otherwise empty value where they were */
          for (guint i = 0; i < tokens->len; i++)
            if (((PtToken *) g_ptr_array_index (tokens, i))->group == target->group)
              {
                at = ((PtToken *) g_ptr_array_index (tokens, i))->start;
                break;
              }
        }
      for (guint i = 0; i < edit->append->len; i++)
        {
          g_autofree char *raw = encode_or_fail (ctx, target, g_ptr_array_index (edit->append, i),
                                                 error);

          if (raw == NULL)
            goto out;
          if (after_token || i > 0)
            g_string_append (add, sep);
          g_string_append (add, raw);
        }
      pt_splices_add (target->file->splices, at, at, add->str);
    }
  else if (edit->append->len > 0)
    {
      /* Neither variable is set: a line of our own at the end of the file. */
      GrubFile *f = g_ptr_array_index (files, 0);
      gsize len;
      const char *text = file_text (f, &len);
      g_autofree char *args = NULL;
      g_autofree char *line = NULL;

      g_ptr_array_add (edit->append, NULL);
      args = g_strjoinv (" ", (char **) edit->append->pdata);
      g_ptr_array_remove_index (edit->append, edit->append->len - 1);
      if (len > 0 && text[len - 1] != '\n')
        line = g_strdup_printf ("\n%s=\"%s\"", VAR_DEFAULT, args);
      else
        line = g_strdup_printf ("%s=\"%s\"\n", VAR_DEFAULT, args);
      pt_splices_add (f->splices, len, len, line);
    }

  for (guint i = 0; i < files->len; i++)
    {
      GrubFile *f = g_ptr_array_index (files, i);
      gsize len;
      const char *text = file_text (f, &len);
      g_autoptr(GBytes) out = NULL;

      if (f->splices->len == 0)
        continue;
      out = pt_splices_apply (text, len, f->splices);
      /* Undo of a line we added: GRUB_CMDLINE_LINUX_DEFAULT="" alone on
       * its line, with GRUB_CMDLINE_LINUX not set, means the same as no
       * line at all, so it goes. */
      if (ctx->remove && values[0].assign == NULL && values[1].file == f
          && pt_kargs_edit_changed (edit))
        drop_empty_default (&out);
      if (!g_bytes_equal (out, f->bytes))
        f->out = g_steal_pointer (&out);
    }
  result->edit = g_steal_pointer (&edit);
  ok = TRUE;

out:
  for (guint n = 0; n < 2; n++)
    pt_shell_word_clear (&values[n].word);
  return ok;
}

static gboolean
grub_plan (PtBootconfContext *ctx, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) grub_file_free);
  g_autoptr(GPtrArray) dropins = pt_bootconf_list_dir (ctx->root, "etc/default/grub.d", ".cfg");
  g_autoptr(PtKargsEdit) edit = NULL;
  GrubResult result = { 0 };
  gboolean changed = FALSE;

  g_ptr_array_insert (dropins, 0, g_strdup (GRUB_DEFAULT_FILE));
  for (guint i = 0; i < dropins->len; i++)
    {
      const char *path = g_ptr_array_index (dropins, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, path, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (bytes == NULL)
        {
          if (i == 0)
            return TRUE;   /* no etc/default/grub: nothing of ours to change */
          continue;
        }
      g_ptr_array_add (files, grub_file_new (path, bytes));
    }

  if (!grub_compute (ctx, files, &result, error))
    return FALSE;
  edit = result.edit;

  /* What the new files say must be what we meant: planned on them, the
   * same edit finds nothing left to do. A line that runs on into ours (a
   * trailing backslash) or any other surprise is refused, not written. */
  {
    g_autoptr(GPtrArray) check = g_ptr_array_new_with_free_func ((GDestroyNotify) grub_file_free);
    g_autoptr(GError) local_error = NULL;
    GrubResult again = { 0 };
    gboolean same = TRUE;

    for (guint i = 0; i < files->len; i++)
      {
        GrubFile *f = g_ptr_array_index (files, i);

        changed = changed || f->out != NULL;
        g_ptr_array_add (check, grub_file_new (f->path, f->out ? f->out : f->bytes));
      }
    if (changed)
      {
        if (!grub_compute (ctx, check, &again, &local_error))
          same = FALSE;
        for (guint i = 0; same && i < check->len; i++)
          if (((GrubFile *) g_ptr_array_index (check, i))->out != NULL)
            same = FALSE;
        g_clear_pointer (&again.edit, pt_kargs_edit_free);
        if (!same)
          return pt_bootconf_corrupt (error, ctx->root, result.path, result.line,
                                      _("the edited file would not read back as intended "
                                        "(does a line before it end in a backslash?)"));
      }
  }

  for (guint i = 0; i < files->len; i++)
    {
      GrubFile *f = g_ptr_array_index (files, i);

      if (f->out != NULL)
        pt_bootconf_add_change (ctx, "grub", f->path, f->bytes, f->out, 0644);
    }

  if (changed)
    {
      g_auto(GStrv) argv = grub_regenerate (ctx);

      pt_bootconf_add_command (ctx, (const char *const *) argv);

      /* Fedora and RHEL keep the command line in BLS entries too; grubby
       * updates those of the installed kernels. */
      if (pt_bootconf_exists (ctx->root, "boot/loader/entries"))
        {
          const char *grubby[] = { "usr/sbin/grubby", "usr/bin/grubby", NULL };

          if (any_exists (ctx->root, grubby))
            {
              g_autoptr(GPtrArray) cmd = g_ptr_array_new_with_free_func (g_free);

              g_ptr_array_add (cmd, g_strdup ("grubby"));
              g_ptr_array_add (cmd, g_strdup ("--update-kernel=ALL"));
              if (edit->set_args->len > 0)
                {
                  g_autofree char *a = NULL;

                  g_ptr_array_add (edit->set_args, NULL);
                  a = g_strjoinv (" ", (char **) edit->set_args->pdata);
                  g_ptr_array_remove_index (edit->set_args, edit->set_args->len - 1);
                  g_ptr_array_add (cmd, g_strconcat ("--args=", a, NULL));
                }
              if (edit->removed_args->len > 0)
                {
                  g_autofree char *a = NULL;

                  g_ptr_array_add (edit->removed_args, NULL);
                  a = g_strjoinv (" ", (char **) edit->removed_args->pdata);
                  g_ptr_array_remove_index (edit->removed_args, edit->removed_args->len - 1);
                  g_ptr_array_add (cmd, g_strconcat ("--remove-args=", a, NULL));
                }
              g_ptr_array_add (cmd, NULL);
              pt_bootconf_add_command (ctx, (const char *const *) cmd->pdata);
            }
          else
            pt_bootconf_add_note (ctx->warnings,
                                  g_strdup (_("This system has boot loader entries "
                                              "(/boot/loader/entries) but no grubby: the "
                                              "entries of the installed kernels keep their "
                                              "old command line until they are regenerated.")));
        }
    }
  return TRUE;
}

const PtBootconfBackend pt_bootconf_grub = {
  .name = "grub",
  .is_bootloader = TRUE,
  .detect = grub_detect,
  .plan = grub_plan,
  .kind = PT_BOOTCONF_KIND_BOOTLOADER,
  .regenerate = grub_regenerate,
};
