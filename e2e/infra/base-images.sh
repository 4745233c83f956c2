#!/usr/bin/env bash
# Create local stand-ins for the official base images the generated Dockerfiles
# use. Nothing can be pulled on these machines (no Docker Hub, no gcr.io), so we
# build them from Debian packages, which we can reach. Images that already exist
# are kept; --force rebuilds everything, including the cached root filesystems.
#
#   local/debian:bookworm-slim         ~ debian:bookworm-slim
#   local/distroless-cc:debian12       ~ gcr.io/distroless/cc-debian12 (glibc + libgcc only)
#   local/distroless-static:debian12   ~ gcr.io/distroless/static-debian12
#   local/rust:<X.Y>-bookworm          ~ rust:<X.Y>-bookworm, with the host's toolchain
#
# Tests pass these names to the generated Dockerfiles as build arguments; the
# product itself never refers to them.
#
#   base-images.sh [--force] [rust] [slim] [cc] [static]    (no name: all four)
# The demo asks for `rust` alone: the builder is all a scratch image needs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FORCE=0
WANTED=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    rust | slim | cc | static) WANTED+=("$arg") ;;
    *) die "usage: $0 [--force] [rust] [slim] [cc] [static]" ;;
  esac
done
[ "${#WANTED[@]}" -gt 0 ] || WANTED=(slim rust cc static)
asked() { [[ " ${WANTED[*]} " == *" $1 "* ]]; }

CACHE=${E2E_CACHE_DIR:-/var/cache/rust-docker-e2e}
ROOTFS=$CACHE/bookworm-minbase # debootstrap output, never modified afterwards
DEVTREE=$CACHE/bookworm-gcc    # ROOTFS + gcc, libc6-dev, ca-certificates
LIBDIR=usr/lib/x86_64-linux-gnu
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

is_root || die "must run as root (debootstrap, chroot and file ownership in the images need it)"
[ "$(uname -m)" = x86_64 ] || die "only x86_64 hosts are supported (the images copy x86_64 libraries and toolchain)"
"$DOCKER" info >/dev/null 2>&1 || die "no Docker engine answers: run e2e/infra/docker-engine.sh first"

# The builder carries the host's own default toolchain, since rustup cannot
# download one here; its major.minor names the image, like the official tags.
command -v rustup >/dev/null || die "rustup not found: install Rust with rustup (the default toolchain is copied into local/rust)"
TOOLCHAIN=$(rustup default | cut -d' ' -f1)
TOOLCHAIN_DIR=${RUSTUP_HOME:-$HOME/.rustup}/toolchains/$TOOLCHAIN
[ -x "$TOOLCHAIN_DIR/bin/cargo" ] || die "no cargo in $TOOLCHAIN_DIR: run 'rustup default <toolchain>' with an installed toolchain"
RUST_VERSION=$("$TOOLCHAIN_DIR/bin/rustc" --version | cut -d' ' -f2) # e.g. 1.95.0
RUST_VERSION=${RUST_VERSION%%-*}                                    # drop -nightly/-beta

SLIM=local/debian:bookworm-slim
CC=local/distroless-cc:debian12
STATIC=local/distroless-static:debian12
RUST=local/rust:${RUST_VERSION%.*}-bookworm
RUST_ALIAS=local/rust:bookworm

# --- temporary trees, and their mounts, go away however the script ends ------
WORKDIRS=()
workdir() { # workdir VAR NAME: not $(...), whose subshell would lose WORKDIRS
  local d; d=$(mktemp -d "$CACHE/work.$2.XXXX"); WORKDIRS+=("$d"); printf -v "$1" %s "$d"
}
unmount_under() { # a failed chroot or debootstrap may leave /proc mounted inside
  awk -v d="$1/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l
}
cleanup() {
  local d
  for d in "${WORKDIRS[@]}"; do unmount_under "$d"; rm -rf --one-file-system "$d"; done
}
trap cleanup EXIT

image_size() { "$DOCKER" image inspect -f '{{.Size}}' "$1" | awk '{printf "%.1f MB", $1 / 1e6}'; }
wanted() { # true if $1 must be (re)built
  [ "$FORCE" = 1 ] && return 0
  "$DOCKER" image inspect "$1" >/dev/null 2>&1 || return 0
  log "skip $1 (exists, $(image_size "$1"))"
  return 1
}

