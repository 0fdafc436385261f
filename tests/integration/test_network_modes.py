"""3 ZooKeeper + 3 Kafka on each Docker network mode (issue 18).

For each of NETWORK_MODE=HOST, BRIDGE and USER (a named network, "weave", with DOMAIN naming), one
cluster launched by the framework on mesos-sim: the ensemble is one ensemble (one leader, two
followers, each counting three members, asked with ZooKeeper's four-letter words), the brokers are
one Kafka cluster (one cluster id: in ZooKeeper, in every broker's data directory and metadata, and
in /v0/status), messages round-trip with acks=all, and a rolling restart under an acks=all producer
loses no acknowledged message.

Clients reach the servers as a client of that network would: on HOST and BRIDGE through the agents'
names (in /etc/hosts); on USER through the containers' DNS names, which mesos-sim serves in its
hosts file (as weaveDNS would). kcat runs there in a mount namespace of its own where that file is
/etc/hosts. The test's own ZooKeeper client uses the containers' addresses, as the scheduler does.
"""
import json
import subprocess
import threading
import time

import pytest

from conftest import Cluster
from harness import Pki, wait_until
from scheduler_api import MESOS_PASSWORD, Api, framework_env, registered
from servers import consume, four_letter, kcat, settled_watermarks, zk_get_data

MODES = ["HOST", "BRIDGE", "USER"]
TOPIC = "roundtrip"
SAFE = "safe"


@pytest.fixture(scope="module", params=MODES)
def env(request, tmp_path_factory):
    mode = request.param
    workdir = tmp_path_factory.mktemp(f"net-{mode.lower()}")
    pki = Pki(workdir / "pki")
    cluster = Cluster(workdir)
    # Its agents offer ports of their own (harness.reserve_port_block).
    sim = cluster.sim(pki=pki, credentials=[f"kafka:{MESOS_PASSWORD}"], agents=4, update_retry=1)
    user = {"NETWORK_NAME": "weave", "DOMAIN": "weave.local"} if mode == "USER" else {}
    vars_ = framework_env(sim, pki, workdir / "state", FRAMEWORK_NAME=f"mk-{mode.lower()}",
                          NETWORK_MODE=mode, **user,
                          KAFKA_OPTIONS="default.replication.factor=3,num.partitions=3,"
                                        "min.insync.replicas=2,offsets.topic.num.partitions=3,"
                                        "group.initial.rebalance.delay.ms=0")
    started = time.monotonic()
    sched = cluster.scheduler(vars_)
    api = Api(vars_["FRAMEWORK_PORT"])
    box = {"mode": mode, "sim": sim, "sched": sched, "vars": vars_, "api": api,
           "chroot": f"/mk-{mode.lower()}", "cluster": cluster}
    try:
        wait_until(lambda: registered(api), 300, f"three brokers registered ({mode})", interval=1)
        print(f"{mode}: 3/3 registered {time.monotonic() - started:.1f} s after the scheduler "
              "started")
        yield box
    finally:
        cluster.stop_all()


def members(env, kind):
    return [m for m in env["api"].status()["members"] if m["kind"] == kind]


def zk_client_address(env, m):
    """Where a client outside the containers reaches a ZooKeeper member's client port."""
    if env["mode"] == "USER":
        return m["container_ip"], 2181
    return m["hostname"], m["ports"][0]


def zk_connect(env):
    return ",".join(f"{h}:{p}" for h, p in map(lambda m: zk_client_address(env, m),
                                                members(env, "zookeeper"))) + env["chroot"]


def run_kcat(env, args, input=None, timeout=60):
    """kcat as a client of the cluster's network: on USER, with mesos-sim's hosts file (the
    network's DNS, as it is now) for /etc/hosts."""
    if env["mode"] != "USER":
        return kcat(args, input=input, timeout=timeout)
    hosts = env["sim"].work_dir / "hosts"
    argv = ["unshare", "-rm", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec kcat "$@"',
            str(hosts), *args]
    return subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout)


def bootstrap(env):
    return env["api"].status()["kafka"]["bootstrap"]


