/* test-bootconf-backends.c: the pieces of the boot configuration backends
 * one by one: the shell lexer, kernel argument editing, refusals with
 * their line numbers, each distribution's regeneration commands, which
 * system is detected, systemd-boot entries and kernel-install, kernelstub
 * JSON, dracut's drop-in, modprobe.d, and whole plans on the fixture hosts
 * (applied, planned again, undone). */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pt-bootconf.h"
#include "pt-bootconf-private.h"
#include "pt-host.h"
#include "pt-plan.h"
#include "pt-shellvar.h"
#include "pt-test-util.h"

static const char *const intel_args[] = {
  "intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:13c2,10de:0fbb", NULL,
};
static const char *const ids[] = { "10de:13c2", "10de:0fbb", NULL };
static const char *const drivers[] = { "nouveau", NULL };

/* ---- roots -------------------------------------------------------------- */

static char *
new_root (void)
{
  char *root = g_dir_make_tmp ("pt-bootconf-XXXXXX", NULL);

  g_assert_nonnull (root);
  return root;
}

static void
put (const char *root, const char *path, const char *data)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (full, data, -1, &error);
  g_assert_no_error (error);
}

static char *
get (const char *root, const char *path)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  char *data = NULL;

  if (!g_file_get_contents (full, &data, NULL, NULL))
    return NULL;
  return data;
}

static void
apply (const char *root, GPtrArray *changes)
{
  for (guint i = 0; i < changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (changes, i);
      g_autofree char *full = g_build_filename (root, c->path, NULL);

      if (c->new_contents == NULL)
        g_assert_cmpint (g_unlink (full), ==, 0);
      else
        {
          g_autofree char *dir = g_path_get_dirname (full);
          g_autoptr(GError) error = NULL;

          g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
          g_file_set_contents (full, g_bytes_get_data (c->new_contents, NULL),
                               g_bytes_get_size (c->new_contents), &error);
          g_assert_no_error (error);
        }
    }
}

typedef struct
{
  const char *const *kernel_args;
  const char *const *remove_args;
  const char *const *gpu_drivers;
  const char *kernel;
  const char *os_id;
  const char *os_id_like;
  gboolean builtin;
} Params;

static const Params defaults = { intel_args, NULL, drivers, "6.6.10-arch1-1", "arch", NULL, FALSE };

static gboolean
run (const char *root, const Params *p, gboolean remove, PtBootconfContext *ctx, GError **error)
{
  if (p == NULL)
    p = &defaults;
  pt_bootconf_context_init (ctx);
  ctx->root = root;
  ctx->kernel_args = (GStrv) p->kernel_args;
  ctx->remove_args = (GStrv) p->remove_args;
  ctx->vfio_ids = (GStrv) ids;
  ctx->gpu_drivers = (GStrv) (p->gpu_drivers ? p->gpu_drivers : drivers);
  ctx->kernel_release = p->kernel;
  ctx->remove = remove;
  ctx->os_id = p->os_id;
  ctx->os_id_like = p->os_id_like;
  ctx->vfio_builtin = p->builtin;
  return pt_bootconf_run (ctx, NULL, NULL, error);
}

static char *
commands (GPtrArray *regenerate)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < regenerate->len; i++)
    {
      g_autofree char *cmd = g_strjoinv (" ", g_ptr_array_index (regenerate, i));

      g_string_append_printf (s, "%s%s", i ? "; " : "", cmd);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static PtFileChange *
find_change (PtBootconfContext *ctx, const char *path)
{
  for (guint i = 0; i < ctx->changes->len; i++)
    {
      PtFileChange *c = g_ptr_array_index (ctx->changes, i);

      if (g_str_equal (c->path, path))
        return c;
    }
  return NULL;
}

static char *
new_text (PtBootconfContext *ctx, const char *path)
{
  PtFileChange *c = find_change (ctx, path);

  if (c == NULL || c->new_contents == NULL)
    return NULL;
  return g_strndup (g_bytes_get_data (c->new_contents, NULL), g_bytes_get_size (c->new_contents));
}

static gboolean
has_message (GPtrArray *list, const char *part)
{
  for (guint i = 0; i < list->len; i++)
    if (strstr (g_ptr_array_index (list, i), part) != NULL)
      return TRUE;
  return FALSE;
}

/* Applies, plans again (nothing), undoes and checks @path is @original. */
static void
round_trip (const char *root, const Params *p, const char *path, const char *original)
{
  PtBootconfContext ctx;
  g_autoptr(GError) error = NULL;
  g_autofree char *back = NULL;

  g_assert_true (run (root, p, FALSE, &ctx, &error));
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);

  g_assert_true (run (root, p, FALSE, &ctx, &error));
  g_assert_cmpuint (ctx.changes->len, ==, 0);
  g_assert_cmpuint (ctx.regenerate->len, ==, 0);
  pt_bootconf_context_clear (&ctx);

  g_assert_true (run (root, p, TRUE, &ctx, &error));
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);
  back = get (root, path);
  g_assert_cmpstr (back, ==, original);
}

/* ---- the shell lexer -------------------------------------------------- */

static void
test_shell_scan (void)
{
  static const char text[] =
    "# GRUB_CMDLINE_LINUX_DEFAULT=\"commented\"\n"           /* 1 */
    "GRUB_DEFAULT=0\n"                                       /* 2 */
    "NOTE=\"two\n"                                           /* 3 */
    "X=lines\"\n"                                            /* 4 */
    "D=\"$(echo \")\" | sed 's/(/x/')\" E='a'\"b\"\n"        /* 5 */
    "export F=`date` ; G=1\n"                                /* 6 */
    "if [ -e x ]; then H=2; fi\n"                            /* 7 */
    "echo I=3\n"                                             /* 8 */
    "J=(a\n  # K=1\n  b)\n"                                  /* 9-11 */
    "L+=\" c\"\n"                                            /* 12 */
    "  M=\\\n  4\n";                                         /* 13-14 */
  static const struct { const char *name; guint line; const char *value; } want[] = {
    { "GRUB_DEFAULT", 2, "0" },
    { "NOTE", 3, "\"two\nX=lines\"" },
    { "D", 5, "\"$(echo \")\" | sed 's/(/x/')\"" },
    { "E", 5, "'a'\"b\"" },
    { "F", 6, "`date`" },
    { "G", 6, "1" },
    { "H", 7, "2" },
    { "J", 9, "(a\n  # K=1\n  b)" },
    { "L", 12, "\" c\"" },
    { "M", 13, "\\\n" },   /* the continuation joins "M=" and "  4": a command */
  };
  guint line = 0;
  g_autofree char *reason = NULL;
  g_autoptr(GPtrArray) a = pt_shell_scan (text, strlen (text), &line, &reason);

  g_assert_nonnull (a);
  g_assert_cmpuint (a->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < a->len; i++)
    {
      PtShellAssign *x = g_ptr_array_index (a, i);
      g_autofree char *value = g_strndup (text + x->value_start, x->value_end - x->value_start);

      g_assert_cmpstr (x->name, ==, want[i].name);
      g_assert_cmpuint (x->line, ==, want[i].line);
      g_assert_cmpstr (value, ==, want[i].value);
    }
  g_assert_true (((PtShellAssign *) g_ptr_array_index (a, 4))->exported);
  g_assert_true (((PtShellAssign *) g_ptr_array_index (a, 7))->array);
  g_assert_true (((PtShellAssign *) g_ptr_array_index (a, 8))->append);
  g_assert_true (pt_shell_find_last (a, "NOPE") == NULL);
}

