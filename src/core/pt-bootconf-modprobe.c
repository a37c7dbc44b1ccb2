/* pt-bootconf-modprobe.c: etc/modprobe.d/vfio.conf, which tells modprobe
 * (and, through the initramfs hooks that copy modprobe.d, the early boot)
 * to give vfio-pci the devices' IDs and to load vfio-pci before each GPU
 * driver ("softdep DRIVER pre: vfio-pci"). The file may exist already,
 * written by hand from a guide: its lines are kept, ours are added or
 * merged (the IDs), and undo takes ours out again; a file that holds
 * nothing but our header then goes. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pt-bootconf-private.h"

#define VFIO_CONF "etc/modprobe.d/vfio.conf"

/* Not translated: the file must not depend on who planned it. */
#define HEADER "# Written by Passthrough: vfio-pci takes these devices before their drivers load."

static gboolean
modprobe_detect (const char *root)
{
  return TRUE;
}

/* A line's words, with the offset of each in the line. */
typedef struct
{
  GPtrArray *words;    /* char * */
  GArray    *starts;   /* gsize */
} Words;

static void
words_clear (Words *w)
{
  g_clear_pointer (&w->words, g_ptr_array_unref);
  g_clear_pointer (&w->starts, g_array_unref);
}

static void
split_words (const char *line, Words *w)
{
  gsize i = 0, n = strlen (line);

  w->words = g_ptr_array_new_with_free_func (g_free);
  w->starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  while (i < n)
    {
      gsize s;

      while (i < n && g_ascii_isspace (line[i]))
        i++;
      if (i >= n)
        break;
      s = i;
      while (i < n && !g_ascii_isspace (line[i]))
        i++;
      g_ptr_array_add (w->words, g_strndup (line + s, i - s));
      g_array_append_val (w->starts, s);
    }
}

static const char *
word_at (Words *w, guint i)
{
  return i < w->words->len ? g_ptr_array_index (w->words, i) : NULL;
}

/* Index of the ids= word of an "options vfio-pci …" line, or -1. */
static int
ids_word (Words *w)
{
  if (g_strcmp0 (word_at (w, 0), "options") != 0 || word_at (w, 1) == NULL
      || !pt_bootconf_module_equal (word_at (w, 1), "vfio_pci"))
    return -1;
  for (guint i = 2; i < w->words->len; i++)
    if (g_str_has_prefix (word_at (w, i), "ids="))
      return i;
  return -1;
}

/* "softdep DRIVER pre: … vfio-pci …" for @driver. */
static gboolean
is_softdep_for (Words *w, const char *driver, gboolean exact)
{
  gboolean in_pre = FALSE, found = FALSE;

  if (g_strcmp0 (word_at (w, 0), "softdep") != 0 || word_at (w, 1) == NULL
      || !pt_bootconf_module_equal (word_at (w, 1), driver))
    return FALSE;
  if (exact)
    return w->words->len == 4 && g_str_equal (word_at (w, 2), "pre:")
           && pt_bootconf_module_equal (word_at (w, 3), "vfio_pci");
  for (guint i = 2; i < w->words->len; i++)
    {
      const char *x = word_at (w, i);

      if (g_str_equal (x, "pre:"))
        in_pre = TRUE;
      else if (g_str_equal (x, "post:"))
        in_pre = FALSE;
      else if (in_pre && pt_bootconf_module_equal (x, "vfio_pci"))
        found = TRUE;
    }
  return found;
}

