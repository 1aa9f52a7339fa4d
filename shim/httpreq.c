/* httpreq.c - which session an opencode client's HTTP request shows (see httpreq.h).
 * Runs in: any (pure).
 * Called from the send and sendto hooks (host threads), through capture_http_write. */
#include "httpreq.h"

#include <string.h>

static int starts(const char *p, size_t n, const char *lit, size_t ln)
{
    return n >= ln && memcmp(p, lit, ln) == 0;
}

static int id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int httpreq_session(const char *buf, size_t n, char id[HTTPREQ_ID_MAX])
{
    static const char get[] = "GET /session/ses_", post[] = "POST /session/ses_";
    size_t i;
    int is_post;
    if (starts(buf, n, get, sizeof get - 1)) {
        i = sizeof get - 1;
        is_post = 0;
    } else if (starts(buf, n, post, sizeof post - 1)) {
        i = sizeof post - 1;
        is_post = 1;
    } else {
        return 0;
    }
    size_t s = i - 4;                          /* "ses_" */
    while (i < n && id_char(buf[i]) && i - s < HTTPREQ_ID_MAX - 1)
        i++;
    size_t idn = i - s;
    if (idn < 5 || i >= n || id_char(buf[i]))
        return 0;                              /* empty, cut, or longer than any id */
    const char *rest = buf + i;
    size_t rn = n - i;
    if (is_post) {
        static const char *const verbs[] = { "/message ", "/message?", "/prompt_async ",
                                             "/prompt_async?", "/command ", "/command?",
                                             "/shell ", "/shell?" };
        int ok = 0;
        for (size_t k = 0; k < sizeof verbs / sizeof *verbs && !ok; k++)
            ok = starts(rest, rn, verbs[k], strlen(verbs[k]));
        if (!ok)
            return 0;
    } else if (rest[0] != ' ' && rest[0] != '/' && rest[0] != '?') {
        return 0;
    }
    memcpy(id, buf + s, idn);
    id[idn] = '\0';
    return 1;
}
