# shellcheck shell=bash
#
# Shared helpers for the pledged developer/CI scripts.
#
# Source this file from a script living in scripts/ (or below):
#
#     source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# It defines ROOT (the project root), PLEDGED_PACKAGES, PG_BIN and the
# functions below. It does not change shell options; every caller runs with
# `set -euo pipefail`.

# The variables below are used by the scripts that source this file.
# shellcheck disable=SC2034

# Packages needed to build the project, run its tests and run the service on
# a fresh Debian 12 (bookworm) system. One list, used by scripts/run and
# scripts/test alike.
PLEDGED_PACKAGES=(
    g++ cmake make pkg-config git ca-certificates
    libpistache-dev libpqxx-dev libcurl4-openssl-dev libssl-dev
    nlohmann-json3-dev libgtest-dev libgmock-dev libcli11-dev
    libhowardhinnant-date-dev
    # Year-end statements as PDF (libharu); pdftotext reads them back in the email tests.
    libhpdf-dev poppler-utils
    postgresql-15 postgresql-client-15
    curl procps
    # The deploy checks (tests/deploy): nginx -t, a throwaway certificate,
    # systemd-analyze verify, YAML parsing.
    nginx-light openssl systemd python3-yaml
)

# The sanitizer build (clang: ASan + UBSan and the libFuzzer targets in one build, see
# CMakePresets.json) and llvm-symbolizer for its reports' stack traces.
PLEDGED_CLANG_PACKAGES=(clang libclang-rt-14-dev llvm)

# Only the test command needs the browser tools: Debian's Chromium for the browser tests
# (Playwright drives it; it never downloads a browser of its own) and a font.

# ensure_e2e_tools: Chromium from Debian, then the npm packages pinned in
# tests/e2e/package-lock.json. Playwright needs Node.js 20 or newer.
ensure_e2e_tools() {
    local -a wanted=(chromium fonts-dejavu-core)
    command -v node >/dev/null 2>&1 || wanted+=(nodejs npm)
    ensure_packages "${wanted[@]}"
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    ((major >= 20)) || die "the browser tests need Node.js >= 20 (found $(node --version))"
    (cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
}

# PostgreSQL 15 server binaries (initdb, pg_ctl, postgres, psql) as installed
# by the Debian postgresql-15 / postgresql-client-15 packages.
PG_BIN=/usr/lib/postgresql/15/bin

# Print a message prefixed with the calling script's name, on stderr.
log() {
    printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

# Print an error message and exit with status 1.
die() {
    log "error: $*"
    exit 1
}

# Print the absolute, symlink-free path of the project root: the folder that
# contains scripts/ (this file is scripts/lib/common.sh).
project_root() {
    (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
}

# True when running as root.
is_root() {
    [[ $(id -u) -eq 0 ]]
}

# Run a command as root: directly when we are root, otherwise through sudo.
as_root() {
    if is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "'$*' needs root privileges, but you are not root and sudo is not installed; run this script as root or install sudo"
    fi
}

# Print, one per line, those of the given Debian packages that are not
# installed.
missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        if [[ $status != "install ok installed" ]]; then
            printf '%s\n' "$pkg"
        fi
    done
}

# ensure_packages PKG...
# Install whichever of the given packages are missing (one `apt-get update`,
# then one `apt-get install`). Does nothing when all are installed.
ensure_packages() {
    local -a missing
    mapfile -t missing < <(missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    log "installing missing packages: ${missing[*]}"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

# build_project [EXTRA_CMAKE_ARGS...]
# Configure and build the project in $ROOT/build; the service binary ends up
# at $ROOT/build/pledged. BUILD_TARGET (default: all; several separated by
# spaces) narrows what is built.
build_project() {
    local -a targets
    read -ra targets <<<"${BUILD_TARGET:-all}"
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
    cmake --build "$ROOT/build" -j"$(nproc)" --target "${targets[@]}"
}

ROOT=$(project_root)
