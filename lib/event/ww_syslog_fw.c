/* Firewall messages: Linux netfilter/nftables LOG lines (`IN= OUT= SRC= DST= PROTO=
 * SPT= DPT=`), FortiGate key=value logs (traffic, UTM, event and VPN), and Cisco ASA /
 * FTD messages (connection built/teardown, ACL denies, AAA and VPN logins).  Native
 * fields are kept under the names the device writes; the normalised flow fields
 * (src_ip src_port dst_ip dst_port proto action) and, for logins, the authentication
 * fields are added next to them (notes on the field contract). */
#include "event/ww_syslog_int.h"

static const char *const ALLOW = "allow", *const DENY = "deny";

static inline bool ieq(ww_str_t s, const char *z)
{
    return ww__ieqz(s, z);
}

/* Case-insensitive search of a lowercase literal in a short string. */
static bool icontains(ww_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t i = 0; i + n <= s.n; i++) {
        size_t j = 0;
        while (j < n && ww_lower((unsigned char)s.p[i + j]) == (unsigned char)lit[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* IP protocol numbers to the names rules use. */
static ww_str_t proto_name(ww_str_t p)
{
    static const struct {
        const char *num, *name;
    } m[] = {{"1", "icmp"}, {"6", "tcp"},  {"17", "udp"}, {"58", "icmpv6"},
             {"47", "gre"}, {"50", "esp"}, {"51", "ah"},  {"132", "sctp"}};
    for (size_t i = 0; i < WW_ARRAY_LEN(m); i++)
        if (ww__eqz(p, m[i].num))
            return WW_STRZ(m[i].name);
    return p;
}

static int add_flow(ww_event_t *ev, ww_str_t src, ww_str_t sport, ww_str_t dst, ww_str_t dport,
                    ww_str_t proto)
{
    int rc = 0;
    /* Only a well-formed address is an endpoint ("any", "NP Identity Ifc", a
       truncated token are not). */
    if (src.n && ww__addr_kind(src) != WW__ADDR_IP)
        src = sport = (ww_str_t){0};
    if (dst.n && ww__addr_kind(dst) != WW__ADDR_IP)
        dst = dport = (ww_str_t){0};
    if (src.n)
        rc = ww__add(ev, "src_ip", src);
    if (rc == 0 && sport.n)
        rc = ww__add_int(ev, "src_port", sport);
    if (rc == 0 && dst.n)
        rc = ww__add(ev, "dst_ip", dst);
    if (rc == 0 && dport.n)
        rc = ww__add_int(ev, "dst_port", dport);
    if (rc == 0 && proto.n)
        rc = ww__add_lower(ev, "proto", proto_name(proto));
    return rc;
}

/* ---- netfilter ------------------------------------------------------------------ */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* High bit set in each byte of x that is zero; exact for the lowest such byte (bits
 * above it may be false positives, so only the lowest is used). */
static inline uint64_t zero_bytes(uint64_t x)
{
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}
#endif

/* The end of the token at p (the next space, or e); *eq = its first '=' or NULL.
 * Eight bytes a step where the byte order allows: the byte loop over every LOG
 * line's twenty-odd tokens was a third of netfilter decoding. */
static const char *nf_token(const char *p, const char *e, const char **eq)
{
    const char *q = NULL;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (e - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t sp = zero_bytes(w ^ 0x2020202020202020ULL);
        if (!q) {
            uint64_t m = zero_bytes(w ^ 0x3d3d3d3d3d3d3d3dULL);
            if (m)
                q = p + (__builtin_ctzll(m) >> 3);
        }
        if (sp) {
            const char *s = p + (__builtin_ctzll(sp) >> 3);
            *eq = q && q < s ? q : NULL;
            return s;
        }
        p += 8;
    }
#endif
    while (p < e && *p != ' ') {
        if (*p == '=' && !q)
            q = p;
        p++;
    }
    *eq = q;
    return p;
}

/* The log prefix is free text chosen by whoever wrote the rule ("[UFW BLOCK]",
 * "iptables-dropped: ", "nft drop in:"); its words are the only hint of the verdict. */
static const char *verdict_of_prefix(ww_str_t pre)
{
    static const char *const deny[] = {"block", "drop", "reject", "deny", "denied"};
    static const char *const allow[] = {"allow", "accept", "pass", "permit"};
    for (size_t i = 0; i < WW_ARRAY_LEN(deny); i++)
        if (icontains(pre, deny[i]))
            return DENY;
    for (size_t i = 0; i < WW_ARRAY_LEN(allow); i++)
        if (icontains(pre, allow[i]))
            return ALLOW;
    return NULL;
}

int ww__fw_netfilter(ww_event_t *ev, ww_str_t msg, bool addrs)
{
    const char *e = msg.p + msg.n, *in = WW__FIND(msg, "IN=");
    while (in && in != msg.p && in[-1] != ' ' && in[-1] != ']' && in[-1] != ':')
        in = WW__FIND(ww__s(in + 1, e), "IN=");
    if (!in)
        return 0;
    ww_str_t pre = ww__s(msg.p, in);
    if (pre.n && pre.p[0] == '[') {
        const char *rb = memchr(pre.p, ']', pre.n);
        if (rb && rb > pre.p + 1 && ww__isdig(rb[-1]) && (pre.p[1] == ' ' || ww__isdig(pre.p[1])))
            pre = ww__s(rb + 1, pre.p + pre.n);
    }
    while (pre.n && pre.p[0] == ' ')
        pre.p++, pre.n--;
    while (pre.n && pre.p[pre.n - 1] == ' ')
        pre.n--;
    int rc = pre.n ? ww__add(ev, "prefix", pre) : 0;
    ww_str_t src = {0}, dst = {0}, spt = {0}, dpt = {0}, proto = {0};
    const char *p = in;
    /* The kernel writes the packet as one run: "IN= OUT= [PHYSIN= PHYSOUT=] [MAC= |
       MACSRC= MACDST= MACPROTO=] SRC= DST= LEN= ... PROTO= ...", upper-case keys only.
       Any other word before SRC=, or SRC= DST= LEN= not in a row, or no PROTO= after
       them, means the text only looks like a packet (a process name, a device string
       or a file name the kernel printed, a line of some program's log): its addresses
       are not taken.  `seq` counts SRC=, DST=, LEN= seen in a row (3: the header). */
    int seq = 0;
    bool packet = true, have_proto = false;
    while (p < e && rc == 0) {
        while (p < e && *p == ' ')
            p++;
        if (p >= e || *p == '[')
            break; /* "[SRC=... ]": the packet quoted inside an ICMP error */
        /* One pass finds the token's end and its first '=' (a memchr per token was
           a tenth of syslog decoding). */
        const char *t = p, *eq;
        p = nf_token(p, e, &eq);
        if (!eq) {
            if (seq < 3)
                packet = false;
            rc = ww__add(ev, "flags", ww__s(t, p));
            continue;
        }
        ww_str_t k = ww__s(t, eq), v = ww__s(eq + 1, p);
        if (!k.n) {
            packet = false;
            continue;
        }
        if (seq < 3) {
            for (size_t i = 0; i < k.n && packet; i++)
                packet = (k.p[i] >= 'A' && k.p[i] <= 'Z') || ww__isdig(k.p[i]) || k.p[i] == '_';
            static const char *const hdr[3] = {"SRC", "DST", "LEN"};
            if (ww__eqz(k, hdr[seq]))
                seq++;
            else if (seq > 0)
                packet = false;
        } else if (k.n == 5 && ww_str_eq(k, WW_STR("PROTO"))) {
            have_proto = true;
        }
        /* Keys by length first: most tokens are compared with at most four names. */
        bool num = false;
        switch (k.n) {
        case 3:
            num = WW__IEQ(k, "SPT") || WW__IEQ(k, "DPT") || WW__IEQ(k, "LEN") || WW__IEQ(k, "TTL");
            if (ww_str_eq(k, WW_STR("SRC")) && !src.p)
                src = v;
            else if (ww_str_eq(k, WW_STR("DST")) && !dst.p)
                dst = v;
            else if (ww_str_eq(k, WW_STR("SPT")))
                spt = v;
            else if (ww_str_eq(k, WW_STR("DPT")))
                dpt = v;
            break;
        case 5:
            if (ww_str_eq(k, WW_STR("PROTO")))
                proto = v;
            break;
        case 6: num = WW__IEQ(k, "WINDOW"); break;
        case 8: num = WW__IEQ(k, "HOPLIMIT"); break;
        default: break;
        }
        int64_t x;
        if (!num)
            rc = ww__add_str(ev, k, v);
        else if (ww__small_uint(v, &x))
            rc = ww__add_uint(ev, k, v, x);
        else
            rc = ww_event_add(ev, k, v, WW_F_INT);
    }
    if (!addrs || !packet || seq < 3 || !have_proto)
        src = dst = spt = dpt = (ww_str_t){0};
    if (rc == 0)
        rc = add_flow(ev, src, spt, dst, dpt, proto);
    const char *verdict = verdict_of_prefix(pre);
    if (rc == 0 && verdict)
        rc = ww__add(ev, "action", WW_STRZ(verdict));
    if (rc)
        return rc;
    ev->product = WW_STR("linux");
    ev->service = WW_STR("kernel");
    ev->category = WW_STR("firewall");
    return 1;
}

/* ---- FortiGate ------------------------------------------------------------------ */

static const char *forti_verdict(ww_str_t a)
{
    static const char *const allow[] = {"accept",  "close", "timeout", "server-rst", "client-rst",
                                        "ip-conn", "dns",   "start",   "pass",       "passthrough"};
    static const char *const deny[] = {"deny", "drop", "block", "blocked", "reject", "dropped"};
    for (size_t i = 0; i < WW_ARRAY_LEN(allow); i++)
        if (ieq(a, allow[i]))
            return ALLOW;
    for (size_t i = 0; i < WW_ARRAY_LEN(deny); i++)
        if (ieq(a, deny[i]))
            return DENY;
    return NULL;
}

/* "eventtime=" is seconds, microseconds or nanoseconds depending on the FortiOS
 * release; the digit count tells which. */
static void forti_time(ww_event_t *ev, ww_str_t et)
{
    int64_t v;
    if (ww_parse_i64(et.p, et.n, &v) != 0 || v <= 0)
        return;
    /* Every multiplication is checked first: ten digits of seconds already overflow
       int64 nanoseconds (9999999999). */
    int64_t mul = et.n <= 10 ? 1000000000LL : et.n <= 13 ? 1000000LL : et.n <= 16 ? 1000LL : 1;
    if (et.n > 19 || v > INT64_MAX / mul)
        return;
    ev->ts = v * mul;
}

int ww__fw_fortigate(ww_event_t *ev, ww_str_t msg)
{
    const char *p = msg.p, *e = msg.p + msg.n;
    ww_str_t type = {0}, subtype = {0}, action = {0}, srcip = {0}, dstip = {0}, sport = {0},
             dport = {0}, proto = {0}, remip = {0}, status = {0}, logdesc = {0}, etime = {0},
             date = {0}, tod = {0};
    int rc = 0, n = 0, nsrc = 0, ndst = 0, nrem = 0;
    bool broken = false; /* a quoted value did not end where a value ends */
    while (p < e && rc == 0) {
        while (p < e && *p == ' ')
            p++;
        const char *k = p;
        while (p < e && *p != '=' && *p != ' ')
            p++;
        if (p >= e || *p != '=') {
            continue; /* a word without '=': skip it */
        }
        ww_str_t key = ww__s(k, p);
        const char *v = ++p;
        ww_str_t val;
        if (p < e && *p == '"') {
            /* A backslash escapes the next byte, another backslash included: a value
               that ends in an escaped backslash still ends at its quote.  A quote
               that is not followed by a space or the end did not end a value: the
               line's quoting cannot be trusted, nor the endpoints read from it. */
            v = ++p;
            while (p < e && *p != '"')
                p += *p == '\\' && p + 1 < e ? 2 : 1;
            val = ww__s(v, p);
            if (p < e)
                p++;
            if (p < e && *p != ' ')
                broken = true;
        } else {
            while (p < e && *p != ' ')
                p++;
            val = ww__s(v, p);
        }
        if (!key.n)
            continue;
        n++;
        int type_ = WW_F_STR;
        if (WW__IEQ(key, "srcport") || WW__IEQ(key, "dstport") || WW__IEQ(key, "policyid") ||
            WW__IEQ(key, "sentbyte") || WW__IEQ(key, "rcvdbyte") || WW__IEQ(key, "duration"))
            type_ = WW_F_INT;
        rc = ww_event_add(ev, key, val, type_);
        if (WW__IEQ(key, "type"))
            type = val;
        else if (WW__IEQ(key, "subtype"))
            subtype = val;
        else if (WW__IEQ(key, "action"))
            action = val;
        else if (WW__IEQ(key, "srcip"))
            srcip = val, nsrc++;
        else if (WW__IEQ(key, "dstip"))
            dstip = val, ndst++;
        else if (WW__IEQ(key, "srcport"))
            sport = val, nsrc++;
        else if (WW__IEQ(key, "dstport"))
            dport = val, ndst++;
        else if (WW__IEQ(key, "proto"))
            proto = val;
        else if (WW__IEQ(key, "remip"))
            remip = val, nrem++;
        else if (WW__IEQ(key, "status"))
            status = val;
        else if (WW__IEQ(key, "logdesc"))
            logdesc = val;
        else if (WW__IEQ(key, "eventtime"))
            etime = val;
        else if (WW__IEQ(key, "date"))
            date = val;
        else if (WW__IEQ(key, "time"))
            tod = val;
    }
    if (rc)
        return rc;
    if (n < 3)
        return 0;
    /* FortiOS writes each key once.  A second srcip/remip/... comes from a value that
       broke out of its quotes (a user name holding `" srcip=6.6.6.6 x="`): then no
       reading of the endpoint can be trusted. */
    if (broken || nsrc > 2 || (nsrc == 2 && (!srcip.n || !sport.n)))
        srcip = sport = (ww_str_t){0};
    if (broken || ndst > 2 || (ndst == 2 && (!dstip.n || !dport.n)))
        dstip = dport = (ww_str_t){0};
    if (broken || nrem > 1)
        remip = (ww_str_t){0};
    if (ev->ts == WW_TIME_NONE) {
        if (etime.n)
            forti_time(ev, etime);
        if (ev->ts == WW_TIME_NONE && date.n == 10 && tod.n == 8) {
            char buf[20];
            memcpy(buf, date.p, 10);
            buf[10] = 'T';
            memcpy(buf + 11, tod.p, 8);
            int64_t t;
            if (ww_time_parse_iso(buf, 19, &t) == 0)
                ev->ts = t;
        }
    }
    /* Logins: SSL VPN, IPsec XAuth, admin logins and firewall authentication. */
    bool vpn = WW__IEQ(subtype, "vpn");
    bool loginish = icontains(action, "login") || icontains(action, "auth") ||
                    icontains(logdesc, "login") || icontains(logdesc, "authentication");
    bool failed = icontains(action, "fail") || icontains(status, "fail") ||
                  icontains(logdesc, "fail") || WW__IEQ(status, "denied");
    ww__auth_t a = {.method = WW_STR("password"), .event = "login"};
    if (WW__IEQ(action, "ssl-login-fail") || (loginish && failed))
        a.outcome = "failure";
    else if (WW__IEQ(action, "tunnel-up") ||
             (loginish && (WW__IEQ(status, "success") || icontains(logdesc, "success"))))
        a.outcome = "success";
    /* The remote peer of a VPN login is remip; srcip is then the tunnel side. */
    ww_str_t src = a.outcome && remip.n ? remip : srcip;
    rc = add_flow(ev, src, sport, dstip, dport, (ww_str_t){0});
    /* Native proto is a number; the normalised name goes alongside it. */
    if (rc == 0 && proto.n) {
        ww_str_t pn = proto_name(proto);
        if (!ww_str_eq(pn, proto))
            rc = ww__add(ev, "proto", pn);
    }
    const char *verdict = WW__IEQ(type, "event") ? NULL : forti_verdict(action);
    if (rc == 0 && verdict && !ieq(action, verdict))
        rc = ww__add(ev, "action", WW_STRZ(verdict));
    if (rc == 0 && a.outcome) {
        /* user and src_ip are already fields (native user, src_ip above). */
        a.service = vpn                          ? WW_STR("vpn")
                    : WW__IEQ(subtype, "system") ? WW_STR("admin")
                                                 : WW_STR("firewall");
        if (WW__IEQ(action, "tunnel-up"))
            a.event = "tunnel_up";
        rc = ww__add_auth(ev, &a);
    }
    if (rc)
        return rc;
    ev->product = WW_STR("fortigate");
    ev->service = vpn ? WW_STR("vpn") : type;
    if (!a.outcome)
        ev->category = WW_STR("firewall");
    return 1;
}

/* ---- Cisco ASA ------------------------------------------------------------------ */

typedef struct ep {
    ww_str_t ifc, ip, port;
} ep_t;

/* "outside:10.0.0.5/445", "10.0.0.5/445", "outside:10.0.0.5", or the 106100 form
 * "outside/10.0.0.5(445)". */
static ep_t parse_ep(ww_str_t t)
{
    ep_t r = {0};
    if (!t.n) {
        r.ip = t; /* no endpoint (and maybe no pointer: no arithmetic on it) */
        return r;
    }
    const char *e = t.p + t.n, *lp = memchr(t.p, '(', t.n);
    if (lp && e > lp + 1 && e[-1] == ')') {
        const char *sl = memchr(t.p, '/', (size_t)(lp - t.p));
        if (sl) {
            r.ifc = ww__s(t.p, sl);
            r.ip = ww__s(sl + 1, lp);
        } else {
            r.ip = ww__s(t.p, lp);
        }
        r.port = ww__s(lp + 1, e - 1);
        return r;
    }
    const char *colon = t.n ? memchr(t.p, ':', t.n) : NULL;
    if (colon) {
        bool hex = true;
        for (const char *q = t.p; q < colon && hex; q++)
            hex = ww__isdig(*q) ||
                  (ww_lower((unsigned char)*q) >= 'a' && ww_lower((unsigned char)*q) <= 'f');
        if (!hex || colon == t.p) {
            r.ifc = ww__s(t.p, colon);
            t = ww__s(colon + 1, e);
        }
    }
    const char *sl = NULL;
    for (size_t i = t.n; i-- > 0;)
        if (t.p[i] == '/') {
            sl = t.p + i;
            break;
        }
    if (sl) {
        r.ip = ww__s(t.p, sl);
        r.port = ww__s(sl + 1, t.p + t.n);
        for (size_t i = 0; i < r.port.n; i++)
            if (!ww__isdig(r.port.p[i])) {
                r.port = (ww_str_t){0}; /* "ssh", "https": a service name */
                break;
            }
    } else {
        r.ip = t;
    }
    return r;
}

static bool is_proto(ww_str_t t)
{
    static const char *const names[] = {"tcp", "udp", "icmp", "icmp6", "icmpv6",
                                        "gre", "esp", "ah",   "sctp",  "ip"};
    for (size_t i = 0; i < WW_ARRAY_LEN(names); i++)
        if (ieq(t, names[i]))
            return true;
    return false;
}

/* The last occurrence of lit in s, or NULL. */
static const char *rfind(ww_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t i = s.n >= n ? s.n - n + 1 : 0; i-- > 0;)
        if (s.p[i] == lit[0] && memcmp(s.p + i, lit, n) == 0)
            return s.p + i;
    return NULL;
}

static size_t count(ww_str_t s, const char *lit)
{
    size_t k = 0, n = strlen(lit);
    for (const char *p = s.p; (p = ww__find(ww__s(p, s.p + s.n), lit, n)) != NULL; p += n)
        k++;
    return k;
}

static ww_str_t trim(ww_str_t s)
{
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '.' || s.p[s.n - 1] == ','))
        s.n--;
    while (s.n && s.p[0] == ' ')
        s.p++, s.n--;
    return s;
}

