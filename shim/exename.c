/* exename.c - the name prefilter (see exename.h): plain loops, no libc call, so that every
 * process on the machine pays a few dozen instructions and binds no PLT slot.
 * Runs in: any (pure).
 * libocshim.so's constructor calls it at load time, in every process; the tools link it too. */
#include "exename.h"

int exename_may_be_opencode(const char *path)
{
    if (!path)
        return 0;
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            b = p + 1;
    if (*b == '.')
        b++;
    static const char name[] = "opencode";
    for (unsigned i = 0; i < sizeof name - 1; i++)
        if (b[i] != name[i])
            return 0;
    return 1;
}
