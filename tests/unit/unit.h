/* unit.h - the smallest test harness: CHECK counts, UNIT_END prints "NAME: N passed, N failed". */
#ifndef OCSHIM_UNIT_H
#define OCSHIM_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            unit_pass++;                                                             \
        } else {                                                                     \
            unit_fail++;                                                             \
            fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                              \
    do {                                                                             \
        const char *a_ = (a), *b_ = (b);                                             \
        if (a_ && b_ && strcmp(a_, b_) == 0) {                                       \
            unit_pass++;                                                             \
        } else {                                                                     \
            unit_fail++;                                                             \
            fprintf(stderr, "  FAIL %s:%d: %s == \"%s\" (got \"%s\")\n", __FILE__,   \
                    __LINE__, #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)");           \
        }                                                                            \
    } while (0)

#define UNIT_END(name)                                                               \
    do {                                                                             \
        printf("%s: %d passed, %d failed\n", (name), unit_pass, unit_fail);          \
        return unit_fail ? 1 : 0;                                                    \
    } while (0)

#endif
