/* test_ocrec.c - the tools' record reader: escaping, strictness, directory safety. */
#include "ocrec.h"
#include "proc.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOOT "0123456789abcdef0123456789abcdef"
#define HEAD "ocshim_record=1\npid=42\nboot_id=" BOOT "\nstart_time=777\n"

static int parse(const char *s, struct ocrec *r, const char **why)
{
    return ocrec_parse(s, strlen(s), r, why);
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0)
            perror("write");
        close(fd);
    }
}

int main(void)
{
    struct ocrec r;
    const char *why;

    /* A whole record with escapes, repeated args and an unknown key. */
    CHECK(parse(HEAD "uid=0\nexe=/opt/oc/opencode\ncwd=/tmp/a b\nargc=3\narg=opencode\narg=-s\narg=x\\ny\\\\z\\t\\x01\n"
                     "session=ses_abc123\nfuture_key=whatever\ntmux_session=my \\x1b sess\ntmux_window=2\n"
                     "tmux_pane_index=1\nstate=exited\nexit_how=exit\nexit_code=3\nhangup=1\nupdated_ms=1700000000000\nend=1\n",
                &r, &why) == 0);
    CHECK(r.pid == 42 && r.start_time == 777 && strcmp(r.boot_id, BOOT) == 0);
    CHECK(r.argc == 3 && r.argv[3] == NULL);
    CHECK_STR(r.argv[2], "x\ny\\z\t\x01");
    CHECK_STR(r.cwd, "/tmp/a b");
    CHECK_STR(r.tmux_session, "my \x1b sess");
    CHECK(r.hangup == 1 && r.exit_code == 3 && r.updated_ms == 1700000000000LL);
    CHECK_STR(r.state, "exited");
    ocrec_free(&r);

    /* Strictness: every one of these must be refused with a reason. */
    const char *bad[] = {
        HEAD "session=ses_a\n",                          /* no end=1: truncated */
        HEAD "session=ses_a\nend=1",                     /* no final newline */
        "ocshim_record=2\npid=1\nboot_id=" BOOT "\nstart_time=1\nend=1\n", /* another version */
        "pid=1\nboot_id=" BOOT "\nstart_time=1\nend=1\n", /* first line missing */
        "ocshim_record=1\nboot_id=" BOOT "\nstart_time=1\nend=1\n",       /* no pid */
        "ocshim_record=1\npid=1\nstart_time=1\nend=1\n",                  /* no boot_id */
        "ocshim_record=1\npid=1\nboot_id=" BOOT "\nend=1\n",              /* no start_time */
        HEAD "cwd=a\\qb\nend=1\n",                       /* unknown escape */
        HEAD "cwd=a\\x0\nend=1\n",                       /* short \x */
        HEAD "cwd=a\\x00b\nend=1\n",                     /* escaped NUL */
        HEAD "cwd=a\\\nend=1\n",                         /* lone backslash at the end */
        HEAD "cwd=a\tb\nend=1\n",                        /* raw control byte */
        HEAD "Cwd=a\nend=1\n",                           /* key outside [a-z_] */
        HEAD "\nend=1\n",                                /* empty line */
        HEAD "end=1\nsession=ses_x\n",                   /* data after end */
        HEAD "pid=abc\nend=1\n",                         /* bad number */
        "ocshim_record=1\npid=1\nboot_id=XYZ\nstart_time=1\nend=1\n",     /* bad boot id */
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        int rc = parse(bad[i], &r, &why);
        CHECK(rc == -1 && why != NULL);
        if (rc == 0) {
            fprintf(stderr, "  accepted bad record #%zu\n", i);
            ocrec_free(&r);
        }
    }

    /* Unescape alone. */
    char *u = ocrec_unescape("a\\\\b\\x7f\\r", 10);
    CHECK_STR(u, "a\\b\x7f\r");
    free(u);

    /* The directory: good, truncated, symlink, wrong name, temporary, other owner. */
    char dir[] = "/tmp/test_ocrec.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char boot[33];
    CHECK(proc_boot_id(boot) == 0);
    char good[256], name[128];
    snprintf(name, sizeof name, "%d-%s-5.rec", 12345, BOOT);
    snprintf(good, sizeof good, "ocshim_record=1\npid=12345\nboot_id=%s\nstart_time=5\nsession=ses_ok1\nend=1\n", BOOT);
    put(dir, name, good);
    put(dir, "99-" BOOT "-5.rec", good);                          /* name does not match */
    put(dir, "1-" BOOT "-1.rec", "ocshim_record=1\npid=1\n");    /* truncated */
    put(dir, ".12345-x.rec.tmp", good);                           /* temporary: ignored */
    put(dir, "notes.txt", "hello");                               /* not a record: ignored */
    char lp[512], tp[512];
    snprintf(tp, sizeof tp, "%s/../test_ocrec_target_%d", dir, (int)getpid());
    put("/tmp", strrchr(tp, '/') + 1, good);
    snprintf(lp, sizeof lp, "%s/12346-%s-5.rec", dir, BOOT);
    CHECK(symlink(tp, lp) == 0);                                  /* symlink: refused */
    char fp[512];
    snprintf(name, sizeof name, "12347-%s-5.rec", BOOT);
    put(dir, name, "ocshim_record=1\npid=12347\nboot_id=" BOOT "\nstart_time=5\nend=1\n");
    snprintf(fp, sizeof fp, "%s/%s", dir, name);
    int chowned = geteuid() == 0 && chown(fp, 4242, 4242) == 0;  /* another owner (when root) */
    snprintf(name, sizeof name, "12348-%s-5.rec", BOOT);
    put(dir, name, "ocshim_record=1\npid=12348\nboot_id=" BOOT "\nstart_time=5\nuid=4242\nend=1\n"); /* foreign uid key */

    struct ocrec_list l = { 0 };
    struct notes ns = { 0 };
    int n = ocrec_load_dir(dir, &l, &ns);
    CHECK(n == 1 + (chowned ? 0 : 1));
    CHECK(l.n == n && l.n >= 1);
    int found = 0;
    for (int i = 0; i < l.n; i++)
        found += l.v[i].pid == 12345 && strcmp(l.v[i].session, "ses_ok1") == 0;
    CHECK(found == 1);
    CHECK(ns.n == 4 + (chowned ? 1 : 0)); /* wrong name, truncated, symlink, foreign uid (+ other owner) */
    int saw_symlink = 0;
    for (int i = 0; i < ns.n; i++)
        saw_symlink += strstr(ns.items[i], "symlink") != NULL;
    CHECK(saw_symlink == 1);
    ocrec_list_free(&l);
    notes_free(&ns);

    /* An unsafe directory (group-writable) is refused as a whole; a missing one is empty. */
    chmod(dir, 0770);
    CHECK(ocrec_load_dir(dir, &l, &ns) == -1 && l.n == 0 && ns.n == 1);
    notes_free(&ns);
    chmod(dir, 0700);
    CHECK(ocrec_load_dir("/nonexistent/ocshim-state", &l, &ns) == 0 && ns.n == 0);

    /* Liveness: this process is alive, with its real start time; a wrong start time is not. */
    unsigned long long st;
    CHECK(proc_stat(getpid(), &st, NULL) == 0);
    CHECK(proc_alive(getpid(), st, boot) == 1);
    CHECK(proc_alive(getpid(), st + 1, boot) == 0);
    CHECK(proc_alive(getpid(), st, BOOT) == 0);

    /* Who keeps a pane that several records name. */
    struct ocrec a, b, c;
    memset(&a, 0, sizeof a);
    strcpy(a.boot_id, BOOT);
    a.tmux_session = "s";
    a.tmux_window = "0";
    a.tmux_pane_index = "0";
    b = a;
    c = a;
    a.started_ms = 1000, a.updated_ms = 5000;                       /* ran 1-5 s */
    b.started_ms = 6000, b.updated_ms = 9000;                       /* started after a's last word */
    c.started_ms = 2000, c.updated_ms = 8000, c.tmux_layout_ms = 9500; /* alongside both, looked last */
    CHECK(ocrec_supersedes(&b, &a) && !ocrec_supersedes(&a, &b));
    CHECK(ocrec_pane_newer(&c, &b) && !ocrec_supersedes(&c, &a));   /* c ran alongside a */
    CHECK(!ocrec_supersedes(&c, &b));                                /* ... and alongside b */
    c.tmux_layout_ms = 0;                                            /* no look: its own time */
    CHECK(ocrec_pane_newer(&b, &c));
    strcpy(b.boot_id, "ffffffffffffffffffffffffffffffff");           /* another boot: always after */
    b.started_ms = 0;
    CHECK(ocrec_supersedes(&b, &a));
    b.tmux_pane_index = "1";                                         /* another pane: never */
    CHECK(!ocrec_supersedes(&b, &a));

    /* a window or pane index: digits, 0 to 100000, the rule of records and save files alike */
    int ix = -7;
    CHECK(ocrec_index("0", &ix) == 0 && ix == 0);
    CHECK(ocrec_index("100000", &ix) == 0 && ix == 100000);
    ix = -7;
    CHECK(ocrec_index("100001", &ix) == -1 && ocrec_index("-1", &ix) == -1 && ocrec_index("", &ix) == -1 &&
          ocrec_index(NULL, &ix) == -1 && ocrec_index("1x", &ix) == -1 && ocrec_index(" 1", &ix) == -1 &&
          ocrec_index("99999999999999999999", &ix) == -1 && ix == -7);

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, tp);
    CHECK(system(cmd) == 0);
    UNIT_END("test_ocrec");
}
