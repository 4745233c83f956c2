#!/usr/bin/env bash
# A second Docker daemon on this machine, standing in for a second CI machine
# (its own images, build cache and containers), next to the main one:
#   DOCKER_HOST=unix:///tmp/rust-docker-e2e/docker-b.sock   (or tcp://127.0.0.1:23750)
#   state in /tmp/rust-docker-e2e/docker-b/ (data/, exec/, docker.pid, dockerd.log)
# It starts empty, except for local/distroless-static:debian12 (1.5 MB, used by
# the self-check below); --with-images also copies the other base image
# stand-ins from the main daemon. Skips what is already there. --stop stops it
# and removes its bridge and firewall rule (its images stay in data/).
#
# Networking: both daemons share one network namespace and one iptables, so B
# gets its own bridge (docker-b, 10.250.0.1/24; its own networks from
# 10.250.0.0/16, away from the main daemon's 172.17+ pools) and --iptables=false,
# as Docker's docs advise for extra daemons: B never rewrites the chains the
# main daemon owns. Published ports still work (-p 127.0.0.1:X:Y is served by
# docker-proxy, no NAT needed); containers have no way out (no masquerade),
# which is fine here. The host's FORWARD policy is DROP (set by the main
# daemon) and br_netfilter passes bridged packets through it, so one ACCEPT
# rule for 10.250.0.0/16 lets B's containers talk to each other.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR=/tmp/rust-docker-e2e/docker-b
SOCK=/tmp/rust-docker-e2e/docker-b.sock
TCP=tcp://127.0.0.1:23750 # loopback only: an unencrypted API is root on this machine
BRIDGE=docker-b
BRIDGE_CIDR=10.250.0.1/24
POOL=10.250.0.0/16
RULE=(FORWARD -s "$POOL" -d "$POOL" -m comment --comment rust-docker-e2e-docker-b -j ACCEPT)
PROBE_BASE=local/distroless-static:debian12
BASE_IMAGES=(local/debian:bookworm-slim local/distroless-cc:debian12 local/rust:bookworm)
DB=("$DOCKER" -H "unix://$SOCK")

answers() { "${DB[@]}" info >/dev/null 2>&1; }

stop() {
  # dockerd stops its containers (10 s grace each) and its containerd: up to 30 s
  stop_pidfile "$DIR/docker.pid" dockerd 30
  # dockerd leaves its network namespace handle (exec/netns/default) mounted
  awk -v d="$DIR/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l
  while iptables -C "${RULE[@]}" 2>/dev/null; do iptables -D "${RULE[@]}"; done
  ! ip link show "$BRIDGE" >/dev/null 2>&1 || { ip link delete "$BRIDGE"; log "removed bridge $BRIDGE and its FORWARD rule"; }
}

WITH_IMAGES=0
case "${1:-}" in
  --stop) stop; exit 0 ;;
  --with-images) WITH_IMAGES=1 ;;
  "") ;;
  *) die "usage: $0 [--with-images | --stop]" ;;
esac

is_root || die "must run as root (a second dockerd, a bridge and a firewall rule need it)"
command -v dockerd >/dev/null || die "dockerd is missing: run e2e/infra/docker-engine.sh first"
command -v ip >/dev/null || { apt_install iproute2; log "installed iproute2"; }
if ! command -v cc >/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/libc.a ]; then # cc -static needs libc.a
  apt_install gcc libc6-dev; log "installed gcc libc6-dev"
fi

# --- bridge, firewall rule, daemon ----------------------------------------
# dockerd creates only docker0 itself; a default bridge with another name must exist.
if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
  ip link add "$BRIDGE" type bridge
  ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  log "created bridge $BRIDGE ($BRIDGE_CIDR)"
fi
iptables -C "${RULE[@]}" 2>/dev/null || iptables -I "${RULE[@]}"

if answers; then
  log "second daemon already running ($SOCK)"
else
  mkdir -p "$DIR"
  # A daemon killed outright (the e2e suite kills one mid-build) leaves its pid file and
  # its containerd behind; dockerd refuses to start over the first, clashes with the second.
  pid=$(cat "$DIR/docker.pid" 2>/dev/null || true)
  # (A killed dockerd may linger as a zombie, still named dockerd: state Z is dead.)
  if [ -n "$pid" ] && { [ "$(ps -o comm= -p "$pid" 2>/dev/null)" != dockerd ] || ps -o stat= -p "$pid" | grep -q Z; }; then
    rm -f "$DIR/docker.pid"
  fi
  # Its containerd's pid file too: dockerd trusts it and waits for a socket that never comes.
  cpid=$(cat "$DIR/exec/containerd/containerd.pid" 2>/dev/null || true)
  if [ -n "$cpid" ] && { [ "$(ps -o comm= -p "$cpid" 2>/dev/null)" != containerd ] || ps -o stat= -p "$cpid" | grep -q Z; }; then
    rm -f "$DIR/exec/containerd/containerd.pid"
  fi
  # And the network ends of its killed containers: still on the bridge with the MAC
  # addresses new containers get again, they would swallow traffic meant for those.
  for veth in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null || true
  done
  orphan="$DIR/exec/containerd/containerd.toml"
  if pgrep -f -- "$orphan" >/dev/null; then
    pkill -f -- "$orphan"
    for _ in $(seq 50); do pgrep -f -- "$orphan" >/dev/null || break; sleep 0.2; done
    if pgrep -f -- "$orphan" >/dev/null; then pkill -9 -f -- "$orphan"; sleep 0.5; fi
    log "stopped the containerd a killed dockerd left behind"
  fi
  # dockerd deletes the "stale" default bridge network it finds in its own network store at
  # start, interface included; a store that ever held docker0 would delete the main daemon's
  # bridge. B keeps no network state between runs.
  rm -f "$DIR/data/network/files/local-kv.db"
  # setsid + nohup: it outlives this script and the session that ran it.
  setsid nohup dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
    -H "unix://$SOCK" -H "$TCP" --bridge="$BRIDGE" --iptables=false --ip-masq=false \
    --default-address-pool "base=$POOL,size=24" >>"$DIR/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 150); do answers && break; sleep 0.2; done
  answers || { tail -n 20 "$DIR/dockerd.log" >&2; die "second dockerd did not answer within 30 s; see $DIR/dockerd.log"; }
  log "started second dockerd (pid $!, $SOCK and $TCP, log $DIR/dockerd.log)"
