"""Process harness for the integration tests: a test CA, mesos-sim and mesos-kafka as real processes.

Every process runs from the sanitizer build (MK_BIN_DIR, default build/asan). When a process is stopped
the harness checks that it exited cleanly and that no sanitizer report is in its output, so a leak or
undefined behaviour fails the test that caused it.
"""
import ctypes
import fcntl
import ipaddress
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("MK_BIN_DIR", ROOT / "build" / "asan"))
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


# Listening ports for the processes a test starts come from below the kernel's ephemeral range
# (32768 and up): a port the kernel handed out as "free" could be taken as the source port of any
# client connection (a broker's, kcat's) before the process that was meant to listen on it binds
# it. 30000-30999 is also clear of the agents' blocks (20000-29999) and of mesos-sim's default
# agent ports (31000-32000). Each port is handed out once per test run, and only if it binds now.
_LISTEN_PORTS = list(range(30000, 31000))
random.Random(os.getpid()).shuffle(_LISTEN_PORTS)


def free_port():
    while _LISTEN_PORTS:
        port = _LISTEN_PORTS.pop()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("every listening port of 30000-30999 was handed out")


# A wait returns as soon as its state is reached; its bound only says when to give up. Bounds are
# written for an idle 2-core machine and stretched by this factor, so that a loaded or slower
# machine (CI beside another job) waits longer instead of failing.
TIMEOUT_SCALE = float(os.environ.get("MK_TEST_TIMEOUT_SCALE", "3"))


def scaled(timeout):
    return timeout * TIMEOUT_SCALE


def in_block(ip, block):
    """Whether an address lies in a CIDR block (a simulator's container_address_block)."""
    return ipaddress.ip_address(ip) in ipaddress.ip_network(block)


