/* pt-kmod.c: libkmod answers which module would claim each device (its
 * modalias) and whether vfio-pci is built into the host's kernel or a
 * module, using the module index of the host root's running kernel. */
#define G_LOG_DOMAIN "pt-kmod"

#include "config.h"

#include <libkmod.h>

#include "pt-host-private.h"

static void
kmod_quiet_cb (void *data, int priority, const char *file, int line,
               const char *fn, const char *format, va_list args)
{
}

static char *
modules_dir (PtHost *self)
{
  const char *prefixes[] = { "lib/modules", "usr/lib/modules" };

  if (self->kernel_release == NULL || strchr (self->kernel_release, '/') != NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *rel = g_build_filename (prefixes[i], self->kernel_release, "modules.dep.bin", NULL);
      g_autofree char *path = pt_root_path (self->root, rel);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_path_get_dirname (path);
    }
  return NULL;
}

/* Names of the modules matching @alias, without duplicates, in index order. */
static GStrv
lookup_modules (struct kmod_ctx *ctx, const char *alias, PtModuleState *state)
{
  struct kmod_list *list = NULL;
  struct kmod_list *l;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (state != NULL)
    *state = PT_MODULE_STATE_MISSING;
  if (kmod_module_new_from_lookup (ctx, alias, &list) < 0)
    return NULL;

  kmod_list_foreach (l, list)
    {
      struct kmod_module *mod = kmod_module_get_module (l);
      const char *name = kmod_module_get_name (mod);

      if (state != NULL && *state == PT_MODULE_STATE_MISSING)
        {
          /* A module has a file; a built-in one has none and says so
           * through the modules.builtin index. */
          if (kmod_module_get_path (mod) != NULL)
            *state = PT_MODULE_STATE_MODULE;
          else if (kmod_module_get_initstate (mod) == KMOD_MODULE_BUILTIN)
            *state = PT_MODULE_STATE_BUILTIN;
        }
      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, g_strdup (name));
      kmod_module_unref (mod);
    }
  kmod_module_unref_list (list);

  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

void
pt_kmod_fill_modules (PtHost *self)
{
  g_autofree char *dir = modules_dir (self);
  struct kmod_ctx *ctx;

  /* Without an index, what is loaded still tells us something. */
  if (pt_host_module_loaded (self, "vfio_pci"))
    self->vfio_pci_state = PT_MODULE_STATE_MODULE;
  else if (self->root != NULL)
    {
      g_autofree char *sysmod = pt_root_path (self->root, "sys/module/vfio_pci");

      if (g_file_test (sysmod, G_FILE_TEST_IS_DIR))
        self->vfio_pci_state = PT_MODULE_STATE_BUILTIN;
    }

  if (dir == NULL)
    return;

  {
    /* The root's own modprobe.d, not this machine's. */
    g_autofree char *etc = pt_root_path (self->root, "etc/modprobe.d");
    g_autofree char *run = pt_root_path (self->root, "run/modprobe.d");
    g_autofree char *usr = pt_root_path (self->root, "usr/lib/modprobe.d");
    g_autofree char *lib = pt_root_path (self->root, "lib/modprobe.d");
    const char *const config[] = { etc, run, usr, lib, NULL };

    ctx = kmod_new (dir, config);
  }
  if (ctx == NULL)
    return;
  kmod_set_log_fn (ctx, kmod_quiet_cb, NULL);

  {
    PtModuleState state = PT_MODULE_STATE_MISSING;
    g_auto(GStrv) vfio = lookup_modules (ctx, "vfio_pci", &state);

    if (self->vfio_pci_state == PT_MODULE_STATE_UNKNOWN || state == PT_MODULE_STATE_BUILTIN)
      self->vfio_pci_state = state;
  }

  for (guint i = 0; i < self->devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (self->devices, i);

      g_clear_pointer (&d->kernel_modules, g_strfreev);
      if (d->modalias != NULL)
        d->kernel_modules = lookup_modules (ctx, d->modalias, NULL);
    }

  kmod_unref (ctx);
}
