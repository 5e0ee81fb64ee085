/* Linux audit records, as auditd writes them to audit.log ("type=SYSCALL
 * msg=audit(1700000000.123:456): arch=c000003e syscall=59 ..."), as audisp and the
 * kernel forward them to syslog ("node=h type=...", "audit: type=1300 audit(...): ..."),
 * and as journald prints user records ("USER_AUTH pid=... msg='op=... res=failed'").
 * Fields keep auditd's names (type, syscall, exe, comm, key, a0..aN, name, cwd,
 * proctitle, ...), which SigmaHQ's linux/auditd rules use; hex-encoded values are
 * decoded; the enriched section (after 0x1d: ARCH=, SYSCALL=, AUID=, ...) is kept under
 * its upper-case names, and SYSCALL is filled from a syscall table when auditd did not
 * enrich the record.  Login records also get the normalised authentication fields. */
#include "event/ww_syslog_int.h"

/* Record type numbers the kernel prints before auditd names them. */
static const struct {
    uint16_t id;
    const char *name;
} types[] = {
    {1006, "LOGIN"},         {1100, "USER_AUTH"},
    {1101, "USER_ACCT"},     {1102, "USER_MGMT"},
    {1103, "CRED_ACQ"},      {1104, "CRED_DISP"},
    {1105, "USER_START"},    {1106, "USER_END"},
    {1109, "USER_ERR"},      {1110, "CRED_REFR"},
    {1112, "USER_LOGIN"},    {1113, "USER_LOGOUT"},
    {1114, "ADD_USER"},      {1115, "DEL_USER"},
    {1116, "ADD_GROUP"},     {1117, "DEL_GROUP"},
    {1123, "USER_CMD"},      {1124, "USER_TTY"},
    {1130, "SERVICE_START"}, {1131, "SERVICE_STOP"},
    {1300, "SYSCALL"},       {1302, "PATH"},
    {1303, "IPC"},           {1304, "SOCKETCALL"},
    {1305, "CONFIG_CHANGE"}, {1306, "SOCKADDR"},
    {1307, "CWD"},           {1309, "EXECVE"},
    {1319, "TTY"},           {1320, "EOE"},
    {1325, "NETFILTER_CFG"}, {1326, "SECCOMP"},
    {1327, "PROCTITLE"},     {1330, "KERN_MODULE"},
    {1334, "BPF"},           {1400, "AVC"},
    {1701, "ANOM_ABEND"},    {2100, "ANOM_LOGIN_FAILURES"},
};

/* x86_64 syscall numbers SigmaHQ rules and investigators ask about by name. */
static const struct {
    uint16_t nr;
    const char *name;
} sys_x86_64[] = {
    {0, "read"},
    {1, "write"},
    {2, "open"},
    {41, "socket"},
    {42, "connect"},
    {43, "accept"},
    {44, "sendto"},
    {49, "bind"},
    {50, "listen"},
    {56, "clone"},
    {57, "fork"},
    {58, "vfork"},
    {59, "execve"},
    {62, "kill"},
    {76, "truncate"},
    {77, "ftruncate"},
    {82, "rename"},
    {85, "creat"},
    {86, "link"},
    {87, "unlink"},
    {88, "symlink"},
    {90, "chmod"},
    {91, "fchmod"},
    {92, "chown"},
    {99, "sysinfo"},
    {101, "ptrace"},
    {105, "setuid"},
    {106, "setgid"},
    {133, "mknod"},
    {157, "prctl"},
    {159, "adjtimex"},
    {161, "chroot"},
    {164, "settimeofday"},
    {165, "mount"},
    {166, "umount2"},
    {170, "sethostname"},
    {175, "init_module"},
    {176, "delete_module"},
    {188, "setxattr"},
    {227, "clock_settime"},
    {246, "kexec_load"},
    {257, "openat"},
    {259, "mknodat"},
    {263, "unlinkat"},
    {264, "renameat"},
    {268, "fchmodat"},
    {272, "unshare"},
    {288, "accept4"},
    {298, "perf_event_open"},
    {308, "setns"},
    {310, "process_vm_readv"},
    {311, "process_vm_writev"},
    {313, "finit_module"},
    {316, "renameat2"},
    {319, "memfd_create"},
    {321, "bpf"},
    {322, "execveat"},
};

/* aarch64 (generic syscall table) for the same questions. */
static const struct {
    uint16_t nr;
    const char *name;
} sys_aarch64[] = {
    {33, "mknodat"},      {35, "unlinkat"},       {38, "renameat"},      {56, "openat"},
    {105, "init_module"}, {106, "delete_module"}, {117, "ptrace"},       {129, "kill"},
    {179, "sysinfo"},     {198, "socket"},        {200, "bind"},         {203, "connect"},
    {220, "clone"},       {221, "execve"},        {273, "finit_module"}, {279, "memfd_create"},
    {280, "bpf"},         {281, "execveat"},
};

