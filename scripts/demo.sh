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
# The master reads its credentials from a file: on its command line `ps` would show the secret.
(umask 077 && printf 'kafka:%s\n' "$mesos_secret" >"$demo_dir/mesos-credentials")

# The agents run ZooKeeper and Kafka from the servers `make deps` installed.
MK_SERVERS_ENV="${MK_SERVERS_ENV:-${MK_CACHE_DIR:-$HOME/.cache/mesos-kafka}/servers.env}" \
build/mesos-sim --port "$mesos_port" --bind 127.0.0.1 --hostname 127.0.0.1 --agents 4 \
    --tls-cert "$pki/master.pem" --tls-key "$pki/master.key" \
    --credentials-file "$demo_dir/mesos-credentials" --control-port "$control_port" \
    --call-log "$demo_dir/mesos-calls.jsonl" --work-dir "$demo_dir/agents" --image-map sim/images.map \
    >"$demo_dir/mesos-sim.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do
    grep -q "mesos-sim: ready" "$demo_dir/mesos-sim.log" && break
    sleep 0.1
done
grep -q "mesos-sim: ready" "$demo_dir/mesos-sim.log" || { cat "$demo_dir/mesos-sim.log"; exit 1; }
echo "demo: simulated Mesos master at https://127.0.0.1:$mesos_port (4 agents)"

# Small JVMs: the demo runs six servers on one machine.
FRAMEWORK_NAME=mesos-kafka FRAMEWORK_STATEFILE_PATH="$demo_dir/state" FRAMEWORK_PORT="$api_port" FRAMEWORK_BIND=127.0.0.1 \
MESOS_MASTER="127.0.0.1:$mesos_port" MESOS_SSL=true MESOS_CA_CERT="$pki/ca.pem" \
MESOS_USERNAME=kafka MESOS_PASSWORD="$mesos_secret" AUTH_USERNAME=admin AUTH_PASSWORD="$api_secret" \
ZOOKEEPER_COUNT=3 KAFKA_COUNT=3 LOGLEVEL=INFO \
ZOOKEEPER_CPU=0.25 ZOOKEEPER_MEM=384 ZOOKEEPER_HEAP=128 ZOOKEEPER_DISK=512 \
KAFKA_CPU=0.5 KAFKA_MEM=1024 KAFKA_HEAP=384 KAFKA_DISK=2048 \
VOLUME_ZOOKEEPER=zookeeper-data VOLUME_KAFKA=kafka-data FAILOVER_DELAY=5s FAILOVER_MAX_DELAY=60s \
KAFKA_OPTIONS="default.replication.factor=3,num.partitions=3,group.initial.rebalance.delay.ms=0" \
    build/mesos-kafka >"$demo_dir/mesos-kafka.log" 2>&1 &
pids+=("$!")

api="http://127.0.0.1:$api_port"
auth="admin:$api_secret"
# GET of the API with the credentials on curl's stdin (-K -), not its command line.
api_get() { printf 'user = "%s"\n' "$auth" | curl -fsS -K - "$api$1"; }
# One line of progress per change: "zookeeper 2/3 running, kafka 0/3 registered".
last=""
for _ in $(seq 1 600); do
    kill -0 "${pids[1]}" 2>/dev/null || { echo; tail -n 20 "$demo_dir/mesos-kafka.log"; exit 1; }
    status=$(api_get /v0/status 2>/dev/null || true)
    if [ -n "$status" ]; then
        line=$(python3 - "$status" <<'PY'
import json, sys
st = json.loads(sys.argv[1])
zk, kafka = st["zookeeper"], st["kafka"]
up = sum(m["state"] == "running" for m in st["members"] if m["kind"] == "zookeeper")
quorum = ", quorum" if zk["quorum"] else ""
print(f"zookeeper {up}/{zk['desired']} running{quorum}, "
      f"kafka {kafka['registered']}/{kafka['desired']} registered")
PY
)
        [ "$line" != "$last" ] && echo "demo: $line" && last=$line
        case $line in *"kafka 3/3 registered"*) break ;; esac
    fi
    sleep 1
done
case $last in *"kafka 3/3 registered"*) ;; *)
    echo "demo: the cluster did not come up in 10 minutes; see $demo_dir/mesos-kafka.log"; exit 1 ;;
esac

bootstrap=$(api_get /v0/status |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["kafka"]["bootstrap"])')
task=$(api_get /v0/status |
    python3 -c 'import json,sys; print([m["task_id"] for m in json.load(sys.stdin)["members"] if m["name"] == "kafka-0"][0])')
cat <<MSG

demo: ZooKeeper and Kafka are running on the simulated agents.
demo: bootstrap servers  $bootstrap
demo: status page        $api/   (user admin, password $api_secret)
demo: try
  echo hello | kcat -b $bootstrap -P -t demo && kcat -b $bootstrap -C -t demo -e
  curl -u $auth $api/v0/status
  curl -u $auth $api/v0/container/$task
  curl -u $auth -X POST $api/v0/kafka/scale/4
  curl -u $auth -X POST $api/v0/task/kill/$task
  curl -u $auth -X POST $api/v0/kafka/reflate
  curl -u $auth -X POST $api/v0/kafka/scale/3
demo: or with the CLI (in another shell):
  export MESOS_KAFKA_API=$api AUTH_USERNAME=admin AUTH_PASSWORD=$api_secret
  $PWD/build/mesos-kafka status
  $PWD/build/mesos-kafka topic create orders --partitions 3 --replication 3 --config min.insync.replicas=2
  $PWD/build/mesos-kafka topic producer-test orders 10000
  $PWD/build/mesos-kafka topic describe orders
  $PWD/build/mesos-kafka broker restart --all
  $PWD/build/mesos-kafka help
demo: logs under $demo_dir (mesos-kafka.log, mesos-sim.log, agents/*/.../stdout)
demo: Ctrl-C stops everything.
MSG
wait "${pids[1]}"
