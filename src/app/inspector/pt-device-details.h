/* pt-device-details.h: everything known about one PCI function. */
#pragma once

#include <adwaita.h>
#include "pt-host.h"
#include "pt-verdict.h"

G_BEGIN_DECLS

#define PT_TYPE_DEVICE_DETAILS (pt_device_details_get_type ())
G_DECLARE_FINAL_TYPE (PtDeviceDetails, pt_device_details, PT, DEVICE_DETAILS, AdwBin)

/* Shows @device of @host (NULL: a hint to pick one); @gpu is its verdict
 * when it is a GPU. */
void      pt_device_details_set_device (PtDeviceDetails *self,
                                        PtHost          *host,
                                        PtDevice        *device,
                                        PtGpu           *gpu);
PtDevice *pt_device_details_get_device (PtDeviceDetails *self);

G_END_DECLS
