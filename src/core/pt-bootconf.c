/* pt-bootconf.c: the registry of boot configuration backends and what they
 * share: reading files under the root, collecting changes, editing token
 * lists and kernel command lines, and turning a plan into file changes. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pt-bootconf.h"
#include "pt-bootconf-private.h"
#include "pt-host-private.h"

void
pt_file_change_free (PtFileChange *change)
{
  if (change == NULL)
    return;
  g_free (change->path);
  g_clear_pointer (&change->old_contents, g_bytes_unref);
  g_clear_pointer (&change->new_contents, g_bytes_unref);
  g_free (change->owner);
  g_free (change);
}

void
pt_bootconf_trial_init (PtBootconfTrial *trial)
{
  memset (trial, 0, sizeof *trial);
  trial->args = g_ptr_array_new_with_free_func (g_free);
  trial->files = g_ptr_array_new_with_free_func (g_free);
}

void
pt_bootconf_trial_clear (PtBootconfTrial *trial)
{
  g_clear_pointer (&trial->bootloader, g_free);
  g_clear_pointer (&trial->entry, g_free);
  g_clear_pointer (&trial->args, g_ptr_array_unref);
  g_clear_pointer (&trial->files, g_ptr_array_unref);
  g_clear_pointer (&trial->oneshot, g_strfreev);
}

/* ---- the registry ----------------------------------------------------- */

/* Detection order is priority order: kernelstub manages the ESP of a Pop!_OS
 * system that also has GRUB's tools; GRUB owns the BLS entries of Fedora;
 * mkinitcpio wins over a dracut installed beside it on Arch. */
static const PtBootconfBackend *const backends[] = {
  &pt_bootconf_kernelstub,
  &pt_bootconf_grub,
  &pt_bootconf_sdboot,
  &pt_bootconf_mkinitcpio,
  &pt_bootconf_dracut,
  &pt_bootconf_initramfs_tools,
  &pt_bootconf_modprobe,
  NULL,
};

const PtBootconfBackend *const *
pt_bootconf_backends (void)
{
  return backends;
}

const PtBootconfBackend *
pt_bootconf_find (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; backends[i] != NULL; i++)
    if (g_str_equal (backends[i]->name, name))
      return backends[i];
  return NULL;
}

const PtBootconfBackend *
pt_bootconf_detect (const char *root, PtBootconfKind kind)
{
  g_return_val_if_fail (root != NULL, NULL);

  for (guint i = 0; backends[i] != NULL; i++)
    if (backends[i]->kind == kind && backends[i]->detect (root))
      return backends[i];
  return NULL;
}

/* ---- files under the root --------------------------------------------- */

static char *
root_path (const char *root, const char *path)
{
  return pt_root_path (root, path);
}

gboolean
pt_bootconf_exists (const char *root, const char *path)
{
  g_autofree char *full = root_path (root, path);

  return g_file_test (full, G_FILE_TEST_EXISTS);
}