static gboolean
is_blank (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static gboolean
has_id (char **ids, const char *id)
{
  for (guint i = 0; ids[i] != NULL; i++)
    if (g_ascii_strcasecmp (ids[i], id) == 0)
      return TRUE;
  return FALSE;
}

/* @line with its word @k replaced by @word (NULL: removed with the blanks
 * before it). */
static char *
replace_word (const char *line, Words *w, guint k, const char *word)
{
  gsize s = g_array_index (w->starts, gsize, k);
  gsize e = s + strlen (word_at (w, k));
  g_autoptr(GString) out = g_string_new (NULL);

  if (word == NULL)
    {
      while (s > 0 && (line[s - 1] == ' ' || line[s - 1] == '\t'))
        s--;
      g_string_append_len (out, line, s);
    }
  else
    {
      g_string_append_len (out, line, s);
      g_string_append (out, word);
    }
  g_string_append (out, line + e);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Other files under etc/modprobe.d that set vfio-pci's IDs too. */
static void
warn_other_files (PtBootconfContext *ctx)
{
  g_autoptr(GPtrArray) files = pt_bootconf_list_dir (ctx->root, "etc/modprobe.d", ".conf");

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GPtrArray) lines = pt_tokens_new ();
      gsize len;
      const char *text;

      if (g_str_equal (path, VFIO_CONF))
        continue;
      bytes = pt_bootconf_read_file (ctx->root, path, NULL);
      if (bytes == NULL)
        continue;
      text = g_bytes_get_data (bytes, &len);
      pt_lines_split (text, len, lines);
      for (guint k = 0; k < lines->len; k++)
        {
          Words w = { 0 };
          gboolean hit;

          split_words (((PtToken *) g_ptr_array_index (lines, k))->text, &w);
          hit = ids_word (&w) >= 0;
          words_clear (&w);
          if (hit)
            {
              g_autofree char *where = pt_bootconf_display_path (ctx->root, path);

              pt_bootconf_add_note (ctx->warnings,
                                    g_strdup_printf (_("%s:%u also sets the IDs of vfio-pci. "
                                                       "modprobe passes both settings and the "
                                                       "last one wins: remove that line."),
                                                     where, k + 1));
              break;
            }
        }
    }
}

