"""Real ZooKeeper and Kafka for the integration tests, run through the project's container entrypoints.

The servers are the ones scripts/install-servers.sh installed (`make deps`); it records where they are
in servers.env, found through MK_SERVERS_ENV or else ${MK_CACHE_DIR:-~/.cache/mesos-kafka}/servers.env.
Everything here talks to the servers the way the scheduler and users do: ZooKeeper's four-letter
words and its wire protocol (a minimal read-only client, no JVM), and kcat for Kafka.

    servers = Servers(tmp_path)                      # tracks every process it starts
    zks = servers.ensemble(loopback_block(3))        # three members, waits for a quorum
    broker = servers.kafka(0, "127.0.1.4", zks.connect("/chroot"))
    broker.wait_registered()
    produce(broker.bootstrap, "t", msgs); consume(broker.bootstrap, "t", len(msgs))
    servers.stop_all()                               # SIGTERM, then SIGKILL; always call it
"""
import atexit
import ctypes
import json
import os
import re
import shlex
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

from harness import scaled, wait_until

ROOT = Path(__file__).resolve().parents[2]
ZOOKEEPER_ENTRYPOINT = ROOT / "containers" / "zookeeper" / "entrypoint.sh"
KAFKA_ENTRYPOINT = ROOT / "containers" / "kafka" / "entrypoint.sh"

# A JVM stopped by SIGTERM exits with 128 + 15 once its shutdown hooks have run.
CLEAN_EXIT_CODES = (0, 128 + signal.SIGTERM)

# Broker settings that make a single broker start quickly and work alone (the test's choice, not the
# entrypoint's defaults).
SMALL_BROKER_ENV = {
    "KAFKA_NUM_PARTITIONS": "1",
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
    "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "1",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
}


# --- where the servers are -----------------------------------------------------------------------

def servers_env_path():
    if os.environ.get("MK_SERVERS_ENV"):
        return Path(os.environ["MK_SERVERS_ENV"])
    cache = os.environ.get("MK_CACHE_DIR") or os.path.expanduser("~/.cache/mesos-kafka")
    return Path(cache) / "servers.env"


def load_servers_env():
    """The KEY='value' lines of servers.env as a dict, with its own path under MK_SERVERS_ENV."""
    path = servers_env_path()
    if not path.is_file():
        raise AssertionError(f"{path} does not exist: install the real servers first with `make deps` "
                             "(scripts/install-servers.sh)")
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = shlex.split(line)[0].partition("=")
        env[key] = value
    env["MK_SERVERS_ENV"] = str(path)
    return env


# --- addresses -----------------------------------------------------------------------------------

def port_free(host, port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def loopback_block(count, ports=(2181, 2888, 3888, 9092), first=1):
    """`count` loopback addresses 127.0.N.1..count (N from `first` up) whose `ports` are all free.

    All of 127.0.0.0/8 is loopback on Linux, so each server can listen on its own address with the
    usual ports, as each Mesos task has its own address. Another test run on the machine may hold a
    block: the next free one is taken."""
    for n in range(first, 255):
        addrs = [f"127.0.{n}.{i}" for i in range(1, count + 1)]
        if all(port_free(a, p) for a in addrs for p in ports):
            return addrs
    raise AssertionError(f"no block of {count} loopback addresses with ports {ports} free")


# --- processes -----------------------------------------------------------------------------------

_LIVE = set()
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """In the child before exec: SIGKILL it if the test process dies (even by SIGKILL), so no server
    outlives a killed test run."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@atexit.register
def _kill_leftovers():
    for p in list(_LIVE):
        p.kill()


class ServerProcess:
    """An entrypoint run as a child process, its stdout and stderr in `<workdir>/<name>.log`."""

    def __init__(self, name, entrypoint, env, workdir, args=()):
        self.name = name
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"{name}.log"
        self.env = env
        self.started = time.monotonic()
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(entrypoint), *args], env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=_die_with_parent)
        _LIVE.add(self)

    def output(self):
        return self.log_path.read_text(errors="replace")

    def running(self):
        return self.proc.poll() is None

    def check_running(self):
        if not self.running():
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()[-4000:]}")

    def wait_for_output(self, pattern, timeout=60):
        rx = re.compile(pattern)

        def found():
            m = rx.search(self.output())
            if not m:
                self.check_running()
            return m

        return wait_until(found, timeout, f"{self.name} to print /{pattern}/")

    def stop(self, timeout=30):
        """SIGTERM, then wait; returns the exit status (SIGKILL and an AssertionError after `timeout`)."""
        try:
            if self.running():
                self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError(f"{self.name} ignored SIGTERM for {timeout}s:\n{self.output()[-4000:]}")
        finally:
            self._close()

    def kill(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        _LIVE.discard(self)
        if not self._log.closed:
            self._log.close()


def entrypoint_env(servers_env, sandbox, extra):
    """A clean environment for an entrypoint: PATH, the servers' location, a sandbox, and `extra`
    (nothing else from the test's own environment, as a Mesos task gets only what its TaskInfo says)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "MK_SERVERS_ENV": servers_env["MK_SERVERS_ENV"], "MESOS_SANDBOX": str(sandbox)}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_entrypoint(entrypoint, servers_env, sandbox, extra, args=("--dry-run",), timeout=30):
    """Runs an entrypoint to completion (by default --dry-run: write the config, print it, exit)."""
    Path(sandbox).mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(entrypoint), *args], env=entrypoint_env(servers_env, sandbox, extra),
                          capture_output=True, text=True, timeout=timeout)