GBytes *
pt_bootconf_read_file (const char *root, const char *path, GError **error)
{
  g_autofree char *full = NULL;
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (path != NULL && !g_path_is_absolute (path), NULL);

  full = root_path (root, path);
  if (!g_file_get_contents (full, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      g_set_error (error, PT_ERROR, PT_ERROR_FAILED,
                   _("Cannot read %s: %s"), full, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

GPtrArray *
pt_bootconf_list_dir (const char *root, const char *dir, const char *suffix)
{
  g_autofree char *full = root_path (root, dir);
  g_autoptr(GDir) d = g_dir_open (full, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return names;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *rel = NULL;
      g_autofree char *path = NULL;

      if (name[0] == '.' || !g_str_has_suffix (name, suffix))
        continue;
      rel = g_build_filename (dir, name, NULL);
      path = root_path (root, rel);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      g_ptr_array_add (names, g_steal_pointer (&rel));
    }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

char *
pt_bootconf_display_path (const char *root, const char *path)
{
  if (root == NULL || g_str_equal (root, "/"))
    return g_strconcat ("/", path, NULL);
  return g_build_filename (root, path, NULL);
}

gboolean
pt_bootconf_corrupt (GError **error, const char *root, const char *path, guint line,
                     const char *reason)
{
  g_autofree char *where = pt_bootconf_display_path (root, path);

  g_set_error (error, PT_ERROR, PT_ERROR_CORRUPT,
               _("%s:%u: %s. Passthrough does not rewrite a file it cannot read safely: "
                 "simplify that line, or make the change by hand"),
               where, line, reason);
  return FALSE;
}

guint
pt_bootconf_line_of (const char *text, gsize offset)
{
  guint line = 1;

  for (gsize i = 0; i < offset; i++)
    if (text[i] == '\n')
      line++;
  return line;
}

void
pt_bootconf_add_command (PtBootconfContext *ctx, const char *const *argv)
{
  for (guint i = 0; i < ctx->regenerate->len; i++)
    {
      const char *const *have = g_ptr_array_index (ctx->regenerate, i);

      if (g_strv_equal (have, argv))
        return;
    }
  g_ptr_array_add (ctx->regenerate, g_strdupv ((char **) argv));
}

void
pt_bootconf_add_note (GPtrArray *list, char *message)
{
  if (g_ptr_array_find_with_equal_func (list, message, g_str_equal, NULL))
    g_free (message);
  else
    g_ptr_array_add (list, message);
}

void
pt_bootconf_add_change (PtBootconfContext *ctx,
                        const char        *owner,
                        const char        *path,
                        GBytes            *old_contents,
                        GBytes            *new_contents,
                        guint32            mode)
{
  PtFileChange *change;

  g_return_if_fail (ctx != NULL && path != NULL);

  if (old_contents == NULL && new_contents == NULL)
    return;
  if (old_contents != NULL && new_contents != NULL && g_bytes_equal (old_contents, new_contents))
    return;

  change = g_new0 (PtFileChange, 1);
  change->path = g_strdup (path);
  change->old_contents = old_contents ? g_bytes_ref (old_contents) : NULL;
  change->new_contents = new_contents ? g_bytes_ref (new_contents) : NULL;
  change->mode = mode;
  change->owner = g_strdup (owner);
  g_ptr_array_add (ctx->changes, change);
}

/* ---- trial boots ------------------------------------------------------- */

gboolean
pt_bootconf_is_trial_file (GBytes *bytes)
{
  gsize len;
  const char *text;

  if (bytes == NULL)
    return FALSE;
  text = g_bytes_get_data (bytes, &len);
  return g_strstr_len (text, MIN (len, 512), PT_BOOTCONF_TRIAL_MARKER) != NULL;
}

gboolean
pt_bootconf_trial_args_ok (GPtrArray *args, GError **error)
{
  for (guint i = 0; i < args->len; i++)
    {
      const char *arg = g_ptr_array_index (args, i);

      for (const char *p = arg; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && strchr ("._,:=+-/", *p) == NULL)
          {
            g_set_error (error, PT_ERROR, PT_ERROR_REFUSED,
                         _("The kernel argument “%s” cannot be written into a trial boot "
                           "entry safely. Apply without --trial"), arg);
            return FALSE;
          }
    }
  return TRUE;
}

static gboolean
is_version_char (char c)
{
  return g_ascii_isalnum (c) || c == '~' || c == '-' || c == '^' || c == '.';
}

static int
sign (int r)
{
  return (r > 0) - (r < 0);
}

int
pt_bootconf_verscmp (const char *a, const char *b)
{
  static const char separators[] = "-^.";

  a = a != NULL ? a : "";
  b = b != NULL ? b : "";
  for (;;)
    {
      const char *ea, *eb;

      while (*a != '\0' && !is_version_char (*a))
        a++;
      while (*b != '\0' && !is_version_char (*b))
        b++;

      /* "~" marks a pre-release: older than anything, the end included */
      if (*a == '~' || *b == '~')
        {
          if (*a != *b)
            return *a == '~' ? -1 : 1;
          a++;
          b++;
        }
      /* otherwise the one with more segments is newer */
      if (*a == '\0' || *b == '\0')
        return (*a != '\0') - (*b != '\0');
      /* a segment after a separator is older than one without, and the
       * separators rank '-' < '^' < '.' */
      for (guint i = 0; separators[i] != '\0'; i++)
        if (*a == separators[i] || *b == separators[i])
          {
            if (*a != *b)
              return *a == separators[i] ? -1 : 1;
            a++;
            b++;
          }

      if (g_ascii_isdigit (*a) || g_ascii_isdigit (*b))
        {
          for (ea = a; g_ascii_isdigit (*ea); ea++)
            ;
          for (eb = b; g_ascii_isdigit (*eb); eb++)
            ;
          /* a number is newer than letters */
          if ((ea == a) != (eb == b))
            return ea == a ? -1 : 1;
          while (*a == '0')
            a++;
          while (*b == '0')
            b++;
          if (ea - a != eb - b)
            return ea - a < eb - b ? -1 : 1;
          if (strncmp (a, b, ea - a) != 0)
            return sign (strncmp (a, b, ea - a));
        }
      else
        {
          for (ea = a; g_ascii_isalpha (*ea); ea++)
            ;
          for (eb = b; g_ascii_isalpha (*eb); eb++)
            ;
          if (strncmp (a, b, MIN (ea - a, eb - b)) != 0)
            return sign (strncmp (a, b, MIN (ea - a, eb - b)));
          if (ea - a != eb - b)
            return ea - a < eb - b ? -1 : 1;
        }
      a = ea;
      b = eb;
    }
}

/* ---- kernels ---------------------------------------------------------- */

static gboolean
parse_release (const char *release, guint *major, guint *minor)
{
  const char *p = release;
  char *end = NULL;
  guint64 a, b;

  if (release == NULL || !g_ascii_isdigit (*p))
    return FALSE;
  a = g_ascii_strtoull (p, &end, 10);
  if (end == NULL || *end != '.' || !g_ascii_isdigit (end[1]))
    return FALSE;
  b = g_ascii_strtoull (end + 1, &end, 10);
  if (a > 1000 || b > 1000)
    return FALSE;
  *major = a;
  *minor = b;
  return TRUE;
}

gboolean
pt_bootconf_release_before (const char *release, guint major, guint minor, gboolean *known)
{
  guint a, b;
  gboolean ok = parse_release (release, &a, &b);

  if (known != NULL)
    *known = ok;
  if (!ok)
    return FALSE;
  return a < major || (a == major && b < minor);
}

GPtrArray *
pt_bootconf_installed_kernels (const char *root)
{
  const char *dirs[] = { "usr/lib/modules", "lib/modules" };
  GPtrArray *releases = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *full = root_path (root, dirs[i]);
      g_autoptr(GDir) d = g_dir_open (full, 0, NULL);
      const char *name;

      if (d == NULL)
        continue;
      while ((name = g_dir_read_name (d)) != NULL)
        {
          guint a, b;
          g_autofree char *sub = g_build_filename (full, name, NULL);

          if (!parse_release (name, &a, &b) || !g_file_test (sub, G_FILE_TEST_IS_DIR))
            continue;
          if (!g_ptr_array_find_with_equal_func (releases, name, g_str_equal, NULL))
            g_ptr_array_add (releases, g_strdup (name));
        }
    }
  g_ptr_array_sort (releases, compare_strings);
  return releases;
}

gboolean
pt_bootconf_wants_virqfd (PtBootconfContext *ctx)
{
  g_autoptr(GPtrArray) kernels = pt_bootconf_installed_kernels (ctx->root);
  gboolean any = FALSE;

  for (guint i = 0; i < kernels->len; i++)
    {
      gboolean known;

      if (!pt_bootconf_release_before (g_ptr_array_index (kernels, i), 6, 2, &known))
        return FALSE;
      any = any || known;
    }
  if (ctx->kernel_release != NULL)
    {
      gboolean known;

      if (!pt_bootconf_release_before (ctx->kernel_release, 6, 2, &known))
        return FALSE;
      any = any || known;
    }
  return any;
}

GPtrArray *
pt_bootconf_vfio_modules (PtBootconfContext *ctx)
{
  GPtrArray *mods = g_ptr_array_new ();

  g_ptr_array_add (mods, (gpointer) "vfio_pci");
  g_ptr_array_add (mods, (gpointer) "vfio");
  g_ptr_array_add (mods, (gpointer) "vfio_iommu_type1");
  if (pt_bootconf_wants_virqfd (ctx))
    g_ptr_array_add (mods, (gpointer) "vfio_virqfd");
  return mods;
}

gboolean
pt_bootconf_module_equal (const char *a, const char *b)
{
  for (; *a != '\0' && *b != '\0'; a++, b++)
    {
      char x = *a == '-' ? '_' : *a;
      char y = *b == '-' ? '_' : *b;

      if (x != y)
        return FALSE;
    }
  return *a == *b;
}

gboolean
pt_bootconf_is_gpu_module (PtBootconfContext *ctx, const char *name)
{
  static const char *const gpu_modules[] = {
    "nouveau", "nvidia", "nvidia_modeset", "nvidia_uvm", "nvidia_drm", "amdgpu", "radeon",
    "i915", "xe", NULL,
  };

  for (guint i = 0; gpu_modules[i] != NULL; i++)
    if (pt_bootconf_module_equal (name, gpu_modules[i]))
      return TRUE;
  for (guint i = 0; ctx->gpu_drivers != NULL && ctx->gpu_drivers[i] != NULL; i++)
    if (pt_bootconf_module_equal (name, ctx->gpu_drivers[i]))
      return TRUE;
  return FALSE;
}

gboolean
pt_bootconf_os_is (PtBootconfContext *ctx, const char *const *ids)
{
  g_auto(GStrv) like = g_strsplit (ctx->os_id_like ? ctx->os_id_like : "", " ", -1);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      if (g_strcmp0 (ctx->os_id, ids[i]) == 0)
        return TRUE;
      if (g_strv_contains ((const char *const *) like, ids[i]))
        return TRUE;
    }
  return FALSE;
}

/* ---- early module lists ---------------------------------------------- */

void
pt_modules_edit_free (PtModulesEdit *edit)
{
  if (edit == NULL)
    return;
  g_free (edit->actions);
  g_ptr_array_unref (edit->insert);
  g_free (edit);
}

static gboolean
is_vfio_module (const char *name)
{
  static const char *const all[] = { "vfio_pci", "vfio", "vfio_iommu_type1", "vfio_virqfd", NULL };

  for (guint i = 0; all[i] != NULL; i++)
    if (pt_bootconf_module_equal (name, all[i]))
      return TRUE;
  return FALSE;
}

PtModulesEdit *
pt_modules_edit (PtBootconfContext *ctx, const char *const *names, guint n)
{
  PtModulesEdit *edit = g_new0 (PtModulesEdit, 1);
  g_autoptr(GPtrArray) wanted = pt_bootconf_vfio_modules (ctx);
  g_autoptr(GPtrArray) placed = g_ptr_array_new ();
  int first_gpu = -1;

  edit->actions = g_new0 (PtTokenAction, n + 1);
  edit->insert = g_ptr_array_new ();
  edit->insert_before = -1;

  if (ctx->remove)
    {
      for (guint i = 0; i < n; i++)
        if (names[i] != NULL && is_vfio_module (names[i]))
          edit->actions[i] = PT_TOKEN_DELETE;
      return edit;
    }

  for (guint i = 0; i < n && first_gpu < 0; i++)
    if (names[i] != NULL && pt_bootconf_is_gpu_module (ctx, names[i]))
      first_gpu = i;

  for (guint i = 0; i < n; i++)
    {
      guint w;

      if (names[i] == NULL)
        continue;
      if (pt_bootconf_module_equal (names[i], "vfio_virqfd")
          && !g_ptr_array_find_with_equal_func (wanted, "vfio_virqfd", g_str_equal, NULL))
        {
          edit->actions[i] = PT_TOKEN_DELETE;
          edit->dropped_virqfd = TRUE;
          continue;
        }
      for (w = 0; w < wanted->len; w++)
        if (pt_bootconf_module_equal (names[i], g_ptr_array_index (wanted, w)))
          break;
      if (w == wanted->len)
        continue;
      if (first_gpu >= 0 && (int) i > first_gpu)
        edit->actions[i] = PT_TOKEN_DELETE;   /* behind a GPU driver: moves */
      else if (!g_ptr_array_find (placed, g_ptr_array_index (wanted, w), NULL))
        g_ptr_array_add (placed, g_ptr_array_index (wanted, w));
    }

  for (guint w = 0; w < wanted->len; w++)
    if (!g_ptr_array_find (placed, g_ptr_array_index (wanted, w), NULL))
      g_ptr_array_add (edit->insert, g_ptr_array_index (wanted, w));
  if (edit->insert->len > 0)
    edit->insert_before = first_gpu;
  return edit;
}

gboolean
pt_modules_edit_changed (PtModulesEdit *edit, guint n)
{
  if (edit->insert->len > 0)
    return TRUE;
  for (guint i = 0; i < n; i++)
    if (edit->actions[i] != PT_TOKEN_KEEP)
      return TRUE;
  return FALSE;
}

/* ---- splices ---------------------------------------------------------- */

static void
splice_free (PtSplice *s)
{
  g_free (s->text);
  g_free (s);
}

GPtrArray *
pt_splices_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) splice_free);
}

