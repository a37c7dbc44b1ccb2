/* pt-graph-view.c: the topology graph. PtGraphLayout places the tree; this
 * widget draws the IOMMU groups (one palette colour each) and the
 * connectors in its snapshot, and owns the node widgets, which it creates
 * only as they come into sight so a 700-function server costs what is on
 * screen. It scrolls itself (GtkScrollable) so it always knows what is on
 * screen, zooms by scaling the nodes, pans with a drag, and moves the focus
 * between nodes with the arrow keys and Tab. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "pt-graph-layout.h"
#include "pt-graph-node.h"
#include "pt-graph-view.h"

#define ZOOM_MIN  0.05
#define ZOOM_MAX  2.0
#define ZOOM_STEP 1.2

/* libadwaita's palette; looked up by name so that a style sheet may
 * change them and nothing here hard-codes a colour. No red: red says
 * "blocker" on the nodes. */
static const char *const group_colors[] = {
  "blue_3", "green_4", "yellow_5", "orange_3", "purple_3", "brown_3",
};

struct _PtGraphView
{
  GtkWidget       parent_instance;

  PtGraphLayout  *layout;         /* the widget's layout manager */
  PtHost         *host;
  GHashTable     *gpus;           /* PtDevice * → PtGpu * */
  PtSelection    *selection;
  GPtrArray      *haystacks;      /* casefolded search text per item */

  GtkAdjustment  *hadjustment;
  GtkAdjustment  *vadjustment;
  guint           hscroll_policy : 1;
  guint           vscroll_policy : 1;
  guint           anchor_set : 1;
  guint           reveal_set : 1;
  guint           fit_pending : 1;

  double          zoom;
  /* A zoom keeps the content point under (anchor_x, anchor_y) in place;
   * applied at the next allocation, when the adjustments have grown. */
  double          anchor_x, anchor_y, anchor_cx, anchor_cy;
  int             reveal;         /* item to scroll into view */
  double          pointer_x, pointer_y;
  double          drag_h, drag_v;

  int             selected;
  guint           n_nodes;
  guint           precreate_id;
  guint           precreate_next;
  GArray         *matches;        /* int item indices */
  GHashTable     *match_set;      /* item index + 1 */
  int             match_cursor;
  gboolean        searching;

  GHashTable     *taken;          /* PtDevice * sets from the plan */
  GHashTable     *kept;
  GHashTable     *blockers;
  GHashTable     *taken_groups;   /* group id + 1 */

  GdkRGBA         palette[G_N_ELEMENTS (group_colors)];
  GdkRGBA         line_color;
};

static void pt_graph_view_scrollable_init (GtkScrollableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PtGraphView, pt_graph_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, pt_graph_view_scrollable_init))

