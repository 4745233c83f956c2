#!/usr/bin/env bash
# Two local OCI registries for the "CI machines share a registry" e2e tests,
# loopback only (CNCF distribution 2.8, Debian's docker-registry package; no
# registry image can be pulled here):
#   127.0.0.1:5000  no auth               /tmp/rust-docker-e2e/registry-open/
#   127.0.0.1:5001  htpasswd basic auth   /tmp/rust-docker-e2e/registry-auth/
#                   user e2e, password $REGISTRY_PASSWORD, else the one in
#                   registry-auth/password (mode 600; random on first run)
# Each folder holds config.yml, data/, registry.log and pid. Instances that
# answer are kept. Every run proves a push and a pull through both (Docker
# treats 127.0.0.0/8 as insecure registries: plain http, no daemon.json).
# --stop stops both (their data stays).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

E2E=/tmp/rust-docker-e2e
OPEN=$E2E/registry-open
AUTH=$E2E/registry-auth
OPEN_PORT=5000
AUTH_PORT=5001
REG_USER=e2e
PROBE_IMAGE=local/distroless-static:debian12

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" || true; }

stop_registry() { stop_pidfile "$1/pid" docker-registry; } # stop_registry DIR

case "${1:-}" in
  --stop) stop_registry "$OPEN"; stop_registry "$AUTH"; exit 0 ;;
  "") ;;
  *) die "usage: $0 [--stop]" ;;
esac

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v htpasswd >/dev/null || missing+=(apache2-utils) # bcrypt htpasswd files
[ ${#missing[@]} -eq 0 ] || { apt_install "${missing[@]}"; log "installed ${missing[*]}"; }
"$DOCKER" info >/dev/null 2>&1 || die "no Docker engine answers: run e2e/infra/docker-engine.sh first"
"$DOCKER" image inspect "$PROBE_IMAGE" >/dev/null 2>&1 || die "$PROBE_IMAGE is missing: run e2e/infra/base-images.sh first"

# --- the password: env, else the saved one, else a new random one ----------
mkdir -p "$OPEN/data" "$AUTH/data"
PASSWORD=${REGISTRY_PASSWORD:-$(cat "$AUTH/password" 2>/dev/null || od -An -tx1 -N16 /dev/urandom | tr -d ' \n')}
(umask 077 && printf '%s\n' "$PASSWORD" >"$AUTH/password.tmp" && mv "$AUTH/password.tmp" "$AUTH/password")
# Registry 2.8 reads htpasswd once at startup: a changed password means a restart.
if ! printf '%s' "$PASSWORD" | htpasswd -vi "$AUTH/htpasswd" "$REG_USER" >/dev/null 2>&1; then
  (umask 077 && printf '%s' "$PASSWORD" | htpasswd -Bin "$REG_USER" >"$AUTH/htpasswd")
  stop_registry "$AUTH"
  log "wrote $AUTH/htpasswd (bcrypt) for user $REG_USER"
fi

# start_registry DIR PORT EXPECTED_CODE [AUTH-YAML]: skip if /v2/ answers as expected.
start_registry() {
  local dir=$1 port=$2 want=$3 auth=${4:-} code unset=() v
  code=$(http_code "http://127.0.0.1:$port/v2/")
  if [ "$code" = "$want" ]; then log "registry on 127.0.0.1:$port already running"; return; fi
  [ "$code" = 000 ] || die "127.0.0.1:$port answers /v2/ with HTTP $code, not $want: something else listens there (Debian's docker-registry.service? 'systemctl disable --now docker-registry'), stop it and re-run"
  cat >"$dir/config.yml" <<EOF
# written by e2e/infra/registry.sh
version: 0.1
log: {fields: {service: registry-$port}}
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}  # tests may delete what they push
  cache: {blobdescriptor: inmemory}
http:
  addr: 127.0.0.1:$port  # loopback only
$auth
EOF
  # The registry reads REGISTRY_* variables as config overrides (REGISTRY_PASSWORD included).
  for v in $(compgen -e); do [[ $v != REGISTRY_* ]] || unset+=(-u "$v"); done
  setsid nohup env "${unset[@]}" docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 50); do
    [ "$(http_code "http://127.0.0.1:$port/v2/")" != "$want" ] || { log "started registry on 127.0.0.1:$port (pid $!, log $dir/registry.log)"; return; }
    sleep 0.2
  done
  tail -n 20 "$dir/registry.log" >&2
  die "registry on 127.0.0.1:$port did not answer within 10 s; see $dir/registry.log"
}
start_registry "$OPEN" "$OPEN_PORT" 200
start_registry "$AUTH" "$AUTH_PORT" 401 "auth:
  htpasswd: {realm: rust-docker-e2e, path: $AUTH/htpasswd}"
[ "$(http_code -u "$REG_USER:$PASSWORD" "http://127.0.0.1:$AUTH_PORT/v2/")" = 200 ] ||
  die "127.0.0.1:$AUTH_PORT rejects $REG_USER with the password in $AUTH/password; run '$0 --stop' and re-run"

# --- prove a real push and pull through both ---------------------------------
# The login goes to a throwaway DOCKER_CONFIG: ~/.docker/config.json stays untouched.
DOCKER_CONFIG=$(mktemp -d)
export DOCKER_CONFIG
trap 'rm -rf "$DOCKER_CONFIG"' EXIT
want_id=$("$DOCKER" image inspect -f '{{.Id}}' "$PROBE_IMAGE")
probe() { # probe PORT: tag, push, untag, pull back, compare, untag
  local ref=127.0.0.1:$1/e2e-probe:1
  "$DOCKER" tag "$PROBE_IMAGE" "$ref"
  quiet "docker push $ref" "$DOCKER" push "$ref"
  "$DOCKER" image rm "$ref" >/dev/null
  quiet "docker pull $ref" "$DOCKER" pull "$ref"
  [ "$("$DOCKER" image inspect -f '{{.Id}}' "$ref")" = "$want_id" ] || die "$ref pulled back as a different image"
  "$DOCKER" image rm "$ref" >/dev/null
}
probe "$OPEN_PORT"
printf '%s' "$PASSWORD" | quiet "docker login 127.0.0.1:$AUTH_PORT" \
  "$DOCKER" login "127.0.0.1:$AUTH_PORT" --username "$REG_USER" --password-stdin
probe "$AUTH_PORT"
quiet "docker logout" "$DOCKER" logout "127.0.0.1:$AUTH_PORT"
log "verified push/pull of $PROBE_IMAGE as 127.0.0.1:$OPEN_PORT/e2e-probe:1 and (as $REG_USER) 127.0.0.1:$AUTH_PORT/e2e-probe:1"
log "ready: http://127.0.0.1:$OPEN_PORT (no auth), http://127.0.0.1:$AUTH_PORT (user $REG_USER, password in $AUTH/password), $(docker-registry --version | awk '{print $NF}')"
