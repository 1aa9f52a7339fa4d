/* test_httpreq.c - which requests of an opencode client name the session it shows. */
#include "httpreq.h"
#include "unit.h"

#include <string.h>

#define ID "ses_dcc13d353ffe2xSLiIRPve9BBh"
#define TAIL " HTTP/1.1\r\nConnection: keep-alive\r\nUser-Agent: opencode/1.18.34\r\n\r\n"

static int shows(const char *req, const char *want)
{
    char id[HTTPREQ_ID_MAX];
    int r = httpreq_session(req, strlen(req), id);
    if (!want)
        return r == 0;
    return r == 1 && strcmp(id, want) == 0;
}

int main(void)
{
    /* measured on opencode 1.18.34's attach client (docs/ARCHITECTURE.md) */
    CHECK(shows("POST /session/" ID "/message" TAIL, ID)); /* a prompt names its session */
    CHECK(shows("GET /session/" ID TAIL, ID)); /* opening a session (a pick in the list) */
    CHECK(shows("GET /session/" ID "/message?limit=100" TAIL, ID)); /* its messages */
    CHECK(shows("GET /session/" ID "/todo" TAIL, ID)); /* its todo list */
    CHECK(shows("POST /session/" ID "/prompt_async" TAIL, ID)); /* an async prompt */
    CHECK(shows("POST /session/" ID "/command" TAIL, ID)); /* a slash command */
    CHECK(shows("POST /session/" ID "/shell" TAIL, ID)); /* a shell command */
    CHECK(shows("GET /session/" ID "?directory=%2Ftmp" TAIL, ID)); /* a query string */
    CHECK(shows("DELETE /session/" ID TAIL, NULL)); /* deleting a session in the list: no */
    CHECK(shows("PATCH /session/" ID TAIL, NULL)); /* renaming it: no */
    CHECK(shows("POST /session/" ID "/fork" TAIL, NULL)); /* forking it: no (the new one follows) */
    CHECK(shows("POST /session/" ID "/abort" TAIL, NULL)); /* other POSTs: no */
    CHECK(shows("POST /session?directory=%2Ftmp" TAIL, NULL)); /* creating one: no id yet */
    CHECK(shows("GET /session?roots=true&limit=100" TAIL, NULL)); /* the session list: no */
    CHECK(shows("GET /session/status" TAIL, NULL)); /* session status: no */
    CHECK(shows("GET /global/event" TAIL, NULL)); /* the event stream: no */
    CHECK(shows("POST /v1/chat/completions" TAIL, NULL)); /* a model request: no */
    CHECK(shows("GET /session/ses_" TAIL, NULL)); /* an empty id: no */
    CHECK(shows("GET /session/" ID, NULL)); /* cut after the id: no */
    CHECK(shows("GET /session/" ID "-x" TAIL, NULL)); /* an id with a foreign character: no */
    CHECK(shows("GET /session/ses_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" TAIL, NULL)); /* an id longer than any: no */
    CHECK(shows("get /session/" ID TAIL, NULL)); /* a lower-case method: no */
    char id[HTTPREQ_ID_MAX];
    CHECK(httpreq_session("GET /session/" ID " ", 10, id) == 0); /* a write shorter than the prefix: no */
    CHECK(httpreq_session("", 0, id) == 0); /* nothing: no */
    UNIT_END("test_httpreq");
}
