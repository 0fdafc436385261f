"""Broker management (issue 14): brokers added by id expression with settings of their own, placed
by constraints on agent attributes (their rack, KAFKA_RACK_ATTRIBUTE, becoming broker.rack),
cloned, updated and rolled, started, stopped and removed behind the data-safety rules.

One cluster for the module: 3 ZooKeeper servers and no broker from the environment
(KAFKA_COUNT=0) on six simulated agents, agent1-3 and agent6 in rack r1, agent4-5 in rack r2
(a broker never shares an agent with another broker). Brokers
0..2 are added through /v1 with rack=like:r1, brokers 3..4 through the earlier framework's
/api/broker form with rack=like:r2 and resources of their own. What the scheduler launched is
read from the simulator's call log (the TaskInfos as Mesos received them), where each broker runs
from the simulator's own state.
"""
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import Cluster
from harness import BIN_DIR, Pki, wait_until
from scheduler_api import API_PASSWORD, API_USER, MESOS_PASSWORD, Api, framework_env
from servers import kcat, missing_messages

RACKS = {1: "r1", 2: "r1", 3: "r1", 4: "r2", 5: "r2", 6: "r1"}


def racked_cluster(tmp_path_factory, name, racks):
    """Yields a cluster of 3 ZooKeeper servers and no broker on agents with the `racks` given
    ({agent number: rack}), once the ensemble is up."""
    workdir = tmp_path_factory.mktemp(name)
    pki = Pki(workdir / "pki")
    cluster = Cluster(workdir)
    try:
        extra = []
        for agent, rack in racks.items():
            extra += ["--agent-attributes-of", f"{agent}=rack:{rack};cores:8"]
        sim = cluster.sim(pki=pki, credentials=[f"kafka:{MESOS_PASSWORD}"], agents=len(racks),
                          extra=extra)
        vars_ = framework_env(sim, pki, workdir / "state", FRAMEWORK_NAME=f"mk-{name}",
                              KAFKA_COUNT=0, KAFKA_RACK_ATTRIBUTE="rack")
        sched = cluster.scheduler(vars_)
        api = Api(vars_["FRAMEWORK_PORT"])
        wait_until(lambda: (st := status_or_none(api)) and st["zookeeper"]["ensemble"] and st,
                   300, "the ZooKeeper ensemble", interval=1)
        yield {"api": api, "sim": sim, "sched": sched, "vars": vars_,
               "state": Path(vars_["FRAMEWORK_STATEFILE_PATH"]) / f"mk-{name}.state.json"}
    finally:
        cluster.stop_all()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from racked_cluster(tmp_path_factory, "brokers", RACKS)


def status_or_none(api):
    try:
        return api.status()
    except OSError:
        return None


def call(env, method, path, body=None):
    """(status, parsed JSON) of a request with the operator's credentials."""
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(env["api"].base + path, method=method, data=data)
    req.add_header("Authorization", env["api"].auth)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def seed(env, verb, method="GET", **query):
    """The earlier framework's form: /api/broker/<verb>?broker=...&cpus=..."""
    return call(env, method, f"/api/broker/{verb}?{urllib.parse.urlencode(query)}")


def brokers(env):
    status, body = call(env, "GET", "/v1/brokers")
    assert status == 200, body
    return {b["id"]: b for b in body["brokers"]}


def running(env, ids):
    """The brokers once every one of `ids` runs and is registered in ZooKeeper, else None."""
    bs = brokers(env)
    return all(i in bs and bs[i]["state"] == "running" and bs[i]["registered"] for i in ids) and bs


def settled(env):
    """Every broker that should run runs, registered and healthy: nothing left for the scheduler
    to write down (a health or task status changes the state file)."""
    members = [m for m in env["api"].status()["members"] if m["kind"] == "kafka"]
    return all(m["state"] in ("running", "stopped") and (m["state"] == "stopped" or
                                                        m["healthy"] is True)
               for m in members)


def agents(env):
    """agent id -> (hostname, {attribute: value}) from the simulator."""
    out = {}
    for a in env["sim"].state()["agents"]:
        attrs = {x["name"]: x.get("text", x.get("scalar", {})).get("value") for x in a["attributes"]}
        out[a["id"]] = (a["hostname"], attrs)
    return out


def task_infos(env, name):
    """Every TaskInfo the scheduler launched for task `name` (kafka-3), in order."""
    out = []
    for c in env["sim"].calls():
        if c.get("type") != "ACCEPT" or c.get("status") != 202:
            continue
        for op in c["call"]["accept"].get("operations", []):
            out += [ti for ti in op.get("launch", {}).get("task_infos", []) if ti["name"] == name]
    return out


