/* sigsafe.c - strip SIGSYS from libc signal masks (see sigsafe.h).
 * Runs in: vfork child, host threads.
 *   sigsafe_has_sigsys, sigsafe_strip: the mask hooks (hooks.c), on any host thread and in
 *   opencode's vfork child (which may set its mask and signal actions before execve).
 * Restricted contexts: no allocation, no locks a signal could leave held, no loader calls.
 */
#include "sigsafe.h"

#include "usermem.h"

#include <string.h>

int sigsafe_has_sigsys(const sigset_t *set)
{
    return set && sigismember(set, SIGSYS) == 1;
}

const sigset_t *sigsafe_strip(const sigset_t *in, sigset_t *out)
{
    uint64_t k;     /* what the kernel reads of a sigset_t: one word */
    if (!in || usermem_read(&k, in, sizeof k) != 0 || !(k & KSIG_BIT(SIGSYS)))
        return in;  /* a bad pointer goes on to libc and the kernel, which answer EFAULT */
    k &= ~KSIG_BIT(SIGSYS);
    memset(out, 0, sizeof *out);
    memcpy(out, &k, sizeof k);
    return out;
}
