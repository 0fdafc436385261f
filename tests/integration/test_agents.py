"""mesos-sim's simulated agents, with plain commands: the task lifecycle as the Docker executor reports
it, reliable updates, kills, health checks, networks, volumes, reconciliation and agent loss
(MESOS-API.md §7.8, §8, §10). test_real_tasks.py runs real ZooKeeper and Kafka the same way.
"""
import json
import time
import urllib.request

import pytest

from harness import ROOT, in_block, wait_until
from mesos_client import (SchedulerClient, docker_container, environment, offer_ports, status_ip,
                          task_info)

# A throwaway "image" whose entrypoint is env(1), so shell=false commands run as given.
TEST_IMAGE_MAP = """
busybox*    /usr/bin/env
"""

HTTP_SERVER = "exec python3 -m http.server {port} --bind $MK_BIND_ADDRESS"


@pytest.fixture
def sim(cluster, tmp_path):
    image_map = tmp_path / "images.map"
    image_map.write_text(TEST_IMAGE_MAP + (ROOT / "sim" / "images.map").read_text().replace(
        "../containers", str(ROOT / "containers")))
    s = cluster.sim(image_map=image_map, update_retry=0.5)
    yield s
    s.assert_no_rejected_calls()


@pytest.fixture
def client(sim):
    c = SchedulerClient(sim)
    yield c
    c.close()


def shell(value, env=None):
    cmd = {"shell": True, "value": value}
    if env:
        cmd["environment"] = environment(env)
    return cmd


def busybox(**kw):
    return docker_container("busybox:1.36", **kw)


def sim_task(sim, task_id):
    for fw in sim.state()["frameworks"]:
        for t in fw["tasks"]:
            if t["id"] == task_id:
                return t
    return None


def test_lifecycle_of_a_task_that_exits(client):
    offer = client.offer_on("agent1")
    client.launch(offer, [task_info("ok", offer, shell("echo hello; exit 0"), container=busybox()),
                          task_info("bad", offer, shell("exit 3"), container=busybox())])
    ok = client.wait_state("ok", "TASK_FINISHED")
    bad = client.wait_state("bad", "TASK_FAILED")
    assert client.states("ok") == ["TASK_STARTING", "TASK_RUNNING", "TASK_FINISHED"]
    assert ok["message"] == "Container exited with status 0"
    assert bad["message"] == "Container exited with status 3"
    for s in client.updates("ok"):
        assert s["source"] == "SOURCE_EXECUTOR" and s["agent_id"] == offer["agent_id"]
        assert len(base64_decode(s["uuid"])) == 16
        assert s["container_status"]["container_id"]["value"]
    # HOST network: Docker reports no address of the container's own.
    running = [s for s in client.updates("ok") if s["state"] == "TASK_RUNNING"][0]
    assert "network_infos" not in running["container_status"]
    # The Docker executor sends `docker inspect`'s output in TASK_RUNNING, and only there.
    inspect = json.loads(base64_decode(running["data"]))
    container_id = running["container_status"]["container_id"]["value"]
    assert inspect[0]["Name"] == f"/mesos-{container_id}"
    assert inspect[0]["State"]["Pid"] == running["container_status"]["executor_pid"]
    assert inspect[0]["HostConfig"]["NetworkMode"] == "host"
    assert [s["state"] for s in client.updates("ok") if "data" in s] == ["TASK_RUNNING"]


def test_command_task_is_reported_as_the_command_executor_does(client):
    offer = client.offer_on("agent2")
    client.launch(offer, [task_info("cmd-exit", offer, shell("exit 3")),
                          task_info("cmd-signal", offer, shell("kill -TERM $$"))])
    assert client.wait_state("cmd-exit", "TASK_FAILED")["message"] == "Command exited with status 3"
    signalled = client.wait_state("cmd-signal", "TASK_FAILED")
    assert signalled["message"] == "Command terminated with signal Terminated"
    assert client.states("cmd-exit") == ["TASK_STARTING", "TASK_RUNNING", "TASK_FAILED"]
    assert not [s for s in client.updates("cmd-exit") if "data" in s]  # no Docker, no inspect