def resources(ti):
    return {r["name"]: r.get("scalar", {}).get("value") for r in ti["resources"]}


def environment(ti):
    return {v["name"]: v["value"] for v in ti["command"]["environment"]["variables"]}


def test_added_brokers_are_stopped_until_started_and_run_only_where_their_constraints_allow(env):
    status, body = call(env, "POST", "/v1/brokers/0..2/add", {"constraints": "rack=like:r1"})
    assert status == 200 and body["added"] == [0, 1, 2], body
    bs = brokers(env)
    assert all(bs[i]["state"] == "stopped" and bs[i]["goal"] == "stop" for i in range(3)), bs
    assert not task_infos(env, "kafka-0")
    status, body = call(env, "POST", "/v1/brokers/0..2/start")
    assert status == 200 and body["started"] == [0, 1, 2], body
    wait_until(lambda: running(env, range(3)), 300, "brokers 0..2 running", interval=1)

    status, body = seed(env, "add", broker="3..4", cpus="0.5", mem="768", heap="256",
                        options="num.io.threads=4", constraints="rack=like:r2")
    assert status == 200 and body["added"] == [3, 4], body
    status, body = seed(env, "start", method="POST", broker="3..4", timeout="0")
    assert status == 200 and body["started"] == [3, 4], body
    bs = wait_until(lambda: running(env, range(5)), 300, "brokers 3..4 running", interval=1)

    where = agents(env)
    for i in range(5):
        tis = task_infos(env, f"kafka-{i}")
        assert len(tis) == 1, tis
        hostname, attrs = where[tis[0]["agent_id"]["value"]]
        assert attrs["rack"] == ("r1" if i < 3 else "r2"), (i, hostname, attrs)
        assert bs[i]["hostname"] == hostname and bs[i]["attributes"]["rack"] == attrs["rack"]
        # KAFKA_RACK_ATTRIBUTE=rack: the broker registered with its agent's rack.
        status, one = call(env, "GET", f"/v1/brokers/{i}")
        assert status == 200 and one["registration"]["rack"] == attrs["rack"], one
    for i in (3, 4):
        ti = task_infos(env, f"kafka-{i}")[0]
        assert resources(ti)["cpus"] == 0.5 and resources(ti)["mem"] == 768, ti["resources"]
        e = environment(ti)
        assert e["HEAP_MB"] == "256" and e["KAFKA_NUM_IO_THREADS"] == "4", e
        s = bs[i]["settings"]
        assert s["cpus"] == {"value": 0.5, "source": "own"}, s
        assert s["constraints"]["value"] == "rack=like:r2" and s["mem"]["source"] == "own", s
        assert bs[i]["needs_restart"] == [] and bs[i]["pending"] is None
        status, body = call(env, "GET", f"/v1/brokers/{i}/config")
        assert status == 200 and body["configs"]["num.io.threads"] == "4", body
    status, body = call(env, "GET", "/v1/brokers/0/config")
    assert status == 200 and "num.io.threads" not in body["configs"], body
    status, body = call(env, "GET", "/v1/brokers/*[rack=r2]/list")
    assert status == 200 and [b["id"] for b in body["brokers"]] == [3, 4], body
    # Brokers of the environment's defaults: KAFKA_CPU and KAFKA_MEM.
    ti = task_infos(env, "kafka-0")[0]
    assert resources(ti)["cpus"] == 0.5 and resources(ti)["mem"] == 640
    assert bs[0]["settings"]["mem"] == {"value": 640, "source": "default"}
    status, body = seed(env, "list")
    assert status == 200 and [b["id"] for b in body["brokers"]] == [0, 1, 2, 3, 4], body


def test_an_impossible_constraint_leaves_the_broker_pending_with_the_reason(env):
    status, body = call(env, "POST", "/v1/brokers/5/add", {"constraints": "rack=like:r3"})
    assert status == 200, body
    assert call(env, "POST", "/v1/brokers/5/start")[0] == 200
    pending = wait_until(lambda: brokers(env)[5]["pending"], 60, "broker 5's pending reason")
    assert "rack=like:r3" in pending and "rack=r" in pending, pending
    assert brokers(env)[5]["state"] == "waiting" and not task_infos(env, "kafka-5")
    # It never ran, so it holds nothing: removed at once.
    status, body = call(env, "POST", "/v1/brokers/5/remove")
    assert status == 200 and body["removed"] == [5], body
    assert 5 not in brokers(env)
    assert env["api"].status()["kafka"]["desired"] == 5


