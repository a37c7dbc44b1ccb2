/* pt-checks.h: readiness checks ("passthroughctl status"), each with a fix. */
#pragma once

#include "pt-host.h"

G_BEGIN_DECLS

typedef enum
{
  PT_CHECK_PASS,
  PT_CHECK_WARN,
  PT_CHECK_FAIL,
  PT_CHECK_UNKNOWN,
} PtCheckState;

struct _PtCheck
{
  char         *id;        /* stable, e.g. "cpu-virtualization" */
  PtCheckState  state;
  char         *summary;   /* translated, one sentence */
  char         *fix;       /* translated; NULL when nothing is to be done */
};

const char *pt_check_state_to_string (PtCheckState state);
void        pt_check_free            (PtCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PtCheck, pt_check_free)

/* Runs every check on @host; returns PtCheck in a fixed order (owned). */
GPtrArray  *pt_checks_run            (PtHost *host);
/* The worst state among @checks (fail > warn > unknown > pass). */
PtCheckState pt_checks_overall       (GPtrArray *checks);

/* Copies the strings; @fix may be NULL. */
PtCheck    *pt_check_new             (const char   *id,
                                      PtCheckState  state,
                                      const char   *summary,
                                      const char   *fix);
/* The check with @id in @checks, or NULL. */
PtCheck    *pt_checks_find           (GPtrArray    *checks,
                                      const char   *id);

G_END_DECLS
