/* bunid.c - opencode's identity from its embedded Bun module graph (see bunid.h).
 * Runs in: load time, any (pure).
 *   load time: bunid_read (ocshim_start reads the executable: pread, fstat);
 *   any (pure): bunid_parse_tail, bunid_match_argv, bunid_why. The tools link it too. */
#include "bunid.h"

#include <elf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int bunid_parse_tail(const unsigned char *tail, uint64_t payload_len, uint32_t *argv_off,
                     uint32_t *argv_len)
{
    if (payload_len < BUNID_TAIL || memcmp(tail + 32, BUNID_TRAILER, 16) != 0)
        return -1;
    /* byte_count u64, modules {u32 off, u32 len}, entry point u32, argv {u32 off, u32 len},
     * flags u32: the graph's bytes come first, then this table and the trailer. */
    uint64_t bytes = le64(tail);
    if (bytes != payload_len - BUNID_TAIL)
        return -1;
    uint32_t off = le32(tail + 20), len = le32(tail + 24);
    if ((uint64_t)off + len > bytes)
        return -1;
    *argv_off = off;
    *argv_len = len;
    return 0;
}

int bunid_match_argv(const char *argv, size_t n, char *version, size_t cap)
{
    static const char key[] = "--user-agent=opencode/";
    const size_t k = sizeof key - 1;
    for (size_t i = 0; i + k <= n; i++) {
        if ((i > 0 && argv[i - 1] != ' ' && argv[i - 1] != '\0') || memcmp(argv + i, key, k) != 0)
            continue;
        size_t v = i + k, e = v;
        while (e < n && e - v < BUNID_VERSION_MAX - 1 &&
               ((argv[e] >= '0' && argv[e] <= '9') || (argv[e] >= 'a' && argv[e] <= 'z') ||
                (argv[e] >= 'A' && argv[e] <= 'Z') || argv[e] == '.' || argv[e] == '-' ||
                argv[e] == '+'))
            e++;
        if (e == v || (e < n && argv[e] != ' ' && argv[e] != '\0'))
            continue;                       /* no version, or one with odd characters */
        if (version && cap) {
            size_t m = e - v < cap - 1 ? e - v : cap - 1;
            memcpy(version, argv + v, m);
            version[m] = '\0';
        }
        return 1;
    }
    return 0;
}

/* 0; -1 when the read fails; -2 when the file ends first. */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (r <= 0)
            return r == 0 ? -2 : -1;
        done += (size_t)r;
    }
    return 0;
}

/* The `.bun` section's place in the file: 0, or a bunid_result. */
static int find_section(int fd, uint64_t *offset, uint64_t *size)
{
    Elf64_Ehdr eh;
    int rc = read_at(fd, &eh, sizeof eh, 0);
    if (rc != 0)
        return rc == -2 ? BUNID_NOT_ELF : BUNID_IO;     /* shorter than an ELF header */
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return BUNID_NOT_ELF;
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 || eh.e_shnum > 4096 ||
        eh.e_shstrndx >= eh.e_shnum)
        return BUNID_NOT_BUN;
    Elf64_Shdr strsh;
    if (read_at(fd, &strsh, sizeof strsh, eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof strsh))
        return BUNID_IO;
    char names[4096];
    if (strsh.sh_size == 0 || strsh.sh_size > sizeof names)
        return BUNID_NOT_BUN;
    if (read_at(fd, names, strsh.sh_size, strsh.sh_offset) != 0)
        return BUNID_IO;
    names[sizeof names - 1] = '\0';
    Elf64_Shdr sh[32];
    for (unsigned i = 0; i < eh.e_shnum; i += 32) {
        unsigned n = eh.e_shnum - i < 32 ? eh.e_shnum - i : 32;
        if (read_at(fd, sh, n * sizeof *sh, eh.e_shoff + (uint64_t)i * sizeof *sh) != 0)
            return BUNID_IO;
        for (unsigned j = 0; j < n; j++)
            if ((uint64_t)sh[j].sh_name + 5 <= strsh.sh_size &&
                memcmp(names + sh[j].sh_name, ".bun", 5) == 0 &&
                sh[j].sh_type == SHT_PROGBITS) {
                *offset = sh[j].sh_offset;
                *size = sh[j].sh_size;
                return 0;
            }
    }
    return BUNID_NOT_BUN;
}

/* Where the graph lies: the `.bun` section (u64 length, then the graph), or, in programs
 * built by Bun before it had that section, appended to the file and followed by a u64. */
static int find_graph(int fd, uint64_t *start, uint64_t *len)
{
    uint64_t off, size;
    int rc = find_section(fd, &off, &size);
    if (rc == 0) {
        unsigned char head[8];
        if (size < 8 + BUNID_TAIL || read_at(fd, head, 8, off) != 0)
            return size < 8 + BUNID_TAIL ? BUNID_NOT_BUN : BUNID_IO;
        *len = le64(head);
        if (*len < BUNID_TAIL || *len > size - 8)
            return BUNID_NOT_BUN;
        *start = off + 8;
        return 0;
    }
    if (rc != BUNID_NOT_BUN)
        return rc;
    struct stat st;
    unsigned char tail[BUNID_TAIL];
    if (fstat(fd, &st) != 0)
        return BUNID_IO;
    uint64_t end = (uint64_t)st.st_size;
    if (end < BUNID_TAIL + 8 || read_at(fd, tail, sizeof tail, end - 8 - BUNID_TAIL) != 0 ||
        memcmp(tail + 32, BUNID_TRAILER, 16) != 0)
        return BUNID_NOT_BUN;
    uint64_t bytes = le64(tail);
    if (bytes > end - 8 - BUNID_TAIL)
        return BUNID_NOT_BUN;
    *len = bytes + BUNID_TAIL;
    *start = end - 8 - *len;
    return 0;
}

int bunid_read(int fd, char *version, size_t cap)
{
    uint64_t start, len;
    int rc = find_graph(fd, &start, &len);
    if (rc != 0)
        return rc;
    unsigned char tail[BUNID_TAIL];
    if (read_at(fd, tail, sizeof tail, start + len - BUNID_TAIL) != 0)
        return BUNID_IO;
    uint32_t aoff, alen;
    if (bunid_parse_tail(tail, len, &aoff, &alen) != 0)
        return BUNID_NOT_BUN;
    char argv[BUNID_ARGV_MAX];
    if (alen > sizeof argv)
        alen = sizeof argv;
    if (read_at(fd, argv, alen, start + aoff) != 0)
        return BUNID_IO;
    return bunid_match_argv(argv, alen, version, cap) ? BUNID_OPENCODE : BUNID_OTHER_BUN;
}

const char *bunid_why(int result)
{
    switch (result) {
    case BUNID_OPENCODE: return "opencode";
    case BUNID_IO: return "cannot be read";
    case BUNID_NOT_ELF: return "not an ELF executable (a script or a launcher)";
    case BUNID_NOT_BUN: return "an executable without Bun's embedded program";
    case BUNID_OTHER_BUN: return "a Bun program that is not opencode";
    default: return "unknown";
    }
}
