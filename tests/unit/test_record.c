/* test_record.c - record formatting (escaping, keys) and the atomic, no-clobber write. */
#include "recfmt.h"
#include "record.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *slurp(int dirfd, const char *name)
{
    static char buf[65536];
    int fd = openat(dirfd, name, O_RDONLY);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

int main(void)
{
    char buf[8192];
    size_t n = 0;
    CHECK(recfmt_put(buf, sizeof buf, &n, "k", "a\\b\nc\td\re\x01\x7f" "f=g \xc3\xa9") == 0);
    buf[n] = '\0';
    CHECK_STR(buf, "k=a\\\\b\\nc\\td\\re\\x01\\x7ff=g \xc3\xa9\n");
    n = 0;
    CHECK(recfmt_put(buf, 8, &n, "key", "too long for it") == -1);

    struct procinfo pi;
    memset(&pi, 0, sizeof pi);
    char *argv[] = { "opencode", "--session", "ses_abc", "a\nb", NULL };
    pi.argc = 4;
    pi.argv = argv;
    pi.pid = 42;
    pi.uid = 1000;
    strcpy(pi.boot_id, "0123456789abcdef0123456789abcdef");
    pi.start_time = 777;
    strcpy(pi.cwd, "/tmp/a dir");
    strcpy(pi.tmux_socket, "/tmp/tmux-1000/default");
    pi.tmux_pane = "%3";
    pi.kitty_window_id = "7";
    struct session_state ss;
    session_init(&ss);
    session_set(&ss, "ses_abc", "argv");
    struct tmux_info ti = { "my session", "1", "win", "0", "", 0, "@1" };
    struct record_exit ex = { NULL, 0, 0 };
    char rec[16384];
    long len = record_format(rec, sizeof rec, &pi, &ss, &ti, &ex, 1234);
    CHECK(len > 0);
    rec[len > 0 ? len : 0] = '\0';
    CHECK(strncmp(rec, "ocshim_record=1\n", 16) == 0);
    CHECK(strstr(rec, "\npid=42\n") != NULL);
    CHECK(strstr(rec, "\nargc=4\narg=opencode\narg=--session\narg=ses_abc\narg=a\\nb\n") != NULL);
    CHECK(strstr(rec, "\nsession=ses_abc\nsession_source=argv\n") != NULL);
    CHECK(strstr(rec, "\ntmux_pane=%3\ntmux_session=my session\ntmux_window=1\n") != NULL);
    CHECK(strstr(rec, "\nkitty_window_id=7\n") != NULL);
    CHECK(strstr(rec, "\nkitty_listen_on=") == NULL);
    CHECK(strstr(rec, "\nstate=running\n") != NULL);
    CHECK(strstr(rec, "exit_how") == NULL);
    CHECK(len > 6 && strcmp(rec + len - 6, "end=1\n") == 0);
    ex.how = "quick_exit";
    ex.hangup = 1;
    len = record_format(rec, sizeof rec, &pi, &ss, &ti, &ex, 1234);
    rec[len > 0 ? len : 0] = '\0';
    CHECK(strstr(rec, "\nstate=exited\nexit_how=quick_exit\nexit_code=0\nhangup=1\nend=1\n") != NULL);
    CHECK(record_format(rec, 100, &pi, &ss, &ti, &ex, 1) == -1);

    /* The directory: created 0700; a symlink, or a group-writable one, is refused. */
    char base[] = "/tmp/ocshim-unit.XXXXXX";
    CHECK(mkdtemp(base) != NULL);
    char dir[256], link[256], open_dir[256];
    snprintf(dir, sizeof dir, "%s/a/b/state", base);
    const char *why;
    int dfd = record_open_dir(dir, &why);
    CHECK(dfd >= 0);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
    snprintf(link, sizeof link, "%s/link", base);
    CHECK(symlink(dir, link) == 0);
    CHECK(record_open_dir(link, &why) == -1 && why && strcmp(why, recfmt_dir_why(RECFMT_DIR_LINK)) == 0);
    snprintf(open_dir, sizeof open_dir, "%s/open", base);
    mkdir(open_dir, 0777);
    chmod(open_dir, 0777);
    CHECK(record_open_dir(open_dir, &why) == -1 && why && strcmp(why, recfmt_dir_why(RECFMT_DIR_OPEN)) == 0);

    /* Atomic write; the first write never clobbers an existing file. */
    char name[160] = "42-0123456789abcdef0123456789abcdef-777.rec";
    int fd = openat(dfd, name, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0 && write(fd, "someone else's\n", 15) == 15);
    close(fd);
    int created = 0;
    CHECK(record_write(dfd, name, sizeof name, &created, "one\n", 4, NULL) == 0);
    CHECK(created == 1);
    CHECK_STR(name, "42-0123456789abcdef0123456789abcdef-777.1.rec");
    CHECK_STR(slurp(dfd, "42-0123456789abcdef0123456789abcdef-777.rec"), "someone else's\n");
    CHECK_STR(slurp(dfd, name), "one\n");
    CHECK(record_write(dfd, name, sizeof name, &created, "two\n", 4, NULL) == 0);
    CHECK_STR(slurp(dfd, name), "two\n");
    CHECK(fstatat(dfd, name, &st, 0) == 0 && (st.st_mode & 0777) == 0600);
    /* No temporary file is left behind. */
    char tmp[200];
    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    CHECK(faccessat(dfd, tmp, F_OK, 0) != 0);
    /* A symlink planted at the temporary name is not followed. */
    CHECK(symlinkat("/tmp/ocshim-unit-target-must-not-exist", dfd, tmp) == 0);
    CHECK(record_write(dfd, name, sizeof name, &created, "three\n", 6, NULL) == 0);
    CHECK(access("/tmp/ocshim-unit-target-must-not-exist", F_OK) != 0);
    CHECK_STR(slurp(dfd, name), "three\n");
    close(dfd);

    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    CHECK(system(cmd) == 0);
    UNIT_END("test_record");
}
