/* pt-graph-node.h: one function (or root bus) in the topology graph. */
#pragma once

#include <gtk/gtk.h>
#include "pt-host.h"
#include "pt-verdict.h"

G_BEGIN_DECLS

#define PT_TYPE_GRAPH_NODE (pt_graph_node_get_type ())
G_DECLARE_FINAL_TYPE (PtGraphNode, pt_graph_node, PT, GRAPH_NODE, GtkWidget)

GtkWidget *pt_graph_node_new          (int          index,
                                       PtDevice    *device,
                                       const char  *bus,
                                       PtGpu       *gpu);
int        pt_graph_node_get_index    (PtGraphNode *self);
PtDevice  *pt_graph_node_get_device   (PtGraphNode *self);
gboolean   pt_graph_node_get_ticked   (PtGraphNode *self);
void       pt_graph_node_set_ticked   (PtGraphNode *self,
                                       gboolean     ticked);

/* Verdict strings shared with the list and the details pane. */
const char *pt_graph_isolation_label  (PtIsolation  isolation);
char       *pt_graph_dup_device_label (PtDevice    *device,
                                       PtGpu       *gpu);

G_END_DECLS
