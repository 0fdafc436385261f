"""Kafka operations through the `mesos-kafka` CLI and /v1 (issue 5's acceptance).

One cluster for the module (3 ZooKeeper + 3 Kafka launched by the framework on mesos-sim). Every
operation runs through the CLI, as an operator would, and is checked against what the brokers
themselves report (`kcat -L`, consuming). Then the brokers are restarted: refused while an RF=1
partition would go offline, forced, and finally rolled one at a time under a running acks=all
producer, counting acknowledged messages against consumed ones.
"""
import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import Cluster
from harness import BIN_DIR, Pki, scaled, wait_until
from scheduler_api import (API_PASSWORD, API_USER, MESOS_PASSWORD, Api, framework_env, launches,
                           registered)
from servers import consume, kcat, metadata, produce


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kafka-ops")
    pki = Pki(workdir / "pki")
    cluster = Cluster(workdir)
    try:  # stopped even when the bring-up fails
        sim = cluster.sim(pki=pki, credentials=[f"kafka:{MESOS_PASSWORD}"], agents=4,
                          update_retry=1)
        vars_ = framework_env(sim, pki, workdir / "state", FRAMEWORK_NAME="mk-ops",
                              KAFKA_OPTIONS="group.initial.rebalance.delay.ms=0,"
                                            "offsets.topic.num.partitions=3")
        sched = cluster.scheduler(vars_)
        api = Api(vars_["FRAMEWORK_PORT"])
        wait_until(lambda: registered(api), 300, "three brokers registered", interval=1)
        yield {"api": api, "sim": sim, "sched": sched, "vars": vars_, "cluster": cluster}
    finally:
        cluster.stop_all()


def cli(env, *args, ok=True, timeout=120):
    """Runs `mesos-kafka <args>` against the scheduler; returns the CompletedProcess."""
    e = dict(os.environ, MESOS_KAFKA_API=f"http://127.0.0.1:{env['vars']['FRAMEWORK_PORT']}",
             AUTH_USERNAME=API_USER, AUTH_PASSWORD=API_PASSWORD)
    r = subprocess.run([str(BIN_DIR / "mesos-kafka"), *args], env=e, capture_output=True,
                       text=True, timeout=timeout)
    assert "AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr
    if ok:
        assert r.returncode == 0, f"mesos-kafka {' '.join(args)}: {r.returncode}\n{r.stderr}"
    return r


def cli_json(env, *args, **kw):
    r = cli(env, *args, "--json", **kw)
    return json.loads(r.stdout)


def bootstrap(env):
    return cli_json(env, "connection")["bootstrap"]


def topic_meta(env, name):
    """The topic as the brokers report it (kcat -L), or None."""
    for t in metadata(bootstrap(env))["topics"]:
        if t["topic"] == name and not t.get("error"):
            return t
    return None


def offsets_total(env, name):
    return sum(p["latest"] - p["earliest"] for p in cli_json(env, "topic", "offsets", name)["partitions"])


# --- connection and brokers ----------------------------------------------------------------------

def test_connection_and_brokers_match_what_the_brokers_say(env):
    conn = cli_json(env, "connection")
    meta = metadata(conn["bootstrap"])
    assert sorted(conn["brokers"]) == sorted(b["name"] for b in meta["brokers"])
    assert conn["zookeeper"].endswith("/mk-ops") and conn["zookeeper"].count(",") == 2
    brokers = cli_json(env, "broker", "list")["brokers"]
    assert [b["id"] for b in brokers] == [0, 1, 2]
    assert all(b["registered"] and b["state"] == "running" for b in brokers)
    one = cli_json(env, "broker", "describe", "1")
    reg = one["registration"]
    listed = {b["id"]: b["name"] for b in meta["brokers"]}
    assert f"{reg['host']}:{reg['port']}" == listed[1]
    assert reg["endpoints"] == [f"PLAINTEXT://{listed[1]}"] and reg["timestamp"]
    assert one["task"]["task_id"] == one["task_id"]
    table = cli(env, "broker", "list").stdout
    assert table.splitlines()[0].split() == ["ID", "STATE", "REGISTERED", "ADDRESS", "TASK-ID"]
    assert listed[1] in table and one["task_id"] in table
    assert f"controller: broker {cli_json(env, 'broker', 'list')['controller']}" in table


# --- topics --------------------------------------------------------------------------------------