def base64_decode(s):
    import base64
    return base64.b64decode(s)


def test_environment_and_sandbox(client, sim):
    offer = client.offer_on("agent2")
    client.launch(offer, [task_info("env", offer, shell('env > "$MESOS_SANDBOX/env.txt"', {"FOO": "bar"}),
                                    container=busybox())])
    client.wait_state("env", "TASK_FINISHED")
    sandbox = sim_task(sim, "env")
    env_files = list(sim.work_dir.glob("agent2/frameworks/*/executors/env/runs/*/env.txt"))
    assert len(env_files) == 1, sandbox
    env = dict(line.split("=", 1) for line in env_files[0].read_text().splitlines() if "=" in line)
    assert env["FOO"] == "bar"
    assert env["MESOS_TASK_ID"] == "env"
    assert env["MESOS_SANDBOX"] == str(env_files[0].parent)
    assert env["MESOS_CONTAINER_NAME"].startswith("mesos-")
    assert env["MESOS_FRAMEWORK_ID"] == client.framework_id
    assert env["MK_BIND_ADDRESS"] == "127.0.1.2"
    assert (env_files[0].parent / "stdout").exists() and (env_files[0].parent / "stderr").exists()


def test_unmapped_image_fails_like_a_failed_pull(client):
    offer = client.offer_on("agent1")
    client.launch(offer, [task_info("nopull", offer, shell("true"),
                                    container=docker_container("example.com/no-such-image:1"))])
    failed = client.wait_state("nopull", "TASK_FAILED")
    assert client.states("nopull") == ["TASK_FAILED"]
    assert failed["source"] == "SOURCE_AGENT"
    assert failed["reason"] == "REASON_CONTAINER_LAUNCH_FAILED"
    assert "pull example.com/no-such-image:1" in failed["message"]


def test_invalid_docker_options_fail_the_task(client):
    offer = client.offer_on("agent1")
    port = offer_ports(offer, 1)[0]
    client.launch(offer, [task_info("hostmap", offer, shell("true"), ports=[port],
                                    container=busybox(port_mappings=[(port, 80)]))])
    failed = client.wait_state("hostmap", "TASK_FAILED")
    assert failed["message"] == ("Failed to create docker run options: Port mappings are only "
                                 "supported for bridge and user-defined networks")
    # The rest of Docker::RunOptions::create's refusals, word for word.
    offer = client.offer_on("agent1")
    port = offer_ports(offer, 1)[0]
    client.launch(offer, [
        task_info("named-host", offer, shell("true"), container=busybox(hostname="x.local")),
        task_info("no-ports", offer, shell("true"),
                  container=busybox(network="BRIDGE", port_mappings=[(port, 80)])),
        task_info("no-net-name", offer, shell("true"), container=busybox(network="USER"))])
    for task_id, message in (
            ("named-host", "Unable to set hostname with host network mode"),
            ("no-ports", "Port mappings require port resources"),
            ("no-net-name", "No network info found in container info")):
        failed = client.wait_state(task_id, "TASK_FAILED")
        assert failed["message"] == "Failed to create docker run options: " + message
        assert client.states(task_id) == ["TASK_STARTING", "TASK_FAILED"]


def test_updates_are_resent_until_acknowledged(sim):
    client = SchedulerClient(sim, auto_ack=False)
    try:
        offer = client.offer_on("agent1")
        client.launch(offer, [task_info("slow", offer, shell("sleep 30"), container=busybox())])
        wait_until(lambda: len(client.updates("slow")) >= 3, 10, "resent updates")
        first = client.updates("slow")
        # Only TASK_STARTING, again and again with the same uuid: nothing newer before it is acked.
        assert {s["state"] for s in first} == {"TASK_STARTING"}
        assert len({s["uuid"] for s in first}) == 1
        client.acknowledge(first[0])
        running = client.wait_state("slow", "TASK_RUNNING")
        client.acknowledge(running)
        time.sleep(1.5)
        assert client.states("slow").count("TASK_RUNNING") == 1
        # The master's view is the latest state even while updates wait for acknowledgement.
        assert sim_task(sim, "slow")["state"] == "TASK_RUNNING"
    finally:
        client.close()


