#!/usr/bin/env bash
# An Nx remote cache (the self-hosted OpenAPI protocol of Nx >= 20.8) on
# loopback, shared by the "CI machines" of the e2e tests:
#   NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://127.0.0.1:3456
#   NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=$(cat /tmp/rust-docker-e2e/nx-cache/token)
#
# No implementation of that protocol is published on the registries these
# machines reach (npm, crates.io, PyPI): the ones that exist are GitHub or
# Docker Hub only. So this runs the nearest published server, ducktors'
# turborepo-remote-cache (npm, MIT; Turborepo's protocol: /v8/artifacts/<hash>,
# bearer token, local file-system store), behind Debian's nginx, whose config
# only renames the route: /v1/cache/<hash> -> /v8/artifacts/<hash>?slug=nx.
# Tested with nx@24.0.6: miss, upload, remote hit, wrong token = 401.
#
#   127.0.0.1:3456  nginx (what Nx talks to)     127.0.0.1:3457  turborepo-remote-cache
#   /tmp/rust-docker-e2e/nx-cache/: data/nx/<hash>, token (mode 600), *.log, *.pid
# The token is $NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN if set, else the saved
# one, else a new random one. Running servers are kept (a changed token
# restarts the backend). --stop stops both (data stays); --verify-nx also runs
# a real Nx 24 round trip in a throwaway workspace.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR=/tmp/rust-docker-e2e/nx-cache
PREFIX=/opt/rust-docker-e2e/nx-cache # npm --prefix: outside the repo, kept between runs
TRC_VERSION=2.12.0
PORT=3456
BACKEND_PORT=3457
NX_VERSION=24.0.6

VERIFY_NX=0
case "${1:-}" in
  --stop) stop_pidfile "$DIR/nginx.pid" nginx; stop_pidfile "$DIR/backend.pid" node; exit 0 ;;
  --verify-nx) VERIFY_NX=1 ;;
  "") ;;
  *) die "usage: $0 [--verify-nx | --stop]" ;;
esac

# --- install -------------------------------------------------------------------
command -v node >/dev/null || die "node is missing: install Node.js 20+ (the cache server is an npm package)"
# Debian's policy-rc.d keeps nginx's own service from starting here; we run our own instance.
command -v nginx >/dev/null || { apt_install --no-install-recommends nginx; log "installed $(nginx -v 2>&1)"; }
TRC=$PREFIX/node_modules/turborepo-remote-cache
if [ "$(node -p "require('$TRC/package.json').version" 2>/dev/null)" != "$TRC_VERSION" ]; then
  quiet "npm install turborepo-remote-cache@$TRC_VERSION" \
    npm install --prefix "$PREFIX" --omit=dev --no-fund --no-audit "turborepo-remote-cache@$TRC_VERSION"
  log "installed turborepo-remote-cache $TRC_VERSION in $PREFIX"
fi

mkdir -p "$DIR/data" "$DIR/nginx"
TOKEN=${NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN:-$(cat "$DIR/token" 2>/dev/null || od -An -tx1 -N16 /dev/urandom | tr -d ' \n')}
[ "$(cat "$DIR/token" 2>/dev/null)" = "$TOKEN" ] || (umask 077 && printf '%s\n' "$TOKEN" >"$DIR/token")

code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Authorization: Bearer $TOKEN" "$1" || true; }
wait_code() { # wait_code URL WANT LOG WHAT
  for _ in $(seq 100); do [ "$(code "$1")" = "$2" ] && return 0; sleep 0.1; done
  tail -n 20 "$3" >&2
  die "$4 did not answer on $1 within 10 s; see $3"
}

# --- backend: turborepo-remote-cache, 127.0.0.1 only ---------------------------
# Its defaults would listen on 0.0.0.0:3000 and put STORAGE_PATH under os.tmpdir().
BACKEND_URL="http://127.0.0.1:$BACKEND_PORT/v8/artifacts/0?slug=nx"
case "$(code "$BACKEND_URL")" in
  404 | 200) log "backend already running on 127.0.0.1:$BACKEND_PORT" ;;
  401) stop_pidfile "$DIR/backend.pid" node ;& # started with another token
  *)
    setsid nohup env NODE_ENV=production HOST=127.0.0.1 PORT=$BACKEND_PORT AUTH_MODE=static TURBO_TOKEN="$TOKEN" \
      STORAGE_PROVIDER=local STORAGE_PATH="$DIR/data" STORAGE_PATH_USE_TMP_FOLDER=false BODY_LIMIT=2147483648 \
      node "$TRC/dist/cli.js" >>"$DIR/backend.log" 2>&1 </dev/null &
    echo $! >"$DIR/backend.pid"
    wait_code "$BACKEND_URL" 404 "$DIR/backend.log" "turborepo-remote-cache"
    log "started turborepo-remote-cache on 127.0.0.1:$BACKEND_PORT (pid $!, log $DIR/backend.log)"
    ;;
