/* fuzz-cmdline.c: a kernel command line through both of its readers, the
 * host's (pt_host_set_cmdline(), what /proc/cmdline and snapshots go
 * through) and the backends' (pt_kargs_split() and pt_kargs_edit(), what
 * GRUB, systemd-boot and kernelstub values go through). The edit is
 * applied as the backends apply it; applying it twice, undoing it and
 * applying it after the undo must hold as for a file. */
#include "config.h"

#include <string.h>

#include "pt-fuzz.h"
#include "pt-host-private.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  pt_fuzz_init ();
  return 0;
}

/* @cmdline with ctx's arguments made true (or, @remove, taken away);
 * NULL when the edit changes nothing. */
static char *
edit_cmdline (const char *cmdline, gboolean remove)
{
  PtBootconfContext ctx;
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(PtKargsEdit) edit = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree guint *idx = NULL;
  gsize len = strlen (cmdline);
  int last = -1;

  pt_bootconf_context_init (&ctx);
  ctx.kernel_args = (GStrv) pt_fuzz_kernel_args;
  ctx.vfio_ids = (GStrv) pt_fuzz_vfio_ids;
  ctx.remove = remove;
  pt_kargs_split (cmdline, len, 0, 0, tokens);
  edit = pt_kargs_edit (&ctx, tokens);
  if (!pt_kargs_edit_changed (edit))
    {
      pt_bootconf_context_clear (&ctx);
      return NULL;
    }
  idx = g_new0 (guint, tokens->len + 1);
  for (guint i = 0; i < tokens->len; i++)
    {
      PtToken *t = g_ptr_array_index (tokens, i);

      idx[i] = i;
      if (t->start >= t->end || t->end > len)
        pt_fuzz_fail ("token %u of \"%s\" at [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ")",
                      i, cmdline, t->start, t->end);
      if (edit->actions[i] == PT_TOKEN_REPLACE)
        pt_splices_add (splices, t->start, t->end, edit->replacements[i]);
      if (edit->actions[i] != PT_TOKEN_DELETE)
        last = i;
    }
  pt_splices_delete_tokens (splices, tokens, idx, tokens->len, edit->actions);
  if (edit->append->len > 0)
    {
      g_autoptr(GString) s = g_string_new (NULL);
      gsize at = last >= 0 ? ((PtToken *) g_ptr_array_index (tokens, last))->end : 0;

      for (guint i = 0; i < edit->append->len; i++)
        g_string_append_printf (s, "%s%s", (last >= 0 || i > 0) ? " " : "",
                                (const char *) g_ptr_array_index (edit->append, i));
      pt_splices_add (splices, at, at, s->str);
    }
  out = pt_splices_apply (cmdline, len, splices);
  pt_bootconf_context_clear (&ctx);
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

/* The host reader and the backends' splitter see the same arguments. */
static void
check_host (const char *cmdline)
{
  g_autoptr(PtHost) host = pt_host_new_empty ();
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  GStrv args;

  pt_host_set_cmdline (host, cmdline);
  if (g_strcmp0 (pt_host_get_cmdline (host), cmdline) != 0)
    pt_fuzz_fail ("the host keeps another command line than \"%s\"", cmdline);
  args = host->cmdline_args;
  pt_kargs_split (cmdline, strlen (cmdline), 0, 0, tokens);
  if (g_strv_length (args) != tokens->len)
    pt_fuzz_fail ("\"%s\": the host reads %u arguments, the backends %u",
                  cmdline, g_strv_length (args), tokens->len);
  for (guint i = 0; args[i] != NULL; i++)
    {
      const char *eq = strchr (args[i], '=');
      g_autofree char *key = eq ? g_strndup (args[i], eq - args[i]) : g_strdup (args[i]);

      if (!pt_host_cmdline_has (host, args[i]))
        pt_fuzz_fail ("\"%s\": argument \"%s\" is not found", cmdline, args[i]);
      if (*key != '\0')
        pt_host_cmdline_get_value (host, key);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* /proc/cmdline and every file value is text: up to the first NUL */
  g_autofree char *cmdline = g_strndup ((const char *) data, size);
  g_autofree char *applied = NULL;
  g_autofree char *again = NULL;
  g_autofree char *undone = NULL;
  g_autofree char *undone_again = NULL;
  g_autofree char *reapplied = NULL;

  check_host (cmdline);
  /* an unclosed double quote would take our arguments into its value:
   * the backends refuse such a line (pt_kargs_check_quotes()) */
  {
    guint quotes = 0;

    for (const char *p = cmdline; *p != '\0'; p++)
      quotes += *p == '"';
    if (quotes % 2 != 0)
      return 0;
  }
  applied = edit_cmdline (cmdline, FALSE);
  if (applied == NULL)
    return 0;
  check_host (applied);

  again = edit_cmdline (applied, FALSE);
  if (again != NULL)
    pt_fuzz_fail ("a second apply on \"%s\" (from \"%s\") gives \"%s\"", applied, cmdline, again);

  undone = edit_cmdline (applied, TRUE);
  if (undone == NULL)
    pt_fuzz_fail ("the undo of \"%s\" changes nothing", applied);
  undone_again = edit_cmdline (undone, TRUE);
  if (undone_again != NULL)
    pt_fuzz_fail ("a second undo on \"%s\" gives \"%s\"", undone, undone_again);

  /* nothing of ours in it: the undo gives it back, and applying again
   * gives the first apply's result */
  if (strstr (cmdline, "iommu") == NULL && strstr (cmdline, "vfio") == NULL &&
      strstr (cmdline, "IOMMU") == NULL && strstr (cmdline, "VFIO") == NULL)
    {
      if (!g_str_equal (undone, cmdline))
        pt_fuzz_fail ("the undo of \"%s\" gives \"%s\", not \"%s\"", applied, undone, cmdline);
      reapplied = edit_cmdline (undone, FALSE);
      if (g_strcmp0 (reapplied, applied) != 0)
        pt_fuzz_fail ("applying after the undo gives \"%s\", not \"%s\"", reapplied, applied);
    }
  return 0;
}