# import_tree DIR CHANGE... -- TAG...: tar DIR into an image. /dev, /proc, /sys
# contents and the host's resolv.conf/hostname stay out: Docker provides them
# at run time. A replaced image is deleted so --force leaves no dangling ones.
import_tree() {
  local dir=$1 changes=() tags old=() id t; shift
  while [ "$1" != -- ]; do changes+=(-c "$1"); shift; done; shift
  tags=("$@")
  for t in "${tags[@]}"; do old+=("$("$DOCKER" image inspect -f '{{.Id}}' "$t" 2>/dev/null || true)"); done
  id=$(tar -C "$dir" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
         --exclude=./etc/resolv.conf --exclude=./etc/hostname -cf - . |
       "$DOCKER" import "${changes[@]}" - "${tags[0]}")
  for t in "${tags[@]:1}"; do "$DOCKER" tag "$id" "$t"; done
  for t in "${old[@]}"; do [ -z "$t" ] || [ "$t" = "$id" ] || "$DOCKER" image rm "$t" >/dev/null 2>&1 || true; done
}

# --- cached root filesystems -------------------------------------------------
ensure_rootfs() {
  [ -d "$ROOTFS" ] && return
  command -v debootstrap >/dev/null || apt_install debootstrap
  # The mirror comes from apt's own configuration: whatever this machine may reach.
  local mirror
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources (a URIs: line); configure apt first"
  WORKDIRS+=("$ROOTFS.tmp")
  quiet "debootstrap" debootstrap --variant=minbase bookworm "$ROOTFS.tmp" "$mirror"
  mv "$ROOTFS.tmp" "$ROOTFS" # only a complete tree gets the real name
  log "debootstrap --variant=minbase bookworm from $mirror ($(du -sh "$ROOTFS" | cut -f1))"
}

# The settings the official images carry (debuerreotype's minimizing config):
# without them every `apt-get install` layer also keeps .debs, pkgcache and
# translations, and services try to start during docker build.
docker_apt_config() {
  local r=$1
  printf '#!/bin/sh\n# no services start inside docker build\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
  chmod 755 "$r/usr/sbin/policy-rc.d"
  echo 'force-unsafe-io' >"$r/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  local clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
  cat >"$r/etc/apt/apt.conf.d/docker-clean" <<EOF
# Effectively "apt-get clean" after every install, so caches never land in a layer.
DPkg::Post-Invoke { $clean };
APT::Update::Post-Invoke { $clean };

Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$r/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$r/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$r/etc/apt/apt.conf.d/docker-autoremove-suggests"
  rm -f "$r/etc/apt/apt.conf.d/01autoremove-kernels" # describes the host's kernels
}