static const char *syscall_name(ww_str_t arch, ww_str_t nr)
{
    int64_t n;
    if (ww_parse_i64(nr.p, nr.n, &n) != 0 || n < 0 || n > 65535)
        return NULL;
    if (ww_str_ieq_z(arch, "c000003e")) {
        for (size_t i = 0; i < WW_ARRAY_LEN(sys_x86_64); i++)
            if (sys_x86_64[i].nr == n)
                return sys_x86_64[i].name;
    } else if (ww_str_ieq_z(arch, "c00000b7")) {
        for (size_t i = 0; i < WW_ARRAY_LEN(sys_aarch64); i++)
            if (sys_aarch64[i].nr == n)
                return sys_aarch64[i].name;
    }
    return NULL;
}

static bool is_upper_hex(ww_str_t v)
{
    if (v.n < 2 || v.n % 2)
        return false;
    for (size_t i = 0; i < v.n; i++)
        if (!ww__isdig(v.p[i]) && !(v.p[i] >= 'A' && v.p[i] <= 'F'))
            return false;
    return true;
}

/* auditd hex-encodes values with spaces, quotes or control characters. */
static bool hex_key(ww_str_t type, ww_str_t k)
{
    if (k.n >= 2 && k.p[0] == 'a' && ww__isdig(k.p[1]) && ww_str_eq(type, WW_STR("EXECVE"))) {
        for (size_t i = 2; i < k.n; i++)
            if (!ww__isdig(k.p[i]) && k.p[i] != '[' && k.p[i] != ']')
                return false;
        return true;
    }
    static const char *const keys[] = {"proctitle", "name", "cwd",  "comm", "exe", "key",
                                       "acct",      "cmd",  "data", "path", "new", "old"};
    for (size_t i = 0; i < WW_ARRAY_LEN(keys); i++)
        if (ww__eqz(k, keys[i]))
            return true;
    return false;
}

static int hexval(char c)
{
    return ww__isdig(c) ? c - '0' : c - 'A' + 10;
}

/* Decodes into the arena; NULs (proctitle's argument separators) become spaces and a
 * trailing one is dropped. */
static int hex_decode(ww_event_t *ev, ww_str_t v, ww_str_t *out)
{
    size_t n = v.n / 2;
    char *o = ww_arena_alloc(&ev->arena, n + 1);
    if (!o)
        return WW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = (char)(hexval(v.p[2 * i]) * 16 + hexval(v.p[2 * i + 1]));
        o[i] = c ? c : ' ';
    }
    while (n && o[n - 1] == ' ' && v.p[2 * n - 2] == '0' && v.p[2 * n - 1] == '0')
        n--;
    o[n] = 0;
    *out = (ww_str_t){o, n};
    return 0;
}

typedef struct arec {
    ww_str_t type, arch, syscall, sysname, acct, id, addr, hostname, exe, res, terminal, op;
    /* How often addr= and hostname= occurred: auditd writes each once, so a second
       one is text that a value (a PAM_RHOST with spaces) spelled out. */
    uint8_t naddr, nhostname;
} arec_t;

static void remember(arec_t *r, ww_str_t k, ww_str_t v)
{
    if (ww_str_eq(k, WW_STR("arch")))
        r->arch = v;
    else if (ww_str_eq(k, WW_STR("syscall")))
        r->syscall = v;
    else if (ww_str_eq(k, WW_STR("SYSCALL")))
        r->sysname = v;
    else if (ww_str_eq(k, WW_STR("acct")))
        r->acct = v;
    else if (ww_str_eq(k, WW_STR("id")))
        r->id = v;
    else if (ww_str_eq(k, WW_STR("addr")) && r->naddr++ == 0)
        r->addr = v;
    else if (ww_str_eq(k, WW_STR("hostname")) && r->nhostname++ == 0)
        r->hostname = v;
    else if (ww_str_eq(k, WW_STR("exe")))
        r->exe = v;
    else if (ww_str_eq(k, WW_STR("res")) || ww_str_eq(k, WW_STR("success")))
        r->res = v;
    else if (ww_str_eq(k, WW_STR("terminal")))
        r->terminal = v;
    else if (ww_str_eq(k, WW_STR("op")))
        r->op = v;
}

static bool numeric_key(ww_str_t k)
{
    static const char *const keys[] = {"pid",  "ppid",  "uid",  "gid",   "auid",   "euid",
                                       "suid", "fsuid", "egid", "sgid",  "fsgid",  "ses",
                                       "exit", "items", "argc", "inode", "syscall"};
    for (size_t i = 0; i < WW_ARRAY_LEN(keys); i++)
        if (ww__eqz(k, keys[i]))
            return true;
    return false;
}