enum {
  PROP_0,
  PROP_ZOOM,
  PROP_SELECTED_DEVICE,
  PROP_COMPLETE,
  N_PROPS,
  /* GtkScrollable */
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

static GParamSpec *properties[N_PROPS];

static void
pt_graph_view_scrollable_init (GtkScrollableInterface *iface)
{
}

static PtGraphItem *
item_at (PtGraphView *self,
         int          index)
{
  return pt_graph_layout_get_item (self->layout, index);
}

static gboolean
is_match (PtGraphView *self,
          int          index)
{
  return g_hash_table_contains (self->match_set, GINT_TO_POINTER (index + 1));
}

static void
toggle_class (GtkWidget  *widget,
              const char *name,
              gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

/* Brings a node's look in line with the selection, the plan and the
 * search. */
static void
update_node (PtGraphView *self,
             PtGraphItem *item,
             int          index)
{
  GtkWidget *node = item->node;
  PtDevice *device = item->device;
  gboolean ticked = FALSE;

  if (device != NULL && self->selection != NULL)
    ticked = pt_selection_has_gpu (self->selection, pt_device_get_address (device));
  pt_graph_node_set_ticked (PT_GRAPH_NODE (node), ticked);
  toggle_class (node, "selected", index == self->selected);
  /* While searching, what does not match steps back. */
  toggle_class (node, "unmatched", self->searching && !is_match (self, index));
  toggle_class (node, "taken", device != NULL && g_hash_table_contains (self->taken, device));
  toggle_class (node, "kept", device != NULL && g_hash_table_contains (self->kept, device));
  toggle_class (node, "blocker", device != NULL && g_hash_table_contains (self->blockers, device));
}

static void
update_all_nodes (PtGraphView *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int index = pt_graph_node_get_index (PT_GRAPH_NODE (child));
      update_node (self, item_at (self, index), index);
    }
}

static void
node_tick_toggled_cb (PtGraphNode *node,
                      gboolean     ticked,
                      PtGraphView *self)
{
  PtDevice *device = pt_graph_node_get_device (node);

  if (self->selection != NULL && device != NULL)
    pt_selection_set_gpu (self->selection, pt_device_get_address (device), ticked);
}

static void select_index (PtGraphView *self, int index);

static void
node_has_focus_cb (GtkWidget   *node,
                   GParamSpec  *pspec,
                   PtGraphView *self)
{
  if (gtk_widget_has_focus (node))
    select_index (self, pt_graph_node_get_index (PT_GRAPH_NODE (node)));
}

static GtkWidget *
ensure_node (PtGraphView *self,
             int          index)
{
  PtGraphItem *item = item_at (self, index);
  PtGpu *gpu;

  if (item->node != NULL)
    return item->node;

  gpu = item->device != NULL && self->gpus != NULL ? g_hash_table_lookup (self->gpus, item->device) : NULL;
  item->node = pt_graph_node_new (index, item->device, item->bus, gpu);
  g_signal_connect (item->node, "tick-toggled", G_CALLBACK (node_tick_toggled_cb), self);
  g_signal_connect (item->node, "notify::has-focus", G_CALLBACK (node_has_focus_cb), self);
  update_node (self, item, index);
  gtk_widget_set_parent (item->node, GTK_WIDGET (self));
  self->n_nodes++;
  return item->node;
}

static void
ensure_node_cb (gpointer data,
                gpointer user_data)
{
  ensure_node (user_data, GPOINTER_TO_INT (data));
}

static void
get_visible_area (PtGraphView     *self,
                  graphene_rect_t *area)
{
  double h = self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
  double v = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;

  graphene_rect_init (area,
                      h / self->zoom,
                      v / self->zoom,
                      gtk_widget_get_width (GTK_WIDGET (self)) / self->zoom,
                      gtk_widget_get_height (GTK_WIDGET (self)) / self->zoom);
}

static void
configure_adjustment (GtkAdjustment *adjustment,
                      double         value,
                      double         content,
                      double         page)
{
  double upper = MAX (content, page);

  gtk_adjustment_configure (adjustment,
                            CLAMP (value, 0, upper - page),
                            0, upper,
                            page * 0.1, page * 0.9, page);
}

static void adjustment_value_changed_cb (GtkAdjustment *adjustment, PtGraphView *self);

static void
prepare_allocation (GtkWidget *widget,
                    int        width,
                    int        height,
                    gpointer   user_data)
{
  PtGraphView *self = PT_GRAPH_VIEW (widget);
  float content_w, content_h;
  double h, v;
  graphene_rect_t area;

  pt_graph_layout_get_size (self->layout, &content_w, &content_h);
  content_w *= self->zoom;
  content_h *= self->zoom;
  h = self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
  v = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;

  /* A new host starts zoomed so that its columns fit the width, within
   * reason: below 0.75 the text is too small to read. */
  if (self->fit_pending && width > 0 && content_w > 0)
    {
      double zoom = CLAMP (width / (content_w / self->zoom), 0.75, 1.0);

      self->fit_pending = FALSE;
      if (!G_APPROX_VALUE (zoom, self->zoom, 1e-6))
        {
          content_w = content_w / self->zoom * zoom;
          content_h = content_h / self->zoom * zoom;
          self->zoom = zoom;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
        }
    }

  if (self->anchor_set)
    {
      h = self->anchor_cx * self->zoom - self->anchor_x;
      v = self->anchor_cy * self->zoom - self->anchor_y;
      self->anchor_set = FALSE;
    }
  if (self->reveal_set && self->reveal >= 0 && (guint) self->reveal < pt_graph_layout_get_n_items (self->layout))
    {
      PtGraphItem *item = item_at (self, self->reveal);
      double x0 = (item->rect.origin.x - PT_GRAPH_MARGIN) * self->zoom;
      double y0 = (item->rect.origin.y - PT_GRAPH_MARGIN) * self->zoom;
      double x1 = (item->rect.origin.x + item->rect.size.width + PT_GRAPH_MARGIN) * self->zoom;
      double y1 = (item->rect.origin.y + item->rect.size.height + PT_GRAPH_MARGIN) * self->zoom;

      /* An item out of sight is centred; one partly in sight gets the
       * smallest scroll that shows it, its left edge first. */
      if (x1 < h || x0 > h + width || y1 < v || y0 > v + height)
        {
          h = (x0 + x1 - width) / 2;
          v = (y0 + y1 - height) / 2;
        }
      if (x1 > h + width)
        h = x1 - width;
      if (x0 < h)
        h = x0;
      if (y1 > v + height)
        v = y1 - height;
      if (y0 < v)
        v = y0;
    }
  self->reveal_set = FALSE;

  if (self->hadjustment != NULL)
    {
      g_signal_handlers_block_by_func (self->hadjustment, adjustment_value_changed_cb, self);
      configure_adjustment (self->hadjustment, h, content_w, width);
      g_signal_handlers_unblock_by_func (self->hadjustment, adjustment_value_changed_cb, self);
      h = gtk_adjustment_get_value (self->hadjustment);
    }
  if (self->vadjustment != NULL)
    {
      g_signal_handlers_block_by_func (self->vadjustment, adjustment_value_changed_cb, self);
      configure_adjustment (self->vadjustment, v, content_h, height);
      g_signal_handlers_unblock_by_func (self->vadjustment, adjustment_value_changed_cb, self);
      v = gtk_adjustment_get_value (self->vadjustment);
    }

  pt_graph_layout_set_viewport (self->layout, self->zoom, h, v);

  /* Nodes a little beyond the edges too, so that a scroll by a few rows
   * does not wait for new widgets. */
  graphene_rect_init (&area, h / self->zoom, v / self->zoom, width / self->zoom, height / self->zoom);
  graphene_rect_inset (&area, -PT_GRAPH_NODE_WIDTH / 2.0, -PT_GRAPH_NODE_HEIGHT * 2.0);
  pt_graph_layout_foreach_in (self->layout, &area, ensure_node_cb, self);
}

static void
adjustment_value_changed_cb (GtkAdjustment *adjustment,
                             PtGraphView   *self)
{
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
set_adjustment (PtGraphView    *self,
                GtkAdjustment **slot,
                GtkAdjustment  *adjustment)
{
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  if (*slot == adjustment)
    return;
  if (*slot != NULL)
    {
      g_signal_handlers_disconnect_by_func (*slot, adjustment_value_changed_cb, self);
      g_object_unref (*slot);
    }
  *slot = g_object_ref_sink (adjustment);
  g_signal_connect (adjustment, "value-changed", G_CALLBACK (adjustment_value_changed_cb), self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

/* ---- drawing ------------------------------------------------------------ */

static void
append_line (GtkSnapshot  *snapshot,
             const GdkRGBA *color,
             float         x0,
             float         y0,
             float         x1,
             float         y1)
{
  const float w = 1.5f;

  /* Connectors are horizontal or vertical: a thin rectangle each. */
  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT (MIN (x0, x1) - w / 2, MIN (y0, y1) - w / 2,
                                                  fabsf (x1 - x0) + w, fabsf (y1 - y0) + w));
}

static void
draw_trunk (PtGraphView *self,
            GtkSnapshot *snapshot,
            PtGraphItem *item)
{
  PtGraphItem *last;
  float x, trunk_x, cy;

  if (item->first_child < 0)
    return;
  last = item_at (self, item->last_child);
  x = item->rect.origin.x + item->rect.size.width;
  trunk_x = x + PT_GRAPH_COLUMN_GAP / 2.0f;
  cy = item->rect.origin.y + item->rect.size.height / 2;
  append_line (snapshot, &self->line_color, x, cy, trunk_x, cy);
  append_line (snapshot, &self->line_color, trunk_x, cy, trunk_x, last->rect.origin.y + last->rect.size.height / 2);
}

typedef struct
{
  PtGraphView *self;
  GtkSnapshot *snapshot;
  int          first;
} DrawData;

static void
draw_item_lines_cb (gpointer data,
                    gpointer user_data)
{
  DrawData *dd = user_data;
  int index = GPOINTER_TO_INT (data);
  PtGraphItem *item = item_at (dd->self, index);

  if (dd->first < 0)
    dd->first = index;
  draw_trunk (dd->self, dd->snapshot, item);
  if (item->parent >= 0)
    {
      float cy = item->rect.origin.y + item->rect.size.height / 2;
      append_line (dd->snapshot, &dd->self->line_color,
                   item->rect.origin.x - PT_GRAPH_COLUMN_GAP / 2.0f, cy,
                   item->rect.origin.x, cy);
    }
}

static void
snapshot_node_cb (gpointer data,
                  gpointer user_data)
{
  DrawData *dd = user_data;
  PtGraphItem *item = item_at (dd->self, GPOINTER_TO_INT (data));

  if (item->node != NULL && gtk_widget_get_visible (item->node))
    gtk_widget_snapshot_child (GTK_WIDGET (dd->self), item->node, dd->snapshot);
}

static void
pt_graph_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  PtGraphView *self = PT_GRAPH_VIEW (widget);
  graphene_rect_t area;
  GArray *groups;
  DrawData dd = { self, snapshot, -1 };
  double h, v;

  if (pt_graph_layout_get_n_items (self->layout) == 0)
    return;

  get_visible_area (self, &area);
  h = self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
  v = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-h, -v));
  gtk_snapshot_scale (snapshot, self->zoom, self->zoom);