esac

# --- front: nginx maps Nx's route onto the backend's ----------------------------
URL=http://127.0.0.1:$PORT
if [ "$(code "$URL/v1/cache/0")" = 404 ]; then
  log "nginx already running on 127.0.0.1:$PORT"
else
  cat >"$DIR/nginx/nginx.conf" <<EOF
# written by e2e/infra/nx-cache-server.sh
daemon off;
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log;
events { worker_connections 256; }
http {
  access_log $DIR/nginx-access.log;
  client_body_temp_path $DIR/nginx/body;
  proxy_temp_path $DIR/nginx/proxy;
  fastcgi_temp_path $DIR/nginx/tmp; uwsgi_temp_path $DIR/nginx/tmp; scgi_temp_path $DIR/nginx/tmp;
  client_max_body_size 2g;
  server {
    listen 127.0.0.1:$PORT;
    location ~ ^/v1/cache/([0-9A-Za-z_-]+)\$ {
      # the spec says 401 for a missing token; the backend would answer 400
      if (\$http_authorization = "") { return 401 "missing bearer token\n"; }
      proxy_pass http://127.0.0.1:$BACKEND_PORT/v8/artifacts/\$1?slug=nx;
      proxy_set_header Content-Type application/octet-stream;
      proxy_request_buffering off;
    }
    location / { return 404; }
  }
}
EOF
  quiet "nginx -t" nginx -t -q -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx"
  setsid nohup nginx -c "$DIR/nginx/nginx.conf" -p "$DIR/nginx" >>"$DIR/nginx-error.log" 2>&1 </dev/null &
  wait_code "$URL/v1/cache/0" 404 "$DIR/nginx-error.log" "nginx"
  log "started nginx on 127.0.0.1:$PORT (pid $(cat "$DIR/nginx.pid"), log $DIR/nginx-error.log)"
fi

# --- self-check: the protocol through the front door -----------------------------
probe=$DIR/probe.bin
printf 'rust-docker-e2e probe\n' >"$probe"
put=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/octet-stream' --data-binary "@$probe" "$URL/v1/cache/1")
got=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/v1/cache/1")
anon=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/cache/1")
bad=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$URL/v1/cache/1")
[ "$put/$got/$anon/$bad" = "200/rust-docker-e2e probe/401/401" ] ||
  die "protocol check failed (PUT $put, GET '$got', no token $anon, wrong token $bad); see $DIR/*.log"

if [ "$VERIFY_NX" = 1 ]; then
  # A throwaway workspace: a cacheable run-commands target, run, local cache
  # dropped, run again: Nx must report a remote hit and restore the output.
  W=$(mktemp -d /tmp/rust-docker-e2e-nxverify.XXXX)
  trap 'rm -rf "$W"' EXIT
  cd "$W"
  echo '{"name":"nx-cache-verify","private":true}' >package.json
  echo '{}' >nx.json
  mkdir p && echo "input $RANDOM$RANDOM$(date +%s%N)" >p/input.txt # a new hash every time
  cat >p/project.json <<'EOF'
{ "name": "p", "targets": { "stamp": { "executor": "nx:run-commands", "cache": true,
  "inputs": ["{projectRoot}/input.txt"], "outputs": ["{projectRoot}/out"],
  "options": { "command": "mkdir -p p/out && { cat p/input.txt; date +%s%N; } > p/out/stamp.txt" } } } }
EOF
  quiet "npm install nx@$NX_VERSION" npm install --no-fund --no-audit "nx@$NX_VERSION"
  export NX_DAEMON=false NX_NO_CLOUD=true NX_SELF_HOSTED_REMOTE_CACHE_SERVER=$URL NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=$TOKEN
  quiet "nx run p:stamp (first)" npx nx run p:stamp
  first=$(cat p/out/stamp.txt)
  rm -rf .nx/cache p/out
  quiet "nx reset" npx nx reset
  out=$(npx nx run p:stamp --output-style=static 2>&1) || die "second nx run failed: $out"
  [[ $out == *"[remote cache]"* ]] || die "Nx did not report a remote cache hit: $out"
  [ "$(cat p/out/stamp.txt 2>/dev/null)" = "$first" ] || die "Nx reported a remote hit but did not restore p/out/stamp.txt"
  log "verified with nx@$NX_VERSION: miss, upload, [remote cache] hit, output restored"
fi
log "ready: NX_SELF_HOSTED_REMOTE_CACHE_SERVER=$URL NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=\$(cat $DIR/token)"