void
pt_splices_add (GPtrArray *splices, gsize start, gsize end, const char *text)
{
  PtSplice *s = g_new0 (PtSplice, 1);

  g_assert (start <= end);
  s->start = start;
  s->end = end;
  s->text = g_strdup (text ? text : "");
  g_ptr_array_add (splices, s);
}

static int
compare_splices (gconstpointer a, gconstpointer b)
{
  const PtSplice *x = *(PtSplice **) a, *y = *(PtSplice **) b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

GBytes *
pt_splices_apply (const char *data, gsize len, GPtrArray *splices)
{
  GString *out = g_string_sized_new (len + 64);
  gsize pos = 0;

  g_ptr_array_sort (splices, compare_splices);
  for (guint i = 0; i < splices->len; i++)
    {
      PtSplice *s = g_ptr_array_index (splices, i);

      g_assert (s->start >= pos && s->end <= len);
      g_string_append_len (out, data + pos, s->start - pos);
      g_string_append (out, s->text);
      pos = s->end;
    }
  g_string_append_len (out, data + pos, len - pos);
  return g_string_free_to_bytes (out);
}

/* ---- token lists ------------------------------------------------------ */

void
pt_token_free (PtToken *token)
{
  g_free (token->text);
  g_free (token);
}

GPtrArray *
pt_tokens_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pt_token_free);
}

