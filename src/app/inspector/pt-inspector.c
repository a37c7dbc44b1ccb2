/* pt-inspector.c: the Devices page: a toolbar (search, graph or list, zoom,
 * details), the plan area that names what ticking takes and its risks
 * before anything is written, the graph or the list, and the details pane
 * as an AdwFlap that folds over the content on narrow windows.
 *
 * PASSTHROUGH_BENCH_FIRST_FRAME=1 prints the monotonic time of the first
 * frame that shows the graph and quits; PASSTHROUGH_BENCH_SCROLL=N then
 * scrolls and zooms the graph for N frames and prints the frame times
 * (build-aux/bench). */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pt-application.h"
#include "pt-device-details.h"
#include "pt-device-list.h"
#include "pt-graph-node.h"
#include "pt-graph-view.h"
#include "pt-inspector.h"
#include "pt-mnemonic.h"
#include "pt-plan-area.h"
#include "pt-quirks.h"
#include "pt-text-row.h"

struct _PtInspector
{
  AdwBin           parent_instance;

  GtkSearchEntry  *search_entry;
  GtkWidget       *zoom_box;
  GtkRevealer     *plan_revealer;
  PtPlanArea      *plan_area;
  GtkListBox      *plan_list;
  AdwFlap         *flap;
  GtkStack        *view_stack;
  PtGraphView     *graph;
  PtDeviceList    *list;
  PtDeviceDetails *details;

  PtSelection     *selection;
  PtHost          *host;
  GPtrArray       *gpu_list;   /* PtGpu, owned */
  GHashTable      *gpus;       /* PtDevice * → PtGpu * */
  char            *view;
  gboolean         syncing;
  gboolean         debug_done;

  /* build-aux/bench */
  gulong           bench_paint_id;
  guint            bench_scroll_frames;
  GArray          *bench_intervals;   /* gint64 µs */
  GArray          *bench_work;        /* gint64 µs, frames that scrolled */
  GArray          *bench_zoom_work;   /* gint64 µs, frames that zoomed */
  gboolean         bench_zoomed;
  gboolean         bench_first_done;
  gint64           bench_last_frame;
  gint64           bench_frame_start;
  gint64           bench_host_time;
  GArray          *bench_ticks;       /* gint64 µs, change to painted */
  gint64           bench_tick_start;
};

G_DEFINE_FINAL_TYPE (PtInspector, pt_inspector, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- plan area ------------------------------------------------------------ */

static char *
dup_device_lines (GPtrArray *devices)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      PtDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *name = pt_device_dup_display_name (device);
      const char *address = pt_device_get_address (device);

      if (g_str_has_prefix (address, "0000:"))
        address += 5;
      if (s->len > 0)
        g_string_append_c (s, '\n');
      g_string_append_printf (s, "%s %s", address, name);
    }
  return g_string_free (s, FALSE);
}

static GtkWidget *
add_plan_row (PtInspector *self,
              const char  *icon,
              const char  *css_class,
              const char  *title,
              const char  *subtitle)
{
  GtkWidget *row = pt_text_row_new (title, subtitle);

  /* The icon repeats what the text says: not announced. */
  pt_text_row_add_icon (PT_TEXT_ROW (row), icon, css_class);
  gtk_list_box_append (self->plan_list, row);
  return row;
}

static void
add_risk (PtInspector *self,
          const char  *text)
{
  add_plan_row (self, "dialog-warning-symbolic", "warning", text, NULL);
}

/* A button of the plan area for @action, named as it reads (pt-mnemonic.h). */
static GtkWidget *
plan_button_new (const char *mnemonic,
                 const char *action)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  pt_mnemonic_fix_button (GTK_BUTTON (button));
  return button;
}

