#!/usr/bin/env bash
# Everything the e2e tests need on a fresh machine, in dependency order: the
# engine first (base images are built into it), then the linter, then the base
# images, then what stands in for other machines: two registries, an Nx remote
# cache, a second Docker daemon (with the base images) and podman. Each step is
# idempotent, so CI runs this before every test session.
# Arguments (e.g. --force) go to base-images.sh.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/lib.sh"

"$here/docker-engine.sh"
"$here/hadolint.sh"
"$here/strace.sh"
"$here/base-images.sh" "$@"
"$here/registry.sh"
"$here/nx-cache-server.sh"
"$here/second-daemon.sh" --with-images
"$here/podman.sh"

# Every e2e workspace gets its own cargo cache mounts (one per checkout), which outlive the
# workspace: on a machine that runs the suite again and again, the build caches grow until
# the disk is full. Drop them when less than 30 GB are left.
free_gb=$(df -P --block-size=1G "$("$DOCKER" info -f '{{.DockerRootDir}}')" | awk 'NR == 2 {print $4}')
if [ "$free_gb" -lt 30 ]; then
  quiet "docker builder prune" "$DOCKER" builder prune -af
  quiet "docker builder prune (second daemon)" "$DOCKER" -H unix:///tmp/rust-docker-e2e/docker-b.sock builder prune -af
  log "pruned the build caches: only ${free_gb} GB were free"
fi
log "e2e infrastructure ready in ${SECONDS}s"
