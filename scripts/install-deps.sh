#!/usr/bin/env bash
# Make sure the Debian packages STExplain needs are installed, plus any named as arguments
# (make report-check adds chromium). Fast, silent no-op when everything is already present.
set -euo pipefail

# Debian packages the project needs. Add new ones here.
PACKAGES="libdnnl-dev libpng-dev ffmpeg pkg-config $*"

is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; this script expects Debian 12 (bookworm)." >&2
    echo "install-deps: install these packages by hand: $PACKAGES" >&2
    exit 1
fi

missing=()
for pkg in $PACKAGES; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]}; run:" >&2
    echo "sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/stexplain-install-deps.XXXXXX.log")
echo "install-deps: installing ${missing[*]} (log: $log)"

fail() {
    echo "install-deps: $1 failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
}

apt-get update -qq >>"$log" 2>&1 || fail "apt-get update"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    </dev/null >>"$log" 2>&1 || fail "apt-get install"

still_missing=()
for pkg in "${missing[@]}"; do
    is_installed "$pkg" || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -ne 0 ]]; then
    fail "installing ${still_missing[*]}"
fi

rm -f "$log"
echo "install-deps: installed ${missing[*]}"
