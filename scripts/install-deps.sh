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
# mesos-sim's agents are agent1..agentN on 127.0.1.1..N (sim/README.md). Clients outside the
# simulated tasks (kcat, the scheduler's ZooKeeper client) resolve those names through /etc/hosts.
hosts_begin="# mesos-sim agents (mesos-kafka scripts/install-deps.sh)"
if ! grep -qF "$hosts_begin" /etc/hosts; then
    echo "install-deps: adding the simulator's agent names (agent1..agent32) to /etc/hosts"
    {
        echo "$hosts_begin"
        for n in $(seq 1 32); do echo "127.0.1.$n agent$n"; done
        echo "# end of mesos-sim agents"
    } | as_root tee -a /etc/hosts >/dev/null
fi
echo "install-deps: done"
