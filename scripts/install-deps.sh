#!/usr/bin/env bash
# Installs every build and test dependency on Debian 12. A second run only checks and returns.
set -euo pipefail

packages=(
    build-essential pkg-config
    libcurl4-openssl-dev libssl-dev openssl libjansson-dev libmicrohttpd-dev
    librdkafka-dev libzookeeper-mt-dev libcmocka-dev
    clang libclang-rt-14-dev clang-tidy clang-format cppcheck shellcheck
    kcat curl python3 python3-pytest procps
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "install-deps: Debian packages already installed"
fi

# The python3 first on PATH may not be Debian's (pyenv, venv): make sure it has pytest too.
if ! python3 -c 'import pytest' 2>/dev/null; then
    echo "install-deps: installing pytest for $(command -v python3)"
    python3 -m pip install --quiet pytest
fi
echo "install-deps: done"
