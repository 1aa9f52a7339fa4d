/* fuzz_httpreq.c - which session an opencode client's HTTP request shows (shim/httpreq.c). */
#include "fuzz.h"
#include "httpreq.h"
#include "recfmt.h"

/* Input: the bytes of one send() call, whole and cut to the HTTPREQ_HEAD bytes the hook
 * passes. Properties: a session is found only in a request line for /session/ID, the id is
 * well-formed (the records' rule) and NUL-ended, and what the head says, the whole agrees. */

static int check(const uint8_t *data, size_t n, char *id)
{
    memset(id, 'X', HTTPREQ_ID_MAX);
    int r = httpreq_session((const char *)data, n, id);
    FZ_CHECK(r == 0 || r == 1);
    if (!r)
        return 0;
    FZ_CHECK(memchr(id, '\0', HTTPREQ_ID_MAX));
    size_t idn = strlen(id);
    FZ_CHECK(recfmt_id_valid(id, idn));
    const char *get = "GET /session/", *post = "POST /session/";
    size_t off = n >= 13 && memcmp(data, get, 13) == 0 ? 13 : 14;
    FZ_CHECK(off == 13 || (n >= 14 && memcmp(data, post, 14) == 0));
    FZ_CHECK(n > off + idn && memcmp(data + off, id, idn) == 0);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char id[HTTPREQ_ID_MAX], head_id[HTTPREQ_ID_MAX];
    int whole = check(data, size, id);
    int head = check(data, size < HTTPREQ_HEAD ? size : HTTPREQ_HEAD, head_id);
    if (head)
        FZ_CHECK(whole && strcmp(id, head_id) == 0);
    return 0;
}
