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
#include "pt-host-private.h"
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

/* ---- trial boots ------------------------------------------------------ */

/* The generator script of a trial. grub-mkconfig runs the scripts of
 * etc/grub.d in name order, so "99_" comes after every entry (10_linux's,
 * os-prober's, 40_custom's): the numbers and titles GRUB_DEFAULT may name
 * stay the same.
 *
 * Without BLS the script writes the entry: 10_linux's first one (the newest
 * kernel, exactly as the default entry boots it: root device, btrfs
 * subvolume, initrds, video), made again with our arguments after the usual
 * ones (the kernel takes the last of a repeated argument) and renamed; and
 * without "savedefault", which would make it the saved default when picked
 * by hand. With BLS the entry is a loader entry and the script has only the
 * guard.
 *
 * The guard: GRUB clears next_entry in grubenv when it boots it, but it
 * cannot write grubenv on btrfs, ZFS, LVM or RAID, and would then boot the
 * trial entry on every start. So when next_entry is still in grubenv after
 * that, it boots GRUB_DEFAULT (as 00_header would) instead: the trial does
 * not happen, and the usual entry keeps booting.
 *
 * The script never fails grub-mkconfig. Not translated: the file must not
 * depend on who planned it. */
static const char grub_trial_header[] =
  "#! /bin/sh\n"
  PT_BOOTCONF_TRIAL_MARKER ": a boot menu entry for one trial boot with the kernel\n"
  "# arguments below. grub-reboot " PT_BOOTCONF_TRIAL_ID " picks it for the next boot\n"
  "# only; every later boot uses the usual default entry. \"passthroughctl\n"
  "# confirm\" (after a good trial boot) and \"passthroughctl rollback\" remove\n"
  "# this file.\n"
  "\n"
  "trial_id='" PT_BOOTCONF_TRIAL_ID "'\n";

static const char grub_trial_entry[] =
  "trial_args='%s'\n"
  "linux_script=\"${0%%/*}/10_linux\"\n"
  "\n"
  "# The first entry 10_linux writes, with the trial arguments after the usual\n"
  "# ones; its messages were shown when it ran on its own.\n"
  "entry=\n"
  "if [ -x \"$linux_script\" ]; then\n"
  "  entry=$(GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} ${trial_args}\" \\\n"
  "          GRUB_SAVEDEFAULT=false \"$linux_script\" 2>/dev/null |\n"
  "          sed -n '/^menuentry /,/^}/{\n"
  "p\n"
  "/^}/q\n"
  "}')\n"
  "fi\n"
  "if [ -n \"$entry\" ]; then\n"
  "  echo \"Adding boot menu entry for the Passthrough trial ($trial_args)\" >&2\n"
  "  printf '%%s\\n' \"$entry\" |\n"
  "    sed -e \"1s/^menuentry '/menuentry 'Passthrough trial: /\" \\\n"
  "        -e \"1s/[$]menuentry_id_option '[^']*'/\\$menuentry_id_option '$trial_id'/\"\n"
  "else\n"
  "  echo \"Passthrough: $linux_script is missing or wrote no menu entry: no trial entry\" >&2\n"
  "fi\n"
  "\n";

static const char grub_trial_guard[] =
  "# GRUB could not clear next_entry: boot the usual default entry.\n"
  "default_entry=\"${GRUB_DEFAULT:-0}\"\n"
  "if [ \"$default_entry\" = saved ]; then\n"
  "  default_entry='${saved_entry}'\n"
  "fi\n"
  "cat <<EOF\n"
  "if [ \"\\${default}\" = \"$trial_id\" ]; then\n"
  "  load_env next_entry\n"
  "  if [ \"\\${next_entry}\" ]; then\n"
  "    echo \"Passthrough: GRUB cannot clear next_entry here; booting the usual entry\"\n"
  "    set next_entry=\n"
  "    set default=\"$default_entry\"\n"
  "  fi\n"
  "fi\n"
  "EOF\n";

