/* quote.c - shell, JSON and tmux quoting, session id validation (see quote.h). */
#include "quote.h"

#include "recfmt.h"

#include <string.h>

void quote_sh(struct strbuf *b, const char *s)
{
    sb_addc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_add(b, "'\\''");
        else
            sb_addc(b, *s);
    }
    sb_addc(b, '\'');
}

void quote_sh_word(struct strbuf *b, const char *s)
{
    const char *c = s;
    while (*c && ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                  strchr("_./-+,:@", *c)))
        c++;
    if (*s && !*c && *s != '-')
        sb_add(b, s);
    else
        quote_sh(b, s);
}

void quote_json(struct strbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sb_add(b, "\\\""); break;
        case '\\': sb_add(b, "\\\\"); break;
        case '\n': sb_add(b, "\\n"); break;
        case '\t': sb_add(b, "\\t"); break;
        case '\r': sb_add(b, "\\r"); break;
        case '\b': sb_add(b, "\\b"); break;
        case '\f': sb_add(b, "\\f"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                char u[7] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0 };
                sb_add(b, u);
            } else {
                sb_addc(b, (char)*p);
            }
        }
    }
    sb_addc(b, '"');
}

void quote_tmux_format(struct strbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '#')
            sb_addc(b, '#');
        sb_addc(b, *s);
    }
}

char *quote_tmux_arg(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[n - 1] != ';')
        return xstrdup(s);
    /* tmux turns a trailing "\;" into a literal ";" (and drops the backslash). */
    char *r = xmalloc(n + 2);
    memcpy(r, s, n - 1);
    r[n - 1] = '\\';
    r[n] = ';';
    r[n + 1] = '\0';
    return r;
}

void quote_tmux_unvis(struct strbuf *b, const char *s)
{
    static const char cstyle[] = "n\nr\rt\ta\ab\bf\fv\v";
    while (*s) {
        if (*s != '\\' || !s[1]) {
            sb_addc(b, *s++);
            continue;
        }
        const char *c = strchr(cstyle, s[1]);
        if (s[1] == '\\' || s[1] == '$') {
            sb_addc(b, s[1]);
            s += 2;
        } else if (c && (c - cstyle) % 2 == 0) {
            sb_addc(b, c[1]);
            s += 2;
        } else if (s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7' &&
                   (s[1] != '0' || s[2] != '0' || s[3] != '0')) {
            sb_addc(b, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
            s += 4;
        } else {
            sb_addc(b, *s++);       /* not tmux's escape: as it is */
        }
    }
}

int session_id_valid(const char *s)
{
    return s && recfmt_id_valid(s, strlen(s));
}
