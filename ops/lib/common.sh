# Shared helpers for ops/run and ops/test. Sourced, not executed.
# Everything here is idempotent: a second run finds what the first made and reuses it.

set -euo pipefail

ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The project's ignored data directory: virtualenv, logs, and (when reachable) the private cluster.
DATA_DIR=${LEDGERBRIDGE_DATA_DIR:-$ROOT_DIR/.data}
mkdir -p "$DATA_DIR"

log() { printf '[ops] %s\n' "$*" >&2; }
die() { printf '[ops] error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Debian packages the build, the tests and the embedded cluster need.
DEBIAN_PACKAGES=(
  pkg-config libpq-dev libssl-dev libnghttp2-dev zlib1g-dev
  postgresql postgresql-contrib
  protobuf-compiler libprotobuf-dev nghttp2-client curl
  python3-venv openssl util-linux
)

install_debian_packages() {
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  if ! is_root; then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}) and no sudo; install them as root"
    sudo=(sudo)
  fi
  # The postgresql package must not start (or create) its own cluster: we run a private one.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    "${sudo[@]}" mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | "${sudo[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# PyPI packages live in a virtual environment inside the data directory.
VENV_DIR="$DATA_DIR/venv"
PYTHON_REQUIREMENTS="$ROOT_DIR/ops/requirements.txt"

install_python_packages() {
  local stamp="$VENV_DIR/.requirements.sha256"
  local want
  want=$(sha256sum "$PYTHON_REQUIREMENTS" | cut -d' ' -f1)
  if [ -x "$VENV_DIR/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "installing PyPI packages into $VENV_DIR"
  [ -x "$VENV_DIR/bin/python" ] || python3 -m venv "$VENV_DIR"
  "$VENV_DIR/bin/pip" install -q --disable-pip-version-check -r "$PYTHON_REQUIREMENTS"
  echo "$want" >"$stamp"
}

swift_build() {
  log "building ($*)"
  (cd "$ROOT_DIR" && swift build "$@")
}

# A development key ring for the secret vault under the data dir (made once,
# owner-only), exported as LEDGERBRIDGE_KEYRING unless one is already set.
ensure_dev_keyring() {
  local bin=$1
  if [ -n "${LEDGERBRIDGE_KEYRING:-}" ] || [ -n "${LEDGERBRIDGE_KEYRING_JSON:-}" ]; then return 0; fi
  local ring="$DATA_DIR/keyring.json"
  [ -f "$ring" ] || "$bin" admin new-keyring "$ring" >/dev/null || die "cannot make a development key ring at $ring"
  export LEDGERBRIDGE_KEYRING="$ring"
}