BAD = [
    ("POST", "/v1/brokers/1..x/add", {}, 400, "broker: "),
    ("POST", "/v1/brokers/*/add", {}, 400, "needs the new brokers' ids"),
    ("POST", "/v1/brokers/0/add", {}, 400, "broker 0 exists already"),
    ("POST", "/v1/brokers/7/add", {"cpus": -1}, 400, "cpus"),
    ("POST", "/v1/brokers/7/add", {"cpus": "lots"}, 400, "cpus"),
    ("POST", "/v1/brokers/7/add", {"heap": 700}, 400, "heap"),
    ("POST", "/v1/brokers/7/add", {"constraints": "rack=near:r1"}, 400, "near"),
    ("POST", "/v1/brokers/7/add", {"constraints": "rack=like:("}, 400, "rack=like:("),
    ("POST", "/v1/brokers/7/add", {"options": "broker.id=9"}, 400, "broker.id"),
    ("POST", "/v1/brokers/7/add", {"colour": "blue"}, 400, "colour"),
    ("POST", "/v1/brokers/9/update", {"cpus": 1}, 404, "no broker 9"),
    ("POST", "/v1/brokers/0..1/update", {"heap": 9000}, 400, "heap"),
    ("POST", "/v1/brokers/0/update", {}, 400, "settings"),
    ("POST", "/v1/brokers/0/stop?force=maybe", None, 400, "force"),
    ("GET", "/api/broker/add?cpus=1", None, 400, "broker: is missing"),
    ("GET", "/api/broker/stop?broker=0&cpus=1", None, 400, "cpus: not an argument of stop"),
    ("GET", "/api/broker/fly?broker=0", None, 404, "no such route"),
]


@pytest.mark.parametrize("method,path,body,status,needle", BAD)
def test_bad_input_is_refused_naming_the_argument_and_changes_nothing(env, method, path, body,
                                                                      status, needle):
    wait_until(lambda: settled(env), 120, "the brokers settled")
    before = env["state"].read_bytes()
    got, reply = call(env, method, path, body)
    assert got == status and needle in reply["error"], (got, reply)
    assert env["state"].read_bytes() == before


def test_a_broker_holding_replicas_is_not_removed_and_stop_then_start_brings_it_back(env):
    status, body = call(env, "POST", "/v1/topics", {"name": "everywhere", "partitions": 1,
                                                   "replication": 5})
    assert status == 201, body
    wait_until(lambda: call(env, "GET", "/v1/topics/everywhere")[0] == 200, 60,
               "the topic everywhere")
    status, body = call(env, "POST", "/v1/brokers/1/remove")
    assert status == 409 and any(p["topic"] == "everywhere" for p in body["partitions"]), body
    assert 1 in brokers(env)
    task_before = brokers(env)[1]["task_id"]
    status, body = call(env, "POST", "/v1/brokers/1/stop")
    assert status == 200 and body["stopped"] == [1], body
    wait_until(lambda: brokers(env)[1]["state"] == "stopped", 120, "broker 1 stopped")
    status, body = seed(env, "start", broker="1")
    assert status == 200 and body["started"] == [1], body
    bs = wait_until(lambda: running(env, [1]), 300, "broker 1 running again", interval=1)
    assert bs[1]["task_id"] != task_before


def cli(env, *args):
    e = dict(os.environ, MESOS_KAFKA_API=env["api"].base, AUTH_USERNAME=API_USER,
             AUTH_PASSWORD=API_PASSWORD)
    r = subprocess.run([str(BIN_DIR / "mesos-kafka"), *args], env=e, capture_output=True,
                       text=True, timeout=60)
    assert "AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr
    return r


