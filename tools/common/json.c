/* json.c - recursive-descent JSON reader (see json.h). */
#include "json.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

struct jp {
    const char *s, *end;
    int depth;
};

static void ws(struct jp *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    return 0;
}

static void put_utf8(struct strbuf *b, unsigned cp)
{
    char o[4];
    if (cp < 0x80) {
        o[0] = (char)cp;
        sb_addn(b, o, 1);
    } else if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        sb_addn(b, o, 2);
    } else if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        sb_addn(b, o, 3);
    } else {
        o[0] = (char)(0xf0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[3] = (char)(0x80 | (cp & 0x3f));
        sb_addn(b, o, 4);
    }
}

static char *pstring(struct jp *p)
{
    if (p->s >= p->end || *p->s != '"')
        return NULL;
    p->s++;
    struct strbuf b;
    sb_init(&b);
    while (p->s < p->end && *p->s != '"') {
        char c = *p->s++;
        if ((unsigned char)c < 0x20)
            goto bad;
        if (c != '\\') {
            sb_addc(&b, c);
            continue;
        }
        if (p->s >= p->end)
            goto bad;
        c = *p->s++;
        switch (c) {
        case '"': case '\\': case '/': sb_addc(&b, c); break;
        case 'b': sb_addc(&b, '\b'); break;
        case 'f': sb_addc(&b, '\f'); break;
        case 'n': sb_addc(&b, '\n'); break;
        case 'r': sb_addc(&b, '\r'); break;
        case 't': sb_addc(&b, '\t'); break;
        case 'u': {
            unsigned cp, lo;
            if (p->end - p->s < 4 || hex4(p->s, &cp))
                goto bad;
            p->s += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && p->end - p->s >= 6 && p->s[0] == '\\' && p->s[1] == 'u' &&
                hex4(p->s + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p->s += 6;
            }
            if (cp == 0)
                goto bad;
            put_utf8(&b, cp);
            break;
        }
        default:
            goto bad;
        }
    }
    if (p->s >= p->end)
        goto bad;
    p->s++;
    return sb_take(&b);
bad:
    sb_free(&b);
    return NULL;
}

static int pvalue(struct jp *p, struct json *out);
static void free_inner(struct json *j);

static int add_kid(struct json *j, int *cap, struct json *k)
{
    if (j->nkids == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        j->kids = xrealloc(j->kids, sizeof *j->kids * (size_t)*cap);
    }
    j->kids[j->nkids++] = *k;
    return 0;
}

static int pcontainer(struct jp *p, struct json *out, char close, int is_obj)
{
    int cap = 0;
    out->type = is_obj ? JSON_OBJ : JSON_ARR;
    p->s++;
    ws(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
        return 0;
    }
    for (;;) {
        struct json k;
        memset(&k, 0, sizeof k);
        char *key = NULL;
        ws(p);
        if (is_obj) {
            key = pstring(p);
            if (!key)
                return -1;
            ws(p);
            if (p->s >= p->end || *p->s != ':') {
                free(key);
                return -1;
            }
            p->s++;
        }
        if (pvalue(p, &k) != 0) {
            free(key);
            free_inner(&k);
            return -1;
        }
        k.key = key;
        add_kid(out, &cap, &k);
        ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == close) {
            p->s++;
            return 0;
        }
        return -1;
    }
}

static int pvalue(struct jp *p, struct json *out)
{
    memset(out, 0, sizeof *out);
    ws(p);
    if (p->s >= p->end || ++p->depth > 64)
        return -1;
    int rc = 0;
    char c = *p->s;
    if (c == '{') {
        rc = pcontainer(p, out, '}', 1);
    } else if (c == '[') {
        rc = pcontainer(p, out, ']', 0);
    } else if (c == '"') {
        out->type = JSON_STR;
        out->str = pstring(p);
        rc = out->str ? 0 : -1;
    } else if (p->end - p->s >= 4 && strncmp(p->s, "true", 4) == 0) {
        out->type = JSON_BOOL;
        out->num = 1;
        p->s += 4;
    } else if (p->end - p->s >= 5 && strncmp(p->s, "false", 5) == 0) {
        out->type = JSON_BOOL;
        p->s += 5;
    } else if (p->end - p->s >= 4 && strncmp(p->s, "null", 4) == 0) {
        out->type = JSON_NULL;
        p->s += 4;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        char tmp[64];
        size_t n = 0;
        /* (a NUL byte is no part of a number: strchr would find the string's own end) */
        while (p->s + n < p->end && n < sizeof tmp - 1 && p->s[n] && strchr("+-0123456789.eE", p->s[n]))
            n++;
        memcpy(tmp, p->s, n);
        tmp[n] = '\0';
        char *e;
        out->type = JSON_NUM;
        out->num = strtod(tmp, &e);
        if (e == tmp)
            rc = -1;
        p->s += n;
    } else {
        rc = -1;
    }
    p->depth--;
    return rc;
}

static void free_inner(struct json *j)
{
    for (int i = 0; i < j->nkids; i++)
        free_inner(&j->kids[i]);
    free(j->kids);
    free(j->key);
    free(j->str);
}

void json_free(struct json *j)
{
    if (j) {
        free_inner(j);
        free(j);
    }
}

struct json *json_parse(const char *text, size_t len)
{
    struct jp p = { text, text + len, 0 };
    struct json *j = xcalloc(1, sizeof *j);
    if (pvalue(&p, j) != 0) {
        free_inner(j);
        free(j);
        return NULL;
    }
    ws(&p);
    if (p.s != p.end) {
        free_inner(j);
        free(j);
        return NULL;
    }
    return j;
}

const struct json *json_get(const struct json *j, const char *key)
{
    if (!j || j->type != JSON_OBJ)
        return NULL;
    for (int i = 0; i < j->nkids; i++)
        if (j->kids[i].key && strcmp(j->kids[i].key, key) == 0)
            return &j->kids[i];
    return NULL;
}

const char *json_str(const struct json *j)
{
    return j && j->type == JSON_STR ? j->str : NULL;
}
