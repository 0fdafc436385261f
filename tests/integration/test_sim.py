"""mesos-sim's own fidelity: status codes in the master's order, strict validation with no effect,
offers, filters, SUPPRESS/REVIVE, RESCIND, reconciliation and KILL answers (MESOS-API.md §1, §5, §10).

These drive the simulator with a raw HTTP client, as a scheduler would, and read the event stream.
"""
import base64
import http.client
import json
import ssl
import subprocess
import threading
import time

import pytest

from harness import BIN_DIR, wait_until
from mesos_client import records

SECRET = "sim-secret"


class Stream:
    """A SUBSCRIBE stream read on a thread: RecordIO records parsed into a list of events."""

    def __init__(self, sim, body, headers=None, pki=None):
        self.events = []
        self.conn = connection(sim, pki)
        self.conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                          {"Content-Type": "application/json", **(headers or {})})
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.stream_id = self.resp.getheader("Mesos-Stream-Id")
        self.content_type = self.resp.getheader("Content-Type")
        self.chunked = self.resp.getheader("Transfer-Encoding") == "chunked"
        self.ended = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for event in records(self.resp):
                self.events.append(event)
        except Exception:
            pass
        self.ended = True

    def of_type(self, t):
        return [e for e in self.events if e["type"] == t]

    def wait(self, t, count=1, timeout=10):
        return wait_until(lambda: len(self.of_type(t)) >= count and self.of_type(t), timeout,
                          f"{count} {t} event(s)")

    def close(self):
        self.conn.close()


def connection(sim, pki=None):
    if pki:
        ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
        return http.client.HTTPSConnection("127.0.0.1", sim.port, context=ctx, timeout=10)
    return http.client.HTTPConnection("127.0.0.1", sim.port, timeout=10)


def post(sim, body, stream_id=None, ctype="application/json", method="POST", auth=None, pki=None):
    conn = connection(sim, pki)
    headers = {}
    if ctype:
        headers["Content-Type"] = ctype
    if stream_id:
        headers["Mesos-Stream-Id"] = stream_id
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    conn.request(method, "/api/v1/scheduler", body if isinstance(body, str) else json.dumps(body),
                 headers)
    r = conn.getresponse()
    out = (r.status, r.read().decode(), dict(r.getheaders()))
    conn.close()
    return out


def subscribe_body(framework_id=None, capabilities=("MULTI_ROLE", "PARTITION_AWARE")):
    fi = {"user": "root", "name": "sim-test", "roles": ["kafka"],
          "capabilities": [{"type": c} for c in capabilities], "failover_timeout": 60.0}
    body = {"type": "SUBSCRIBE", "subscribe": {"framework_info": fi}}
    if framework_id:
        fi["id"] = {"value": framework_id}
        body["framework_id"] = {"value": framework_id}
    return body


@pytest.fixture
def subscribed(cluster):
    sim = cluster.sim(agents=2, extra=["--agent-ports", "31000-31009"])
    s = Stream(sim, subscribe_body())
    s.wait("SUBSCRIBED")
    fid = s.of_type("SUBSCRIBED")[0]["subscribed"]["framework_id"]["value"]
    yield sim, s, fid
    s.close()


def call(fid, type_, **body):
    c = {"type": type_, "framework_id": {"value": fid}}
    c.update(body)
    return c


def test_subscribe_stream_is_chunked_recordio_with_subscribed_then_heartbeat(subscribed):
    sim, s, fid = subscribed
    assert s.status == 200 and s.content_type == "application/json" and s.chunked
    assert len(s.stream_id) == 36
    assert [e["type"] for e in s.events[:2]] == ["SUBSCRIBED", "HEARTBEAT"]
    sub = s.events[0]["subscribed"]
    assert sub["heartbeat_interval_seconds"] == 1.0
    assert fid.startswith(sub["master_info"]["id"] + "-") and fid.endswith("-0000")
    assert sub["master_info"]["ip"] == 16777343
    assert sub["master_info"]["version"] == "1.11.0"
    assert sub["master_info"]["capabilities"] == [
        {"type": "AGENT_UPDATE"}, {"type": "AGENT_DRAINING"}, {"type": "QUOTA_V2"}]
    s.wait("HEARTBEAT", count=3, timeout=10)
    offers = s.wait("OFFERS")[0]["offers"]["offers"]
    agents = {o["agent_id"]["value"] for o in offers}
    assert len(agents) == 2
    res = {r["name"]: r for r in offers[0]["resources"]}
    assert res["cpus"]["role"] == "*" and res["cpus"]["allocation_info"] == {"role": "kafka"}
    assert res["ports"]["ranges"]["range"] == [{"begin": 31000, "end": 31009}]


