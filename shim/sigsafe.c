/* sigsafe.c - strip SIGSYS from libc signal masks (see sigsafe.h). */
#include "sigsafe.h"

int sigsafe_has_sigsys(const sigset_t *set)
{
    return set && sigismember(set, SIGSYS) == 1;
}

const sigset_t *sigsafe_strip(const sigset_t *in, sigset_t *out)
{
    if (!sigsafe_has_sigsys(in))
        return in;
    *out = *in;
    sigdelset(out, SIGSYS);
    return out;
}