/* The ASA messages that name a user are parsed by their fixed structure, because
 * the user name is whatever the person logging in typed and may spell out the
 * message's own separators (" IP <6.6.6.6>", " : user IP = 6.6.6.6", ", Addr ").
 * The address is taken from the one place the device writes it: after the user name
 * when everything after it is the device's own text (then the LAST marker is the
 * device's), before the user name when it comes first (then the FIRST), and, where
 * the text after it is the client's too (722055's client type), only when the marker
 * occurs once. */

/* "AAA user authentication Rejected : reason = R : server = S : user = U : user IP =
 * A" (113005), "... : local database : user = U : user IP = A" (113015). */
static void asa_aaa(ww_str_t text, ww__auth_t *a, ww_str_t *reason)
{
    const char *e = text.p + text.n;
    const char *ip = rfind(text, "user IP = ");
    const char *u = WW__FIND(text, "user = ");
    const char *r = WW__FIND(text, "reason = ");
    if (r) {
        const char *re = WW__FIND(ww__s(r, e), " : ");
        *reason = trim(ww__s(r + 9, re ? re : e));
    }
    if (ip) {
        a->src_ip = trim(ww__s(ip + 10, e));
        /* The user is what lies between the first "user = " and the separator before
           the device's "user IP = " (" : " or ": "). */
        const char *ue = ip;
        while (ue > text.p && (ue[-1] == ' ' || ue[-1] == ':'))
            ue--;
        if (u && u + 7 <= ue)
            a->user = ww__s(u + 7, ue);
    } else if (u) {
        a->user = trim(ww__s(u + 7, e));
    }
}