static void
update_plan_area (PtInspector *self)
{
  const char *const *ticked;
  PtPlan *plan;
  const GError *error;
  GtkWidget *child, *row, *button;
  g_autoptr(GPtrArray) ticked_devices = g_ptr_array_new ();
  g_autoptr(GPtrArray) blockers = g_ptr_array_new ();
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *title = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->plan_list))) != NULL)
    gtk_list_box_remove (self->plan_list, child);

  ticked = self->selection != NULL ? pt_selection_get_gpus (self->selection) : NULL;
  if (self->host == NULL || ticked == NULL || ticked[0] == NULL)
    {
      gtk_revealer_set_reveal_child (self->plan_revealer, FALSE);
      return;
    }

  for (guint i = 0; ticked[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (self->host, ticked[i]);
      PtGpu *gpu = device != NULL ? g_hash_table_lookup (self->gpus, device) : NULL;
      g_autofree char *name = NULL;

      if (device == NULL)
        continue;
      g_ptr_array_add (ticked_devices, device);
      name = pt_device_dup_display_name (device);
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, name);
      for (guint j = 0; gpu != NULL && j < gpu->blockers->len; j++)
        if (!g_ptr_array_find (blockers, g_ptr_array_index (gpu->blockers, j), NULL))
          g_ptr_array_add (blockers, g_ptr_array_index (gpu->blockers, j));
    }

  plan = pt_selection_get_plan (self->selection);
  error = pt_selection_get_plan_error (self->selection);

  /* Translators: the heading of the plan area; %s names the ticked GPUs. */
  title = g_strdup_printf (_("Passing through %s"), names->str);
  row = add_plan_row (self, "emblem-ok-symbolic", "accent", title,
                      plan != NULL ? _("Nothing is written until you apply the plan in Setup.")
                                   : _("This choice cannot be planned as it is."));
  if (plan != NULL)
    {
      /* The window's action: the VM dialog for this plan (issue 6: from
       * the wizard's last page and from here). */
      button = plan_button_new (_("Add to a _VM…"), "win.attach-vm");
      gtk_widget_set_tooltip_text (button, _("Create a virtual machine with this GPU, or add it to one you have"));
      pt_text_row_add_suffix (PT_TEXT_ROW (row), button);
    }
  /* An icon, so that the row's title keeps its room in a narrow window. */
  button = gtk_button_new_from_icon_name ("edit-clear-all-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Untick All"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Untick All"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "inspector.untick-all");
  pt_text_row_add_suffix (PT_TEXT_ROW (row), button);

  if (error != NULL)
    {
      PtPlanFlags flags = pt_selection_get_flags (self->selection);
      gboolean boot_vga = FALSE, shared = FALSE;

      row = add_plan_row (self, "dialog-error-symbolic", "error", error->message, NULL);

      /* The two refusals a person may override, knowing the risk the
       * message names; the plan's warnings then say it again. */
      for (guint i = 0; i < ticked_devices->len; i++)
        {
          PtDevice *device = g_ptr_array_index (ticked_devices, i);
          PtGpu *gpu = g_hash_table_lookup (self->gpus, device);

          boot_vga |= pt_device_get_boot_vga (device) == PT_TRISTATE_YES;
          shared |= gpu != NULL && gpu->isolation == PT_ISOLATION_SHARED;
        }
      if (boot_vga && !(flags & PT_PLAN_ALLOW_BOOT_VGA))
        {
          button = plan_button_new (_("Take the _Boot Display"), "inspector.allow-boot-vga");
        }
      else if (shared && !(flags & PT_PLAN_ALLOW_SHARED))
        {
          button = plan_button_new (_("Take the Whole _Group"), "inspector.allow-shared");
        }
      else
        button = NULL;
      if (button != NULL)
        {
          gtk_widget_add_css_class (button, "destructive-action");
          pt_text_row_add_suffix (PT_TEXT_ROW (row), button);
        }
    }

  if (plan != NULL)
    {
      text = dup_device_lines (plan->devices);
      add_plan_row (self, "send-to-symbolic", NULL, _("Taken for the guest (vfio-pci)"), text);
      g_clear_pointer (&text, g_free);
      if (plan->kept->len > 0)
        {
          text = dup_device_lines (plan->kept);
          add_plan_row (self, "go-home-symbolic", NULL, _("Companions that stay with the host"), text);
          g_clear_pointer (&text, g_free);
        }
    }
  if (blockers->len > 0)
    {
      text = dup_device_lines (blockers);
      add_plan_row (self, "dialog-warning-symbolic", "warning",
                    _("Blockers: other devices in the same IOMMU group"), text);
      g_clear_pointer (&text, g_free);
    }

  if (plan != NULL)
    {
      for (guint i = 0; i < plan->warnings->len; i++)
        add_risk (self, g_ptr_array_index (plan->warnings, i));
    }
  else
    {
      /* Refused: the plan's warnings are not there, so name the risks it
       * would have named that the refusal does not. */
      guint left = g_hash_table_size (self->gpus);

      for (guint i = 0; i < ticked_devices->len; i++)
        {
          PtDevice *device = g_ptr_array_index (ticked_devices, i);
          const PtQuirkEntry *quirk = pt_quirks_lookup (device);
          g_autofree char *name = pt_device_dup_display_name (device);

          if (left > 0)
            left--;
          if (quirk != NULL && quirk->quirk == PT_QUIRK_AMD_RESET_BUG)
            {
              text = g_strdup_printf (_("%s has the reset bug of the %s family: after a guest used it, "
                                        "the host may need a reboot before the next guest can."),
                                      name, quirk->family);
              add_risk (self, text);
              g_clear_pointer (&text, g_free);
            }
        }
      if (left == 0)
        add_risk (self, _("No GPU stays with the host: it will have no display while the guest runs."));
    }

  if (pt_host_get_secure_boot (self->host) == PT_TRISTATE_YES)
    add_risk (self, _("Secure Boot is on: kernel modules that are not signed for this machine, "
                      "such as out-of-tree GPU drivers, will not load."));

  gtk_revealer_set_reveal_child (self->plan_revealer, TRUE);
}

