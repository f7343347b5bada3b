# Shared by scripts/*: install what is missing, configure and build. Sourced, not run.

BULLETIN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BULLETIN_BUILD=${BULLETIN_BUILD:-$BULLETIN_ROOT/build}

# Debian 12 packages the build, the tests and scripts/up need (libgoogle-perftools-dev:
# tcmalloc, linked into bulletin-analytics when present).
BULLETIN_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libhiredis-dev libspdlog-dev libsqlite3-dev libcurl4-openssl-dev libssl-dev
  libgtest-dev libgmock-dev redis-server libgumbo-dev libicu-dev
  prometheus-cpp-dev clang-14 clang-format libfuzzer-14-dev openssl
  libpq-dev postgresql-15 python3-feedparser sqlite3
  libboost-dev libkainjow-mustache-dev zlib1g-dev wrk
  chromium fonts-wqy-microhei
  libgoogle-perftools-dev
)
# kubectl kustomize renders deploy/k8s in scripts/test; any kubectl will do (another package's /usr/bin/kubectl would conflict).
command -v kubectl >/dev/null 2>&1 || BULLETIN_PACKAGES+=(kubernetes-client)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the packages that are not installed yet (apt-get, as root).
install_deps() {
  local missing=()
  for p in "${BULLETIN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# Configures (once) and builds with Ninja. Extra arguments are ninja targets.
# ccache (when installed) sees paths relative to the checkout, so clones in other
# folders share its cache.
build() {
  build_in "$BULLETIN_BUILD" "$@"
}

# build_in DIR [ninja targets...], with BULLETIN_CMAKE_ARGS (an array) for a new DIR.
build_in() {
  local dir=$1
  shift
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$BULLETIN_ROOT}" CCACHE_NOHASHDIR=1
  if [ ! -f "$dir/build.ninja" ]; then
    log "configuring $dir"
    cmake -S "$BULLETIN_ROOT" -B "$dir" -G Ninja \
      -DCMAKE_BUILD_TYPE="${BULLETIN_BUILD_TYPE:-RelWithDebInfo}" \
      "${BULLETIN_CMAKE_ARGS[@]}" >/dev/null
  fi
  log "building $dir (ninja -j${BULLETIN_JOBS:-$(nproc)})"
  cmake --build "$dir" -j "${BULLETIN_JOBS:-$(nproc)}" -- "$@"
}
BULLETIN_CMAKE_ARGS=()