def wait_until(predicate, timeout, what, interval=0.1):
    """Polls `predicate` until it returns something true (returned), for at most scaled(timeout)."""
    timeout = scaled(timeout)
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def die_with_parent():
    """In the child before exec: SIGKILL it when the test process dies, however it dies, so that
    no simulator or scheduler of a killed run holds ports (and, through it, tasks) afterwards.
    Linux sends it when the thread that started the child ends: start processes from the main
    thread."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Pki:
    """A throwaway certificate authority and a server certificate for 127.0.0.1 / localhost."""

    def __init__(self, directory: Path, name="test-ca"):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ca_key = self.dir / f"{name}.key"
        self.ca_cert = self.dir / f"{name}.pem"
        self.key = self.dir / f"{name}-server.key"
        self.cert = self.dir / f"{name}-server.pem"
        self._openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                      "-subj", f"/CN={name}", "-keyout", self.ca_key, "-out", self.ca_cert)
        csr = self.dir / f"{name}-server.csr"
        self._openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                      "-keyout", self.key, "-out", csr)
        ext = self.dir / f"{name}-server.ext"
        ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                       "extendedKeyUsage=serverAuth\n")
        self._openssl("x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
                      "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", self.cert)

    @staticmethod
    def _openssl(*args):
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


class Process:
    """A child process whose combined output goes to a log file the test can search."""

    def __init__(self, name, argv, env, log_path: Path):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_for_output(self, pattern, timeout=30, after=0):
        rx = re.compile(pattern)

        def found():
            m = rx.search(self.output(), after)
            if m:
                return m
            if self.proc.poll() is not None:
                m = rx.search(self.output(), after)
                if m:
                    return m
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} before "
                                     f"printing /{pattern}/:\n{self.output()[-3000:]}")
            return None

        return wait_until(found, timeout, f"{self.name} to print /{pattern}/")

    def exit_code(self, timeout=30):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} did not exit within {timeout}s:\n{self.output()[-3000:]}")

    def running(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.running():
            self.proc.send_signal(sig)

    def stop(self, expect_code=0, timeout=30):
        """SIGTERM, wait, and check a clean exit with no sanitizer report."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.name} ignored SIGTERM for {timeout}s")
        finally:
            self._log.close()
            self.released()
        self.check_sanitizers()
        if expect_code is not None:
            assert code == expect_code, (f"{self.name} exited with {code}, expected {expect_code}:\n"
                                         f"{self.output()[-3000:]}")
        return code

    def check_sanitizers(self):
        text = self.output()
        for marker in SANITIZER_MARKERS:
            assert marker not in text, f"{self.name} reported a sanitizer error:\n{text[-6000:]}"

    def kill(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        self.released()

    def released(self):
        """Called once the process has ended: what it held can go."""


def reserve_port_block(size=500, first=20000, last=29999):
    """(lock, begin, end): agent ports that no other simulator of this machine offers while `lock`
    (a file locked for this process) stays open. Every simulator's agents share the loopback
    addresses 127.0.1.N, so two test runs side by side would otherwise offer, and bind, the same
    ports."""
    for begin in range(first, last - size + 2, size):
        lock = open(f"/tmp/mk-sim-ports-{begin}.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock, begin, begin + size - 1
        except OSError:
            lock.close()
    raise AssertionError(f"every block of {size} agent ports in {first}-{last} is in use")


class Sim(Process):
    """mesos-sim with its control endpoint and call log. Unless told otherwise (own_ports=False or
    an explicit --agent-ports), its agents offer a block of ports of their own
    (reserve_port_block) instead of the simulator's default range."""

    def __init__(self, workdir: Path, name="sim", pki=None, credentials=None, agents=3, mode=None,
                 leader=None, heartbeat=1.0, extra=(), image_map=None, update_retry=None,
                 own_ports=True):
        self.port_lock = None
        if own_ports and "--agent-ports" not in extra:
            self.port_lock, begin, end = reserve_port_block()
            extra = ["--agent-ports", f"{begin}-{end}", *extra]
        self.port = free_port()
        self.control_port = free_port()
        self.call_log = workdir / f"{name}-calls.jsonl"
        self.scheme = "https" if pki else "http"
        argv = [str(BIN_DIR / "mesos-sim"), "--port", str(self.port), "--bind", "127.0.0.1",
                "--hostname", "127.0.0.1", "--agents", str(agents),
                "--heartbeat-interval", str(heartbeat), "--allocation-interval", "0.2",
                "--control-port", str(self.control_port), "--call-log", str(self.call_log)]
        if pki:
            argv += ["--tls-cert", str(pki.cert), "--tls-key", str(pki.key)]
        if credentials:
            # From a file, not the command line: `ps` shows every process's arguments to all users.
            creds = workdir / f"{name}-credentials"
            creds.touch(mode=0o600)
            creds.write_text("".join(f"{c}\n" for c in credentials))
            argv += ["--credentials-file", str(creds)]
        if mode:
            argv += ["--mode", mode]
        if leader:
            argv += ["--leader", leader]
        self.work_dir = workdir / f"{name}-agents"
        argv += ["--work-dir", str(self.work_dir),
                 "--image-map", str(image_map or ROOT / "sim" / "images.map")]
        if update_retry:
            argv += ["--update-retry-interval", str(update_retry)]
        argv += list(extra)
        env = dict(os.environ)
        # The agents' launchers (containers/*/entrypoint.sh) find the installed servers through it.
        cache = os.environ.get("MK_CACHE_DIR") or os.path.expanduser("~/.cache/mesos-kafka")
        env.setdefault("MK_SERVERS_ENV", str(Path(cache) / "servers.env"))
        super().__init__(name, argv, env, workdir / f"{name}.log")
        self.wait_for_output(r"mesos-sim: ready", timeout=30)

    def released(self):
        if self.port_lock:
            self.port_lock.close()
            self.port_lock = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def control(self, path, method="POST"):
        req = urllib.request.Request(f"http://127.0.0.1:{self.control_port}{path}", method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            return json.loads(body) if body.strip().startswith(b"{") else body.decode()

    def state(self):
        return self.control("/control/state", method="GET")

    def calls(self):
        if not self.call_log.exists():
            return []
        return [json.loads(line) for line in self.call_log.read_text().splitlines() if line.strip()]

    def framework(self, framework_id=None):
        for fw in self.state().get("frameworks", []):
            if framework_id is None or fw.get("id") == framework_id:
                return fw
        return None

    def assert_no_rejected_calls(self, allowed=(200, 202)):
        bad = [c for c in self.calls() if c.get("status") not in allowed]
        assert not bad, "mesos-sim rejected calls:\n" + "\n".join(json.dumps(c) for c in bad)


class Scheduler(Process):
    """mesos-kafka run as a scheduler with a given environment."""

    def __init__(self, workdir: Path, env_vars: dict, name="mesos-kafka"):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MESOS_", "FRAMEWORK_", "AUTH_"))}
        env.update({k: str(v) for k, v in env_vars.items()})
        super().__init__(name, [str(BIN_DIR / "mesos-kafka")], env, workdir / f"{name}.log")


def run_cli(args, env_vars=None, timeout=30):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MESOS_", "FRAMEWORK_", "AUTH_"))}
    env.update({k: str(v) for k, v in (env_vars or {}).items()})
    return subprocess.run([str(BIN_DIR / "mesos-kafka"), *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
