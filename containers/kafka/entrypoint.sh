#!/usr/bin/env bash
# Kafka broker entrypoint of mesos-kafka (ZooKeeper mode). containers/README.md lists every variable
# it reads.
#
# Every KAFKA_* variable becomes a server.properties key as in the Confluent and Apache images:
# the prefix goes, the rest is lower-cased, '___' becomes '_', '__' becomes '-', '_' becomes '.'
# (KAFKA_ZOOKEEPER_CONNECT -> zookeeper.connect), except the variables about the JVM and this
# launcher (KAFKA_HEAP_OPTS, KAFKA_OPTS, KAFKA_HOME, ...). Then it execs the JVM in the foreground
# (signals reach the broker; SIGTERM shuts it down cleanly) with its log on stdout.
# It runs the same inside the image and outside one: with MK_SERVERS_ENV=<servers.env written by
# scripts/install-servers.sh> it uses the Kafka installed on the machine, and it writes only into
# the directories the environment names (KAFKA_CONF_DIR, KAFKA_LOG_DIRS, or MESOS_SANDBOX).
#
#   entrypoint.sh              write the configuration and run the broker
#   entrypoint.sh --dry-run    write the configuration, print it and the java command, exit 0
#   entrypoint.sh CMD [ARG..]  write the configuration, then exec CMD
#
# A missing or invalid variable stops it before anything is written, with exit status 78 (EX_CONFIG).
set -euo pipefail

me=kafka-entrypoint
say() { echo "$me: $*"; }
die() {
    echo "$me: error: $*" >&2
    exit 78
}

if [ -n "${MK_SERVERS_ENV:-}" ]; then
    if ! [ -f "$MK_SERVERS_ENV" ] || ! [ -r "$MK_SERVERS_ENV" ]; then
        die "MK_SERVERS_ENV=$MK_SERVERS_ENV is not a readable file (scripts/install-servers.sh writes it)"
    fi
    # shellcheck source=/dev/null
    . "$MK_SERVERS_ENV"
fi

# Variables about the JVM and this launcher, never server properties.
not_properties=" KAFKA_HOME KAFKA_VERSION KAFKA_CONF_DIR KAFKA_HEAP_OPTS KAFKA_OPTS
 KAFKA_JVM_PERFORMANCE_OPTS KAFKA_GC_LOG_OPTS KAFKA_JMX_OPTS KAFKA_LOG4J_OPTS KAFKA_DEBUG
 KAFKA_LOG4J_ROOT_LOGLEVEL KAFKA_LOG4J_LOGGERS KAFKA_TOOLS_LOG4J_LOGLEVEL "