static gboolean
modprobe_plan (PtBootconfContext *ctx, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, VFIO_CONF, &local_error);
  g_autoptr(GPtrArray) lines = pt_tokens_new ();
  g_autoptr(GPtrArray) insert = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(GBytes) out = NULL;
  g_autofree PtTokenAction *actions = NULL;
  char **replacements;
  const char *text = "";
  gsize len = 0;
  int ids_line = -1;
  gboolean changed = FALSE;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (ctx->vfio_ids == NULL || ctx->vfio_ids[0] == NULL)
    return TRUE;
  if (ctx->vfio_builtin && !ctx->remove)
    {
      pt_bootconf_add_note (ctx->notes,
                            g_strdup (_("vfio-pci is built into the kernel, where modprobe.d "
                                        "options do not reach it: the IDs go on the kernel "
                                        "command line only.")));
      return TRUE;
    }
  if (bytes == NULL && ctx->remove)
    return TRUE;
  if (bytes != NULL)
    text = g_bytes_get_data (bytes, &len);

  pt_lines_split (text, len, lines);
  actions = g_new0 (PtTokenAction, lines->len + 1);
  replacements = g_new0 (char *, lines->len + 1);

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = ((PtToken *) g_ptr_array_index (lines, i))->text;
      Words w = { 0 };
      int k;

      split_words (line, &w);
      k = ids_word (&w);
      if (k >= 0)
        {
          ids_line = i;
          if (ctx->remove)
            {
              g_auto(GStrv) have = g_strsplit (word_at (&w, k) + 4, ",", -1);
              g_autoptr(GPtrArray) keep = g_ptr_array_new ();

              for (guint j = 0; have[j] != NULL; j++)
                if (*have[j] != '\0' && !has_id (ctx->vfio_ids, have[j]))
                  g_ptr_array_add (keep, have[j]);
              if (keep->len != g_strv_length (have))
                {
                  changed = TRUE;
                  if (keep->len == 0 && w.words->len == 3)
                    actions[i] = PT_TOKEN_DELETE;
                  else if (keep->len == 0)
                    {
                      actions[i] = PT_TOKEN_REPLACE;
                      replacements[i] = replace_word (line, &w, k, NULL);
                    }
                  else
                    {
                      g_autofree char *list = NULL;
                      g_autofree char *word = NULL;

                      g_ptr_array_add (keep, NULL);
                      list = g_strjoinv (",", (char **) keep->pdata);
                      word = g_strconcat ("ids=", list, NULL);
                      actions[i] = PT_TOKEN_REPLACE;
                      replacements[i] = replace_word (line, &w, k, word);
                    }
                }
            }
        }
      if (ctx->remove)
        for (guint d = 0; ctx->gpu_drivers != NULL && ctx->gpu_drivers[d] != NULL; d++)
          if (is_softdep_for (&w, ctx->gpu_drivers[d], TRUE))
            {
              actions[i] = PT_TOKEN_DELETE;
              changed = TRUE;
            }
      words_clear (&w);
    }

  if (!ctx->remove)
    {
      /* A trial leaves the IDs to the trial entry's vfio-pci.ids: here they
       * would bind the devices on the usual boot as well. The softdep lines
       * stay, so vfio-pci loads before the drivers in the trial boot too. */
      if (ctx->trial != NULL)
        pt_bootconf_add_note (ctx->notes,
                              g_strdup (_("For the trial boot, /etc/modprobe.d/vfio.conf gets "
                                          "no “options vfio-pci ids=” line: it would bind the "
                                          "devices on the usual boot too. Confirming the "
                                          "trial adds it.")));
      /* the IDs: merged into the last line that sets them */
      if (ctx->trial == NULL && ids_line >= 0)
        {
          const char *line = ((PtToken *) g_ptr_array_index (lines, ids_line))->text;
          Words w = { 0 };
          int k;
          g_auto(GStrv) have = NULL;
          g_autoptr(GString) word = NULL;

          split_words (line, &w);
          k = ids_word (&w);
          have = g_strsplit (word_at (&w, k) + 4, ",", -1);
          word = g_string_new (word_at (&w, k));
          for (guint j = 0; ctx->vfio_ids[j] != NULL; j++)
            if (!has_id (have, ctx->vfio_ids[j]))
              {
                if (word->str[word->len - 1] != '=' && word->str[word->len - 1] != ',')
                  g_string_append_c (word, ',');
                g_string_append (word, ctx->vfio_ids[j]);
              }
          if (!g_str_equal (word->str, word_at (&w, k)))
            {
              actions[ids_line] = PT_TOKEN_REPLACE;
              replacements[ids_line] = replace_word (line, &w, k, word->str);
              changed = TRUE;
            }
          words_clear (&w);
        }
      else if (ctx->trial == NULL)
        {
          g_autofree char *ids = g_strjoinv (",", ctx->vfio_ids);

          g_ptr_array_add (insert, g_strdup_printf ("options vfio-pci ids=%s", ids));
        }

      for (guint d = 0; ctx->gpu_drivers != NULL && ctx->gpu_drivers[d] != NULL; d++)
        {
          gboolean found = FALSE;

          for (guint i = 0; i < lines->len && !found; i++)
            {
              Words w = { 0 };

              split_words (((PtToken *) g_ptr_array_index (lines, i))->text, &w);
              found = is_softdep_for (&w, ctx->gpu_drivers[d], FALSE);
              words_clear (&w);
            }
          if (!found)
            g_ptr_array_add (insert, g_strdup_printf ("softdep %s pre: vfio-pci",
                                                      ctx->gpu_drivers[d]));
        }
      if (insert->len > 0)
        changed = TRUE;
      if (bytes == NULL && insert->len > 0)
        g_ptr_array_insert (insert, 0, g_strdup (HEADER));
      warn_other_files (ctx);
    }

  if (changed)
    {
      pt_lines_splice (splices, text, len, lines, actions, replacements, insert, -1);
      out = pt_splices_apply (text, len, splices);

      /* undo: a file of ours with nothing of ours left goes */
      if (ctx->remove)
        {
          gsize olen;
          const char *otext = g_bytes_get_data (out, &olen);
          g_autoptr(GPtrArray) left = pt_tokens_new ();
          gboolean ours = FALSE, empty = TRUE;

          pt_lines_split (otext, olen, left);
          for (guint i = 0; i < left->len; i++)
            {
              const char *l = ((PtToken *) g_ptr_array_index (left, i))->text;

              if (g_str_equal (l, HEADER))
                ours = TRUE;
              else if (!is_blank (l))
                empty = FALSE;
            }
          if (ours && empty)
            g_clear_pointer (&out, g_bytes_unref);
        }
      if (out == NULL || bytes == NULL || !g_bytes_equal (out, bytes))
        pt_bootconf_add_change (ctx, "modprobe.d", VFIO_CONF, bytes, out, 0644);
    }

  for (guint i = 0; i < lines->len; i++)
    g_free (replacements[i]);
  g_free (replacements);
  return TRUE;
}

const PtBootconfBackend pt_bootconf_modprobe = {
  .name = "modprobe.d",
  .is_bootloader = FALSE,
  .detect = modprobe_detect,
  .plan = modprobe_plan,
  .kind = PT_BOOTCONF_KIND_MODPROBE,
  .regenerate = NULL,
};
