#!/usr/bin/env bash
# make bench: the figures of issue 4, each printed with the command that reproduces it.
#   1. deciding one OFFERS event of 1,000 and of 10,000 offers (median of 10 rounds), peak memory;
#   2. the scheduler's resident memory, idle, with a 6-member cluster (3 ZooKeeper + 3 Kafka, real
#      servers on mesos-sim);
#   3. requests per second and latency of GET /v0/container/<taskId>, /v0/status and
#      /v1/partitions/under-replicated over 64 keep-alive connections from 127.0.0.1, with auth,
#      each beside 500 idle connections (50 from each of 127.0.0.2..127.0.0.11: TCP connected and
#      nothing sent, or one partial header line), reopened whenever the server closes them;
#   4. /v0/status during a rolling restart of the three brokers;
#   5. the scheduler's CPU and memory under random faults.
# Shorter runs: BENCH_OFFERS=0 skips 1, BENCH_API_SECONDS (10) is each run of 3, BENCH_IDLE (500)
# its idle connections, BENCH_RESTART=0 skips 4, BENCH_CHAOS_MINUTES=0 skips 5.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    echo "\$ $*"
    "$@"
}

if [ "${BENCH_OFFERS:-1}" != 0 ]; then
    echo "== offer decisions"
    run build/bench/bench_offers 1000 10
    run build/bench/bench_offers 10000 10
fi

echo "== a 6-member cluster on mesos-sim"
dir=$(mktemp -d /tmp/mk-bench.XXXXXX)
pids=()
cleanup() {
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[i]}" 2>/dev/null || true
        wait "${pids[i]}" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
mesos_port=$(free_port)
api_port=$(free_port)
secret="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
MK_SERVERS_ENV="${MK_SERVERS_ENV:-${MK_CACHE_DIR:-$HOME/.cache/mesos-kafka}/servers.env}" \
    build/mesos-sim --port "$mesos_port" --bind 127.0.0.1 --hostname 127.0.0.1 --agents 3 \
    --allocation-interval 0.2 --work-dir "$dir/agents" --image-map sim/images.map \
    >"$dir/sim.log" 2>&1 &
pids+=("$!")
FRAMEWORK_STATEFILE_PATH="$dir/state" FRAMEWORK_PORT="$api_port" MESOS_MASTER="127.0.0.1:$mesos_port" \
    MESOS_SSL=false AUTH_USERNAME=admin AUTH_PASSWORD="$secret" LOGLEVEL=WARN \
    ZOOKEEPER_CPU=0.2 ZOOKEEPER_MEM=256 ZOOKEEPER_HEAP=64 ZOOKEEPER_DISK=100 \
    KAFKA_CPU=0.5 KAFKA_MEM=640 KAFKA_HEAP=256 KAFKA_DISK=500 \
    build/mesos-kafka >"$dir/mesos-kafka.log" 2>&1 &
pids+=("$!")
scheduler=${pids[1]}
api="http://127.0.0.1:$api_port"
for _ in $(seq 1 300); do
    registered=$(curl -fsS -u "admin:$secret" "$api/v0/status" 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["kafka"]["registered"])' 2>/dev/null || echo 0)
    [ "$registered" = 3 ] && break
    sleep 1
done
[ "$registered" = 3 ] || { tail -n 30 "$dir/mesos-kafka.log"; echo "bench: cluster did not come up"; exit 1; }
sleep 5 # idle: nothing launching, the ZooKeeper thread polling
echo "\$ grep -E 'VmRSS|VmHWM' /proc/<mesos-kafka pid>/status"
awk '/VmRSS/ {rss = $2} /VmHWM/ {hwm = $2} END {
    printf "mesos-kafka idle with 3 ZooKeeper + 3 Kafka running: resident %.1f MB (peak %.1f MB)\n",
        rss / 1024, hwm / 1024 }' "/proc/$scheduler/status"

echo "== the API: 64 connections beside ${BENCH_IDLE:=500} idle ones"
task=$(curl -fsS -u "admin:$secret" "$api/v0/status" |
    python3 -c 'import json,sys; print([m["task_id"] for m in json.load(sys.stdin)["members"] if m["name"] == "kafka-0"][0])')
for path in "/v0/container/$task" /v0/status /v1/partitions/under-replicated; do
    # A failed run (a refused or closed load connection) is reported and the next one still runs.
    run build/bench/http_load 127.0.0.1 "$api_port" "$path" 64 "${BENCH_API_SECONDS:-10}" \
        "admin:$secret" --from 127.0.0.1 --idle "$BENCH_IDLE" --idle-from 127.0.0.2 --idle-per 50 \
        --threads-of "$scheduler" || echo "bench: GET $path failed (exit status $?)"
done

if [ "${BENCH_RESTART:-1}" != 0 ]; then
    echo "== the API while the three brokers restart one at a time"
    curl -fsS -u "admin:$secret" -X POST "$api/v1/brokers" >/dev/null
    restart_started=$(date +%s)
    run build/bench/http_load 127.0.0.1 "$api_port" "/v0/status" 64 20 "admin:$secret"
    for _ in $(seq 1 600); do
        plan=$(curl -fsS -u "admin:$secret" "$api/v1/plan" 2>/dev/null |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["plan"]["state"])' 2>/dev/null || echo "?")
        case "$plan" in done | failed) break ;; esac
        sleep 1
    done
    echo "rolling restart of 3 brokers: $plan after $(($(date +%s) - restart_started)) s"
fi

cleanup
trap - EXIT INT TERM
[ "${BENCH_CHAOS_MINUTES:=10}" != 0 ] || exit 0
echo "== the scheduler's CPU and memory under $BENCH_CHAOS_MINUTES minutes of random faults"
run env MK_BIN_DIR="$PWD/build" python3 tests/integration/chaos.py --minutes "$BENCH_CHAOS_MINUTES" \
    --no-scheduler-kill --sample-scheduler
