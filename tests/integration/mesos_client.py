"""A minimal v1 scheduler client for tests of the simulated agents: SUBSCRIBE, ACCEPT, KILL,
RECONCILE, ACKNOWLEDGE, and the event stream read on a thread. It is test-only; the product's client
is src/mesos_client.c.

    client = SchedulerClient(sim, auto_ack=True)
    offer = client.offer_on("agent1")
    client.launch(offer, [docker_task("zk-1", offer, image="zookeeper:3.8", env={...}, ports=[...])])
    client.wait_state("zk-1", "TASK_RUNNING")
"""
import base64
import http.client
import json
import ssl
import threading

from harness import wait_until


def records(resp):
    """The RecordIO records of a subscription response, parsed as JSON, until the stream ends."""
    while True:
        line = b""
        while not line.endswith(b"\n"):
            c = resp.read(1)
            if not c:
                return
            line += c
        yield json.loads(resp.read(int(line)))


class SchedulerClient:
    def __init__(self, sim, name="test-client", capabilities=("PARTITION_AWARE", "TASK_KILLING_STATE"),
                 auto_ack=True, pki=None, principal=None, secret=None, checkpoint=False):
        self.sim, self.pki = sim, pki
        self.auth = None
        if principal:
            self.auth = "Basic " + base64.b64encode(f"{principal}:{secret}".encode()).decode()
        self.auto_ack = auto_ack
        self.events = []
        self.errors = []
        self.offers = {}  # offer id -> offer, while outstanding
        self.lock = threading.Lock()
        info = {"user": "root", "name": name, "failover_timeout": 60.0, "checkpoint": checkpoint,
                "capabilities": [{"type": c} for c in capabilities]}
        if principal:
            info["principal"] = principal
        self.conn = self._connection(timeout=None)
        self.conn.request("POST", "/api/v1/scheduler",
                          json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": info}}),
                          self._headers())
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200, self.resp.read()
        self.stream_id = self.resp.getheader("Mesos-Stream-Id")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        subscribed = self.wait_event("SUBSCRIBED")
        self.framework_id = subscribed["subscribed"]["framework_id"]["value"]

    # --- plumbing ---------------------------------------------------------------------------------
    def _connection(self, timeout=10):
        if self.pki:
            ctx = ssl.create_default_context(cafile=str(self.pki.ca_cert))
            return http.client.HTTPSConnection("127.0.0.1", self.sim.port, context=ctx, timeout=timeout)
        return http.client.HTTPConnection("127.0.0.1", self.sim.port, timeout=timeout)

    def _headers(self):
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.auth:
            h["Authorization"] = self.auth
        return h

    def _read(self):
        try:
            for event in records(self.resp):
                self._on_event(event)
        except Exception:  # the stream ends when the test closes it
            return

    def _on_event(self, event):
        with self.lock:
            self.events.append(event)
            if event["type"] == "OFFERS":
                for o in event["offers"]["offers"]:
                    self.offers[o["id"]["value"]] = o
            elif event["type"] == "RESCIND":
                self.offers.pop(event["rescind"]["offer_id"]["value"], None)
        if event["type"] == "UPDATE" and self.auto_ack and "uuid" in event["update"]["status"]:
            try:
                self.acknowledge(event["update"]["status"])
            except AssertionError as e:  # the test sees it in errors and in the call log
                self.errors.append(str(e))

    def call(self, body):
        body = {"framework_id": {"value": self.framework_id}, **body}
        conn = self._connection()
        try:
            conn.request("POST", "/api/v1/scheduler", json.dumps(body),
                         {**self._headers(), "Mesos-Stream-Id": self.stream_id})
            r = conn.getresponse()
            text = r.read().decode()
        finally:
            conn.close()
        assert r.status in (200, 202), f"{body['type']} answered {r.status}: {text}"
        return r.status

    def close(self):
        self.conn.close()

    # --- events -----------------------------------------------------------------------------------
    def of_type(self, t):
        with self.lock:
            return [e for e in self.events if e["type"] == t]

    def wait_event(self, t, timeout=10, predicate=lambda e: True):
        return wait_until(lambda: next((e for e in self.of_type(t) if predicate(e)), None), timeout,
                          f"a {t} event")

    def updates(self, task_id):
        return [e["update"]["status"] for e in self.of_type("UPDATE")
                if e["update"]["status"]["task_id"]["value"] == task_id]

    def states(self, task_id):
        return [s["state"] for s in self.updates(task_id)]

    def wait_state(self, task_id, state, timeout=60):
        def reached():
            for s in self.updates(task_id):
                if s["state"] == state:
                    return s
            return None
        return wait_until(reached, timeout, f"{task_id} in {state} (so far {self.states(task_id)})")

    # --- offers and calls -------------------------------------------------------------------------
    def offer_on(self, hostname, timeout=15, ports=()):
        """An outstanding offer from that agent holding `ports`; offers without them are declined,
        so the agent's freed resources come back in a new one."""
        def find():
            with self.lock:
                mine = [o for o in self.offers.values() if o["hostname"] == hostname]
                good = [o for o in mine if set(ports) <= set(all_ports(o))]
                stale = [o for o in mine if o not in good]
                for o in stale:
                    self.offers.pop(o["id"]["value"])
            if stale:
                self.call({"type": "DECLINE", "decline": {"offer_ids": [o["id"] for o in stale],
                                                          "filters": {"refuse_seconds": 0.1}}})
            return good[0] if good else None
        return wait_until(find, timeout, f"an offer from {hostname}")

    def launch(self, offer, task_infos, refuse_seconds=0.5):
        with self.lock:
            self.offers.pop(offer["id"]["value"], None)
        return self.call({"type": "ACCEPT", "accept": {
            "offer_ids": [offer["id"]],
            "operations": [{"type": "LAUNCH", "launch": {"task_infos": task_infos}}],
            "filters": {"refuse_seconds": refuse_seconds}}})

    def kill(self, task_id, agent_id=None, grace_seconds=None):
        body = {"task_id": {"value": task_id}}
        if agent_id:
            body["agent_id"] = {"value": agent_id}
        if grace_seconds is not None:
            body["kill_policy"] = {"grace_period": {"nanoseconds": int(grace_seconds * 1e9)}}
        return self.call({"type": "KILL", "kill": body})

    def reconcile(self, task_ids=(), agent_id=None):
        tasks = [{"task_id": {"value": t}} for t in task_ids]
        if agent_id:
            for t in tasks:
                t["agent_id"] = agent_id
        return self.call({"type": "RECONCILE", "reconcile": {"tasks": tasks}})

    def acknowledge(self, status):
        return self.call({"type": "ACKNOWLEDGE", "acknowledge": {
            "agent_id": status["agent_id"], "task_id": status["task_id"], "uuid": status["uuid"]}})


