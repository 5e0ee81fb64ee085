/* Plain lists (one value a line, type and source given by the caller) and the import
 * of a path: a MISP feed directory, or a file told apart by its content -- a STIX
 * bundle, a MISP event, else (with a type given) a list. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "intel/ww_intel_int.h"

int ww__intel_misp_feed(const char *dir, const ww_intel_opts_t *o, ww_intel_set_t *set,
                        ww_diag_t *diag);

int ww_intel_parse_list(const char *name, const char *data, size_t len, const ww_intel_opts_t *o,
                        ww_intel_set_t *set, ww_diag_t *diag)
{
    if (!o->type || o->type >= WW_IND_NTYPES || !o->source || !*o->source) {
        ww_diag_set(diag, name, 0, 0,
                    "a plain list needs its type and source (--type T --source S)");
        return WW_EINVAL;
    }
    size_t n0 = set->n, s0 = set->nskip;
    uint64_t k0 = set->skipped;
    ww_indicator_t ind = {0};
    ind.source = ww__intel_text(set, o->source);
    ind.name = "";
    ind.type = o->type;
    ind.tlp = o->tlp >= 0 ? o->tlp : WW_TLP_DEFAULT;
    ind.confidence = -1;
    ind.valid_from = WW_TIME_NONE;
    ind.valid_until = o->valid_until;
    if (!ind.source)
        return WW_ENOMEM;
    const char *p = data, *e = data + len;
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    uint32_t line = 0;
    int rc = 0;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        line++;
        const char *s = p;
        p = nl ? nl + 1 : e;
        while (s < le && (*s == ' ' || *s == '\t'))
            s++;
        size_t n = (size_t)(le - s);
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (!n || *s == '#')
            continue;
        /* A trailing comment ("1.2.3.4  # C2") is not part of the value. */
        const char *hash = NULL;
        for (size_t i = 1; i < n; i++)
            if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
                hash = s + i;
                break;
            }
        if (hash) {
            n = (size_t)(hash - s);
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
        }
        char where[300], id[WW_INTEL_MAX_VALUE + 600];
        snprintf(where, sizeof where, "%s:%u", name, line);
        char v[WW_INTEL_MAX_VALUE + 16];
        const char *why;
        int type = o->type;
        if (ww_intel_normalise(&type, s, n, v, sizeof v, &why) != 0) {
            ww__intel_skip(set, where, "%s value not usable: %s", ww_ind_type_name(o->type), why);
            continue;
        }
        /* A list's entries have no ids: the source and value are one. */
        snprintf(id, sizeof id, "list:%s:%s", ind.source, v);
        ind.id = ww_arena_strndup(&set->arena, id, strnlen(id, WW_INTEL_MAX_TEXT + 64));
        if (!ind.id) {
            rc = WW_ENOMEM;
            break;
        }
        if ((rc = ww__intel_add(set, &ind, v, strlen(v), where)) < 0)
            break;
        rc = 0;
    }
    if (rc < 0) {
        ww_diag_set(diag, name, line, 0, "%s",
                    rc == WW_ELIMIT ? "too many indicators" : "out of memory");
        ww__intel_truncate(set, n0, s0, k0);
    }
    return rc;
}

/* What a file holds, from its first bytes: 's' STIX, 'm' MISP, 'l' anything else. */
static int sniff(const char *data, size_t len)
{
    const char *p = data, *e = data + (len < 65536 ? len : 65536);
    if (e - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
        p += 3;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (p == e || (*p != '{' && *p != '['))
        return 'l';
    size_t n = (size_t)(e - p);
    if (memmem(p, n, "\"Event\"", 7) || memmem(p, n, "\"response\"", 10))
        return 'm';
    return 's'; /* any other JSON: the STIX parser says what it is not */
}

int ww_intel_import_path(const char *path, const ww_intel_opts_t *o, ww_intel_set_t *set,
                         ww_diag_t *diag)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        ww_diag_set(diag, path, 0, 0, "no such file or directory");
        return WW_ENOENT;
    }
    if (S_ISDIR(st.st_mode)) {
        char m[4200];
        snprintf(m, sizeof m, "%s/manifest.json", path);
        if (stat(m, &st) != 0) {
            ww_diag_set(diag, path, 0, 0,
                        "a directory is read as a MISP feed, and this one has no manifest.json");
            return WW_EINVAL;
        }
        return ww__intel_misp_feed(path, o, set, diag);
    }
    char *data = NULL;
    size_t len = 0;
    int rc = ww_read_file(path, WW_INTEL_MAX_FILE, &data, &len);
    if (rc) {
        ww_diag_set(diag, path, 0, 0, "cannot read: %s",
                    rc == WW_ELIMIT ? "larger than 1 GiB" : ww_strerror(rc));
        return rc;
    }
    int kind = o->type ? 'l' : sniff(data, len);
    if (kind == 's')
        rc = ww_intel_parse_stix(path, data, len, o, set, diag);
    else if (kind == 'm')
        rc = ww_intel_parse_misp(path, data, len, o, set, diag);
    else if (!o->type) {
        ww_diag_set(diag, path, 1, 1,
                    "neither a STIX bundle nor a MISP event: a plain list needs --type and "
                    "--source");
        rc = WW_EINVAL;
    } else
        rc = ww_intel_parse_list(path, data, len, o, set, diag);
    free(data);
    return rc;
}
