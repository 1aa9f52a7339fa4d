/* shimlib.h - where the installed shim is, for tools that preload it or print set-up lines. */
#ifndef OCSHIM_SHIMLIB_H
#define OCSHIM_SHIMLIB_H

/* The shim: $OCSHIM_LIB, else ../lib/libocshim.so or libocshim.so next to the running program.
 * A new absolute path, or NULL when none is readable. */
char *shimlib_path(void);

#endif