def test_kill_sends_killing_then_killed_and_escalates(client, sim):
    offer = client.offer_on("agent1")
    client.launch(offer, [task_info("stubborn", offer, shell("trap '' TERM; sleep 60 & wait; sleep 60"),
                                    container=busybox()),
                          task_info("polite", offer, shell("exec sleep 60"), container=busybox())])
    client.wait_state("stubborn", "TASK_RUNNING")
    client.wait_state("polite", "TASK_RUNNING")
    client.kill("polite")
    killed = client.wait_state("polite", "TASK_KILLED", timeout=10)
    assert client.states("polite")[-2:] == ["TASK_KILLING", "TASK_KILLED"]
    assert killed["message"] == "Container exited with status 143"
    started = time.monotonic()
    client.kill("stubborn", grace_seconds=1.0)
    client.wait_state("stubborn", "TASK_KILLED", timeout=10)
    assert time.monotonic() - started >= 0.9  # SIGKILL only after the grace period
    assert client.updates("stubborn")[-1]["message"] == "Container exited with status 137"


def test_killed_process_fails_the_task(client, sim):
    offer = client.offer_on("agent3")
    client.launch(offer, [task_info("victim", offer, shell("exec sleep 60"), container=busybox())])
    client.wait_state("victim", "TASK_RUNNING")
    sim.control("/control/task/signal?task=victim&signal=KILL")
    failed = client.wait_state("victim", "TASK_FAILED", timeout=10)
    assert failed["message"] == "Container exited with status 137"


def test_resources_come_back_when_the_task_ends(client):
    offer = client.offer_on("agent1")
    cpus = next(r["scalar"]["value"] for r in offer["resources"] if r["name"] == "cpus")
    client.launch(offer, [task_info("short", offer, shell("sleep 1"), cpus=cpus)])
    client.wait_state("short", "TASK_FINISHED", timeout=10)
    # The offer made while the task ran had no cpus (Mesos never offers an empty resource); give it
    # back to see the next one.
    with client.lock:
        leftover = [o for o in client.offers.values() if o["hostname"] == "agent1"]
        for o in leftover:
            client.offers.pop(o["id"]["value"])
    assert all(not any(r["name"] == "cpus" for r in o["resources"]) for o in leftover)
    if leftover:
        client.call({"type": "DECLINE", "decline": {"offer_ids": [o["id"] for o in leftover],
                                                    "filters": {"refuse_seconds": 0.1}}})

    def cpus_of(o):
        return next((r["scalar"]["value"] for r in o["resources"] if r["name"] == "cpus"), 0)

    def full_offer():
        with client.lock:
            return any(o["hostname"] == "agent1" and cpus_of(o) == cpus for o in client.offers.values())
    wait_until(full_offer, 10, "agent1's cpus offered again")


def test_bridge_port_mapping_forwards_to_the_container(client, sim):
    offer = client.offer_on("agent2")
    host_port = offer_ports(offer, 1)[0]
    client.launch(offer, [task_info("web", offer, shell(HTTP_SERVER.format(port=8000)), ports=[host_port],
                                    container=busybox(network="BRIDGE", port_mappings=[(host_port, 8000)]))])
    running = client.wait_state("web", "TASK_RUNNING")
    ip = status_ip(running)
    assert ip and in_block(ip, sim.state()["container_address_block"])

    def get(url):
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status
        except OSError:
            return None
    assert wait_until(lambda: get(f"http://127.0.1.2:{host_port}/"), 15, "the forwarded port") == 200
    assert get(f"http://{ip}:8000/") == 200
    # The container listens on its own address only, not the agent's.
    assert get(f"http://127.0.1.2:8000/") is None


