/* pt-graph-layout.h: places the PCI topology of a host as a tree, root
 * buses on the left, functions on the right, and positions the graph's
 * node widgets at the view's zoom and scroll offset. */
#pragma once

#include <gtk/gtk.h>
#include "pt-host.h"

G_BEGIN_DECLS

/* Logical size of one node and the gaps between columns and rows; the
 * layout is in these units and scaled by the zoom. Nodes have one size so
 * the whole tree is placed without measuring a widget, which is what lets
 * the view create node widgets only where they are seen. */
#define PT_GRAPH_NODE_WIDTH   272
#define PT_GRAPH_NODE_HEIGHT   76
#define PT_GRAPH_COLUMN_GAP    48
#define PT_GRAPH_ROW_GAP       18
#define PT_GRAPH_MARGIN        24
#define PT_GRAPH_GROUP_PAD      7

typedef struct
{
  PtDevice        *device;        /* unowned; NULL for a root bus */
  char            *bus;           /* root bus "0000:00", or NULL */
  int              parent;        /* item index, -1 at the top */
  int              first_child;   /* -1 for none */
  int              last_child;
  int              next_sibling;
  int              prev_sibling;
  int              depth;
  int              group;         /* IOMMU group, -1 for none */
  graphene_rect_t  rect;          /* unscaled */
  GtkWidget       *node;          /* PtGraphNode, created on demand */
} PtGraphItem;

typedef struct
{
  int              id;
  graphene_rect_t  rect;          /* unscaled, padded */
} PtGraphGroupShape;

#define PT_TYPE_GRAPH_LAYOUT (pt_graph_layout_get_type ())
G_DECLARE_FINAL_TYPE (PtGraphLayout, pt_graph_layout, PT, GRAPH_LAYOUT, GtkLayoutManager)

GtkLayoutManager  *pt_graph_layout_new           (void);
void               pt_graph_layout_set_host      (PtGraphLayout *self,
                                                  PtHost        *host);
guint              pt_graph_layout_get_n_items   (PtGraphLayout *self);
PtGraphItem       *pt_graph_layout_get_item      (PtGraphLayout *self,
                                                  guint          index);
int                pt_graph_layout_find_device   (PtGraphLayout *self,
                                                  PtDevice      *device);
/* Group shapes, largest first so that smaller ones are drawn on top. */
GArray            *pt_graph_layout_get_groups    (PtGraphLayout *self);
void               pt_graph_layout_get_size      (PtGraphLayout *self,
                                                  float         *width,
                                                  float         *height);
/* The items whose rectangles meet @area (unscaled), in index order. Rows
 * are sorted by y, so this is a binary search plus the hits. */
void               pt_graph_layout_foreach_in    (PtGraphLayout         *self,
                                                  const graphene_rect_t *area,
                                                  GFunc                  func,
                                                  gpointer               user_data);
/* Called at the start of each allocation with the widget's size, before
 * the children are placed: the view configures its adjustments, sets the
 * viewport and creates the node widgets that came into sight. */
typedef void (*PtGraphLayoutPrepareFunc) (GtkWidget *widget,
                                          int        width,
                                          int        height,
                                          gpointer   user_data);
void               pt_graph_layout_set_prepare_func (PtGraphLayout            *self,
                                                     PtGraphLayoutPrepareFunc  func,
                                                     gpointer                  user_data);
void               pt_graph_layout_set_viewport  (PtGraphLayout *self,
                                                  double         zoom,
                                                  double         x_offset,
                                                  double         y_offset);

G_END_DECLS