/* k=v k="v" k='a=b c=d' ... up to the end; depth 1 allows one quoted message. */
static int parse_kv(ww_event_t *ev, const char *p, const char *e, arec_t *r, int depth)
{
    int rc = 0;
    while (p < e && rc == 0) {
        while (p < e && (*p == ' ' || *p == '\x1d' || *p == ','))
            p++;
        const char *k = p;
        while (p < e && *p != '=' && *p != ' ' && *p != '\x1d')
            p++;
        if (p >= e || *p != '=')
            continue; /* a bare word: not a field */
        ww_str_t key = ww__s(k, p);
        p++;
        ww_str_t val;
        bool quoted = false;
        if (p < e && (*p == '"' || *p == '\'')) {
            char q = *p++;
            const char *v = p;
            bool msg = q == '\'' && depth == 0 && ww_str_eq(key, WW_STR("msg"));
            if (msg) {
                /* A user-space record's msg='...' ends at the record's last quote
                   (before auditd's enrichment, which starts at 0x1d): values inside
                   may hold a single quote (auditd encodes only '"', spaces and
                   control bytes), and the first one must not end msg and let the
                   rest pass for the record's own fields. */
                const char *gs = memchr(v, '\x1d', (size_t)(e - v));
                const char *lq = memrchr(v, '\'', (size_t)((gs ? gs : e) - v));
                p = lq ? lq : (gs ? gs : e);
            } else {
                while (p < e && *p != q)
                    p++;
            }
            val = ww__s(v, p);
            if (p < e && *p == q)
                p++;
            quoted = true;
            if (msg) {
                /* User-space records: the interesting fields are inside msg='...'. */
                rc = parse_kv(ev, val.p, val.p + val.n, r, 1);
                continue;
            }
        } else {
            const char *v = p;
            while (p < e && *p != ' ' && *p != '\x1d')
                p++;
            val = ww__s(v, p);
        }
        if (!key.n)
            continue;
        if (!quoted && hex_key(r->type, key) && is_upper_hex(val) &&
            (rc = hex_decode(ev, val, &val)))
            break;
        remember(r, key, val);
        rc = ww_event_add(ev, key, val, !quoted && numeric_key(key) ? WW_F_INT : WW_F_STR);
    }
    return rc;
}

/* "audit(1700000000.123:456)" -> ts and serial.  Returns the byte after ')', or NULL
 * when malformed (or *rc set when out of memory). */
static const char *parse_stamp(ww_event_t *ev, const char *p, const char *e, int *rc)
{
    const char *s = p + 6, *q = s;
    int64_t sec = 0, ms = 0;
    int nd = 0;
    while (q < e && ww__isdig(*q) && nd < 12) {
        sec = sec * 10 + (*q++ - '0');
        nd++;
    }
    if (nd == 0 || q >= e)
        return NULL;
    if (*q == '.') {
        int nf = 0;
        for (q++; q < e && ww__isdig(*q); q++, nf++)
            if (nf < 3)
                ms = ms * 10 + (*q - '0');
        for (; nf < 3; nf++)
            ms *= 10;
    }
    if (q >= e || *q != ':')
        return NULL;
    const char *ser = ++q;
    while (q < e && ww__isdig(*q))
        q++;
    if (q == ser || q >= e || *q != ')')
        return NULL;
    /* Twelve digits of seconds overflow int64 nanoseconds (audit(17200000000.1:2)):
       a time past 2262 is no time at all, but the record is still decoded. */
    if (sec <= (INT64_MAX - 999000000LL) / 1000000000LL)
        ev->ts = sec * 1000000000LL + ms * 1000000LL;
    *rc = ww_event_add(ev, WW_STR("msg"), ww__s(p, q + 1), WW_F_STR);
    if (*rc == 0)
        *rc = ww_event_add(ev, WW_STR("serial"), ww__s(ser, q), WW_F_INT);
    return q + 1;
}

static bool is_auth_type(ww_str_t t)
{
    return ww_str_eq(t, WW_STR("USER_AUTH")) || ww_str_eq(t, WW_STR("USER_LOGIN")) ||
           ww_str_eq(t, WW_STR("USER_ERR")) || ww_str_eq(t, WW_STR("ANOM_LOGIN_FAILURES"));
}

static ww_str_t basename_of(ww_str_t s)
{
    for (size_t i = s.n; i-- > 0;)
        if (s.p[i] == '/')
            return ww__s(s.p + i + 1, s.p + s.n);
    return s;
}

static bool unset(ww_str_t v)
{
    return !v.n || (v.n == 1 && v.p[0] == '?') || ww_str_eq(v, WW_STR("(none)"));
}

/* Programs whose hostname= is the client's unchecked reverse DNS name (login -h from
 * telnetd or rlogind, vsftpd): libaudit's addr= is that name looked up again, and a PTR
 * record that spells a dotted quad resolves to it. */
