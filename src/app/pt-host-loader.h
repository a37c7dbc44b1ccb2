/* pt-host-loader.h: reads a host (root directory or snapshot file) off the
 * main loop, with the details the inspector shows. */
#pragma once

#include <gio/gio.h>
#include "pt-host.h"

G_BEGIN_DECLS

/* Starts reading the host in a thread at once (before the window exists);
 * the first pt_host_loader_load_async() for the same host takes the
 * result. Exactly one of @root and @snapshot is non-NULL. */
void    pt_host_loader_preload     (const char          *root,
                                    GFile               *snapshot);

/* The preloaded host if it is this one and has been read already (never
 * blocks), else NULL. A failed preload is left to pt_host_loader_load_async()
 * to report. */
PtHost *pt_host_loader_take_preloaded (const char        *root,
                                       GFile             *snapshot);

/* Exactly one of @root and @snapshot is non-NULL. */
void    pt_host_loader_load_async  (const char          *root,
                                    GFile               *snapshot,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
PtHost *pt_host_loader_load_finish (GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