def test_user_network_reports_the_address_and_names_resolve(client, sim):
    offer = client.offer_on("agent3")
    client.launch(offer, [task_info("named", offer, shell("exec sleep 60"),
                                    container=busybox(network="USER", network_name="weave",
                                                      hostname="named.weave.local"))])
    running = client.wait_state("named", "TASK_RUNNING")
    ni = running["container_status"]["network_infos"][0]
    assert ni["name"] == "weave"
    ip = ni["ip_addresses"][0]["ip_address"]
    hosts = (sim.work_dir / "hosts").read_text()
    assert f"{ip} named.weave.local" in hosts
    assert "127.0.1.1 agent1" in hosts
    client.kill("named")
    client.wait_state("named", "TASK_KILLED", timeout=10)
    wait_until(lambda: "named.weave.local" not in (sim.work_dir / "hosts").read_text(), 5,
               "the name removed")


def test_volume_outlives_the_task(client, sim):
    volume = {"container_path": "data", "mode": "RW",
              "source": {"type": "DOCKER_VOLUME", "docker_volume": {"name": "keep"}}}
    offer = client.offer_on("agent1")
    client.launch(offer, [task_info("writer", offer, shell('echo kept > "$MESOS_SANDBOX/data/file"'),
                                    container=busybox(volumes=[volume]))])
    client.wait_state("writer", "TASK_FINISHED")
    offer = client.offer_on("agent1")
    client.launch(offer, [task_info("reader", offer, shell('grep -q kept "$MESOS_SANDBOX/data/file"'),
                                    container=busybox(volumes=[volume]))])
    client.wait_state("reader", "TASK_FINISHED")
    assert (sim.work_dir / "agent1" / "docker-volumes" / "keep" / "file").read_text() == "kept\n"


def test_health_checks_report_and_kill(client):
    offer = client.offer_on("agent1")
    port = offer_ports(offer, 1)[0]
    http_check = {"type": "HTTP", "http": {"port": port, "path": "/"}, "delay_seconds": 0.2,
                  "interval_seconds": 0.3, "grace_period_seconds": 5, "timeout_seconds": 2}
    failing = {"type": "COMMAND", "command": {"value": "exit 1"}, "delay_seconds": 0,
               "interval_seconds": 0.3, "grace_period_seconds": 0, "consecutive_failures": 2}
    client.launch(offer, [
        task_info("healthy", offer, shell(HTTP_SERVER.format(port=port)), ports=[port],
                  container=busybox(), health_check=http_check),
        task_info("sick", offer, shell("exec sleep 60"), container=busybox(), health_check=failing)])
    healthy = wait_until(lambda: next((s for s in client.updates("healthy") if s.get("healthy")), None),
                         20, "a healthy update")
    assert healthy["state"] == "TASK_RUNNING"
    assert healthy["reason"] == "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"
    killed = client.wait_state("sick", "TASK_KILLED", timeout=20)
    assert killed["healthy"] is False
    unhealthy = [s for s in client.updates("sick") if s["state"] == "TASK_RUNNING" and "healthy" in s]
    assert unhealthy and all(s["healthy"] is False for s in unhealthy)


def test_healthy_is_only_on_health_updates_and_a_health_kill(client):
    offer = client.offer_on("agent2")
    passing = {"type": "COMMAND", "command": {"value": "true"}, "delay_seconds": 0,
               "interval_seconds": 0.3, "grace_period_seconds": 0}
    failing = {"type": "COMMAND", "command": {"value": "exit 1"}, "delay_seconds": 0,
               "interval_seconds": 0.3, "grace_period_seconds": 0, "consecutive_failures": 2}
    client.launch(offer, [
        task_info("fine", offer, shell("exec sleep 60"), container=busybox(), health_check=passing),
        task_info("ill", offer, shell("exec sleep 60"), container=busybox(), health_check=failing)])
    wait_until(lambda: any(s.get("healthy") for s in client.updates("fine")), 20, "a healthy update")
    client.kill("fine")
    client.wait_state("fine", "TASK_KILLED", timeout=10)
    client.wait_state("ill", "TASK_KILLED", timeout=20)
    for task_id in ("fine", "ill"):
        with_health = [s for s in client.updates(task_id) if "healthy" in s]
        assert with_health, task_id
        for s in with_health:
            assert (s["state"], s.get("reason")) in (
                ("TASK_RUNNING", "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED"), ("TASK_KILLED", None)), s
    assert "healthy" not in client.updates("fine")[-1]  # killed by the framework, not its check
    assert client.updates("ill")[-1]["healthy"] is False
    assert [s for s in client.updates("ill") if s["state"] == "TASK_KILLING" and "healthy" not in s]