/* "Group <G> User <U> IP <A> rest".  `fixed_tail`: rest is the device's own text. */
static void asa_angle(ww_str_t text, bool fixed_tail, ww__auth_t *a, ww_str_t *group)
{
    const char *e = text.p + text.n;
    if (!WW__STARTS(text, "Group <"))
        return;
    const char *ge = memchr(text.p + 7, '>', text.n - 7);
    if (!ge)
        return;
    *group = ww__s(text.p + 7, ge);
    const char *us = WW__FIND(ww__s(ge, e), " User <");
    const char *ip = (fixed_tail || count(text, " IP <") == 1) ? rfind(text, " IP <") : NULL;
    if (!us || !ip || ip < us + 7)
        return;
    const char *ie = memchr(ip + 5, '>', (size_t)(e - (ip + 5)));
    if (!ie)
        return;
    a->src_ip = ww__s(ip + 5, ie);
    if (ip > us + 7 && ip[-1] == '>')
        a->user = ww__s(us + 7, ip - 1);
}

static int asa_auth(ww_event_t *ev, long id, ww_str_t text)
{
    ww__auth_t a = {.service = WW_STR("vpn"), .event = "login"};
    const char *e = text.p + text.n;
    ww_str_t reason = {0}, group = {0};
    if (id == 113015 || id == 113005 || id == 113004 || id == 113012 || id == 113008) {
        asa_aaa(text, &a, &reason);
        a.outcome = (id == 113015 || id == 113005) ? "failure" : "success";
    } else if (id == 716039 || id == 716038 || id == 722051 || id == 113039 || id == 716001 ||
               id == 722055) {
        asa_angle(text, id != 722055, &a, &group);
        a.outcome = id == 716039 ? "failure" : "success";
    } else if (id == 716002 || id == 722037 || id == 722023 || id == 722028) {
        asa_angle(text, true, &a, &group);
        a.event = "disconnect";
    } else if (id == 611101 || id == 611102) {
        /* "User authentication failed: IP address: 1.2.3.4, Uname: alice": the
           address comes first, the user name last. */
        a.service = WW_STR("admin");
        const char *col = memchr(text.p, ':', text.n);
        if (col && e - col > 14 && memcmp(col, ": IP address: ", 14) == 0) {
            const char *q = col + 14;
            while (q < e && *q != ',' && *q != ' ')
                q++;
            a.src_ip = ww__s(col + 14, q);
        }
        const char *un = WW__FIND(text, "Uname: ");
        if (un)
            a.user = ww__s(un + 7, e);
        a.outcome = id == 611102 ? "failure" : "success";
    } else if (id == 605004 || id == 605005) {
        /* "Login denied from 1.2.3.4/5555 to outside:10.0.0.1/ssh for user "alice"" */
        a.service = WW_STR("admin");
        ww_str_t lead =
            id == 605004 ? WW_STR("Login denied from ") : WW_STR("Login permitted from ");
        if (ww__starts(text, lead.p, lead.n)) {
            const char *p0 = text.p + lead.n, *q = p0;
            while (q < e && *q != ' ')
                q++;
            ep_t s = parse_ep(ww__s(p0, q));
            a.src_ip = s.ip;
            a.src_port = s.port;
        }
        const char *u = WW__FIND(text, "for user \"");
        if (u && e - u > 11 && e[-1] == '"')
            a.user = ww__s(u + 10, e - 1);
        a.outcome = id == 605004 ? "failure" : "success";
    } else if (id == 734001) {
        /* "DAP: User U, Addr A, Connection C: The following DAP records were selected
           for this connection: ..." (the records are the administrator's names). */
        const char *m = rfind(text, ": The following DAP records");
        ww_str_t head = m ? ww__s(text.p, m) : (ww_str_t){0};
        const char *c = m ? rfind(head, ", Connection ") : NULL;
        const char *ad = c ? rfind(ww__s(text.p, c), ", Addr ") : NULL;
        if (ad) {
            a.src_ip = ww__s(ad + 7, c);
            if (WW__STARTS(text, "DAP: User ") && ad >= text.p + 10)
                a.user = ww__s(text.p + 10, ad);
        }
        a.event = "dap";
    } else if (id == 113019) {
        /* "Group = G, Username = U, IP = A, Session disconnected. Session Type: T, ...,
           Reason: R": the device's text follows the last "Session disconnected". */
        const char *m = rfind(text, ", Session disconnected.");
        const char *ip = m ? rfind(ww__s(text.p, m), ", IP = ") : NULL;
        const char *un = WW__FIND(text, ", Username = ");
        if (ip) {
            a.src_ip = ww__s(ip + 7, m);
            if (un && un + 13 <= ip)
                a.user = ww__s(un + 13, ip);
        }
        a.event = "disconnect";
    } else {
        return 0;
    }
    if (a.user.n == 0)
        a.user = (ww_str_t){0};
    int rc = 0;
    if (reason.n)
        rc = ww__add(ev, "reason", reason);
    if (rc == 0 && group.n)
        rc = ww__add(ev, "group", group);
    if (rc == 0)
        rc = ww__add_auth(ev, &a);
    return rc ? WW_ENOMEM : 1;
}

