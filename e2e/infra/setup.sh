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
"$here/base-images.sh" "$@"
"$here/registry.sh"
"$here/nx-cache-server.sh"
"$here/second-daemon.sh" --with-images
"$here/podman.sh"
log "e2e infrastructure ready in ${SECONDS}s"