def test_invalid_task_is_task_error(client, sim):
    offer = client.offer_on("agent1")
    bad = {"type": "HTTP", "http": {"port": 8080, "path": "no-slash"}}
    client.launch(offer, [task_info("invalid", offer, shell("true"), container=busybox(),
                                    health_check=bad)])
    error = client.wait_state("invalid", "TASK_ERROR")
    assert error["reason"] == "REASON_TASK_INVALID" and error["source"] == "SOURCE_MASTER"
    assert error["message"] == ("Task uses invalid health check: The path 'no-slash' of HTTP "
                                "health check must start with '/'")
    assert "uuid" not in error
    assert sim_task(sim, "invalid") is None


def test_reconciliation_answers_from_the_processes(client, sim):
    offer = client.offer_on("agent2")
    client.launch(offer, [task_info("long", offer, shell("exec sleep 60"), container=busybox()),
                          task_info("quick", offer, shell("exit 0"), container=busybox())])
    client.wait_state("long", "TASK_RUNNING")
    client.wait_state("quick", "TASK_FINISHED")
    client.reconcile(["long", "never-launched"])
    wait_until(lambda: len([s for s in client.updates("long") + client.updates("never-launched")
                            if s.get("reason") == "REASON_RECONCILIATION"]) >= 2, 10, "both answers")
    by_id = {s["task_id"]["value"]: s for s in client.updates("long") + client.updates("never-launched")
             if s.get("reason") == "REASON_RECONCILIATION"}
    assert by_id["long"]["state"] == "TASK_RUNNING" and "uuid" not in by_id["long"]
    assert by_id["long"]["container_status"]["container_id"]["value"]
    assert by_id["never-launched"]["state"] == "TASK_UNKNOWN"
    # Implicit reconciliation: the finished (and acknowledged) task is gone from the master.
    before = len(client.of_type("UPDATE"))
    client.reconcile()

    def implicit():
        return [e["update"]["status"] for e in client.of_type("UPDATE")[before:]]
    wait_until(implicit, 30, "the implicit reconciliation's answer")
    assert {s["task_id"]["value"] for s in implicit()} == {"long"}


def test_agent_loss_and_return(client, sim):
    offer = client.offer_on("agent3")
    client.launch(offer, [task_info("on-lost", offer, shell("exec sleep 60"), container=busybox())])
    client.wait_state("on-lost", "TASK_RUNNING")
    pid = sim_task(sim, "on-lost")["pid"]
    sim.control("/control/agent/lose?agent=agent3")
    lost = client.wait_state("on-lost", "TASK_UNREACHABLE", timeout=10)
    assert lost["source"] == "SOURCE_MASTER" and lost["reason"] == "REASON_AGENT_REMOVED"
    assert "uuid" not in lost and lost["unreachable_time"]["nanoseconds"] > 0
    client.wait_event("FAILURE", predicate=lambda e: e["failure"]["agent_id"] == offer["agent_id"])
    wait_until(lambda: not process_alive(pid), 5, "the task's process to die with its agent")
    client.reconcile(["on-lost"])
    wait_until(lambda: [s for s in client.updates("on-lost")
                        if s.get("message") == "Reconciliation: Task is unreachable"], 10,
               "an unreachable reconciliation answer")
    time.sleep(1)
    with client.lock:
        assert not [o for o in client.offers.values() if o["hostname"] == "agent3"]
    sim.control("/control/agent/return?agent=agent3")
    client.offer_on("agent3")
    # The agent never recovered the task of a framework that does not checkpoint: no update says
    # so (the master sends none of its own), only explicit reconciliation does.
    assert client.states("on-lost")[-1] == "TASK_UNREACHABLE"
    client.reconcile(["on-lost"], agent_id=offer["agent_id"])
    gone = client.wait_state("on-lost", "TASK_GONE", timeout=10)
    assert gone["source"] == "SOURCE_MASTER" and gone["reason"] == "REASON_RECONCILIATION"
    assert gone["message"] == "Reconciliation: Task is unknown to the agent" and "uuid" not in gone
    assert sim_task(sim, "on-lost") is None


