#!/usr/bin/env bash
# ZooKeeper server entrypoint of mesos-kafka. containers/README.md lists every variable it reads.
#
# Turns ZOO_* variables into zoo.cfg and myid as the official zookeeper image does, then execs the
# JVM in the foreground (signals reach the server; SIGTERM stops it) with its log on stdout.
# It runs the same inside the image and outside one: with MK_SERVERS_ENV=<servers.env written by
# scripts/install-servers.sh> it uses the servers installed on the machine, and it writes only into
# the directories the environment names (ZOO_CONF_DIR, ZOO_DATA_DIR, or MESOS_SANDBOX).
#
#   entrypoint.sh              write the configuration and run the server
#   entrypoint.sh --dry-run    write the configuration, print it and the java command, exit 0
#   entrypoint.sh CMD [ARG..]  write the configuration, then exec CMD (as the official image does)
#
# A missing or invalid variable stops it before anything is written, with exit status 78 (EX_CONFIG).
set -euo pipefail

me=zookeeper-entrypoint
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

# --- validation helpers --------------------------------------------------------------------------
# int_var NAME MIN MAX [DEFAULT]: the variable must be a decimal integer in [MIN, MAX].
int_var() {
    local name=$1 min=$2 max=$3 value
    if [ $# -ge 4 ]; then
        value=${!name:-$4}
    else
        value=${!name:-}
        [ -n "$value" ] || die "$name is required (an integer from $min to $max)"
    fi
    if ! [[ $value =~ ^[0-9]{1,9}$ ]] || ((10#$value < min || 10#$value > max)); then
        die "$name must be an integer from $min to $max, not '$value'"
    fi
    printf -v "$name" '%d' "$((10#$value))"
}
bool_var() {
    local name=$1 value=${!1:-$2}
    case "${value,,}" in
        true | yes | 1) printf -v "$name" true ;;
        false | no | 0) printf -v "$name" false ;;
        *) die "$name must be true or false, not '$value'" ;;
    esac
}
# A host name or IPv4 address (no spaces, colons or separators of the config syntax).
host_re='^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$'

