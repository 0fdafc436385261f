#!/usr/bin/env bash
# Installs the real servers that the integration tests and the demo run, and records where they are.
#
#   ZooKeeper  Debian's zookeeper package (its jars are in /usr/share/java)
#   Kafka      Apache Kafka, the version pinned in scripts/servers-pom.xml, as jars resolved from
#              Maven Central into ${MK_CACHE_DIR:-$HOME/.cache/mesos-kafka}/kafka-<version>/libs
#   kcat, Maven, and a Java runtime when the machine has none
#
# Then writes $MK_CACHE_DIR/servers.env (JAVA, KAFKA_HOME, ZOOKEEPER_CLASSPATH, ...): the one file
# that the container entrypoints (MK_SERVERS_ENV=<it>) and the tests read to find the servers.
# A second run only checks and returns. A failed download leaves nothing half-installed: the jars
# are resolved into a temporary directory that is renamed into place only when complete.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pom="$here/servers-pom.xml"
cache="${MK_CACHE_DIR:-$HOME/.cache/mesos-kafka}"

say() { echo "install-servers: $*"; }
die() {
    echo "install-servers: error: $*" >&2
    exit 1
}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages -------------------------------------------------------------------------
packages=(zookeeper kcat maven)
command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq || die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" || die "apt-get could not install ${missing[*]}"
fi

java_bin=$(command -v java) || die "no java on PATH after installing default-jre-headless"
java_bin=$(readlink -f "$java_bin")
kcat_bin=$(command -v kcat) || die "no kcat on PATH after installing the kcat package"
command -v mvn >/dev/null 2>&1 || die "no mvn on PATH after installing the maven package"

# --- ZooKeeper (Debian) --------------------------------------------------------------------------
# zookeeper.jar's manifest Class-Path names its dependencies in /usr/share/java; slf4j-simple (from
# libslf4j-java, a dependency of the package) is the logging binding: the entrypoint points it at stdout.
zk_jar=/usr/share/java/zookeeper.jar
zk_binding=/usr/share/java/slf4j-simple.jar
for f in "$zk_jar" "$zk_binding"; do
    [ -f "$f" ] || die "$f is missing although the zookeeper package is installed"
done
zk_version=$(dpkg-query -W -f='${Version}' zookeeper)
zk_version=${zk_version#*:}
zk_version=${zk_version%%-*}
zk_classpath="$zk_jar:$zk_binding"

# --- Kafka (Maven Central) -----------------------------------------------------------------------
kafka_version=$(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$pom")
[ -n "$kafka_version" ] || die "no <kafka.version> in $pom"
kafka_home="$cache/kafka-$kafka_version"
kafka_jar="$kafka_home/libs/kafka_2.13-$kafka_version.jar"
pom_sum=$(sha256sum "$pom" | cut -d' ' -f1)
want_marker="kafka $kafka_version pom-sha256 $pom_sum"

mkdir -p "$cache"
# One install at a time per cache (two shells running make deps at once).
exec 9>"$cache/.install.lock"
flock 9

rm -rf "$cache"/.kafka-*.* # what an interrupted run left
fresh_kafka=0
if [ -f "$kafka_home/.installed" ] && [ "$(cat "$kafka_home/.installed")" = "$want_marker" ] &&
    [ -f "$kafka_jar" ]; then
    say "Apache Kafka $kafka_version already installed in $kafka_home"
else
    tmp=$(mktemp -d "$cache/.kafka-$kafka_version.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    chmod 755 "$tmp"
    log="$cache/kafka-$kafka_version-install.log"
    say "resolving Apache Kafka $kafka_version and its runtime dependencies from Maven Central" \
        "(log: $log)"
    if ! mvn -B -ntp -f "$pom" -Dmaven.repo.local="$cache/m2" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" \
        >"$log" 2>&1; then
        grep -E '^\[ERROR\] .{8,}' "$log" | grep -v -E '^\[ERROR\] (Re-run|To see|For more|\[Help)' |
            head -n 5 >&2 || true
        die "could not resolve Apache Kafka $kafka_version from Maven Central (full log: $log);" \
            "nothing was installed"
    fi
    [ -f "$tmp/libs/kafka_2.13-$kafka_version.jar" ] ||
        die "Maven finished but kafka_2.13-$kafka_version.jar is not among the resolved jars (see $log)"
    echo "$kafka_version" >"$tmp/VERSION"
    echo "$want_marker" >"$tmp/.installed"
    rm -rf "$kafka_home"
    mv -T "$tmp" "$kafka_home"
    trap - EXIT
    fresh_kafka=1
    say "installed Apache Kafka $kafka_version ($(find "$kafka_home/libs" -name '*.jar' | wc -l) jars," \
        "$(du -sh "$kafka_home" | cut -f1)) in $kafka_home"
fi

# --- servers.env ---------------------------------------------------------------------------------
env_file="$cache/servers.env"
q() { printf "'%s'" "$1"; }
content=$(
    cat <<EOF
# Written by scripts/install-servers.sh: where the real servers are on this machine.
# The container entrypoints read it when MK_SERVERS_ENV points at it; the integration tests read it.
JAVA=$(q "$java_bin")
KAFKA_VERSION=$(q "$kafka_version")
KAFKA_HOME=$(q "$kafka_home")
ZOOKEEPER_VERSION=$(q "$zk_version")
ZOOKEEPER_CLASSPATH=$(q "$zk_classpath")
ZOOKEEPER_CLI=$(q /usr/share/zookeeper/bin/zkCli.sh)
KCAT=$(q "$kcat_bin")
# JVM flags for small test machines, used when a task does not set its own.
MK_JVM_PERFORMANCE_OPTS=$(q "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto")
EOF
)
if [ -f "$env_file" ] && [ "$(cat "$env_file")" = "$content" ] && [ "$fresh_kafka" -eq 0 ]; then
    say "servers.env unchanged: $env_file"
else
    # Check that both servers' classes load before recording them.
    "$java_bin" -cp "$zk_classpath" org.apache.zookeeper.Version >/dev/null 2>&1 ||
        die "ZooKeeper does not start from $zk_classpath ($java_bin -cp ... org.apache.zookeeper.Version failed)"
    got=$("$java_bin" -cp "$kafka_home/libs/*" kafka.Kafka --version 2>/dev/null | head -n 1) || true
    case "$got" in
        "$kafka_version"*) ;;
        *) die "Kafka in $kafka_home does not start (kafka.Kafka --version printed '$got')" ;;
    esac
    printf '%s\n' "$content" >"$env_file.tmp"
    mv "$env_file.tmp" "$env_file"
    say "wrote $env_file"
fi

say "ZooKeeper $zk_version (Debian): classpath $zk_classpath"
say "Apache Kafka $kafka_version: $kafka_home/libs"
say "kcat: $kcat_bin, java: $java_bin"
say "done: export MK_SERVERS_ENV=$env_file"
