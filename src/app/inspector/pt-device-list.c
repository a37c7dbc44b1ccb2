/* pt-device-list.c: the inspector's list view: one row per function, in
 * address order, filtered by the search. GtkColumnView only makes rows for
 * what is on screen, which is what a 700-function server needs. The tick
 * column ticks GPUs through the shared PtSelection. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pt-device-list.h"
#include "pt-graph-node.h"

struct _PtDeviceList
{
  AdwBin              parent_instance;

  GtkColumnView      *column_view;

  GListStore         *store;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkCustomFilter    *filter;
  GtkSingleSelection *model;
  PtHost             *host;
  GHashTable         *gpus;        /* PtDevice * → PtGpu * */
  PtSelection        *selection;
  GHashTable         *haystacks;   /* PtDevice * → casefolded text */
  char               *needle;
  GHashTable         *bound_ticks; /* GtkCheckButton * → GtkListItem * */
  gboolean            populated;
  PtDevice           *pending;     /* to select once populated */
};

G_DEFINE_FINAL_TYPE (PtDeviceList, pt_device_list, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SELECTED_DEVICE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
setup_label_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                PtDeviceList             *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
set_label (GtkListItem *item,
           const char  *text)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text != NULL ? text : "");
}

static void
bind_address_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 PtDeviceList             *self)
{
  set_label (item, pt_device_get_address (gtk_list_item_get_item (item)));
}

static void
bind_name_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              PtDeviceList             *self)
{
  g_autofree char *name = pt_device_dup_display_name (gtk_list_item_get_item (item));

  set_label (item, name);
}

static void
bind_class_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               PtDeviceList             *self)
{
  set_label (item, pt_device_get_class_name (gtk_list_item_get_item (item)));
}

static void
bind_ids_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             PtDeviceList             *self)
{
  g_autofree char *ids = pt_device_dup_ids (gtk_list_item_get_item (item));

  set_label (item, ids);
}

static void
bind_driver_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                PtDeviceList             *self)
{
  set_label (item, pt_device_get_driver (gtk_list_item_get_item (item)));
}

static void
bind_group_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               PtDeviceList             *self)
{
  int group = pt_device_get_iommu_group (gtk_list_item_get_item (item));
  g_autofree char *text = group >= 0 ? g_strdup_printf ("%d", group) : g_strdup (C_("IOMMU group", "None"));

  set_label (item, text);
}

static void
bind_verdict_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 PtDeviceList             *self)
{
  PtDevice *device = gtk_list_item_get_item (item);
  PtGpu *gpu = self->gpus != NULL ? g_hash_table_lookup (self->gpus, device) : NULL;
  g_autofree char *text = NULL;

  if (gpu != NULL && pt_device_get_boot_vga (device) == PT_TRISTATE_YES)
    /* Translators: a GPU's verdict and "boot display", e.g. "Clean, boot display". */
    text = g_strdup_printf (_("%s, boot display"), pt_graph_isolation_label (gpu->isolation));
  else if (gpu != NULL)
    text = g_strdup (pt_graph_isolation_label (gpu->isolation));
  set_label (item, text);
}

static void
tick_toggled_cb (GtkCheckButton *check,
                 PtDeviceList   *self)
{
  GtkListItem *item = g_hash_table_lookup (self->bound_ticks, check);
  PtDevice *device = item != NULL ? gtk_list_item_get_item (item) : NULL;

  if (device != NULL && self->selection != NULL)
    pt_selection_set_gpu (self->selection, pt_device_get_address (device),
                          gtk_check_button_get_active (check));
}

static void
setup_tick_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               PtDeviceList             *self)
{
  GtkWidget *check = gtk_check_button_new ();

  gtk_widget_set_halign (check, GTK_ALIGN_CENTER);
  g_signal_connect (check, "toggled", G_CALLBACK (tick_toggled_cb), self);
  gtk_list_item_set_child (item, check);
}

static void
update_tick (PtDeviceList   *self,
             GtkCheckButton *check,
             PtDevice       *device)
{
  gboolean gpu = self->gpus != NULL && g_hash_table_contains (self->gpus, device);
  gboolean active = gpu && self->selection != NULL &&
                    pt_selection_has_gpu (self->selection, pt_device_get_address (device));

  gtk_widget_set_visible (GTK_WIDGET (check), gpu);
  g_signal_handlers_block_by_func (check, tick_toggled_cb, self);
  gtk_check_button_set_active (check, active);
  g_signal_handlers_unblock_by_func (check, tick_toggled_cb, self);
}