class ZooKeeper(ServerProcess):
    def __init__(self, workdir, servers_env, my_id, address, zoo_servers, client_port=2181, env=None):
        self.my_id = my_id
        self.address = address
        self.client_port = client_port
        self.sandbox = Path(workdir) / f"zookeeper-{my_id}"
        self.data_dir = self.sandbox / "data"
        extra = {"ZOO_MY_ID": my_id, "ZOO_SERVERS": zoo_servers, "ZOO_BIND_ADDRESS": address,
                 "ZOO_CLIENT_PORT": client_port, "ZOO_DATA_DIR": self.data_dir}
        extra.update(env or {})
        self.sandbox.mkdir(parents=True, exist_ok=True)
        super().__init__(f"zookeeper-{my_id}", ZOOKEEPER_ENTRYPOINT,
                         entrypoint_env(servers_env, self.sandbox, extra), workdir)

    @property
    def hostport(self):
        return f"{self.address}:{self.client_port}"

    def mode(self):
        """'leader', 'follower', 'standalone', or None while it serves no clients."""
        return zk_mode(self.address, self.client_port)


class Ensemble:
    def __init__(self, members):
        self.members = members

    def connect(self, chroot=""):
        return ",".join(m.hostport for m in self.members) + chroot

    def modes(self):
        return [m.mode() for m in self.members]

    def wait_quorum(self, timeout=60):
        """Waits until every member serves, one as leader; returns the seconds since the first start."""
        def formed():
            for m in self.members:
                m.check_running()
            modes = [m or "-" for m in self.modes()]
            if len(modes) == 1:
                return modes == ["standalone"]
            return sorted(modes) == ["follower"] * (len(modes) - 1) + ["leader"]

        try:
            wait_until(formed, timeout, "a ZooKeeper quorum", interval=0.2)
        except AssertionError as e:
            raise AssertionError(f"{e}: modes {self.modes()}") from None
        return time.monotonic() - min(m.started for m in self.members)


