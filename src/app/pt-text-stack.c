/* pt-text-stack.c: the title and subtitle of a PtTextRow, one above the
 * other, as the vertical GtkBox of an AdwActionRow ("box.title") lays them
 * out, but measured without a search.
 *
 * When a horizontal GtkBox in GTK 4.8 (the row's header) finds its height
 * for a width, it searches by halves for a height at which the widths of
 * its wrapping children fit, asking each child for its width at every
 * height it tries; a wrapping label answers that by its own search,
 * laying its text out at each width it tries. A row with a 300-character
 * warning took 30 ms to measure that way. Here a width never depends on a
 * height: asked for its width at any height, this widget gives its
 * children's widths without one, which the labels have cached, and its
 * height for a width is its children's heights for that width. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include "pt-text-stack.h"

/* libadwaita's border-spacing for a row's box.title */
#define SPACING 3

struct _PtTextStack
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (PtTextStack, pt_text_stack, GTK_TYPE_WIDGET)

static void
pt_text_stack_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  guint n = 0;

  *minimum = *natural = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat;

      if (!gtk_widget_should_layout (child))
        continue;
      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          gtk_widget_measure (child, orientation, -1, &child_min, &child_nat, NULL, NULL);
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
      else
        {
          gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);
          *minimum += child_min;
          *natural += child_nat;
        }
      n++;
    }
  if (orientation == GTK_ORIENTATION_VERTICAL && n > 1)
    {
      *minimum += (n - 1) * SPACING;
      *natural += (n - 1) * SPACING;
    }
}

static void
pt_text_stack_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  int y = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_height;

      if (!gtk_widget_should_layout (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, NULL, &child_height, NULL, NULL);
      gtk_widget_size_allocate (child, &(GtkAllocation) { 0, y, width, child_height }, -1);
      y += child_height + SPACING;
    }
}

static GtkSizeRequestMode
pt_text_stack_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
pt_text_stack_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (pt_text_stack_parent_class)->dispose (object);
}

static void
pt_text_stack_class_init (PtTextStackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pt_text_stack_dispose;
  widget_class->measure = pt_text_stack_measure;
  widget_class->size_allocate = pt_text_stack_size_allocate;
  widget_class->get_request_mode = pt_text_stack_get_request_mode;
  /* The node libadwaita styles: row > box.header > box.title */
  gtk_widget_class_set_css_name (widget_class, "box");
}

static void
pt_text_stack_init (PtTextStack *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "title");
}

GtkWidget *
pt_text_stack_new (void)
{
  return g_object_new (PT_TYPE_TEXT_STACK, NULL);
}

void
pt_text_stack_append (PtTextStack *self,
                      GtkWidget   *child)
{
  g_return_if_fail (PT_IS_TEXT_STACK (self));
  g_return_if_fail (GTK_IS_WIDGET (child));
  g_return_if_fail (gtk_widget_get_parent (child) == NULL);

  gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
}
