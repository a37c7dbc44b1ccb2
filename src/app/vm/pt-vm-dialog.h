/* pt-vm-dialog.h: the GPU-attach dialog: connect to libvirt, choose a new
 * or an existing domain, review exactly what changes, apply. */
#pragma once

#include <adwaita.h>
#include <gmodule.h>
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_VM_DIALOG (pt_vm_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PtVmDialog, pt_vm_dialog, PT, VM_DIALOG, AdwWindow)

/* A dialog for the plan of @selection's ticked GPUs, modal on @parent. The
 * dialog takes its own plan when it opens: ticking GPUs while it is open
 * does not change it. The module's entry point (pt-vm-module.c looks it
 * up by name). */
G_MODULE_EXPORT
PtVmDialog *pt_vm_dialog_new (GtkWindow   *parent,
                              PtSelection *selection);

G_END_DECLS