void
pt_tokens_add (GPtrArray *tokens, const char *text, gsize start, gsize end, guint group)
{
  PtToken *t = g_new0 (PtToken, 1);

  t->text = g_strdup (text);
  t->start = start;
  t->end = end;
  t->group = group;
  g_ptr_array_add (tokens, t);
}

void
pt_splices_delete_tokens (GPtrArray           *splices,
                          GPtrArray           *tokens,
                          const guint         *indices,
                          guint                n,
                          const PtTokenAction *actions)
{
  guint r = 0;

  while (r < n)
    {
      guint r1;
      PtToken *first, *last;

      if (actions[indices[r]] != PT_TOKEN_DELETE)
        {
          r++;
          continue;
        }
      r1 = r;
      while (r1 + 1 < n && actions[indices[r1 + 1]] == PT_TOKEN_DELETE)
        r1++;
      first = g_ptr_array_index (tokens, indices[r]);
      last = g_ptr_array_index (tokens, indices[r1]);
      /* Take the blanks after the run, not before it: what stands between
       * the previous token and the run (a comment ending its line) belongs
       * to the previous token. */
      if (r1 + 1 < n)
        {
          PtToken *next = g_ptr_array_index (tokens, indices[r1 + 1]);

          pt_splices_add (splices, first->start, next->start, NULL);
        }
      else if (r > 0)
        {
          PtToken *prev = g_ptr_array_index (tokens, indices[r - 1]);

          pt_splices_add (splices, prev->end, last->end, NULL);
        }
      else
        pt_splices_add (splices, first->start, last->end, NULL);
      r = r1 + 1;
    }
}

/* ---- line lists ------------------------------------------------------- */

void
pt_lines_split (const char *text, gsize len, GPtrArray *lines)
{
  gsize pos = 0;

  while (pos < len)
    {
      const char *nl = memchr (text + pos, '\n', len - pos);
      gsize end = nl ? (gsize) (nl - text) : len;
      g_autofree char *line = g_strndup (text + pos, end - pos);

      pt_tokens_add (lines, line, pos, end, 0);
      pos = nl ? end + 1 : len;
    }
}

void
pt_lines_splice (GPtrArray           *splices,
                 const char          *text,
                 gsize                len,
                 GPtrArray           *lines,
                 const PtTokenAction *actions,
                 char               **replacements,
                 GPtrArray           *insert,
                 int                  before)
{
  guint n = lines->len;
  g_autofree guint *idx = g_new0 (guint, n + 1);
  g_autofree char *joined = NULL;
  gboolean all_deleted = n > 0;
  int last_kept = -1;

  for (guint i = 0; i < n; i++)
    {
      idx[i] = i;
      if (actions[i] != PT_TOKEN_DELETE)
        {
          all_deleted = FALSE;
          last_kept = i;
        }
    }
  if (insert != NULL && insert->len > 0)
    {
      g_ptr_array_add (insert, NULL);
      joined = g_strjoinv ("\n", (char **) insert->pdata);
      g_ptr_array_remove_index (insert, insert->len - 1);
    }

  if (all_deleted || n == 0)
    {
      if (joined != NULL)
        {
          g_autofree char *all = g_strconcat (joined, "\n", NULL);

          pt_splices_add (splices, 0, len, all);
        }
      else if (all_deleted)
        pt_splices_add (splices, 0, len, NULL);
      return;
    }

  for (guint i = 0; i < n; i++)
    if (actions[i] == PT_TOKEN_REPLACE)
      {
        PtToken *t = g_ptr_array_index (lines, i);

        pt_splices_add (splices, t->start, t->end, replacements[i]);
      }
  pt_splices_delete_tokens (splices, lines, idx, n, actions);

  if (joined == NULL)
    return;
  if (before >= 0)
    {
      PtToken *t = g_ptr_array_index (lines, before);
      g_autofree char *add = g_strconcat (joined, "\n", NULL);

      pt_splices_add (splices, t->start, t->start, add);
    }
  else
    {
      PtToken *t = g_ptr_array_index (lines, last_kept);
      g_autofree char *add = g_strconcat ("\n", joined, NULL);

      pt_splices_add (splices, t->end, t->end, add);
    }
}

/* ---- kernel command lines --------------------------------------------- */

void
pt_kargs_split (const char *text, gsize len, gsize base, guint group, GPtrArray *tokens)
{
  gsize i = 0;

  while (i < len)
    {
      gsize start;
      gboolean quoted = FALSE;
      g_autofree char *tok = NULL;

      while (i < len && g_ascii_isspace (text[i]))
        i++;
      if (i >= len)
        break;
      start = i;
      while (i < len && (quoted || !g_ascii_isspace (text[i])))
        {
          if (text[i] == '"')
            quoted = !quoted;
          i++;
        }
      tok = g_strndup (text + start, i - start);
      pt_tokens_add (tokens, tok, base + start, base + i, group);
    }
}