# What the official images leave out of their tarballs: apt caches and lists, logs.
strip_caches() {
  local r=$1
  rm -rf "$r"/var/cache/apt/* "$r"/var/lib/apt/lists/* "$r/var/cache/ldconfig/aux-cache"
  find "$r/var/log" -type f -delete
}

# in_chroot DIR "what" CMD...: run CMD inside DIR with /proc mounted (dpkg's
# maintainer scripts need it); the EXIT trap unmounts if anything fails.
in_chroot() {
  local r=$1 what=$2; shift 2
  cp -L /etc/resolv.conf "$r/etc/resolv.conf" # the chroot resolves the mirror like the host
  mount -t proc proc "$r/proc"
  quiet "$what" chroot "$r" /usr/bin/env -i PATH="$STD_PATH" HOME=/root DEBIAN_FRONTEND=noninteractive "$@"
  umount "$r/proc"
}

ensure_devtree() {
  [ -d "$DEVTREE" ] && return
  ensure_rootfs
  WORKDIRS+=("$DEVTREE.tmp")
  cp -a "$ROOTFS" "$DEVTREE.tmp"
  docker_apt_config "$DEVTREE.tmp"
  in_chroot "$DEVTREE.tmp" "chroot apt-get install gcc libc6-dev ca-certificates" sh -c \
    'apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev ca-certificates'
  strip_caches "$DEVTREE.tmp"
  mv "$DEVTREE.tmp" "$DEVTREE"
  log "chroot apt-get install gcc libc6-dev ca-certificates ($(du -sh "$DEVTREE" | cut -f1))"
}

# --- the images --------------------------------------------------------------
build_slim() {
  ensure_rootfs
  local t; workdir t slim
  cp -a "$ROOTFS/." "$t/"
  docker_apt_config "$t"
  # What debuerreotype-slimify does for the official -slim variant: drop docs,
  # man pages, info and translations (copyright files and locale.alias stay), and
  # have dpkg keep them out of every later install too.
  local d kept=(-path "$t/usr/share/doc/*/copyright" -o -path "$t/usr/share/locale/locale.alias")
  for d in doc groff info linda lintian/overrides locale man; do
    [ -d "$t/usr/share/$d" ] || continue
    find "$t/usr/share/$d" -mindepth 1 ! -type d ! \( "${kept[@]}" \) -delete
    find "$t/usr/share/$d" -mindepth 1 -depth -type d -empty -delete
  done
  cat >"$t/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# Slim variant: dpkg keeps docs, man pages and translations out of every install.
path-exclude /usr/share/doc/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*

path-include /usr/share/doc/*/copyright
path-include /usr/share/locale/locale.alias
EOF
  strip_caches "$t"
  import_tree "$t" "ENV PATH=$STD_PATH" 'CMD ["bash"]' -- "$SLIM"
  log "built $SLIM ($(image_size "$SLIM"))"
}

# What every distroless image has besides programs: CA bundle, time zones,
# root/nobody/nonroot accounts (nonroot = 65532, like gcr.io/distroless), /tmp.
# Taken from DEVTREE, the same tree as the Rust builder, so a binary built there
# finds the same glibc at run time.
distroless_tree() {
  local r=$1
  install -d -m 755 "$r/etc/ssl/certs" "$r/usr/share"
  install -d -m 1777 "$r/tmp"
  install -d -m 700 "$r/root"
  install -d -m 700 -o 65532 -g 65532 "$r/home/nonroot"
  cp -L "$DEVTREE/etc/ssl/certs/ca-certificates.crt" "$r/etc/ssl/certs/"
  cp -a "$DEVTREE/usr/share/zoneinfo" "$r/usr/share/"
  cp -L "$DEVTREE/etc/os-release" "$r/etc/os-release"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >"$r/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' >"$r/etc/group"
  echo 'hosts: files dns' >"$r/etc/nsswitch.conf"
}
DISTROLESS_CONFIG=("ENV PATH=$STD_PATH" "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")

build_static() {
  ensure_devtree
  local t; workdir t static
  distroless_tree "$t"
  import_tree "$t" "${DISTROLESS_CONFIG[@]}" -- "$STATIC"
  log "built $STATIC ($(image_size "$STATIC"))"
}

build_cc() {
  ensure_devtree
  local t l; workdir t cc
  distroless_tree "$t"
  install -d "$t/$LIBDIR" "$t/usr/lib64"
  # glibc >= 2.34 keeps libdl/libpthread/librt/libutil only as stubs, but
  # binaries linked elsewhere may still name them.
  for l in ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libgcc_s.so.1 libdl.so.2 libpthread.so.0 librt.so.1 libutil.so.1; do
    [ ! -e "$DEVTREE/$LIBDIR/$l" ] || cp -L "$DEVTREE/$LIBDIR/$l" "$t/$LIBDIR/"
  done
  # merged-/usr layout, so the ELF interpreter /lib64/ld-linux-x86-64.so.2 resolves
  ln -s usr/lib "$t/lib"
  ln -s usr/lib64 "$t/lib64"
  ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$t/usr/lib64/ld-linux-x86-64.so.2"
  import_tree "$t" "${DISTROLESS_CONFIG[@]}" -- "$CC"
  log "built $CC ($(image_size "$CC"))"
}

build_rust() {
  ensure_devtree
  local t b; workdir t rust
  cp -a "$DEVTREE/." "$t/"
  # Official layout (RUSTUP_HOME, CARGO_HOME, tools in /usr/local/cargo/bin), so
  # Dockerfiles that cache /usr/local/cargo/registry work unchanged. There is no
  # rustup proxy: the tools are symlinks into the copied toolchain. share/ (docs,
  # ~800 MB) stays out.
  install -d "$t/usr/local/rust" "$t/usr/local/cargo/bin" "$t/usr/local/rustup"
  cp -a "$TOOLCHAIN_DIR/bin" "$TOOLCHAIN_DIR/lib" "$t/usr/local/rust/"
  for b in "$t"/usr/local/rust/bin/*; do ln -s "/usr/local/rust/bin/${b##*/}" "$t/usr/local/cargo/bin/"; done
  chmod -R a+w "$t/usr/local/cargo" "$t/usr/local/rustup" # as upstream: non-root users can use cargo too
  import_tree "$t" \
    "ENV RUSTUP_HOME=/usr/local/rustup" "ENV CARGO_HOME=/usr/local/cargo" \
    "ENV PATH=/usr/local/cargo/bin:$STD_PATH" "ENV RUST_VERSION=$RUST_VERSION" \
    "WORKDIR /" 'CMD ["bash"]' -- "$RUST" "$RUST_ALIAS"
  log "built $RUST = $RUST_ALIAS, $TOOLCHAIN ($(image_size "$RUST"))"
}