#define ASA_MAX_TOK 48

static int asa_flow(ww_event_t *ev, long id, ww_str_t text)
{
    ww_str_t tok[ASA_MAX_TOK];
    int nt = 0;
    const char *p = text.p, *e = text.p + text.n;
    while (p < e && nt < ASA_MAX_TOK) {
        while (p < e && *p == ' ')
            p++;
        const char *t = p;
        while (p < e && *p != ' ')
            p++;
        if (p > t)
            tok[nt++] = ww__s(t, p);
    }
    ww_str_t proto = {0}, s = {0}, d = {0}, dir = {0}, conn = {0}, acl = {0};
    const char *action = NULL;
    for (int i = 0; i < nt; i++) {
        ww_str_t t = tok[i];
        if (!proto.n && is_proto(t))
            proto = t;
        if (i + 1 < nt && !s.n && (WW__IEQ(t, "from") || WW__IEQ(t, "src") || WW__IEQ(t, "for")))
            s = tok[i + 1];
        else if (i + 1 < nt && !d.n && (WW__IEQ(t, "to") || WW__IEQ(t, "dst") || WW__IEQ(t, "->")))
            d = tok[i + 1];
        if (WW__IEQ(t, "->") && i > 0 && !s.n)
            s = tok[i - 1];
        /* 106100: "access-list ACL VERB PROTO ifc/src(port) [(user, sg)] -> ...": the
           source is at its fixed place, not wherever "->" follows. */
        if (i == 4 && id == 106100 && WW__IEQ(tok[0], "access-list"))
            s = t;
        if (WW__IEQ(t, "connection") && i + 1 < nt && ww__isdig(tok[i + 1].p[0]))
            conn = tok[i + 1];
        if ((WW__IEQ(t, "access-group") || WW__IEQ(t, "access-list")) && i + 1 < nt) {
            acl = tok[i + 1];
            if (acl.n >= 2 && acl.p[0] == '"' && acl.p[acl.n - 1] == '"')
                acl = ww__s(acl.p + 1, acl.p + acl.n - 1);
        }
        if (!action && (WW__IEQ(t, "deny") || WW__IEQ(t, "denied")))
            action = DENY;
        else if (!action && (WW__IEQ(t, "permitted") || WW__IEQ(t, "built") ||
                             WW__IEQ(t, "teardown") || WW__IEQ(t, "est-allowed")))
            action = ALLOW;
        if (i == 1 && (WW__IEQ(t, "inbound") || WW__IEQ(t, "outbound")))
            dir = t;
    }
    if (!s.n && !d.n)
        return 0;
    /* An identity-firewall user name ("(LOCAL\\name)") may follow an endpoint and
       hold words of its own: when the words that introduce endpoints occur more than
       once, the endpoints cannot be told apart and none is taken. */
    int nfor = 0, nto = 0, narrow = 0;
    for (int i = 0; i < nt; i++) {
        nfor += WW__IEQ(tok[i], "for") || WW__IEQ(tok[i], "from") || WW__IEQ(tok[i], "src");
        nto += WW__IEQ(tok[i], "to") || WW__IEQ(tok[i], "dst");
        narrow += WW__IEQ(tok[i], "->");
    }
    if (nfor > 1 || nto > 1 || narrow > 1 || nt == ASA_MAX_TOK)
        s = d = (ww_str_t){0};
    ep_t a = parse_ep(s), b = parse_ep(d);
    /* "Built outbound ... for <foreign> to <local>": the local side started it. */
    if (WW__IEQ(dir, "outbound") && (id == 302013 || id == 302015 || id == 302017)) {
        ep_t t = a;
        a = b;
        b = t;
    }
    int rc = add_flow(ev, a.ip, a.port, b.ip, b.port, proto);
    if (rc == 0 && a.ifc.n)
        rc = ww__add(ev, "src_interface", a.ifc);
    if (rc == 0 && b.ifc.n)
        rc = ww__add(ev, "dst_interface", b.ifc);
    if (rc == 0 && dir.n)
        rc = ww__add_lower(ev, "direction", dir);
    if (rc == 0 && conn.n)
        rc = ww__add(ev, "connection_id", conn);
    if (rc == 0 && acl.n)
        rc = ww__add(ev, "acl", acl);
    if (rc == 0 && action)
        rc = ww__add(ev, "action", WW_STRZ(action));
    return rc ? rc : 1;
}

