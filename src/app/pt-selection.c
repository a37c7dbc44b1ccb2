/* pt-selection.c: the ticked GPUs and their plan. Both the inspector (where
 * ticking happens) and the wizard (which reviews and applies) watch one
 * PtSelection; it emits "changed" whenever the plan may differ. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-selection.h"

struct _PtSelection
{
  GObject      parent_instance;

  PtHost      *host;
  GPtrArray   *gpus;        /* char *, NULL-terminated */
  PtPlanFlags  flags;
  PtPlan      *plan;
  GError      *plan_error;
};

G_DEFINE_FINAL_TYPE (PtSelection, pt_selection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_FLAGS,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Recomputes the plan. pt_plan_new() reads the few small boot configuration
 * files under the host root (or nothing, for a snapshot); that is cheap
 * enough to do here rather than in a thread. */
static void
pt_selection_update (PtSelection *self)
{
  g_clear_pointer (&self->plan, pt_plan_free);
  g_clear_error (&self->plan_error);

  if (self->host != NULL && self->gpus->len > 1)
    self->plan = pt_plan_new (self->host,
                              (const char *const *) self->gpus->pdata,
                              self->flags,
                              &self->plan_error);

  g_signal_emit (self, signals[CHANGED], 0);
}

static void
pt_selection_finalize (GObject *object)
{
  PtSelection *self = PT_SELECTION (object);

  g_clear_object (&self->host);
  g_clear_pointer (&self->gpus, g_ptr_array_unref);
  g_clear_pointer (&self->plan, pt_plan_free);
  g_clear_error (&self->plan_error);

  G_OBJECT_CLASS (pt_selection_parent_class)->finalize (object);
}

static void
pt_selection_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PtSelection *self = PT_SELECTION (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_object (value, self->host);
      break;
    case PROP_FLAGS:
      g_value_set_uint (value, self->flags);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_selection_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PtSelection *self = PT_SELECTION (object);

  switch (prop_id)
    {
    case PROP_HOST:
      pt_selection_set_host (self, g_value_get_object (value));
      break;
    case PROP_FLAGS:
      pt_selection_set_flags (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_selection_class_init (PtSelectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pt_selection_finalize;
  object_class->get_property = pt_selection_get_property;
  object_class->set_property = pt_selection_set_property;

  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL,
                         PT_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FLAGS] =
    g_param_spec_uint ("flags", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after the ticked GPUs, the flags or the host changed and the
   * plan was recomputed. */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
pt_selection_init (PtSelection *self)
{
  self->gpus = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->gpus, NULL);
}

PtSelection *
pt_selection_new (void)
{
  return g_object_new (PT_TYPE_SELECTION, NULL);
}

PtHost *
pt_selection_get_host (PtSelection *self)
{
  g_return_val_if_fail (PT_IS_SELECTION (self), NULL);

  return self->host;
}

/* A new host drops the ticks whose address it does not have. */
void
pt_selection_set_host (PtSelection *self,
                       PtHost      *host)
{
  g_return_if_fail (PT_IS_SELECTION (self));
  g_return_if_fail (host == NULL || PT_IS_HOST (host));

  if (!g_set_object (&self->host, host))
    return;

  for (guint i = self->gpus->len - 1; i > 0; i--)
    {
      const char *address = g_ptr_array_index (self->gpus, i - 1);
      PtDevice *device = host != NULL ? pt_host_lookup_device (host, address) : NULL;

      if (device == NULL || !pt_device_is_gpu (device))
        g_ptr_array_remove_index (self->gpus, i - 1);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
  pt_selection_update (self);
}

const char *const *
pt_selection_get_gpus (PtSelection *self)
{
  g_return_val_if_fail (PT_IS_SELECTION (self), NULL);

  return (const char *const *) self->gpus->pdata;
}

static int
pt_selection_index (PtSelection *self,
                    const char  *address)
{
  for (guint i = 0; i + 1 < self->gpus->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->gpus, i), address) == 0)
      return (int) i;
  return -1;
}

gboolean
pt_selection_has_gpu (PtSelection *self,
                      const char  *address)
{
  g_return_val_if_fail (PT_IS_SELECTION (self), FALSE);

  return pt_selection_index (self, address) >= 0;
}

void
pt_selection_set_gpu (PtSelection *self,
                      const char  *address,
                      gboolean     selected)
{
  int index;

  g_return_if_fail (PT_IS_SELECTION (self));
  g_return_if_fail (address != NULL);

  index = pt_selection_index (self, address);
  if (selected == (index >= 0))
    return;

  if (selected)
    g_ptr_array_insert (self->gpus, self->gpus->len - 1, g_strdup (address));
  else
    g_ptr_array_remove_index (self->gpus, index);

  pt_selection_update (self);
}

void
pt_selection_set_gpus (PtSelection       *self,
                       const char *const *addresses)
{
  g_return_if_fail (PT_IS_SELECTION (self));

  g_ptr_array_set_size (self->gpus, 0);
  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    g_ptr_array_add (self->gpus, g_strdup (addresses[i]));
  g_ptr_array_add (self->gpus, NULL);

  pt_selection_update (self);
}

void
pt_selection_clear (PtSelection *self)
{
  pt_selection_set_gpus (self, NULL);
}

PtPlanFlags
pt_selection_get_flags (PtSelection *self)
{
  g_return_val_if_fail (PT_IS_SELECTION (self), 0);

  return self->flags;
}

void
pt_selection_set_flags (PtSelection *self,
                        PtPlanFlags  flags)
{
  g_return_if_fail (PT_IS_SELECTION (self));

  if (self->flags == flags)
    return;

  self->flags = flags;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FLAGS]);
  pt_selection_update (self);
}

PtPlan *
pt_selection_get_plan (PtSelection *self)
{
  g_return_val_if_fail (PT_IS_SELECTION (self), NULL);

  return self->plan;
}

const GError *
pt_selection_get_plan_error (PtSelection *self)
{
  g_return_val_if_fail (PT_IS_SELECTION (self), NULL);

  return self->plan_error;
}