def test_the_cli_updates_settings_and_names_the_brokers_that_need_a_restart(env):
    wait_until(lambda: settled(env), 120, "the brokers settled")
    before = env["state"].read_bytes()
    r = cli(env, "broker", "add", "9", "--cpus", "-1")
    assert r.returncode == 1 and "cpus" in r.stderr, (r.returncode, r.stderr)
    r = cli(env, "broker", "update", "3..4", "--constraints", "rack=near:r2")
    assert r.returncode == 1 and "near" in r.stderr, (r.returncode, r.stderr)
    assert env["state"].read_bytes() == before
    tasks = {i: b["task_id"] for i, b in brokers(env).items()}
    r = cli(env, "--json", "broker", "update", "3..4", "--options", "log.retention.hours=48",
            "--failover-delay", "5s", "--no-restart")
    assert r.returncode == 0, r.stderr
    reply = json.loads(r.stdout)
    assert reply["updated"] == [3, 4] and reply["needs_restart"] == [3, 4], reply
    bs = brokers(env)
    assert bs[3]["needs_restart"] == ["options"], bs[3]
    assert bs[3]["settings"]["failover_delay"] == {"value": "5s", "source": "own"}, bs[3]
    # Recorded, not yet rolled out: the tasks are the same.
    assert {i: b["task_id"] for i, b in bs.items()} == tasks
    # A clone has every setting of its source, and starts stopped.
    r = cli(env, "--json", "broker", "clone", "7", "--source", "3")
    assert r.returncode == 0 and json.loads(r.stdout)["added"] == [7], r.stderr
    bs = brokers(env)
    assert bs[7]["settings"] == bs[3]["settings"] and bs[7]["state"] == "stopped", bs[7]
    r = cli(env, "broker", "clone", "8", "--source", "42")
    assert r.returncode == 1 and "no broker 42" in r.stderr, r.stderr
    assert call(env, "POST", "/v1/brokers/7/remove")[0] == 200
    # Back to what they run with: nothing to restart for (failover_delay needs no restart).
    r = cli(env, "broker", "update", "3..4", "--options", "num.io.threads=4")
    assert r.returncode == 0, r.stderr
    assert brokers(env)[3]["needs_restart"] == []
    r = cli(env, "help", "broker")
    assert all(f"broker {verb}" in r.stdout for verb in
               ("list", "add", "update", "start", "stop", "remove", "restart")), r.stdout


def test_an_update_rolls_the_changed_brokers_one_at_a_time_under_an_acks_all_producer(env):
    status, body = call(env, "POST", "/v1/topics", {"name": "rolled", "partitions": 3,
                                                   "replication": 3,
                                                   "configs": {"min.insync.replicas": "2"}})
    assert status == 201, body
    wait_until(lambda: call(env, "GET", "/v1/partitions/under-replicated")[1]["partitions"] == []
               and call(env, "GET", "/v1/topics/rolled")[0] == 200, 120,
               "rolled created, nothing under-replicated")
    wait_until(lambda: settled(env), 120, "the brokers settled")
    tasks = {i: b["task_id"] for i, b in brokers(env).items()}
    bootstrap = call(env, "GET", "/v1/connection")[1]["bootstrap"]
    acked, unsure, stop = [], [], threading.Event()

    def producer():
        batch = 0
        while not stop.is_set():
            msgs = [f"u-{batch:05d}-{i:02d}" for i in range(20)]
            r = kcat(["-b", bootstrap, "-P", "-t", "rolled", "-X", "acks=all",
                      "-X", "message.timeout.ms=60000", "-X", "enable.idempotence=true"],
                     input="".join(m + "\n" for m in msgs), timeout=120)
            ok = r.returncode == 0 and "Delivery failed" not in r.stderr
            (acked if ok else unsure).extend(msgs)
            batch += 1
            time.sleep(0.05)

    thread = threading.Thread(target=producer)
    thread.start()
    try:
        wait_until(lambda: len(acked) >= 100 or not thread.is_alive(), 120,
                   "the producer acknowledged before the update")
        r = cli(env, "broker", "update", "0..2", "--options", "log.retention.hours=48")
    finally:
        stop.set()
        thread.join()
    assert r.returncode == 0, r.stderr
    # The client follows the restart as `broker restart` does, a line per broker.
    assert "restarting" in r.stdout and all(f"kafka-{i}" in r.stdout for i in range(3)), \
        r.stdout
    plan = call(env, "GET", "/v1/plan")[1]["plan"]
    assert plan["state"] == "done" and sorted(s["broker"] for s in plan["steps"]) == [0, 1, 2]
    bs = brokers(env)
    for i in range(5):
        assert (bs[i]["task_id"] != tasks[i]) == (i < 3), (i, tasks[i], bs[i]["task_id"])
    assert all(bs[i]["needs_restart"] == [] for i in range(3)), bs
    status, body = call(env, "GET", "/v1/brokers/0/config")
    assert body["configs"]["log.retention.hours"] == "48", body
    lost = missing_messages(bootstrap, "rolled", acked)
    print(f"rolling update: {len(acked)} acknowledged, {len(unsure)} not, {len(lost)} lost")
    assert len(acked) >= 200 and lost == []
