/* The console's certificate when none is configured: an ECDSA P-256 key and a
 * self-signed certificate made with GnuTLS on first start, kept in the state folder
 * (key mode 0600, written to a temporary name and renamed so a crash never leaves half
 * a key), valid 825 days (the most browsers accept for a server certificate), with
 * SANs for localhost, 127.0.0.1, ::1 and the configured names.  Its SHA-256
 * fingerprint is what an administrator compares when the browser first asks. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "web/ww_web_int.h"

#define VALID_DAYS 825
#define MAX_NAME 253

static void hex_colons(const unsigned char *d, size_t n, char fp[96])
{
    static const char hx[] = "0123456789ABCDEF";
    size_t k = 0;
    for (size_t i = 0; i < n && k + 3 < 96; i++) {
        if (i)
            fp[k++] = ':';
        fp[k++] = hx[d[i] >> 4];
        fp[k++] = hx[d[i] & 15];
    }
    fp[k] = 0;
}

static int crt_fingerprint(gnutls_x509_crt_t crt, char fp[96])
{
    unsigned char d[32];
    size_t n = sizeof d;
    if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, d, &n) != 0 || n != 32)
        return WW_EINVAL;
    hex_colons(d, n, fp);
    return 0;
}

int ww_web_cert_fingerprint(const char *pem, size_t n, char fp[96])
{
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) != 0)
        return WW_ENOMEM;
    gnutls_datum_t d = {(unsigned char *)pem, (unsigned)n};
    int rc = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) == 0 ? crt_fingerprint(crt, fp)
                                                                       : WW_EINVAL;
    gnutls_x509_crt_deinit(crt);
    return rc;
}

/* Writes data to path through path.tmp with mode, then renames. */
static int write_file(const char *path, const gnutls_datum_t *data, mode_t mode, ww_diag_t *diag)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        ww_diag_set(diag, path, 0, 0, "path too long");
        return WW_EINVAL;
    }
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        ww_diag_set(diag, tmp, 0, 0, "cannot create: %s", strerror(errno));
        return WW_EIO;
    }
    size_t off = 0;
    while (off < data->size) {
        ssize_t w = write(fd, data->data + off, data->size - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    bool ok = off == data->size && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0) {
        ww_diag_set(diag, path, 0, 0, "cannot write: %s", strerror(errno));
        unlink(tmp);
        return WW_EIO;
    }
    return 0;
}

static bool dns_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_NAME)
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '.'))
            return false;
    return true;
}

static int add_san(gnutls_x509_crt_t crt, const char *name, ww_diag_t *diag)
{
    unsigned char ip[16];
    int rc;
    if (inet_pton(AF_INET, name, ip) == 1)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                  GNUTLS_FSAN_APPEND);
    else if (inet_pton(AF_INET6, name, ip) == 1)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
                                                  GNUTLS_FSAN_APPEND);
    else if (dns_name_ok(name))
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name,
                                                  (unsigned)strlen(name), GNUTLS_FSAN_APPEND);
    else {
        ww_diag_set(diag, "", 0, 0, "'%.100s' is neither an IP address nor a DNS name", name);
        return WW_EINVAL;
    }
    if (rc != 0) {
        ww_diag_set(diag, "", 0, 0, "cannot add the name %.100s: %s", name, gnutls_strerror(rc));
        return WW_EINVAL;
    }
    return 0;
}

int ww_web_selfsigned(const char *cert_path, const char *key_path, const char *const *names,
                      uint32_t nnames, char fp[96], ww_diag_t *diag)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t kpem = {0}, cpem = {0};
    int rc = WW_EIO, g;
    if ((g = gnutls_x509_privkey_init(&key)) != 0 || (g = gnutls_x509_crt_init(&crt)) != 0)
        goto gfail;
    if ((g = gnutls_x509_privkey_generate(
             key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) != 0)
        goto gfail;
    unsigned char serial[16];
    if (getrandom(serial, sizeof serial, 0) != (ssize_t)sizeof serial) {
        ww_diag_set(diag, "", 0, 0, "no random bytes for the serial number");
        goto out;
    }
    serial[0] &= 0x7f; /* a positive integer */
    serial[0] |= 0x01;
    time_t now = time(NULL);
    if ((g = gnutls_x509_crt_set_version(crt, 3)) != 0 ||
        (g = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) != 0 ||
        /* An hour back: a client whose clock is a little behind still accepts it. */
        (g = gnutls_x509_crt_set_activation_time(crt, now - 3600)) != 0 ||
        (g = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)VALID_DAYS * 86400)) != 0 ||
        (g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "wardwatch console",
                                           17)) != 0 ||
        (g = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0,
                                           "wardwatch (self-signed)", 23)) != 0 ||
        (g = gnutls_x509_crt_set_key(crt, key)) != 0 ||
        (g = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) != 0 ||
        (g = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) != 0 ||
        (g = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) != 0)
        goto gfail;
    unsigned char kid[64];
    size_t kidn = sizeof kid;
    if ((g = gnutls_x509_privkey_get_key_id(key, 0, kid, &kidn)) != 0 ||
        (g = gnutls_x509_crt_set_subject_key_id(crt, kid, kidn)) != 0)
        goto gfail;
    static const char *const fixed[] = {"localhost", "127.0.0.1", "::1"};
    for (size_t i = 0; i < WW_ARRAY_LEN(fixed); i++)
        if ((rc = add_san(crt, fixed[i], diag)) != 0)
            goto out;
    for (uint32_t i = 0; i < nnames; i++)
        if ((rc = add_san(crt, names[i], diag)) != 0)
            goto out;
    rc = WW_EIO;
    if ((g = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) != 0 ||
        (g = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                               &kpem)) != 0 ||
        (g = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cpem)) != 0)
        goto gfail;
    /* The key first: a certificate without its key would be loaded and fail later. */
    if ((rc = write_file(key_path, &kpem, 0600, diag)) != 0 ||
        (rc = write_file(cert_path, &cpem, 0644, diag)) != 0)
        goto out;
    rc = crt_fingerprint(crt, fp);
    goto out;
gfail:
    ww_diag_set(diag, "", 0, 0, "cannot make a self-signed certificate: %s", gnutls_strerror(g));
    rc = WW_EIO;
out:
    if (kpem.data) {
        gnutls_memset(kpem.data, 0, kpem.size);
        gnutls_free(kpem.data);
    }
    gnutls_free(cpem.data);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (key)
        gnutls_x509_privkey_deinit(key);
    return rc;
}