def test_agent_return_with_checkpointing(sim):
    client = SchedulerClient(sim, name="checkpointing", checkpoint=True, auto_ack=False)
    try:
        offer = client.offer_on("agent2")
        client.launch(offer, [task_info("kept", offer, shell("exec sleep 60"), container=busybox())])
        for state in ("TASK_STARTING", "TASK_RUNNING"):
            client.acknowledge(client.wait_state("kept", state))
        sim.control("/control/agent/lose?agent=agent2")
        client.wait_state("kept", "TASK_UNREACHABLE", timeout=10)
        sim.control("/control/agent/return?agent=agent2")
        # The agent recovers the task, finds its container dead and says so, reliably; the master
        # first passes on the state the re-registering agent reports.
        wait_until(lambda: len([s for s in client.updates("kept") if s["state"] == "TASK_FAILED"]) >= 3,
                   10, "the terminal update, resent")
        failed = [s for s in client.updates("kept") if s["state"] == "TASK_FAILED"]
        master, agent = failed[0], failed[1]
        assert master["source"] == "SOURCE_MASTER" and "uuid" not in master
        assert master["reason"] == "REASON_AGENT_REREGISTERED"
        assert master["message"] == "Unreachable agent re-reregistered"
        assert agent["source"] == "SOURCE_AGENT" and agent["reason"] == "REASON_EXECUTOR_TERMINATED"
        assert agent["message"] == "Container terminated" and len(base64_decode(agent["uuid"])) == 16
        assert {s["uuid"] for s in failed[1:]} == {agent["uuid"]}  # resent until acknowledged
        assert not [s for s in client.updates("kept") if s["state"] == "TASK_GONE"]
        client.acknowledge(agent)
        wait_until(lambda: sim_task(sim, "kept") is None, 10, "the task forgotten once acknowledged")
    finally:
        client.close()


def test_partition_keeps_the_task_running_and_heals_silently(client, sim):
    offer = client.offer_on("agent3")
    client.launch(offer, [task_info("cut-off", offer, shell("exec sleep 120"), container=busybox())])
    client.wait_state("cut-off", "TASK_RUNNING")
    pid = sim_task(sim, "cut-off")["pid"]
    sim.control("/control/agent/partition?agent=agent3")
    lost = client.wait_state("cut-off", "TASK_UNREACHABLE", timeout=10)
    assert lost["source"] == "SOURCE_MASTER" and lost["reason"] == "REASON_AGENT_REMOVED"
    assert "uuid" not in lost and lost["unreachable_time"]["nanoseconds"] > 0
    client.wait_event("FAILURE", predicate=lambda e: e["failure"]["agent_id"] == offer["agent_id"])
    assert process_alive(pid), "a partition killed the task's process"
    # A kill cannot reach the agent: nothing happens, and the master still says unreachable.
    client.kill("cut-off")
    client.reconcile(["cut-off"])
    wait_until(lambda: [s for s in client.updates("cut-off")
                        if s.get("message") == "Reconciliation: Task is unreachable"], 10,
               "an unreachable reconciliation answer")
    assert process_alive(pid) and "TASK_KILLED" not in client.states("cut-off")
    n_updates = len(client.updates("cut-off"))
    sim.control("/control/agent/heal?agent=agent3")
    # The agent re-registers with its task: a partition-aware framework gets no update of it, only
    # reconciliation tells that it runs.
    client.offer_on("agent3")
    assert len(client.updates("cut-off")) == n_updates
    client.reconcile(["cut-off"])
    running = wait_until(lambda: [s for s in client.updates("cut-off")[n_updates:]
                                  if s["state"] == "TASK_RUNNING"], 10, "a running answer")[0]
    assert running["reason"] == "REASON_RECONCILIATION" and "uuid" not in running
    assert process_alive(pid)
    client.kill("cut-off")
    client.wait_state("cut-off", "TASK_KILLED", timeout=10)
    wait_until(lambda: not process_alive(pid), 10, "the task's process to end")


