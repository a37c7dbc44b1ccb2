/* pt-graph-layout.c: the tree placement of the PCI topology and the layout
 * manager that puts the graph's node widgets on it.
 *
 * Each function hangs under its upstream bridge (pt_device_get_parent());
 * functions on a root bus hang under a synthetic item for that bus. Columns
 * are depths. A leaf takes the next row and a parent sits on the row of its
 * first child, so rows never decrease in depth-first order: finding what is
 * on screen is a binary search, and placing the whole host is O(n). */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-graph-layout.h"
#include "pt-graph-node.h"

struct _PtGraphLayout
{
  GtkLayoutManager  parent_instance;

  GArray           *items;      /* PtGraphItem */
  GArray           *groups;     /* PtGraphGroupShape */
  GHashTable       *index;      /* PtDevice * → item index + 1 */
  float             width;
  float             height;

  PtGraphLayoutPrepareFunc prepare;
  gpointer          prepare_data;

  double            zoom;
  double            x_offset;
  double            y_offset;
};

G_DEFINE_FINAL_TYPE (PtGraphLayout, pt_graph_layout, GTK_TYPE_LAYOUT_MANAGER)

static void
item_clear (gpointer data)
{
  PtGraphItem *item = data;

  g_clear_pointer (&item->bus, g_free);
}

static void
pt_graph_layout_measure (GtkLayoutManager *manager,
                         GtkWidget        *widget,
                         GtkOrientation    orientation,
                         int               for_size,
                         int              *minimum,
                         int              *natural,
                         int              *minimum_baseline,
                         int              *natural_baseline)
{
  PtGraphLayout *self = PT_GRAPH_LAYOUT (manager);
  float size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->width : self->height;

  /* The view scrolls: it needs no minimum, and asks for the whole graph. */
  *minimum = 0;
  *natural = (int) ceil (size * self->zoom);
}

static void
pt_graph_layout_allocate (GtkLayoutManager *manager,
                          GtkWidget        *widget,
                          int               width,
                          int               height,
                          int               baseline)
{
  PtGraphLayout *self = PT_GRAPH_LAYOUT (manager);

  if (self->prepare != NULL)
    self->prepare (widget, width, height, self->prepare_data);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      PtGraphItem *item;
      GskTransform *transform;
      int index, min_w, min_h;

      if (!PT_IS_GRAPH_NODE (child) || !gtk_widget_should_layout (child))
        continue;
      index = pt_graph_node_get_index (PT_GRAPH_NODE (child));
      if (index < 0 || (guint) index >= self->items->len)
        continue;
      item = &g_array_index (self->items, PtGraphItem, index);

      /* Nodes are allocated at their logical size and scaled, so zooming
       * changes no text layout and costs one transform per node. */
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL, NULL);
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, -1, &min_h, NULL, NULL, NULL);
      transform = gsk_transform_translate (NULL,
                                           &GRAPHENE_POINT_INIT (item->rect.origin.x * self->zoom - self->x_offset,
                                                                 item->rect.origin.y * self->zoom - self->y_offset));
      transform = gsk_transform_scale (transform, self->zoom, self->zoom);
      gtk_widget_allocate (child,
                           MAX (min_w, (int) item->rect.size.width),
                           MAX (min_h, (int) item->rect.size.height),
                           -1, transform);
    }
}