static void
bind_tick_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              PtDeviceList             *self)
{
  GtkWidget *check = gtk_list_item_get_child (item);
  PtDevice *device = gtk_list_item_get_item (item);
  g_autofree char *name = pt_device_dup_display_name (device);
  /* Translators: accessible name of a tick box in the device list. */
  g_autofree char *label = g_strdup_printf (_("Pass through %s"), name);

  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_hash_table_insert (self->bound_ticks, check, item);
  update_tick (self, GTK_CHECK_BUTTON (check), device);
}

static void
unbind_tick_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                PtDeviceList             *self)
{
  g_hash_table_remove (self->bound_ticks, gtk_list_item_get_child (item));
}

static void
selection_changed_cb (PtSelection  *selection,
                      PtDeviceList *self)
{
  GHashTableIter iter;
  gpointer check, item;

  g_hash_table_iter_init (&iter, self->bound_ticks);
  while (g_hash_table_iter_next (&iter, &check, &item))
    update_tick (self, check, gtk_list_item_get_item (item));
}

static char *
dup_haystack (PtDevice *device)
{
  g_autofree char *name = pt_device_dup_display_name (device);
  g_autofree char *ids = pt_device_dup_ids (device);
  g_autofree char *all = g_strjoin ("\n",
                                    pt_device_get_address (device), ids, name,
                                    pt_device_get_vendor_name (device) ? pt_device_get_vendor_name (device) : "",
                                    pt_device_get_class_name (device) ? pt_device_get_class_name (device) : "",
                                    pt_device_get_driver (device) ? pt_device_get_driver (device) : "",
                                    NULL);
  return g_utf8_casefold (all, -1);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  PtDeviceList *self = user_data;
  const char *hay;

  if (self->needle == NULL)
    return TRUE;
  hay = g_hash_table_lookup (self->haystacks, item);
  if (hay == NULL)
    {
      char *text = dup_haystack (item);
      g_hash_table_insert (self->haystacks, item, text);
      hay = text;
    }
  return strstr (hay, self->needle) != NULL;
}

/* Enter (or a double click) on a GPU's row ticks or unticks it, so the
 * keyboard needs no way into the tick cell. */
static void
row_activated_cb (GtkColumnView *view,
                  guint          position,
                  PtDeviceList  *self)
{
  g_autoptr(PtDevice) device = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  const char *address;

  if (device == NULL || self->selection == NULL || self->gpus == NULL ||
      !g_hash_table_contains (self->gpus, device))
    return;
  address = pt_device_get_address (device);
  pt_selection_set_gpu (self->selection, address, !pt_selection_has_gpu (self->selection, address));
}

static void
selected_item_cb (GtkSingleSelection *model,
                  GParamSpec         *pspec,
                  PtDeviceList       *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_DEVICE]);
}

/* The rows are filled in when the list is first shown: a column view
 * given 700 items reacts at once even when hidden, and most people stay
 * with the graph. */
static void
populate (PtDeviceList *self)
{
  GPtrArray *devices = self->host != NULL ? pt_host_get_devices (self->host) : NULL;
  PtDevice *pending = g_steal_pointer (&self->pending);

  self->populated = TRUE;
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       devices != NULL ? devices->pdata : NULL,
                       devices != NULL ? devices->len : 0);
  if (pending != NULL)
    pt_device_list_set_selected_device (self, pending);
}

static void
pt_device_list_map (GtkWidget *widget)
{
  PtDeviceList *self = PT_DEVICE_LIST (widget);

  if (!self->populated)
    populate (self);
  GTK_WIDGET_CLASS (pt_device_list_parent_class)->map (widget);
}

/* ---- sorting by column ---------------------------------------------------- */

static int
compare_address (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0 (pt_device_get_address ((PtDevice *) a), pt_device_get_address ((PtDevice *) b));
}

static int
compare_name (gconstpointer a, gconstpointer b, gpointer user_data)
{
  g_autofree char *na = pt_device_dup_display_name ((PtDevice *) a);
  g_autofree char *nb = pt_device_dup_display_name ((PtDevice *) b);
  int r = g_utf8_collate (na, nb);

  return r != 0 ? r : compare_address (a, b, NULL);
}