static void
selection_changed_cb (PtSelection *selection,
                      PtInspector *self)
{
  update_plan_area (self);
}

/* ---- host and selected device ------------------------------------------- */

static void
show_device (PtInspector *self,
             PtDevice    *device)
{
  if (self->syncing)
    return;
  self->syncing = TRUE;
  pt_device_details_set_device (self->details, self->host, device,
                                device != NULL && self->gpus != NULL ? g_hash_table_lookup (self->gpus, device) : NULL);
  pt_graph_view_set_selected_device (self->graph, device);
  if (self->list != NULL)
    pt_device_list_set_selected_device (self->list, device);
  self->syncing = FALSE;
}

static void
graph_selected_cb (PtGraphView *graph,
                   GParamSpec  *pspec,
                   PtInspector *self)
{
  show_device (self, pt_graph_view_get_selected_device (graph));
}

static void
list_selected_cb (PtDeviceList *list,
                  GParamSpec   *pspec,
                  PtInspector  *self)
{
  show_device (self, pt_device_list_get_selected_device (list));
}

static void bench_start (PtInspector *self);
static void debug_apply (PtInspector *self);

static void
pt_inspector_set_host (PtInspector *self,
                       PtHost      *host)
{
  if (self->host == host)
    return;
  self->bench_host_time = g_get_monotonic_time ();
  g_set_object (&self->host, host);

  g_hash_table_remove_all (self->gpus);
  g_clear_pointer (&self->gpu_list, g_ptr_array_unref);
  if (host != NULL)
    {
      self->gpu_list = pt_host_list_gpus (host);
      for (guint i = 0; i < self->gpu_list->len; i++)
        {
          PtGpu *gpu = g_ptr_array_index (self->gpu_list, i);
          g_hash_table_insert (self->gpus, gpu->device, gpu);
        }
    }

  pt_device_details_set_device (self->details, host, NULL, NULL);
  pt_graph_view_set_host (self->graph, host, self->gpus);
  if (self->list != NULL)
    pt_device_list_set_host (self->list, host, self->gpus);
  if (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  update_plan_area (self);

  /* Start on the first GPU the host could give away: what most people
   * came to look at. */
  for (guint i = 0; self->gpu_list != NULL && i < self->gpu_list->len; i++)
    {
      PtGpu *gpu = g_ptr_array_index (self->gpu_list, i);

      if (pt_device_get_boot_vga (gpu->device) != PT_TRISTATE_YES)
        {
          show_device (self, gpu->device);
          break;
        }
    }

  if (host != NULL)
    {
      debug_apply (self);
      bench_start (self);
    }
}

static void
host_changed_cb (PtSelection *selection,
                 GParamSpec  *pspec,
                 PtInspector *self)
{
  pt_inspector_set_host (self, pt_selection_get_host (selection));
}

/* ---- search ---------------------------------------------------------------- */

static void
search_changed_cb (PtInspector *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n_graph = pt_graph_view_set_search (self->graph, text);

  if (self->list != NULL)
    pt_device_list_set_search (self->list, text);
  if (*text != '\0' && n_graph == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");
}

static gboolean
showing_graph (PtInspector *self)
{
  return g_strcmp0 (self->view, "list") != 0;
}

/* Enter goes to the match, so that Space can tick it at once. */
static void
search_activate_cb (PtInspector *self)
{
  if (showing_graph (self))
    pt_graph_view_focus_selected (self->graph);
  else
    pt_device_list_focus (self->list);
}

static void
search_next_cb (PtInspector *self)
{
  pt_graph_view_next_match (self->graph, FALSE);
}

static void
search_previous_cb (PtInspector *self)
{
  pt_graph_view_next_match (self->graph, TRUE);
}

static void
search_stop_cb (PtInspector *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  search_activate_cb (self);
}

/* ---- actions ----------------------------------------------------------------- */

static void
find_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PtInspector *self = PT_INSPECTOR (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
zoom_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PtInspector *self = PT_INSPECTOR (widget);

  if (!showing_graph (self))
    return;
  if (g_str_equal (action_name, "inspector.zoom-in"))
    pt_graph_view_zoom_in (self->graph);
  else if (g_str_equal (action_name, "inspector.zoom-out"))
    pt_graph_view_zoom_out (self->graph);
  else
    pt_graph_view_zoom_fit (self->graph);
}

static void
untick_all_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  PtInspector *self = PT_INSPECTOR (widget);

  if (self->selection != NULL)
    {
      pt_selection_clear (self->selection);
      pt_selection_set_flags (self->selection, PT_PLAN_FLAGS_NONE);
    }
}

/* F9, as for sidebars elsewhere in GNOME. */
static void
toggle_details_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  PtInspector *self = PT_INSPECTOR (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
}

static void
allow_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  PtInspector *self = PT_INSPECTOR (widget);
  PtPlanFlags flag = g_str_equal (action_name, "inspector.allow-boot-vga")
                     ? PT_PLAN_ALLOW_BOOT_VGA : PT_PLAN_ALLOW_SHARED;

  if (self->selection != NULL)
    pt_selection_set_flags (self->selection, pt_selection_get_flags (self->selection) | flag);
}