int ww__fw_asa(ww_event_t *ev, ww_str_t msg)
{
    /* "%ASA-6-302013: text" */
    const char *p = msg.p + 5, *e = msg.p + msg.n;
    if (msg.n < 9 || !ww__isdig(*p) || p[1] != '-')
        return 0;
    ww_str_t sev = ww__s(p, p + 1);
    const char *id0 = p + 2, *q = id0;
    while (q < e && ww__isdig(*q))
        q++;
    if (q == id0 || q - id0 > 7 || q >= e || *q != ':')
        return 0;
    ww_str_t id = ww__s(id0, q);
    long idv = 0;
    for (const char *c = id0; c < q; c++)
        idv = idv * 10 + (*c - '0');
    ww_str_t text = ww__s(q + 1 < e && q[1] == ' ' ? q + 2 : q + 1, e);
    int rc = ww__add_int(ev, "message_id", id);
    if (rc == 0)
        rc = ww__add_int(ev, "asa_severity", sev);
    if (rc == 0)
        rc = ww__add(ev, "asa_message", text);
    if (rc)
        return rc;
    ev->product = WW_STR("cisco");
    ev->service = WW_STR("asa");
    ev->category = WW_STR("firewall");
    if ((idv >= 302013 && idv <= 302018) || (idv >= 106001 && idv <= 106023) || idv == 106100 ||
        idv == 710003 || idv == 710005)
        rc = asa_flow(ev, idv, text);
    else
        rc = asa_auth(ev, idv, text);
    return rc < 0 ? rc : 1;
}
