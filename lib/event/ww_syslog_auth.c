/* Linux authentication messages: sshd (OpenSSH 3.x to 10.x wording), PAM modules from
 * any program, sudo, su, login and dropbear.  Each program has a table of message
 * patterns, tried in order; the first that matches decides the outcome and names the
 * user, address and port, each from the place the program writes it, never from text
 * the client chose (see sshd_pats).  Unknown sshd wording still gets a failure outcome
 * from a keyword fallback, because new OpenSSH releases reword messages and a missed
 * brute force is worse than a coarse field; its address comes from its session.
 * Every line with a verdict also says how many credential checks it records
 * (auth_attempts), so that one try that writes three lines counts once. */
#include <stdio.h>

#include "event/ww_syslog_int.h"

/* ---- pattern matcher ------------------------------------------------------------ */

/* A pattern is literal text with captures:
 *   %u  user: any bytes, possibly empty or with spaces (greedy: the rightmost
 *       split wins, so text an attacker puts in a user name cannot move the
 *       address sshd writes after it)
 *   %v  a second name (token, no spaces)   %a address token   %m method token
 *   %t  tty token   %p port digits   %n number digits
 *   %_  any bytes, not captured   %*  the rest of the message (pattern end)
 * Without a final %* the pattern must match the whole message. */
typedef struct pcap {
    ww_str_t u, v, a, m, t, p, n;
} pcap_t;

static ww_str_t *slot(pcap_t *c, char k)
{
    switch (k) {
    case 'u': return &c->u;
    case 'v': return &c->v;
    case 'a': return &c->a;
    case 'm': return &c->m;
    case 't': return &c->t;
    case 'p': return &c->p;
    default: return &c->n;
    }
}

static bool pm(const char *pt, const char *s, const char *e, pcap_t *c)
{
    for (;;) {
        /* A run of literal text, in one tight loop. */
        while (*pt && *pt != '%') {
            if (s >= e || *s != *pt)
                return false;
            s++;
            pt++;
        }
        if (!*pt)
            return s == e;
        char k = pt[1];
        const char *rest = pt + 2;
        if (k == '*')
            return true;
        bool any = k == 'u' || k == '_';
        bool digits = k == 'p' || k == 'n';
        const char *lim = s;
        if (any)
            lim = e;
        else
            while (lim < e && *lim != ' ' && (!digits || ww__isdig(*lim)))
                lim++;
        size_t minlen = any ? 0 : 1, maxlen = (size_t)(lim - s);
        if (maxlen < minlen)
            return false;
        char next = (*rest && *rest != '%') ? *rest : 0;
        if (next) {
            /* The capture can only end where the next literal byte is: jump between
               those, rightmost first, instead of trying every length (a greedy %u
               over a long message was most of the matching time). */
            if (s >= e)
                return false;
            size_t hi = maxlen < (size_t)(e - s) ? maxlen : (size_t)(e - s) - 1;
            while (hi + 1 > minlen) {
                const char *q = memrchr(s + minlen, next, hi - minlen + 1);
                if (!q)
                    return false;
                if (pm(rest, q, e, c)) {
                    if (k != '_')
                        *slot(c, k) = ww__s(s, q);
                    return true;
                }
                if (q == s)
                    return false;
                hi = (size_t)(q - s) - 1;
            }
            return false;
        }
        if (!*rest) {
            /* The capture ends the pattern: it takes the rest of the message. */
            if ((size_t)(e - s) < minlen || (size_t)(e - s) > maxlen)
                return false;
            if (k != '_')
                *slot(c, k) = ww__s(s, e);
            return true;
        }
        /* Another capture follows directly: every split, longest first. */
        for (size_t len = maxlen + 1; len-- > minlen;) {
            const char *q = s + len;
            if (pm(rest, q, e, c)) {
                if (k != '_')
                    *slot(c, k) = ww__s(s, q);
                return true;
            }
        }
        return false;
    }
}

static bool pmatch(const char *pat, ww_str_t msg, pcap_t *c)
{
    memset(c, 0, sizeof *c);
    return pm(pat, msg.p, msg.p + msg.n, c);
}

/* Outcome codes in the tables. */
enum { O_NONE = 0, O_OK, O_FAIL, O_PREAUTH /* failure when "[preauth]" ends the line */ };
/* Or'ed into an sshd outcome: the pattern names an invalid (or "illegal") user, so the
 * event gets invalid_user=true.  A flag rather than a search of the pattern text for
 * every matched line. */
#define O_INVALID_USER 0x10
#define O_MASK 0x0f
/* The row records one credential check although its auth_event is not "attempt" (see
 * attempts_of()). */
#define O_ATTEMPT 0x80

typedef struct pat {
    const char *pat;
    uint8_t outcome;
    const char *event;
} pat_t;

static const char *const OUT_OK = "success", *const OUT_FAIL = "failure";

static bool ends_preauth(ww_str_t m)
{
    while (m.n && (m.p[m.n - 1] == ' ' || m.p[m.n - 1] == '.'))
        m.n--;
    return m.n >= 9 && memcmp(m.p + m.n - 9, "[preauth]", 9) == 0;
}

static const char *outcome_of(uint8_t o, ww_str_t msg)
{
    switch (o & O_MASK) {
    case O_OK: return OUT_OK;
    case O_FAIL: return OUT_FAIL;
    case O_PREAUTH: return ends_preauth(msg) ? OUT_FAIL : NULL;
    default: return NULL;
    }
}

/* ---- attempts ------------------------------------------------------------------- */

/* One failed login writes several lines: sshd's "Invalid user", PAM's "authentication
 * failure", sshd's "Failed password", a "[preauth]" disconnect, libpam's summary.
 * Exactly one of them records the credential check, and only that one gets
 * auth_attempts >= 1; the others get 0 (docs/decoders/syslog.md, "Counting
 * attempts").  A row records an attempt when its auth_event is "attempt" or it has
 * O_ATTEMPT. */
static int64_t attempts_of(const pat_t *t)
{
    return (t->outcome & O_ATTEMPT) || !strcmp(t->event, "attempt") ? 1 : 0;
}

/* The line is rsyslog's "message repeated N times: [ ... ]" (the dispatcher unwrapped
 * it and added repeated=N before calling us): it stands for N copies of the message,
 * each after the first one, which was logged on its own line. */
#define ATTEMPTS_MAX 1000000 /* a forged count cannot make one line a million tries */
static int64_t times_repeated(const ww_event_t *ev)
{
    const ww_field_t *f = ww_event_get(ev, WW_STR("repeated"), NULL);
    int64_t n;
    if (!f)
        return 1;
    if (!ww__small_uint(f->value, &n))
        return ATTEMPTS_MAX; /* more than 15 digits */
    return n;
}

/* Adds the normalised fields and auth_attempts = `attempts` times the repeat count,
 * capped at ATTEMPTS_MAX.  Every line these decoders give a verdict or a step gets the
 * field, 0 included, so a rule can tell "not an attempt" from "a source without the
 * field". */
static int add_auth(ww_event_t *ev, const ww__auth_t *a, int64_t attempts)
{
    int rc = ww__add_auth(ev, a);
    if (rc || !a->event)
        return rc;
    if (attempts > ATTEMPTS_MAX)
        attempts = ATTEMPTS_MAX;
    if (attempts > 0) {
        int64_t r = times_repeated(ev);
        attempts = r > ATTEMPTS_MAX / attempts ? ATTEMPTS_MAX : attempts * r;
    }
    if (attempts <= 1)
        return ww__add_uint(ev, WW_STR("auth_attempts"), attempts ? WW_STR("1") : WW_STR("0"),
                            attempts);
    char *buf = ww_arena_alloc(&ev->arena, 24);
    if (!buf)
        return WW_ENOMEM;
    int n = snprintf(buf, 24, "%lld", (long long)attempts);
    return ww__add_uint(ev, WW_STR("auth_attempts"), (ww_str_t){buf, (size_t)n}, attempts);
}