gboolean
pt_kargs_check_quotes (PtBootconfContext *ctx,
                       GPtrArray         *tokens,
                       const char        *path,
                       const char        *text,
                       GError           **error)
{
  for (guint i = 0; i < tokens->len; i++)
    {
      PtToken *t = g_ptr_array_index (tokens, i);
      guint quotes = 0;

      for (const char *p = t->text; *p != '\0'; p++)
        quotes += *p == '"';
      if (quotes % 2 != 0)
        return pt_bootconf_corrupt (error, ctx->root, path, pt_bootconf_line_of (text, t->start),
                                    _("a double quote on the kernel command line is not closed"));
    }
  return TRUE;
}

void
pt_kargs_edit_free (PtKargsEdit *edit)
{
  if (edit == NULL)
    return;
  for (guint i = 0; i < edit->n_tokens; i++)
    g_free (edit->replacements[i]);
  g_free (edit->replacements);
  g_free (edit->actions);
  g_ptr_array_unref (edit->append);
  g_ptr_array_unref (edit->set_args);
  g_ptr_array_unref (edit->removed_args);
  g_free (edit);
}

gboolean
pt_kargs_edit_changed (PtKargsEdit *edit)
{
  return edit->set_args->len > 0 || edit->removed_args->len > 0;
}

/* The parameter name with '-' as '_' (the kernel compares them alike), or
 * NULL for a quoted token we do not look into. */
static char *
karg_key (const char *arg)
{
  const char *eq;
  char *key;

  if (arg[0] == '"')
    return NULL;
  eq = strchr (arg, '=');
  key = eq ? g_strndup (arg, eq - arg) : g_strdup (arg);
  g_strdelimit (key, "-", '_');
  return key;
}

static const char *
karg_value (const char *arg)
{
  const char *eq = strchr (arg, '=');

  return eq ? eq + 1 : NULL;
}

static char *
karg_key_text (const char *arg)
{
  const char *eq = strchr (arg, '=');

  return eq ? g_strndup (arg, eq - arg) : g_strdup (arg);
}

static gboolean
karg_matches (const char *arg, const char *key, const char *value)
{
  g_autofree char *k = karg_key (arg);

  if (k == NULL || !g_str_equal (k, key))
    return FALSE;
  return value == NULL || g_strcmp0 (karg_value (arg), value) == 0;
}

/* Parameters whose value is a list of options where one undoes another:
 * the value we want, and the ones it replaces. */
static const struct
{
  const char *key;
  const char *conflicts[3];
} list_params[] = {
  { "intel_iommu", { "off", NULL } },
  { "iommu", { "nopt", NULL } },
};

static const char *const *
conflicts_for (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (list_params); i++)
    if (g_str_equal (list_params[i].key, key))
      return list_params[i].conflicts;
  return NULL;
}

static gboolean
id_list_has (char **ids, const char *id)
{
  for (guint i = 0; ids[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (ids[i]), id) == 0)
      return TRUE;
  return FALSE;
}

static const char *
current_text (PtKargsEdit *edit, GPtrArray *tokens, guint i)
{
  if (edit->actions[i] == PT_TOKEN_REPLACE)
    return edit->replacements[i];
  return ((PtToken *) g_ptr_array_index (tokens, i))->text;
}

static void
set_replacement (PtKargsEdit *edit, guint i, char *text)
{
  g_free (edit->replacements[i]);
  edit->replacements[i] = text;
  edit->actions[i] = PT_TOKEN_REPLACE;
}

static void
mark_deleted (PtKargsEdit *edit, GPtrArray *tokens, guint i)
{
  g_ptr_array_add (edit->removed_args,
                   g_strdup (((PtToken *) g_ptr_array_index (tokens, i))->text));
  g_clear_pointer (&edit->replacements[i], g_free);
  edit->actions[i] = PT_TOKEN_DELETE;
}

static void
edit_vfio_ids (PtKargsEdit *edit, GPtrArray *tokens, const char *key, const char *want,
               const char *arg, gboolean remove)
{
  g_auto(GStrv) wanted = g_strsplit (want, ",", -1);
  int last = -1;

  for (guint i = 0; i < tokens->len; i++)
    if (edit->actions[i] != PT_TOKEN_DELETE && karg_matches (current_text (edit, tokens, i), key, NULL))
      {
        last = i;
        if (remove)
          {
            const char *text = current_text (edit, tokens, i);
            g_auto(GStrv) have = g_strsplit (karg_value (text) ? karg_value (text) : "", ",", -1);
            g_autoptr(GPtrArray) keep = g_ptr_array_new ();
            g_autofree char *key_text = karg_key_text (text);

            for (guint k = 0; have[k] != NULL; k++)
              if (*g_strstrip (have[k]) != '\0' && !id_list_has (wanted, have[k]))
                g_ptr_array_add (keep, have[k]);
            g_ptr_array_add (keep, NULL);
            if (keep->len == 1)
              mark_deleted (edit, tokens, i);
            else if (keep->len - 1 != g_strv_length (have))
              {
                g_autofree char *list = g_strjoinv (",", (char **) keep->pdata);

                set_replacement (edit, i, g_strdup_printf ("%s=%s", key_text, list));
                g_ptr_array_add (edit->set_args, g_strdup (edit->replacements[i]));
              }
          }
      }
  if (remove)
    return;

  if (last < 0)
    {
      g_ptr_array_add (edit->append, g_strdup (arg));
      g_ptr_array_add (edit->set_args, g_strdup (arg));
      return;
    }

  {
    const char *text = current_text (edit, tokens, last);
    const char *value = karg_value (text) ? karg_value (text) : "";
    g_auto(GStrv) have = g_strsplit (value, ",", -1);
    g_autoptr(GString) s = g_string_new (text);

    /* A separator goes after any existing value (whatever it ends with,
     * even "="), so that the list reads back as the same IDs. */
    gboolean need_sep = *value != '\0' && !g_str_has_suffix (value, ",");

    if (karg_value (text) == NULL)
      g_string_append_c (s, '=');
    for (guint k = 0; wanted[k] != NULL; k++)
      if (*wanted[k] != '\0' && !id_list_has (have, wanted[k]))
        {
          if (need_sep)
            g_string_append_c (s, ',');
          g_string_append (s, wanted[k]);
          need_sep = TRUE;
        }
    if (!g_str_equal (s->str, text))
      {
        set_replacement (edit, last, g_string_free (g_steal_pointer (&s), FALSE));
        g_ptr_array_add (edit->set_args, g_strdup (edit->replacements[last]));
      }
  }
}

