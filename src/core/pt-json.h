/* pt-json.h: the JSON documents of the passthroughctl contract (DESIGN.md),
 * shared by the CLI and the daemon. */
#pragma once

#include <json-glib/json-glib.h>

#include "pt-host.h"
#include "pt-plan.h"

G_BEGIN_DECLS

JsonNode *pt_json_groups (PtHost    *host);
JsonNode *pt_json_gpus   (PtHost    *host);
JsonNode *pt_json_plan   (PtPlan    *plan);
JsonNode *pt_json_status (GPtrArray *checks);
char     *pt_json_to_string (JsonNode *node, gboolean pretty);

/* Adds "member": value, or null when @value is NULL. */
void      pt_json_add_string_or_null (JsonBuilder *builder,
                                      const char  *member,
                                      const char  *value);

G_END_DECLS
