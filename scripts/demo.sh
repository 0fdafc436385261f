#!/usr/bin/env bash
# The local demo: a simulated Mesos master with three agents over HTTPS and Basic auth, and
# mesos-kafka subscribed to it. Everything lives under one directory (printed at start, emptied at
# each run); Ctrl-C or SIGTERM stops every process this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

demo_dir="${DEMO_DIR:-${TMPDIR:-/tmp}/mesos-kafka-demo}"
mesos_port="${DEMO_MESOS_PORT:-5050}"
control_port="${DEMO_CONTROL_PORT:-5051}"
api_port="${DEMO_API_PORT:-10000}"

make -s deps >/dev/null
make -s

rm -rf "$demo_dir"
mkdir -p "$demo_dir/pki" "$demo_dir/state"
echo "demo: everything lives under $demo_dir"

pids=()
cleanup() {
    trap - INT TERM EXIT
    # Newest first: the scheduler stops before the master it talks to.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    echo "demo: stopped"
}
trap cleanup INT TERM EXIT

# A certificate authority of the demo's own, and the master's certificate signed by it.
pki="$demo_dir/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=mesos-kafka demo CA" \
    -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$pki/master.key" -out "$pki/master.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$pki/master.ext"
openssl x509 -req -in "$pki/master.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 7 -extfile "$pki/master.ext" -out "$pki/master.pem" 2>/dev/null

mesos_secret="demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
api_secret="demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# The agents run ZooKeeper and Kafka from the servers `make deps` installed.
MK_SERVERS_ENV="${MK_SERVERS_ENV:-${MK_CACHE_DIR:-$HOME/.cache/mesos-kafka}/servers.env}" \
build/mesos-sim --port "$mesos_port" --bind 127.0.0.1 --hostname 127.0.0.1 --agents 3 \
    --tls-cert "$pki/master.pem" --tls-key "$pki/master.key" --credentials "kafka:$mesos_secret" \
    --control-port "$control_port" --call-log "$demo_dir/mesos-calls.jsonl" \
    --work-dir "$demo_dir/agents" --image-map sim/images.map \
    >"$demo_dir/mesos-sim.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do
    grep -q "mesos-sim: ready" "$demo_dir/mesos-sim.log" && break
    sleep 0.1
done
grep -q "mesos-sim: ready" "$demo_dir/mesos-sim.log" || { cat "$demo_dir/mesos-sim.log"; exit 1; }
echo "demo: simulated Mesos master at https://127.0.0.1:$mesos_port (3 agents)"

FRAMEWORK_NAME=mesos-kafka FRAMEWORK_STATEFILE_PATH="$demo_dir/state" FRAMEWORK_PORT="$api_port" \
MESOS_MASTER="127.0.0.1:$mesos_port" MESOS_SSL=true MESOS_CA_CERT="$pki/ca.pem" \
MESOS_USERNAME=kafka MESOS_PASSWORD="$mesos_secret" AUTH_USERNAME=admin AUTH_PASSWORD="$api_secret" \
ZOOKEEPER_COUNT=3 KAFKA_COUNT=3 LOGLEVEL=INFO \
    build/mesos-kafka >"$demo_dir/mesos-kafka.log" 2>&1 &
pids+=("$!")

printf 'demo: waiting for mesos-kafka to subscribe'
for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$control_port/control/state" 2>/dev/null | grep -q '"connected": *true'; then
        break
    fi
    kill -0 "${pids[1]}" 2>/dev/null || { echo; tail -n 20 "$demo_dir/mesos-kafka.log"; exit 1; }
    printf '.'
    sleep 0.2
done
echo
curl -fsS "http://127.0.0.1:$control_port/control/state" | grep -q '"connected": *true' || {
    tail -n 20 "$demo_dir/mesos-kafka.log"; exit 1; }
framework_id=$(sed -n 's/.*"framework_id": *"\([^"]*\)".*/\1/p' "$demo_dir/state/mesos-kafka.state.json")
cat <<MSG
demo: mesos-kafka is subscribed as framework $framework_id
demo: state file   $demo_dir/state/mesos-kafka.state.json
demo: logs         $demo_dir/mesos-kafka.log, $demo_dir/mesos-sim.log
demo: try          curl -s http://127.0.0.1:$control_port/control/state
demo:              curl -s -X POST http://127.0.0.1:$control_port/control/drop-stream   (it re-subscribes)
demo: Ctrl-C stops everything.
MSG
wait "${pids[1]}"