static bool exe_host_is_ptr(ww_str_t exe)
{
    static const char *const names[] = {"login",      "in.rlogind", "rlogind",
                                        "in.telnetd", "telnetd",    "in.rshd",
                                        "rshd",       "in.rexecd",  "vsftpd"};
    for (size_t i = 0; i < WW_ARRAY_LEN(names); i++)
        if (ww__eqz(exe, names[i]))
            return true;
    return false;
}

/* Whether addr= is the peer's address.  A program that knows the peer passes it
 * (sshd: "hostname=? addr=A"); one that passes only a host leaves libaudit to resolve
 * that host into addr=.  A resolved IP literal is itself ("hostname=A addr=A"), but a
 * resolved name is whatever its DNS says, chosen by whoever runs that DNS (sshd with
 * UseDNS accepts a name with the peer among its addresses; the first one need not be
 * the peer).  So addr= counts when hostname= is unset or the same text, once each. */
static bool host_from_addr(const arec_t *r, ww_str_t exe)
{
    if (unset(r->addr) || r->naddr > 1 || r->nhostname > 1)
        return false;
    /* A DNS name never holds ':': an IPv6 addr= was not resolved from a PTR name. */
    if (exe_host_is_ptr(exe) && !memchr(r->addr.p, ':', r->addr.n))
        return false;
    return unset(r->hostname) || ww_str_eq(r->hostname, r->addr);
}

int ww__auditd_record(ww_event_t *ev, ww_str_t msg)
{
    const char *p = msg.p, *e = msg.p + msg.n;
    arec_t r = {0};
    int rc = 0;
    if (WW__STARTS(msg, "audit: "))
        p += 7;
    if (e - p > 5 && memcmp(p, "node=", 5) == 0) {
        const char *v = p + 5;
        while (p < e && *p != ' ')
            p++;
        if ((rc = ww__add(ev, "node", ww__s(v, p))))
            return rc;
        while (p < e && *p == ' ')
            p++;
    }
    if (e - p > 5 && memcmp(p, "type=", 5) == 0) {
        const char *v = p + 5;
        while (p < e && *p != ' ')
            p++;
        r.type = ww__s(v, p);
    } else {
        /* journald: "USER_AUTH pid=..." */
        const char *v = p;
        while (p < e && ((*p >= 'A' && *p <= 'Z') || *p == '_'))
            p++;
        if (p - v < 3 || p >= e || *p != ' ')
            return 0;
        r.type = ww__s(v, p);
    }
    if (!r.type.n)
        return 0;
    int64_t tn;
    if (ww_parse_i64(r.type.p, r.type.n, &tn) == 0) {
        rc = ww_event_add(ev, WW_STR("type_id"), r.type, WW_F_INT);
        for (size_t i = 0; i < WW_ARRAY_LEN(types); i++)
            if (types[i].id == tn)
                r.type = WW_STRZ(types[i].name);
    }
    if (rc == 0)
        rc = ww__add(ev, "type", r.type);
    if (rc)
        return rc;
    while (p < e && *p == ' ')
        p++;
    if (e - p > 4 && memcmp(p, "msg=", 4) == 0)
        p += 4;
    if (e - p > 6 && memcmp(p, "audit(", 6) == 0) {
        const char *q = parse_stamp(ev, p, e, &rc);
        if (rc)
            return rc;
        if (q)
            p = q < e && *q == ':' ? q + 1 : q;
    }
    rc = parse_kv(ev, p, e, &r, 0);
    if (rc == 0 && !r.sysname.n && r.syscall.n) {
        const char *name = syscall_name(r.arch, r.syscall);
        if (name)
            rc = ww__add(ev, "SYSCALL", WW_STRZ(name));
    }
    if (rc == 0 && is_auth_type(r.type)) {
        ww__auth_t a = {.event = "audit"};
        a.user = unset(r.acct) ? (ww_str_t){0} : r.acct;
        ww_str_t exe = basename_of(r.exe);
        if (ww_str_eq(exe, WW_STR("sshd-session")))
            exe = WW_STR("sshd");
        ww_str_t host = unset(r.hostname) || r.nhostname > 1 ? (ww_str_t){0} : r.hostname;
        a.src_ip = host_from_addr(&r, exe) ? r.addr : host;
        a.name_only = !a.src_ip.p || a.src_ip.p != r.addr.p;
        if (ww_str_eq(r.type, WW_STR("ANOM_LOGIN_FAILURES")) || ww_str_eq(r.res, WW_STR("failed")))
            a.outcome = "failure";
        else if (ww_str_eq(r.res, WW_STR("success")))
            a.outcome = "success";
        a.service = exe;
        rc = ww__add_auth(ev, &a);
    }
    if (rc)
        return rc;
    ev->product = WW_STR("linux");
    ev->service = WW_STR("auditd");
    return 1;
}
