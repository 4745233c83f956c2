#!/usr/bin/env bash
# Podman (Debian 12: 4.3) as a second, daemonless engine for the e2e tests,
# rootful, with its defaults: overlay storage, cgroupfs (cgroup v1 here), runc,
# CNI bridge network (cni-podman0, 10.88.0.0/16; -p 127.0.0.1:X:Y works).
# It sees no Docker images: local/distroless-static:debian12 is copied in from
# the main daemon (docker save | podman load, skipped when the same image id is
# there). Then it proves `podman build` (also RUN --mount=type=cache) and
# `podman run` with a static binary, since that image has no programs at all.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BASE=local/distroless-static:debian12
DROPIN=/etc/containers/containers.conf.d/50-rust-docker-e2e.conf

is_root || die "must run as root (rootful podman; rootless would need uidmap and subuid ranges)"
# No recommends: they would bring buildah, dbus-user-session and rootless helpers we do not use.
command -v podman >/dev/null || { apt_install --no-install-recommends podman; log "installed $(podman --version)"; }
# The init process `podman run --init` mounts as PID 1 (the plugin's executors pass --init).
[ -x /usr/libexec/podman/catatonit ] || [ -x /usr/bin/catatonit ] || { apt_install --no-install-recommends catatonit; log "installed catatonit"; }

# Rootful podman asks runc for nofile=1048576 and nproc=4194304 in every
# container. Raising a hard rlimit needs CAP_SYS_RESOURCE, which root lacks in
# this sandbox, so without this every `podman run` fails with "error setting
# rlimit type 7: operation not permitted". Podman itself caps its own nproc at
# 32768 before it starts runc. `podman build` RUN steps are not affected.
if (( (0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1) == 0 )); then
  nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
  want=$(printf '# written by e2e/infra/podman.sh: no CAP_SYS_RESOURCE here, keep to the current hard limits\n[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' "$nofile" "$nofile" "$nproc" "$nproc")
  if [ "$(cat "$DROPIN" 2>/dev/null)" != "$want" ]; then
    mkdir -p "${DROPIN%/*}"
    printf '%s\n' "$want" >"$DROPIN"
    log "no CAP_SYS_RESOURCE: wrote $DROPIN (nofile=$nofile, nproc=$nproc)"
  fi
fi
quiet "podman info" podman info

"$DOCKER" info >/dev/null 2>&1 || die "no Docker engine answers: run e2e/infra/docker-engine.sh first"
id=$("$DOCKER" image inspect -f '{{.Id}}' "$BASE" 2>/dev/null) || die "$BASE is missing in Docker: run e2e/infra/base-images.sh first"
if [ "$(podman image inspect -f '{{.Id}}' "$BASE" 2>/dev/null)" != "${id#sha256:}" ]; then
  # shellcheck disable=SC2016 # the inner script expands its own arguments
  quiet "docker save $BASE | podman load" bash -o pipefail -c '"$1" save "$2" | podman load' _ "$DOCKER" "$BASE"
  log "loaded $BASE into podman (as localhost/$BASE)"
fi

# --- self-check ---------------------------------------------------------------
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf '#include <stdio.h>\nint main(int c, char **v) { printf("hello from podman %%s\\n", c > 1 ? v[1] : "run"); return 0; }\n' >"$T/hello.c"
quiet "cc -static hello.c" cc -static -Os -o "$T/hello" "$T/hello.c"
printf 'FROM %s\nLABEL org.example.rust-docker-e2e=podman\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' "$BASE" >"$T/Dockerfile"
quiet "podman build" podman build -q --iidfile "$T/iid" -f "$T/Dockerfile" "$T"
out=$(podman run --rm "$(cat "$T/iid")" 2>&1) || true
podman image rm "$(cat "$T/iid")" >/dev/null
[ "$out" = "hello from podman run" ] || die "podman run: expected 'hello from podman run', got: $out"
# BuildKit's cache mounts, as the generated Dockerfiles use them (exec form: no shell in the image)
printf 'FROM %s\nCOPY hello /hello\nRUN --mount=type=cache,target=/cache,id=rust-docker-e2e ["/hello", "build"]\n' "$BASE" >"$T/Dockerfile.cache"
out=$(podman build --no-cache --iidfile "$T/iid" -f "$T/Dockerfile.cache" "$T" 2>&1) || { tail -n 20 <<<"$out" >&2; die "podman build with RUN --mount=type=cache failed"; }
[[ $out == *"hello from podman build"* ]] || { tail -n 20 <<<"$out" >&2; die "the RUN --mount=type=cache step did not run"; }
podman image rm "$(cat "$T/iid")" >/dev/null
log "verified: $(podman --version), build FROM $BASE, run, RUN --mount=type=cache"