def all_ports(offer):
    ports = []
    for r in offer["resources"]:
        if r["name"] == "ports":
            for rng in r["ranges"]["range"]:
                ports += range(rng["begin"], rng["end"] + 1)
    return ports


def offer_ports(offer, count):
    """The first `count` ports of an offer's ranges."""
    ports = all_ports(offer)
    assert len(ports) >= count, f"offer has {len(ports)} ports, {count} needed"
    return ports[:count]


def task_info(task_id, offer, command, cpus=0.1, mem=256.0, ports=(), container=None,
              health_check=None, name=None):
    resources = [
        {"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}},
        {"name": "mem", "type": "SCALAR", "scalar": {"value": mem}},
    ]
    if ports:
        resources.append({"name": "ports", "type": "RANGES",
                          "ranges": {"range": [{"begin": p, "end": p} for p in ports]}})
    ti = {"name": name or task_id, "task_id": {"value": task_id}, "agent_id": offer["agent_id"],
          "resources": resources, "command": command}
    if container:
        ti["container"] = container
    if health_check:
        ti["health_check"] = health_check
    return ti


def environment(env):
    return {"variables": [{"name": k, "value": str(v)} for k, v in env.items()]}


def docker_container(image, network="HOST", port_mappings=(), volumes=(), hostname=None,
                     network_name=None):
    c = {"type": "DOCKER", "docker": {"image": image, "network": network}}
    if port_mappings:
        c["docker"]["port_mappings"] = [{"host_port": h, "container_port": p, "protocol": "tcp"}
                                        for h, p in port_mappings]
    if volumes:
        c["volumes"] = list(volumes)
    if hostname:
        c["hostname"] = hostname
    if network_name:
        c["network_infos"] = [{"name": network_name}]
    return c


def status_ip(status):
    """The container's address as the status reports it (container_status.network_infos)."""
    for ni in status.get("container_status", {}).get("network_infos", []):
        for ip in ni.get("ip_addresses", []):
            return ip["ip_address"]
    return None