# Prove the images asked for do their jobs: the builder compiles offline, its glibc
# binary runs on distroless-cc, and its static-pie runs on scratch and static.
verify() {
  local t id ran=()
  if asked rust; then
    workdir t hello
    mkdir -p "$t/src" "$t/ctx"
    printf '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n' >"$t/Cargo.toml"
    echo 'fn main() { println!("hello from rust"); }' >"$t/src/main.rs"
    quiet "cargo build in $RUST" "$DOCKER" run --rm --network none -v "$t:/src" -w /src "$RUST" sh -ec \
      'cargo --version; cargo build --release
       RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target x86_64-unknown-linux-gnu'
    cp "$t/target/x86_64-unknown-linux-gnu/release/hello" "$t/ctx/hello"
    printf 'FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' >"$t/ctx/Dockerfile"
    quiet "docker build FROM scratch" env DOCKER_BUILDKIT=1 "$DOCKER" build -q --iidfile "$t/iid" "$t/ctx"
    id=$(cat "$t/iid")
    expect_hello "static-pie in FROM scratch" "$DOCKER" run --rm --network none "$id"
    "$DOCKER" image rm "$id" >/dev/null
    ran+=("cargo in $RUST" scratch)
    if asked static; then
      expect_hello "static-pie in $STATIC as nonroot" "$DOCKER" run --rm --network none -u nonroot \
        -v "$t/ctx/hello:/hello:ro" "$STATIC" /hello
      ran+=(static)
    fi
    if asked cc; then
      expect_hello "glibc binary in $CC as nonroot" "$DOCKER" run --rm --network none -u nonroot \
        -v "$t/target/release/hello:/hello:ro" "$CC" /hello
      ran+=(cc)
    fi
  fi
  if asked slim; then
    expect_hello "bash in $SLIM" "$DOCKER" run --rm --network none "$SLIM" bash -c 'echo hello from rust'
    ran+=(slim)
  fi
  log "verified: hello runs with ${ran[*]}"
}
expect_hello() {
  local what=$1 out; shift
  out=$("$@" 2>&1) || true
  [ "$out" = "hello from rust" ] || die "$what: expected 'hello from rust', got: $out"
}

# --- main --------------------------------------------------------------------
mkdir -p "$CACHE"
# One build at a time (they are heavy, and share the cache); a second caller
# waits, then finds the images already there.
exec 9>"$CACHE/.lock"
flock -n 9 || { log "waiting for another base-images.sh to finish"; flock 9; }
for d in "$CACHE"/work.* "$ROOTFS.tmp" "$DEVTREE.tmp"; do # left by a killed run
  [ ! -e "$d" ] || { unmount_under "$d"; rm -rf --one-file-system "$d"; }
done
if [ "$FORCE" = 1 ]; then
  rm -rf --one-file-system "$ROOTFS" "$DEVTREE"
  log "--force: dropped the cached root filesystems in $CACHE"
fi
built=0
shown=()
if asked slim; then shown+=("$SLIM"); if wanted "$SLIM"; then build_slim; built=1; fi; fi
if asked rust; then
  shown+=("$RUST" "$RUST_ALIAS")
  if wanted "$RUST"; then build_rust; built=1; fi
  "$DOCKER" image inspect "$RUST_ALIAS" >/dev/null 2>&1 || "$DOCKER" tag "$RUST" "$RUST_ALIAS"
fi
if asked cc; then shown+=("$CC"); if wanted "$CC"; then build_cc; built=1; fi; fi
if asked static; then shown+=("$STATIC"); if wanted "$STATIC"; then build_static; built=1; fi; fi
[ "$built" = 0 ] || verify

for t in "${shown[@]}"; do printf '  %-34s %10s\n' "$t" "$(image_size "$t")"; done
log "done"