  /* IOMMU groups: a tinted rounded box around their functions, the groups
   * the plan takes with a stronger outline. */
  groups = pt_graph_layout_get_groups (self->layout);
  for (guint i = 0; i < groups->len; i++)
    {
      PtGraphGroupShape *shape = &g_array_index (groups, PtGraphGroupShape, i);
      const GdkRGBA *base = &self->palette[shape->id % G_N_ELEMENTS (group_colors)];
      gboolean taken = g_hash_table_contains (self->taken_groups, GINT_TO_POINTER (shape->id + 1));
      GdkRGBA fill = *base, edge = *base;
      GskRoundedRect outline;
      float width = taken ? 3.0f : 1.5f;

      if (!graphene_rect_intersection (&shape->rect, &area, NULL))
        continue;
      fill.alpha = taken ? 0.28f : 0.14f;
      edge.alpha = taken ? 1.0f : 0.7f;
      gsk_rounded_rect_init_from_rect (&outline, &shape->rect, 14);
      gtk_snapshot_push_rounded_clip (snapshot, &outline);
      gtk_snapshot_append_color (snapshot, &fill, &shape->rect);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_append_border (snapshot, &outline,
                                  (float[4]) { width, width, width, width },
                                  (GdkRGBA[4]) { edge, edge, edge, edge });
    }