class Kafka(ServerProcess):
    def __init__(self, workdir, servers_env, broker_id, address, zookeeper_connect, port=9092,
                 data_dir=None, env=None, name=None):
        self.broker_id = broker_id
        self.address = address
        self.port = port
        self.zookeeper_connect = zookeeper_connect
        name = name or f"kafka-{broker_id}"
        self.sandbox = Path(workdir) / name
        self.data_dir = Path(data_dir) if data_dir else Path(workdir) / f"kafka-{broker_id}-data"
        listener = f"PLAINTEXT://{address}:{port}"
        extra = dict(SMALL_BROKER_ENV)
        extra.update({"KAFKA_BROKER_ID": broker_id, "KAFKA_ZOOKEEPER_CONNECT": zookeeper_connect,
                      "KAFKA_LISTENERS": listener, "KAFKA_ADVERTISED_LISTENERS": listener,
                      "KAFKA_LOG_DIRS": self.data_dir})
        extra.update(env or {})
        self.sandbox.mkdir(parents=True, exist_ok=True)
        super().__init__(name, KAFKA_ENTRYPOINT, entrypoint_env(servers_env, self.sandbox, extra), workdir)

    @property
    def bootstrap(self):
        return f"{self.address}:{self.port}"

    def registration(self):
        """The broker's registration JSON under <chroot>/brokers/ids/<id>, or None."""
        try:
            data = zk_get_data(self.zookeeper_connect, f"/brokers/ids/{self.broker_id}")
        except (OSError, ConnectionError):
            return None
        return json.loads(data) if data else None

    def wait_registered(self, timeout=90):
        """Waits for the broker's ZooKeeper registration; returns it."""
        def registered():
            self.check_running()
            return self.registration()

        return wait_until(registered, timeout, f"{self.name} to register in ZooKeeper", interval=0.2)

    def wait_serving(self, timeout=90):
        """Waits until the broker is registered and answers a metadata request listing itself (a broker
        registers in ZooKeeper a moment before its listener accepts connections); returns the
        registration."""
        reg = self.wait_registered(timeout)

        def serving():
            self.check_running()
            r = kcat(["-b", self.bootstrap, "-L", "-J", "-m", "2"], timeout=10)
            if r.returncode != 0:
                return False
            return any(b["id"] == self.broker_id for b in json.loads(r.stdout).get("brokers", []))

        wait_until(serving, timeout, f"{self.name} to answer metadata requests", interval=0.2)
        return reg

    def stop(self, timeout=60):
        return super().stop(timeout)


class Servers:
    """Starts servers for a test and stops every one of them, whatever happened."""

    def __init__(self, workdir, servers_env=None):
        self.workdir = Path(workdir)
        self.env = servers_env or load_servers_env()
        self.processes = []

    def _track(self, p):
        self.processes.append(p)
        return p

    def zookeeper(self, my_id, address, zoo_servers, **kw):
        return self._track(ZooKeeper(self.workdir, self.env, my_id, address, zoo_servers, **kw))

    def ensemble(self, addresses, client_port=2181, quorum_port=2888, election_port=3888, env=None,
                 wait=True, timeout=60):
        zoo_servers = " ".join(f"server.{i}={a}:{quorum_port}:{election_port};{client_port}"
                               for i, a in enumerate(addresses, 1))
        members = [self.zookeeper(i, a, zoo_servers, client_port=client_port, env=env)
                   for i, a in enumerate(addresses, 1)]
        ensemble = Ensemble(members)
        if wait:
            ensemble.formation_seconds = ensemble.wait_quorum(timeout)
        return ensemble

    def kafka(self, broker_id, address, zookeeper_connect, **kw):
        return self._track(Kafka(self.workdir, self.env, broker_id, address, zookeeper_connect, **kw))

    def stop_all(self, timeout=60):
        """Stops every process (brokers first, so they can deregister); returns {name: exit status}."""
        codes = {}
        errors = []
        for p in sorted(reversed(self.processes), key=lambda p: not isinstance(p, Kafka)):
            if p.proc.returncode is not None and p._log.closed:
                continue
            try:
                codes[p.name] = p.stop(timeout)
            except AssertionError as e:
                errors.append(str(e))
        if errors:
            raise AssertionError("\n\n".join(errors))
        return codes

    def kill_all(self):
        for p in self.processes:
            p.kill()


# --- ZooKeeper from the outside --------------------------------------------------------------------

