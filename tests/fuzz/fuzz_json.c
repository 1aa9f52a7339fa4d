/* fuzz_json.c - the JSON reader (tools/common/json.c) on any bytes. */
#include "fuzz.h"
#include "json.h"

/* Input: a JSON text. Properties: a tree comes back or NULL, never for a text holding a NUL
 * byte (valid nowhere in JSON, raw); each value has a type, strings
 * are NUL-ended (and hold no NUL: a \u0000 is refused), members of objects have keys, lookups
 * by key find a member with that key; the tree is freed whole (leaks are caught). */

static int depth_max;

static void walk(const struct json *j, int depth, int in_obj)
{
    FZ_CHECK(depth <= 64);
    if (depth > depth_max)
        depth_max = depth;
    FZ_CHECK(j->type >= JSON_NULL && j->type <= JSON_OBJ);
    FZ_CHECK(!in_obj == !j->key);
    if (j->key)
        (void)strlen(j->key);
    if (j->type == JSON_STR) {
        FZ_CHECK(j->str != NULL);
        FZ_CHECK(json_str(j) == j->str);
    } else {
        FZ_CHECK(json_str(j) == NULL);
    }
    if (j->type == JSON_BOOL)
        FZ_CHECK(j->num == 0 || j->num == 1);
    if (j->type != JSON_ARR && j->type != JSON_OBJ)
        FZ_CHECK(j->nkids == 0);
    for (int i = 0; i < j->nkids; i++) {
        walk(&j->kids[i], depth + 1, j->type == JSON_OBJ);
        if (j->type == JSON_OBJ) {
            const struct json *m = json_get(j, j->kids[i].key);
            FZ_CHECK(m && strcmp(m->key, j->kids[i].key) == 0);
        }
    }
    FZ_CHECK(j->type == JSON_OBJ || json_get(j, "ok") == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json *j = json_parse((const char *)data, size);
    if (j) {
        FZ_CHECK(memchr(data, 0, size) == NULL);
        walk(j, 0, 0);
        json_free(j);
    }
    json_free(NULL);
    return 0;
}
