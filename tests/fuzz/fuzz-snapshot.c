/* fuzz-snapshot.c: snapshot JSON through pt_host_load_snapshot_data().
 * What it accepts must write back (pt_host_to_snapshot()) to a snapshot
 * it accepts again and that writes back to the same text, and the host
 * it gives must answer the questions the checks and the plan ask. */
#include "config.h"

#include "pt-fuzz.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  pt_fuzz_init ();
  return 0;
}

static void
walk (PtHost *host)
{
  GPtrArray *devices = pt_host_get_devices (host);
  GPtrArray *groups = pt_host_get_groups (host);

  for (guint i = 0; i < devices->len; i++)
    {
      PtDevice *d = g_ptr_array_index (devices, i);
      g_autoptr(GPtrArray) slot = pt_host_dup_slot_functions (host, d);

      if (pt_host_lookup_device (host, pt_device_get_address (d)) != d)
        pt_fuzz_fail ("device %s is not found by its address", pt_device_get_address (d));
    }
  for (guint i = 0; i < groups->len; i++)
    {
      PtGroup *g = g_ptr_array_index (groups, i);

      if (pt_host_lookup_group (host, g->id) != g)
        pt_fuzz_fail ("group %d is not found by its number", g->id);
    }
  pt_host_get_cmdline (host);
  pt_host_get_vfio_pci_state (host);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(PtHost) again = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_again = NULL;

  host = pt_host_load_snapshot_data ((const char *) data, size, &error);
  if (host == NULL)
    {
      if (error == NULL || *error->message == '\0')
        pt_fuzz_fail ("a snapshot is refused without a message");
      return 0;
    }
  if (!pt_host_is_snapshot (host) || pt_host_get_root (host) != NULL)
    pt_fuzz_fail ("a snapshot host has a root");
  walk (host);

  text = pt_host_to_snapshot (host);
  again = pt_host_load_snapshot_data (text, -1, &error);
  if (again == NULL)
    pt_fuzz_fail ("the snapshot written from an accepted one is refused: %s\n%s",
                  error->message, text);
  text_again = pt_host_to_snapshot (again);
  if (!g_str_equal (text, text_again))
    pt_fuzz_fail ("a snapshot does not write back the same:\n%s\n----\n%s", text, text_again);
  return 0;
}
