"""Talking to a running mesos-kafka: its HTTP API and its state file, for the scheduler tests."""
import base64
import json
import urllib.error
import urllib.request

from harness import free_port

API_USER = "admin"
API_PASSWORD = "api-5b0e-never-logged"
MESOS_PASSWORD = "pw-2f9a-never-logged"


class Api:
    def __init__(self, port, user=API_USER, password=API_PASSWORD):
        self.base = f"http://127.0.0.1:{port}"
        self.auth = None
        if user:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.auth = f"Basic {token}"

    def call(self, path, method="GET", auth=True, timeout=30):
        """(status, parsed JSON body or text)."""
        req = urllib.request.Request(self.base + path, method=method,
                                     data=b"" if method in ("POST", "PUT") else None)
        if auth and self.auth:
            req.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, body, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            status, body, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
        if "json" in ctype:
            return status, json.loads(body)
        return status, body.decode(errors="replace")

    def get(self, path, **kw):
        return self.call(path, **kw)

    def status(self):
        code, body = self.call("/v0/status")
        assert code == 200, body
        return body

    def member(self, name):
        for m in self.status()["members"]:
            if m["name"] == name:
                return m
        return None


def registered(api):
    """The status once every desired broker runs and is registered, else None (also while the API
    does not answer: not serving yet, or restarting). The count alone is not enough: a broker just
    stopped may still be counted until the next ZooKeeper read."""
    try:
        st = api.status()
    except OSError:
        return None
    brokers = [m for m in st["members"] if m["kind"] == "kafka"]
    return (st["kafka"]["registered"] == st["kafka"]["desired"] == len(brokers)
            and all(m["state"] == "running" and m["registered"] for m in brokers) and st)


def framework_env(sim, pki, state_dir, **overrides):
    """The environment of a small but complete cluster on mesos-sim."""
    env = {
        "FRAMEWORK_NAME": "mk-test",
        "FRAMEWORK_ROLE": "kafka",
        "FRAMEWORK_PORT": free_port(),
        "FRAMEWORK_STATEFILE_PATH": state_dir,
        "MESOS_MASTER": sim.address,
        "MESOS_SSL": "true",
        "MESOS_CA_CERT": pki.ca_cert,
        "MESOS_USERNAME": "kafka",
        "MESOS_PASSWORD": MESOS_PASSWORD,
        "MESOS_RECONNECT_MAX_DELAY": "1s",
        "AUTH_USERNAME": API_USER,
        "AUTH_PASSWORD": API_PASSWORD,
        "LOGLEVEL": "INFO",
        "ZOOKEEPER_COUNT": 3,
        "KAFKA_COUNT": 3,
        "ZOOKEEPER_CPU": 0.2,
        "ZOOKEEPER_MEM": 256,
        "ZOOKEEPER_HEAP": 64,
        "ZOOKEEPER_DISK": 100,
        "KAFKA_CPU": 0.5,
        "KAFKA_MEM": 640,
        "KAFKA_HEAP": 256,
        "KAFKA_DISK": 500,
        "VOLUME_ZOOKEEPER": "zk-data",
        "VOLUME_KAFKA": "kafka-data",
        "FAILOVER_DELAY": "2s",
        "FAILOVER_MAX_DELAY": "8s",
        "UNREACHABLE_TIMEOUT": "10s",
        "KAFKA_OPTIONS": "default.replication.factor=3,num.partitions=3,"
                         "group.initial.rebalance.delay.ms=0",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def launches(sim):
    """(time, task name, task id, agent id) of every task the scheduler launched, in order."""
    out = []
    for c in sim.calls():
        if c.get("type") != "ACCEPT" or c.get("status") != 202:
            continue
        for op in c["call"]["accept"].get("operations", []):
            for ti in op.get("launch", {}).get("task_infos", []):
                out.append((c["time"], ti["name"], ti["task_id"]["value"], ti["agent_id"]["value"]))
    return out


def sim_tasks(sim):
    fw = sim.framework()
    return fw.get("tasks", []) if fw else []


def wait_offers_answered(sim, since, timeout=120):
    """Waits until the scheduler holds no offer and has either declined one made after `since` or
    suppressed offers: whatever it would launch on what it was offered, it has launched by then,
    and nothing more will be offered until it revives."""
    from harness import wait_until

    def answered():
        fw = sim.framework()
        if fw is None or fw.get("outstanding_offers") != 0:
            return False
        return fw.get("suppressed") or any(
            c.get("type") == "DECLINE" and c.get("status") == 202 and c["time"] > since
            for c in sim.calls())
    wait_until(answered, timeout, "the scheduler to answer its offers", interval=0.2)