/* The script: the entry for @args (NULL: BLS, the guard only). */
static GBytes *
grub_trial_script (const char *args)
{
  g_autoptr(GString) s = g_string_new (grub_trial_header);

  if (args != NULL)
    g_string_append_printf (s, grub_trial_entry, args);
  g_string_append (s, grub_trial_guard);
  return g_string_free_to_bytes (g_steal_pointer (&s));
}

/* Adds the script for @args to ctx (see grub_trial_script()). */
static gboolean
add_trial_script (PtBootconfContext *ctx, const char *args, GError **error)
{
  g_autoptr(GBytes) script = grub_trial_script (args);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) old = pt_bootconf_read_file (ctx->root, PT_BOOTCONF_GRUB_TRIAL_SCRIPT,
                                                 &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (old != NULL && !pt_bootconf_is_trial_file (old))
    {
      g_autofree char *shown = pt_bootconf_display_path (ctx->root, PT_BOOTCONF_GRUB_TRIAL_SCRIPT);

      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("%s exists and was not written by Passthrough: move it away, then try "
                     "again"), shown);
      return FALSE;
    }
  pt_bootconf_add_change (ctx, "grub", PT_BOOTCONF_GRUB_TRIAL_SCRIPT, old, script, 0755);
  g_ptr_array_add (ctx->trial->files, g_strdup (PT_BOOTCONF_GRUB_TRIAL_SCRIPT));
  return TRUE;
}

/* Why GRUB cannot write grubenv under @root, from the mount of /boot/grub
 * in proc/self/mountinfo (NULL when it can, or nobody knows). Fedora's
 * GRUB keeps grubenv in a btrfs header block and writes it there. */
static char *
grubenv_unwritable (PtBootconfContext *ctx, gboolean bls)
{
  g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, "proc/self/mountinfo", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *fstype = NULL;
  g_autofree char *source = NULL;
  gsize best = 0;
  const char *dir = bls ? "/boot/grub2/" : "/boot/grub/";

  if (bytes == NULL)
    return NULL;
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], " ", -1);
      const char *mount;
      guint dash;
      gsize len;

      if (g_strv_length (fields) < 7)
        continue;
      mount = fields[4];
      len = strlen (mount);
      for (dash = 6; fields[dash] != NULL && !g_str_equal (fields[dash], "-"); dash++)
        ;
      if (fields[dash] == NULL || fields[dash + 1] == NULL || fields[dash + 2] == NULL)
        continue;
      if (!(g_str_equal (mount, "/") || (g_str_has_prefix (dir, mount) && dir[len] == '/')))
        continue;
      if (len >= best)
        {
          best = len;
          g_free (fstype);
          g_free (source);
          fstype = g_strdup (fields[dash + 1]);
          source = g_strdup (fields[dash + 2]);
        }
    }
  if (fstype == NULL)
    return NULL;
  if (g_str_equal (fstype, "zfs") || (!bls && g_str_equal (fstype, "btrfs")))
    return g_strdup (fstype);
  if (g_str_has_prefix (source, "/dev/mapper/") || g_str_has_prefix (source, "/dev/md")
      || g_str_has_prefix (source, "/dev/dm-"))
    return g_strdup (source);
  return NULL;
}

static void
note_grubenv (PtBootconfContext *ctx, gboolean bls)
{
  g_autofree char *where = grubenv_unwritable (ctx, bls);

  if (where != NULL)
    pt_bootconf_add_note (ctx->warnings,
                          g_strdup_printf (_("/boot/grub is on %s, where GRUB cannot write its "
                                             "environment block, so it cannot clear the one-time "
                                             "choice when it boots it. Passthrough’s guard then "
                                             "boots the usual entry: the trial will not happen. "
                                             "Apply without --trial instead."), where));
}

/* The last value @name is given over the files, as sh reads it; NULL when
 * it is not set or not a plain word. */
