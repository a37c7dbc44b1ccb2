/* pt-plan-area.c: the frame of the inspector's plan area: a boxed list in
 * a scrolled window, as tall as the list for the width it gets, but no
 * taller than MAX_HEIGHT. A GtkScrolledWindow with propagate-natural-height
 * asks its child for a height without a width, so wrapped rows on a narrow
 * window would be cut; this widget asks for the width. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-plan-area.h"

#define MAX_HEIGHT 240

struct _PtPlanArea
{
  GtkWidget   parent_instance;

  GtkWidget  *scroller;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (PtPlanArea, pt_plan_area, GTK_TYPE_WIDGET)

static void
pt_plan_area_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  PtPlanArea *self = PT_PLAN_AREA (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (self->scroller, orientation, for_size, minimum, natural, NULL, NULL);
      return;
    }

  /* The list's margins are inside the scroller, so its height for this
   * width is what the rows need. */
  gtk_widget_measure (GTK_WIDGET (self->list), orientation, for_size, NULL, natural, NULL, NULL);
  *natural = MIN (*natural, MAX_HEIGHT);
  *minimum = MIN (*natural, MAX_HEIGHT / 2);
}

static void
pt_plan_area_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  gtk_widget_allocate (PT_PLAN_AREA (widget)->scroller, width, height, baseline, NULL);
}

static GtkSizeRequestMode
pt_plan_area_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
pt_plan_area_dispose (GObject *object)
{
  PtPlanArea *self = PT_PLAN_AREA (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->list = NULL;

  G_OBJECT_CLASS (pt_plan_area_parent_class)->dispose (object);
}

static void
pt_plan_area_class_init (PtPlanAreaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_plan_area_dispose;
  widget_class->measure = pt_plan_area_measure;
  widget_class->size_allocate = pt_plan_area_size_allocate;
  widget_class->get_request_mode = pt_plan_area_get_request_mode;
}

static void
pt_plan_area_init (PtPlanArea *self)
{
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_set_margin_start (GTK_WIDGET (self->list), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self->list), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->list), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "pt-plan");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Plan for the ticked GPUs"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->list));
}

GtkListBox *
pt_plan_area_get_list (PtPlanArea *self)
{
  g_return_val_if_fail (PT_IS_PLAN_AREA (self), NULL);

  return self->list;
}