fi

# --- images from the main daemon, those B lacks or has in another version ---
copy_images() {
  local want=() t id
  "$DOCKER" info >/dev/null 2>&1 || die "the main Docker engine does not answer: run e2e/infra/docker-engine.sh first"
  for t in "$@"; do
    id=$("$DOCKER" image inspect -f '{{.Id}}' "$t" 2>/dev/null) || die "$t is missing in the main daemon: run e2e/infra/base-images.sh first"
    [ "$("${DB[@]}" image inspect -f '{{.Id}}' "$t" 2>/dev/null)" = "$id" ] || want+=("$t")
  done
  [ ${#want[@]} -gt 0 ] || return 0
  # One save for all: shared layers travel once.
  # shellcheck disable=SC2016 # the inner script expands its own arguments
  quiet "docker save ${want[*]} | docker -H unix://$SOCK load" \
    bash -o pipefail -c '"$1" save "${@:3}" | "$1" -H "unix://$2" load' _ "$DOCKER" "$SOCK" "${want[@]}"
  log "loaded ${want[*]}"
}
copy_images "$PROBE_BASE"
if [ "$WITH_IMAGES" = 1 ]; then
  # every local/rust tag (bookworm and <X.Y>-bookworm name the same image)
  mapfile -t all < <({ printf '%s\n' "${BASE_IMAGES[@]}"
    "$DOCKER" images --format '{{.Repository}}:{{.Tag}}' local/rust | grep -v '<none>' || true; } | sort -u)
  copy_images "${all[@]}"
fi

# --- self-check: build, run, publish a port on 127.0.0.1 -------------------
# distroless-static has no programs at all, so we bring a static one: it prints
# a line, or with a port argument answers HTTP on it.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/hello.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
int main(int argc, char **argv) {
  const char *msg = "hello from docker-b\n";
  if (argc < 2) { fputs(msg, stdout); return 0; }
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
  int s = socket(AF_INET, SOCK_STREAM, 0), c; char buf[1024];
  if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 8)) { perror("listen"); return 1; }
  while ((c = accept(s, 0, 0)) >= 0) {
    if (read(c, buf, sizeof buf) >= 0) dprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(msg), msg);
    close(c);
  }
  return 1;
}
EOF
quiet "cc -static hello.c" cc -static -Os -o "$T/hello" "$T/hello.c"
printf 'FROM %s\nLABEL org.example.rust-docker-e2e=docker-b\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' "$PROBE_BASE" >"$T/Dockerfile"
quiet "docker build on the second daemon" env DOCKER_BUILDKIT=1 "${DB[@]}" build -q --iidfile "$T/iid" "$T"
img=$(cat "$T/iid")
[ "$("${DB[@]}" image inspect -f '{{index .Config.Labels "org.example.rust-docker-e2e"}}' "$img")" = docker-b ] || die "built image lacks its label"
out=$("${DB[@]}" run --rm "$img" 2>&1) || true
[ "$out" = "hello from docker-b" ] || die "docker run on the second daemon: expected 'hello from docker-b', got: $out"
cid=$("${DB[@]}" run -d -p 127.0.0.1::8080 "$img" 8080)
port=$("${DB[@]}" port "$cid" 8080/tcp | head -n1 | sed 's/.*://')
for _ in $(seq 50); do # the program may need a moment to listen behind docker-proxy
  out=$(curl -s --max-time 2 "http://127.0.0.1:$port/" || true)
  [ "$out" != "hello from docker-b" ] || break
  sleep 0.1
done
"${DB[@]}" rm -f "$cid" >/dev/null # the server ignores SIGTERM as PID 1: kill it
"${DB[@]}" image rm "$img" >/dev/null
[ "$out" = "hello from docker-b" ] || die "published port 127.0.0.1:$port did not answer (got: $out); see $DIR/dockerd.log"
log "verified: build FROM $PROBE_BASE, run, -p 127.0.0.1:$port:8080 ($("${DB[@]}" version -f '{{.Server.Version}}'), $("${DB[@]}" images -q | sort -u | wc -l) images)"