/* The list is made when first shown: most people never open it, and its
 * column view is a tenth of the page's cost in the first frame. */
static void
ensure_list (PtInspector *self)
{
  if (self->list != NULL)
    return;

  self->list = g_object_new (PT_TYPE_DEVICE_LIST, NULL);
  gtk_stack_add_titled (self->view_stack, GTK_WIDGET (self->list), "list", _("List"));
  pt_device_list_set_selection (self->list, self->selection);
  pt_device_list_set_host (self->list, self->host, self->gpus);
  pt_device_list_set_search (self->list, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  pt_device_list_set_selected_device (self->list, pt_graph_view_get_selected_device (self->graph));
  g_signal_connect (self->list, "notify::selected-device", G_CALLBACK (list_selected_cb), self);
}

static void
pt_inspector_set_view (PtInspector *self,
                       const char  *view)
{
  gboolean graph;

  if (view == NULL || (g_strcmp0 (view, "graph") != 0 && g_strcmp0 (view, "list") != 0))
    view = "graph";
  if (g_strcmp0 (self->view, view) == 0)
    return;

  g_free (self->view);
  self->view = g_strdup (view);
  graph = showing_graph (self);
  if (!graph)
    ensure_list (self);
  gtk_stack_set_visible_child_name (self->view_stack, view);
  gtk_widget_set_sensitive (self->zoom_box, graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.zoom-in", graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.zoom-out", graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.zoom-fit", graph);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

/* ---- bench and debug hooks ------------------------------------------------- */

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
print_stats (const char *name,
             GArray     *values)
{
  g_array_sort (values, compare_int64);
  if (values->len == 0)
    return;
  g_print ("%s-median-ms %.2f\n%s-p95-ms %.2f\n%s-max-ms %.2f\n%s-count %u\n",
           name, g_array_index (values, gint64, values->len / 2) / 1000.0,
           name, g_array_index (values, gint64, values->len * 95 / 100) / 1000.0,
           name, g_array_index (values, gint64, values->len - 1) / 1000.0,
           name, values->len);
}

/* build-aux/bench: GPU check boxes changed after the scrolling frames */
#define BENCH_TICKS 10

static void
bench_quit (PtInspector *self)
{
  GApplication *app = g_application_get_default ();

  if (app != NULL)
    g_application_quit (app);
}

static void
bench_before_paint_cb (GdkFrameClock *clock,
                       PtInspector   *self)
{
  self->bench_frame_start = g_get_monotonic_time ();
}

static gboolean
bench_scroll_tick_cb (GtkWidget     *widget,
                      GdkFrameClock *clock,
                      gpointer       user_data)
{
  PtInspector *self = PT_INSPECTOR (widget);
  GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->graph));
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  guint n = self->bench_intervals->len;

  if (self->bench_last_frame > 0)
    {
      gint64 interval = now - self->bench_last_frame;
      g_array_append_val (self->bench_intervals, interval);
    }
  self->bench_last_frame = now;

  if (n >= self->bench_scroll_frames && self->bench_ticks == NULL)
    {
      g_print ("frames %u\n", n);
      print_stats ("frame-interval", self->bench_intervals);
      print_stats ("frame-work", self->bench_work);
      print_stats ("zoom-frame-work", self->bench_zoom_work);
      self->bench_ticks = g_array_new (FALSE, FALSE, sizeof (gint64));
    }
  if (self->bench_ticks != NULL)
    {
      guint done = self->bench_ticks->len;
      PtGpu *gpu;

      /* Then tick and untick the first GPUs, one change a frame, as a
       * person clicking check boxes: from the change to the end of the
       * frame that shows it (the plan area and the nodes' states). */
      if (self->bench_tick_start != 0)
        return G_SOURCE_CONTINUE;
      if (done >= BENCH_TICKS || self->gpu_list == NULL || self->gpu_list->len == 0)
        {
          print_stats ("tick-frame", self->bench_ticks);
          bench_quit (self);
          return G_SOURCE_REMOVE;
        }
      gpu = g_ptr_array_index (self->gpu_list, (done / 2) % self->gpu_list->len);
      self->bench_tick_start = g_get_monotonic_time ();
      pt_selection_set_gpu (self->selection, pt_device_get_address (gpu->device), done % 2 == 0);
      return G_SOURCE_CONTINUE;
    }

  /* Scroll down a page every frame, zoom out then in every 40 frames. */
  self->bench_zoomed = n % 20 == 0 && n > 0;
  if (n % 40 == 20)
    pt_graph_view_set_zoom (self->graph, 0.5);
  else if (n % 40 == 0 && n > 0)
    pt_graph_view_set_zoom (self->graph, 1.0);
  else
    gtk_adjustment_set_value (vadj, gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj) * 0.5);
  return G_SOURCE_CONTINUE;
}

