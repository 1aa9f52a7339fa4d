/* exename.h - the first, cheapest look at a process: might its executable be opencode? */
#ifndef OCSHIM_EXENAME_H
#define OCSHIM_EXENAME_H

/* 1 if the executable's path (AT_EXECFN) may be opencode's: its base name, after an optional
 * leading '.', starts with "opencode" (opencode, opencode.exe from npm, nix's
 * .opencode-wrapped). Only a prefilter: bunid.h tells the real binary apart. No syscall,
 * no libc call: it runs in every process. */
int exename_may_be_opencode(const char *path);

#endif
