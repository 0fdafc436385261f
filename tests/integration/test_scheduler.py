"""The scheduler runs a real cluster on mesos-sim (issue 4's acceptance).

One cluster for the module, driven through a story an operator would live: three ZooKeeper servers
then three Kafka brokers come up, clients produce and consume through the advertised addresses, a
broker dies and comes back (repeatedly, with growing delays), the scheduler itself is SIGKILLed and
restarted, the API refuses bad input, and both kinds are scaled up and down. The tests run in file
order and each leaves the cluster as the next expects it.
"""
import json
import re
import signal
import time
from pathlib import Path

import pytest

from conftest import Cluster
from harness import Pki, wait_until
from scheduler_api import (MESOS_PASSWORD, Api, framework_env, launches, registered, sim_tasks,
                           wait_offers_answered)
from servers import consume, produce, zk_get_data

MESSAGES = [f"m-{i:04d}" for i in range(500)]
TOPIC = "acceptance"
CHROOT = "/mk-test"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """mesos-sim with five agents over HTTPS with auth, and mesos-kafka on it."""
    workdir = tmp_path_factory.mktemp("scheduler")
    pki = Pki(workdir / "pki")
    cluster = Cluster(workdir)
    try:  # stopped even when the start fails
        sim = cluster.sim(pki=pki, credentials=[f"kafka:{MESOS_PASSWORD}"], agents=5,
                          update_retry=1)
        vars_ = framework_env(sim, pki, workdir / "state")
        sched = cluster.scheduler(vars_)
        yield {"cluster": cluster, "sim": sim, "sched": sched, "vars": vars_, "workdir": workdir,
               "api": Api(vars_["FRAMEWORK_PORT"])}
    finally:
        cluster.stop_all()


def wait_cluster(api, timeout=240):
    return wait_until(lambda: registered(api), timeout, "every broker registered", interval=1)


def zk_connect(api):
    return api.status()["zookeeper"]["connect"]


def zk_data(connect, path):
    try:
        return zk_get_data(connect, path)
    except (OSError, ConnectionError):
        return None


def state_file(env):
    return Path(env["workdir"]) / "state" / "mk-test.state.json"


# --- bring-up ------------------------------------------------------------------------------------

def test_zookeeper_then_kafka_come_up(env):
    api, sim = env["api"], env["sim"]
    st = wait_cluster(api)
    names = [name for _, name, _, _ in launches(sim)]
    assert sorted(names[:3]) == ["zookeeper-1", "zookeeper-2", "zookeeper-3"], names
    assert sorted(names[3:6]) == ["kafka-0", "kafka-1", "kafka-2"], names
    # The ensemble was placed in one round of offers, on three agents.
    zk = [(t, a) for t, n, _, a in launches(sim)[:3]]
    assert max(t for t, _ in zk) - min(t for t, _ in zk) < 1.0
    assert len({a for _, a in zk}) == 3
    # Brokers only after the scheduler's own client saw a quorum.
    out = env["sched"].output()
    assert out.index("ZooKeeper quorum answers") < out.index("launching kafka-0")
    for m in st["members"]:
        assert m["state"] == "running", m
        assert re.fullmatch(rf"{m['name']}\.[0-9a-f-]{{36}}", m["task_id"])
    for b in range(3):
        reg = json.loads(zk_data(zk_connect(api), f"/brokers/ids/{b}"))
        member = api.member(f"kafka-{b}")
        assert f"{member['hostname']}:{member['ports'][0]}" in reg["endpoints"][0]


def test_kcat_through_the_advertised_addresses_with_replication_three(env):
    api = env["api"]
    bootstrap = api.status()["kafka"]["bootstrap"]
    assert bootstrap.count(",") == 2 and "agent" in bootstrap
    produce(bootstrap, TOPIC, MESSAGES)
    assert sorted(consume(bootstrap, TOPIC, len(MESSAGES))) == sorted(MESSAGES)
    topic = json.loads(zk_data(zk_connect(api), f"/brokers/topics/{TOPIC}"))
    assert len(topic["partitions"]) == 3
    for replicas in topic["partitions"].values():
        assert sorted(replicas) == [0, 1, 2]


