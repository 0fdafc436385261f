"""The container entrypoints against the real servers, without Mesos: a three-member ZooKeeper
ensemble, a Kafka broker registered in it under a chroot, 1,000 messages through kcat, clean SIGTERM
stops, a restart on the same data, and the entrypoints' refusal of bad environments."""
import subprocess
import time

import pytest

from harness import wait_until
from servers import (CLEAN_EXIT_CODES, KAFKA_ENTRYPOINT, ZOOKEEPER_ENTRYPOINT, Servers, ZkClient,
                     consume, four_letter, load_servers_env, loopback_block, metadata, produce,
                     run_entrypoint, zk_cli)

EX_CONFIG = 78
CHROOT = "/mk-test"
TOPIC = "mk-roundtrip"
MESSAGES = [f"message-{i:04d}" for i in range(1000)]
ZOO_SERVERS = "server.1=127.0.1.1:2888:3888;2181 server.2=127.0.1.2:2888:3888;2181 " \
              "server.3=127.0.1.3:2888:3888;2181"


@pytest.fixture(scope="module")
def servers_env():
    return load_servers_env()


# --- configuration from the environment (no server started) ----------------------------------------

def test_zookeeper_config_follows_the_official_image(servers_env, tmp_path):
    r = run_entrypoint(ZOOKEEPER_ENTRYPOINT, servers_env, tmp_path / "sandbox", {
        "ZOO_MY_ID": "2", "ZOO_SERVERS": ZOO_SERVERS.replace(" ", "\n"), "ZOO_BIND_ADDRESS": "127.0.1.2",
        "ZOO_TICK_TIME": "500", "ZOO_4LW_COMMANDS_WHITELIST": "conf, ruok",
        "ZOO_CFG_EXTRA": "quorumListenOnAllIPs=false"})
    assert r.returncode == 0, r.stderr
    cfg = (tmp_path / "sandbox" / "conf" / "zoo.cfg").read_text().splitlines()
    assert f"dataDir={tmp_path / 'sandbox' / 'data'}" in cfg
    assert "tickTime=500" in cfg and "initLimit=5" in cfg and "syncLimit=2" in cfg
    assert "admin.enableServer=false" in cfg
    assert "4lw.commands.whitelist=conf,ruok,srvr,mntr,stat" in cfg
    assert "quorumListenOnAllIPs=false" in cfg
    # This server's own entry gives its client port to clientPort/clientPortAddress (ZooKeeper
    # refuses differing static and dynamic client addresses); the others are kept as given.
    assert "clientPort=2181" in cfg and "clientPortAddress=127.0.1.2" in cfg
    assert "server.2=127.0.1.2:2888:3888" in cfg
    assert "server.1=127.0.1.1:2888:3888;2181" in cfg and "server.3=127.0.1.3:2888:3888;2181" in cfg
    assert (tmp_path / "sandbox" / "data" / "myid").read_text().strip() == "2"
    cmd = r.stdout.strip().splitlines()[-1]
    assert "org.apache.zookeeper.server.quorum.QuorumPeerMain" in cmd and "-Xmx256m" in cmd

    # The same data directory under another id is refused.
    r = run_entrypoint(ZOOKEEPER_ENTRYPOINT, servers_env, tmp_path / "sandbox",
                       {"ZOO_MY_ID": "3", "ZOO_SERVERS": ZOO_SERVERS})
    assert r.returncode == EX_CONFIG and "ZOO_MY_ID=3" in r.stderr and "another server" in r.stderr


def test_kafka_properties_follow_the_confluent_and_apache_images(servers_env, tmp_path):
    r = run_entrypoint(KAFKA_ENTRYPOINT, servers_env, tmp_path / "sandbox", {
        "KAFKA_BROKER_ID": "7", "KAFKA_ZOOKEEPER_CONNECT": "127.0.1.1:2181,127.0.1.2:2181/mk",
        "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://127.0.1.4:9092",
        "KAFKA_LOG_RETENTION_HOURS": "1",
        "KAFKA_LISTENER_NAME_PLAINTEXT_SCRAM__SHA__256_SASL_JAAS_CONFIG": "secret stuff",
        "KAFKA_CONFLUENT_SUPPORT___METRICS_ENABLE": "false",
        "KAFKA_HEAP_OPTS": "-Xmx300m", "KAFKA_OPTS": "-Dmk.test=1", "HEAP_MB": "999"})
    assert r.returncode == 0, r.stderr
    props = (tmp_path / "sandbox" / "conf" / "server.properties").read_text().splitlines()
    assert "broker.id=7" in props
    assert "zookeeper.connect=127.0.1.1:2181,127.0.1.2:2181/mk" in props
    assert "advertised.listeners=PLAINTEXT://127.0.1.4:9092" in props
    assert "listeners=PLAINTEXT://0.0.0.0:9092" in props  # derived from the advertised ports
    assert f"log.dirs={tmp_path / 'sandbox' / 'data'}" in props
    assert "log.retention.hours=1" in props
    assert "listener.name.plaintext.scram-sha-256.sasl.jaas.config=secret stuff" in props
    assert "confluent.support_metrics.enable=false" in props
    # Variables about the JVM and the launcher are no properties.
    keys = {line.split("=", 1)[0] for line in props if not line.startswith("#")}
    assert not keys & {"heap.opts", "opts", "home", "version"}, keys
    # Secrets are not printed.
    assert "secret stuff" not in r.stdout and "sasl.jaas.config=[hidden]" in r.stdout
    cmd = r.stdout.strip().splitlines()[-1]
    assert "-Xmx300m" in cmd and "-Xmx999m" not in cmd and "-Dmk.test=1" in cmd and "kafka.Kafka" in cmd