static GtkSizeRequestMode
pt_graph_layout_get_request_mode (GtkLayoutManager *manager,
                                  GtkWidget        *widget)
{
  return GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
pt_graph_layout_finalize (GObject *object)
{
  PtGraphLayout *self = PT_GRAPH_LAYOUT (object);

  g_clear_pointer (&self->items, g_array_unref);
  g_clear_pointer (&self->groups, g_array_unref);
  g_clear_pointer (&self->index, g_hash_table_unref);

  G_OBJECT_CLASS (pt_graph_layout_parent_class)->finalize (object);
}

static void
pt_graph_layout_class_init (PtGraphLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkLayoutManagerClass *manager_class = GTK_LAYOUT_MANAGER_CLASS (klass);

  object_class->finalize = pt_graph_layout_finalize;
  manager_class->measure = pt_graph_layout_measure;
  manager_class->allocate = pt_graph_layout_allocate;
  manager_class->get_request_mode = pt_graph_layout_get_request_mode;
}

static void
pt_graph_layout_init (PtGraphLayout *self)
{
  self->items = g_array_new (FALSE, TRUE, sizeof (PtGraphItem));
  g_array_set_clear_func (self->items, item_clear);
  self->groups = g_array_new (FALSE, TRUE, sizeof (PtGraphGroupShape));
  self->index = g_hash_table_new (NULL, NULL);
  self->zoom = 1.0;
}

GtkLayoutManager *
pt_graph_layout_new (void)
{
  return g_object_new (PT_TYPE_GRAPH_LAYOUT, NULL);
}

static int
add_item (GArray    *items,
          PtDevice  *device,
          char      *bus,
          int        parent)
{
  PtGraphItem item = { 0, };

  item.device = device;
  item.bus = bus;
  item.parent = parent;
  item.first_child = item.last_child = -1;
  item.next_sibling = item.prev_sibling = -1;
  item.group = device != NULL ? pt_device_get_iommu_group (device) : -1;
  g_array_append_val (items, item);
  return (int) items->len - 1;
}

static void
link_child (GArray *items,
            int     parent,
            int     child)
{
  PtGraphItem *p = &g_array_index (items, PtGraphItem, parent);
  PtGraphItem *c = &g_array_index (items, PtGraphItem, child);

  c->parent = parent;
  if (p->last_child < 0)
    p->first_child = child;
  else
    {
      g_array_index (items, PtGraphItem, p->last_child).next_sibling = child;
      c->prev_sibling = p->last_child;
    }
  p->last_child = child;
}

/* Appends @index's subtree from @tree (built in any order) to @out in
 * depth-first order, assigning rows; returns the subtree's first row. */
static int
place (GArray *tree,
       GArray *out,
       int     index,
       int     out_parent,
       int     depth,
       int    *next_row,
       int    *remap)
{
  PtGraphItem *src = &g_array_index (tree, PtGraphItem, index);
  int me, row;

  me = add_item (out, src->device, g_steal_pointer (&src->bus), -1);
  remap[index] = me;
  if (out_parent >= 0)
    link_child (out, out_parent, me);
  g_array_index (out, PtGraphItem, me).depth = depth;

  if (src->first_child < 0)
    row = (*next_row)++;
  else
    {
      row = -1;
      for (int c = src->first_child; c >= 0; c = g_array_index (tree, PtGraphItem, c).next_sibling)
        {
          int r = place (tree, out, c, me, depth + 1, next_row, remap);
          if (row < 0)
            row = r;
        }
    }

  {
    PtGraphItem *item = &g_array_index (out, PtGraphItem, me);
    graphene_rect_init (&item->rect,
                        PT_GRAPH_MARGIN + depth * (PT_GRAPH_NODE_WIDTH + PT_GRAPH_COLUMN_GAP),
                        PT_GRAPH_MARGIN + row * (PT_GRAPH_NODE_HEIGHT + PT_GRAPH_ROW_GAP),
                        PT_GRAPH_NODE_WIDTH,
                        PT_GRAPH_NODE_HEIGHT);
  }
  return row;
}

static int
compare_group_area (gconstpointer a,
                    gconstpointer b)
{
  const PtGraphGroupShape *ga = a;
  const PtGraphGroupShape *gb = b;
  float aa = ga->rect.size.width * ga->rect.size.height;
  float ab = gb->rect.size.width * gb->rect.size.height;

  return aa < ab ? 1 : aa > ab ? -1 : ga->id - gb->id;
}

void
pt_graph_layout_set_host (PtGraphLayout *self,
                          PtHost        *host)
{
  g_autoptr(GArray) tree = NULL;
  g_autoptr(GHashTable) buses = NULL;
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GArray) roots = NULL;
  g_autofree int *remap = NULL;
  GPtrArray *devices;
  int next_row = 0;
  float max_x = 0, max_y = 0;

  g_return_if_fail (PT_IS_GRAPH_LAYOUT (self));

  g_array_set_size (self->items, 0);
  g_array_set_size (self->groups, 0);
  g_hash_table_remove_all (self->index);
  self->width = self->height = 0;

  if (host == NULL)
    {
      gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
      return;
    }

  /* First an unordered tree: one item per device plus one per root bus,
   * children linked in address order (the host lists devices so). */
  devices = pt_host_get_devices (host);
  tree = g_array_sized_new (FALSE, TRUE, sizeof (PtGraphItem), devices->len + 8);
  g_array_set_clear_func (tree, item_clear);
  buses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  roots = g_array_new (FALSE, FALSE, sizeof (int));
  g_hash_table_remove_all (self->index);

  for (guint i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      int index = add_item (tree, device, NULL, -1);
      g_hash_table_insert (self->index, device, GINT_TO_POINTER (index + 1));
    }
  for (guint i = 0; i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      PtDevice *parent = pt_device_get_parent (device);
      int parent_index = parent != NULL ? GPOINTER_TO_INT (g_hash_table_lookup (self->index, parent)) - 1 : -1;

      if (parent_index < 0)
        {
          const PtAddress *addr = pt_device_get_pci_address (device);
          g_autofree char *bus = g_strdup_printf ("%04x:%02x", addr->domain, addr->bus);
          gpointer found;

          if (!g_hash_table_lookup_extended (buses, bus, NULL, &found))
            {
              int b = add_item (tree, NULL, g_strdup (bus), -1);
              found = GINT_TO_POINTER (b);
              g_hash_table_insert (buses, g_steal_pointer (&bus), found);
              g_array_append_val (roots, b);
            }
          parent_index = GPOINTER_TO_INT (found);
        }
      link_child (tree, parent_index, (int) i);
    }

  /* Then depth-first into self->items, which fixes rows and indices. */
  remap = g_new0 (int, tree->len);
  for (guint r = 0; r < roots->len; r++)
    place (tree, self->items, g_array_index (roots, int, r), -1, 0, &next_row, remap);

  g_hash_table_remove_all (self->index);
  groups = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->items->len; i++)
    {
      PtGraphItem *item = &g_array_index (self->items, PtGraphItem, i);
      graphene_rect_t padded;

      max_x = MAX (max_x, item->rect.origin.x + item->rect.size.width);
      max_y = MAX (max_y, item->rect.origin.y + item->rect.size.height);
      if (item->device == NULL)
        continue;
      g_hash_table_insert (self->index, item->device, GINT_TO_POINTER (i + 1));
      if (item->group < 0)
        continue;

      graphene_rect_inset_r (&item->rect, -PT_GRAPH_GROUP_PAD, -PT_GRAPH_GROUP_PAD, &padded);
      {
        gpointer slot = g_hash_table_lookup (groups, GINT_TO_POINTER (item->group + 1));
        if (slot == NULL)
          {
            PtGraphGroupShape shape = { item->group, padded };
            g_array_append_val (self->groups, shape);
            g_hash_table_insert (groups, GINT_TO_POINTER (item->group + 1), GINT_TO_POINTER (self->groups->len));
          }
        else
          {
            PtGraphGroupShape *shape = &g_array_index (self->groups, PtGraphGroupShape, GPOINTER_TO_INT (slot) - 1);
            graphene_rect_union (&shape->rect, &padded, &shape->rect);
          }
      }
    }
  g_array_sort (self->groups, compare_group_area);

  self->width = max_x + PT_GRAPH_MARGIN;
  self->height = max_y + PT_GRAPH_MARGIN;
  gtk_layout_manager_layout_changed (GTK_LAYOUT_MANAGER (self));
}