def metadata(env, broker=None):
    r = run_kcat(env, ["-b", broker or bootstrap(env), "-L", "-J", "-m", "10"], timeout=30)
    return json.loads(r.stdout) if r.returncode == 0 else None


def produce(env, topic, messages):
    """acks=all, idempotent; True when kcat reports every message delivered (it exits 0 and says
    nothing of its messages then; a broker going away only adds connection notices)."""
    r = run_kcat(env, ["-b", bootstrap(env), "-P", "-t", topic, "-X", "acks=all",
                       "-X", "enable.idempotence=true", "-X", "message.timeout.ms=60000"],
                 input="".join(m + "\n" for m in messages), timeout=120)
    return r.returncode == 0 and "Delivery failed" not in r.stderr


def topic_contents(env, topic, expected=0):
    """Every message the settled topic holds (servers.consume: full ISR, then each partition read
    up to its leader's end offset), through this network's kcat."""
    return consume(bootstrap(env), topic, expected,
                   run=lambda args, **kw: run_kcat(env, args, **kw))


def topic_settled(env, topic):
    return settled_watermarks(bootstrap(env), topic, run=lambda args, **kw: run_kcat(env, args, **kw))


# --- bring-up ------------------------------------------------------------------------------------

def test_every_zookeeper_server_is_launched_with_the_whole_server_list(env):
    zk_launches = [ti for ti in task_infos(env) if ti["name"].startswith("zookeeper-")]
    assert len(zk_launches) == 3
    for ti in zk_launches:
        variables = {v["name"]: v["value"] for v in ti["command"]["environment"]["variables"]}
        entries = variables["ZOO_SERVERS"].split()
        assert sorted(e.split("=")[0] for e in entries) == ["server.1", "server.2", "server.3"], \
            variables["ZOO_SERVERS"]
        if env["mode"] == "USER":
            assert ti["container"]["hostname"] == f"{ti['name']}.weave.local"
            others = [e for e in entries if not e.startswith(f"server.{variables['ZOO_MY_ID']}=")]
            assert all(".weave.local:2888:3888;2181" in e for e in others), entries


def test_the_ensemble_has_one_leader_and_two_followers_of_three(env):
    zks = members(env, "zookeeper")
    modes, sizes = [], []
    for m in zks:
        host, port = zk_client_address(env, m)
        modes.append(next(line.split(": ")[1] for line in four_letter(host, port, "srvr").splitlines()
                          if line.startswith("Mode: ")))
        conf = four_letter(host, port, "conf")
        sizes.append(sum(1 for line in conf.split("membership:")[1].splitlines()
                         if line.startswith("server.") and ":participant" in line))
    assert sorted(modes) == ["follower", "follower", "leader"]
    assert sizes == [3, 3, 3]
    st = env["api"].status()
    ens = st["zookeeper"]["ensemble"]
    assert ens["complete"] is True and ens["followers"] == 2 and ens["expected"] == 3, ens
    assert ens["problem"] is None
    leader = [m["id"] for m, mode in zip(zks, modes) if mode == "leader"][0]
    assert ens["leader"] == leader
    assert sorted(m["zk_mode"] for m in st["members"] if m["kind"] == "zookeeper") == \
        ["follower", "follower", "leader"]
    # The first broker waited for the whole ensemble.
    out = env["sched"].output()
    assert out.index("ZooKeeper ensemble complete") < out.index("launching kafka-0")