# --- where things are ----------------------------------------------------------------------------
sandbox=${MESOS_SANDBOX:-}
ZOO_DATA_DIR=${ZOO_DATA_DIR:-${sandbox:+$sandbox/data}}
[ -n "$ZOO_DATA_DIR" ] || die "ZOO_DATA_DIR is required when MESOS_SANDBOX is not set"
ZOO_CONF_DIR=${ZOO_CONF_DIR:-${sandbox:+$sandbox/conf}}
[ -n "$ZOO_CONF_DIR" ] || die "ZOO_CONF_DIR is required when MESOS_SANDBOX is not set"
ZOO_DATA_LOG_DIR=${ZOO_DATA_LOG_DIR:-}
# A relative directory is inside the sandbox, as a Mesos volume's relative container path is.
in_sandbox() {
    case $1 in
        "" | /*) printf '%s' "$1" ;;
        *)
            [ -n "$sandbox" ] || die "a relative directory ('$1') needs MESOS_SANDBOX"
            printf '%s/%s' "$sandbox" "$1"
            ;;
    esac
}
ZOO_DATA_DIR=$(in_sandbox "$ZOO_DATA_DIR")
ZOO_DATA_LOG_DIR=$(in_sandbox "$ZOO_DATA_LOG_DIR")

java=${JAVA:-}
if [ -z "$java" ] && [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java; fi
[ -n "$java" ] || java=$(command -v java) ||
    die "no java: set JAVA or JAVA_HOME (or MK_SERVERS_ENV)"
[ -x "$java" ] || die "JAVA=$java is not an executable"

if [ -n "${ZOOKEEPER_CLASSPATH:-}" ]; then
    classpath=$ZOOKEEPER_CLASSPATH
elif [ -n "${ZOOKEEPER_HOME:-}" ]; then
    [ -d "$ZOOKEEPER_HOME/lib" ] || die "ZOOKEEPER_HOME=$ZOOKEEPER_HOME has no lib directory"
    classpath="$ZOOKEEPER_HOME/lib/*"
else
    die "ZOOKEEPER_CLASSPATH or ZOOKEEPER_HOME is required (or MK_SERVERS_ENV)"
fi

# Outside an image (mesos-sim), "all addresses" means the container's own loopback address, and
# the names of other agents and containers come from a hosts file (containers/README.md).
bind_all=${MK_BIND_ADDRESS:-}
[ -z "$bind_all" ] || [[ $bind_all =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] ||
    die "MK_BIND_ADDRESS must be an IPv4 address, not '$bind_all'"
hosts_file=${MK_HOSTS_FILE:-}
[ -z "$hosts_file" ] || [ -r "$hosts_file" ] || die "MK_HOSTS_FILE=$hosts_file is not a readable file"

# --- settings ------------------------------------------------------------------------------------
int_var ZOO_TICK_TIME 1 3600000 2000
int_var ZOO_INIT_LIMIT 1 100000 5
int_var ZOO_SYNC_LIMIT 1 100000 2
int_var ZOO_MAX_CLIENT_CNXNS 0 1000000 60
int_var ZOO_AUTOPURGE_SNAPRETAINCOUNT 3 1000000 3
int_var ZOO_AUTOPURGE_PURGEINTERVAL 0 100000 24
bool_var ZOO_STANDALONE_ENABLED true
bool_var ZOO_ADMINSERVER_ENABLED false
int_var ZOO_ADMINSERVER_PORT 1 65535 8080
[ -z "${ZOO_CLIENT_PORT:-}" ] || int_var ZOO_CLIENT_PORT 1 65535
ZOO_BIND_ADDRESS=${ZOO_BIND_ADDRESS:-}
[ -z "$ZOO_BIND_ADDRESS" ] || [[ $ZOO_BIND_ADDRESS =~ $host_re ]] ||
    die "ZOO_BIND_ADDRESS must be a host name or address, not '$ZOO_BIND_ADDRESS'"
ZOO_LOG_LEVEL=${ZOO_LOG_LEVEL:-INFO}
ZOO_LOG_LEVEL=${ZOO_LOG_LEVEL^^}
case "$ZOO_LOG_LEVEL" in
    TRACE | DEBUG | INFO | WARN | ERROR) ;;
    *) die "ZOO_LOG_LEVEL must be one of TRACE DEBUG INFO WARN ERROR, not '$ZOO_LOG_LEVEL'" ;;
esac

# Health checks, the scheduler's ensemble check (srvr: the mode; conf: the members) and the tests
# use these four-letter words: they are always allowed.
whitelist=${ZOO_4LW_COMMANDS_WHITELIST:-srvr,ruok,mntr,stat,conf}
whitelist=${whitelist// /}
if [ "$whitelist" != "*" ]; then
    for w in srvr ruok mntr stat conf; do
        [[ ,$whitelist, == *,"$w",* ]] || whitelist="$whitelist,$w"
    done
fi
[[ $whitelist =~ ^(\*|[a-z]{4}(,[a-z]{4})*)$ ]] ||
    die "ZOO_4LW_COMMANDS_WHITELIST must be '*' or four-letter words separated by commas, not '$whitelist'"

# ZOO_SERVERS: "server.1=host:2888:3888;2181 server.2=..." (official image). This server's own entry
# loses its client part: its client port and address go to clientPort/clientPortAddress instead, so
# ZOO_CLIENT_PORT and ZOO_BIND_ADDRESS can say where it listens (ZooKeeper refuses a config whose
# static and dynamic client addresses differ).
server_re='^server\.([0-9]{1,3})=([^:;=[:space:]]+):([0-9]{1,5}):([0-9]{1,5})(:(participant|observer))?(;(([^:;[:space:]]+):)?([0-9]{1,5}))?$'
servers=()
own_client_port=""
own_client_addr=""
# Entries are separated by spaces or newlines (a multi-line value in a compose file).
read -r -d '' -a entries <<<"${ZOO_SERVERS:-}" || true
if [ "${#entries[@]}" -gt 0 ]; then
    int_var ZOO_MY_ID 1 255
    declare -A seen=()
    found=0
    for entry in "${entries[@]}"; do
        [[ $entry =~ $server_re ]] ||
            die "ZOO_SERVERS entry '$entry' is not of the form server.<id>=<host>:<quorum port>:<election port>[:participant|:observer][;[<client address>:]<client port>]"
        id=$((10#${BASH_REMATCH[1]}))
        host=${BASH_REMATCH[2]} quorum_port=${BASH_REMATCH[3]} election_port=${BASH_REMATCH[4]}
        role=${BASH_REMATCH[5]} client_addr=${BASH_REMATCH[9]} client_port=${BASH_REMATCH[10]}
        ((id >= 1 && id <= 255)) || die "ZOO_SERVERS entry '$entry': the server id must be from 1 to 255"
        [ -z "${seen[$id]:-}" ] || die "ZOO_SERVERS names server.$id twice"
        seen[$id]=1
        [[ $host =~ $host_re ]] || die "ZOO_SERVERS entry '$entry': '$host' is not a host name or address"
        for p in "$quorum_port" "$election_port" $client_port; do
            ((10#$p >= 1 && 10#$p <= 65535)) || die "ZOO_SERVERS entry '$entry': port $p is out of range"
        done
        if [ "$id" -eq "$ZOO_MY_ID" ]; then
            found=1
            own_client_port=$client_port
            own_client_addr=$client_addr
            if [ -n "$bind_all" ] && [ "$host" = 0.0.0.0 ]; then host=$bind_all; fi
            servers+=("server.$id=$host:$quorum_port:$election_port$role")
        else
            servers+=("$entry")
        fi
    done
    [ "$found" -eq 1 ] || die "ZOO_SERVERS has no entry for this server: ZOO_MY_ID=$ZOO_MY_ID (server.$ZOO_MY_ID=...)"
else
    int_var ZOO_MY_ID 1 255 1
fi
client_port=${ZOO_CLIENT_PORT:-${own_client_port:-2181}}
client_addr=${ZOO_BIND_ADDRESS:-$own_client_addr}
if [ -n "$bind_all" ] && { [ -z "$client_addr" ] || [ "$client_addr" = 0.0.0.0 ]; }; then
    client_addr=$bind_all
fi
if [ -n "$client_addr" ] && [ "$client_addr" != "0.0.0.0" ] && ! [[ $client_addr =~ $host_re ]]; then
    die "the client address '$client_addr' in ZOO_SERVERS is not a host name or address"
fi

heap_var=HEAP_MB
[ -z "${ZK_SERVER_HEAP:-}" ] || heap_var=ZK_SERVER_HEAP
heap_mb=${!heap_var:-256}
if ! [[ $heap_mb =~ ^[0-9]{1,7}$ ]] || ((10#$heap_mb < 16)); then
    die "$heap_var must be a heap size in MiB (at least 16), not '$heap_mb'"
fi

# ZOO_CFG_EXTRA: more key=value settings separated by spaces (official image).
read -r -d '' -a extra <<<"${ZOO_CFG_EXTRA:-}" || true
for e in "${extra[@]}"; do
    [[ $e =~ ^[A-Za-z0-9._]+=[^[:space:]]*$ ]] || die "ZOO_CFG_EXTRA entry '$e' is not key=value"
done

# --- write the configuration ---------------------------------------------------------------------
mkdir -p "$ZOO_CONF_DIR" "$ZOO_DATA_DIR" || die "cannot create $ZOO_CONF_DIR or $ZOO_DATA_DIR"
[ -z "$ZOO_DATA_LOG_DIR" ] || mkdir -p "$ZOO_DATA_LOG_DIR" || die "cannot create $ZOO_DATA_LOG_DIR"

# myid: a data directory that belongs to another server is never reused under a new id.
if [ -f "$ZOO_DATA_DIR/myid" ]; then
    old_id=$(tr -d '[:space:]' <"$ZOO_DATA_DIR/myid")
    [ "$old_id" = "$ZOO_MY_ID" ] ||
        die "$ZOO_DATA_DIR/myid says server $old_id but ZOO_MY_ID=$ZOO_MY_ID: this data directory belongs to another server"
else
    echo "$ZOO_MY_ID" >"$ZOO_DATA_DIR/myid"
fi

cfg="$ZOO_CONF_DIR/zoo.cfg"
{
    echo "# Written by the mesos-kafka zookeeper entrypoint from its environment at every start."
    echo "dataDir=$ZOO_DATA_DIR"
    [ -z "$ZOO_DATA_LOG_DIR" ] || echo "dataLogDir=$ZOO_DATA_LOG_DIR"
    echo "tickTime=$ZOO_TICK_TIME"
    echo "initLimit=$ZOO_INIT_LIMIT"
    echo "syncLimit=$ZOO_SYNC_LIMIT"
    echo "maxClientCnxns=$ZOO_MAX_CLIENT_CNXNS"
    echo "autopurge.snapRetainCount=$ZOO_AUTOPURGE_SNAPRETAINCOUNT"
    echo "autopurge.purgeInterval=$ZOO_AUTOPURGE_PURGEINTERVAL"
    echo "standaloneEnabled=$ZOO_STANDALONE_ENABLED"
    echo "reconfigEnabled=false"
    echo "admin.enableServer=$ZOO_ADMINSERVER_ENABLED"
    if [ "$ZOO_ADMINSERVER_ENABLED" = true ]; then
        echo "admin.serverPort=$ZOO_ADMINSERVER_PORT"
        [ -z "$ZOO_BIND_ADDRESS" ] || echo "admin.serverAddress=$ZOO_BIND_ADDRESS"
    fi
    echo "4lw.commands.whitelist=$whitelist"
    echo "clientPort=$client_port"
    [ -z "$client_addr" ] || echo "clientPortAddress=$client_addr"
    for s in "${servers[@]}"; do echo "$s"; done
    for e in "${extra[@]}"; do echo "$e"; done
} >"$cfg.tmp"
mv "$cfg.tmp" "$cfg"

# Logs go to stdout whichever SLF4J binding the classpath brings: slf4j-simple (Debian), logback
# (the release tarball) or log4j 1.x/reload4j.
cat >"$ZOO_CONF_DIR/logback.xml" <<EOF
<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n</pattern></encoder>
  </appender>
  <root level="$ZOO_LOG_LEVEL"><appender-ref ref="CONSOLE"/></root>
</configuration>
EOF
cat >"$ZOO_CONF_DIR/log4j.properties" <<EOF
log4j.rootLogger=$ZOO_LOG_LEVEL, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n
EOF

# --- the JVM -------------------------------------------------------------------------------------
jvm=("-Xmx${heap_mb}m" "-Xms${heap_mb}m")
read -r -d '' -a perf <<<"${MK_JVM_PERFORMANCE_OPTS:-}" || true
read -r -d '' -a server_flags <<<"${SERVER_JVMFLAGS:-}" || true
read -r -d '' -a flags <<<"${JVMFLAGS:-}" || true
jvm+=("${perf[@]}"
    "-Dlogback.configurationFile=$ZOO_CONF_DIR/logback.xml"
    "-Dlog4j.configuration=file:$ZOO_CONF_DIR/log4j.properties"
    -Dorg.slf4j.simpleLogger.logFile=System.out
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=${ZOO_LOG_LEVEL,,}"
    -Dorg.slf4j.simpleLogger.showDateTime=true
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss,SSS"
    "${server_flags[@]}" "${flags[@]}")
# The hosts file stands for the network's DNS (weaveDNS answers with a TTL of 1 s): a restarted
# peer's new address must be seen within seconds, not after the JVM's 30 s cache.
[ -z "$hosts_file" ] || jvm+=("-Djdk.net.hosts.file=$hosts_file" -Dsun.net.inetaddr.ttl=1
    -Dsun.net.inetaddr.negative.ttl=1)
cmd=("$java" "${jvm[@]}" -cp "$classpath" org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg")

mode="standalone"
[ "${#servers[@]}" -eq 0 ] || mode="server $ZOO_MY_ID of an ensemble of ${#servers[@]}"
say "$mode, clients on ${client_addr:-*}:$client_port, data in $ZOO_DATA_DIR, config $cfg"
if [ "${1:-}" = "--dry-run" ]; then
    cat "$cfg"
    printf '%q ' "${cmd[@]}"
    echo
    exit 0
fi
if [ $# -gt 0 ]; then
    exec "$@"
fi
exec "${cmd[@]}"