def test_health_and_status_page(env):
    api = env["api"]
    code, body = api.get("/health", auth=False)
    assert code == 200 and body["status"] == "ok"
    code, page = api.get("/")
    assert code == 200 and "kafka-2" in page and "zookeeper-3" in page
    member = wait_until(lambda: (m := api.member("kafka-1"))["healthy"] and m, 60,
                        "kafka-1's health check to pass", interval=0.5)
    code, body = api.get(f"/v0/container/{member['task_id']}")
    assert code == 200
    assert body["name"] == "kafka-1" and body["task_state"] == "TASK_RUNNING"
    assert body["healthy"] is True and body["agent_id"] == member["agent_id"]
    assert body["address"] == f"{member['hostname']}:{member['ports'][0]}"


# --- bad input changes nothing -------------------------------------------------------------------

@pytest.mark.parametrize("path,code", [
    ("/v0/kafka/scale/abc", 400), ("/v0/kafka/scale/-1", 400), ("/v0/kafka/scale/100000", 400),
    ("/v0/zookeeper/scale/4", 400), ("/v0/brokers/scale/3", 404), ("/v0/container/nope", 404),
    ("/v0/task/kill/kafka-9.0000", 404), ("/v0/nothing", 404),
])
def test_bad_input_gets_an_error_and_changes_nothing(env, path, code):
    api = env["api"]
    before = state_file(env).read_text()
    members_before = [(m["name"], m["task_id"]) for m in api.status()["members"]]
    status, body = api.get(path)
    assert status == code, body
    assert isinstance(body, dict) and body.get("error")
    assert [(m["name"], m["task_id"]) for m in api.status()["members"]] == members_before
    after = json.loads(state_file(env).read_text())
    assert after["desired"] == json.loads(before)["desired"]


def test_changes_need_credentials(env):
    api = env["api"]
    status, _ = api.get("/v0/kafka/scale/4", auth=False)
    assert status == 401
    status, _ = Api(env["vars"]["FRAMEWORK_PORT"], password="wrong").get("/v0/kafka/scale/4")
    assert status == 401
    assert api.status()["kafka"]["desired"] == 3


# --- a broker dies -------------------------------------------------------------------------------

def test_a_killed_broker_comes_back_on_its_agent_with_its_data_after_growing_delays(env):
    api, sim = env["api"], env["sim"]
    before = api.member("kafka-1")
    delays = []
    for attempt in range(3):
        current = api.member("kafka-1")
        killed_at = time.time()
        sim.control(f"/control/task/signal?task={current['task_id']}&signal=KILL")
        back = wait_until(lambda: (m := api.member("kafka-1")) and m["task_id"] != current["task_id"]
                          and m["state"] == "running" and m, 120, "kafka-1 back", interval=0.5)
        started = [t for t, n, tid, _ in launches(sim) if tid == back["task_id"]][0]
        delays.append(started - killed_at)
        assert back["agent_id"] == before["agent_id"] and back["ports"] == before["ports"]
        assert back["failures"] == attempt + 1
    # FAILOVER_DELAY=2s doubling: 2, 4, 8 (less the moment the failure took to be seen).
    assert delays[0] >= 1.5 and delays[1] >= 3.5 and delays[2] >= 7.5, delays
    assert delays[0] < delays[1] < delays[2], delays
    # Same broker id, same data: the volume on that agent still holds the topic's log.
    wait_cluster(api)
    member = api.member("kafka-1")
    assert consume(f"{member['hostname']}:{member['ports'][0]}", TOPIC, len(MESSAGES))
    assert "failure 3 in a row, restarting in 8.0 s" in env["sched"].output()
    code, page = api.get("/")
    assert "TASK_FAILED" in page


