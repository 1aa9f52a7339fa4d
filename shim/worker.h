/* worker.h - the shim's background thread: turns captured log bytes into the record and the
 * tmux pane option. It never runs host code, is never armed for dispatch, and blocks every
 * signal but SIGSYS, so the host's signal handling never lands on it. */
#ifndef OCSHIM_WORKER_H
#define OCSHIM_WORKER_H

#include "procinfo.h"

/* Starts the worker for this process (pi stays owned by the worker); 0 on success. */
int worker_start(struct procinfo *pi);

#endif