static char *
grub_value (GPtrArray *files, const char *name)
{
  char *value = NULL;

  for (guint i = 0; i < files->len; i++)
    {
      GrubFile *f = g_ptr_array_index (files, i);
      gsize len;
      const char *text = file_text (f, &len);
      g_autoptr(GPtrArray) assigns = pt_shell_scan (text, len, NULL, NULL);
      PtShellAssign *a;
      PtShellWord word = { 0 };

      if (assigns == NULL || (a = pt_shell_find_last (assigns, name)) == NULL)
        continue;
      g_clear_pointer (&value, g_free);
      if (!a->array && !a->append
          && pt_shell_word_decode (text, a->value_start, a->value_end, &word, NULL))
        value = g_strndup (word.value, word.len);
      pt_shell_word_clear (&word);
    }
  return value;
}

/* @key of GRUB's environment block (grubenv), NULL when unset. */
static char *
grubenv_get (const char *root, const char *key)
{
  const char *const paths[] = { "boot/grub2/grubenv", "boot/grub/grubenv", NULL };

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (root, paths[i], NULL);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;

      if (bytes == NULL)
        continue;
      text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      lines = g_strsplit (text, "\n", -1);
      for (guint k = 0; lines[k] != NULL; k++)
        if (g_str_has_prefix (lines[k], key) && lines[k][strlen (key)] == '=')
          return *(lines[k] + strlen (key) + 1) != '\0' ? g_strdup (lines[k] + strlen (key) + 1)
                                                        : NULL;
      return NULL;
    }
  return NULL;
}

