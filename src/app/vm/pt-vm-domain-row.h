/* pt-vm-domain-row.h: one libvirt domain in the VM dialog's list: a radio
 * button to choose it, its state, whether it has the GPU already, and a
 * button to remove the GPU from it. */
#pragma once

#include <adwaita.h>
#include "pt-vm.h"

G_BEGIN_DECLS

#define PT_TYPE_VM_DOMAIN_ROW (pt_vm_domain_row_get_type ())
G_DECLARE_FINAL_TYPE (PtVmDomainRow, pt_vm_domain_row, PT, VM_DOMAIN_ROW, AdwActionRow)

/* @group: a check button whose radio group the row joins. */
GtkWidget      *pt_vm_domain_row_new          (const PtVmDomainInfo *info,
                                               GtkCheckButton       *group);
const char     *pt_vm_domain_row_get_name     (PtVmDomainRow        *self);
PtVmState       pt_vm_domain_row_get_state    (PtVmDomainRow        *self);
gboolean        pt_vm_domain_row_get_has_plan (PtVmDomainRow        *self);
/* FALSE for a domain that cannot be changed (a transient one). */
gboolean        pt_vm_domain_row_get_usable   (PtVmDomainRow        *self);
gboolean        pt_vm_domain_row_get_active   (PtVmDomainRow        *self);
void            pt_vm_domain_row_set_active   (PtVmDomainRow        *self,
                                               gboolean              active);

G_END_DECLS