not_properties=${not_properties//$'\n'/ }

# --- checks that need no file --------------------------------------------------------------------
if [ -n "${KAFKA_PROCESS_ROLES:-}" ] || [ -n "${KAFKA_CONTROLLER_QUORUM_VOTERS:-}" ] ||
    [ -n "${KAFKA_NODE_ID:-}" ]; then
    die "KAFKA_PROCESS_ROLES, KAFKA_CONTROLLER_QUORUM_VOTERS and KAFKA_NODE_ID are for KRaft mode; this broker runs in ZooKeeper mode only (set KAFKA_BROKER_ID and KAFKA_ZOOKEEPER_CONNECT)"
fi
for old in KAFKA_PORT KAFKA_HOST_NAME KAFKA_ADVERTISED_PORT KAFKA_ADVERTISED_HOST_NAME; do
    [ -z "${!old:-}" ] || die "$old is a setting Kafka no longer has: use KAFKA_LISTENERS and KAFKA_ADVERTISED_LISTENERS"
done

[ -n "${KAFKA_ZOOKEEPER_CONNECT:-}" ] ||
    die "KAFKA_ZOOKEEPER_CONNECT is required (host:port[,host:port...][/chroot])"
zk_re='^[A-Za-z0-9._-]+:[0-9]{1,5}(,[A-Za-z0-9._-]+:[0-9]{1,5})*(/[A-Za-z0-9._/-]*[A-Za-z0-9._-])?$'
[[ $KAFKA_ZOOKEEPER_CONNECT =~ $zk_re ]] ||
    die "KAFKA_ZOOKEEPER_CONNECT must be host:port[,host:port...][/chroot], not '$KAFKA_ZOOKEEPER_CONNECT'"

[ -n "${KAFKA_BROKER_ID:-}" ] || die "KAFKA_BROKER_ID is required (an integer from 0 to 999999999)"
[[ $KAFKA_BROKER_ID =~ ^[0-9]{1,9}$ ]] ||
    die "KAFKA_BROKER_ID must be an integer from 0 to 999999999, not '$KAFKA_BROKER_ID'"
KAFKA_BROKER_ID=$((10#$KAFKA_BROKER_ID))

# Outside an image (mesos-sim), "all addresses" means the container's own loopback address, and
# the names of other agents and containers come from a hosts file (containers/README.md).
bind_all=${MK_BIND_ADDRESS:-}
[ -z "$bind_all" ] || [[ $bind_all =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] ||
    die "MK_BIND_ADDRESS must be an IPv4 address, not '$bind_all'"
hosts_file=${MK_HOSTS_FILE:-}
[ -z "$hosts_file" ] || [ -r "$hosts_file" ] || die "MK_HOSTS_FILE=$hosts_file is not a readable file"

listener_re='^[A-Za-z][A-Za-z0-9_]*://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]*):[0-9]{1,5}$'
check_listeners() {
    local name=$1 l
    local -a list
    [[ ${!name} != *[[:space:]]* ]] || die "$name must not contain spaces, not '${!name}'"
    IFS=, read -r -a list <<<"${!name}"
    [ "${#list[@]}" -gt 0 ] || die "$name is empty"
    for l in "${list[@]}"; do
        [[ $l =~ $listener_re ]] || die "$name must be NAME://host:port[,NAME://host:port...], not '${!name}'"
    done
}
[ -n "${KAFKA_ADVERTISED_LISTENERS:-}" ] ||
    die "KAFKA_ADVERTISED_LISTENERS is required (for example PLAINTEXT://broker-host:9092)"
check_listeners KAFKA_ADVERTISED_LISTENERS
if [ -z "${KAFKA_LISTENERS:-}" ]; then
    # As the Apache image does: listen on every address at the advertised ports.
    IFS=, read -r -a advertised <<<"$KAFKA_ADVERTISED_LISTENERS"
    derived=()
    for l in "${advertised[@]}"; do derived+=("${l%%://*}://0.0.0.0:${l##*:}"); done
    KAFKA_LISTENERS=$(
        IFS=,
        echo "${derived[*]}"
    )
    export KAFKA_LISTENERS
fi
check_listeners KAFKA_LISTENERS
if [ -n "$bind_all" ]; then
    IFS=, read -r -a given <<<"$KAFKA_LISTENERS"
    bound=()
    for l in "${given[@]}"; do
        name=${l%%://*} rest=${l#*://}
        host=${rest%:*} port=${rest##*:}
        if [ -z "$host" ] || [ "$host" = 0.0.0.0 ]; then host=$bind_all; fi
        bound+=("$name://$host:$port")
    done
    KAFKA_LISTENERS=$(
        IFS=,
        echo "${bound[*]}"
    )
    export KAFKA_LISTENERS
fi

sandbox=${MESOS_SANDBOX:-}
if [ -z "${KAFKA_LOG_DIRS:-}" ]; then
    [ -n "$sandbox" ] || die "KAFKA_LOG_DIRS is required when MESOS_SANDBOX is not set"
    export KAFKA_LOG_DIRS="$sandbox/data"
fi
# Relative log directories are inside the sandbox, as a Mesos volume's relative container path is.
if [[ $KAFKA_LOG_DIRS != /* || $KAFKA_LOG_DIRS == *,[!/]* ]]; then
    [ -n "$sandbox" ] || die "KAFKA_LOG_DIRS: a relative directory needs MESOS_SANDBOX"
    IFS=, read -r -a log_dirs <<<"$KAFKA_LOG_DIRS"
    for i in "${!log_dirs[@]}"; do
        [[ ${log_dirs[$i]} == /* ]] || log_dirs[i]=$sandbox/${log_dirs[$i]}
    done
    KAFKA_LOG_DIRS=$(
        IFS=,
        echo "${log_dirs[*]}"
    )
    export KAFKA_LOG_DIRS
fi
KAFKA_CONF_DIR=${KAFKA_CONF_DIR:-${sandbox:+$sandbox/conf}}
[ -n "$KAFKA_CONF_DIR" ] || die "KAFKA_CONF_DIR is required when MESOS_SANDBOX is not set"

if [ -n "${KAFKA_HEAP_OPTS:-}" ]; then
    heap=$KAFKA_HEAP_OPTS
else
    heap_mb=${HEAP_MB:-512}
    if ! [[ $heap_mb =~ ^[0-9]{1,7}$ ]] || ((10#$heap_mb < 64)); then
        die "HEAP_MB must be a heap size in MiB (at least 64), not '$heap_mb'"
    fi
    heap="-Xmx${heap_mb}m -Xms${heap_mb}m"
fi

root_level=${KAFKA_LOG4J_ROOT_LOGLEVEL:-INFO}
root_level=${root_level^^}
level_re='^(TRACE|DEBUG|INFO|WARN|ERROR|FATAL|OFF)$'
[[ $root_level =~ $level_re ]] ||
    die "KAFKA_LOG4J_ROOT_LOGLEVEL must be one of TRACE DEBUG INFO WARN ERROR, not '$root_level'"
loggers=()
IFS=, read -r -a pairs <<<"${KAFKA_LOG4J_LOGGERS:-}"
for pair in "${pairs[@]}"; do
    pair=${pair// /}
    [ -n "$pair" ] || continue
    if ! [[ $pair =~ ^([A-Za-z0-9_.$]+)=([A-Za-z]+)$ ]]; then
        die "KAFKA_LOG4J_LOGGERS must be logger=LEVEL[,logger=LEVEL...], not '$KAFKA_LOG4J_LOGGERS'"
    fi
    logger=${BASH_REMATCH[1]} level=${BASH_REMATCH[2]^^}
    [[ $level =~ $level_re ]] || die "KAFKA_LOG4J_LOGGERS: '$level' is not a log level"
    loggers+=("log4j.logger.$logger=$level")
done

java=${JAVA:-}
if [ -z "$java" ] && [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java; fi
[ -n "$java" ] || java=$(command -v java) || die "no java: set JAVA or JAVA_HOME (or MK_SERVERS_ENV)"
[ -x "$java" ] || die "JAVA=$java is not an executable"
[ -n "${KAFKA_HOME:-}" ] || die "KAFKA_HOME is required (or MK_SERVERS_ENV)"
[ -d "$KAFKA_HOME/libs" ] || die "KAFKA_HOME=$KAFKA_HOME has no libs directory"

# --- server.properties ---------------------------------------------------------------------------
# key=value with what java.util.Properties would read otherwise escaped.
escape() {
    local v=$1
    v=${v//\\/\\\\}
    v=${v//$'\n'/\\n}
    v=${v//$'\r'/\\r}
    [[ $v != [[:space:]]* ]] || v="\\$v"
    printf '%s' "$v"
}
lines=("# ZooKeeper mode. Written by the mesos-kafka kafka entrypoint from its environment at every start.")
while IFS= read -r var; do
    [[ $var == KAFKA_* ]] || continue
    [[ $not_properties != *" $var "* ]] || continue
    key=${var#KAFKA_}
    key=${key,,}
    key=${key//___/@}
    key=${key//__/-}
    key=${key//_/.}
    key=${key//@/_}
    lines+=("$key=$(escape "${!var}")")
done < <(compgen -e | LC_ALL=C sort)

IFS=, read -r -a log_dirs <<<"$KAFKA_LOG_DIRS"
mkdir -p "$KAFKA_CONF_DIR" "${log_dirs[@]}" || die "cannot create $KAFKA_CONF_DIR or $KAFKA_LOG_DIRS"
props="$KAFKA_CONF_DIR/server.properties"
printf '%s\n' "${lines[@]}" >"$props.tmp"
mv "$props.tmp" "$props"

log4j="$KAFKA_CONF_DIR/log4j.properties"
{
    echo "log4j.rootLogger=$root_level, stdout"
    echo "log4j.appender.stdout=org.apache.log4j.ConsoleAppender"
    echo "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout"
    echo "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n"
    echo "log4j.logger.kafka.request.logger=WARN"
    echo "log4j.logger.kafka.authorizer.logger=WARN"
    echo "log4j.logger.kafka.network.RequestChannel\$=WARN"
    for l in "${loggers[@]}"; do echo "$l"; done
} >"$log4j.tmp"
mv "$log4j.tmp" "$log4j"

# --- the JVM -------------------------------------------------------------------------------------
default_perf="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15"
read -r -d '' -a heap_opts <<<"$heap" || true
read -r -d '' -a perf_opts <<<"${KAFKA_JVM_PERFORMANCE_OPTS:-${MK_JVM_PERFORMANCE_OPTS:-$default_perf}}" || true
read -r -d '' -a gc_log_opts <<<"${KAFKA_GC_LOG_OPTS:-}" || true
read -r -d '' -a jmx_opts <<<"${KAFKA_JMX_OPTS:-}" || true
read -r -d '' -a log4j_opts <<<"${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$log4j}" || true
read -r -d '' -a extra_opts <<<"${KAFKA_OPTS:-}" || true
# The hosts file stands for the network's DNS (weaveDNS answers with a TTL of 1 s): a restarted
# broker's new address must be seen within seconds, not after the JVM's 30 s cache.
[ -z "$hosts_file" ] || extra_opts+=("-Djdk.net.hosts.file=$hosts_file" -Dsun.net.inetaddr.ttl=1
    -Dsun.net.inetaddr.negative.ttl=1)
cmd=("$java" "${heap_opts[@]}" "${perf_opts[@]}" -Djava.awt.headless=true "${gc_log_opts[@]}"
    "${jmx_opts[@]}" "${log4j_opts[@]}" "${extra_opts[@]}" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$props")

say "broker $KAFKA_BROKER_ID, ZooKeeper $KAFKA_ZOOKEEPER_CONNECT, listeners $KAFKA_LISTENERS," \
    "advertised $KAFKA_ADVERTISED_LISTENERS, data in $KAFKA_LOG_DIRS, config $props"
if [ "${1:-}" = "--dry-run" ]; then
    # Values of keys that may hold secrets are not printed.
    sed -E 's/^([^#=]*(password|secret|jaas|credential)[^=]*)=.*/\1=[hidden]/' "$props"
    printf '%q ' "${cmd[@]}"
    echo
    exit 0
fi
if [ $# -gt 0 ]; then
    exec "$@"
fi
exec "${cmd[@]}"
