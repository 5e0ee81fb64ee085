/* A small RFC 4180 CSV reader: quoted fields with doubled-quote escapes and embedded
 * line breaks, CRLF or LF line ends, a leading UTF-8 BOM, and blank lines skipped.
 * The delimiter is a comma, a semicolon (what Excel writes where the decimal mark is a
 * comma) or a tab, chosen from the header line: the one of the three that occurs most
 * often outside quotes there.
 * Fields are unquoted into a reused, capped buffer; a record with a quoting error is
 * reported with its line and column and skipped, and reading resumes at the next
 * line, so one bad row never loses the rest of the file. */
#include "asset/ww_asset_int.h"

#include <stdlib.h>

typedef struct csv {
    const char *p, *end;
    uint32_t line;
    const char *line_start;
    char *buf; /* unquoted text of the current record */
    size_t bn, bcap;
    size_t off[WW_CSV_MAX_FIELDS], len[WW_CSV_MAX_FIELDS];
    size_t nf;
    char delim; /* ',', ';' or '\t' */
} csv_t;

static int put(csv_t *c, char ch)
{
    if (c->bn + 1 >= c->bcap) {
        if (c->bcap >= WW_CSV_MAX_RECORD)
            return WW_ELIMIT;
        size_t ncap = c->bcap ? c->bcap * 2 : 4096;
        char *nb = realloc(c->buf, ncap);
        if (!nb)
            return WW_ENOMEM;
        c->buf = nb;
        c->bcap = ncap;
    }
    c->buf[c->bn++] = ch;
    return 0;
}

static uint32_t col_of(const csv_t *c, const char *at)
{
    return (uint32_t)(at - c->line_start) + 1;
}

/* Skips to just past the next line end (used to resynchronise after an error). */
static void skip_line(csv_t *c)
{
    while (c->p < c->end && *c->p != '\n')
        c->p++;
    if (c->p < c->end) {
        c->p++;
        c->line++;
        c->line_start = c->p;
    }
}

