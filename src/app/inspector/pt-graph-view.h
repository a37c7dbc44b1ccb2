/* pt-graph-view.h: the PCI topology of a host as a zoomable, scrollable
 * graph of real widgets, with IOMMU groups drawn around them. */
#pragma once

#include <gtk/gtk.h>
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_GRAPH_VIEW (pt_graph_view_get_type ())
G_DECLARE_FINAL_TYPE (PtGraphView, pt_graph_view, PT, GRAPH_VIEW, GtkWidget)

/* @gpus maps PtDevice * to PtGpu * for every GPU of @host; the view keeps
 * a reference to the table. */
void      pt_graph_view_set_host            (PtGraphView *self,
                                             PtHost      *host,
                                             GHashTable  *gpus);
void      pt_graph_view_set_selection       (PtGraphView *self,
                                             PtSelection *selection);
PtDevice *pt_graph_view_get_selected_device (PtGraphView *self);
void      pt_graph_view_set_selected_device (PtGraphView *self,
                                             PtDevice    *device);
/* Moves the keyboard focus to the selected node (or the first one). */
void      pt_graph_view_focus_selected      (PtGraphView *self);

double    pt_graph_view_get_zoom            (PtGraphView *self);
void      pt_graph_view_set_zoom            (PtGraphView *self,
                                             double       zoom);
void      pt_graph_view_zoom_in             (PtGraphView *self);
void      pt_graph_view_zoom_out            (PtGraphView *self);
void      pt_graph_view_zoom_fit            (PtGraphView *self);

/* Highlights the functions whose name, IDs, address, class or driver
 * contain @text, selects and shows the first; returns how many matched. */
guint     pt_graph_view_set_search          (PtGraphView *self,
                                             const char  *text);
/* Selects and shows the next (or previous) match. */
void      pt_graph_view_next_match          (PtGraphView *self,
                                             gboolean     backward);

/* Number of node widgets made so far: those in sight at once, the rest
 * in idle time; "complete" turns TRUE when all exist. */
guint     pt_graph_view_get_n_nodes         (PtGraphView *self);
gboolean  pt_graph_view_get_complete        (PtGraphView *self);

G_END_DECLS
