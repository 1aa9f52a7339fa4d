#!/usr/bin/env bash
# The same end-to-end proof as test_shim.sh, on the older opencode line (1.14.x) whose log
# format differs: one log file per process, `service=session id=ses_...` lines.
OC_VERSION=1.14.48 source "$(dirname "$0")/test_shim.sh"
