#!/usr/bin/env bash
# strace, for the secrets e2e test: it runs every nx command under
# `strace -f -e trace=execve` to read the argv of every process the run starts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v strace >/dev/null || { apt_install --no-install-recommends strace; log "installed $(strace -V | head -n 1)"; }
# A sandbox may forbid ptrace: say so here rather than in the middle of a test.
strace -f -qq -e trace=execve -o /dev/null true 2>/dev/null || die "strace cannot trace here (ptrace not permitted); the secrets e2e test needs it"
log "$(strace -V | head -n 1)"