  /* Connectors: the trunks of what is on screen and of the ancestors of
   * the first item on screen, whose trunks may run through it. */
  pt_graph_layout_foreach_in (self->layout, &area, draw_item_lines_cb, &dd);
  if (dd.first >= 0)
    for (int p = item_at (self, dd.first)->parent; p >= 0; p = item_at (self, p)->parent)
      draw_trunk (self, snapshot, item_at (self, p));

  gtk_snapshot_restore (snapshot);

  pt_graph_layout_foreach_in (self->layout, &area, snapshot_node_cb, &dd);
}

static void
pt_graph_view_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  PtGraphView *self = PT_GRAPH_VIEW (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  GTK_WIDGET_CLASS (pt_graph_view_parent_class)->css_changed (widget, change);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  for (guint i = 0; i < G_N_ELEMENTS (group_colors); i++)
    if (!gtk_style_context_lookup_color (context, group_colors[i], &self->palette[i]))
      gtk_style_context_get_color (context, &self->palette[i]);
  gtk_style_context_get_color (context, &self->line_color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  self->line_color.alpha *= 0.45f;
  gtk_widget_queue_draw (widget);
}

/* ---- selection, focus and keyboard ------------------------------------- */

static void
select_index (PtGraphView *self,
              int          index)
{
  int old = self->selected;

  if (old == index)
    return;
  self->selected = index;
  if (old >= 0 && item_at (self, old)->node != NULL)
    gtk_widget_remove_css_class (item_at (self, old)->node, "selected");
  if (index >= 0 && item_at (self, index)->node != NULL)
    gtk_widget_add_css_class (item_at (self, index)->node, "selected");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_DEVICE]);
}

