# shellcheck shell=bash
# Shared helpers for the e2e/infra scripts. Source it; do not run it.
# Each script prints one short line per step, prefixed with the seconds elapsed
# since it started, and keeps the noisy output of apt/debootstrap in a log that
# is only shown when a step fails.

DOCKER=${DOCKER:-/usr/bin/docker} # Debian's 20.10 client: the only one here with BuildKit built in
INFRA_LOG=${INFRA_LOG:-/tmp/rust-docker-e2e-infra.log}

log() { printf '[%4ss] %s: %s\n' "$SECONDS" "${0##*/}" "$*"; }
die() { printf '[%4ss] %s: ERROR: %s\n' "$SECONDS" "${0##*/}" "$*" >&2; exit 1; }

# quiet "what" cmd...: run cmd with its output in $INFRA_LOG; on failure show the tail and stop.
quiet() {
  local what=$1; shift
  printf '\n### %s: %s\n' "$(date +%T)" "$what" >>"$INFRA_LOG"
  if ! "$@" >>"$INFRA_LOG" 2>&1; then
    tail -n 25 "$INFRA_LOG" >&2
    die "$what failed (full log: $INFRA_LOG)"
  fi
}

# stop_pidfile FILE NAME [SECONDS]: stops the process FILE names, only if it is still the
# NAME we started (a pid can be reused), waits for it to end (10 s unless told), drops FILE.
stop_pidfile() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$2" ]; then
    kill "$pid"
    for _ in $(seq $(( ${3:-10} * 10 ))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$pid" 2>/dev/null || die "$2 $pid still running after ${3:-10} s"
    log "stopped $2 (pid $pid)"
  fi
  rm -f "$1"
}

is_root() { [ "$(id -u)" -eq 0 ]; }
can_apt() { is_root && command -v apt-get >/dev/null; }

# apt_install pkg...: the only way these scripts install system packages, so
# that "not root / no apt" always fails the same clear way.
apt_install() {
  can_apt || die "need root with apt-get to install: $* (install them yourself, then re-run)"
  # One index download per hour is enough: the engine's install and debootstrap's, a
  # minute apart, share it.
  local stamp=/var/lib/apt/lists/.rust-docker-e2e-updated
  if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
    quiet "apt-get update" apt-get update
    touch "$stamp"
  fi
  quiet "apt-get install $*" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}
