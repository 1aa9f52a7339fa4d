/* json.h - a small JSON reader (a tree of values), enough for kitty's remote-control replies. */
#ifndef OCSHIM_JSON_H
#define OCSHIM_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
    enum json_type type;
    char *key;            /* set for members of an object */
    char *str;            /* JSON_STR: the decoded UTF-8 string */
    double num;           /* JSON_NUM; JSON_BOOL: 0 or 1 */
    struct json *kids;    /* JSON_ARR / JSON_OBJ */
    int nkids;
};

/* Parses text (len bytes); NULL when malformed. Free with json_free. */
struct json *json_parse(const char *text, size_t len);
void json_free(struct json *j); /* frees a tree returned by json_parse */
/* Member of an object by key, NULL when absent or j is not an object. */
const struct json *json_get(const struct json *j, const char *key);
/* String value or NULL. */
const char *json_str(const struct json *j);

#endif
