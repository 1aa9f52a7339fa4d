/* runlock.c - one restore at a time: a second ocshim-restore (the restore key pressed twice)
 * waits for the first, then gathers its facts afresh and finds the work done. The lock is an
 * flock on <state dir>/restore.lock, which the kernel lets go when its holder exits, however. */
#include "restore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int runlock_take(const char *state_dir, int timeout_ms, struct notes *notes)
{
    if (!state_dir)
        return -1;
    /* Only in a state directory the shim's rule takes (ocrec_load_dir says why not): never
     * through a symlink, nor in another user's directory. */
    int missing;
    enum recfmt_dir_verdict v;
    int dfd = ocrec_dir_open(state_dir, &v, &missing, NULL);
    if (dfd < 0 && missing) {
        if (mkdir(state_dir, 0700) != 0 && errno != EEXIST) {
            notes_add(notes, "cannot make %s (%s): restoring without the one-at-a-time lock", state_dir,
                      strerror(errno));
            return -1;
        }
        dfd = ocrec_dir_open(state_dir, &v, &missing, NULL);
    }
    if (dfd < 0)
        return -1;
    int fd = openat(dfd, "restore.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    int err = errno;
    close(dfd);
    char path[4200];
    snprintf(path, sizeof path, "%s/restore.lock", state_dir);
    if (fd < 0) {
        notes_add(notes, "cannot open %s (%s): restoring without the one-at-a-time lock", path, strerror(err));
        return -1;
    }
    for (int waited = 0;; waited += 100) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            notes_add(notes, "cannot lock %s (%s): restoring without the one-at-a-time lock", path,
                      strerror(errno));
            close(fd);
            return -1;
        }
        if (waited == 0)
            fprintf(stderr, "ocshim-restore: another restore is running: waiting for it\n");
        if (waited >= timeout_ms) {
            close(fd);
            return -2;
        }
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}
