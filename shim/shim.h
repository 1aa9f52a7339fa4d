/* shim.h - process-wide facts the shim's parts share: is it on, and what this process is. */
#ifndef OCSHIM_SHIM_H
#define OCSHIM_SHIM_H

/* Set once by the constructor, before any other thread of ours exists; read everywhere. */
extern int ocshim_active;   /* this is opencode and capture is armed */

#endif
