# Sourced by scripts/test and scripts/up: puts the pinned Bun on PATH (installing it from the npm
# registry into .cache/ when the machine has another version or none) and installs the dependencies.
# Needs only Node/npm on a fresh machine.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUN_VERSION="$(tr -d '[:space:]' < "$ROOT/.bun-version")"
BUN_HOME="${CHIRP_CACHE:-$ROOT/.cache}/bun-$BUN_VERSION"

ensure_bun() {
  if command -v bun >/dev/null 2>&1 && [[ "$(bun --version)" == "$BUN_VERSION" ]]; then
    return
  fi
  if [[ ! -x "$BUN_HOME/node_modules/.bin/bun" ]]; then
    echo "[bootstrap] installing bun $BUN_VERSION from the npm registry into $BUN_HOME" >&2
    mkdir -p "$BUN_HOME"
    # The npm package carries the real binary in its platform dependency (@oven/bun-linux-x64).
    npm install --prefix "$BUN_HOME" --no-save --no-package-lock --loglevel=error "bun@$BUN_VERSION" >&2
  fi
  export PATH="$BUN_HOME/node_modules/.bin:$PATH"
  [[ "$(bun --version)" == "$BUN_VERSION" ]] || { echo "[bootstrap] bun $BUN_VERSION did not install" >&2; exit 1; }
}

ensure_deps() {
  (cd "$ROOT" && bun install --frozen-lockfile >&2)
}

ensure_bun
ensure_deps