def test_the_brokers_are_one_cluster_with_one_id(env):
    cluster_id = json.loads(zk_get_data(zk_connect(env), "/cluster/id"))["id"]
    # Each broker's own data directory says which cluster it belongs to.
    props = sorted(env["sim"].work_dir.glob("*/docker-volumes/kafka-data-*/meta.properties"))
    assert len(props) == 3, props
    for p in props:
        assert f"cluster.id={cluster_id}" in p.read_text().splitlines(), p
    # Each broker, asked alone, knows all three (one cluster) and the same controller.
    controllers = set()
    for m in members(env, "kafka"):
        md = wait_until(lambda: metadata(env, m["address"]), 30, f"{m['name']}'s metadata")
        assert sorted(b["id"] for b in md["brokers"]) == [0, 1, 2], md["brokers"]
        controllers.add(md.get("controllerid"))
    assert len(controllers) == 1, controllers
    st = wait_until(lambda: (s := env["api"].status())["kafka"]["cluster_ids_agree"] and s, 60,
                    "the scheduler to see every broker's cluster id")
    assert st["kafka"]["cluster_id"] == cluster_id
    assert [m["cluster_id"] for m in st["members"] if m["kind"] == "kafka"] == [cluster_id] * 3
    assert "every broker reports the cluster id " + cluster_id in env["sched"].output()


# --- data ----------------------------------------------------------------------------------------

def test_messages_round_trip_with_acks_all(env):
    messages = [f"rt-{i:04d}" for i in range(300)]
    # The topic is created by a first produce (broker defaults: 3 partitions, RF 3, min ISR 2);
    # an attempt that was not acknowledged in time may still be written, so each has its own text.
    attempts = iter(range(1000))
    wait_until(lambda: produce(env, TOPIC, [f"create-{next(attempts)}"]), 120,
               f"{TOPIC} created", interval=1)
    assert produce(env, TOPIC, messages)
    held = [m for m in topic_contents(env, TOPIC, len(messages)) if not m.startswith("create-")]
    assert sorted(held) == messages


def test_a_rolling_restart_under_an_acks_all_producer_loses_nothing(env):
    api = env["api"]
    attempts = iter(range(1000))
    wait_until(lambda: produce(env, SAFE, [f"create-{next(attempts)}"]), 120, f"{SAFE} created",
               interval=1)
    wait_until(lambda: topic_settled(env, SAFE), 120, f"{SAFE} with its full ISR", interval=1)
    tasks_before = {b: api.member(f"kafka-{b}")["task_id"] for b in range(3)}
    acked, unsure, stop = [], [], threading.Event()

    def producer():
        batch = 0
        while not stop.is_set():
            msgs = [f"s-{batch:05d}-{i:02d}" for i in range(20)]
            (acked if produce(env, SAFE, msgs) else unsure).extend(msgs)
            batch += 1
    thread = threading.Thread(target=producer)
    thread.start()
    try:
        wait_until(lambda: len(acked) >= 100, 120, "the producer under way", interval=0.2)
        code, body = api.call("/v1/brokers", method="POST", timeout=30)
        assert code in (200, 202), body
        plan = wait_until(lambda: (p := api.get("/v1/plan")[1]["plan"]) and
                          p["state"] in ("done", "failed", "blocked") and p, 900,
                          "the rolling restart done", interval=2)
    finally:
        stop.set()
        thread.join()
    assert plan["state"] == "done", plan
    for b in range(3):
        assert api.member(f"kafka-{b}")["task_id"] != tasks_before[b]
    wait_until(lambda: registered(api), 120, "every broker registered after the restart")
    held = topic_contents(env, SAFE, len(acked))
    lost = sorted(set(acked) - set(held))
    print(f"{env['mode']} rolling restart: {len(acked)} acknowledged, {len(unsure)} not, "
          f"{len(held)} held by the partitions, {len(lost)} acknowledged but lost")
    assert len(acked) >= 200, "the producer barely ran"
    assert lost == []
    # The scheduler asks each new broker for its cluster id on its next ZooKeeper read.
    wait_until(lambda: (s := api.status())["kafka"]["cluster_ids_agree"] is True and
               s["zookeeper"]["ensemble"]["complete"], 60,
               "every restarted broker's cluster id seen and the ensemble complete")


def test_every_call_passed_validation(env):
    env["sim"].assert_no_rejected_calls()


def task_infos(env):
    out = []
    for c in env["sim"].calls():
        if c.get("type") == "ACCEPT" and c.get("status") == 202:
            for op in c["call"]["accept"].get("operations", []):
                out += op.get("launch", {}).get("task_infos", [])
    return out
