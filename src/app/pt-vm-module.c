/* pt-vm-module.c: finds and loads passthrough-vm.so, the VM dialog.
 *
 * A build tree has it in vm/ beside the executable (meson devenv, the
 * tests); an installed app has it in PT_MODULEDIR. The build tree's is
 * tried first, so that a built app never loads an installed module of
 * another version. The module stays loaded: it registers types. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "pt-fileutil.h"
#include "pt-vm-module.h"

#define PT_VM_MODULE_NAME "passthrough-vm.so"

typedef GtkWindow *(*PtVmDialogNew) (GtkWindow   *parent,
                                     PtSelection *selection);

static PtVmDialogNew
load_module (GError **error)
{
  static PtVmDialogNew dialog_new;
  g_autofree char *path = NULL;
  GModule *module;
  gpointer symbol = NULL;

  if (dialog_new != NULL)
    return dialog_new;

  path = pt_fileutil_find_companion ("vm/" PT_VM_MODULE_NAME, G_FILE_TEST_IS_REGULAR,
                                     PT_MODULEDIR "/" PT_VM_MODULE_NAME);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The VM part of Passthrough, %s, is not installed. "
                     "Reinstall Passthrough with its libvirt support."), path);
      return NULL;
    }
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* Translators: the first %s is a file, the second the loader's reason. */
                   _("The VM part of Passthrough, %s, cannot be loaded: %s. "
                     "Reinstall Passthrough with its libvirt support."),
                   path, g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, "pt_vm_dialog_new", &symbol) || symbol == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s is not the VM part of this version of Passthrough. "
                     "Reinstall Passthrough."), path);
      g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  dialog_new = (PtVmDialogNew) symbol;
  return dialog_new;
}

GtkWindow *
pt_vm_module_new_dialog (GtkWindow    *parent,
                         PtSelection  *selection,
                         GError      **error)
{
  PtVmDialogNew dialog_new;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PT_IS_SELECTION (selection), NULL);

  dialog_new = load_module (error);
  return dialog_new != NULL ? dialog_new (parent, selection) : NULL;
}