def test_topic_create_describe_list_matches_the_brokers(env):
    r = cli(env, "topic", "create", "orders", "--partitions", "3", "--replication", "3",
            "--config", "retention.ms=3600000")
    assert "orders" in r.stdout
    meta = wait_until(lambda: topic_meta(env, "orders"), 30, "orders in the metadata")
    assert len(meta["partitions"]) == 3
    assert all(sorted(r["id"] for r in p["replicas"]) == [0, 1, 2] for p in meta["partitions"])
    # Every broker learns of a new topic from the controller a moment later; any may answer.
    wait_until(lambda: "orders" in cli_json(env, "topic", "list")["topics"], 30, "orders listed")
    desc = wait_until(lambda: (d := cli_json(env, "topic", "describe", "orders"))
                      and all(len(p["isr"]) == 3 for p in d["partitions"]) and d, 30,
                      "orders described with its ISR")
    assert [p["partition"] for p in desc["partitions"]] == [0, 1, 2]
    by_id = {p["partition"]: p for p in meta["partitions"]}
    for p in desc["partitions"]:
        assert p["leader"] == by_id[p["partition"]]["leader"]
        assert sorted(p["replicas"]) == [0, 1, 2] and sorted(p["isr"]) == [0, 1, 2]
    assert desc["configs"].get("retention.ms") == "3600000"
    table = cli(env, "topic", "describe", "orders").stdout
    assert "PARTITION" in table.upper() and "retention.ms" in table


def test_offsets_move_after_producing_and_the_producer_test_reports_rates(env):
    before = cli_json(env, "topic", "offsets", "orders")["partitions"]
    assert len(before) == 3 and all(p["latest"] >= p["earliest"] >= 0 for p in before)
    start = offsets_total(env, "orders")
    produce(bootstrap(env), "orders", [f"o-{i}" for i in range(30)])
    assert offsets_total(env, "orders") == start + 30
    report = cli_json(env, "topic", "producer-test", "orders", "1000", "--size", "200")
    assert report["acked"] == 1000 and report["failed"] == 0
    assert report["records_per_s"] > 0 and report["mb_per_s"] > 0
    lat = report["latency_ms"]
    assert 0 <= lat["p50"] <= lat["p95"] <= lat["p99"] <= lat["max"]
    assert offsets_total(env, "orders") == start + 1030
    assert len(consume(bootstrap(env), "orders", start + 1030)) == start + 1030
    line = cli(env, "topic", "producer-test", "orders", "10").stdout
    assert "records" in line and "MB/s" in line


def test_partitions_can_be_added(env):
    cli(env, "topic", "partitions", "orders", "5")
    wait_until(lambda: len(topic_meta(env, "orders")["partitions"]) == 5, 30, "5 partitions")
    assert len(cli_json(env, "topic", "describe", "orders")["partitions"]) == 5


def test_a_config_set_shows_in_describe_and_unset_removes_it(env):
    cli(env, "topic", "config", "orders", "cleanup.policy", "compact")
    configs = cli_json(env, "topic", "describe", "orders")["configs"]
    assert configs["cleanup.policy"] == "compact"
    assert configs["retention.ms"] == "3600000"  # the other setting stays
    cli(env, "topic", "delete-config", "orders", "cleanup.policy")
    configs = cli_json(env, "topic", "describe", "orders")["configs"]
    assert "cleanup.policy" not in configs and configs["retention.ms"] == "3600000"


def test_delete_removes_the_topic(env):
    cli(env, "topic", "create", "scratch", "--partitions", "1", "--replication", "1")
    wait_until(lambda: topic_meta(env, "scratch"), 30, "scratch created")
    cli(env, "topic", "delete", "scratch")
    wait_until(lambda: topic_meta(env, "scratch") is None, 60, "scratch gone from the brokers")
    wait_until(lambda: "scratch" not in cli_json(env, "topic", "list")["topics"], 60,
               "scratch gone from the list")


def test_the_v0_commands_through_the_cli(env):
    table = cli(env, "status").stdout
    for name in ("zookeeper-1", "zookeeper-3", "kafka-0", "kafka-2"):
        assert name in table, table
    st = cli_json(env, "status")
    task = [m["task_id"] for m in st["members"] if m["name"] == "kafka-1"][0]
    assert cli_json(env, "container", task)["name"] == "kafka-1"
    # Every broker holds a replica of orders: scaling down to 2 is refused, naming it.
    r = cli(env, "kafka", "scale", "2", ok=False)
    assert r.returncode == 1 and "orders" in r.stderr, r.stderr
    r = cli(env, "zookeeper", "scale", "4", ok=False)
    assert r.returncode == 1 and "odd" in r.stderr, r.stderr
    assert cli_json(env, "status")["kafka"]["desired"] == 3
    assert cli_json(env, "reflate", "kafka")["scheduled"] == []


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args,expect", [
    (("topic", "describe", "no-such-topic"), "UNKNOWN_TOPIC_OR_PART"),
    (("topic", "offsets", "no-such-topic"), "UNKNOWN_TOPIC_OR_PART"),
    (("topic", "create", "bad-p", "--partitions", "0"), "partitions"),
    (("topic", "create", "bad-r", "--replication", "4"), "INVALID_REPLICATION_FACTOR"),
    (("topic", "create", "orders"), "TOPIC_ALREADY_EXISTS"),
    (("topic", "create", "bad name!"), "name"),
    (("topic", "config", "orders", "no.such.key", "1"), "INVALID_CONFIG"),
    (("topic", "partitions", "orders", "2"), "INVALID_PARTITIONS"),
    (("broker", "describe", "7"), "no broker 7"),
])
def test_bad_input_gets_a_clear_error_and_changes_nothing(env, args, expect):
    topics = cli_json(env, "topic", "list")["topics"]
    orders = cli_json(env, "topic", "describe", "orders")
    r = cli(env, *args, ok=False)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert expect in r.stderr, r.stderr
    assert cli_json(env, "topic", "list")["topics"] == topics
    assert cli_json(env, "topic", "describe", "orders")["configs"] == orders["configs"]
    assert len(topic_meta(env, "orders")["partitions"]) == len(orders["partitions"])