guint
pt_graph_layout_get_n_items (PtGraphLayout *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_LAYOUT (self), 0);

  return self->items->len;
}

PtGraphItem *
pt_graph_layout_get_item (PtGraphLayout *self,
                          guint          index)
{
  g_return_val_if_fail (PT_IS_GRAPH_LAYOUT (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);

  return &g_array_index (self->items, PtGraphItem, index);
}

int
pt_graph_layout_find_device (PtGraphLayout *self,
                             PtDevice      *device)
{
  g_return_val_if_fail (PT_IS_GRAPH_LAYOUT (self), -1);

  return GPOINTER_TO_INT (g_hash_table_lookup (self->index, device)) - 1;
}

GArray *
pt_graph_layout_get_groups (PtGraphLayout *self)
{
  g_return_val_if_fail (PT_IS_GRAPH_LAYOUT (self), NULL);

  return self->groups;
}

void
pt_graph_layout_get_size (PtGraphLayout *self,
                          float         *width,
                          float         *height)
{
  g_return_if_fail (PT_IS_GRAPH_LAYOUT (self));

  *width = self->width;
  *height = self->height;
}

void
pt_graph_layout_foreach_in (PtGraphLayout         *self,
                            const graphene_rect_t *area,
                            GFunc                  func,
                            gpointer               user_data)
{
  guint lo = 0, hi = self->items->len;
  float top = area->origin.y;
  float bottom = area->origin.y + area->size.height;

  /* First item whose bottom edge is below the top of @area. */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      PtGraphItem *item = &g_array_index (self->items, PtGraphItem, mid);

      if (item->rect.origin.y + item->rect.size.height < top)
        lo = mid + 1;
      else
        hi = mid;
    }

  for (guint i = lo; i < self->items->len; i++)
    {
      PtGraphItem *item = &g_array_index (self->items, PtGraphItem, i);

      if (item->rect.origin.y > bottom)
        break;
      if (item->rect.origin.x > area->origin.x + area->size.width ||
          item->rect.origin.x + item->rect.size.width < area->origin.x)
        continue;
      func (GUINT_TO_POINTER (i), user_data);
    }
}

void
pt_graph_layout_set_prepare_func (PtGraphLayout            *self,
                                  PtGraphLayoutPrepareFunc  func,
                                  gpointer                  user_data)
{
  g_return_if_fail (PT_IS_GRAPH_LAYOUT (self));

  self->prepare = func;
  self->prepare_data = user_data;
}

void
pt_graph_layout_set_viewport (PtGraphLayout *self,
                              double         zoom,
                              double         x_offset,
                              double         y_offset)
{
  g_return_if_fail (PT_IS_GRAPH_LAYOUT (self));

  self->zoom = zoom;
  self->x_offset = x_offset;
  self->y_offset = y_offset;
}