def test_kill_through_the_api_stays_down_until_reflate(env):
    api = env["api"]
    member = api.member("kafka-2")
    code, body = api.call(f"/v0/task/kill/{member['task_id']}", method="POST")
    assert code == 200, body
    wait_until(lambda: api.member("kafka-2")["state"] == "stopped", 90, "kafka-2 stopped")
    # It must not come back by itself: no launch timer, and the freed resources offered again are
    # declined.
    stopped_at = time.time()
    assert api.member("kafka-2")["next_launch_in_s"] is None
    wait_offers_answered(env["sim"], stopped_at)
    assert api.member("kafka-2")["state"] == "stopped"
    assert not [n for t, n, _, _ in launches(env["sim"]) if n == "kafka-2" and t > stopped_at]
    code, body = api.get("/v0/kafka/reflate")
    assert code == 200 and body["scheduled"] == ["kafka-2"]
    wait_until(lambda: api.member("kafka-2")["task_id"] not in (None, member["task_id"]), 60,
               "kafka-2 relaunched")
    wait_cluster(api)
    assert api.member("kafka-2")["agent_id"] == member["agent_id"]


# --- the scheduler dies --------------------------------------------------------------------------

def test_sigkilled_scheduler_restarts_without_relaunching(env):
    api, sim, cluster = env["api"], env["sim"], env["cluster"]
    tasks_before = {m["name"]: m["task_id"] for m in api.status()["members"]}
    n_launches = len(launches(sim))
    env["sched"].signal(signal.SIGKILL)
    env["sched"].exit_code()
    env["sched"]._log.close()
    doc = json.loads(state_file(env).read_text())
    assert doc["schema_version"] == 1 and len(doc["members"]) == 6
    assert state_file(env).stat().st_mode & 0o777 == 0o600
    assert MESOS_PASSWORD not in state_file(env).read_text()
    restarted_at = time.time()
    env["sched"] = cluster.scheduler(env["vars"], name="mesos-kafka-2")
    env["sched"].wait_for_output("reconciling", timeout=60)
    st = wait_cluster(api, timeout=120)
    wait_offers_answered(sim, restarted_at)
    assert len(launches(sim)) == n_launches, "a task was relaunched"
    assert {m["name"]: m["task_id"] for m in st["members"]} == tasks_before
    running = {t["id"]: t["state"] for t in sim_tasks(sim) if t["state"] == "TASK_RUNNING"}
    assert set(running) == set(tasks_before.values())


# --- scaling -------------------------------------------------------------------------------------

def test_scale_kafka_up_and_down_refusing_brokers_with_replicas(env):
    api = env["api"]
    code, body = api.call("/v0/kafka/scale/5", method="POST")
    assert code == 200 and body["count"] == 5, body
    wait_cluster(api)
    assert api.status()["kafka"]["registered"] == 5
    # Brokers 3 and 4 hold nothing: 5 -> 3 removes them.
    code, body = api.get("/v0/kafka/scale/3")
    assert code == 200 and body["removing"] == ["kafka-3", "kafka-4"], body
    wait_until(lambda: len(api.status()["members"]) == 6, 120, "brokers 3 and 4 removed")
    # Broker 2 holds replicas of the topic: 3 -> 2 is refused, with the partitions named.
    code, body = api.get("/v0/kafka/scale/2")
    assert code == 409, body
    assert {p["topic"] for p in body["partitions"]} >= {TOPIC}
    assert api.status()["kafka"]["desired"] == 3
    # A scale to the count already desired changes nothing and says so: 200, no change logged.
    log_before = len(env["sched"].output())
    code, body = api.call("/v0/kafka/scale/3", method="POST")
    assert code == 200 and body["unchanged"] is True and body["count"] == 3, body
    assert "scale kafka" not in env["sched"].output()[log_before:]


def test_scale_zookeeper_up_and_down_keeping_a_quorum(env):
    api = env["api"]
    code, body = api.call("/v0/zookeeper/scale/5", method="POST")
    assert code == 200, body

    def five_with_new_list():
        st = api.status()
        zk = [m for m in st["members"] if m["kind"] == "zookeeper"]
        return (len(zk) == 5 and all(m["state"] == "running" for m in zk)
                and st["zookeeper"]["settled"] and st["zookeeper"]["connect"].count(",") == 4)
    wait_until(five_with_new_list, 300, "five ZooKeeper servers", interval=1)
    code, body = api.get("/v0/zookeeper/scale/3")
    assert code == 200 and body["removing"] == ["zookeeper-4", "zookeeper-5"], body

    def three():
        st = api.status()
        zk = [m for m in st["members"] if m["kind"] == "zookeeper"]
        return (len(zk) == 3 and all(m["state"] == "running" for m in zk)
                and st["zookeeper"]["settled"])
    wait_until(three, 300, "three ZooKeeper servers", interval=1)
    # The brokers never lost their registration for long, and the data is still readable.
    wait_cluster(api)
    assert sorted(consume(api.status()["kafka"]["bootstrap"], TOPIC, len(MESSAGES))) == sorted(MESSAGES)