static const pat_t *match_table(const pat_t *t, size_t n, ww_str_t msg, pcap_t *c)
{
    /* Most patterns start with literal text: a first byte that differs rules them
       out without the call and the capture reset (a third of sshd decoding was spent
       trying patterns that fail on their first byte).  Captures are written only
       when a pattern matches, so one reset serves every attempt. */
    char first = msg.n ? msg.p[0] : 0;
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        const char *pt = t[i].pat;
        if (pt[0] && pt[0] != '%' && (!msg.n || pt[0] != first))
            continue;
        if (pm(pt, msg.p, msg.p + msg.n, c))
            return &t[i];
    }
    return NULL;
}

/* "keyboard-interactive/pam" -> "keyboard-interactive". */
static ww_str_t method_of(ww_str_t m)
{
    const char *sl = m.n ? memchr(m.p, '/', m.n) : NULL;
    if (sl)
        m.n = (size_t)(sl - m.p);
    return m;
}

/* ASCII case-insensitive search of a lowercase literal. */
static bool icontains(ww_str_t s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n < n)
        return false;
    for (size_t i = 0; i + n <= s.n; i++) {
        if (ww_lower((unsigned char)s.p[i]) != (unsigned char)lit[0])
            continue;
        size_t j = 1;
        while (j < n && ww_lower((unsigned char)s.p[i + j]) == (unsigned char)lit[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* Removes the severity words OpenSSH and syslog daemons put in front of messages:
 * "error: ", "fatal: ", and Solaris' "[ID 800047 auth.info] ". */
static ww_str_t strip_lead(ww_str_t m)
{
    for (int i = 0; i < 3; i++) {
        if (WW__STARTS(m, "error: ") || WW__STARTS(m, "fatal: "))
            m.p += 7, m.n -= 7;
        else if (WW__STARTS(m, "warning: "))
            m.p += 9, m.n -= 9;
        else if (WW__STARTS(m, "[ID ")) {
            const char *q = memchr(m.p, ']', m.n);
            if (!q || q + 1 >= m.p + m.n || q[1] != ' ')
                break;
            m.n -= (size_t)(q + 2 - m.p);
            m.p = q + 2;
        } else
            break;
    }
    return m;
}

/* ---- sshd ----------------------------------------------------------------------- */

/* Where sshd puts the peer's address, and why the table below can be trusted with it.
 * A user name (up to 100 bytes, spaces and the word "from" allowed), a client's
 * banner, a PTR name, a subsystem name and the auth info after "ssh2: " are chosen by
 * the client; each can spell out " from 6.6.6.6 port 22 ssh2".  So every row takes the
 * address from a place the client cannot reach:
 *  - right after fixed text ("Received disconnect from %a", "Unable to negotiate
 *    with %a"): a token, and the client's text only comes after it;
 *  - at the fixed end of the message ("Invalid user %u from %a port %p", which must
 *    match the whole message, "[preauth]" removed first): %u is greedy, so the last
 *    " from " wins and nothing can follow it;
 *  - before fixed server text (O_FIXTAIL: "... [%a] failed%*");
 *  - otherwise (client text on both sides: "Failed publickey for %u from %a port %p
 *    ssh2: <info>") the row is trusted only when the user part does not itself hold the
 *    text around the address; when it does, the line has two readings and keeps
 *    neither (no address, no user) rather than guess.
 * Methods that never log auth info (password, none) have rows that must end at
 * "ssh2", so a crafted user name cannot move them.  Order matters: specific wording
 * ("invalid user", "authenticating user") before the general form, forms with a port
 * before those without. */
#define O_FIXTAIL 0x20 /* what %* matches is server text: no ambiguity check */
#define O_TAGGED 0x40  /* "<tag>: Connection from ...": the tag must be sshpkt_fatal's */
static const pat_t sshd_pats[] = {
    {"Accepted password for invalid user %u from %a port %p ssh2", O_OK | O_INVALID_USER,
     "attempt"},
    {"Accepted password for %u from %a port %p ssh2", O_OK, "attempt"},
    {"Accepted %m for %u from %a port %p ssh%n%*", O_OK, "attempt"},
    {"Accepted %m for %u from %a port %p%*", O_OK, "attempt"},
    {"Accepted %m for %u from %a", O_OK, "attempt"},
    {"Failed password for invalid user %u from %a port %p ssh2", O_FAIL | O_INVALID_USER,
     "attempt"},
    {"Failed password for illegal user %u from %a port %p ssh2", O_FAIL | O_INVALID_USER,
     "attempt"},
    {"Failed password for %u from %a port %p ssh2", O_FAIL, "attempt"},
    {"Failed none for invalid user %u from %a port %p ssh2", O_FAIL | O_INVALID_USER, "attempt"},
    {"Failed none for %u from %a port %p ssh2", O_FAIL, "attempt"},
    {"Failed %m for invalid user %u from %a port %p ssh%n%*", O_FAIL | O_INVALID_USER, "attempt"},
    {"Failed %m for illegal user %u from %a port %p ssh%n%*", O_FAIL | O_INVALID_USER, "attempt"},
    {"Failed %m for %u from %a port %p ssh%n%*", O_FAIL, "attempt"},
    {"Failed %m for invalid user %u from %a port %p%*", O_FAIL | O_INVALID_USER, "attempt"},
    {"Failed %m for %u from %a port %p%*", O_FAIL, "attempt"},
    {"Failed %m for invalid user %u from %a", O_FAIL | O_INVALID_USER, "attempt"},
    {"Failed %m for illegal user %u from %a", O_FAIL | O_INVALID_USER, "attempt"},
    {"Failed %m for %u from %a", O_FAIL, "attempt"},
    {"Invalid user %u from %a port %p", O_FAIL | O_INVALID_USER, "invalid_user"},
    {"Invalid user %u from %a", O_FAIL | O_INVALID_USER, "invalid_user"},
    {"Illegal user %u from %a port %p", O_FAIL | O_INVALID_USER, "invalid_user"},
    {"Illegal user %u from %a", O_FAIL | O_INVALID_USER, "invalid_user"},
    {"input_userauth_request: invalid user %u", O_FAIL | O_INVALID_USER, "invalid_user"},
    {"input_userauth_request: illegal user %u", O_FAIL | O_INVALID_USER, "invalid_user"},
    {"Postponed %m for invalid user %u from %a port %p ssh%n%*", O_NONE | O_INVALID_USER,
     "postponed"},
    {"Postponed %m for %u from %a port %p ssh%n%*", O_NONE, "postponed"},
    {"Partial %m for invalid user %u from %a port %p ssh%n%*", O_NONE | O_INVALID_USER, "partial"},
    {"Partial %m for %u from %a port %p ssh%n%*", O_NONE, "partial"},
    {"maximum authentication attempts exceeded for invalid user %u from %a port %p ssh2",
     O_FAIL | O_INVALID_USER, "max_attempts"},
    {"maximum authentication attempts exceeded for illegal user %u from %a port %p ssh2",
     O_FAIL | O_INVALID_USER, "max_attempts"},
    {"maximum authentication attempts exceeded for %u from %a port %p ssh2", O_FAIL,
     "max_attempts"},
    {"maximum authentication attempts exceeded for invalid user %u from %a port %p",
     O_FAIL | O_INVALID_USER, "max_attempts"},
    {"maximum authentication attempts exceeded for %u from %a port %p", O_FAIL, "max_attempts"},
    {"maximum authentication attempts exceeded for invalid user %u from %a",
     O_FAIL | O_INVALID_USER, "max_attempts"},
    {"maximum authentication attempts exceeded for %u from %a", O_FAIL, "max_attempts"},
    {"Disconnecting invalid user %u %a port %p: Too many authentication failures",
     O_FAIL | O_INVALID_USER, "max_attempts"},
    {"Disconnecting authenticating user %u %a port %p: Too many authentication failures", O_FAIL,
     "max_attempts"},
    {"Disconnecting user %u %a port %p: Too many authentication failures", O_FAIL, "max_attempts"},
    {"Disconnecting invalid user %u %a port %p: %*", O_FAIL | O_INVALID_USER, "disconnect"},
    {"Disconnecting authenticating user %u %a port %p: %*", O_FAIL, "disconnect"},
    {"Disconnecting user %u %a port %p: %*", O_PREAUTH, "disconnect"},
    {"Disconnecting %a port %p: %*", O_PREAUTH, "disconnect"},
    {"Disconnecting: Too many authentication failures for invalid user %u", O_FAIL | O_INVALID_USER,
     "max_attempts"},
    {"Disconnecting: Too many authentication failures for %u", O_FAIL, "max_attempts"},
    {"Disconnecting: Too many authentication failures%*", O_FAIL, "max_attempts"},
    {"Disconnecting: %*", O_PREAUTH, "disconnect"},
    {"ROOT LOGIN REFUSED FROM %a port %p%*", O_FAIL, "root_refused"},
    {"ROOT LOGIN REFUSED FROM %a%*", O_FAIL, "root_refused"},
    /* sshd writes these only when a keyboard-interactive PAM conversation fails, at
       error level, for every try: its "Failed keyboard-interactive/pam" line is
       logged only at VERBOSE for a real account's first tries, so this line is the
       one that records the attempt (see ww__auth_sshd). */
    {"PAM: %_ for illegal user %u from %a", O_FAIL | O_INVALID_USER | O_ATTEMPT, "pam_failure"},
    {"PAM: %_ for invalid user %u from %a", O_FAIL | O_INVALID_USER | O_ATTEMPT, "pam_failure"},
    {"PAM: %_ for %u from %a", O_FAIL | O_ATTEMPT, "pam_failure"},
    {"PAM: %_ for illegal user %u", O_FAIL | O_INVALID_USER | O_ATTEMPT, "pam_failure"},
    {"PAM: %_ for %u", O_FAIL | O_ATTEMPT, "pam_failure"},
    {"Connection closed by invalid user %u %a port %p", O_FAIL | O_INVALID_USER, "disconnect"},
    {"Connection closed by authenticating user %u %a port %p", O_FAIL, "disconnect"},
    {"Connection closed by user %u %a port %p", O_PREAUTH, "disconnect"},
    {"Connection closed by %a port %p", O_PREAUTH, "disconnect"},
    {"Connection closed by %a", O_PREAUTH, "disconnect"},
    {"Connection reset by invalid user %u %a port %p", O_FAIL | O_INVALID_USER, "disconnect"},
    {"Connection reset by authenticating user %u %a port %p", O_FAIL, "disconnect"},
    {"Connection reset by user %u %a port %p", O_PREAUTH, "disconnect"},
    {"Connection reset by %a port %p", O_PREAUTH, "disconnect"},
    {"Connection reset by %a", O_PREAUTH, "disconnect"},
    {"Disconnected from invalid user %u %a port %p", O_FAIL | O_INVALID_USER, "disconnect"},
    {"Disconnected from authenticating user %u %a port %p", O_FAIL, "disconnect"},
    {"Disconnected from user %u %a port %p", O_PREAUTH, "disconnect"},
    {"Disconnected from %a port %p", O_PREAUTH, "disconnect"},
    {"Disconnected from %a", O_PREAUTH, "disconnect"},
    {"Received disconnect from %a port %p:%n:%*", O_PREAUTH, "disconnect"},
    {"Received disconnect from %a: %n:%*", O_PREAUTH, "disconnect"},
    {"Received disconnect from %a:%*", O_PREAUTH, "disconnect"},
    {"Read error from remote host %a port %p: %*", O_PREAUTH, "disconnect"},
    {"Read error from remote host %a: %*", O_PREAUTH, "disconnect"},
    {"Did not receive identification string from %a port %p%*", O_FAIL, "no_ident"},
    {"Did not receive identification string from %a%*", O_FAIL, "no_ident"},
    {"Bad protocol version identification %_ from %a port %p", O_FAIL, "no_ident"},
    {"Bad protocol version identification %_ from %a", O_FAIL, "no_ident"},
    {"banner exchange: Connection from %a port %p: %*", O_FAIL, "no_ident"},
    {"Protocol major versions differ for %a port %p: %*", O_FAIL, "no_ident"},
    {"Protocol major versions differ for %a: %*", O_FAIL, "no_ident"},
    {"kex_exchange_identification: %*", O_FAIL, "no_ident"},
    {"Unable to negotiate with %a port %p: %*", O_FAIL, "negotiation"},
    {"Unable to negotiate with %a: %*", O_FAIL, "negotiation"},
    {"Unable to negotiate with %a", O_FAIL, "negotiation"},
    {"Unable to negotiate %*", O_FAIL, "negotiation"},
    /* The user is an account sshd looked up, and the reason is one of sshd's own five
       (auth.c): the whole message is fixed text, so the last " from " is sshd's even
       when an account name holds one. */
    {"User %u from %a not allowed because listed in DenyUsers", O_FAIL, "not_allowed"},
    {"User %u from %a not allowed because not listed in AllowUsers", O_FAIL, "not_allowed"},
    {"User %u from %a not allowed because not in any group", O_FAIL, "not_allowed"},
    {"User %u from %a not allowed because a group is listed in DenyGroups", O_FAIL, "not_allowed"},
    {"User %u from %a not allowed because none of user's groups are listed in AllowGroups", O_FAIL,
     "not_allowed"},
    {"User %u not allowed because %*", O_FAIL, "not_allowed"},
    {"Authentication refused: %*", O_FAIL, "refused"},
    {"Timeout before authentication for connection from %a to %*", O_FAIL, "timeout"},
    {"Timeout before authentication for %a port %p%*", O_FAIL, "timeout"},
    {"Timeout before authentication for %a%*", O_FAIL, "timeout"},
    {"ssh_dispatch_run_fatal: Connection from invalid user %u %a port %p: %*",
     O_FAIL | O_INVALID_USER, "disconnect"},
    {"ssh_dispatch_run_fatal: Connection from authenticating user %u %a port %p: %*", O_FAIL,
     "disconnect"},
    {"ssh_dispatch_run_fatal: Connection from user %u %a port %p: %*", O_PREAUTH, "disconnect"},
    {"ssh_dispatch_run_fatal: Connection from %a port %p: %*", O_PREAUTH, "disconnect"},
    {"reverse mapping checking getaddrinfo for %_ [%a] failed%*", O_FAIL | O_FIXTAIL,
     "break_in_warning"},
    {"Address %a maps to %_, but this does not map back to the address%*", O_FAIL,
     "break_in_warning"},
    {"Nasty PTR record %_ is set up for %a, ignoring", O_FAIL, "break_in_warning"},
    {"refused connect from %_ (%a)", O_FAIL, "refused"},
    {"drop connection #%n from [%a]:%p on %*", O_FAIL, "max_startups"},
    {"srclimit_penalise: %v: new %a deferred penalty%*", O_FAIL, "penalty"},
    {"srclimit_penalise: %v: new %a penalty%*", O_FAIL, "penalty"},
    {"Timeout, client not responding from user %u %a port %p", O_NONE, "timeout"},
    {"Timeout, client not responding from %a port %p", O_PREAUTH, "timeout"},
    {"Timeout, client not responding.", O_PREAUTH, "timeout"},
    {"Starting session: %_ for %u from %a port %p id %n", O_NONE, "session"},
    {"Close session: user %u from %a port %p id %n", O_NONE, "session"},
    {"Connection from %a port %p on %*", O_NONE, "connection"},
    {"Connection from %a port %p with IP opts: %*", O_FAIL, "connection"},
    {"Connection from %a port %p", O_NONE, "connection"},
    {"Connection from invalid user %u %a port %p timed out", O_FAIL | O_INVALID_USER, "timeout"},
    {"Connection from authenticating user %u %a port %p timed out", O_FAIL, "timeout"},
    {"Connection from user %u %a port %p timed out", O_PREAUTH, "timeout"},
    {"Connection from %a port %p timed out", O_PREAUTH, "timeout"},
    {"Closing connection to %a port %p", O_NONE, "disconnect"},
    {"terminating inactive connection from invalid user %u %a port %p", O_FAIL | O_INVALID_USER,
     "timeout"},
    {"terminating inactive connection from authenticating user %u %a port %p", O_FAIL, "timeout"},
    {"terminating inactive connection from user %u %a port %p", O_NONE, "timeout"},
    {"terminating inactive connection from %a port %p", O_PREAUTH, "timeout"},
    {"probed from %a port %p with %*", O_FAIL, "no_ident"},
    {"scanned from %a port %p with %*", O_FAIL, "no_ident"},
    {"scanned from %a with %*", O_FAIL, "no_ident"},
    {"Username too long from %a port %p", O_FAIL, "invalid_user"},
    {"Finished discarding for %a port %p", O_FAIL, "disconnect"},
    {"Finished discarding for %a", O_FAIL, "disconnect"},
    {"probed from %a with %*", O_FAIL, "no_ident"},
    {"Connection from %a with IP options:%*", O_FAIL, "connection"},
    {"Connection from %a: refusing non-sftp session", O_NONE, "session"},
    /* internal-sftp: the account is a real one, the address sshd's. */
    {"session opened for local user %u from [%a]", O_NONE, "session"},
    {"session closed for local user %u from [%a]", O_NONE, "session"},
    /* FIDO keys whose touch or PIN was required: the reason is sshd's own text. */
    {"public key %_ signature for invalid user %u from %a port %p rejected: user presence "
     "(authenticator touch) requirement not met",
     O_FAIL | O_INVALID_USER, "attempt"},
    {"public key %_ signature for %u from %a port %p rejected: user presence (authenticator "
     "touch) requirement not met",
     O_FAIL, "attempt"},
    {"public key %_ signature for invalid user %u from %a port %p rejected: user verification "
     "requirement not met",
     O_FAIL | O_INVALID_USER, "attempt"},
    {"public key %_ signature for %u from %a port %p rejected: user verification requirement "
     "not met",
     O_FAIL, "attempt"},
    /* sshpkt_fatal's "<what>: Connection from <id>: <error>", the error sshd's own. */
    {"%_: Connection from invalid user %u %a port %p: %*", O_FAIL | O_INVALID_USER | O_TAGGED,
     "disconnect"},
    {"%_: Connection from authenticating user %u %a port %p: %*", O_FAIL | O_TAGGED, "disconnect"},
    {"%_: Connection from user %u %a port %p: %*", O_PREAUTH | O_TAGGED, "disconnect"},
    {"%_: Connection from %a port %p: %*", O_PREAUTH | O_TAGGED, "disconnect"},
};

/* The row matched text the client chose on both sides of the address (see above):
 * true when the user part also holds the literal text that surrounds %a in the row,
 * so that another reading of the line would put the address elsewhere. */
static bool sshd_ambiguous(const pat_t *t, ww_str_t user)
{
    /* Every literal that can surround %a in the rows holds " from " or " port ": a user
       part without either (nearly every line) needs no look at the row. */
    if (user.n < 6 || (!WW__FIND(user, " from ") && !WW__FIND(user, " port ")))
        return false;
    const char *pt = t->pat, *a = strstr(pt, "%a");
    size_t n = strlen(pt);
    if (!a || (t->outcome & O_FIXTAIL) || n < 2 || strcmp(pt + n - 2, "%*") != 0)
        return false;
    const char *u = strstr(pt, "%u"), *any = strstr(pt, "%_");
    if ((!u || u > a) && (!any || any > a))
        return false; /* the address comes first: a prefix form */
    /* The literals right before and right after %a (" from " ... " port "). */
    const char *b = pt;
    for (const char *q = pt; q < a; q++)
        if (q[0] == '%' && q[1])
            b = ++q + 1;
    const char *f = a + 2, *fe = strchr(f, '%');
    if (!fe)
        fe = pt + n;
    if (a - b >= 3 && ww__find(user, b, (size_t)(a - b)))
        return true;
    if (fe - f >= 3 && ww__find(user, f, (size_t)(fe - f)))
        return true;
    return false;
}

/* [a-z][a-z0-9_]*: a C function name, or one of sshd's own words. */
static bool c_ident(ww_str_t w)
{
    if (!w.n || w.n > 64 || !(w.p[0] >= 'a' && w.p[0] <= 'z'))
        return false;
    for (size_t i = 0; i < w.n; i++)
        if (!(w.p[i] >= 'a' && w.p[i] <= 'z') && !ww__isdig(w.p[i]) && w.p[i] != '_')
            return false;
    return true;
}

/* Whether t can be the tag sshpkt_fatal() writes before ": Connection from": "<func>",
 * "<func>: ssh_packet_write_poll", "<func>: parse|send|exit|start|append [<what>]",
 * "banner exchange",
 * "read", "send DEBUG".  Messages that end in text the client sent ("Client version
 * \"...\"", "userauth_pubkey: unsupported public key algorithm: ...", "subsystem request
 * for ...") can spell out ": Connection from 6.6.6.6 port 22: ..." after it; their own
 * wording before that is none of these. */
static bool sshpkt_tag(ww_str_t t)
{
    if (WW__EQ(t, "banner exchange") || WW__EQ(t, "send DEBUG"))
        return true;
    const char *c = memchr(t.p, ':', t.n);
    if (!c)
        return c_ident(t);
    if (!c_ident(ww__s(t.p, c)) || t.p + t.n - c < 3 || c[1] != ' ')
        return false;
    ww_str_t r = ww__s(c + 2, t.p + t.n);
    if (WW__EQ(r, "ssh_packet_write_poll"))
        return true;
    static const char *const verbs[] = {"parse ", "send ", "exit ", "start ", "append "};
    for (size_t i = 0; i < WW_ARRAY_LEN(verbs); i++) {
        size_t n = strlen(verbs[i]);
        if (r.n > n && !memcmp(r.p, verbs[i], n)) {
            for (size_t j = n; j < r.n; j++)
                if (!(r.p[j] >= 'a' && r.p[j] <= 'z') && !ww__isdig(r.p[j]) &&
                    !strchr("_-@.", r.p[j]))
                    return false;
            return true;
        }
    }
    return false;
}

/* An sshd message no table entry knows: a failure when it says so or happened before
 * authentication, and never an address (its place in unknown wording is unknown; the
 * session's address is added by the line decoder from an earlier line). */
static int sshd_fallback(ww_event_t *ev, ww_str_t msg)
{
    static const char *const bad[] = {"fail",        "invalid",  "illegal",  "refused",  "denied",
                                      "not allowed", "too many", "exceeded", "break-in", "penalty"};
    ww__auth_t a = {.service = WW_STR("sshd"), .event = "other"};
    bool failed = ends_preauth(msg);
    for (size_t i = 0; !failed && i < WW_ARRAY_LEN(bad); i++)
        failed = icontains(msg, bad[i]);
    if (!failed)
        return 0;
    a.outcome = OUT_FAIL;
    return add_auth(ev, &a, 0) ? WW_ENOMEM : 1;
}

/* The message without a trailing " [preauth]" (and spaces): privilege-separated sshd
 * appends it to what its unprivileged child logs, after the message's own text. */
static ww_str_t strip_preauth(ww_str_t m)
{
    while (m.n && m.p[m.n - 1] == ' ')
        m.n--;
    if (m.n >= 9 && memcmp(m.p + m.n - 9, "[preauth]", 9) == 0) {
        m.n -= 9;
        while (m.n && m.p[m.n - 1] == ' ')
            m.n--;
    }
    return m;
}

int ww__auth_sshd(ww_event_t *ev, ww_str_t msg)
{
    msg = strip_lead(msg);
    if (WW__STARTS(msg, "pam_") || WW__STARTS(msg, "PAM "))
        return ww__auth_pam(ev, msg);
    pcap_t c;
    ww_str_t body = strip_preauth(msg);
    const pat_t *t = match_table(sshd_pats, WW_ARRAY_LEN(sshd_pats), body, &c);
    if (!t)
        return sshd_fallback(ev, msg);
    ww__auth_t a = {
        .user = c.u,
        .src_ip = c.a,
        .src_port = c.p,
        .method = method_of(c.m),
        .service = WW_STR("sshd"),
        .outcome = outcome_of(t->outcome, msg),
        .event = t->event,
    };
    if (!c.m.n && (WW__STARTS(body, "Failed ") || WW__STARTS(body, "Accepted "))) {
        /* The rows that spell out the method ("Failed password for"). */
        const char *m0 = memchr(body.p, ' ', body.n) + 1, *m1 = m0;
        while (m1 < body.p + body.n && *m1 != ' ')
            m1++;
        a.method = ww__s(m0, m1);
    }
    if (t->outcome & O_TAGGED) {
        /* The tag is the text before the first ": Connection from ", which must be
           the only one (a second is in the user name or the error text). */
        const char *cf = WW__FIND(body, ": Connection from ");
        if (!cf || !sshpkt_tag(ww__s(body.p, cf)) ||
            WW__FIND(ww__s(cf + 1, body.p + body.n), ": Connection from "))
            a.user = a.src_ip = a.src_port = (ww_str_t){0};
    }
    /* A failed "none" is the client asking which methods it may use, not a
       credential (sshd does not count it against MaxAuthTries); a failed
       keyboard-interactive/pam try was recorded by the "PAM: ... for" line above. */
    int64_t attempts = attempts_of(t);
    if (a.outcome == OUT_FAIL &&
        (WW__EQ(a.method, "none") || WW__EQ(c.m, "keyboard-interactive/pam")))
        attempts = 0;
    if (WW__STARTS(body, "PAM: "))
        a.method = WW_STR("keyboard-interactive");
    if (sshd_ambiguous(t, c.u)) {
        /* Two readings: keep the verdict, drop what the client could have moved. */
        a.user = a.src_ip = a.src_port = (ww_str_t){0};
    }
    if (WW__STARTS(body, "ROOT LOGIN"))
        a.user = WW_STR("root");
    /* OpenSSH 9.8 penalties name the host as a /32 or /128 block. */
    if (a.src_ip.n > 3 && !memcmp(a.src_ip.p + a.src_ip.n - 3, "/32", 3))
        a.src_ip.n -= 3;
    else if (a.src_ip.n > 4 && !memcmp(a.src_ip.p + a.src_ip.n - 4, "/128", 4))
        a.src_ip.n -= 4;
    int rc = add_auth(ev, &a, attempts);
    if (rc == 0 && (t->outcome & O_INVALID_USER))
        rc = ww_event_add(ev, WW_STR("invalid_user"), WW_STR("true"), WW_F_BOOL);
    return rc ? rc : 1;
}

/* ---- PAM ------------------------------------------------------------------------ */

/* The first PAM_KV_PATS entries are followed by "; k=v k=v ..." (see pam_attempts). */
#define PAM_KV_PATS 4
static const pat_t pam_pats[] = {
    {"authentication failure; %*", O_FAIL, "pam_failure"},
    {"Authentication failure; %*", O_FAIL, "pam_failure"},
    /* pam_unix's summary when the application ends after several failed tries, each
       already logged: "2 more authentication failures; logname= ... user=root". */
    {"%n more authentication failures; %*", O_FAIL, "pam_failures"},
    {"%n more authentication failure; %*", O_FAIL, "pam_failures"},
    {"service(%v) ignoring max retries; %*", O_FAIL, "max_attempts"},
    {"auth could not identify password for [%u]%*", O_FAIL, "pam_failure"},
    {"check pass; user unknown%*", O_FAIL, "user_unknown"},
    {"conversation failed%*", O_FAIL, "pam_failure"},
    {"Consecutive login failures for user %u account temporarily locked%*", O_FAIL, "locked"},
    {"Authentication failure for user %u%*", O_FAIL, "pam_failure"},
    {"received for user %u: %n (%*", O_NONE, "pam_result"},
    {"user '%u' denied access%*", O_FAIL, "pam_failure"},
    {"user %u (%n) tally %n, deny %n%*", O_FAIL, "locked"},
    {"Invalid verification code for %u%*", O_FAIL, "mfa_failure"},
    {"access denied for user `%u' from `%a'", O_FAIL, "access_denied"},
    {"Refused user %u for service %*", O_FAIL, "access_denied"},
    {"requirement %_ not met by user \"%u\"%*", O_FAIL, "access_denied"},
    {"account %u has expired%*", O_FAIL, "expired"},
    {"access denied: tty '%t' is not secure%*", O_FAIL, "access_denied"},
    {"session opened for user %u by %*", O_NONE, "session_opened"},
    {"session closed for user %u", O_NONE, "session_closed"},
    {"password changed for %u", O_NONE, "password_changed"},
};

/* Services whose PAM_RHOST is the client's unchecked reverse DNS name (login -h from
 * telnetd or rlogind, rlogind, rshd, vsftpd with its default reverse_lookup_enable): a
 * PTR record chooses it, so it is never taken for an address.  sshd (which refuses
 * numeric PTR names and checks the forward lookup) and the daemons that set the peer's
 * address are not among them. */
static bool pam_rhost_is_name(ww_str_t svc)
{
    static const char *const names[] = {"login",  "remote", "rlogin", "rsh",
                                        "telnet", "rexec",  "vsftpd"};
    for (size_t i = 0; i < WW_ARRAY_LEN(names); i++)
        if (ww__eqz(svc, names[i]))
            return true;
    return false;
}

/* How many tries a pam_unix line records.  pam_unix writes "authentication failure"
 * for the first failed try of a PAM handle (one sshd connection, one sudo run) and,
 * when the handle ends, "N more authentication failures" for the others: together
 * they count each try once.  They count nothing for the programs that write their own
 * line for every try (sshd's "Failed password", su's "FAILED SU", login's "FAILED
 * LOGIN", sudo's "N incorrect password attempts"; dropbear asks PAM as service sshd),
 * whose tries they repeat.  Other modules' lines are never counted: pam_sss writes two
 * for one try, and a stack of pam_unix and pam_sss writes a line from each. */
static int64_t pam_attempts(ww_str_t module, ww_str_t svc, const pat_t *t, const pcap_t *c)
{
    static const char *const own[] = {"sshd", "su", "su-l", "sudo", "sudo-i", "login", "remote"};
    int64_t n = 1;
    if (t >= pam_pats + PAM_KV_PATS || !WW__EQ(module, "pam_unix"))
        return 0;
    for (size_t i = 0; i < WW_ARRAY_LEN(own); i++)
        if (ww__eqz(svc, own[i]))
            return 0;
    if (c->n.n && !ww__small_uint(c->n, &n))
        n = ATTEMPTS_MAX;
    return n;
}

/* PAM service name -> auth_service: the program that asked. */
static ww_str_t pam_service_name(ww_str_t svc)
{
    static const struct {
        const char *pam, *name;
    } map[] = {{"sshd", "sshd"}, {"sudo", "sudo"},   {"sudo-i", "sudo"}, {"su", "su"},
               {"su-l", "su"},   {"login", "login"}, {"remote", "login"}};
    for (size_t i = 0; i < WW_ARRAY_LEN(map); i++)
        if (ww__eqz(svc, map[i].pam))
            return WW_STRZ(map[i].name);
    return svc;
}

/* "logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root": native fields for
 * the non-empty values; rhost and user go into the normalised fields.  pam_unix and
 * the modules that copy it write the keys in this fixed order, and two of the values
 * can be chosen by whoever is logging in: ruser (dovecot, rsh and ftp daemons pass the
 * login name) and user.  So the address is taken only when "rhost=" occurs exactly
 * once, and it is the token right after it; the user is what follows that token's
 * " user=".  A value that spells out " rhost=6.6.6.6" makes a second "rhost=" and the
 * line then names no address at all. */
static int pam_kv(ww_event_t *ev, ww_str_t s, ww__auth_t *a)
{
    const char *p = s.p, *e = s.p + s.n;
    const char *rh = WW__FIND(s, "rhost=");
    bool unique = rh && (rh == s.p || rh[-1] == ' ') && !WW__FIND(ww__s(rh + 6, e), "rhost=");
    if (unique) {
        const char *v = rh + 6, *q = v;
        while (q < e && *q != ' ')
            q++;
        a->src_ip = ww__s(v, q);
        while (q < e && *q == ' ')
            q++;
        if (e - q > 5 && memcmp(q, "user=", 5) == 0)
            a->user = ww__s(q + 5, e);
    }
    while (p < e) {
        while (p < e && *p == ' ')
            p++;
        const char *k = p;
        while (p < e && *p != ' ' && *p != '=')
            p++;
        if (p >= e || *p != '=') {
            while (p < e && *p != ' ')
                p++;
            continue;
        }
        ww_str_t key = ww__s(k, p);
        const char *v = ++p;
        while (p < e && *p != ' ')
            p++;
        ww_str_t val = ww__s(v, p);
        if (!val.n || !key.n)
            continue;
        if (ww_str_eq(key, WW_STR("user")))
            break; /* the user name is the rest of the line, whatever it holds */
        int rc = ww_event_add(
            ev, key, val,
            ww_str_eq(key, WW_STR("uid")) || ww_str_eq(key, WW_STR("euid")) ? WW_F_INT : WW_F_STR);
        if (rc)
            return rc;
    }
    return 0;
}

/* "root(uid=0)" -> "root". */
static ww_str_t strip_uid(ww_str_t u)
{
    const char *q = u.n ? memchr(u.p, '(', u.n) : NULL;
    if (q && q > u.p)
        u.n = (size_t)(q - u.p);
    return u;
}

/* The program that logged a PAM line is sshd's own, or not known (empty). */
static bool sshd_prog(ww_str_t prog)
{
    return !prog.n || WW__IEQ(prog, "sshd") || WW__IEQ(prog, "sshd-session") ||
           WW__IEQ(prog, "sshd-auth");
}

/* The text after "pam_<module>(<service>:<type>): " (or, in the old format, after
 * "<service>(pam_<module>)[pid]: "). */
static int pam_text(ww_event_t *ev, ww_str_t module, ww_str_t svc, ww_str_t type, ww_str_t text,
                    ww_str_t prog)
{
    ww__auth_t a = {0};
    pcap_t c;
    const char *e = text.p + text.n;
    int rc = ww__add(ev, "pam_module", module);
    if (rc == 0)
        rc = ww__add(ev, "pam_service", svc);
    if (rc == 0 && type.n)
        rc = ww__add(ev, "pam_type", type);
    if (rc)
        return rc;
    a.service = pam_service_name(svc);
    a.name_only = pam_rhost_is_name(svc);
    const pat_t *t = match_table(pam_pats, WW_ARRAY_LEN(pam_pats), text, &c);
    if (!t) {
        /* Unknown wording from a PAM module: a failure if it says so, and no address,
           since where the module's own text ends is unknown (pam_krb5's "authentication
           fails for 'x; rhost=6.6.6.6' ..." quotes the name the client sent). */
        if (!icontains(text, "fail") && !icontains(text, "denied") && !icontains(text, "invalid"))
            return 1;
        a.outcome = OUT_FAIL;
        a.event = "pam_failure";
        return add_auth(ev, &a, 0) ? WW_ENOMEM : 1;
    }
    a.event = t->event;
    a.outcome = outcome_of(t->outcome, text);
    a.user = strip_uid(c.u);
    a.src_ip = c.a;
    if (c.t.n)
        rc = ww__add(ev, "tty", c.t);
    if (t < pam_pats + PAM_KV_PATS) {
        /* "authentication failure; logname=... rhost=... user=..." */
        const char *semi = memchr(text.p, ';', text.n);
        if (rc == 0 && c.n.n)
            rc = ww_event_add(ev, WW_STR("count"), c.n, WW_F_INT);
        if (rc == 0)
            rc = pam_kv(ev, ww__s(semi + 1, e), &a);
    } else if (c.v.n) {
        a.service = pam_service_name(c.v); /* "service(sshd) ignoring max retries" */
    } else if (!strcmp(t->event, "pam_result")) {
        /* pam_sss: "received for user alice: 7 (Authentication failure)"; 0 = ok. */
        a.outcome = c.n.n == 1 && c.n.p[0] == '0' ? OUT_OK : OUT_FAIL;
    } else if (!strcmp(t->event, "mfa_failure")) {
        a.method = WW_STR("mfa");
    }
    /* libpam logs under the program that called it, and sshd's are sshd, sshd-session
       and sshd-auth: a line for the sshd service from any other program is that
       program's own text (one that logs what it was sent at the start of a message). */
    if (WW__EQ(svc, "sshd") && !sshd_prog(prog))
        a.src_ip = a.src_port = (ww_str_t){0};
    if (rc == 0)
        rc = add_auth(ev, &a, pam_attempts(module, svc, t, &c));
    return rc ? rc : 1;
}

int ww__auth_pam_old(ww_event_t *ev, ww_str_t prog, ww_str_t msg)
{
    const char *lp = memchr(prog.p, '(', prog.n), *e = prog.p + prog.n;
    if (!lp || lp == prog.p || e - lp < 6 || e[-1] != ')' || memcmp(lp + 1, "pam_", 4) != 0)
        return 0;
    return pam_text(ev, ww__s(lp + 1, e - 1), ww__s(prog.p, lp), (ww_str_t){0}, msg, (ww_str_t){0});
}

/* `rhost_name`: the program is login, whose PAM_RHOST is a name (pam_rhost_is_name);
 * the summary line does not say its service. */
static int pam_any(ww_event_t *ev, ww_str_t msg, bool rhost_name, ww_str_t prog)
{
    ww__auth_t a = {.name_only = rhost_name};
    int rc = 0;
    pcap_t c;
    if (WW__STARTS(msg, "PAM ")) {
        /* libpam's summary after repeated failures. */
        a.service = rhost_name ? WW_STR("login") : WW_STR("sshd");
        a.outcome = OUT_FAIL;
        if (pmatch("PAM %n more authentication failure%_; %*", msg, &c)) {
            a.event = "pam_failures";
            const char *semi = memchr(msg.p, ';', msg.n);
            rc = ww_event_add(ev, WW_STR("count"), c.n, WW_F_INT);
            if (rc == 0)
                rc = pam_kv(ev, ww__s(semi + 1, msg.p + msg.n), &a);
        } else if (pmatch("PAM service(%v) ignoring max retries; %*", msg, &c)) {
            a.event = "max_attempts";
            a.service = pam_service_name(c.v);
        } else {
            return 0;
        }
        if (!sshd_prog(prog))
            a.src_ip = (ww_str_t){0}; /* see pam_text(): some other program's text */
        if (rc == 0)
            rc = add_auth(ev, &a, 0); /* a summary of tries logged one by one */
        return rc ? rc : 1;
    }
    /* pam_<module>(<service>:<type>): <text> */
    const char *e = msg.p + msg.n, *lp = memchr(msg.p, '(', msg.n < 64 ? msg.n : 64);
    if (!WW__STARTS(msg, "pam_") || !lp)
        return 0;
    const char *colon = memchr(lp, ':', (size_t)(e - lp)), *rp;
    if (!colon || !(rp = memchr(colon, ')', (size_t)(e - colon))) || e - rp < 2 || rp[1] != ':')
        return 0;
    ww_str_t module = ww__s(msg.p, lp), svc = ww__s(lp + 1, colon), type = ww__s(colon + 1, rp);
    ww_str_t text = ww__s(rp + 2 < e && rp[2] == ' ' ? rp + 3 : rp + 2, e);
    return pam_text(ev, module, svc, type, text, prog);
}

int ww__auth_pam(ww_event_t *ev, ww_str_t msg)
{
    return pam_any(ev, msg, false, (ww_str_t){0});
}

int ww__auth_pam_prog(ww_event_t *ev, ww_str_t msg, ww_str_t prog)
{
    return pam_any(ev, msg, false, prog);
}

/* ---- sudo ----------------------------------------------------------------------- */

/* "alice : [reason ; ]TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id" */
int ww__auth_sudo(ww_event_t *ev, ww_str_t msg)
{
    while (msg.n && msg.p[0] == ' ')
        msg.p++, msg.n--;
    if (WW__STARTS(msg, "pam_") || WW__STARTS(msg, "PAM "))
        return ww__auth_pam(ev, msg);
    const char *e = msg.p + msg.n, *sep = WW__FIND(msg, " : ");
    if (!sep || sep == msg.p)
        return 0;
    ww__auth_t a = {.user = ww__s(msg.p, sep), .service = WW_STR("sudo")};
    ww_str_t reason = {0};
    bool command = false;
    int rc = 0;
    const char *p = sep + 3;
    while (p < e && rc == 0) {
        ww_str_t seg = ww__s(p, e);
        if (WW__STARTS(seg, "COMMAND=")) {
            rc = ww__add(ev, "command", ww__s(p + 8, e));
            command = true;
            break;
        }
        const char *end = WW__FIND(seg, " ; ");
        if (!end)
            end = e;
        seg = ww__s(p, end);
        const char *eq = memchr(seg.p, '=', seg.n);
        bool key = eq != NULL;
        for (const char *k = seg.p; key && k < eq; k++)
            key = *k >= 'A' && *k <= 'Z';
        if (!key) {
            if (!reason.n)
                reason = seg;
        } else {
            static const struct {
                const char *k, *name;
            } keys[] = {{"TTY", "tty"},          {"PWD", "pwd"},
                        {"USER", "target_user"}, {"GROUP", "target_group"},
                        {"ENV", "env"},          {"TSID", "tsid"}};
            ww_str_t k = ww__s(seg.p, eq);
            for (size_t i = 0; i < WW_ARRAY_LEN(keys); i++)
                if (ww__eqz(k, keys[i].k))
                    rc = ww__add(ev, keys[i].name, ww__s(eq + 1, end));
        }
        p = end < e ? end + 3 : e;
    }
    if (rc)
        return rc;
    int64_t attempts = 0;
    if (reason.n) {
        rc = ww__add(ev, "reason", reason);
        a.outcome = OUT_FAIL;
        if (icontains(reason, "incorrect password")) {
            a.event = "incorrect_password", a.method = WW_STR("password");
            /* "3 incorrect password attempts": sudo writes this one line when it
               gives up, for all the tries (PAM's lines for them are not counted). */
            const char *d = reason.p, *de = reason.p + reason.n;
            while (d < de && ww__isdig(*d))
                d++;
            if (d == reason.p)
                attempts = 1; /* "incorrect password attempt" with no number */
            else if (!ww__small_uint(ww__s(reason.p, d), &attempts))
                attempts = ATTEMPTS_MAX; /* more than 15 digits; add_auth caps the rest */
        } else if (icontains(reason, "not in sudoers"))
            a.event = "not_in_sudoers";
        else if (icontains(reason, "not allowed"))
            a.event = "command_not_allowed";
        else if (icontains(reason, "password is required"))
            a.event = "password_required";
        else if (icontains(reason, "fail") || icontains(reason, "denied"))
            a.event = "failure";
        else
            a.outcome = NULL, a.event = "other";
    } else if (command) {
        a.outcome = OUT_OK;
        a.event = "command";
    } else {
        return rc ? rc : 1;
    }
    if (rc == 0)
        rc = add_auth(ev, &a, attempts);
    return rc ? rc : 1;
}

/* ---- su ------------------------------------------------------------------------- */

static const pat_t su_pats[] = {
    {"FAILED SU (to %v) %u on %t", O_FAIL, "attempt"},
    {"FAILED SU (to %v) %u on %t%*", O_FAIL, "attempt"},
    {"(to %v) %u on %t%*", O_OK, "attempt"},
    {"FAILED su for %v by %u", O_FAIL, "attempt"},
    {"Successful su for %v by %u", O_OK, "attempt"},
    {"BAD SU %u to %v%*", O_FAIL, "attempt"},
    {"- %t %u:%v", O_FAIL, "attempt"},
    {"+ %t %u:%v", O_OK, "attempt"},
    {"pam_authenticate: %*", O_FAIL, "pam_failure"},
};

int ww__auth_su(ww_event_t *ev, ww_str_t msg)
{
    if (WW__STARTS(msg, "pam_") || WW__STARTS(msg, "PAM "))
        return ww__auth_pam(ev, msg);
    pcap_t c;
    const pat_t *t = match_table(su_pats, WW_ARRAY_LEN(su_pats), msg, &c);
    if (!t)
        return 0;
    /* su: the attempt is for the target account; the caller is src_user. */
    ww__auth_t a = {.user = c.v,
                    .service = WW_STR("su"),
                    .method = WW_STR("password"),
                    .outcome = outcome_of(t->outcome, msg),
                    .event = t->event};
    int rc = 0;
    if (c.u.n)
        rc = ww__add(ev, "src_user", c.u);
    if (rc == 0 && c.t.n)
        rc = ww__add(ev, "tty", c.t);
    if (rc == 0)
        rc = add_auth(ev, &a, attempts_of(t));
    return rc ? rc : 1;
}

/* ---- login ---------------------------------------------------------------------- */

static const pat_t login_pats[] = {
    {"FAILED LOGIN %n FROM %a FOR %u, %*", O_FAIL, "attempt"},
    /* util-linux writes "FAILED LOGIN n" for every try but the last, and this line
       (or its "TOO MANY LOGIN TRIES (n) FROM") for the last one; shadow's "TOO MANY
       LOGIN TRIES (n) on ..." follows its own "FAILED LOGIN (n)" for the same try. */
    {"FAILED LOGIN SESSION FROM %a FOR %u, %*", O_FAIL | O_ATTEMPT, "max_attempts"},
    {"TOO MANY LOGIN TRIES (%n) FROM %a FOR %u, %*", O_FAIL | O_ATTEMPT, "max_attempts"},
    {"FAILED LOGIN (%n) on '%t' from '%a' FOR '%u', %*", O_FAIL, "attempt"},
    {"FAILED LOGIN (%n) on '%t' FROM '%a' FOR '%u', %*", O_FAIL, "attempt"},
    {"FAILED LOGIN (%n) on '%t' FOR '%u', %*", O_FAIL, "attempt"},
    {"TOO MANY LOGIN TRIES (%n) on '%t' from '%a' FOR '%u', %*", O_FAIL, "max_attempts"},
    {"TOO MANY LOGIN TRIES (%n) on '%t' FROM '%a' FOR '%u', %*", O_FAIL, "max_attempts"},
    {"TOO MANY LOGIN TRIES (%n) on '%t' FOR '%u', %*", O_FAIL, "max_attempts"},
    {"TOO MANY LOGIN TRIES (%n) on '%t' from '%a' FOR '%u'", O_FAIL, "max_attempts"},
    {"TOO MANY LOGIN TRIES (%n) on '%t' FOR '%u'", O_FAIL, "max_attempts"},
    {"ROOT LOGIN REFUSED ON %t FROM %a%*", O_FAIL, "root_refused"},
    {"ROOT LOGIN REFUSED ON %t%*", O_FAIL, "root_refused"},
    {"ROOT LOGIN REFUSED on '%t' from '%a'%*", O_FAIL, "root_refused"},
    {"ROOT LOGIN REFUSED on '%t'%*", O_FAIL, "root_refused"},
    {"ROOT LOGIN ON %t FROM %a%*", O_OK, "attempt"},
    {"ROOT LOGIN ON %t%*", O_OK, "attempt"},
    {"ROOT LOGIN  on '%t' from '%a'%*", O_OK, "attempt"},
    {"ROOT LOGIN  on '%t'%*", O_OK, "attempt"},
    {"LOGIN ON %t BY %u FROM %a", O_OK, "attempt"},
    {"LOGIN ON %t BY %u", O_OK, "attempt"},
    {"DIALUP AT %t BY %u", O_OK, "attempt"},
    {"'%u' logged in %*", O_OK, "attempt"},
};

/* login's FROM names a tty for local logins and a host for remote ones. */
static bool tty_like(ww_str_t s)
{
    return WW__STARTS(s, "tty") || WW__STARTS(s, "pts/") || WW__STARTS(s, "/dev/") ||
           WW__STARTS(s, "console") || WW__STARTS(s, ":") || WW__STARTS(s, "(null)") ||
           WW__STARTS(s, "hvc") || WW__STARTS(s, "ttyS");
}

int ww__auth_login(ww_event_t *ev, ww_str_t msg)
{
    if (WW__STARTS(msg, "pam_") || WW__STARTS(msg, "PAM "))
        return pam_any(ev, msg, true, (ww_str_t){0});
    pcap_t c;
    const pat_t *t = match_table(login_pats, WW_ARRAY_LEN(login_pats), msg, &c);
    if (!t)
        return 0;
    ww__auth_t a = {.user = c.u,
                    .service = WW_STR("login"),
                    .method = WW_STR("password"),
                    .outcome = outcome_of(t->outcome, msg),
                    .event = t->event};
    if (WW__STARTS(msg, "ROOT"))
        a.user = WW_STR("root");
    int rc = 0;
    if (c.a.n && tty_like(c.a))
        c.t = c.a, c.a = (ww_str_t){0};
    /* The remote host is what telnetd or rlogind passed with -h: the client's reverse
       DNS, unchecked, so a PTR record can spell any address there. */
    a.src_ip = c.a;
    a.name_only = true;
    if (c.t.n)
        rc = ww__add(ev, "tty", c.t);
    if (rc == 0)
        rc = add_auth(ev, &a, attempts_of(t));
    return rc ? rc : 1;
}

/* ---- dropbear ------------------------------------------------------------------- */

static const pat_t dropbear_pats[] = {
    {"Bad password attempt for '%u' from %a", O_FAIL, "attempt"},
    {"Bad PAM password attempt for '%u' from %a", O_FAIL, "attempt"},
    /* Dropbear writes this once per connection and no line for the tries that
       follow: it stands for one. */
    {"Login attempt for nonexistent user '%u' from %a", O_FAIL | O_ATTEMPT, "invalid_user"},
    {"Login attempt for nonexistent user from %a", O_FAIL | O_ATTEMPT, "invalid_user"},
    {"Password auth succeeded for '%u' from %a", O_OK, "attempt"},
    {"PAM password auth succeeded for '%u' from %a", O_OK, "attempt"},
    {"Pubkey auth succeeded for '%u' with %_ from %a", O_OK, "attempt"},
    {"Max auth tries reached - user '%u' from %a", O_FAIL, "max_attempts"},
    {"Exit before auth from <%a>: %*", O_FAIL, "disconnect"},
    {"Exit before auth (user '%u', %n fails): %_ from %a", O_FAIL, "max_attempts"},
    {"Exit before auth (user '%u', %n fails): %*", O_FAIL, "max_attempts"},
};

int ww__auth_dropbear(ww_event_t *ev, ww_str_t msg)
{
    pcap_t c;
    const pat_t *t = match_table(dropbear_pats, WW_ARRAY_LEN(dropbear_pats), msg, &c);
    if (!t)
        return 0;
    ww__auth_t a = {.user = c.u,
                    .service = WW_STR("sshd"),
                    .outcome = outcome_of(t->outcome, msg),
                    .event = t->event};
    if (msg.p[0] == 'P')
        a.method = msg.p[1] == 'u' ? WW_STR("publickey") : WW_STR("password");
    else if (msg.p[0] == 'B')
        a.method = WW_STR("password");
    /* "1.2.3.4:5555" or "[::1]:5555": split off the port. */
    ww_str_t ad = c.a;
    const char *colon = ad.n ? memchr(ad.p, ':', ad.n) : NULL;
    const char *last = NULL;
    for (size_t i = ad.n; i-- > 0;)
        if (ad.p[i] == ':') {
            last = ad.p + i;
            break;
        }
    if (last && (colon == last || ad.p[0] == '[')) {
        a.src_ip = ww__s(ad.p, last);
        a.src_port = ww__s(last + 1, ad.p + ad.n);
    } else {
        a.src_ip = ad;
    }
    return add_auth(ev, &a, attempts_of(t)) ? WW_ENOMEM : 1;
}
