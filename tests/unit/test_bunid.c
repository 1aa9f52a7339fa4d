/* test_bunid.c - opencode's identity (bunid.c): ELF files with and without Bun's embedded
 * program, opencode's compiled-in arguments and near misses. */
#include "bunid.h"
#include "unit.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/test_bunid.XXXXXX";

/* What to break in the file that write_elf() makes. */
struct shape {
    const char *argv;       /* the compiled-in arguments */
    const char *section;    /* the section's name */
    int bad_trailer, bad_count, argv_past_end, length_past_section;
    uint32_t name_at;       /* the section's sh_name, when not 0 */
};

static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
static void put64(unsigned char *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

/* An ELF file laid out as Bun lays out a compiled program: ELF header, the `.bun` section
 * (u64 length, graph bytes, argv, offsets table, trailer), the section-name table, then the
 * section headers. Returns an open descriptor. */
static int write_elf(const struct shape *s)
{
    static unsigned char f[8192];
    memset(f, 0, sizeof f);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_type = ET_EXEC;
    eh->e_shentsize = sizeof(Elf64_Shdr);
    /* .bun at 0x100: 100 bytes of graph, then argv, then the tail */
    size_t bun = 0x100, alen = strlen(s->argv), graph = 100 + alen;
    unsigned char *p = f + bun + 8;
    memset(p, 'g', 100);
    memcpy(p + 100, s->argv, alen);
    unsigned char *t = p + graph;
    put64(t, s->bad_count ? graph + 1 : graph);
    put32(t + 20, 100);
    put32(t + 24, s->argv_past_end ? (uint32_t)alen + 50 : (uint32_t)alen);
    memcpy(t + 32, s->bad_trailer ? "\n---- Bux! ----\n" : BUNID_TRAILER, 16);
    uint64_t len = graph + BUNID_TAIL, secsize = 8 + len;
    put64(f + bun, s->length_past_section ? len + 64 : len);
    /* names at 0x1000, headers at 0x1100: [0] null, [1] the section, [2] .shstrtab */
    size_t names = 0x1000, sh = 0x1100;
    memcpy(f + names, "\0", 1);
    strcpy((char *)f + names + 1, s->section);
    size_t strname = 2 + strlen(s->section);
    strcpy((char *)f + names + strname, ".shstrtab");
    Elf64_Shdr *h = (Elf64_Shdr *)(f + sh);
    h[1].sh_name = s->name_at ? s->name_at : 1; h[1].sh_type = SHT_PROGBITS; h[1].sh_offset = bun; h[1].sh_size = secsize;
    h[2].sh_name = (uint32_t)strname; h[2].sh_type = SHT_STRTAB; h[2].sh_offset = names;
    h[2].sh_size = strname + 10;
    eh->e_shoff = sh;
    eh->e_shnum = 3;
    eh->e_shstrndx = 2;
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (write(fd, f, sh + 3 * sizeof *h) < 0)
        return -1;
    return fd;
}

static int check(const struct shape *s, char *version)
{
    int fd = write_elf(s);
    version[0] = '\0';
    int rc = bunid_read(fd, version, BUNID_VERSION_MAX);
    close(fd);
    return rc;
}

static int check_bytes(const char *bytes, size_t n)
{
    char path[64], v[BUNID_VERSION_MAX];
    snprintf(path, sizeof path, "%s/b", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (n && write(fd, bytes, n) < 0)
        return 99;
    int rc = bunid_read(fd, v, sizeof v);
    close(fd);
    return rc;
}

/* An ELF file without the section, with graph, table and trailer appended, then a u64 (the
 * way Bun laid out compiled programs before the `.bun` section). */
static int check_appended(const char *argv, int count_too_big)
{
    unsigned char f[1024] = {0}, *p;
    Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_shentsize = sizeof(Elf64_Shdr);           /* no section headers at all */
    size_t alen = strlen(argv), graph = 40 + alen;
    p = f + 200;
    memset(p, 'g', 40);
    memcpy(p + 40, argv, alen);
    unsigned char *t = p + graph;
    put64(t, count_too_big ? 5000 : graph);
    put32(t + 20, 40);
    put32(t + 24, (uint32_t)alen);
    memcpy(t + 32, BUNID_TRAILER, 16);
    put64(t + 48, 200);
    char path[64], v[BUNID_VERSION_MAX];
    snprintf(path, sizeof path, "%s/a", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (write(fd, f, (size_t)(t + 56 - f)) < 0)
        return 99;
    int rc = bunid_read(fd, v, sizeof v);
    close(fd);
    unlink(path);
    return rc;
}

int main(void)
{
    if (!mkdtemp(dir))
        return 2;
    char v[BUNID_VERSION_MAX];
    const char *real = "--user-agent=opencode/1.18.33 --use-system-ca --";

    /* --- opencode's layout, and its version --- */
    CHECK(check(&(struct shape){ .argv = real, .section = ".bun" }, v) == BUNID_OPENCODE);
    CHECK_STR(v, "1.18.33");
    CHECK(check(&(struct shape){ .argv = "--user-agent=opencode/0.0.0-dev-202609212252", .section = ".bun" }, v) == BUNID_OPENCODE);
    CHECK_STR(v, "0.0.0-dev-202609212252");
    /* --- another Bun program, and near misses of the argument --- */
    CHECK(check(&(struct shape){ .argv = "--user-agent=claude/1.0", .section = ".bun" }, v) == BUNID_OTHER_BUN);
    CHECK(check(&(struct shape){ .argv = "", .section = ".bun" }, v) == BUNID_OTHER_BUN);
    CHECK(check(&(struct shape){ .argv = "--user-agent=opencode/", .section = ".bun" }, v) == BUNID_OTHER_BUN);
    CHECK(check(&(struct shape){ .argv = "x--user-agent=opencode/1.0", .section = ".bun" }, v) == BUNID_OTHER_BUN);
    CHECK(check(&(struct shape){ .argv = "--user-agent=opencode/1.0;rm", .section = ".bun" }, v) == BUNID_OTHER_BUN);
    /* --- not Bun's layout --- */
    CHECK(check(&(struct shape){ .argv = real, .section = ".data" }, v) == BUNID_NOT_BUN);
    CHECK(check(&(struct shape){ .argv = real, .section = ".bunx" }, v) == BUNID_NOT_BUN);
    CHECK(check(&(struct shape){ .argv = real, .section = ".bun", .bad_trailer = 1 }, v) == BUNID_NOT_BUN);
    CHECK(check(&(struct shape){ .argv = real, .section = ".bun", .bad_count = 1 }, v) == BUNID_NOT_BUN);
    CHECK(check(&(struct shape){ .argv = real, .section = ".bun", .argv_past_end = 1 }, v) == BUNID_NOT_BUN);
    CHECK(check(&(struct shape){ .argv = real, .section = ".bun", .length_past_section = 1 }, v) == BUNID_NOT_BUN);
    /* a section name's offset near 2^32 must not wrap around the bound (it read 4 GB away) */
    CHECK(check(&(struct shape){ .argv = real, .section = ".bun", .name_at = 0xfffffffe }, v) == BUNID_NOT_BUN);
    CHECK(check(&(struct shape){ .argv = real, .section = ".bun", .name_at = 4000 }, v) == BUNID_NOT_BUN);
    /* --- Bun before the `.bun` section (opencode 1.2): the graph appended to the file --- */
    CHECK(check_appended(real, 0) == BUNID_OPENCODE);
    CHECK(check_appended("--user-agent=other/1", 0) == BUNID_OTHER_BUN);
    CHECK(check_appended(real, 1) == BUNID_NOT_BUN);      /* byte count past the file */
    /* --- not an ELF file at all --- */
    const char script[] = "#!/usr/bin/env python3\nimport time; time.sleep(1)\n";
    CHECK(check_bytes(script, sizeof script - 1) == BUNID_NOT_ELF);
    CHECK(check_bytes("", 0) == BUNID_NOT_ELF);
    CHECK(bunid_read(-1, v, sizeof v) == BUNID_IO);
    CHECK(strstr(bunid_why(BUNID_NOT_ELF), "script") != NULL);

    /* --- the pure rules on their own --- */
    unsigned char tail[BUNID_TAIL] = {0};
    uint32_t off, len;
    memcpy(tail + 32, BUNID_TRAILER, 16);
    tail[0] = 10; tail[20] = 2; tail[24] = 8;      /* 10 graph bytes, argv at 2, 8 long */
    CHECK(bunid_parse_tail(tail, 10 + BUNID_TAIL, &off, &len) == 0 && off == 2 && len == 8);
    CHECK(bunid_parse_tail(tail, 11 + BUNID_TAIL, &off, &len) == -1);
    CHECK(bunid_parse_tail(tail, 10, &off, &len) == -1);
    tail[24] = 9;                                   /* 2 + 9 > 10 */
    CHECK(bunid_parse_tail(tail, 10 + BUNID_TAIL, &off, &len) == -1);
    CHECK(bunid_match_argv("--a --user-agent=opencode/2.0.1", 31, v, 4) == 1);
    CHECK_STR(v, "2.0");                            /* cut to the room given */
    CHECK(bunid_match_argv("--user-agent=opencode/1.2\0--x", 29, NULL, 0) == 1);
    CHECK(bunid_match_argv("--user-agent=opencode/1.2", 24, NULL, 0) == 1);   /* "1." */
    CHECK(bunid_match_argv("--user-agent=opencode/1.2", 22, NULL, 0) == 0);   /* cut before */

    char path[64];
    snprintf(path, sizeof path, "%s/f", dir); unlink(path);
    snprintf(path, sizeof path, "%s/b", dir); unlink(path);
    rmdir(dir);
    UNIT_END("test_bunid");
}