static void
bench_scroll_start (PtInspector *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->bench_intervals != NULL || !pt_graph_view_get_complete (self->graph))
    return;
  g_print ("graph-complete-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  self->bench_intervals = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->bench_work = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->bench_zoom_work = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect_object (clock, "before-paint", G_CALLBACK (bench_before_paint_cb), self, 0);
  gtk_widget_add_tick_callback (GTK_WIDGET (self), bench_scroll_tick_cb, NULL, NULL);
}

static void
bench_after_paint_cb (GdkFrameClock *clock,
                      PtInspector   *self)
{
  if (self->bench_tick_start != 0)
    {
      gint64 took = g_get_monotonic_time () - self->bench_tick_start;

      g_array_append_val (self->bench_ticks, took);
      self->bench_tick_start = 0;
      return;
    }
  if (self->bench_ticks != NULL)
    return;
  if (self->bench_work != NULL)
    {
      gint64 work = g_get_monotonic_time () - self->bench_frame_start;
      g_array_append_val (self->bench_zoomed ? self->bench_zoom_work : self->bench_work, work);
      self->bench_zoomed = FALSE;
      return;
    }

  if (self->bench_intervals != NULL || self->bench_host_time == 0 ||
      pt_graph_view_get_n_nodes (self->graph) == 0 || !gtk_widget_get_mapped (GTK_WIDGET (self->graph)))
    return;

  /* The first frame with the inspector in it; when the window cross-fades
   * from its loading page, that frame shows it barely, so the bench also
   * gets the first frame after every transition above it has ended. */
  if (!self->bench_first_done)
    {
      self->bench_first_done = TRUE;
      g_print ("first-frame-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      g_print ("graph-nodes %u\n", pt_graph_view_get_n_nodes (self->graph));
    }
  for (GtkWidget *w = GTK_WIDGET (self); w != NULL; w = gtk_widget_get_parent (w))
    if (GTK_IS_STACK (w) && gtk_stack_get_transition_running (GTK_STACK (w)))
      return;
  g_print ("shown-frame-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  self->bench_host_time = 0;

  if (self->bench_scroll_frames == 0)
    {
      g_signal_handler_disconnect (clock, self->bench_paint_id);
      self->bench_paint_id = 0;
      bench_quit (self);
      return;
    }
  /* Scroll once every node exists, as a person would a moment after the
   * page came up; the nodes are made in idle time until then. */
  if (pt_graph_view_get_complete (self->graph))
    bench_scroll_start (self);
  else
    g_signal_connect_swapped (self->graph, "notify::complete", G_CALLBACK (bench_scroll_start), self);
}

static void
bench_map_cb (GtkWidget   *widget,
              PtInspector *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  g_signal_handlers_disconnect_by_func (widget, bench_map_cb, self);
  self->bench_paint_id = g_signal_connect_object (clock, "after-paint", G_CALLBACK (bench_after_paint_cb), self, 0);
  gtk_widget_queue_draw (widget);
}

static void
bench_start (PtInspector *self)
{
  const char *scroll = g_getenv ("PASSTHROUGH_BENCH_SCROLL");

  if (g_strcmp0 (g_getenv ("PASSTHROUGH_BENCH_FIRST_FRAME"), "1") != 0 && scroll == NULL)
    return;
  if (self->bench_paint_id != 0)
    return;
  /* When the host arrived, so the bench can tell reading it from showing it. */
  g_print ("host-arrived-us %" G_GINT64_FORMAT "\n", self->bench_host_time);
  self->bench_scroll_frames = scroll != NULL ? (guint) g_ascii_strtoull (scroll, NULL, 10) : 0;
  if (gtk_widget_get_mapped (GTK_WIDGET (self->graph)))
    bench_map_cb (GTK_WIDGET (self->graph), self);
  else
    g_signal_connect (self->graph, "map", G_CALLBACK (bench_map_cb), self);
}

/* PASSTHROUGH_INSPECTOR_DEBUG="tick=ADDR,select=ADDR,search=TEXT,zoom=F,
 * list,details,keys=graph+down+right+space+tab+reload" puts the page in a given state, for
 * screenshots and manual checks; keys go through the window's focus
 * movement as arrow keys and Tab do. */
static void
debug_apply_late (gpointer user_data)
{
  g_autoptr(PtInspector) self = user_data;
  g_auto(GStrv) parts = g_strsplit (g_getenv ("PASSTHROUGH_INSPECTOR_DEBUG"), ",", -1);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  for (guint i = 0; parts[i] != NULL && root != NULL; i++)
    {
      if (g_str_equal (parts[i], "details"))
        adw_flap_set_reveal_flap (self->flap, TRUE);
      else if (g_str_has_prefix (parts[i], "keys="))
        {
          g_auto(GStrv) keys = g_strsplit (parts[i] + 5, "+", -1);

          gtk_window_set_focus_visible (GTK_WINDOW (root), TRUE);
          for (guint k = 0; keys[k] != NULL; k++)
            {
              static const struct { const char *name; GtkDirectionType dir; } dirs[] = {
                { "up", GTK_DIR_UP }, { "down", GTK_DIR_DOWN }, { "left", GTK_DIR_LEFT },
                { "right", GTK_DIR_RIGHT }, { "tab", GTK_DIR_TAB_FORWARD },
              };
              GtkWidget *focus = gtk_root_get_focus (root);

              if (g_str_equal (keys[k], "graph"))
                pt_graph_view_focus_selected (self->graph);
              else if (g_str_equal (keys[k], "reload"))
                gtk_widget_activate_action (GTK_WIDGET (root), "win.reload", NULL);
              else if (g_str_equal (keys[k], "space") && PT_IS_GRAPH_NODE (focus) &&
                       pt_graph_node_get_device (PT_GRAPH_NODE (focus)) != NULL &&
                       pt_device_is_gpu (pt_graph_node_get_device (PT_GRAPH_NODE (focus))))
                pt_selection_set_gpu (self->selection,
                                      pt_device_get_address (pt_graph_node_get_device (PT_GRAPH_NODE (focus))),
                                      !pt_graph_node_get_ticked (PT_GRAPH_NODE (focus)));
              for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
                if (g_str_equal (keys[k], dirs[d].name))
                  gtk_widget_child_focus (GTK_WIDGET (root), dirs[d].dir);
            }
        }
    }
}

static void
debug_apply (PtInspector *self)
{
  const char *env = g_getenv ("PASSTHROUGH_INSPECTOR_DEBUG");
  g_auto(GStrv) parts = NULL;

  /* Once: a reload asked for here must not ask again. */
  if (env == NULL || self->debug_done)
    return;
  self->debug_done = TRUE;
  parts = g_strsplit (env, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *arg = strchr (parts[i], '=') ? strchr (parts[i], '=') + 1 : "";
      PtDevice *device = pt_host_lookup_device (self->host, arg);

      if (g_str_has_prefix (parts[i], "tick=") && device != NULL && pt_device_is_gpu (device))
        pt_selection_set_gpu (self->selection, pt_device_get_address (device), TRUE);
      else if (g_str_has_prefix (parts[i], "select=") && device != NULL)
        show_device (self, device);
      else if (g_str_has_prefix (parts[i], "search="))
        gtk_editable_set_text (GTK_EDITABLE (self->search_entry), arg);
      else if (g_str_has_prefix (parts[i], "zoom="))
        pt_graph_view_set_zoom (self->graph, g_ascii_strtod (arg, NULL));
      else if (g_str_equal (parts[i], "list"))
        pt_inspector_set_view (self, "list");
    }
  /* What needs the page on screen waits for it. */
  g_timeout_add_once (300, debug_apply_late, g_object_ref (self));
}

/* ---- GObject ------------------------------------------------------------- */

static void
pt_inspector_dispose (GObject *object)
{
  PtInspector *self = PT_INSPECTOR (object);

  if (self->selection != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
      g_signal_handlers_disconnect_by_func (self->selection, host_changed_cb, self);
    }
  g_clear_object (&self->selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_INSPECTOR);
  g_clear_object (&self->host);

  G_OBJECT_CLASS (pt_inspector_parent_class)->dispose (object);
}

static void
pt_inspector_finalize (GObject *object)
{
  PtInspector *self = PT_INSPECTOR (object);

  g_clear_pointer (&self->gpus, g_hash_table_unref);
  g_clear_pointer (&self->gpu_list, g_ptr_array_unref);
  g_clear_pointer (&self->view, g_free);
  g_clear_pointer (&self->bench_intervals, g_array_unref);
  g_clear_pointer (&self->bench_work, g_array_unref);
  g_clear_pointer (&self->bench_zoom_work, g_array_unref);
  g_clear_pointer (&self->bench_ticks, g_array_unref);

  G_OBJECT_CLASS (pt_inspector_parent_class)->finalize (object);
}

static void
pt_inspector_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PtInspector *self = PT_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_string (value, self->view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_inspector_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PtInspector *self = PT_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      pt_inspector_set_view (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_inspector_class_init (PtInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GdkDisplay *display = gdk_display_get_default ();

  object_class->dispose = pt_inspector_dispose;
  object_class->finalize = pt_inspector_finalize;
  object_class->get_property = pt_inspector_get_property;
  object_class->set_property = pt_inspector_set_property;

  /* "graph" or "list"; bound to the inspector-view setting. */
  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "graph",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PT_TYPE_GRAPH_VIEW);
  g_type_ensure (PT_TYPE_DEVICE_DETAILS);
  g_type_ensure (PT_TYPE_PLAN_AREA);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/passthrough/Passthrough/inspector/pt-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, PtInspector, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PtInspector, zoom_box);
  gtk_widget_class_bind_template_child (widget_class, PtInspector, plan_revealer);
  gtk_widget_class_bind_template_child (widget_class, PtInspector, plan_area);
  gtk_widget_class_bind_template_child (widget_class, PtInspector, flap);
  gtk_widget_class_bind_template_child (widget_class, PtInspector, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PtInspector, graph);
  gtk_widget_class_bind_template_child (widget_class, PtInspector, details);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_next_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_previous_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_stop_cb);

  gtk_widget_class_install_action (widget_class, "inspector.find", NULL, find_activated);
  gtk_widget_class_install_action (widget_class, "inspector.zoom-in", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "inspector.zoom-out", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "inspector.zoom-fit", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "inspector.untick-all", NULL, untick_all_activated);
  gtk_widget_class_install_action (widget_class, "inspector.allow-boot-vga", NULL, allow_activated);
  gtk_widget_class_install_action (widget_class, "inspector.toggle-details", NULL, toggle_details_activated);
  gtk_widget_class_install_action (widget_class, "inspector.allow-shared", NULL, allow_activated);
  gtk_widget_class_install_property_action (widget_class, "inspector.view", "view");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "inspector.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "inspector.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "inspector.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "inspector.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "inspector.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "inspector.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, GDK_CONTROL_MASK, "inspector.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "inspector.toggle-details", NULL);

  if (display != NULL)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, "/io/github/passthrough/Passthrough/inspector/pt-inspector.css");
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
}

