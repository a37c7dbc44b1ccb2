/* pt-bootconf-dracut.c: vfio modules in dracut images (Fedora, RHEL,
 * openSUSE, EndeavourOS). dracut.conf(5) asks for settings in drop-ins, so
 * they go into a file of our own, etc/dracut.conf.d/10-passthrough.conf,
 * never into etc/dracut.conf: the whole file is ours, undo removes it.
 * force_drivers loads the modules early, in this order, before udev lets
 * the GPU drivers bind. */
#define G_LOG_DOMAIN "pt-bootconf"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-bootconf-private.h"

#define DROPIN_FILE "etc/dracut.conf.d/10-passthrough.conf"

/* Not translated: the file must not depend on who planned it. */
#define DROPIN_HEADER "# Written by Passthrough: load vfio-pci before the graphics drivers.\n"

static gboolean
dracut_detect (const char *root)
{
  return pt_bootconf_exists (root, "usr/bin/dracut") || pt_bootconf_exists (root, "usr/sbin/dracut");
}

static GStrv
dracut_regenerate (PtBootconfContext *ctx)
{
  const char *const rebuild[] = { "dracut-rebuild", NULL };
  const char *const argv[] = { "dracut", "--regenerate-all", "--force", NULL };

  /* EndeavourOS names its images as mkinitcpio did; its wrapper knows them */
  if (pt_bootconf_exists (ctx->root, "usr/bin/dracut-rebuild"))
    return g_strdupv ((char **) rebuild);
  return g_strdupv ((char **) argv);
}

static gboolean
dracut_plan (PtBootconfContext *ctx, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = pt_bootconf_read_file (ctx->root, DROPIN_FILE, &local_error);
  g_autoptr(GBytes) want = NULL;

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (ctx->remove)
    {
      if (bytes == NULL)
        return TRUE;
    }
  else if (ctx->vfio_builtin)
    {
      pt_bootconf_add_note (ctx->notes,
                            g_strdup (_("vfio-pci is built into the kernel, so no modules are "
                                        "added to the initramfs.")));
      return TRUE;
    }
  else
    {
      g_autoptr(GPtrArray) mods = pt_bootconf_vfio_modules (ctx);
      g_autoptr(GString) s = g_string_new (DROPIN_HEADER);

      g_string_append (s, "force_drivers+=\" ");
      for (guint i = 0; i < mods->len; i++)
        g_string_append_printf (s, "%s ", (const char *) g_ptr_array_index (mods, i));
      g_string_append (s, "\"\n");
      want = g_string_free_to_bytes (g_steal_pointer (&s));
      if (bytes != NULL && g_bytes_equal (bytes, want))
        return TRUE;
    }

  pt_bootconf_add_change (ctx, "dracut", DROPIN_FILE, bytes, want, 0644);
  {
    g_auto(GStrv) argv = dracut_regenerate (ctx);

    pt_bootconf_add_command (ctx, (const char *const *) argv);
  }
  return TRUE;
}

const PtBootconfBackend pt_bootconf_dracut = {
  .name = "dracut",
  .is_bootloader = FALSE,
  .detect = dracut_detect,
  .plan = dracut_plan,
  .kind = PT_BOOTCONF_KIND_INITRAMFS,
  .regenerate = dracut_regenerate,
};