static void
reveal_index (PtGraphView *self,
              int          index)
{
  self->reveal = index;
  self->reveal_set = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static gboolean
focus_index (PtGraphView *self,
             int          index)
{
  GtkWidget *node;

  if (index < 0 || (guint) index >= pt_graph_layout_get_n_items (self->layout))
    return FALSE;
  node = ensure_node (self, index);
  reveal_index (self, index);
  return gtk_widget_grab_focus (node);
}

static int
neighbour (PtGraphView      *self,
           int               index,
           GtkDirectionType  direction)
{
  PtGraphItem *item = item_at (self, index);
  int n = (int) pt_graph_layout_get_n_items (self->layout);

  switch (direction)
    {
    case GTK_DIR_TAB_FORWARD:
      return index + 1 < n ? index + 1 : -1;
    case GTK_DIR_TAB_BACKWARD:
      return index - 1;
    case GTK_DIR_LEFT:
      return item->parent;
    case GTK_DIR_RIGHT:
      return item->first_child;
    case GTK_DIR_UP:
      /* The nearest item above in the same column, else the previous one. */
      if (item->prev_sibling >= 0)
        return item->prev_sibling;
      return index - 1;
    case GTK_DIR_DOWN:
      if (item->next_sibling >= 0)
        return item->next_sibling;
      for (int p = item->parent; p >= 0; p = item_at (self, p)->parent)
        if (item_at (self, p)->next_sibling >= 0)
          return item_at (self, p)->next_sibling;
      return index + 1 < n ? index + 1 : -1;
    default:
      return -1;
    }
}

static void
first_item_cb (gpointer data,
               gpointer user_data)
{
  DrawData *dd = user_data;

  if (dd->first < 0)
    dd->first = GPOINTER_TO_INT (data);
}

static gboolean
pt_graph_view_focus (GtkWidget        *widget,
                     GtkDirectionType  direction)
{
  PtGraphView *self = PT_GRAPH_VIEW (widget);
  GtkWidget *focus_child = gtk_widget_get_focus_child (widget);
  int n = (int) pt_graph_layout_get_n_items (self->layout);

  if (n == 0)
    return FALSE;

  if (focus_child == NULL || !PT_IS_GRAPH_NODE (focus_child))
    {
      /* Coming in: back to where the user was, else the top. */
      int target = self->selected;

      if (target < 0)
        {
          graphene_rect_t area;
          DrawData dd = { self, NULL, -1 };
          get_visible_area (self, &area);
          pt_graph_layout_foreach_in (self->layout, &area, first_item_cb, &dd);
          target = dd.first >= 0 ? dd.first : 0;
        }
      return focus_index (self, target);
    }

  {
    int index = pt_graph_node_get_index (PT_GRAPH_NODE (focus_child));
    int next = neighbour (self, index, direction);

    if (next < 0)
      {
        /* Arrows stay inside the graph; Tab moves on past it. */
        if (direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_TAB_BACKWARD)
          return FALSE;
        gtk_widget_error_bell (widget);
        return TRUE;
      }
    return focus_index (self, next);
  }
}

/* ---- zoom and pan -------------------------------------------------------- */

static void
set_zoom_at (PtGraphView *self,
             double       zoom,
             double       x,
             double       y)
{
  double h, v;

  /* A zoom asked for wins over the initial fit. */
  self->fit_pending = FALSE;
  zoom = CLAMP (zoom, ZOOM_MIN, ZOOM_MAX);
  if (G_APPROX_VALUE (zoom, self->zoom, 1e-6))
    return;

  h = self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
  v = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
  self->anchor_x = x;
  self->anchor_y = y;
  self->anchor_cx = (h + x) / self->zoom;
  self->anchor_cy = (v + y) / self->zoom;
  self->anchor_set = TRUE;

  self->zoom = zoom;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           PtGraphView              *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if ((state & GDK_CONTROL_MASK) == 0 || dy == 0)
    return FALSE;

  set_zoom_at (self, self->zoom * pow (ZOOM_STEP, -CLAMP (dy, -3, 3)),
               self->pointer_x, self->pointer_y);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           PtGraphView              *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               PtGraphView    *self)
{
  self->drag_h = self->hadjustment != NULL ? gtk_adjustment_get_value (self->hadjustment) : 0;
  self->drag_v = self->vadjustment != NULL ? gtk_adjustment_get_value (self->vadjustment) : 0;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                PtGraphView    *self)
{
  GtkEventSequenceState state = gtk_gesture_get_sequence_state (GTK_GESTURE (gesture),
                                                                gtk_gesture_single_get_current_sequence (GTK_GESTURE_SINGLE (gesture)));

  /* A click on a node is not a pan: wait for a real movement. */
  if (state != GTK_EVENT_SEQUENCE_CLAIMED)
    {
      if (!gtk_drag_check_threshold (GTK_WIDGET (self), 0, 0, (int) dx, (int) dy))
        return;
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
    }
  if (self->hadjustment != NULL)
    gtk_adjustment_set_value (self->hadjustment, self->drag_h - dx);
  if (self->vadjustment != NULL)
    gtk_adjustment_set_value (self->vadjustment, self->drag_v - dy);
}

static void
drag_end_cb (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             PtGraphView    *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

/* ---- plan highlights ----------------------------------------------------- */

static void
selection_changed_cb (PtSelection *selection,
                      PtGraphView *self)
{
  PtPlan *plan = pt_selection_get_plan (selection);
  const char *const *gpus = pt_selection_get_gpus (selection);

  g_hash_table_remove_all (self->taken);
  g_hash_table_remove_all (self->kept);
  g_hash_table_remove_all (self->blockers);
  g_hash_table_remove_all (self->taken_groups);

  if (plan != NULL)
    {
      for (guint i = 0; i < plan->devices->len; i++)
        {
          PtDevice *device = g_ptr_array_index (plan->devices, i);
          g_hash_table_add (self->taken, device);
          if (pt_device_get_iommu_group (device) >= 0)
            g_hash_table_add (self->taken_groups, GINT_TO_POINTER (pt_device_get_iommu_group (device) + 1));
        }
      for (guint i = 0; i < plan->kept->len; i++)
        g_hash_table_add (self->kept, g_ptr_array_index (plan->kept, i));
    }
  for (guint i = 0; self->host != NULL && self->gpus != NULL && gpus[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (self->host, gpus[i]);
      PtGpu *gpu = device != NULL ? g_hash_table_lookup (self->gpus, device) : NULL;

      for (guint j = 0; gpu != NULL && j < gpu->blockers->len; j++)
        g_hash_table_add (self->blockers, g_ptr_array_index (gpu->blockers, j));
    }

  update_all_nodes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---- GObject ------------------------------------------------------------- */

static void
clear_nodes (PtGraphView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->n_nodes = 0;
}

static void
pt_graph_view_dispose (GObject *object)
{
  PtGraphView *self = PT_GRAPH_VIEW (object);

  g_clear_handle_id (&self->precreate_id, g_source_remove);
  clear_nodes (self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->host);
  g_clear_pointer (&self->gpus, g_hash_table_unref);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->hadjustment, adjustment_value_changed_cb, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_func (self->vadjustment, adjustment_value_changed_cb, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);

  G_OBJECT_CLASS (pt_graph_view_parent_class)->dispose (object);
}

static void
pt_graph_view_finalize (GObject *object)
{
  PtGraphView *self = PT_GRAPH_VIEW (object);

  g_clear_pointer (&self->haystacks, g_ptr_array_unref);
  g_clear_pointer (&self->matches, g_array_unref);
  g_clear_pointer (&self->match_set, g_hash_table_unref);
  g_clear_pointer (&self->taken, g_hash_table_unref);
  g_clear_pointer (&self->kept, g_hash_table_unref);
  g_clear_pointer (&self->blockers, g_hash_table_unref);
  g_clear_pointer (&self->taken_groups, g_hash_table_unref);

  G_OBJECT_CLASS (pt_graph_view_parent_class)->finalize (object);
}

static void
pt_graph_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PtGraphView *self = PT_GRAPH_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_SELECTED_DEVICE:
      g_value_set_object (value, pt_graph_view_get_selected_device (self));
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, pt_graph_view_get_complete (self));
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_graph_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PtGraphView *self = PT_GRAPH_VIEW (object);

  switch (prop_id)
    {
    case PROP_ZOOM:
      pt_graph_view_set_zoom (self, g_value_get_double (value));
      break;
    case PROP_SELECTED_DEVICE:
      pt_graph_view_set_selected_device (self, g_value_get_object (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value));
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value));
      break;
    case PROP_HSCROLL_POLICY:
      if (self->hscroll_policy != (guint) g_value_get_enum (value))
        {
          self->hscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_VSCROLL_POLICY:
      if (self->vscroll_policy != (guint) g_value_get_enum (value))
        {
          self->vscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_graph_view_class_init (PtGraphViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_graph_view_dispose;
  object_class->finalize = pt_graph_view_finalize;
  object_class->get_property = pt_graph_view_get_property;
  object_class->set_property = pt_graph_view_set_property;

  widget_class->snapshot = pt_graph_view_snapshot;
  widget_class->css_changed = pt_graph_view_css_changed;
  widget_class->focus = pt_graph_view_focus;

  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL,
                         ZOOM_MIN, ZOOM_MAX, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_DEVICE] =
    g_param_spec_object ("selected-device", NULL, NULL,
                         PT_TYPE_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* TRUE once every node widget exists. */
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  gtk_widget_class_set_layout_manager_type (widget_class, PT_TYPE_GRAPH_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ptgraphview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pt_graph_view_init (PtGraphView *self)
{
  GtkEventController *scroll, *motion;
  GtkGesture *drag;

  self->layout = PT_GRAPH_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self)));
  pt_graph_layout_set_prepare_func (self->layout, prepare_allocation, self);
  self->zoom = 1.0;
  self->selected = -1;
  self->reveal = -1;
  self->matches = g_array_new (FALSE, FALSE, sizeof (int));
  self->match_set = g_hash_table_new (NULL, NULL);
  self->taken = g_hash_table_new (NULL, NULL);
  self->kept = g_hash_table_new (NULL, NULL);
  self->blockers = g_hash_table_new (NULL, NULL);
  self->taken_groups = g_hash_table_new (NULL, NULL);

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("PCI topology and IOMMU groups"), -1);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

/* ---- public -------------------------------------------------------------- */

static char *
dup_haystack (PtDevice *device)
{
  g_autofree char *name = pt_device_dup_display_name (device);
  g_autofree char *ids = pt_device_dup_ids (device);
  g_autofree char *subsys = g_strdup_printf ("%04x:%04x",
                                             pt_device_get_subsystem_vendor (device),
                                             pt_device_get_subsystem_device (device));
  g_autofree char *all = g_strjoin ("\n",
                                    pt_device_get_address (device),
                                    ids, subsys, name,
                                    pt_device_get_device_name (device) ? pt_device_get_device_name (device) : "",
                                    pt_device_get_vendor_name (device) ? pt_device_get_vendor_name (device) : "",
                                    pt_device_get_class_name (device) ? pt_device_get_class_name (device) : "",
                                    pt_device_get_driver (device) ? pt_device_get_driver (device) : "",
                                    NULL);
  return g_utf8_casefold (all, -1);
}

/* Nodes out of sight are made in idle time, a few milliseconds at a time,
 * so that scrolling later does not have to make them in its frames. */
static gboolean
precreate_cb (gpointer user_data)
{
  PtGraphView *self = user_data;
  guint n = pt_graph_layout_get_n_items (self->layout);
  gint64 deadline = g_get_monotonic_time () + 3000;

  while (self->precreate_next < n && g_get_monotonic_time () < deadline)
    ensure_node (self, self->precreate_next++);
  if (self->precreate_next < n)
    return G_SOURCE_CONTINUE;

  self->precreate_id = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
  return G_SOURCE_REMOVE;
}

void
pt_graph_view_set_host (PtGraphView *self,
                        PtHost      *host,
                        GHashTable  *gpus)
{
  g_return_if_fail (PT_IS_GRAPH_VIEW (self));
  g_return_if_fail (host == NULL || PT_IS_HOST (host));

  clear_nodes (self);
  g_set_object (&self->host, host);
  g_clear_pointer (&self->gpus, g_hash_table_unref);
  if (gpus != NULL)
    self->gpus = g_hash_table_ref (gpus);
  g_clear_pointer (&self->haystacks, g_ptr_array_unref);
  g_array_set_size (self->matches, 0);
  g_hash_table_remove_all (self->match_set);
  self->searching = FALSE;
  self->selected = -1;
  self->match_cursor = -1;

  pt_graph_layout_set_host (self->layout, host);
  self->fit_pending = host != NULL;
  self->precreate_next = 0;
  g_clear_handle_id (&self->precreate_id, g_source_remove);
  if (host != NULL)
    self->precreate_id = g_idle_add_full (G_PRIORITY_LOW, precreate_cb, self, NULL);
  if (self->selection != NULL)
    selection_changed_cb (self->selection, self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_DEVICE]);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
pt_graph_view_set_selection (PtGraphView *self,
                             PtSelection *selection)
{
  g_return_if_fail (PT_IS_GRAPH_VIEW (self));

  if (self->selection == selection)
    return;
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
  g_set_object (&self->selection, selection);
  if (selection != NULL)
    {
      g_signal_connect (selection, "changed", G_CALLBACK (selection_changed_cb), self);
      selection_changed_cb (selection, self);
    }
}

PtDevice *
pt_graph_view_get_selected_device (PtGraphView *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_VIEW (self), NULL);

  if (self->selected < 0 || (guint) self->selected >= pt_graph_layout_get_n_items (self->layout))
    return NULL;
  return item_at (self, self->selected)->device;
}

void
pt_graph_view_set_selected_device (PtGraphView *self,
                                   PtDevice    *device)
{
  int index;

  g_return_if_fail (PT_IS_GRAPH_VIEW (self));

  index = device != NULL ? pt_graph_layout_find_device (self->layout, device) : -1;
  if (index == self->selected)
    return;
  select_index (self, index);
  if (index >= 0)
    {
      ensure_node (self, index);
      reveal_index (self, index);
    }
}

void
pt_graph_view_focus_selected (PtGraphView *self)
{
  g_return_if_fail (PT_IS_GRAPH_VIEW (self));

  if (self->selected >= 0)
    focus_index (self, self->selected);
  else
    pt_graph_view_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
}

double
pt_graph_view_get_zoom (PtGraphView *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_VIEW (self), 1.0);

  return self->zoom;
}

void
pt_graph_view_set_zoom (PtGraphView *self,
                        double       zoom)
{
  g_return_if_fail (PT_IS_GRAPH_VIEW (self));

  /* Keyboard and button zooms keep the centre in place. */
  set_zoom_at (self, zoom,
               gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
               gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
pt_graph_view_zoom_in (PtGraphView *self)
{
  pt_graph_view_set_zoom (self, self->zoom * ZOOM_STEP);
}

void
pt_graph_view_zoom_out (PtGraphView *self)
{
  pt_graph_view_set_zoom (self, self->zoom / ZOOM_STEP);
}

/* Fits the whole graph, but never enlarges it and never goes below the
 * smallest zoom: a server's graph is scrolled, not shrunk to dust. */
void
pt_graph_view_zoom_fit (PtGraphView *self)
{
  float w, h;
  double zoom;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));

  g_return_if_fail (PT_IS_GRAPH_VIEW (self));

  pt_graph_layout_get_size (self->layout, &w, &h);
  if (w <= 0 || h <= 0 || width <= 0 || height <= 0)
    return;
  zoom = CLAMP (MIN (width / w, height / h), ZOOM_MIN, 1.0);
  set_zoom_at (self, zoom, 0, 0);
  self->anchor_set = TRUE;
  self->anchor_x = self->anchor_y = 0;
  self->anchor_cx = self->anchor_cy = 0;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
pt_graph_view_set_search (PtGraphView *self,
                          const char  *text)
{
  g_autofree char *needle = NULL;
  guint n;

  g_return_val_if_fail (PT_IS_GRAPH_VIEW (self), 0);

  g_array_set_size (self->matches, 0);
  g_hash_table_remove_all (self->match_set);
  self->match_cursor = -1;
  n = pt_graph_layout_get_n_items (self->layout);

  if (text != NULL && *text != '\0')
    {
      needle = g_utf8_casefold (text, -1);
      g_strstrip (needle);
    }
  self->searching = needle != NULL && *needle != '\0';
  if (self->searching)
    {
      if (self->haystacks == NULL)
        {
          self->haystacks = g_ptr_array_new_full (n, g_free);
          for (guint i = 0; i < n; i++)
            {
              PtDevice *device = item_at (self, i)->device;
              g_ptr_array_add (self->haystacks, device != NULL ? dup_haystack (device) : NULL);
            }
        }
      for (guint i = 0; i < n; i++)
        {
          const char *hay = g_ptr_array_index (self->haystacks, i);
          if (hay != NULL && strstr (hay, needle) != NULL)
            {
              int index = (int) i;
              g_array_append_val (self->matches, index);
              g_hash_table_add (self->match_set, GINT_TO_POINTER (index + 1));
            }
        }
    }

  update_all_nodes (self);
  if (self->matches->len > 0)
    pt_graph_view_next_match (self, FALSE);
  return self->matches->len;
}

void
pt_graph_view_next_match (PtGraphView *self,
                          gboolean     backward)
{
  int index;

  g_return_if_fail (PT_IS_GRAPH_VIEW (self));

  if (self->matches->len == 0)
    return;
  if (self->match_cursor < 0)
    self->match_cursor = 0;
  else if (backward)
    self->match_cursor = (self->match_cursor + self->matches->len - 1) % self->matches->len;
  else
    self->match_cursor = (self->match_cursor + 1) % self->matches->len;

  index = g_array_index (self->matches, int, self->match_cursor);
  select_index (self, index);
  ensure_node (self, index);
  reveal_index (self, index);
}

guint
pt_graph_view_get_n_nodes (PtGraphView *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_VIEW (self), 0);

  return self->n_nodes;
}

gboolean
pt_graph_view_get_complete (PtGraphView *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_VIEW (self), FALSE);

  return self->host != NULL && self->precreate_id == 0;
}