static void
pt_inspector_init (PtInspector *self)
{
  GApplication *app = g_application_get_default ();

  self->gpus = g_hash_table_new (NULL, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->plan_list = pt_plan_area_get_list (self->plan_area);

  pt_inspector_set_view (self, "graph");
  if (PT_IS_APPLICATION (app) && pt_application_get_settings (PT_APPLICATION (app)) != NULL)
    g_settings_bind (pt_application_get_settings (PT_APPLICATION (app)), "inspector-view",
                     self, "view", G_SETTINGS_BIND_DEFAULT);

  g_signal_connect (self->graph, "notify::selected-device", G_CALLBACK (graph_selected_cb), self);
}

PtSelection *
pt_inspector_get_selection (PtInspector *self)
{
  g_return_val_if_fail (PT_IS_INSPECTOR (self), NULL);

  return self->selection;
}

void
pt_inspector_set_selection (PtInspector *self,
                            PtSelection *selection)
{
  g_return_if_fail (PT_IS_INSPECTOR (self));
  g_return_if_fail (selection == NULL || PT_IS_SELECTION (selection));

  if (self->selection == selection)
    return;
  if (self->selection != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->selection, selection_changed_cb, self);
      g_signal_handlers_disconnect_by_func (self->selection, host_changed_cb, self);
    }
  g_set_object (&self->selection, selection);
  pt_graph_view_set_selection (self->graph, selection);
  if (self->list != NULL)
    pt_device_list_set_selection (self->list, selection);
  if (selection != NULL)
    {
      g_signal_connect (selection, "changed", G_CALLBACK (selection_changed_cb), self);
      g_signal_connect (selection, "notify::host", G_CALLBACK (host_changed_cb), self);
    }
  pt_inspector_set_host (self, selection != NULL ? pt_selection_get_host (selection) : NULL);
}
