/* What the incident module's files share and nobody else needs. */
#ifndef WW_INCIDENT_INT_H
#define WW_INCIDENT_INT_H

#include "incident/ww_incident.h"

/* Fills diag with what failed and SQLite's message; returns WW_EIO. */
int ww__inc_db_fail(ww_store_t *st, ww_diag_t *diag, const char *what);
/* Column i as text ("" for NULL). */
const char *ww__inc_col(sqlite3_stmt *q, int i);
/* Checks text people typed: at most max bytes of UTF-8, no control characters (tab and
 * line breaks allowed when multiline), not blank when required.  0 or WW_EINVAL with
 * diag naming the field. */
int ww__inc_check_text(const char *field, const char *s, size_t max, bool multiline, bool required,
                       ww_diag_t *diag);
/* 16 bytes as a UUID's text. */
void ww__inc_uuid_format(const uint8_t r[16], char out[37]);

#endif