def four_letter(host, port, word, timeout=2.0):
    """Sends a four-letter word (srvr, ruok, mntr, stat) and returns the answer ('' if refused)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def zk_mode(host, port):
    try:
        answer = four_letter(host, port, "srvr")
    except OSError:
        return None
    m = re.search(r"^Mode: (\w+)", answer, re.M)
    return m.group(1) if m else None


class ZkError(Exception):
    pass


class ZkClient:
    """A minimal read-only ZooKeeper client (the jute wire protocol): enough to look at what a broker
    registered, without starting a JVM. Use as a context manager."""

    NONODE = -101
    OP_GET_DATA, OP_GET_CHILDREN, OP_CLOSE = 4, 8, -11

    def __init__(self, connect_string, timeout=5.0):
        hosts, slash, chroot = connect_string.partition("/")
        self.chroot = (slash + chroot).rstrip("/")
        self.xid = 0
        errors = []
        for hostport in hosts.split(","):
            host, _, port = hostport.rpartition(":")
            try:
                self.sock = socket.create_connection((host, int(port)), timeout=timeout)
                self._send(struct.pack(">iqiqi", 0, 0, int(timeout * 1000), 0, 16) + bytes(16) + b"\0")
                _proto, session_timeout, _sid = struct.unpack_from(">iiq", self._recv())
                if session_timeout <= 0:
                    raise ConnectionError("session refused")
                return
            except (OSError, ConnectionError, struct.error) as e:
                errors.append(f"{hostport}: {e}")
                if getattr(self, "sock", None):
                    self.sock.close()
                    self.sock = None
        raise ConnectionError("no ZooKeeper server of " + hosts + " answered: " + "; ".join(errors))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _send(self, payload):
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("ZooKeeper closed the connection")
            buf += chunk
        return buf

    def _recv(self):
        (n,) = struct.unpack(">i", self._read(4))
        return self._read(n)

    def _call(self, op, body):
        self.xid += 1
        self._send(struct.pack(">ii", self.xid, op) + body)
        while True:
            reply = self._recv()
            xid, _zxid, err = struct.unpack_from(">iqi", reply)
            if xid == self.xid:  # anything else is a watch event (-1) or a ping answer (-2)
                return err, reply[16:]

    def _path(self, path):
        full = (self.chroot + path) if path != "/" else (self.chroot or "/")
        raw = full.encode()
        return struct.pack(">i", len(raw)) + raw + b"\0"  # path, watch=false

    def get_children(self, path):
        """Sorted child names, or None if the node does not exist."""
        err, body = self._call(self.OP_GET_CHILDREN, self._path(path))
        if err == self.NONODE:
            return None
        if err:
            raise ZkError(f"getChildren {path}: error {err}")
        (count,) = struct.unpack_from(">i", body)
        names, off = [], 4
        for _ in range(count):
            (n,) = struct.unpack_from(">i", body, off)
            names.append(body[off + 4:off + 4 + n].decode())
            off += 4 + n
        return sorted(names)

    def get_data(self, path):
        """The node's data (bytes), or None if the node does not exist."""
        err, body = self._call(self.OP_GET_DATA, self._path(path))
        if err == self.NONODE:
            return None
        if err:
            raise ZkError(f"getData {path}: error {err}")
        (n,) = struct.unpack_from(">i", body)
        return b"" if n < 0 else body[4:4 + n]

    def close(self):
        if getattr(self, "sock", None):
            try:
                self._send(struct.pack(">ii", self.xid + 1, self.OP_CLOSE))
            except OSError:
                pass
            self.sock.close()
            self.sock = None


