#!/usr/bin/env bash
# Make sure a Docker engine answers on the default socket, and that Compose v1
# is installed (unless --no-compose: the demo needs no Compose). Test sessions start
# from nothing and their processes die with them, so CI calls this every time; when
# the engine is up it does nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DOCKERD_LOG=/tmp/rust-docker-dockerd.log
COMPOSE=1
case "${1:-}" in
  --no-compose) COMPOSE=0 ;;
  "") ;;
  *) die "usage: $0 [--no-compose]" ;;
esac

# Only Debian's docker.io gives us an engine here (no Docker Hub, no get.docker.com);
# its docker-compose is v1 (1.29), the only Compose any registry here offers.
if [ ! -x "$DOCKER" ] || ! command -v dockerd >/dev/null; then
  can_apt || die "Docker is not installed. As root: apt-get install -y docker.io docker-compose (or install Docker Engine from docs.docker.com), then re-run."
  if [ "$COMPOSE" = 1 ]; then apt_install docker.io docker-compose; else apt_install docker.io; fi
  log "installed docker.io$([ "$COMPOSE" = 0 ] || echo ' and docker-compose')"
fi
[ "$COMPOSE" = 0 ] || command -v docker-compose >/dev/null || { apt_install docker-compose; log "installed docker-compose"; }

if err=$("$DOCKER" info 2>&1); then # 20.10 prints its errors on stdout
  log "engine already running ($("$DOCKER" version -f '{{.Server.Version}}'))"
  exit 0
fi
# A running engine we may not talk to will not get better by waiting.
case "$err" in *"permission denied"*)
  die "no permission on the Docker socket: run as root or add $(id -un) to the docker group (then log in again)." ;;
esac

# The main daemon, not another one (second-daemon.sh runs a dockerd of its own).
if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  log "dockerd is running but not answering yet; waiting"
elif [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  is_root || die "Docker is stopped: run 'sudo systemctl start docker' (and add yourself to the docker group)."
  systemctl start docker
  log "started docker.service"
else
  # No init system in CI containers: detach dockerd from this shell (setsid +
  # nohup) so that it outlives the script and the session that ran it.
  is_root || die "Docker is stopped and starting dockerd needs root: run this script as root (or start dockerd yourself)."
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  log "started dockerd (pid $!, log $DOCKERD_LOG)"
fi

for _ in $(seq 60); do
  if "$DOCKER" info >/dev/null 2>&1; then
    log "engine ready ($("$DOCKER" version -f '{{.Server.Version}}')$([ "$COMPOSE" = 0 ] || echo ", docker-compose $(docker-compose version --short)"))"
    exit 0
  fi
  sleep 1
done
tail -n 20 "$DOCKERD_LOG" >&2 || true
die "Docker engine did not answer within 60 s; see $DOCKERD_LOG (a permission error means: run as root or join the docker group)."