/* A GRUB_DEFAULT (or saved_entry) that counts menu entries: "2", "1>0". */
static gboolean
is_positional (const char *value)
{
  if (value == NULL || g_str_equal (value, "0"))
    return FALSE;
  if (strchr (value, '>') != NULL)
    return TRUE;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static int
bls_order (gconstpointer pa, gconstpointer pb)
{
  const PtLoaderEntry *a = *(PtLoaderEntry **) pa;
  const PtLoaderEntry *b = *(PtLoaderEntry **) pb;
  int r = -pt_bootconf_verscmp (a->version, b->version);

  return r != 0 ? r : -pt_bootconf_verscmp (a->id, b->id);
}

/* Fedora, RHEL: GRUB reads the Boot Loader Specification entries itself
 * (blscfg). The trial entry is a copy of the default one, version "0" so
 * that it sorts after every kernel (blscfg lists the newest first). */
static gboolean
grub_plan_trial_bls (PtBootconfContext *ctx, GPtrArray *files, GError **error)
{
  g_autofree char *grub_default = grub_value (files, "GRUB_DEFAULT");
  g_autofree char *saved = grubenv_get (ctx->root, "saved_entry");
  g_autoptr(GPtrArray) entries = pt_loader_entries_read (ctx->root, "boot/loader/entries", error);
  g_autoptr(GBytes) copy = NULL;
  g_autoptr(GBytes) old = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *path = "boot/loader/entries/" PT_BOOTCONF_TRIAL_ENTRY_FILE;
  const char *wanted = NULL;
  const char *grub2_reboot[] = { "usr/sbin/grub2-reboot", "usr/bin/grub2-reboot", NULL };
  const char *grub_reboot[] = { "usr/sbin/grub-reboot", "usr/bin/grub-reboot", NULL };
  const char *reboot = "grub2-reboot";
  PtLoaderEntry *chosen = NULL;

  if (entries == NULL)
    return FALSE;
  for (guint i = 0; i < entries->len; i++)
    if (pt_bootconf_is_trial_file (((PtLoaderEntry *) g_ptr_array_index (entries, i))->bytes))
      g_ptr_array_remove_index (entries, i--);
  if (entries->len == 0)
    {
      g_autofree char *shown = pt_bootconf_display_path (ctx->root, "boot/loader/entries");

      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("GRUB reads boot loader entries here (GRUB_ENABLE_BLSCFG=true), but %s has "
                     "none to copy for a trial boot. Apply without --trial"), shown);
      return FALSE;
    }

  if (grub_default != NULL && g_str_equal (grub_default, "saved"))
    wanted = saved;
  else
    wanted = grub_default;
  if (is_positional (wanted))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("GRUB’s default entry is chosen by its position in the menu (“%s”), and a "
                     "trial entry among the boot loader entries could move it. Set the default "
                     "by its id (grubby --set-default), then try again; or apply without "
                     "--trial"), wanted);
      return FALSE;
    }

  g_ptr_array_sort (entries, bls_order);
  if (wanted != NULL)
    {
      g_autofree char *want = g_ascii_strdown (wanted, -1);
      g_autofree char *want_conf = g_strconcat (want, ".conf", NULL);

      if (g_str_equal (want_conf, PT_BOOTCONF_TRIAL_ENTRY_FILE))
        {
          g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                       _("GRUB’s default entry is the trial entry “%s”. Set another default "
                         "with grubby --set-default, then try again"), wanted);
          return FALSE;
        }
      for (guint i = 0; i < entries->len && chosen == NULL; i++)
        if (g_str_equal (((PtLoaderEntry *) g_ptr_array_index (entries, i))->id, want_conf))
          chosen = g_ptr_array_index (entries, i);
    }
  if (chosen == NULL)
    chosen = g_ptr_array_index (entries, 0);

  copy = pt_loader_entry_trial_copy (ctx, chosen, "0", FALSE, error);
  if (copy == NULL)
    return FALSE;
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
  pt_bootconf_add_change (ctx, "grub", path, old, copy, 0644);
  g_ptr_array_add (ctx->trial->files, g_strdup (path));
  /* the guard, in grub.cfg */
  if (!add_trial_script (ctx, NULL, error))
    return FALSE;
  note_grubenv (ctx, TRUE);

  if (!any_exists (ctx->root, grub2_reboot) && any_exists (ctx->root, grub_reboot))
    reboot = "grub-reboot";
  {
    g_auto(GStrv) mkconfig = grub_regenerate (ctx);

    pt_bootconf_add_command (ctx, (const char *const *) mkconfig);
  }
  {
    const char *argv[] = { reboot, PT_BOOTCONF_TRIAL_ID, NULL };
    g_autofree char *from = g_strndup (chosen->id, strlen (chosen->id) - strlen (".conf"));

    ctx->trial->entry = g_strdup (PT_BOOTCONF_TRIAL_ID);
    ctx->trial->oneshot = g_strdupv ((char **) argv);
    pt_bootconf_add_command (ctx, argv);
    pt_bootconf_add_note (ctx->notes,
                          g_strdup_printf (_("The trial entry %s is a copy of the boot loader "
                                             "entry %s with the new kernel arguments. %s makes "
                                             "GRUB boot it at the next start only; every later "
                                             "start boots the usual default as before until the "
                                             "trial is confirmed."), PT_BOOTCONF_TRIAL_ID, from,
                                           reboot));
  }
  return TRUE;
}