static void
test_shell_scan_errors (void)
{
  static const struct { const char *text; guint line; const char *reason; } cases[] = {
    { "A=1\nB=\"open\nC=2\n", 2, "double quote" },
    { "A=1\n\nB='open\n", 3, "single quote" },
    { "A=`date\n", 1, "`…`" },
    { "A=1\nB=\"$(date\"\n", 2, "double quote" },
    { "A=$(date\nB=1\n", 1, "command substitution" },
    { "A=${X\n", 1, "parameter expansion" },
    { "A=1\ncat <<EOF\nB=2\nEOF\n", 2, "here-document" },
    { "A=(a b\n", 1, "array" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint line = 0;
      g_autofree char *reason = NULL;
      g_autoptr(GPtrArray) a = pt_shell_scan (cases[i].text, strlen (cases[i].text), &line, &reason);

      g_assert_null (a);
      g_assert_cmpuint (line, ==, cases[i].line);
      g_assert_nonnull (strstr (reason, cases[i].reason));
    }
}

static void
test_shell_decode (void)
{
  static const struct { const char *word; const char *value; const char *reason; } cases[] = {
    { "\"quiet splash\"", "quiet splash", NULL },
    { "'quiet splash'", "quiet splash", NULL },
    { "quiet\\ splash", "quiet splash", NULL },
    { "", "", NULL },
    { "\"\"", "", NULL },
    { "\"a \\\"b c\\\" \\\\ \\$ \\x\"", "a \"b c\" \\ $ \\x", NULL },
    { "\"a \\\nb\"", "a b", NULL },
    { "\"$(cat x)\"", NULL, "runs a command" },
    { "\"`cat x`\"", NULL, "runs a command" },
    { "\"${X}\"", NULL, "expands a variable" },
    { "\"$X y\"", NULL, "expands a variable" },
    { "$X", NULL, "expands a variable" },
    { "\"a\"'b'", NULL, "mixes quoting" },
    { "a\"b\"", NULL, "mixes quoting" },
    { "'a\nb'", NULL, "spans several lines" },
    { "\"a\nb\"", NULL, "spans several lines" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PtShellWord w;
      g_autofree char *reason = NULL;
      gboolean ok = pt_shell_word_decode (cases[i].word, 0, strlen (cases[i].word), &w, &reason);

      if (cases[i].value != NULL)
        {
          g_assert_true (ok);
          g_assert_cmpstr (w.value, ==, cases[i].value);
          /* every byte of the value maps to bytes of the word */
          for (gsize k = 0; k < w.len; k++)
            g_assert_cmpuint (w.raw_end[k], <=, strlen (cases[i].word));
        }
      else
        {
          g_assert_false (ok);
          g_assert_nonnull (strstr (reason, cases[i].reason));
        }
      pt_shell_word_clear (&w);
    }

  {
    g_autofree char *dq = pt_shell_encode (PT_SHELL_QUOTE_DOUBLE, "a$b\"c");
    g_autofree char *un = pt_shell_encode (PT_SHELL_QUOTE_NONE, "a b=c,d");
    g_autofree char *sq = pt_shell_encode (PT_SHELL_QUOTE_SINGLE, "it's");

    g_assert_cmpstr (dq, ==, "a\\$b\\\"c");
    g_assert_cmpstr (un, ==, "a\\ b=c,d");
    g_assert_null (sq);
  }
}

/* ---- kernel arguments ------------------------------------------------- */

static char *
edit_cmdline (const char *cmdline, const char *const *args, const char *const *remove_args,
              gboolean remove)
{
  PtBootconfContext ctx;
  g_autoptr(GPtrArray) tokens = pt_tokens_new ();
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(PtKargsEdit) edit = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree guint *idx = NULL;
  int last = -1;

  pt_bootconf_context_init (&ctx);
  ctx.kernel_args = (GStrv) args;
  ctx.remove_args = (GStrv) remove_args;
  ctx.remove = remove;
  pt_kargs_split (cmdline, strlen (cmdline), 0, 0, tokens);
  edit = pt_kargs_edit (&ctx, tokens);
  idx = g_new0 (guint, tokens->len + 1);
  for (guint i = 0; i < tokens->len; i++)
    {
      PtToken *t = g_ptr_array_index (tokens, i);

      idx[i] = i;
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
  out = pt_splices_apply (cmdline, strlen (cmdline), splices);
  pt_bootconf_context_clear (&ctx);
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static void
test_kargs (void)
{
  static const char *const amd_remove[] = { "amd_iommu=on", NULL };
  static const struct
  {
    const char *in;
    const char *out;
    gboolean amd;
  } forward[] = {
    { "", "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "quiet", "quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "quiet ", "quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb " },
    { "intel_iommu=on iommu=pt quiet", "intel_iommu=on iommu=pt quiet vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "intel_iommu=off quiet", "intel_iommu=on quiet iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "intel_iommu=on,igfx_off", "intel_iommu=on,igfx_off iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "intel_iommu=igfx_off", "intel_iommu=igfx_off intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "intel_iommu=off,sm_on", "intel_iommu=on,sm_on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "intel-iommu=on iommu=nopt", "intel-iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "intel_iommu=on intel_iommu=off", "intel_iommu=on intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "vfio-pci.ids=10DE:13C2 x", "vfio-pci.ids=10DE:13C2,10de:0fbb x intel_iommu=on iommu=pt" },
    { "vfio_pci.ids=1002:67df", "vfio_pci.ids=1002:67df,10de:13c2,10de:0fbb intel_iommu=on iommu=pt" },
    { "vfio-pci.ids= a", "vfio-pci.ids=10de:13c2,10de:0fbb a intel_iommu=on iommu=pt" },
    { "vfio-pci.ids=1:1 vfio-pci.ids=2:2", "vfio-pci.ids=1:1 vfio-pci.ids=2:2,10de:13c2,10de:0fbb intel_iommu=on iommu=pt" },
    { "root=\"/dev/disk/by-label/a b\" ro", "root=\"/dev/disk/by-label/a b\" ro intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb" },
    { "amd_iommu=on iommu=pt", "iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb", TRUE },
    { "amd_iommu=on", "iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb", TRUE },
    { "amd_iommu=off x", "amd_iommu=off x iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb", TRUE },
  };
  static const char *const amd_args[] = { "iommu=pt", "vfio-pci.ids=10de:13c2,10de:0fbb", NULL };
  static const struct { const char *in; const char *out; } backward[] = {
    { "quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb", "quiet" },
    { "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb quiet", "quiet" },
    { "intel_iommu=on,igfx_off x", "intel_iommu=on,igfx_off x" },
    { "vfio_pci.ids=1002:67df,10DE:13C2,10de:0fbb y", "vfio_pci.ids=1002:67df y" },
    { "a iommu=pt b iommu=pt c", "a b c" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (forward); i++)
    {
      g_autofree char *out = edit_cmdline (forward[i].in,
                                           forward[i].amd ? amd_args : intel_args,
                                           forward[i].amd ? amd_remove : NULL, FALSE);
      g_autofree char *again = edit_cmdline (out, forward[i].amd ? amd_args : intel_args,
                                             forward[i].amd ? amd_remove : NULL, FALSE);

      g_assert_cmpstr (out, ==, forward[i].out);
      g_assert_cmpstr (again, ==, out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (backward); i++)
    {
      g_autofree char *out = edit_cmdline (backward[i].in, intel_args, NULL, TRUE);

      g_assert_cmpstr (out, ==, backward[i].out);
    }
}

/* ---- refusals ----------------------------------------------------------- */

static void
copy_fixture (const char *tree, const char *path, const char *root)
{
  g_autofree char *rel = g_build_filename ("distro", tree, path, NULL);
  g_autofree char *src = pt_test_fixture_path (rel);
  g_autofree char *data = NULL;

  g_assert_true (g_file_get_contents (src, &data, NULL, NULL));
  put (root, path, data);
}

static void
test_refusals (void)
{
  static const struct
  {
    const char *tree;
    const char *path;
    const char *tool;
    guint line;
    const char *reason;
  } cases[] = {
    { "odd/refuse-command-substitution", "etc/default/grub", "usr/sbin/update-grub", 2,
      "the value runs a command ($(…))" },
    { "odd/refuse-backticks", "etc/default/grub", "usr/sbin/update-grub", 4,
      "the value runs a command (`…`)" },
    { "odd/refuse-parameter-expansion", "etc/default/grub", "usr/sbin/update-grub", 2,
      "the value expands a variable (${…})" },
    { "odd/refuse-variable", "etc/default/grub", "usr/sbin/update-grub", 3,
      "the value expands a variable ($…)" },
    { "odd/refuse-unterminated", "etc/default/grub", "usr/sbin/update-grub", 3,
      "the quotes do not pair up: the string that starts here runs on to line 4" },
    { "odd/refuse-mixed-quotes", "etc/default/grub", "usr/sbin/update-grub", 2,
      "the value mixes quoting styles" },
    { "odd/refuse-array", "etc/default/grub", "usr/sbin/update-grub", 2, "the value is an array" },
    { "odd/refuse-mkinitcpio-substitution", "etc/mkinitcpio.conf", "usr/bin/mkinitcpio", 2,
      "the value runs a command ($(…))" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = new_root ();
      g_autofree char *before = NULL;
      g_autofree char *where = NULL;
      g_autofree char *prefix = NULL;
      g_autoptr(GError) error = NULL;
      PtBootconfContext ctx;

      copy_fixture (cases[i].tree, cases[i].path, root);
      put (root, cases[i].tool, "");
      before = get (root, cases[i].path);
      g_assert_false (run (root, NULL, FALSE, &ctx, &error));
      g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
      where = g_build_filename (root, cases[i].path, NULL);
      prefix = g_strdup_printf ("%s:%u: %s.", where, cases[i].line, cases[i].reason);
      if (!g_str_has_prefix (error->message, prefix))
        g_error ("%s: “%s” does not start with “%s”", cases[i].tree, error->message, prefix);
      /* nothing planned from a file we cannot read, and the undo refuses too */
      g_assert_null (find_change (&ctx, cases[i].path));
      pt_bootconf_context_clear (&ctx);
      g_clear_error (&error);
      g_assert_false (run (root, NULL, TRUE, &ctx, &error));
      g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
      pt_bootconf_context_clear (&ctx);
      pt_test_remove_tree (root);
    }
}

/* ---- GRUB's commands per distribution --------------------------------- */

static void
test_grub_regenerate (void)
{
  static const struct
  {
    const char *os_id;
    const char *like;
    const char *tools[4];
    const char *want;
  } cases[] = {
    { "debian", NULL, { "usr/sbin/update-grub", "usr/sbin/grub-mkconfig" }, "update-grub" },
    { "ubuntu", "debian", { "usr/sbin/update-grub", "usr/sbin/grub-mkconfig" }, "update-grub" },
    { "linuxmint", "ubuntu debian", { "usr/sbin/update-grub" }, "update-grub" },
    { "pop", "ubuntu debian", { "usr/sbin/update-grub" }, "update-grub" },
    { "arch", NULL, { "usr/bin/grub-mkconfig" }, "grub-mkconfig -o /boot/grub/grub.cfg" },
    { "manjaro", "arch", { "usr/bin/grub-mkconfig", "usr/bin/update-grub" }, "update-grub" },
    { "endeavouros", "arch", { "usr/bin/grub-mkconfig" }, "grub-mkconfig -o /boot/grub/grub.cfg" },
    { "fedora", NULL, { "usr/sbin/grub2-mkconfig" }, "grub2-mkconfig -o /boot/grub2/grub.cfg" },
    { "rhel", "fedora", { "usr/sbin/grub2-mkconfig" }, "grub2-mkconfig -o /boot/grub2/grub.cfg" },
    { "opensuse-tumbleweed", "opensuse suse", { "usr/sbin/grub2-mkconfig" },
      "grub2-mkconfig -o /boot/grub2/grub.cfg" },
    /* a tree without the tools (an image): the distribution's own */
    { "debian", NULL, { "boot/grub/grub.cfg" }, "update-grub" },
    { "fedora", NULL, { "boot/grub2/grub.cfg" }, "grub2-mkconfig -o /boot/grub2/grub.cfg" },
    { "arch", NULL, { "boot/grub/grub.cfg" }, "grub-mkconfig -o /boot/grub/grub.cfg" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = new_root ();
      g_autoptr(GError) error = NULL;
      g_autofree char *got = NULL;
      Params p = defaults;
      PtBootconfContext ctx;

      p.os_id = cases[i].os_id;
      p.os_id_like = cases[i].like;
      put (root, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
      for (guint t = 0; t < G_N_ELEMENTS (cases[i].tools) && cases[i].tools[t]; t++)
        put (root, cases[i].tools[t], "");
      g_assert_true (run (root, &p, FALSE, &ctx, &error));
      got = commands (ctx.regenerate);
      g_assert_cmpstr (got, ==, cases[i].want);
      pt_bootconf_context_clear (&ctx);
      pt_test_remove_tree (root);
    }
}

/* Fedora and RHEL: BLS entries are updated by grubby, and undone by it. */
static void
test_grub_bls (void)
{
  g_autofree char *root = new_root ();
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  Params p = defaults;
  PtBootconfContext ctx;
  static const char *const amd_args[] = { "iommu=pt", "vfio-pci.ids=10de:13c2,10de:0fbb", NULL };
  static const char *const amd_remove[] = { "amd_iommu=on", NULL };

  p.os_id = "fedora";
  p.kernel_args = amd_args;
  p.remove_args = amd_remove;
  put (root, "etc/default/grub",
       "GRUB_CMDLINE_LINUX=\"rhgb quiet amd_iommu=on vfio-pci.ids=1002:67df\"\nGRUB_ENABLE_BLSCFG=true\n");
  put (root, "usr/sbin/grub2-mkconfig", "");
  put (root, "usr/sbin/grubby", "");
  put (root, "boot/loader/entries/x.conf", "linux /vmlinuz\noptions rhgb quiet amd_iommu=on\n");
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  got = commands (ctx.regenerate);
  g_assert_cmpstr (got, ==, "grub2-mkconfig -o /boot/grub2/grub.cfg; grubby --update-kernel=ALL "
                            "--args=iommu=pt vfio-pci.ids=1002:67df,10de:13c2,10de:0fbb "
                            "--remove-args=amd_iommu=on");
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);
  g_clear_pointer (&got, g_free);

  g_assert_true (run (root, &p, TRUE, &ctx, &error));
  got = commands (ctx.regenerate);
  g_assert_cmpstr (got, ==, "grub2-mkconfig -o /boot/grub2/grub.cfg; grubby --update-kernel=ALL "
                            "--args=vfio-pci.ids=1002:67df --remove-args=iommu=pt");
  pt_bootconf_context_clear (&ctx);

  /* without grubby: a warning that the entries keep the old line */
  {
    g_autofree char *grubby = g_build_filename (root, "usr/sbin/grubby", NULL);

    g_unlink (grubby);
  }
  g_assert_true (run (root, &p, TRUE, &ctx, &error));
  g_assert_true (has_message (ctx.warnings, "no grubby"));
  pt_bootconf_context_clear (&ctx);
  pt_test_remove_tree (root);
}

/* ---- detection -------------------------------------------------------- */

static void
test_detect (void)
{
  static const struct
  {
    const char *files[6];
    const char *bootloader;
    const char *initramfs;
  } cases[] = {
    { { "etc/default/grub", "usr/sbin/update-grub", "usr/sbin/update-initramfs" }, "grub", "initramfs-tools" },
    { { "etc/default/grub" }, NULL, NULL },   /* a leftover file, no GRUB */
    { { "usr/bin/kernelstub", "etc/kernelstub/configuration", "etc/default/grub",
        "usr/sbin/update-grub", "usr/sbin/update-initramfs" }, "kernelstub", "initramfs-tools" },
    { { "etc/default/grub", "usr/sbin/grub2-mkconfig", "boot/loader/entries/a.conf", "usr/bin/dracut" },
      "grub", "dracut" },
    { { "etc/kernel/cmdline", "usr/bin/dracut" }, "systemd-boot", "dracut" },
    { { "boot/efi/loader/loader.conf" }, "systemd-boot", NULL },
    { { "usr/bin/bootctl", "efi/loader/entries/arch.conf", "usr/bin/mkinitcpio", "usr/bin/dracut" },
      "systemd-boot", "mkinitcpio" },
    { { "usr/bin/bootctl" }, NULL, NULL },
    { { "usr/sbin/dracut" }, NULL, "dracut" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = new_root ();
      const PtBootconfBackend *bl, *ir;

      for (guint f = 0; f < G_N_ELEMENTS (cases[i].files) && cases[i].files[f]; f++)
        put (root, cases[i].files[f], "");
      bl = pt_bootconf_detect (root, PT_BOOTCONF_KIND_BOOTLOADER);
      ir = pt_bootconf_detect (root, PT_BOOTCONF_KIND_INITRAMFS);
      g_assert_cmpstr (bl ? bl->name : NULL, ==, cases[i].bootloader);
      g_assert_cmpstr (ir ? ir->name : NULL, ==, cases[i].initramfs);
      if (bl != NULL)
        g_assert_true (bl->is_bootloader);
      pt_test_remove_tree (root);
    }

  g_assert_true (pt_bootconf_find ("modprobe.d") != NULL);
  g_assert_null (pt_bootconf_find ("lilo"));
  {
    const PtBootconfBackend *const *all = pt_bootconf_backends ();
    guint n = 0;

    while (all[n] != NULL)
      n++;
    g_assert_cmpuint (n, ==, 7);
    g_assert_true (all[0]->is_bootloader);
  }
}

/* ---- systemd-boot ----------------------------------------------------- */

static void
test_sdboot_cmdline (void)
{
  g_autofree char *root = new_root ();
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  g_autofree char *text = NULL;
  PtBootconfContext ctx;

  /* Arch with kernel-install: every installed kernel's entry is rebuilt */
  put (root, "etc/kernel/cmdline", "root=UUID=e840 rw quiet\n");
  put (root, "usr/lib/modules/6.6.10-arch1-1/vmlinuz", "");
  put (root, "usr/lib/modules/6.1.71-1-lts/vmlinuz", "");
  put (root, "usr/lib/modules/extramodules-6.6-arch/x", "");
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  text = new_text (&ctx, "etc/kernel/cmdline");
  g_assert_cmpstr (text, ==,
                   "root=UUID=e840 rw quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb\n");
  got = commands (ctx.regenerate);
  g_assert_cmpstr (got, ==,
                   "kernel-install add 6.1.71-1-lts /usr/lib/modules/6.1.71-1-lts/vmlinuz; "
                   "kernel-install add 6.6.10-arch1-1 /usr/lib/modules/6.6.10-arch1-1/vmlinuz");
  pt_bootconf_context_clear (&ctx);
  round_trip (root, NULL, "etc/kernel/cmdline", "root=UUID=e840 rw quiet\n");
  pt_test_remove_tree (root);

  /* Debian's kernels live in /boot */
  g_free (root);
  root = new_root ();
  put (root, "etc/kernel/cmdline", "root=/dev/sda2 ro");
  put (root, "lib/modules/6.1.0-13-amd64/modules.dep", "");
  put (root, "boot/vmlinuz-6.1.0-13-amd64", "");
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  g_clear_pointer (&got, g_free);
  got = commands (ctx.regenerate);
  g_assert_cmpstr (got, ==, "kernel-install add 6.1.0-13-amd64 /boot/vmlinuz-6.1.0-13-amd64");
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/kernel/cmdline");
  g_assert_cmpstr (text, ==, "root=/dev/sda2 ro intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb");
  pt_bootconf_context_clear (&ctx);
  round_trip (root, NULL, "etc/kernel/cmdline", "root=/dev/sda2 ro");
  pt_test_remove_tree (root);

  /* Proxmox VE: proxmox-boot-tool copies the kernels to its ESPs */
  g_free (root);
  root = new_root ();
  put (root, "etc/kernel/cmdline", "root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt\n");
  put (root, "usr/sbin/proxmox-boot-tool", "");
  put (root, "usr/sbin/update-initramfs", "");
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  g_clear_pointer (&got, g_free);
  got = commands (ctx.regenerate);
  g_assert_cmpstr (got, ==, "update-initramfs -u -k all; proxmox-boot-tool refresh");
  pt_bootconf_context_clear (&ctx);
  pt_test_remove_tree (root);

  /* no kernel under the root: the running one, with a note */
  g_free (root);
  root = new_root ();
  put (root, "etc/kernel/cmdline", "quiet\n");
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  g_clear_pointer (&got, g_free);
  got = commands (ctx.regenerate);
  g_assert_cmpstr (got, ==, "kernel-install add 6.6.10-arch1-1 /usr/lib/modules/6.6.10-arch1-1/vmlinuz");
  g_assert_true (has_message (ctx.notes, "kernel-install add"));
  pt_bootconf_context_clear (&ctx);
  pt_test_remove_tree (root);
}

static void
test_sdboot_entries (void)
{
  static const char arch[] =
    "title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\n"
    "options root=UUID=e840 rw\noptions quiet\n";
  static const char fallback[] =
    "title   Arch Linux (fallback)\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux-fallback.img\n"
    "# no options line\n";
  static const char uki[] = "title Arch (UKI)\nefi /EFI/Linux/arch-linux.efi\n";
  static const char bare[] = "linux /vmlinuz\noptions";
  g_autofree char *root = new_root ();
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *f = NULL, *b = NULL;
  PtBootconfContext ctx;

  put (root, "usr/bin/bootctl", "");
  put (root, "boot/loader/entries/arch.conf", arch);
  put (root, "boot/loader/entries/arch-fallback.conf", fallback);
  put (root, "boot/loader/entries/uki.conf", uki);
  put (root, "efi/loader/entries/bare.conf", bare);
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  g_assert_no_error (error);
  a = new_text (&ctx, "boot/loader/entries/arch.conf");
  f = new_text (&ctx, "boot/loader/entries/arch-fallback.conf");
  b = new_text (&ctx, "efi/loader/entries/bare.conf");
  g_assert_cmpstr (a, ==, "title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\n"
                          "options root=UUID=e840 rw\n"
                          "options quiet intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb\n");
  g_assert_cmpstr (f, ==, "title   Arch Linux (fallback)\nlinux   /vmlinuz-linux\n"
                          "initrd  /initramfs-linux-fallback.img\n# no options line\n"
                          "options intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb\n");
  g_assert_cmpstr (b, ==, "linux /vmlinuz\noptions intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb");
  g_assert_null (find_change (&ctx, "boot/loader/entries/uki.conf"));
  /* entries are read at boot: nothing to run */
  g_assert_cmpuint (ctx.regenerate->len, ==, 0);
  pt_bootconf_context_clear (&ctx);

  round_trip (root, NULL, "boot/loader/entries/arch.conf", arch);
  {
    g_autofree char *back = get (root, "boot/loader/entries/arch-fallback.conf");
    g_autofree char *same = get (root, "boot/loader/entries/uki.conf");

    g_assert_cmpstr (back, ==, fallback);
    g_assert_cmpstr (same, ==, uki);
  }
  pt_test_remove_tree (root);
}

/* ---- kernelstub --------------------------------------------------------- */

static void
test_kernelstub (void)
{
  static const char no_user[] =
    "{\n  \"default\": {\n    \"kernel_options\": [\n      \"quiet\",\n      \"splash\"\n    ],\n"
    "    \"esp_path\": \"/boot/efi\",\n    \"config_rev\": 3\n  }\n}";
  static const char empty[] =
    "{\n  \"default\": {\n    \"kernel_options\": [\"quiet\"]\n  },\n"
    "  \"user\": {\n    \"kernel_options\": [],\n    \"esp_path\": \"/boot/efi\"\n  }\n}";
  static const char one_line[] =
    "{\"user\": {\"kernel_options\": [\"quiet\", \"splash\", \"intel_iommu=off\"], \"x\": 1}, "
    "\"user\": {\"kernel_options\": [\"quiet\"]}}";
  g_autofree char *root = new_root ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  PtBootconfContext ctx;

  put (root, "usr/bin/kernelstub", "");
  put (root, "etc/kernelstub/configuration", no_user);
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  text = new_text (&ctx, "etc/kernelstub/configuration");
  g_assert_cmpstr (text, ==,
                   "{\n  \"default\": {\n    \"kernel_options\": [\n      \"quiet\",\n      \"splash\"\n    ],\n"
                   "    \"esp_path\": \"/boot/efi\",\n    \"config_rev\": 3\n  },\n"
                   "  \"user\": {\n    \"kernel_options\": [\n      \"quiet\",\n      \"splash\",\n"
                   "      \"intel_iommu=on\",\n      \"iommu=pt\",\n"
                   "      \"vfio-pci.ids=10de:13c2,10de:0fbb\"\n    ],\n"
                   "    \"esp_path\": \"/boot/efi\",\n    \"config_rev\": 3\n  }\n}");
  g_assert_true (has_message (ctx.notes, "“user”"));
  {
    g_autofree char *got = commands (ctx.regenerate);

    g_assert_cmpstr (got, ==, "kernelstub");
  }
  pt_bootconf_context_clear (&ctx);

  /* the empty list becomes json.dump's shape, and [] again on undo */
  put (root, "etc/kernelstub/configuration", empty);
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/kernelstub/configuration");
  g_assert_nonnull (strstr (text, "\"kernel_options\": [\n      \"intel_iommu=on\",\n      \"iommu=pt\",\n"
                                  "      \"vfio-pci.ids=10de:13c2,10de:0fbb\"\n    ],\n"));
  pt_bootconf_context_clear (&ctx);
  round_trip (root, NULL, "etc/kernelstub/configuration", empty);

  /* on one line; the last "user" wins, as in Python */
  put (root, "etc/kernelstub/configuration", one_line);
  g_assert_true (run (root, NULL, FALSE, &ctx, &error));
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/kernelstub/configuration");
  g_assert_cmpstr (text, ==,
                   "{\"user\": {\"kernel_options\": [\"quiet\", \"splash\", \"intel_iommu=off\"], \"x\": 1}, "
                   "\"user\": {\"kernel_options\": [\"quiet\", \"intel_iommu=on\", \"iommu=pt\", "
                   "\"vfio-pci.ids=10de:13c2,10de:0fbb\"]}}");
  pt_bootconf_context_clear (&ctx);
  round_trip (root, NULL, "etc/kernelstub/configuration", one_line);
  pt_test_remove_tree (root);
}

static void
test_kernelstub_refusals (void)
{
  static const struct { const char *json; guint line; const char *reason; } cases[] = {
    { "{\n  \"user\": {\n    \"kernel_options\": \"quiet splash\"\n  }\n}", 3, "kernel_options is a string" },
    { "{\n  \"user\": {\n    \"kernel_options\": [\"quiet\",]\n  }\n}", 3, "cannot start a JSON value" },
    { "{\n  \"user\": {\n    \"kernel_options\": [\"quiet\", 1]\n  }\n}", 3, "other than strings" },
    { "{\n  \"user\": {\n    \"kernel_options\": [\"quiet\n\"]\n  }\n}", 3, "control character" },
    { "{\n  \"user\": {}\n}\n}", 4, "more follows" },
    { "[\"quiet\"]", 1, "not a JSON object" },
    { "{\n  \"default\": {\"esp_path\": \"/boot/efi\"}\n}", 1, "neither a “user” section" },
    { "{\n\n  \"user\": {\"kernel_options\": [\"unterminated]}\n}", 3, "line break" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = new_root ();
      g_autoptr(GError) error = NULL;
      g_autofree char *where = NULL;
      g_autofree char *prefix = NULL;
      PtBootconfContext ctx;

      put (root, "usr/bin/kernelstub", "");
      put (root, "etc/kernelstub/configuration", cases[i].json);
      g_assert_false (run (root, NULL, FALSE, &ctx, &error));
      g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
      where = g_build_filename (root, "etc/kernelstub/configuration", NULL);
      prefix = g_strdup_printf ("%s:%u: ", where, cases[i].line);
      if (!g_str_has_prefix (error->message, prefix) || strstr (error->message, cases[i].reason) == NULL)
        g_error ("case %u: “%s”", i, error->message);
      pt_bootconf_context_clear (&ctx);
      pt_test_remove_tree (root);
    }
}

/* ---- dracut ------------------------------------------------------------ */

static void
test_dracut (void)
{
  g_autofree char *root = new_root ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Params p = defaults;
  PtBootconfContext ctx;

  put (root, "usr/bin/dracut", "");
  put (root, "etc/dracut.conf", "# PUT YOUR CONFIG IN separate files\n");
  p.kernel = "5.14.0-362.el9.x86_64";
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  text = new_text (&ctx, "etc/dracut.conf.d/10-passthrough.conf");
  g_assert_cmpstr (text, ==, "# Written by Passthrough: load vfio-pci before the graphics drivers.\n"
                             "force_drivers+=\" vfio_pci vfio vfio_iommu_type1 vfio_virqfd \"\n");
  g_assert_null (find_change (&ctx, "etc/dracut.conf"));
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);

  /* a newer kernel installed: the drop-in is ours, rewritten whole */
  put (root, "usr/lib/modules/6.5.6-300.fc39.x86_64/vmlinuz", "");
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/dracut.conf.d/10-passthrough.conf");
  g_assert_nonnull (strstr (text, "\" vfio_pci vfio vfio_iommu_type1 \""));
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);

  /* undo removes it */
  g_assert_true (run (root, &p, TRUE, &ctx, &error));
  {
    PtFileChange *c = find_change (&ctx, "etc/dracut.conf.d/10-passthrough.conf");
    g_autofree char *got = commands (ctx.regenerate);

    g_assert_true (c != NULL && c->new_contents == NULL);
    g_assert_cmpstr (got, ==, "dracut --regenerate-all --force");
  }
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);

  /* built-in vfio-pci: nothing to load, a note */
  p.builtin = TRUE;
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  g_assert_null (find_change (&ctx, "etc/dracut.conf.d/10-passthrough.conf"));
  g_assert_null (find_change (&ctx, "etc/modprobe.d/vfio.conf"));
  g_assert_true (has_message (ctx.notes, "built into the kernel"));
  pt_bootconf_context_clear (&ctx);

  /* EndeavourOS */
  put (root, "usr/bin/dracut-rebuild", "");
  p.builtin = FALSE;
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  {
    g_autofree char *got = commands (ctx.regenerate);

    g_assert_cmpstr (got, ==, "dracut-rebuild");
  }
  pt_bootconf_context_clear (&ctx);
  pt_test_remove_tree (root);
}

/* ---- modprobe.d -------------------------------------------------------- */

static void
test_modprobe (void)
{
  static const char z690[] =
    "options vfio-pci ids=10de:2488,10de:228b\noptions vfio-pci disable_vga=1\n"
    "softdep nouveau pre: vfio-pci\n";
  /* undo takes every "softdep DRIVER pre: vfio-pci" of the passed GPUs'
   * drivers, also one that was there before */
  static const char z690_undone[] =
    "options vfio-pci ids=10de:2488,10de:228b\noptions vfio-pci disable_vga=1\n";
  static const char radeon7[] =
    "#options vfio-pci ids=1002:66af,1002:ab20,144d:a808\noptions vhost_net experimental_zcopytx=1\n";
  static const char *const two[] = { "nouveau", "nvidia", NULL };
  g_autofree char *root = new_root ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Params p = defaults;
  PtBootconfContext ctx;

  p.gpu_drivers = two;
  put (root, "etc/modprobe.d/vfio.conf", z690);
  put (root, "etc/modprobe.d/kvm.conf", "options kvm ignore_msrs=1\n");
  put (root, "etc/modprobe.d/old-vfio.conf", "# from a guide\noptions vfio_pci ids=10de:1b81\n");
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  text = new_text (&ctx, "etc/modprobe.d/vfio.conf");
  g_assert_cmpstr (text, ==,
                   "options vfio-pci ids=10de:2488,10de:228b,10de:13c2,10de:0fbb\n"
                   "options vfio-pci disable_vga=1\nsoftdep nouveau pre: vfio-pci\n"
                   "softdep nvidia pre: vfio-pci\n");
  g_assert_true (has_message (ctx.warnings, "old-vfio.conf:2 also sets the IDs of vfio-pci"));
  g_assert_false (has_message (ctx.warnings, "kvm.conf"));
  pt_bootconf_context_clear (&ctx);
  round_trip (root, &p, "etc/modprobe.d/vfio.conf", z690_undone);

  /* a file of the user's without our lines: ours go after theirs */
  put (root, "etc/modprobe.d/vfio.conf", radeon7);
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/modprobe.d/vfio.conf");
  g_assert_cmpstr (text, ==, "#options vfio-pci ids=1002:66af,1002:ab20,144d:a808\n"
                             "options vhost_net experimental_zcopytx=1\n"
                             "options vfio-pci ids=10de:13c2,10de:0fbb\n"
                             "softdep nouveau pre: vfio-pci\nsoftdep nvidia pre: vfio-pci\n");
  pt_bootconf_context_clear (&ctx);
  round_trip (root, &p, "etc/modprobe.d/vfio.conf", radeon7);

  /* a softdep that already names vfio-pci among others counts */
  put (root, "etc/modprobe.d/vfio.conf",
       "options vfio-pci ids=10de:13c2,10de:0fbb disable_vga=1\n"
       "softdep nvidia pre: vfio_pci i2c_nvidia_gpu\nsoftdep nouveau pre: vfio-pci\n");
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  g_assert_null (find_change (&ctx, "etc/modprobe.d/vfio.conf"));
  pt_bootconf_context_clear (&ctx);
  /* undo keeps the other option and the user's own softdep */
  g_assert_true (run (root, &p, TRUE, &ctx, &error));
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/modprobe.d/vfio.conf");
  g_assert_cmpstr (text, ==, "options vfio-pci disable_vga=1\nsoftdep nvidia pre: vfio_pci i2c_nvidia_gpu\n");
  pt_bootconf_context_clear (&ctx);
  pt_test_remove_tree (root);
}

/* ---- mkinitcpio and initramfs-tools details ---------------------------- */

static void
test_module_lists (void)
{
  g_autofree char *root = new_root ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Params p = defaults;
  PtBootconfContext ctx;
  static const char *const amdgpu[] = { "amdgpu", NULL };

  /* the passed GPU's own driver counts as a GPU driver, even an unusual one */
  p.gpu_drivers = amdgpu;
  put (root, "usr/bin/mkinitcpio", "");
  put (root, "etc/mkinitcpio.conf", "MODULES=(ext4 amdgpu)\nHOOKS=(base udev modconf)\n");
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  text = new_text (&ctx, "etc/mkinitcpio.conf");
  g_assert_cmpstr (text, ==, "MODULES=(ext4 vfio_pci vfio vfio_iommu_type1 amdgpu)\nHOOKS=(base udev modconf)\n");
  pt_bootconf_context_clear (&ctx);

  /* no MODULES at all: a line is added, and taken away again */
  put (root, "etc/mkinitcpio.conf", "HOOKS=(base udev modconf)\n");
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/mkinitcpio.conf");
  g_assert_cmpstr (text, ==, "HOOKS=(base udev modconf)\nMODULES=(vfio_pci vfio vfio_iommu_type1)\n");
  pt_bootconf_context_clear (&ctx);

  /* only MODULES+=: ours goes before it, which it then extends */
  put (root, "etc/mkinitcpio.conf", "HOOKS=(base udev modconf)\nMODULES+=(amdgpu)\n");
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  g_clear_pointer (&text, g_free);
  text = new_text (&ctx, "etc/mkinitcpio.conf");
  g_assert_cmpstr (text, ==, "HOOKS=(base udev modconf)\nMODULES=(vfio_pci vfio vfio_iommu_type1)\n"
                             "MODULES+=(amdgpu)\n");
  apply (root, ctx.changes);
  pt_bootconf_context_clear (&ctx);
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  g_assert_cmpuint (ctx.changes->len, ==, 0);
  pt_bootconf_context_clear (&ctx);
  pt_test_remove_tree (root);

  /* initramfs-tools without the file: it is created */
  g_free (root);
  root = new_root ();
  put (root, "usr/sbin/update-initramfs", "");
  p.kernel = "6.1.0-13-amd64";
  g_assert_true (run (root, &p, FALSE, &ctx, &error));
  {
    PtFileChange *c = find_change (&ctx, "etc/initramfs-tools/modules");

    g_assert_true (c != NULL && c->old_contents == NULL);
    g_clear_pointer (&text, g_free);
    text = new_text (&ctx, "etc/initramfs-tools/modules");
    g_assert_cmpstr (text, ==, "vfio_pci\nvfio\nvfio_iommu_type1\nvfio_virqfd\n");
  }
  pt_bootconf_context_clear (&ctx);
  pt_test_remove_tree (root);
}

/* ---- whole plans on the fixture hosts ---------------------------------- */

typedef struct
{
  const char *host;
  const char *address;
  const char *bootloader;
  const char *initramfs;
  const char *paths;          /* changed files, "a b" */
  const char *regenerate;
} HostCase;

static const HostCase host_cases[] = {
  { "skylake-igpu-vfio", "00:02.0", "kernelstub", "initramfs-tools", "etc/modprobe.d/vfio.conf",
    "update-initramfs -u -k all" },
  { "radeon7-threadripper", "0d:00.0", "systemd-boot", "mkinitcpio",
    "boot/loader/entries/spudd-master.conf etc/modprobe.d/vfio.conf", "mkinitcpio -P" },
  { "identical-gpus-server", "1a:00.0", "systemd-boot", "initramfs-tools",
    "etc/kernel/cmdline etc/initramfs-tools/modules etc/modprobe.d/vfio.conf",
    "update-initramfs -u -k all; proxmox-boot-tool refresh" },
  { "navi21-split-audio", "0b:00.0", "grub", "initramfs-tools", "etc/default/grub", "update-grub" },
  { "optimus-xps15", "01:00.0", "systemd-boot", "mkinitcpio",
    "boot/loader/entries/arch.conf etc/mkinitcpio.conf etc/modprobe.d/vfio.conf", "mkinitcpio -P" },
  { "x570-bmc-server", "2b:00.0", "grub", "initramfs-tools",
    "etc/default/grub etc/initramfs-tools/modules etc/modprobe.d/vfio.conf",
    "update-initramfs -u -k all; update-grub" },
  /* bound by modprobe.d already, which has the IDs and the softdep: only the
   * command line is missing them */
  { "z690-display-0380", "01:00.0", "grub", "mkinitcpio", "etc/default/grub",
    "grub-mkconfig -o /boot/grub/grub.cfg" },
};

static PtPlan *
host_plan (const char *root, const HostCase *hc, gboolean undo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_DETAILS, &error);
  const char *addresses[] = { hc->address, NULL };
  PtPlan *plan;

  g_assert_no_error (error);
  plan = pt_plan_new (host, addresses, PT_PLAN_ALLOW_BOOT_VGA, &error);
  g_assert_no_error (error);
  if (undo)
    g_assert_true (pt_bootconf_plan_undo (plan, &error));
  else
    g_assert_true (pt_bootconf_plan (plan, &error));
  g_assert_no_error (error);
  return plan;
}

static void
test_hosts (gconstpointer data)
{
  const HostCase *hc = data;
  g_autofree char *root = pt_test_build_host (hc->host);
  g_autoptr(PtPlan) plan = host_plan (root, hc, FALSE);
  g_autoptr(GString) paths = g_string_new (NULL);
  g_autofree char *got = NULL;

  g_assert_cmpstr (plan->bootloader, ==, hc->bootloader);
  g_assert_cmpstr (plan->initramfs, ==, hc->initramfs);
  for (guint i = 0; i < plan->changes->len; i++)
    {
      PtPlanChange *c = g_ptr_array_index (plan->changes, i);
      PtFileChange *fc = g_ptr_array_index (pt_plan_get_file_changes (plan), i);

      g_string_append_printf (paths, "%s%s", i ? " " : "", c->path);
      g_assert_cmpstr (c->path, ==, fc->path);
      g_assert_true (g_str_has_prefix (c->diff, "--- "));
    }
  g_assert_cmpstr (paths->len ? paths->str : NULL, ==, hc->paths);
  got = commands (plan->regenerate);
  g_assert_cmpstr (*got ? got : NULL, ==, hc->regenerate);

  apply (root, pt_plan_get_file_changes (plan));
  g_clear_pointer (&plan, pt_plan_free);
  plan = host_plan (root, hc, FALSE);
  g_assert_cmpuint (plan->changes->len, ==, 0);
  g_assert_cmpuint (plan->regenerate->len, ==, 0);

  g_clear_pointer (&plan, pt_plan_free);
  plan = host_plan (root, hc, TRUE);
  apply (root, pt_plan_get_file_changes (plan));
  g_clear_pointer (&plan, pt_plan_free);
  plan = host_plan (root, hc, TRUE);
  g_assert_cmpuint (plan->changes->len, ==, 0);
  pt_test_remove_tree (root);
}

/* A line ending in a backslash runs on into the next: a line added after
 * it would not be an assignment of its own. */
static void
test_continuation (void)
{
  static const struct { const char *path; const char *tool; const char *text; guint line; } cases[] = {
    { "etc/default/grub", "usr/sbin/update-grub", "GRUB_TIMEOUT=5\nGRUB_DEFAULT=saved\\\n", 3 },
    { "etc/default/grub", "usr/sbin/update-grub", "GRUB_TIMEOUT=5\nGRUB_DEFAULT=saved\\", 2 },
    { "etc/mkinitcpio.conf", "usr/bin/mkinitcpio", "HOOKS=(base udev modconf)\nFILES=\\\n", 3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = new_root ();
      g_autoptr(GError) error = NULL;
      PtBootconfContext ctx;

      put (root, cases[i].tool, "");
      put (root, cases[i].path, cases[i].text);
      g_assert_false (run (root, NULL, FALSE, &ctx, &error));
      g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "backslash"));
      g_assert_null (find_change (&ctx, cases[i].path));
      pt_bootconf_context_clear (&ctx);
      pt_test_remove_tree (root);
    }
}

/* The kernel reads a double quote to the end of the line: what we would
 * add after an unclosed one would be part of another argument's value. */
static void
test_unclosed_quote (void)
{
  static const struct { const char *path; const char *tool; const char *text; guint line; } cases[] = {
    { "etc/kernel/cmdline", "usr/bin/bootctl", "root=/dev/sda1 ro\nquiet \"splash\n", 2 },
    { "etc/default/grub", "usr/sbin/update-grub",
      "GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT='quiet \"splash'\n", 2 },
    { "boot/loader/entries/a.conf", "usr/bin/bootctl", "linux /vmlinuz\noptions root=\"/dev/sda1 ro\n", 2 },
    { "etc/kernelstub/configuration", "usr/bin/kernelstub",
      "{\"user\": {\n\"kernel_options\": [\"quiet\", \"x=\\\"y\"]}}", 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *root = new_root ();
      g_autofree char *where = NULL;
      g_autofree char *prefix = NULL;
      g_autoptr(GError) error = NULL;
      PtBootconfContext ctx;

      put (root, cases[i].tool, "");
      put (root, cases[i].path, cases[i].text);
      g_assert_false (run (root, NULL, FALSE, &ctx, &error));
      g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
      where = g_build_filename (root, cases[i].path, NULL);
      prefix = g_strdup_printf ("%s:%u: a double quote on the kernel command line is not closed",
                                where, cases[i].line);
      if (!g_str_has_prefix (error->message, prefix))
        g_error ("“%s” does not start with “%s”", error->message, prefix);
      pt_bootconf_context_clear (&ctx);
      pt_test_remove_tree (root);
    }
}

/* ---- random damage ------------------------------------------------------ */

/* The fixture files with random bytes changed, added or taken out, with
 * the characters that matter to the parsers favoured: each plan either
 * refuses (PT_ERROR_CORRUPT) or gives files that plan again to nothing. */
static void
test_mutations (void)
{
  static const struct { const char *tree; const char *path; const char *tool; } files[] = {
    { "debian", "etc/default/grub", "usr/sbin/update-grub" },
    { "fedora", "etc/default/grub", "usr/sbin/grub2-mkconfig" },
    { "odd/grub-multiline-other", "etc/default/grub", "usr/sbin/update-grub" },
    { "arch", "etc/mkinitcpio.conf", "usr/bin/mkinitcpio" },
    { "odd/mkinitcpio-multiline", "etc/mkinitcpio.conf", "usr/bin/mkinitcpio" },
    { "pop", "etc/kernelstub/configuration", "usr/bin/kernelstub" },
    { "debian", "etc/initramfs-tools/modules", "usr/sbin/update-initramfs" },
    { "fedora", "boot/loader/entries/4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d-6.5.6-300.fc39.x86_64.conf",
      "usr/bin/bootctl" },
    { "odd/grub-dropin", "etc/default/grub.d/50-cloudimg-settings.cfg", "usr/sbin/update-grub" },
  };
  static const char alphabet[] = "\"'`$(){}[]\\\n #=,: ;a-_?+";
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  guint rounds = g_test_slow () ? 20000 : 1500;
  g_autofree char *root = new_root ();
  guint refused = 0, planned = 0;

  put (root, "usr/sbin/update-grub", "");
  put (root, "usr/bin/mkinitcpio", "");
  put (root, "usr/bin/kernelstub", "");
  put (root, "usr/sbin/update-initramfs", "");
  put (root, "usr/bin/bootctl", "");
  for (guint r = 0; r < rounds; r++)
    {
      guint which = g_rand_int_range (rand, 0, G_N_ELEMENTS (files));
      g_autofree char *rel = g_build_filename ("distro", files[which].tree, files[which].path, NULL);
      g_autofree char *src = pt_test_fixture_path (rel);
      g_autofree char *data = NULL;
      g_autoptr(GString) s = NULL;
      g_autoptr(GError) error = NULL;
      guint edits = g_rand_int_range (rand, 1, 6);
      PtBootconfContext ctx;
      const char *paths[] = { "etc/default/grub", "etc/mkinitcpio.conf",
                              "etc/kernelstub/configuration", "etc/initramfs-tools/modules",
                              "etc/modprobe.d/vfio.conf", "etc/default/grub.d/50-cloudimg-settings.cfg",
                              "boot/loader/entries/4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d-6.5.6-300.fc39.x86_64.conf" };

      for (guint k = 0; k < G_N_ELEMENTS (paths); k++)
        {
          g_autofree char *full = g_build_filename (root, paths[k], NULL);

          g_unlink (full);
        }
      g_assert_true (g_file_get_contents (src, &data, NULL, NULL));
      s = g_string_new (data);
      for (guint e = 0; e < edits; e++)
        {
          guint at = s->len ? g_rand_int_range (rand, 0, s->len) : 0;
          char c = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              g_string_insert_c (s, at, c);
              break;
            case 1:
              if (s->len > 0)
                g_string_erase (s, at, 1);
              break;
            case 2:
              if (s->len > 0)
                s->str[at] = c;
              break;
            default:
              g_string_truncate (s, at);
              break;
            }
        }
      put (root, files[which].path, s->str);

      if (!run (root, NULL, FALSE, &ctx, &error))
        {
          g_assert_error (error, PT_ERROR, PT_ERROR_CORRUPT);
          refused++;
          pt_bootconf_context_clear (&ctx);
          continue;
        }
      planned++;
      apply (root, ctx.changes);
      pt_bootconf_context_clear (&ctx);
      g_assert_true (run (root, NULL, FALSE, &ctx, &error));
      if (ctx.changes->len > 0)
        {
          PtFileChange *c = g_ptr_array_index (ctx.changes, 0);
          g_autofree char *d = pt_diff_unified (c->path, c->old_contents, c->new_contents);

          g_error ("not idempotent on this %s:\n%s\nsecond plan:\n%s", files[which].path,
                   s->str, d);
        }
      pt_bootconf_context_clear (&ctx);
      /* and the undo plan does not refuse what the apply wrote */
      g_assert_true (run (root, NULL, TRUE, &ctx, &error));
      pt_bootconf_context_clear (&ctx);
    }
  g_test_message ("%u refused, %u planned", refused, planned);
  g_assert_cmpuint (refused, >, 0);
  g_assert_cmpuint (planned, >, 0);
  pt_test_remove_tree (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bootconf/shell/scan", test_shell_scan);
  g_test_add_func ("/bootconf/shell/scan-errors", test_shell_scan_errors);
  g_test_add_func ("/bootconf/shell/decode", test_shell_decode);
  g_test_add_func ("/bootconf/kargs", test_kargs);
  g_test_add_func ("/bootconf/refusals", test_refusals);
  g_test_add_func ("/bootconf/grub/regenerate", test_grub_regenerate);
  g_test_add_func ("/bootconf/grub/bls", test_grub_bls);
  g_test_add_func ("/bootconf/detect", test_detect);
  g_test_add_func ("/bootconf/systemd-boot/cmdline", test_sdboot_cmdline);
  g_test_add_func ("/bootconf/systemd-boot/entries", test_sdboot_entries);
  g_test_add_func ("/bootconf/kernelstub", test_kernelstub);
  g_test_add_func ("/bootconf/kernelstub/refusals", test_kernelstub_refusals);
  g_test_add_func ("/bootconf/dracut", test_dracut);
  g_test_add_func ("/bootconf/modprobe", test_modprobe);
  g_test_add_func ("/bootconf/module-lists", test_module_lists);
  g_test_add_func ("/bootconf/continuation", test_continuation);
  g_test_add_func ("/bootconf/unclosed-quote", test_unclosed_quote);
  g_test_add_func ("/bootconf/mutations", test_mutations);
  for (guint i = 0; i < G_N_ELEMENTS (host_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bootconf/host/%s", host_cases[i].host);

      g_test_add_data_func (path, &host_cases[i], test_hosts);
    }
  return g_test_run ();
}