# --- bad environments are refused before anything is written ---------------------------------------

GOOD_ZK = {"ZOO_MY_ID": "1", "ZOO_SERVERS": ZOO_SERVERS}
GOOD_KAFKA = {"KAFKA_BROKER_ID": "0", "KAFKA_ZOOKEEPER_CONNECT": "127.0.1.1:2181/mk",
              "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://127.0.1.4:9092"}
DROP = object()

BAD = [
    ("zookeeper", {"ZOO_MY_ID": "0"}, "ZOO_MY_ID"),
    ("zookeeper", {"ZOO_MY_ID": "256"}, "ZOO_MY_ID"),
    ("zookeeper", {"ZOO_MY_ID": "one"}, "ZOO_MY_ID"),
    ("zookeeper", {"ZOO_MY_ID": DROP}, "ZOO_MY_ID is required"),
    ("zookeeper", {"ZOO_MY_ID": "4"}, "ZOO_SERVERS has no entry"),
    ("zookeeper", {"ZOO_SERVERS": "server.1=127.0.1.1:2888"}, "ZOO_SERVERS"),
    ("zookeeper", {"ZOO_SERVERS": "server.1=a:2888:3888 server.1=b:2888:3888"}, "ZOO_SERVERS"),
    ("zookeeper", {"ZOO_TICK_TIME": "fast"}, "ZOO_TICK_TIME"),
    ("zookeeper", {"ZOO_CLIENT_PORT": "70000"}, "ZOO_CLIENT_PORT"),
    ("zookeeper", {"ZOO_STANDALONE_ENABLED": "maybe"}, "ZOO_STANDALONE_ENABLED"),
    ("zookeeper", {"ZK_SERVER_HEAP": "lots"}, "ZK_SERVER_HEAP must be"),
    ("zookeeper", {"HEAP_MB": "8"}, "HEAP_MB must be"),
    ("zookeeper", {"MESOS_SANDBOX": DROP}, "ZOO_DATA_DIR"),
    ("zookeeper", {"MK_SERVERS_ENV": "/nonexistent/servers.env"}, "MK_SERVERS_ENV"),
    ("kafka", {"KAFKA_ZOOKEEPER_CONNECT": DROP}, "KAFKA_ZOOKEEPER_CONNECT is required"),
    ("kafka", {"KAFKA_ZOOKEEPER_CONNECT": "127.0.1.1"}, "KAFKA_ZOOKEEPER_CONNECT"),
    ("kafka", {"KAFKA_BROKER_ID": DROP}, "KAFKA_BROKER_ID is required"),
    ("kafka", {"KAFKA_BROKER_ID": "one"}, "KAFKA_BROKER_ID"),
    ("kafka", {"KAFKA_BROKER_ID": "-1"}, "KAFKA_BROKER_ID"),
    ("kafka", {"KAFKA_PROCESS_ROLES": "broker,controller"}, "KAFKA_PROCESS_ROLES"),
    ("kafka", {"KAFKA_ADVERTISED_LISTENERS": DROP}, "KAFKA_ADVERTISED_LISTENERS is required"),
    ("kafka", {"KAFKA_ADVERTISED_LISTENERS": "127.0.1.4:9092"}, "KAFKA_ADVERTISED_LISTENERS"),
    ("kafka", {"KAFKA_LISTENERS": "PLAINTEXT://a:1\nPLAINTEXT://b:2"}, "KAFKA_LISTENERS"),
    ("kafka", {"KAFKA_PORT": "9092"}, "KAFKA_PORT"),
    ("kafka", {"HEAP_MB": "lots"}, "HEAP_MB"),
    ("kafka", {"KAFKA_LOG4J_ROOT_LOGLEVEL": "LOUD"}, "KAFKA_LOG4J_ROOT_LOGLEVEL"),
    ("kafka", {"MESOS_SANDBOX": DROP}, "KAFKA_LOG_DIRS"),
    ("kafka", {"MK_SERVERS_ENV": "/nonexistent/servers.env"}, "MK_SERVERS_ENV"),
]


@pytest.mark.parametrize("server,change,message", BAD,
                         ids=[f"{s}-{m.split()[0]}-{i}" for i, (s, _, m) in enumerate(BAD)])