/* Reads one record.  1 = record, 0 = end, <0 = error with errcol and errmsg set. */
static int read_record(csv_t *c, uint32_t *errcol, const char **errmsg)
{
    c->bn = 0;
    c->nf = 0;
    bool field_start = true;
    size_t fstart = 0;
    for (;;) {
        if (field_start) {
            if (c->nf == WW_CSV_MAX_FIELDS) {
                *errcol = col_of(c, c->p);
                *errmsg = "too many fields in one record (more than 256)";
                return WW_ELIMIT;
            }
            fstart = c->bn;
            field_start = false;
            if (c->p < c->end && *c->p == '"') {
                /* Quoted field: runs to the closing quote, across line breaks. */
                const char *open = c->p;
                uint32_t open_col = col_of(c, open);
                c->p++;
                for (;;) {
                    if (c->p >= c->end) {
                        *errcol = open_col;
                        *errmsg = "quoted field is never closed";
                        c->line_start = open; /* report where it opened */
                        return WW_EPARSE;
                    }
                    char ch = *c->p++;
                    if (ch == '"') {
                        if (c->p < c->end && *c->p == '"') {
                            c->p++;
                            if (put(c, '"'))
                                goto toolong;
                            continue;
                        }
                        break;
                    }
                    if (ch == '\n') {
                        c->line++;
                        c->line_start = c->p;
                    }
                    if (put(c, ch))
                        goto toolong;
                }
                /* After the closing quote only a separator or line end may follow. */
                if (c->p < c->end && *c->p != c->delim && *c->p != '\n' &&
                    !(*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n'))) {
                    *errcol = col_of(c, c->p);
                    *errmsg = "text after a closing quote (a quote inside a field must be doubled)";
                    return WW_EPARSE;
                }
            }
        }
        if (c->p >= c->end || *c->p == '\n' || *c->p == c->delim ||
            (*c->p == '\r' && (c->p + 1 == c->end || c->p[1] == '\n'))) {
            c->off[c->nf] = fstart;
            c->len[c->nf] = c->bn - fstart;
            c->nf++;
            if (c->p < c->end && *c->p == c->delim) {
                c->p++;
                field_start = true;
                continue;
            }
            if (c->p < c->end && *c->p == '\r')
                c->p++;
            if (c->p < c->end && *c->p == '\n') {
                c->p++;
                c->line++;
                c->line_start = c->p;
            }
            return 1;
        }
        char ch = *c->p;
        if (ch == '"') {
            *errcol = col_of(c, c->p);
            *errmsg = "quote inside an unquoted field (quote the whole field and double it)";
            return WW_EPARSE;
        }
        c->p++;
        if (put(c, ch))
            goto toolong;
    }
toolong:
    *errcol = col_of(c, c->p);
    *errmsg = "record longer than 1 MiB";
    return WW_ELIMIT;
}

char ww__csv_sniff(const char *data, size_t len)
{
    const char *p = data, *e = data + len;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    /* Skip blank lines before the header, as the reader does. */
    while (p < e && (*p == '\n' || *p == '\r'))
        p++;
    /* Count candidates outside quotes up to the header's end: a quoted header such as
       "Name, full";"IP" must not vote for the comma.  Ties go to the comma, then the
       semicolon (a header with one column has no delimiter at all). */
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (; p < e; p++) {
        if (*p == '"') {
            quoted = !quoted; /* a doubled quote toggles twice */
            continue;
        }
        if (quoted)
            continue;
        if (*p == '\n')
            break;
        comma += *p == ',';
        semi += *p == ';';
        tab += *p == '\t';
    }
    if (semi > comma && semi >= tab)
        return ';';
    if (tab > comma && tab > semi)
        return '\t';
    return ',';
}

int ww__csv_parse(const char *data, size_t len, ww__csv_rec_fn fn, ww__csv_err_fn err, void *ud)
{
    return ww__csv_parse_delim(data, len, ww__csv_sniff(data, len), fn, err, ud);
}

int ww__csv_parse_delim(const char *data, size_t len, char delim, ww__csv_rec_fn fn,
                        ww__csv_err_fn err, void *ud)
{
    csv_t c;
    memset(&c, 0, sizeof c);
    c.delim = delim == ';' || delim == '\t' ? delim : ',';
    c.p = data;
    c.end = data + len;
    c.line = 1;
    c.line_start = data;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        c.p += 3;
        c.line_start = c.p;
    }
    int count = 0, rc = 0;
    ww__csv_field_t f[WW_CSV_MAX_FIELDS];
    while (c.p < c.end) {
        /* Blank lines (including a last line of only CR) separate nothing. */
        if (*c.p == '\n' || (*c.p == '\r' && (c.p + 1 == c.end || c.p[1] == '\n'))) {
            c.p += *c.p == '\r' ? (c.p + 1 < c.end ? 2 : 1) : 1;
            c.line++;
            c.line_start = c.p;
            continue;
        }
        uint32_t start_line = c.line, ecol = 0;
        const char *emsg = NULL;
        rc = read_record(&c, &ecol, &emsg);
        if (rc < 0) {
            if (rc == WW_ENOMEM)
                goto out;
            if (err)
                err(ud, start_line, ecol, emsg);
            /* An unclosed quote swallowed the rest; restart on the line after the
               record's first line, so later good rows are not lost. */
            if (c.p >= c.end && emsg && strstr(emsg, "never closed")) {
                c.p = c.line_start;
                c.line = start_line;
            }
            skip_line(&c);
            rc = 0;
            continue;
        }
        for (size_t i = 0; i < c.nf; i++)
            f[i] = (ww__csv_field_t){c.buf ? c.buf + c.off[i] : "", c.len[i]};
        rc = fn(ud, start_line, f, c.nf);
        if (rc < 0)
            goto out;
        count++;
        if ((unsigned)count >= WW_ASSET_MAX_ROWS) {
            rc = WW_ELIMIT;
            goto out;
        }
    }
    rc = count;
out:
    free(c.buf);
    return rc;
}
