#!/usr/bin/env bash
# What `npm run demo` needs on a fresh machine, and nothing more: a Docker engine
# (without Compose) and the Rust builder stand-in; the demo's image is FROM scratch,
# so it needs no other base image. setup.sh does this and everything the test suites
# need besides (the linter, the other base images, registries, an Nx cache server, a
# second daemon, podman). Idempotent, like every script here.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/lib.sh"

"$here/docker-engine.sh" --no-compose
"$here/base-images.sh" rust
log "demo infrastructure ready in ${SECONDS}s"