static int
compare_class (gconstpointer a, gconstpointer b, gpointer user_data)
{
  guint32 ca = pt_device_get_class ((PtDevice *) a), cb = pt_device_get_class ((PtDevice *) b);

  return ca != cb ? (ca < cb ? -1 : 1) : compare_address (a, b, NULL);
}

static int
compare_ids (gconstpointer a, gconstpointer b, gpointer user_data)
{
  guint32 ia = ((guint32) pt_device_get_vendor_id ((PtDevice *) a) << 16) | pt_device_get_device_id ((PtDevice *) a);
  guint32 ib = ((guint32) pt_device_get_vendor_id ((PtDevice *) b) << 16) | pt_device_get_device_id ((PtDevice *) b);

  return ia != ib ? (ia < ib ? -1 : 1) : compare_address (a, b, NULL);
}

static int
compare_driver (gconstpointer a, gconstpointer b, gpointer user_data)
{
  int r = g_strcmp0 (pt_device_get_driver ((PtDevice *) a), pt_device_get_driver ((PtDevice *) b));

  return r != 0 ? r : compare_address (a, b, NULL);
}

static int
compare_group (gconstpointer a, gconstpointer b, gpointer user_data)
{
  int ga = pt_device_get_iommu_group ((PtDevice *) a), gb = pt_device_get_iommu_group ((PtDevice *) b);

  return ga != gb ? (ga < gb ? -1 : 1) : compare_address (a, b, NULL);
}

/* GPUs first, clean before shared before unknown, then the rest. */
static int
compare_verdict (gconstpointer a, gconstpointer b, gpointer user_data)
{
  PtDeviceList *self = user_data;
  PtGpu *ga = self->gpus != NULL ? g_hash_table_lookup (self->gpus, a) : NULL;
  PtGpu *gb = self->gpus != NULL ? g_hash_table_lookup (self->gpus, b) : NULL;
  int ra = ga != NULL ? (int) ga->isolation : 99;
  int rb = gb != NULL ? (int) gb->isolation : 99;

  return ra != rb ? (ra < rb ? -1 : 1) : compare_address (a, b, NULL);
}

static void
set_column_sorters (PtDeviceList *self)
{
  static const GCompareDataFunc funcs[] = {
    NULL, compare_address, compare_name, compare_class, compare_ids,
    compare_driver, compare_group, compare_verdict,
  };
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  for (guint i = 0; i < g_list_model_get_n_items (columns) && i < G_N_ELEMENTS (funcs); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (funcs[i] != NULL)
        {
          g_autoptr(GtkSorter) sorter = GTK_SORTER (gtk_custom_sorter_new (funcs[i], self, NULL));
          gtk_column_view_column_set_sorter (column, sorter);
        }
    }
}

static void
pt_device_list_dispose (GObject *object)
{
  PtDeviceList *self = PT_DEVICE_LIST (object);

  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
  g_clear_object (&self->selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_DEVICE_LIST);
  g_clear_object (&self->model);
  g_clear_object (&self->host);
  g_clear_pointer (&self->gpus, g_hash_table_unref);

  G_OBJECT_CLASS (pt_device_list_parent_class)->dispose (object);
}

static void
pt_device_list_finalize (GObject *object)
{
  PtDeviceList *self = PT_DEVICE_LIST (object);

  g_clear_pointer (&self->haystacks, g_hash_table_unref);
  g_clear_pointer (&self->bound_ticks, g_hash_table_unref);
  g_clear_pointer (&self->needle, g_free);

  G_OBJECT_CLASS (pt_device_list_parent_class)->finalize (object);
}