def test_each_agent_offers_its_own_typed_attributes(cluster):
    sim = cluster.sim(agents=3, extra=["--agent-attributes", "rack:r1;cores:8",
                                       "--agent-attributes-of", "2=rack:r2;ports:[10-20,1-5]",
                                       "--agent-attributes-of", "3=rack:r3;cores:16"])
    s = Stream(sim, subscribe_body())

    def by_host():
        return {o["hostname"]: o for e in s.of_type("OFFERS") for o in e["offers"]["offers"]}
    offers = wait_until(lambda: len(by_host()) == 3 and by_host(), 10, "offers from 3 agents")
    text = lambda name, v: {"name": name, "type": "TEXT", "text": {"value": v}}
    scalar = lambda name, v: {"name": name, "type": "SCALAR", "scalar": {"value": v}}
    want = {"agent1": [text("rack", "r1"), scalar("cores", 8)],
            "agent2": [scalar("cores", 8), text("rack", "r2"),
                       {"name": "ports", "type": "RANGES",
                        "ranges": {"range": [{"begin": 1, "end": 5}, {"begin": 10, "end": 20}]}}],
            "agent3": [text("rack", "r3"), scalar("cores", 16)]}
    assert {h: o["attributes"] for h, o in offers.items()} == want
    assert {a["hostname"]: a["attributes"] for a in sim.state()["agents"]} == want
    s.close()