def test_malformed_json_is_refused(env):
    base = f"http://127.0.0.1:{env['vars']['FRAMEWORK_PORT']}"
    req = urllib.request.Request(base + "/v1/topics", data=b'{"name": "x", ', method="POST",
                                 headers={"Authorization": env["api"].auth,
                                          "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=30)
        raise AssertionError("accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 400
        assert "not valid JSON" in json.loads(e.read())["error"]
    assert "x" not in cli_json(env, "topic", "list")["topics"]


def test_usage_errors_exit_two(env):
    assert cli(env, "topic", "partitions", "orders", "many", ok=False).returncode == 2
    assert cli(env, "topic", "frobnicate", ok=False).returncode == 2


# --- restarts ------------------------------------------------------------------------------------

def leader_of(env, topic):
    return cli_json(env, "topic", "describe", topic)["partitions"][0]["leader"]


def test_restart_that_would_make_a_partition_unavailable_is_refused_unless_forced(env):
    api = env["api"]
    cli(env, "topic", "create", "solo", "--partitions", "1", "--replication", "1")
    wait_until(lambda: topic_meta(env, "solo"), 30, "solo created")
    broker, = wait_until(lambda: (b := leader_of(env, "solo")) is not None and b >= 0 and (b,), 30,
                         "solo has a leader")
    task = api.member(f"kafka-{broker}")["task_id"]
    r = cli(env, "broker", "restart", str(broker), ok=False)
    assert r.returncode == 1 and "solo-0" in r.stderr, r.stderr
    # The refusal is decided before anything is done: no kill was ever sent for the task.
    assert not [c for c in env["sim"].calls() if c.get("type") == "KILL"
                and task in json.dumps(c.get("call"))], "killed although refused"
    assert api.member(f"kafka-{broker}")["task_id"] == task, "restarted although refused"
    assert cli_json(env, "topic", "unavailable")["partitions"] == []

    seen_offline = []

    def watch():
        deadline = time.time() + scaled(120)
        while time.time() < deadline and not seen_offline:
            parts = cli_json(env, "topic", "unavailable")["partitions"]
            if any(p["topic"] == "solo" for p in parts):
                seen_offline.append(parts)
            time.sleep(0.3)
    watcher = threading.Thread(target=watch)
    watcher.start()
    r = cli(env, "broker", "restart", str(broker), "--force", timeout=300)
    watcher.join()
    assert api.member(f"kafka-{broker}")["task_id"] != task
    assert seen_offline, "solo-0 never showed as unavailable while its only broker restarted"
    plan = cli_json(env, "plan")["plan"]
    assert plan["state"] == "done" and plan["force"] is True
    wait_until(lambda: cli_json(env, "topic", "unavailable")["partitions"] == [], 60,
               "solo available again")
    cli(env, "topic", "delete", "solo")
    wait_until(lambda: topic_meta(env, "solo") is None, 60, "solo deleted")


def test_rolling_restart_under_an_acks_all_producer_loses_nothing(env):
    api = env["api"]
    cli(env, "topic", "create", "safe", "--partitions", "3", "--replication", "3",
        "--config", "min.insync.replicas=2")
    wait_until(lambda: topic_meta(env, "safe"), 30, "safe created")
    wait_until(lambda: cli_json(env, "topic", "under-replicated")["partitions"] == [], 120,
               "no under-replicated partition before the restart")
    tasks_before = {b: api.member(f"kafka-{b}")["task_id"] for b in range(3)}
    controller = cli_json(env, "broker", "list")["controller"]
    assert controller in (0, 1, 2)
    expected_order = [b for b in range(3) if b != controller] + [controller]
    acked, unsure, failures, stop = [], [], [], threading.Event()

    def producer():
        batch = 0
        while not stop.is_set():
            msgs = [f"s-{batch:05d}-{i:02d}" for i in range(20)]
            r = kcat(["-b", bootstrap(env), "-P", "-t", "safe", "-X", "acks=all",
                      "-X", "message.timeout.ms=60000", "-X", "enable.idempotence=true"],
                     input="".join(m + "\n" for m in msgs), timeout=120)
            # kcat exits 0 and says nothing of its messages when every one was acknowledged;
            # a broker going away only adds connection notices, which do not lose a message.
            ok = r.returncode == 0 and "Delivery failed" not in r.stderr
            (acked if ok else unsure).extend(msgs)
            if not ok:
                failures.append(r.stderr[-500:])
            batch += 1
            time.sleep(0.05)
    log_before = len(env["sched"].output())
    thread = threading.Thread(target=producer)
    thread.start()
    try:
        wait_until(lambda: len(acked) >= 100 or not thread.is_alive(), 120,
                   "the producer acknowledged before the restart")
        r = cli(env, "broker", "restart", "--all", timeout=900)
    finally:
        stop.set()
        thread.join()
    assert "kafka-0" in r.stdout and "kafka-2" in r.stdout, r.stdout
    plan = cli_json(env, "plan")["plan"]
    # By id, the controller last: it moves once, to a broker already restarted.
    assert plan["state"] == "done" and [s["broker"] for s in plan["steps"]] == expected_order
    assert all(s["state"] == "done" for s in plan["steps"])
    for b in range(3):
        assert api.member(f"kafka-{b}")["task_id"] != tasks_before[b]
        assert api.member(f"kafka-{b}")["failures"] == 0
    # One restart at a time: each new launch comes after the previous broker registered again.
    out = env["sched"].output()[log_before:]
    order = [out.index(f"kafka-{b} restarted: registered") for b in expected_order]
    assert order == sorted(order)
    held = consume(bootstrap(env), "safe", len(acked))
    lost = sorted(set(acked) - set(held))
    print(f"rolling restart: {len(acked)} messages acknowledged, {len(unsure)} not, "
          f"{len(held)} held, {len(lost)} acknowledged but lost; failures: {failures[:2]}")
    assert len(acked) >= 200, "the producer barely ran"
    assert lost == []


def test_a_second_restart_while_one_runs_is_refused_and_every_call_was_valid(env):
    r = cli(env, "broker", "restart", "2", "--no-wait")
    r2 = cli(env, "broker", "restart", "0", ok=False)
    assert r2.returncode == 1 and "under way" in r2.stderr, r2.stderr
    wait_until(lambda: cli_json(env, "plan")["plan"]["state"] == "done", 600, "the plan done",
               interval=2)
    code, page = env["api"].get("/")
    assert code == 200 and "Broker restart" in page and "1 broker(s) restarted" in page
    assert env["api"].status()["restart"]["state"] == "done"
    env["sim"].assert_no_rejected_calls()
    assert MESOS_PASSWORD not in env["sched"].output() and API_PASSWORD not in env["sched"].output()
    assert r.returncode == 0


def test_a_rolling_restart_carries_on_after_the_scheduler_is_sigkilled(env):
    api, sim, cluster = env["api"], env["sim"], env["cluster"]
    tasks_before = {b: api.member(f"kafka-{b}")["task_id"] for b in range(3)}
    launched_before = {tid for _, _, tid, _ in launches(sim)}
    cli(env, "broker", "restart", "--all", "--no-wait")
    wait_until(lambda: cli_json(env, "plan")["plan"]["steps"][0]["state"] == "done", 120,
               "kafka-0 restarted", interval=0.2)
    env["sched"].signal(signal.SIGKILL)
    env["sched"].exit_code()
    env["sched"]._log.close()
    state = json.loads((Path(env["vars"]["FRAMEWORK_STATEFILE_PATH"]) / "mk-ops.state.json")
                       .read_text())
    assert state["restart_plan"]["steps"][0]["state"] == "done", state.get("restart_plan")
    env["sched"] = cluster.scheduler(env["vars"], name="mesos-kafka-2")
    plan = wait_until(lambda: (p := plan_or_none(env)) and p["state"] == "done" and p, 300,
                      "the resumed plan done", interval=1)
    assert [s["state"] for s in plan["steps"]] == ["done"] * 3
    # Each broker was restarted exactly once, and none counted it as a failure.
    new = [n for _, n, tid, _ in launches(sim) if tid not in launched_before]
    assert sorted(new) == ["kafka-0", "kafka-1", "kafka-2"], new
    for b in range(3):
        m = api.member(f"kafka-{b}")
        assert m["task_id"] != tasks_before[b] and m["failures"] == 0 and m["state"] == "running"
    assert "resuming the restart of 3 broker(s)" in env["sched"].output()
    env["sim"].assert_no_rejected_calls()


def plan_or_none(env):
    try:
        return cli_json(env, "plan")["plan"]
    except (AssertionError, json.JSONDecodeError):
        return None  # the scheduler is still starting
