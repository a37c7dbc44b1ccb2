/* pt-device-list.h: the host's functions as a virtualised table. */
#pragma once

#include <adwaita.h>
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_DEVICE_LIST (pt_device_list_get_type ())
G_DECLARE_FINAL_TYPE (PtDeviceList, pt_device_list, PT, DEVICE_LIST, AdwBin)

void      pt_device_list_set_host            (PtDeviceList *self,
                                              PtHost       *host,
                                              GHashTable   *gpus);
void      pt_device_list_set_selection       (PtDeviceList *self,
                                              PtSelection  *selection);
/* Shows only the functions whose name, IDs, address, class or driver
 * contain @text; returns how many are shown. */
guint     pt_device_list_set_search          (PtDeviceList *self,
                                              const char   *text);
PtDevice *pt_device_list_get_selected_device (PtDeviceList *self);
void      pt_device_list_set_selected_device (PtDeviceList *self,
                                              PtDevice     *device);
void      pt_device_list_focus               (PtDeviceList *self);

G_END_DECLS