static void
pt_device_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PtDeviceList *self = PT_DEVICE_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED_DEVICE:
      g_value_set_object (value, pt_device_list_get_selected_device (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_device_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PtDeviceList *self = PT_DEVICE_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED_DEVICE:
      pt_device_list_set_selected_device (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_device_list_class_init (PtDeviceListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_device_list_dispose;
  object_class->finalize = pt_device_list_finalize;
  object_class->get_property = pt_device_list_get_property;
  object_class->set_property = pt_device_list_set_property;
  widget_class->map = pt_device_list_map;

  properties[PROP_SELECTED_DEVICE] =
    g_param_spec_object ("selected-device", NULL, NULL,
                         PT_TYPE_DEVICE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/passthrough/Passthrough/inspector/pt-device-list.ui");
  gtk_widget_class_bind_template_child (widget_class, PtDeviceList, column_view);
  gtk_widget_class_bind_template_callback (widget_class, setup_label_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_tick_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_tick_cb);
  gtk_widget_class_bind_template_callback (widget_class, unbind_tick_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_address_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_name_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_class_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_ids_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_driver_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_group_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_verdict_cb);
}

static void
pt_device_list_init (PtDeviceList *self)
{
  self->haystacks = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->bound_ticks = g_hash_table_new (NULL, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->store = g_list_store_new (PT_TYPE_DEVICE);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->store), GTK_FILTER (self->filter));
  /* Address order until a column header is clicked. */
  set_column_sorters (self);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->model = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->model, FALSE);
  gtk_single_selection_set_can_unselect (self->model, TRUE);
  g_signal_connect (self->model, "notify::selected-item", G_CALLBACK (selected_item_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->model));
  g_signal_connect (self->column_view, "activate", G_CALLBACK (row_activated_cb), self);
}

void
pt_device_list_set_host (PtDeviceList *self,
                         PtHost       *host,
                         GHashTable   *gpus)
{
  g_return_if_fail (PT_IS_DEVICE_LIST (self));

  g_set_object (&self->host, host);
  g_clear_pointer (&self->gpus, g_hash_table_unref);
  if (gpus != NULL)
    self->gpus = g_hash_table_ref (gpus);
  g_hash_table_remove_all (self->haystacks);
  self->pending = NULL;

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    populate (self);
  else
    {
      self->populated = FALSE;
      g_list_store_remove_all (self->store);
    }
}

void
pt_device_list_set_selection (PtDeviceList *self,
                              PtSelection  *selection)
{
  g_return_if_fail (PT_IS_DEVICE_LIST (self));

  if (self->selection == selection)
    return;
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
  g_set_object (&self->selection, selection);
  if (selection != NULL)
    g_signal_connect (selection, "changed", G_CALLBACK (selection_changed_cb), self);
}

guint
pt_device_list_set_search (PtDeviceList *self,
                           const char   *text)
{
  g_autofree char *needle = NULL;

  g_return_val_if_fail (PT_IS_DEVICE_LIST (self), 0);

  if (text != NULL)
    {
      needle = g_utf8_casefold (text, -1);
      g_strstrip (needle);
      if (*needle == '\0')
        g_clear_pointer (&needle, g_free);
    }
  if (g_strcmp0 (needle, self->needle) != 0)
    {
      g_free (self->needle);
      self->needle = g_steal_pointer (&needle);
      gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
    }
  return g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
}

PtDevice *
pt_device_list_get_selected_device (PtDeviceList *self)
{
  g_return_val_if_fail (PT_IS_DEVICE_LIST (self), NULL);

  return gtk_single_selection_get_selected_item (self->model);
}

/* GTK 4.8 has no gtk_column_view_scroll_to(): the column view's inner
 * list view has the action. It is run from idle, as a scroll asked for
 * before the list's first allocation is lost. */
static gboolean
scroll_to_selected_cb (gpointer user_data)
{
  g_autoptr(PtDeviceList) self = user_data;
  guint position = gtk_single_selection_get_selected (self->model);

  if (position == GTK_INVALID_LIST_POSITION)
    return G_SOURCE_REMOVE;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
  return G_SOURCE_REMOVE;
}

static void
scroll_to (PtDeviceList *self,
           guint         position)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, scroll_to_selected_cb, g_object_ref (self), NULL);
}

void
pt_device_list_set_selected_device (PtDeviceList *self,
                                    PtDevice     *device)
{
  guint n;

  g_return_if_fail (PT_IS_DEVICE_LIST (self));

  if (!self->populated)
    {
      self->pending = device;
      return;
    }
  if (pt_device_list_get_selected_device (self) == device)
    return;

  /* Linear, but only on a selection made elsewhere (the graph), not per
   * frame or per row. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  for (guint i = 0; device != NULL && i < n; i++)
    {
      g_autoptr(PtDevice) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);
      if (item == device)
        {
          gtk_single_selection_set_selected (self->model, i);
          scroll_to (self, i);
          return;
        }
    }
  gtk_single_selection_set_selected (self->model, GTK_INVALID_LIST_POSITION);
}

void
pt_device_list_focus (PtDeviceList *self)
{
  g_return_if_fail (PT_IS_DEVICE_LIST (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}