def test_a_bad_attribute_spec_stops_start_up(tmp_path):
    for args, message in (
            (["--agent-attributes-of", "2=ports:[1-x]"],
             "--agent-attributes-of 2 (agent2): 'ports:[1-x]': Expecting non-negative integers in "
             "'x'"),
            (["--agent-attributes-of", "4=rack:r4"],
             "--agent-attributes-of '4=rack:r4': there is no agent4 (3 agents)"),
            (["--agent-attributes", "rack:r1;colors:{a,b}"],
             "--agent-attributes (every agent): 'colors:{a,b}': Bad type for attribute colors")):
        r = subprocess.run([str(BIN_DIR / "mesos-sim"), "--port", "0", "--agents", "3",
                            "--work-dir", str(tmp_path / "agents"), *args],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and message in r.stderr, r.stderr


def test_status_codes_in_the_masters_order(cluster):
    sim = cluster.sim(credentials=[f"kafka:{SECRET}"])
    ok = f"kafka:{SECRET}"
    status, body, headers = post(sim, subscribe_body())
    assert status == 401 and body == "401 Unauthorized."
    assert headers["WWW-Authenticate"] == 'Basic realm="mesos-master-scheduler"'
    assert post(sim, subscribe_body(), auth="kafka:wrong")[0] == 401
    assert post(sim, "", method="GET", auth=ok)[0] == 405
    assert post(sim, "{}", ctype=None, auth=ok)[:2] == (400, "Expecting 'Content-Type' to be present")
    assert post(sim, "{}", ctype="application/json; charset=utf-8", auth=ok)[0] == 415
    status, body, _ = post(sim, "{not json", auth=ok)
    assert status == 400 and body.startswith("Failed to parse body into JSON")
    status, body, _ = post(sim, {"type": "SUBSCRIBE", "subscribe": {"frameworkInfo": {}}}, auth=ok)
    assert status == 400 and body.startswith("Failed to convert JSON into Call protobuf: ")
    assert "frameworkInfo" in body
    status, body, _ = post(sim, {"type": "DECLINE", "decline": {"offer_ids": []}}, auth=ok)
    assert (status, body) == (400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present")
    status, body, _ = post(sim, call("nope-0000", "SUPPRESS"), stream_id="x", auth=ok)
    assert (status, body) == (400, "Framework cannot be found")
    bad_principal = subscribe_body()
    bad_principal["subscribe"]["framework_info"]["principal"] = "other"
    status, body, _ = post(sim, bad_principal, auth=ok)
    assert (status, body) == (400, "Failed to validate scheduler::Call: Authenticated principal "
                                   "'kafka' does not match principal 'other' set in `FrameworkInfo`")
    status, body, _ = post(sim, subscribe_body(), stream_id="abc", auth=ok)
    assert status == 400 and "should not include the 'Mesos-Stream-Id'" in body

    sim.control("/control/mode?value=no-leader")
    assert post(sim, subscribe_body(), auth=ok)[:2] == (503, "No leader elected")
    sim.control("/control/mode?value=redirect&leader=m2.example:5050")
    status, _, headers = post(sim, subscribe_body(), auth=ok)
    assert status == 307 and headers["Location"] == "//m2.example:5050/master/api/v1/scheduler"
    # Authentication is checked before leadership, as libprocess does.
    assert post(sim, subscribe_body())[0] == 401
    assert [c["status"] for c in sim.calls()][-1] == 401


def test_stream_id_rules_and_disconnected_framework(subscribed):
    sim, s, fid = subscribed
    status, body, _ = post(sim, call(fid, "SUPPRESS"))
    assert status == 400 and "should include the 'Mesos-Stream-Id'" in body
    status, body, _ = post(sim, call(fid, "SUPPRESS"), stream_id="wrong")
    assert status == 400 and "didn't match the stream ID" in body
    assert post(sim, call(fid, "SUPPRESS", suppress={}), stream_id=s.stream_id)[0] == 202
    sim.control("/control/drop-stream")
    wait_until(lambda: s.ended, 10, "the stream to end")
    assert post(sim, call(fid, "REVIVE"), stream_id=s.stream_id)[:2] == (403, "Framework is not subscribed")


def offers_now(s, seen):
    new = [o for e in s.of_type("OFFERS")[seen:] for o in e["offers"]["offers"]]
    return new


def next_offer_from(s, agent_id, seen=1):
    """The first offer from that agent after the first `seen` OFFERS events."""
    def find():
        return next((o for o in offers_now(s, seen) if o["agent_id"] == agent_id), None)
    return wait_until(find, 10, "a new offer from the same agent")


def launch(fid, offer, task_id="t-1", cpus=1.0, ports=None, **extra):
    resources = [{"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}},
                 {"name": "mem", "type": "SCALAR", "scalar": {"value": 128.0}}]
    if ports:
        resources.append({"name": "ports", "type": "RANGES",
                          "ranges": {"range": [{"begin": p, "end": p} for p in ports]}})
    task = {"name": task_id, "task_id": {"value": task_id}, "agent_id": offer["agent_id"],
            "resources": resources, "command": {"shell": True, "value": "exec sleep 60"},
            "container": {"type": "DOCKER", "docker": {"image": "zookeeper:3.8"}}}
    task.update(extra)
    return call(fid, "ACCEPT", accept={"offer_ids": [offer["id"]], "operations": [
        {"type": "LAUNCH", "launch": {"task_infos": [task]}}], "filters": {"refuse_seconds": 1.0}})


def test_accept_is_validated_against_the_offer_and_has_no_effect_when_invalid(subscribed):
    sim, s, fid = subscribed
    offer = s.wait("OFFERS")[0]["offers"]["offers"][0]
    bad = [
        (launch(fid, offer, cpus=100.0), "Total resources cpus(allocated: kafka):100; "
         "mem(allocated: kafka):128 required by task and its executor is more than available "
         "cpus(allocated: kafka):4; mem(allocated: kafka):8192; disk(allocated: kafka):100000; "
         "ports(allocated: kafka):[31000-31009]"),
        (launch(fid, offer, ports=[40000]), "ports(allocated: kafka):[40000-40000] required by"),
        (launch(fid, offer, ports=[31000, 31000]), "port 31000 is used twice"),
        (launch(fid, offer, task_id="a/b"), "'a/b' contains invalid characters"),
        (launch(fid, offer, task_id=".."), "'..' is disallowed"),
        (launch(fid, offer, agent_id={"value": "S9"}), "Task uses invalid agent S9 while agent "
         f"{offer['agent_id']['value']} is expected"),
        (launch(fid, {**offer, "id": {"value": "no-such-offer"}}), "no longer valid"),
        (launch(fid, offer, executor={"executor_id": {"value": "e"}, "command": {"value": "x"}}),
         "not both"),
        (launch(fid, offer, container={"type": "DOCKER", "docker": {
            "image": "x", "parameters": [{"key": "name", "value": "n"}]}}), "must not be 'name'"),
    ]
    for c, why in bad:
        status, body, _ = post(sim, c, stream_id=s.stream_id)
        assert status == 400 and why in body, (why, status, body)
    assert sim.framework(fid)["tasks"] == []
    assert sim.framework(fid)["outstanding_offers"] == 2  # nothing was consumed
    status, body, _ = post(sim, launch(fid, offer, ports=[31001]), stream_id=s.stream_id)
    assert status == 202, body
    # Recorded as TASK_STAGING, and started by its agent at the next tick.
    assert [t["state"] for t in sim.framework(fid)["tasks"]][0] in (
        "TASK_STAGING", "TASK_STARTING", "TASK_RUNNING")
    # The same offer cannot be used twice, and the same task id cannot be launched again.
    status, body, _ = post(sim, launch(fid, offer, task_id="t-2"), stream_id=s.stream_id)
    assert status == 400 and "no longer valid" in body
    # The next offer from that agent no longer holds what the task uses.
    again = next_offer_from(s, offer["agent_id"])
    res = {r["name"]: r for r in again["resources"]}
    assert res["cpus"]["scalar"]["value"] == 3.0
    assert {"begin": 31001, "end": 31001} not in res["ports"]["ranges"]["range"]


def test_numbers_and_bools_given_as_strings_are_read_as_the_master_reads_them(subscribed):
    """The protobuf JSON mapping writes 64-bit integers as strings; the master parses strings in
    every number and bool field (stout's protobuf.hpp), so a launch written that way is valid."""
    sim, s, fid = subscribed
    offer = s.wait("OFFERS")[0]["offers"]["offers"][0]
    c = launch(fid, offer, task_id="strings", cpus=0.5, ports=[31003],
               kill_policy={"grace_period": {"nanoseconds": "2000000000"}})
    task = c["accept"]["operations"][0]["launch"]["task_infos"][0]
    task["resources"][0]["scalar"]["value"] = "0.5"
    task["resources"][2]["ranges"]["range"] = [{"begin": "31003", "end": "31003"}]
    task["command"]["shell"] = "true"
    c["accept"]["filters"]["refuse_seconds"] = "0.5"
    status, body, _ = post(sim, c, stream_id=s.stream_id)
    assert status == 202, body
    assert [t["id"] for t in sim.framework(fid)["tasks"]] == ["strings"]
    again = next_offer_from(s, offer["agent_id"])
    res = {r["name"]: r for r in again["resources"]}
    assert res["cpus"]["scalar"]["value"] == 3.5
    assert res["ports"]["ranges"]["range"] == [{"begin": 31000, "end": 31002},
                                               {"begin": 31004, "end": 31009}]


def test_decline_filters_suppress_and_revive(subscribed):
    sim, s, fid = subscribed
    offers = s.wait("OFFERS")[0]["offers"]["offers"]
    ids = [o["id"] for o in offers]
    post(sim, call(fid, "DECLINE", decline={"offer_ids": ids, "filters": {"refuse_seconds": 60.0}}),
         stream_id=s.stream_id)
    seen = len(s.of_type("OFFERS"))
    time.sleep(1.0)
    assert len(s.of_type("OFFERS")) == seen  # filtered for 60 s
    assert sim.framework(fid)["active_filters"] == 2
    post(sim, call(fid, "REVIVE", revive={"roles": ["kafka"]}), stream_id=s.stream_id)
    s.wait("OFFERS", count=seen + 1)  # REVIVE clears filters
    post(sim, call(fid, "SUPPRESS", suppress={"roles": ["kafka"]}), stream_id=s.stream_id)
    outstanding = [o["id"] for o in offers_now(s, seen)]
    post(sim, call(fid, "DECLINE", decline={"offer_ids": outstanding, "filters": {"refuse_seconds": 0.0}}),
         stream_id=s.stream_id)
    seen = len(s.of_type("OFFERS"))
    time.sleep(1.0)
    assert len(s.of_type("OFFERS")) == seen  # suppressed
    assert sim.framework(fid)["suppressed"] is True


def test_rescind_reconcile_and_kill_answers(subscribed):
    sim, s, fid = subscribed
    offer = s.wait("OFFERS")[0]["offers"]["offers"][0]
    assert sim.control(f"/control/rescind?offer={offer['id']['value']}")["rescinded"] == 1
    assert s.wait("RESCIND")[0]["rescind"]["offer_id"] == offer["id"]

    other = [o for o in s.of_type("OFFERS")[0]["offers"]["offers"] if o["id"] != offer["id"]][0]
    assert post(sim, launch(fid, other, task_id="kept"), stream_id=s.stream_id)[0] == 202
    post(sim, call(fid, "RECONCILE", reconcile={"tasks": [{"task_id": {"value": "ghost"}}]}),
         stream_id=s.stream_id)
    ghost = s.wait("UPDATE")[0]["update"]["status"]
    assert ghost["state"] == "TASK_UNKNOWN" and ghost["reason"] == "REASON_RECONCILIATION"
    assert ghost["source"] == "SOURCE_MASTER" and "uuid" not in ghost
    # The agent runs it: TASK_STARTING goes out (with a uuid) and waits for an acknowledgement this
    # raw client never sends, while the master's view moves on to TASK_RUNNING.
    starting = wait_until(lambda: [e["update"]["status"] for e in s.of_type("UPDATE")
                                   if e["update"]["status"].get("uuid")], 10, "TASK_STARTING")[0]
    assert starting["state"] == "TASK_STARTING" and starting["source"] == "SOURCE_EXECUTOR"
    wait_until(lambda: sim.framework(fid)["tasks"][0]["state"] == "TASK_RUNNING", 10, "RUNNING")
    post(sim, call(fid, "RECONCILE", reconcile={}), stream_id=s.stream_id)

    def reconciled():
        return [e["update"]["status"] for e in s.of_type("UPDATE")
                if e["update"]["status"]["task_id"]["value"] == "kept"
                and e["update"]["status"].get("reason") == "REASON_RECONCILIATION"]
    kept = wait_until(reconciled, 10, "the implicit reconciliation answer")[0]
    assert kept["state"] == "TASK_RUNNING" and "uuid" not in kept
    post(sim, call(fid, "KILL", kill={"task_id": {"value": "kept"}}), stream_id=s.stream_id)
    wait_until(lambda: sim.framework(fid)["tasks"][0]["state"] == "TASK_KILLED", 10, "TASK_KILLED")
    # Until its terminal update is acknowledged, the master keeps the task.
    assert sim.framework(fid)["tasks"][0]["unacknowledged"] >= 2


def test_failover_and_removal(subscribed):
    sim, s, fid = subscribed
    s2 = Stream(sim, subscribe_body(fid))
    s2.wait("SUBSCRIBED")
    assert s.wait("ERROR")[0]["error"]["message"] == "Framework failed over"
    wait_until(lambda: s.ended, 10, "the old stream to end")
    assert s2.stream_id != s.stream_id
    sim.control(f"/control/remove-framework?framework={fid}")
    wait_until(lambda: s2.ended, 10, "the stream of the removed framework to end")
    s3 = Stream(sim, subscribe_body(fid))
    assert s3.status == 200
    assert s3.wait("ERROR")[0]["error"]["message"] == "Framework has been removed"
    wait_until(lambda: s3.ended, 10, "the refused stream to end")
    for x in (s2, s3):
        x.close()


def test_roles_without_multi_role_is_refused_on_the_stream(cluster):
    sim = cluster.sim()
    s = Stream(sim, subscribe_body(capabilities=()))
    assert s.status == 200
    assert s.wait("ERROR")[0]["error"]["message"] == (
        "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable")
    wait_until(lambda: s.ended, 10, "the stream to end")
    s.close()
    # The rest of validateRoles, word for word.
    for roles, message in ((["a", "a"], "'FrameworkInfo.roles' contains duplicate items: { a }"),
                           (["a/-b"], "'FrameworkInfo.roles' contains invalid role: Role component "
                                      "'-b' is invalid because it starts with a dash")):
        body = subscribe_body()
        body["subscribe"]["framework_info"]["roles"] = roles
        s = Stream(sim, body)
        assert s.wait("ERROR")[0]["error"]["message"] == message
        s.close()
    body = subscribe_body()
    body["subscribe"]["framework_info"]["role"] = "kafka"
    s = Stream(sim, body)
    assert s.wait("ERROR")[0]["error"]["message"] == (
        "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable")
    s.close()


def test_https_serves_the_same_api(cluster, pki):
    sim = cluster.sim(pki=pki)
    s = Stream(sim, subscribe_body(), pki=pki)
    assert s.status == 200
    s.wait("SUBSCRIBED")
    s.close()
