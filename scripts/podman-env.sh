# Sourced by scripts/images, scripts/containers-check and the container runs of e2e/bench: makes podman
# usable on a machine without a Docker engine, as root (Debian's podman + runc), with everything it stores
# under .cache/containers (or $CHIRP_CACHE/containers):
#   - installs podman, runc and debootstrap with apt-get when missing (idempotent);
#   - exports CONTAINERS_CONF and CONTAINERS_STORAGE_CONF naming files written there: runc with the
#     cgroupfs manager (no systemd session here), no default ulimits (podman's defaults exceed what an
#     unprivileged CI container may set), images and layers in .cache/containers/storage.
# podman_ready succeeds silently when podman can run containers here, or prints why not and fails.

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
CONTAINERS_DIR="${CHIRP_CACHE:-$ROOT/.cache}/containers"

podman_install() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  ((${#missing[@]} == 0)) && return 0
  ((EUID == 0)) || { echo "need root to install ${missing[*]}"; return 1; }
  command -v apt-get >/dev/null 2>&1 || { echo "no apt-get to install ${missing[*]}"; return 1; }
  echo "[podman-env] installing ${missing[*]}" >&2
  # Another apt run may hold the lock: wait for it.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || return 1
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >&2 || {
    echo "apt-get could not install ${missing[*]}"
    return 1
  }
}

podman_configure() {
  mkdir -p "$CONTAINERS_DIR/storage"
  # Run-time state in /run, one directory per storage: two storages sharing one hang podman.
  local run
  run="/run/chirp-containers/$(echo -n "$CONTAINERS_DIR" | sha256sum | cut -c1-12)"
  cat >"$CONTAINERS_DIR/containers.conf" <<EOF
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
tmp_dir = "$run/libpod"
EOF
  cat >"$CONTAINERS_DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$CONTAINERS_DIR/storage"
runroot = "$run/storage"
EOF
  export CONTAINERS_CONF="$CONTAINERS_DIR/containers.conf" CONTAINERS_STORAGE_CONF="$CONTAINERS_DIR/storage.conf"
}

podman_ready() {
  ((EUID == 0)) || { echo "podman here runs as root only (rootless needs subuid ranges this setup does not make)"; return 1; }
  podman_install || return 1
  podman_configure
  local err
  err="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>&1 >/dev/null)" || {
    echo "podman info failed: ${err:0:300}"
    return 1
  }
}