static void
edit_list_param (PtKargsEdit *edit, GPtrArray *tokens, const char *key, const char *want,
                 const char *arg, const char *const *conflicts)
{
  gboolean satisfied = FALSE;

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *text;
      g_auto(GStrv) elems = NULL;
      g_autoptr(GPtrArray) out = NULL;
      gboolean replaced = FALSE;
      gboolean has_want = FALSE;

      if (edit->actions[i] == PT_TOKEN_DELETE)
        continue;
      text = current_text (edit, tokens, i);
      if (!karg_matches (text, key, NULL) || karg_value (text) == NULL)
        continue;

      elems = g_strsplit (karg_value (text), ",", -1);
      for (guint k = 0; elems[k] != NULL; k++)
        if (g_str_equal (elems[k], want))
          has_want = TRUE;
      out = g_ptr_array_new ();
      for (guint k = 0; elems[k] != NULL; k++)
        {
          if (g_strv_contains (conflicts, elems[k]))
            {
              replaced = TRUE;
              if (!has_want)
                {
                  g_ptr_array_add (out, (gpointer) want);
                  has_want = TRUE;
                }
              continue;
            }
          g_ptr_array_add (out, elems[k]);
        }
      if (replaced)
        {
          g_autofree char *key_text = karg_key_text (text);
          g_autofree char *list = NULL;

          g_ptr_array_add (out, NULL);
          list = g_strjoinv (",", (char **) out->pdata);
          set_replacement (edit, i, g_strdup_printf ("%s=%s", key_text, list));
          g_ptr_array_add (edit->set_args, g_strdup (edit->replacements[i]));
        }
      satisfied = satisfied || has_want;
    }

  if (!satisfied)
    {
      g_ptr_array_add (edit->append, g_strdup (arg));
      g_ptr_array_add (edit->set_args, g_strdup (arg));
    }
}

static void
edit_plain_param (PtKargsEdit *edit, GPtrArray *tokens, const char *key, const char *want,
                  const char *arg)
{
  int last = -1;

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *text;

      if (edit->actions[i] == PT_TOKEN_DELETE)
        continue;
      text = current_text (edit, tokens, i);
      if (!karg_matches (text, key, NULL))
        continue;
      last = i;
    }
  if (last >= 0 && g_strcmp0 (karg_value (current_text (edit, tokens, last)), want) == 0)
    return;
  if (last >= 0 && want != NULL)
    {
      g_autofree char *key_text = karg_key_text (current_text (edit, tokens, last));

      set_replacement (edit, last, g_strdup_printf ("%s=%s", key_text, want));
      g_ptr_array_add (edit->set_args, g_strdup (edit->replacements[last]));
      return;
    }
  g_ptr_array_add (edit->append, g_strdup (arg));
  g_ptr_array_add (edit->set_args, g_strdup (arg));
}

PtKargsEdit *
pt_kargs_edit (PtBootconfContext *ctx, GPtrArray *tokens)
{
  PtKargsEdit *edit = g_new0 (PtKargsEdit, 1);

  edit->n_tokens = tokens->len;
  edit->actions = g_new0 (PtTokenAction, tokens->len + 1);
  edit->replacements = g_new0 (char *, tokens->len + 1);
  edit->append = g_ptr_array_new_with_free_func (g_free);
  edit->set_args = g_ptr_array_new_with_free_func (g_free);
  edit->removed_args = g_ptr_array_new_with_free_func (g_free);

  if (!ctx->remove)
    for (guint r = 0; ctx->remove_args != NULL && ctx->remove_args[r] != NULL; r++)
      {
        g_autofree char *key = karg_key (ctx->remove_args[r]);
        const char *value = karg_value (ctx->remove_args[r]);

        for (guint i = 0; key != NULL && i < tokens->len; i++)
          if (edit->actions[i] != PT_TOKEN_DELETE
              && karg_matches (((PtToken *) g_ptr_array_index (tokens, i))->text, key, value))
            mark_deleted (edit, tokens, i);
      }

  for (guint w = 0; ctx->kernel_args != NULL && ctx->kernel_args[w] != NULL; w++)
    {
      const char *arg = ctx->kernel_args[w];
      g_autofree char *key = karg_key (arg);
      const char *value = karg_value (arg);
      const char *const *conflicts;

      if (key == NULL || *key == '\0')
        continue;
      if (g_str_equal (key, "vfio_pci.ids") && value != NULL)
        {
          edit_vfio_ids (edit, tokens, key, value, arg, ctx->remove);
          continue;
        }
      if (ctx->remove)
        {
          for (guint i = 0; i < tokens->len; i++)
            if (edit->actions[i] != PT_TOKEN_DELETE
                && karg_matches (current_text (edit, tokens, i), key, value)
                && (value != NULL || karg_value (current_text (edit, tokens, i)) == NULL))
              mark_deleted (edit, tokens, i);
          continue;
        }
      conflicts = conflicts_for (key);
      if (conflicts != NULL && value != NULL)
        edit_list_param (edit, tokens, key, value, arg, conflicts);
      else
        edit_plain_param (edit, tokens, key, value, arg);
    }

  return edit;
}

/* ---- contexts and plans ----------------------------------------------- */

void
pt_bootconf_context_init (PtBootconfContext *ctx)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->root = "/";
  ctx->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) pt_file_change_free);
  ctx->regenerate = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  ctx->notes = g_ptr_array_new_with_free_func (g_free);
  ctx->warnings = g_ptr_array_new_with_free_func (g_free);
}

void
pt_bootconf_context_clear (PtBootconfContext *ctx)
{
  g_clear_pointer (&ctx->changes, g_ptr_array_unref);
  g_clear_pointer (&ctx->regenerate, g_ptr_array_unref);
  g_clear_pointer (&ctx->notes, g_ptr_array_unref);
  g_clear_pointer (&ctx->warnings, g_ptr_array_unref);
}