static gboolean
grub_plan_trial (PtBootconfContext *ctx, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) grub_file_free);
  g_autoptr(GPtrArray) dropins = pt_bootconf_list_dir (ctx->root, "etc/default/grub.d", ".cfg");
  g_autoptr(GError) local_error = NULL;
  g_autofree char *bls = NULL;
  g_autofree char *args = NULL;
  g_auto(GStrv) mkconfig = NULL;
  GrubResult result = { 0 };
  g_autoptr(PtKargsEdit) edit = NULL;

  g_return_val_if_fail (ctx->trial != NULL && !ctx->remove, FALSE);

  g_ptr_array_insert (dropins, 0, g_strdup (GRUB_DEFAULT_FILE));
  for (guint i = 0; i < dropins->len; i++)
    {
      const char *path = g_ptr_array_index (dropins, i);
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, path, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (bytes != NULL)
        g_ptr_array_add (files, grub_file_new (path, bytes));
    }
  if (files->len == 0 || !g_str_equal (((GrubFile *) g_ptr_array_index (files, 0))->path,
                                       GRUB_DEFAULT_FILE))
    {
      g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                   _("There is no /etc/default/grub to take the kernel arguments from. Apply "
                     "without --trial"));
      return FALSE;
    }

  bls = grub_value (files, "GRUB_ENABLE_BLSCFG");
  if (g_strcmp0 (bls, "true") == 0)
    {
      g_autoptr(GPtrArray) entries = pt_bootconf_list_dir (ctx->root, "boot/loader/entries",
                                                           ".conf");

      if (entries->len > 0)
        return grub_plan_trial_bls (ctx, files, error);
    }

  /* What the default entry gets on top of its arguments, in final form:
   * the same edit as the permanent plan makes in /etc/default/grub. An
   * argument appended after its old value wins, as the kernel takes the
   * last one. */
  if (!grub_compute (ctx, files, &result, error))
    return FALSE;
  edit = result.edit;
  if (edit->set_args->len == 0)
    {
      g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                   _("The default boot entry has these kernel arguments already, so a trial "
                     "boot would try nothing new. Apply without --trial"));
      return FALSE;
    }
  if (!pt_bootconf_trial_args_ok (edit->set_args, error))
    return FALSE;
  for (guint i = 0; i < edit->set_args->len; i++)
    g_ptr_array_add (ctx->trial->args, g_strdup (g_ptr_array_index (edit->set_args, i)));

  {
    g_autofree char *linux_path = pt_root_path (ctx->root, "etc/grub.d/10_linux");
    g_autofree char *shown = pt_bootconf_display_path (ctx->root, "etc/grub.d/10_linux");

    if (g_file_test (linux_path, G_FILE_TEST_EXISTS)
        && !g_file_test (linux_path, G_FILE_TEST_IS_EXECUTABLE))
      {
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                     _("%s is not executable, so grub-mkconfig writes no Linux entries and the "
                       "trial entry has none to copy. Apply without --trial"), shown);
        return FALSE;
      }
    if (!g_file_test (linux_path, G_FILE_TEST_EXISTS))
      pt_bootconf_add_note (ctx->warnings,
                            g_strdup_printf (_("%s is missing: the trial entry is a copy of the "
                                               "first entry it writes, so GRUB’s menu will have "
                                               "no trial entry until it is there."), shown));
  }

  g_ptr_array_add (edit->set_args, NULL);
  args = g_strjoinv (" ", (char **) edit->set_args->pdata);
  g_ptr_array_remove_index (edit->set_args, edit->set_args->len - 1);
  if (!add_trial_script (ctx, args, error))
    return FALSE;
  note_grubenv (ctx, FALSE);

  mkconfig = grub_regenerate (ctx);
  pt_bootconf_add_command (ctx, (const char *const *) mkconfig);
  {
    const char *reboot = g_str_has_prefix (mkconfig[0], "grub2-") ? "grub2-reboot" : "grub-reboot";
    const char *argv[] = { reboot, PT_BOOTCONF_TRIAL_ID, NULL };

    ctx->trial->entry = g_strdup (PT_BOOTCONF_TRIAL_ID);
    ctx->trial->oneshot = g_strdupv ((char **) argv);
    pt_bootconf_add_command (ctx, argv);
    pt_bootconf_add_note (ctx->notes,
                          g_strdup_printf (_("The trial entry is written by %s when %s runs: the "
                                             "first Linux entry with the new kernel arguments, "
                                             "last in the menu. %s makes GRUB boot it at the "
                                             "next start only; every later start boots the "
                                             "usual default as before until the trial is "
                                             "confirmed."), "/" PT_BOOTCONF_GRUB_TRIAL_SCRIPT,
                                           mkconfig[0], reboot));
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
  .plan_trial = grub_plan_trial,
};
