/* bunid.h - is this executable opencode? Read from the program itself, not from its name.
 *
 * opencode is a Bun "compiled" executable: Bun stores the bundled program in an ELF section
 * named `.bun` (u64 length, then the module graph, which ends with a 32-byte table of
 * offsets and the trailer "\n---- Bun! ----\n"); Bun before that section (opencode 1.2)
 * appended the same graph to the file, followed by a u64. The table names the command-line arguments
 * that were compiled in, and opencode's build puts `--user-agent=opencode/VERSION` there. A
 * script, another program copied to `opencode`, or another Bun program has no such section
 * or no such argument. One definition for the shim (its constructor reads /proc/self/exe)
 * and the tools (`ocshim doctor` reads the opencode on PATH). */
#ifndef OCSHIM_BUNID_H
#define OCSHIM_BUNID_H

#include <stddef.h>
#include <stdint.h>

#define BUNID_TRAILER "\n---- Bun! ----\n"
#define BUNID_TAIL 48                  /* the offsets table (32 bytes) + the trailer (16) */
#define BUNID_ARGV_MAX 4096            /* longest compiled-in argument string read */
#define BUNID_VERSION_MAX 64

/* The answer, with why when it is no. */
enum bunid_result {
    BUNID_OPENCODE = 1,
    BUNID_IO = -1,          /* the file could not be read */
    BUNID_NOT_ELF = -2,     /* not a 64-bit little-endian ELF file */
    BUNID_NOT_BUN = -3,     /* no `.bun` section, or not Bun's layout */
    BUNID_OTHER_BUN = -4,   /* a Bun program, but not opencode */
};

/* Pure: from the payload's last BUNID_TAIL bytes and the payload's length (the section's
 * first u64), where the compiled-in arguments lie in the payload. 0, or -1 when the tail
 * is not Bun's. */
int bunid_parse_tail(const unsigned char *tail, uint64_t payload_len, uint32_t *argv_off,
                     uint32_t *argv_len);
/* Pure: 1 if the compiled-in arguments (n bytes) name opencode (`--user-agent=opencode/V`);
 * its version V is copied to version (cap bytes, NUL-terminated) when version is not NULL. */
int bunid_match_argv(const char *argv, size_t n, char *version, size_t cap);

/* Reads the ELF file open on fd (pread only: the offset is not moved). BUNID_OPENCODE, with
 * the version in version (may be NULL), or why not. No allocation. */
int bunid_read(int fd, char *version, size_t cap);
/* A short phrase for a result ("not an ELF executable", ...). */
const char *bunid_why(int result);

#endif