static gboolean
run_plan (gboolean (*plan) (PtBootconfContext *, GError **), PtBootconfContext *ctx,
          guint *n_changes, gboolean *regenerated, GError **error)
{
  guint changes_before = ctx->changes->len;
  guint regen_before = ctx->regenerate->len;

  if (!plan (ctx, error))
    {
      g_ptr_array_set_size (ctx->changes, changes_before);
      g_ptr_array_set_size (ctx->regenerate, regen_before);
      return FALSE;
    }
  *n_changes = ctx->changes->len - changes_before;
  *regenerated = ctx->regenerate->len > regen_before;
  return TRUE;
}

static gboolean
run_backend (const PtBootconfBackend *backend, PtBootconfContext *ctx, guint *n_changes,
             gboolean *regenerated, GError **error)
{
  return run_plan (backend->plan, ctx, n_changes, regenerated, error);
}

/* The files a trial boot may have left: all of them, whichever bootloader
 * wrote them, go with the permanent plan (and with an undo). */
static const char *const trial_paths[] = {
  PT_BOOTCONF_GRUB_TRIAL_SCRIPT,
  "boot/loader/entries/" PT_BOOTCONF_TRIAL_ENTRY_FILE,
  "efi/loader/entries/" PT_BOOTCONF_TRIAL_ENTRY_FILE,
  "boot/efi/loader/entries/" PT_BOOTCONF_TRIAL_ENTRY_FILE,
  NULL,
};

static gboolean
plan_trial_removal (PtBootconfContext *ctx, GError **error)
{
  for (guint i = 0; trial_paths[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, trial_paths[i], &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (bytes == NULL)
        continue;
      if (!pt_bootconf_is_trial_file (bytes))
        {
          g_autofree char *where = pt_bootconf_display_path (ctx->root, trial_paths[i]);

          pt_bootconf_add_note (ctx->warnings,
                                g_strdup_printf (_("%s has the name of Passthrough’s trial "
                                                   "boot entry but was not written by it, so "
                                                   "it stays."), where));
          continue;
        }
      pt_bootconf_add_change (ctx, "trial", trial_paths[i], bytes, NULL, 0);
      /* grub.cfg holds the script's entry until it is made again */
      if (g_str_equal (trial_paths[i], PT_BOOTCONF_GRUB_TRIAL_SCRIPT))
        {
          g_auto(GStrv) argv = pt_bootconf_grub.regenerate (ctx);

          pt_bootconf_add_command (ctx, (const char *const *) argv);
        }
    }
  return TRUE;
}

gboolean
pt_bootconf_run (PtBootconfContext  *ctx,
                 const char        **bootloader,
                 const char        **initramfs,
                 GError            **error)
{
  const PtBootconfBackend *bl, *ir;
  guint n_ir = 0, n_mp = 0, n_bl = 0;
  gboolean ir_regen = FALSE, regen = FALSE;

  g_return_val_if_fail (ctx != NULL && ctx->root != NULL, FALSE);

  bl = pt_bootconf_detect (ctx->root, PT_BOOTCONF_KIND_BOOTLOADER);
  ir = pt_bootconf_detect (ctx->root, PT_BOOTCONF_KIND_INITRAMFS);
  if (bootloader != NULL)
    *bootloader = bl ? bl->name : NULL;
  if (initramfs != NULL)
    *initramfs = ir ? ir->name : NULL;

  /* The initramfs is rebuilt before the bootloader reads it (kernelstub
   * copies it to the ESP); the bootloader's files are listed first. */
  if (ir != NULL && !run_backend (ir, ctx, &n_ir, &ir_regen, error))
    return FALSE;
  if (!run_backend (&pt_bootconf_modprobe, ctx, &n_mp, &regen, error))
    return FALSE;
  if (n_mp > 0 && ir != NULL && !ir_regen && ir->regenerate != NULL)
    {
      g_auto(GStrv) argv = ir->regenerate (ctx);

      if (argv != NULL)
        pt_bootconf_add_command (ctx, (const char *const *) argv);
    }
  if (ctx->trial != NULL && (bl == NULL || bl->plan_trial == NULL))
    {
      g_autofree char *where = pt_bootconf_display_path (ctx->root, "");

      if (bl == NULL)
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                     _("No bootloader Passthrough knows (GRUB, systemd-boot, kernelstub) was "
                       "found under %s, so there is no boot entry to try once. Apply without "
                       "--trial"), where);
      else
        g_set_error (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                     _("Passthrough cannot make %s boot an entry once. Apply without --trial "
                       "(“passthroughctl rollback” undoes it)"), bl->name);
      return FALSE;
    }
  if (bl != NULL)
    {
      guint before = ctx->changes->len;

      if (!run_plan (ctx->trial != NULL ? bl->plan_trial : bl->plan, ctx, &n_bl, &regen,
                     error))
        return FALSE;
      /* move the bootloader's changes to the front */
      for (guint i = 0; i < n_bl; i++)
        {
          PtFileChange *c = g_ptr_array_steal_index (ctx->changes, before + i);

          g_ptr_array_insert (ctx->changes, i, c);
        }
    }

  if (ctx->trial == NULL)
    {
      guint n_trial = 0;

      if (!run_plan (plan_trial_removal, ctx, &n_trial, &regen, error))
        return FALSE;
    }
  else
    ctx->trial->bootloader = g_strdup (bl->name);

  if (bl == NULL && !ctx->remove && ctx->kernel_args != NULL && ctx->kernel_args[0] != NULL)
    {
      g_autofree char *args = g_strjoinv (" ", ctx->kernel_args);

      pt_bootconf_add_note (ctx->warnings,
                            g_strdup_printf (_("No bootloader configuration Passthrough knows "
                                               "(GRUB, systemd-boot, kernelstub) was found. Add "
                                               "these kernel arguments by hand: %s"), args));
    }
  if (ir == NULL && !ctx->remove && !ctx->vfio_builtin)
    pt_bootconf_add_note (ctx->notes,
                          g_strdup (_("No initramfs system Passthrough knows (mkinitcpio, "
                                      "dracut, initramfs-tools) was found, so the vfio modules "
                                      "are not added to one: vfio-pci.ids on the kernel "
                                      "command line still binds the devices once vfio-pci "
                                      "loads.")));
  return TRUE;
}