def zk_cli(servers_env, connect_string, *command, timeout=60):
    """Runs one command of ZooKeeper's own CLI (zkCli.sh), e.g. zk_cli(env, "h:2181", "ls", "/")."""
    return subprocess.run([servers_env["ZOOKEEPER_CLI"], "-server", connect_string, *command],
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def zk_get_children(connect_string, path):
    with ZkClient(connect_string) as zk:
        return zk.get_children(path)


def zk_get_data(connect_string, path):
    with ZkClient(connect_string) as zk:
        return zk.get_data(path)


# --- Kafka from the outside (kcat) -----------------------------------------------------------------

def kcat(args, input=None, timeout=60):
    return subprocess.run(["kcat", *args], input=input, capture_output=True, text=True, timeout=timeout)


def metadata(bootstrap, timeout=30):
    """`kcat -L -J`: {'brokers': [{'id':.., 'name': 'host:port'}], 'topics': [...], ...}."""
    r = kcat(["-b", bootstrap, "-L", "-J", "-m", "10"], timeout=timeout)
    assert r.returncode == 0, f"kcat -L failed ({r.returncode}): {r.stderr}"
    return json.loads(r.stdout)


def produce(bootstrap, topic, messages, partition=None, timeout=60):
    """Produces newline-free messages with acks=all; fails the test on any delivery error."""
    args = ["-b", bootstrap, "-P", "-t", topic, "-X", "topic.request.required.acks=all",
            "-X", "message.timeout.ms=30000"]
    if partition is not None:
        args += ["-p", str(partition)]
    r = kcat(args, input="".join(m + "\n" for m in messages), timeout=timeout)
    assert r.returncode == 0 and "fail" not in r.stderr.lower(), \
        f"kcat -P failed ({r.returncode}): {r.stderr}"


# The helpers below take `run`, the kcat to call (kcat(args, input=None, timeout=...)): a test on
# a network whose names only its own resolver knows passes one that runs kcat there.

def topic_partitions(bootstrap, topic, timeout=30, run=kcat):
    """The topic's partitions as a broker reports them ([] while it is unknown): each with its
    leader (-1 when none), replicas and in-sync replicas (ids)."""
    r = run(["-b", bootstrap, "-L", "-J", "-t", topic, "-m", "10"], timeout=timeout)
    if r.returncode != 0:
        return []
    for t in json.loads(r.stdout).get("topics", []):
        if t.get("topic") == topic and not t.get("error"):
            return [{"partition": p["partition"], "leader": p.get("leader", -1),
                     "replicas": sorted(x["id"] for x in p.get("replicas", [])),
                     "isr": sorted(x["id"] for x in p.get("isrs", []))}
                    for p in t.get("partitions", [])]
    return []


def watermarks(bootstrap, topic, partitions, timeout=30, run=kcat):
    """{partition: (low, high)} read from each partition's leader (ListOffsets), or None if any
    leader did not answer."""
    def query(which):
        args = ["-b", bootstrap, "-Q", "-J"]
        for p in partitions:
            args += ["-t", f"{topic}:{p}:{which}"]
        r = run(args, timeout=timeout)
        if r.returncode != 0:
            return None
        answer = json.loads(r.stdout).get(topic, {})
        found = {}
        for p in partitions:
            entry = answer.get(str(p))
            if not entry or entry.get("error") or entry.get("offset", -1) < 0:
                return None
            found[p] = entry["offset"]
        return found
    low, high = query(-2), query(-1)
    if low is None or high is None:
        return None
    return {p: (low[p], high[p]) for p in partitions}


def settled_watermarks(bootstrap, topic, run=kcat):
    """The watermarks once the topic is settled: every partition led and its whole replica set in
    sync (so the leader's high watermark is every replica's log end), read twice the same; else
    None."""
    parts = topic_partitions(bootstrap, topic, run=run)
    if not parts or any(p["leader"] < 0 or p["isr"] != p["replicas"] for p in parts):
        return None
    ids = [p["partition"] for p in parts]
    first = watermarks(bootstrap, topic, ids, run=run)
    return first if first is not None and watermarks(bootstrap, topic, ids, run=run) == first else None


def read_partitions(bootstrap, topic, marks, timeout=60, run=kcat):
    """Every message of each partition from its low to its high watermark (a full read to a known
    offset, not to the first end of partition a consumer sees), in partition then offset order."""
    messages = []
    for p, (low, high) in sorted(marks.items()):
        if high <= low:
            continue
        r = run(["-b", bootstrap, "-C", "-t", topic, "-p", str(p), "-o", str(low),
                  "-c", str(high - low), "-q", "-f", "%s\n"], timeout=timeout)
        assert r.returncode == 0, f"kcat -C {topic}-{p} failed ({r.returncode}): {r.stderr}"
        got = r.stdout.splitlines()
        assert len(got) == high - low, f"{topic}-{p}: read {len(got)} of offsets {low}..{high}"
        messages += got
    return messages


def consume(bootstrap, topic, expected=0, timeout=180, run=kcat):
    """What the topic holds once settled: waits until every partition has its full ISR and the
    partitions hold at least `expected` messages (bounded by `timeout`, so a real loss is reported,
    not waited for forever), then reads every partition to its leader's end offset."""
    def ready():
        marks = settled_watermarks(bootstrap, topic, run=run)
        return marks is not None and sum(h - l for l, h in marks.values()) >= expected and marks
    deadline = time.monotonic() + scaled(timeout)
    marks = None
    while time.monotonic() < deadline and not marks:
        marks = ready()
        if not marks:
            time.sleep(0.5)
    if not marks:
        marks = settled_watermarks(bootstrap, topic, run=run)
        assert marks is not None, f"{topic} did not settle (a leader and a full ISR) in {timeout}s"
    return read_partitions(bootstrap, topic, marks, run=run)


def missing_messages(bootstrap, topic, acknowledged, timeout=180, run=kcat):
    """The acknowledged messages the topic does not hold (consume's settled full read)."""
    held = set(consume(bootstrap, topic, len(set(acknowledged)), timeout, run=run))
    return [m for m in acknowledged if m not in held]
