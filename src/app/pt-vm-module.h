/* pt-vm-module.h: the VM dialog lives in a module of its own (vm/), so
 * that the app starts without libvirt's libraries; this loads it when the
 * dialog is first asked for. */
#pragma once

#include <gtk/gtk.h>
#include "pt-selection.h"

G_BEGIN_DECLS

/* The VM dialog for the plan of @selection's ticked GPUs, modal on
 * @parent, not yet presented; NULL with @error set when the module cannot
 * be loaded (it names the file and the fix). */
GtkWindow *pt_vm_module_new_dialog (GtkWindow    *parent,
                                    PtSelection  *selection,
                                    GError      **error);

G_END_DECLS
