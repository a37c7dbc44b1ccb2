/* pt-bootconf-initramfs-tools.c: vfio modules in etc/initramfs-tools/modules
 * (Debian, Ubuntu, Mint, Pop!_OS): one module per line, loaded in that
 * order early in the initramfs, so ours go before any GPU driver listed. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pt-bootconf-private.h"

#define MODULES_FILE "etc/initramfs-tools/modules"

static gboolean
initramfs_tools_detect (const char *root)
{
  return pt_bootconf_exists (root, "usr/sbin/update-initramfs");
}

static GStrv
initramfs_tools_regenerate (PtBootconfContext *ctx)
{
  const char *const argv[] = { "update-initramfs", "-u", "-k", "all", NULL };

  return g_strdupv ((char **) argv);
}

/* The module a line loads ("vfio_pci ids=…" loads vfio_pci), or NULL. */
static char *
line_module (const char *line)
{
  const char *p = line;
  const char *e;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0' || *p == '#')
    return NULL;
  e = p;
  while (*e != '\0' && !g_ascii_isspace (*e))
    e++;
  return g_strndup (p, e - p);
}

static gboolean
initramfs_tools_plan (PtBootconfContext *ctx, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, MODULES_FILE, &local_error);
  g_autoptr(GPtrArray) lines = pt_tokens_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) splices = pt_splices_new ();
  g_autoptr(PtModulesEdit) edit = NULL;
  g_autoptr(GBytes) out = NULL;
  const char *text = "";
  gsize len = 0;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (ctx->vfio_builtin && !ctx->remove)
    {
      pt_bootconf_add_note (ctx->notes,
                            g_strdup (_("vfio-pci is built into the kernel, so no modules are "
                                        "added to the initramfs.")));
      return TRUE;
    }
  if (bytes == NULL && ctx->remove)
    return TRUE;
  if (bytes != NULL)
    text = g_bytes_get_data (bytes, &len);

  pt_lines_split (text, len, lines);
  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (names, line_module (((PtToken *) g_ptr_array_index (lines, i))->text));
  edit = pt_modules_edit (ctx, (const char *const *) names->pdata, names->len);
  if (!pt_modules_edit_changed (edit, lines->len))
    return TRUE;

  pt_lines_splice (splices, text, len, lines, edit->actions, NULL, edit->insert,
                   edit->insert_before);
  out = pt_splices_apply (text, len, splices);
  if (bytes != NULL && g_bytes_equal (out, bytes))
    return TRUE;

  pt_bootconf_add_change (ctx, "initramfs-tools", MODULES_FILE, bytes, out, 0644);
  {
    g_auto(GStrv) argv = initramfs_tools_regenerate (ctx);

    pt_bootconf_add_command (ctx, (const char *const *) argv);
  }
  if (edit->dropped_virqfd)
    pt_bootconf_add_note (ctx->notes,
                          g_strdup (_("vfio_virqfd is part of vfio since Linux 6.2, so its line "
                                      "is taken out of /etc/initramfs-tools/modules.")));
  return TRUE;
}

const PtBootconfBackend pt_bootconf_initramfs_tools = {
  .name = "initramfs-tools",
  .is_bootloader = FALSE,
  .detect = initramfs_tools_detect,
  .plan = initramfs_tools_plan,
  .kind = PT_BOOTCONF_KIND_INITRAMFS,
  .regenerate = initramfs_tools_regenerate,
};