def test_agent_loss_without_partition_awareness(sim):
    client = SchedulerClient(sim, name="old-style", capabilities=())
    try:
        offer = client.offer_on("agent1")
        client.launch(offer, [task_info("old", offer, shell("exec sleep 60"), container=busybox())])
        client.wait_state("old", "TASK_RUNNING")
        client.kill("old")
        client.wait_state("old", "TASK_KILLED", timeout=10)
        assert "TASK_KILLING" not in client.states("old")  # no TASK_KILLING_STATE capability
        offer = client.offer_on("agent1")
        client.launch(offer, [task_info("old2", offer, shell("exec sleep 60"), container=busybox())])
        client.wait_state("old2", "TASK_RUNNING")
        sim.control("/control/agent/lose?agent=agent1")
        client.wait_state("old2", "TASK_LOST", timeout=10)
    finally:
        client.close()


def process_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_simulators_on_one_machine_never_share_container_addresses(cluster, sim):
    other = cluster.sim(name="other", image_map=sim.call_log.parent / "images.map")
    blocks = [s.state()["container_address_block"] for s in (sim, other)]
    assert blocks[0] != blocks[1] and all(b.endswith(".0.0/16") for b in blocks)
    ips = []
    for s, block in zip((sim, other), blocks):
        client = SchedulerClient(s)
        try:
            offer = client.offer_on("agent1")
            client.launch(offer, [task_info("own-ip", offer, shell("exec sleep 60"),
                                            container=busybox(network="NONE"))])
            ip = status_ip(client.wait_state("own-ip", "TASK_RUNNING"))
            assert in_block(ip, block), (ip, block)
            ips.append(ip)
        finally:
            client.close()
    assert ips[0] != ips[1]
    # A block asked for by name is refused while another simulator holds it...
    with pytest.raises(AssertionError):
        cluster.sim(name="clash", extra=["--container-address-block", blocks[1]])
    assert "is in use by another mesos-sim" in (sim.call_log.parent / "clash.log").read_text()
    # ...and used when free.
    free = next(f"127.{n}.0.0/16" for n in range(200, 256)
                if f"127.{n}.0.0/16" not in blocks)
    third = cluster.sim(name="third", extra=["--container-address-block", free])
    assert third.state()["container_address_block"] == free


def test_bad_image_map_stops_start_up(cluster, tmp_path):
    bad = tmp_path / "bad.map"
    bad.write_text("zookeeper ./no-such-launcher.sh\n")
    with pytest.raises(AssertionError):
        cluster.sim(image_map=bad)
    log = (tmp_path / "sim.log").read_text()
    assert "no-such-launcher.sh is not an executable file" in log


def test_sim_stop_leaves_no_process(cluster, tmp_path):
    s = cluster.sim(image_map=None)
    client = SchedulerClient(s)
    offer = client.offer_on("agent1")
    client.launch(offer, [task_info("orphan", offer, {"shell": True, "value": "exec sleep 300"})])
    client.wait_state("orphan", "TASK_RUNNING")
    pid = sim_task(s, "orphan")["pid"]
    client.close()
    s.stop()
    assert not process_alive(pid)