# --- an agent is lost ----------------------------------------------------------------------------

def test_members_of_an_unreachable_agent_are_replaced_after_the_timeout(env):
    api, sim = env["api"], env["sim"]
    broker = api.member("kafka-2")
    agent = broker["hostname"]
    others = {m["name"] for m in api.status()["members"] if m["hostname"] == agent}
    sim.control(f"/control/agent/lose?agent={agent}")
    wait_until(lambda: api.member("kafka-2")["state"] == "unreachable", 30, "kafka-2 unreachable")
    # UNREACHABLE_TIMEOUT=10s: then each member of that agent starts afresh elsewhere.
    def moved():
        st = api.status()
        mine = [m for m in st["members"] if m["name"] in others]
        return (all(m["hostname"] != agent and m["state"] == "running" for m in mine)
                and st["zookeeper"]["settled"] and st["kafka"]["registered"] == 3)
    wait_until(moved, 240, f"the members of {agent} replaced", interval=1)
    assert "unreachable for" in env["sched"].output()
    # The agent comes back: its old tasks are gone, nothing runs twice.
    sim.control(f"/control/agent/return?agent={agent}")
    members = sorted(m["name"] for m in api.status()["members"])
    wait_until(lambda: sorted(t["name"] for t in sim_tasks(sim)) == members, 60,
               "the old tasks of the returned agent gone")
    assert all(t["state"] == "TASK_RUNNING" for t in sim_tasks(sim))
    assert sorted(consume(api.status()["kafka"]["bootstrap"], TOPIC, len(MESSAGES))) == sorted(MESSAGES)


def test_a_member_cut_off_by_a_partition_is_replaced_and_its_old_task_killed_on_return(env):
    api, sim = env["api"], env["sim"]
    broker = api.member("kafka-1")
    agent, old_task = broker["hostname"], broker["task_id"]
    others = {m["name"] for m in api.status()["members"] if m["hostname"] == agent}
    sim.control(f"/control/agent/partition?agent={agent}")
    # Cut off, the old broker goes on and keeps its registration; the replacement is launched
    # elsewhere after UNREACHABLE_TIMEOUT, but cannot register while the old one holds the id.
    wait_until(lambda: (m := api.member("kafka-1"))["task_id"] not in (None, old_task)
               and m["hostname"] != agent, 120, "kafka-1 replaced elsewhere", interval=0.5)
    assert any(t["id"] == old_task and t["unreachable"] for t in sim_tasks(sim))
    sim.control(f"/control/agent/heal?agent={agent}")
    # Back in reach, nothing tells of the old task but reconciliation: it is found and killed.
    wait_until(lambda: not [t for t in sim_tasks(sim) if t["id"] == old_task
                            and t["state"] in ("TASK_RUNNING", "TASK_KILLING")], 120,
               "the old kafka-1 task killed", interval=0.5)
    assert "its member was replaced on another agent" in env["sched"].output()

    def whole():
        st = api.status()
        mine = [m for m in st["members"] if m["name"] in others]
        running = sorted(t["name"] for t in sim_tasks(sim) if t["state"] == "TASK_RUNNING")
        return (all(m["hostname"] != agent and m["state"] == "running" for m in mine)
                and st["kafka"]["registered"] == 3 and st["zookeeper"]["settled"]
                and running == sorted(m["name"] for m in st["members"]))
    wait_until(whole, 240, "the cluster whole, each member once", interval=1)
    assert sorted(consume(api.status()["kafka"]["bootstrap"], TOPIC, len(MESSAGES))) == sorted(MESSAGES)


def test_every_call_passed_validation(env):
    env["sim"].assert_no_rejected_calls()
    for name in ("mesos-kafka", "mesos-kafka-2"):
        log = (Path(env["workdir"]) / f"{name}.log")
        if log.exists():
            assert MESOS_PASSWORD not in log.read_text()