def test_entrypoint_refuses_a_bad_environment(servers_env, tmp_path, server, change, message):
    entrypoint, env = (ZOOKEEPER_ENTRYPOINT, GOOD_ZK) if server == "zookeeper" else \
        (KAFKA_ENTRYPOINT, GOOD_KAFKA)
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    full_env = {"PATH": "/usr/bin:/bin", "MESOS_SANDBOX": str(sandbox),
                "MK_SERVERS_ENV": servers_env["MK_SERVERS_ENV"], **env}
    for k, v in change.items():
        if v is DROP:
            full_env.pop(k, None)
        else:
            full_env[k] = v
    r = subprocess.run([str(entrypoint)], env=full_env, capture_output=True, text=True, timeout=30)
    assert r.returncode == EX_CONFIG, (r.returncode, r.stdout, r.stderr)
    assert message in r.stderr, r.stderr
    assert list(sandbox.iterdir()) == [], "the entrypoint wrote files before refusing"


# --- the real servers ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster(servers_env, tmp_path_factory):
    """Three ZooKeeper members and room for a broker, on their own loopback addresses."""
    addrs = loopback_block(4)
    servers = Servers(tmp_path_factory.mktemp("servers"), servers_env)
    try:
        servers.addresses = addrs
        servers.zk = servers.ensemble(addrs[:3], timeout=60)
        yield servers
    except BaseException:
        servers.kill_all()
        raise
    else:
        codes = servers.stop_all()
        unclean = {name: code for name, code in codes.items() if code not in CLEAN_EXIT_CODES}
        assert not unclean, f"servers did not stop cleanly on SIGTERM: {unclean}"


def test_ensemble_elects_one_leader_and_two_followers(cluster, record_property):
    zk = cluster.zk
    modes = zk.modes()
    assert sorted(modes) == ["follower", "follower", "leader"], modes
    for m in zk.members:
        assert four_letter(m.address, m.client_port, "ruok") == "imok"
        assert "zk_server_state" in four_letter(m.address, m.client_port, "mntr")
    record_property("ensemble_formation_seconds", round(zk.formation_seconds, 2))
    print(f"\nensemble formed {zk.formation_seconds:.1f}s after the first start: {modes}")


def topic_led(bootstrap, topic):
    """Whether every partition of `topic` has a leader, as the broker reports it."""
    for t in metadata(bootstrap)["topics"]:
        if t["topic"] == topic and not t.get("error"):
            return bool(t["partitions"]) and all(p["leader"] >= 0 and not p.get("error")
                                                 for p in t["partitions"])
    return False


def test_broker_registers_round_trips_1000_messages_and_keeps_them(cluster, record_property):
    address = cluster.addresses[3]
    connect = cluster.zk.connect(CHROOT)

    broker = cluster.kafka(0, address, connect)
    reg = broker.wait_registered(timeout=90)
    registered_after = time.monotonic() - broker.started
    broker.wait_serving(timeout=30)
    assert reg["host"] == address and reg["port"] == 9092, reg
    assert reg["endpoints"] == [f"PLAINTEXT://{address}:9092"], reg
    with ZkClient(connect) as zk:
        assert zk.get_children("/brokers/ids") == ["0"]
    with ZkClient(cluster.zk.connect()) as zk:  # the chroot, not the root, holds the broker
        assert zk.get_children("/brokers") is None
    cli = zk_cli(cluster.env, cluster.zk.connect(), "get", f"{CHROOT}/brokers/ids/0")
    assert cli.returncode == 0 and f'"host":"{address}"' in cli.stdout, (cli.stdout, cli.stderr)
    md = metadata(broker.bootstrap)
    assert [(b["id"], b["name"]) for b in md["brokers"]] == [(0, f"{address}:9092")], md

    t0 = time.monotonic()
    produce(broker.bootstrap, TOPIC, MESSAGES)
    assert consume(broker.bootstrap, TOPIC, len(MESSAGES)) == MESSAGES
    roundtrip = time.monotonic() - t0

    code = broker.stop()
    assert code in CLEAN_EXIT_CODES, f"broker exited with {code} on SIGTERM:\n{broker.output()[-3000:]}"
    assert "shut down completed" in broker.output()
    with ZkClient(connect) as zk:  # a clean shutdown closes its session at once
        assert zk.get_children("/brokers/ids") == []

    again = cluster.kafka(0, address, connect, data_dir=broker.data_dir, name="kafka-0-restarted")
    again.wait_serving(timeout=90)
    # Serving metadata comes a moment before the broker, its own controller, leads the topic again.
    wait_until(lambda: topic_led(again.bootstrap, TOPIC), 60, f"{TOPIC} led again", interval=0.2)
    assert consume(again.bootstrap, TOPIC, len(MESSAGES)) == MESSAGES
    code = again.stop()
    assert code in CLEAN_EXIT_CODES, f"restarted broker exited with {code}:\n{again.output()[-3000:]}"

    record_property("broker_registration_seconds", round(registered_after, 2))
    record_property("produce_consume_1000_seconds", round(roundtrip, 2))
    print(f"\nbroker registered {registered_after:.1f}s after start; 1,000 messages produced and "
          f"consumed in {roundtrip:.1f}s")