static GStrv
split_ids (const char *ids)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit (ids ? ids : "", ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*g_strstrip (parts[i]) != '\0')
      g_ptr_array_add (out, g_strdup (parts[i]));
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static void
add_module_name (GPtrArray *mods, const char *name)
{
  g_autofree char *m = NULL;

  if (name == NULL || *name == '\0')
    return;
  m = g_strdelimit (g_strdup (name), "-", '_');
  if (g_str_equal (m, "vfio_pci") || g_str_equal (m, "pci_stub"))
    return;
  if (!g_ptr_array_find_with_equal_func (mods, m, g_str_equal, NULL))
    g_ptr_array_add (mods, g_steal_pointer (&m));
}

/* The modules the passed GPUs would get without vfio-pci: the ones their
 * modalias resolves to, else the driver bound now. */
static GStrv
gpu_drivers_of (PtPlan *plan)
{
  g_autoptr(GPtrArray) mods = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < plan->devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (plan->devices, i);
      const char *const *km;

      if (!pt_device_is_gpu (d))
        continue;
      km = pt_device_get_kernel_modules (d);
      if (km != NULL && km[0] != NULL)
        for (guint k = 0; km[k] != NULL; k++)
          add_module_name (mods, km[k]);
      else
        add_module_name (mods, pt_device_get_driver (d));
    }
  g_ptr_array_sort (mods, compare_strings);
  g_ptr_array_add (mods, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&mods), FALSE);
}

static void
take_strings (GPtrArray *to, GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    pt_bootconf_add_note (to, g_strdup (g_ptr_array_index (from, i)));
}

static gboolean
plan_files (PtPlan *plan, gboolean remove, PtBootconfTrial *trial, GError **error)
{
  PtHost *host;
  const char *root;
  PtBootconfContext ctx;
  g_auto(GStrv) vfio_ids = NULL;
  g_auto(GStrv) gpu_drivers = NULL;
  const char *remove_args[] = { "amd_iommu=on", NULL };
  const char *bootloader = NULL, *initramfs = NULL;
  gboolean ok;

  g_return_val_if_fail (plan != NULL && PT_IS_HOST (plan->host), FALSE);

  host = plan->host;
  root = pt_host_get_root (host);
  g_ptr_array_set_size (plan->changes, 0);
  g_ptr_array_set_size (plan->file_changes, 0);
  g_ptr_array_set_size (plan->regenerate, 0);

  if (root == NULL && trial != NULL)
    {
      g_set_error_literal (error, PT_ERROR, PT_ERROR_NOT_SUPPORTED,
                           _("A snapshot holds no boot configuration: a trial boot is planned "
                             "on the machine itself"));
      return FALSE;
    }
  if (root == NULL)
    {
      pt_bootconf_add_note (plan->notes,
                            g_strdup (_("This plan is made from a snapshot, which holds no "
                                        "files: the changes to the boot configuration are "
                                        "listed when planning on the machine itself.")));
      return TRUE;
    }

  vfio_ids = split_ids (plan->vfio_ids);
  gpu_drivers = gpu_drivers_of (plan);

  pt_bootconf_context_init (&ctx);
  ctx.host = host;
  ctx.root = root;
  ctx.kernel_args = plan->kernel_args;
  ctx.remove_args = pt_host_get_cpu_vendor (host) == PT_CPU_VENDOR_AMD ? (GStrv) remove_args : NULL;
  ctx.vfio_ids = vfio_ids;
  ctx.gpu_drivers = gpu_drivers;
  ctx.kernel_release = pt_host_get_kernel_release (host);
  ctx.remove = remove;
  ctx.os_id = pt_host_get_os_id (host);
  ctx.os_id_like = pt_host_get_os_id_like (host);
  ctx.vfio_builtin = pt_host_get_vfio_pci_state (host) == PT_MODULE_STATE_BUILTIN;
  ctx.trial = trial;

  ok = pt_bootconf_run (&ctx, &bootloader, &initramfs, error);
  if (ok)
    {
      g_free (plan->bootloader);
      plan->bootloader = g_strdup (bootloader);
      g_free (plan->initramfs);
      plan->initramfs = g_strdup (initramfs);

      for (guint i = 0; i < ctx.changes->len; i++)
        {
          PtFileChange *c = g_ptr_array_index (ctx.changes, i);
          PtPlanChange *pc = g_new0 (PtPlanChange, 1);

          pc->path = g_strdup (c->path);
          pc->diff = pt_diff_unified (c->path, c->old_contents, c->new_contents);
          g_ptr_array_add (plan->changes, pc);
        }
      g_ptr_array_extend_and_steal (plan->file_changes, g_steal_pointer (&ctx.changes));
      g_ptr_array_extend_and_steal (plan->regenerate, g_steal_pointer (&ctx.regenerate));
      take_strings (plan->warnings, ctx.warnings);
      take_strings (plan->notes, ctx.notes);
    }
  pt_bootconf_context_clear (&ctx);
  return ok;
}

gboolean
pt_bootconf_plan (PtPlan *plan, GError **error)
{
  return plan_files (plan, FALSE, NULL, error);
}

gboolean
pt_bootconf_plan_undo (PtPlan *plan, GError **error)
{
  return plan_files (plan, TRUE, NULL, error);
}

gboolean
pt_bootconf_plan_trial (PtPlan *plan, PtBootconfTrial *trial, GError **error)
{
  g_return_val_if_fail (trial != NULL && trial->args != NULL, FALSE);

  return plan_files (plan, FALSE, trial, error);
}

GPtrArray *
pt_plan_get_file_changes (PtPlan *plan)
{
  g_return_val_if_fail (plan != NULL, NULL);
  return plan->file_changes;
}
