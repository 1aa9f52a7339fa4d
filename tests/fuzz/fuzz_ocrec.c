/* fuzz_ocrec.c - the record reader (tools/common/ocrec.c) and the record's escaping round trip. */
#include "fuzz.h"
#include "ocrec.h"
#include "recfmt.h"

/* Input: the bytes of a record file, parsed as they are (ocrec_parse). Then, as a value (up to
 * its first NUL byte), the same bytes go through the writer's escaping (recfmt_put) and back:
 *   - recfmt_unescape and ocrec_unescape give the value again;
 *   - into a buffer of every size, recfmt_put either fits (the line ends in its buffer) or says
 *     -1 without writing past it (the buffer is its own allocation of that size);
 *   - a whole record carrying the value as `exe` and as an `arg` parses, with the value back.
 * Byte 0 also picks the small buffer's size. */

static void check_record(const struct ocrec *r)
{
    FZ_CHECK(r->pid > 0);
    FZ_CHECK(strlen(r->boot_id) == 32);
    FZ_CHECK(r->nkv >= 5);
    FZ_CHECK(r->argc >= 0 && (r->argc == 0 || r->argv[r->argc] == NULL));
    for (int i = 0; i < r->argc; i++)
        FZ_CHECK(r->argv[i] != NULL);
    for (int i = 0; i < 2 * r->nkv; i++)
        FZ_CHECK(r->kv[i] != NULL);
    FZ_CHECK(r->hangup >= -1 && r->hangup <= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ocrec r;
    const char *why;
    if (ocrec_parse((const char *)data, size, &r, &why) == 0) {
        FZ_CHECK(why == NULL);
        check_record(&r);
        ocrec_free(&r);
    } else {
        FZ_CHECK(why != NULL);
    }

    /* The value: the input up to its first NUL. */
    const uint8_t *nul = memchr(data, 0, size);
    size_t vn = nul ? (size_t)(nul - data) : size;
    char *value = fz_str((const char *)data, vn);

    /* A buffer too small, or just right: fits or says no, never writes past it. */
    size_t small = size ? (size_t)data[0] * (vn + 8) / 255 : 0;
    char *sb = malloc(small ? small : 1);
    size_t sl = 0;
    int rc = recfmt_put(sb, small, &sl, "exe", value);
    FZ_CHECK(rc == 0 || rc == -1);
    if (rc == 0)
        FZ_CHECK(sl <= small && sl >= 5 && sb[sl - 1] == '\n');
    else
        FZ_CHECK(sl == 0);
    free(sb);

    /* Room for the worst case: 4 bytes per byte. */
    size_t cap = 4 * vn + 16;
    char *line = malloc(cap);
    size_t len = 0;
    FZ_CHECK(recfmt_put(line, cap, &len, "exe", value) == 0);
    FZ_CHECK(len >= 5 && memcmp(line, "exe=", 4) == 0 && line[len - 1] == '\n');
    FZ_CHECK(memchr(line, '\n', len) == line + len - 1);   /* one line, whatever the value */
    char *back = malloc(len);
    long bn = recfmt_unescape(line + 4, len - 5, back);
    FZ_CHECK(bn == (long)vn && memcmp(back, value, vn) == 0 && back[bn] == '\0');
    free(back);
    char *back2 = ocrec_unescape(line + 4, len - 5);
    FZ_CHECK(back2 && strcmp(back2, value) == 0);
    free(back2);

    /* A whole record with the value as exe and as its one arg: the reader gives it back. */
    size_t rcap = 2 * cap + 256, rl = 0;
    char *rec = malloc(rcap);
    FZ_CHECK(recfmt_put(rec, rcap, &rl, "ocshim_record", "1") == 0);
    FZ_CHECK(recfmt_put(rec, rcap, &rl, "pid", "4242") == 0);
    FZ_CHECK(recfmt_put(rec, rcap, &rl, "boot_id", "0123456789abcdef0123456789abcdef") == 0);
    FZ_CHECK(recfmt_put(rec, rcap, &rl, "start_time", "123456") == 0);
    memcpy(rec + rl, line, len);
    rl += len;
    FZ_CHECK(recfmt_put(rec, rcap, &rl, "arg", value) == 0);
    FZ_CHECK(recfmt_put(rec, rcap, &rl, "end", "1") == 0);
    FZ_CHECK(ocrec_parse(rec, rl, &r, &why) == 0);
    FZ_CHECK(r.exe && strcmp(r.exe, value) == 0);
    FZ_CHECK(r.argc == 1 && strcmp(r.argv[0], value) == 0);
    FZ_CHECK(r.pid == 4242 && r.start_time == 123456);
    ocrec_free(&r);
    free(rec);
    free(line);
    free(value);
    return 0;
}
