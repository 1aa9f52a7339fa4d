/* recfmt.c - the record format's rules, shared by the shim and the tools (see recfmt.h).
 * Runs in: any (pure).
 * In the shim only the worker thread calls it (record.c, procinfo_load, logscan.c). */
#include "recfmt.h"

#include <stdio.h>
#include <string.h>

int recfmt_put(char *buf, size_t cap, size_t *len, const char *key, const char *value)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = *len;
    size_t kn = strlen(key);
    if (o + kn + 2 > cap)
        return -1;
    memcpy(buf + o, key, kn);
    o += kn;
    buf[o++] = '=';
    for (const unsigned char *v = (const unsigned char *)(value ? value : ""); *v; v++) {
        char esc = 0;
        switch (*v) {
        case '\\': esc = '\\'; break;
        case '\n': esc = 'n'; break;
        case '\t': esc = 't'; break;
        case '\r': esc = 'r'; break;
        }
        if (o + 5 > cap)
            return -1;
        if (esc) {
            buf[o++] = '\\';
            buf[o++] = esc;
        } else if (*v < 0x20 || *v == 0x7f) {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[*v >> 4];
            buf[o++] = hex[*v & 15];
        } else {
            buf[o++] = (char)*v;
        }
    }
    if (o + 1 > cap)
        return -1;
    buf[o++] = '\n';
    *len = o;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long recfmt_unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((unsigned char)c < 0x20 || c == 0x7f)
            return -1;                  /* raw control bytes must have been escaped */
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (++i >= n)
            return -1;
        switch (s[i]) {
        case '\\': out[o++] = '\\'; break;
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case 'r': out[o++] = '\r'; break;
        case 'x': {
            if (i + 2 >= n)
                return -1;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return -1;              /* no NUL inside a C string */
            out[o++] = (char)(h * 16 + l);
            i += 2;
            break;
        }
        default:
            return -1;
        }
    }
    out[o] = '\0';
    return (long)o;
}

int recfmt_key_known(const char *key, size_t n)
{
#define KNOWN(k) if (n == sizeof #k - 1 && memcmp(key, #k, n) == 0) return 1;
    RECFMT_KEYS(KNOWN)
#undef KNOWN
    return 0;
}

int recfmt_id_valid(const char *s, size_t n)
{
    if (n < 5 || n >= RECFMT_ID_MAX || memcmp(s, "ses_", 4) != 0)
        return 0;
    for (size_t i = 4; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return 0;
    }
    return 1;
}

int recfmt_pane_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 2 && n <= 11 && s[0] == '%' && strspn(s + 1, "0123456789") == n - 1;
}

int recfmt_state_dir(char *out, size_t cap, const char *state_dir_env, const char *xdg_state_home,
                     const char *home)
{
    int w;
    if (state_dir_env && state_dir_env[0])
        w = state_dir_env[0] == '/' ? snprintf(out, cap, "%s", state_dir_env) : -1;
    else if (xdg_state_home && xdg_state_home[0] == '/')
        w = snprintf(out, cap, "%s/ocshim", xdg_state_home);
    else if (home && home[0] == '/')
        w = snprintf(out, cap, "%s/.local/state/ocshim", home);
    else
        w = -1;
    return w < 0 || (size_t)w >= cap ? -1 : 0;
}

enum recfmt_dir_verdict recfmt_dir_judge(const struct recfmt_dir *d)
{
    if (d->is_link)
        return RECFMT_DIR_LINK;
    if (!d->is_dir)
        return RECFMT_DIR_NOTDIR;
    if (d->uid != d->me)
        return RECFMT_DIR_FOREIGN;
    if (d->mode & 022)
        return RECFMT_DIR_OPEN;
    if (d->read_only == 1)
        return RECFMT_DIR_READONLY;
    if (d->room >= 0 && d->room < RECFMT_DIR_ROOM)
        return RECFMT_DIR_FULL;
    return RECFMT_DIR_OK;
}

int recfmt_dir_refused(enum recfmt_dir_verdict v)
{
    return v == RECFMT_DIR_LINK || v == RECFMT_DIR_NOTDIR || v == RECFMT_DIR_FOREIGN ||
           v == RECFMT_DIR_OPEN;
}

const char *recfmt_dir_why(enum recfmt_dir_verdict v)
{
    switch (v) {
    case RECFMT_DIR_LINK: return "is a symlink: refused (records live only in a real directory)";
    case RECFMT_DIR_NOTDIR: return "is not a directory: refused";
    case RECFMT_DIR_FOREIGN: return "is owned by another user: refused";
    case RECFMT_DIR_OPEN: return "is writable by group or others: refused";
    case RECFMT_DIR_READONLY: return "is read-only: opencode's records cannot be written";
    case RECFMT_DIR_FULL: return "is full: opencode's records cannot be written";
    case RECFMT_DIR_OK: break;
    }
    return NULL;
}

int recfmt_is_quit(const char *state, int hangup)
{
    return state && strcmp(state, "exited") == 0 && hangup != 1;
}
