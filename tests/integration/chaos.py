"""Random faults with invariants: `make chaos` (100 faults) and, short, tests/integration/test_chaos.py.

From one seed, printed first (`CHAOS_SEED=<n>` replays the same faults in the same order with the
same pauses), a 3 ZooKeeper + 3 Kafka cluster runs on mesos-sim under a live acks=all idempotent
producer (RF=3, min.insync.replicas=2) and a consumer group, while faults are injected one after
another. After each fault the cluster must settle, and then every invariant must hold; a monitor
checks the ones that must hold at every moment. The first violation stops the run with the seed,
the fault history and where the logs are.

    python3 tests/integration/chaos.py --faults 100 [--seed N] [--workdir DIR]

The scheduler's API is the operator's view, mesos-sim's /control/state the truth about tasks, and
ZooKeeper and the brokers (four-letter words, kcat) the truth about the servers.
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Pki, Scheduler, Sim, scaled  # noqa: E402
from scheduler_api import MESOS_PASSWORD, Api, framework_env  # noqa: E402
from servers import ZkClient, four_letter, kcat, missing_messages, topic_partitions  # noqa: E402

TOPIC = "chaos"
GROUP = "chaos-readers"
AGENTS = 6
MIN_LIVE_AGENTS = 4  # never lose an agent for good below this: 3 ZooKeeper servers need 3
HEARTBEAT_S = 1.0
HEARTBEAT_MISSES = 3
SETTLE_S = 240  # a bound (scaled by MK_TEST_TIMEOUT_SCALE), not a pause
DUPLICATE_GRACE_S = 20  # the scheduler asks about replaced tasks every 10 s, then kills them


class Violation(AssertionError):
    pass


def zk_mode_of(hostport):
    host, _, port = hostport.rpartition(":")
    try:
        answer = four_letter(host, int(port), "srvr")
    except OSError:
        return None
    for line in answer.splitlines():
        if line.startswith("Mode: "):
            return line.split()[1]
    return None


class Producer(threading.Thread):
    """acks=all, idempotent batches through kcat; a batch counts as acknowledged only when kcat
    reports no failed delivery and exits 0."""

    def __init__(self, bootstrap):
        super().__init__(daemon=True)
        self.bootstrap = bootstrap  # a callable: the current bootstrap servers
        self.acked, self.unsure = [], []
        self.stop_event = threading.Event()

    def run(self):
        batch = 0
        while not self.stop_event.is_set():
            msgs = [f"c-{batch:06d}-{i:02d}" for i in range(20)]
            try:
                r = kcat(["-b", self.bootstrap(), "-P", "-t", TOPIC, "-X", "acks=all",
                          "-X", "enable.idempotence=true", "-X", "message.timeout.ms=60000"],
                         input="".join(m + "\n" for m in msgs), timeout=120)
                ok = r.returncode == 0 and "Delivery failed" not in r.stderr
            except subprocess.TimeoutExpired:
                ok = False
            (self.acked if ok else self.unsure).extend(msgs)
            batch += 1
            self.stop_event.wait(0.1)

    def stop(self):
        self.stop_event.set()
        self.join()


class GroupConsumer:
    """A kcat consumer in a consumer group, started again if it exits; what it read is in a file."""

    def __init__(self, workdir, bootstrap):
        self.out_path = Path(workdir) / "group-consumer.out"
        self.err_path = Path(workdir) / "group-consumer.log"
        self.bootstrap = bootstrap
        self.proc = None
        self.starts = 0
        self.ensure()

    def ensure(self):
        if self.proc is None or self.proc.poll() is not None:
            out, err = open(self.out_path, "a"), open(self.err_path, "a")
            self.proc = subprocess.Popen(
                ["kcat", "-b", self.bootstrap(), "-G", GROUP, "-q", "-u", "-f", "%s\n",
                 "-X", "auto.offset.reset=earliest", TOPIC],
                stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            out.close()
            err.close()
            self.starts += 1

    def read(self):
        return set(self.out_path.read_text().splitlines()) if self.out_path.exists() else set()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Chaos:
    def __init__(self, workdir, seed, faults, log=print, minutes=None, scheduler_kill=True,
                 sample=False, only=None):
        self.workdir = Path(workdir)
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_faults = faults
        self.log = log
        self.history = []
        self.violations = []
        self.lost_agents = set()  # lost and coming back
        self.gone_agents = set()  # lost for good
        self.scheds = []
        self.sim = self.standby = self.sched = None
        self.producer = self.consumer = None
        self.monitor_stop = threading.Event()
        self.last_bootstrap = ""
        self.minutes = minutes
        only = [k for k in (only or "").split(",") if k]
        unknown = sorted(set(only) - {name for name, _ in self.FAULTS})
        if unknown:
            raise ValueError(f"unknown fault kind(s) {unknown}: the kinds are "
                             f"{[name for name, _ in self.FAULTS]}")
        self.faults = [f for f in self.FAULTS if (scheduler_kill or f[0] != "scheduler-sigkill")
                       and (not only or f[0] in only)]
        self.samples = [] if sample else None

    # --- the cluster ---------------------------------------------------------------------------
    def start(self):
        pki = Pki(self.workdir / "pki")
        creds = [f"kafka:{MESOS_PASSWORD}"]
        self.sim = Sim(self.workdir, name="master", pki=pki, credentials=creds, agents=AGENTS,
                       heartbeat=HEARTBEAT_S, update_retry=1)
        # A second master that is not leading: it answers 307 to the first, as a standby does.
        self.standby = Sim(self.workdir, name="standby", pki=pki, credentials=creds, agents=1,
                           mode="redirect", leader=self.sim.address)
        self.vars = framework_env(
            self.sim, pki, self.workdir / "state", FRAMEWORK_NAME="mk-chaos",
            MESOS_MASTER=f"{self.standby.address},{self.sim.address}",
            MESOS_HEARTBEAT_MISSES=HEARTBEAT_MISSES,
            KAFKA_OPTIONS="default.replication.factor=3,num.partitions=3,min.insync.replicas=2,"
                          "offsets.topic.replication.factor=3,offsets.topic.num.partitions=3,"
                          "group.initial.rebalance.delay.ms=0,unclean.leader.election.enable=false")
        self.api = Api(self.vars["FRAMEWORK_PORT"])
        self.start_scheduler()
        self.wait(self.settled_view, 2 * SETTLE_S, "the first bring-up")
        r = kcat(["-b", self.bootstrap(), "-P", "-t", TOPIC, "-X", "acks=all"], input="warm-up\n",
                 timeout=120)
        if r.returncode != 0:
            raise Violation(f"could not create {TOPIC}: {r.stderr[-500:]}")
        self.wait(lambda: self.topic_settled(), SETTLE_S, f"{TOPIC} fully replicated")
        self.producer = Producer(self.bootstrap)
        self.producer.start()
        self.consumer = GroupConsumer(self.workdir, self.bootstrap)
        self.wait(lambda: len(self.producer.acked) >= 100, 120, "the producer running")
        threading.Thread(target=self.monitor, daemon=True).start()

    def start_scheduler(self):
        self.sched = Scheduler(self.workdir, self.vars, name=f"mesos-kafka-{len(self.scheds) + 1}")
        self.scheds.append(self.sched)

    def bootstrap(self):
        try:
            b = self.api.status()["kafka"]["bootstrap"]
            if b:
                self.last_bootstrap = b
        except (OSError, AssertionError, KeyError, ValueError):
            pass
        return self.last_bootstrap

    def stop(self):
        self.monitor_stop.set()
        if self.producer:
            self.producer.stop()
        if self.consumer:
            self.consumer.stop()
        errors = []
        for p in [*reversed(self.scheds), self.standby, self.sim]:
            if p is None:
                continue
            try:
                if p.running():
                    p.stop()
                else:
                    p.kill()
                    p.check_sanitizers()
            except AssertionError as e:
                errors.append(str(e))
        return errors

    # --- waiting and invariants -----------------------------------------------------------------
    def wait(self, predicate, bound, what):
        deadline = time.monotonic() + scaled(bound)
        last = None
        while time.monotonic() < deadline:
            try:
                value = predicate()
            except (OSError, AssertionError, KeyError, ValueError, ConnectionError) as e:
                value, last = None, e
            if value:
                return value
            time.sleep(0.5)
        raise Violation(f"not within {scaled(bound):.0f}s: {what}" + (f" (last error: {last})"
                                                                        if last else ""))

    def sim_tasks(self):
        fw = self.sim.framework()
        return fw, (fw or {}).get("tasks", [])

    def sample_scheduler(self):
        """(seconds since start, CPU seconds, resident KiB) of the scheduler process."""
        pid = self.sched.proc.pid
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            rss = [line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:")][0].split()[1]
        except (OSError, IndexError):
            return
        ticks = os.sysconf("SC_CLK_TCK")
        self.samples.append((time.monotonic(), (int(fields[11]) + int(fields[12])) / ticks, int(rss)))

    def monitor(self):
        """What must hold at every moment: at most one reachable live task per member. A task cut
        off by a partition goes on running beside its replacement (as on a real cluster); once it
        is reachable again the scheduler has DUPLICATE_GRACE_S to end it."""
        n = 0
        seen = {}  # (member, task ids) -> when first seen together
        while not self.monitor_stop.wait(0.5):
            n += 1
            if self.samples is not None and n % 20 == 1:
                self.sample_scheduler()
            try:
                _, tasks = self.sim_tasks()
            except OSError:
                continue  # the master is paused (SIGSTOP): nothing runs or changes meanwhile
            live = {}
            for t in tasks:
                if t["state"] in ("TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING") \
                        and not t.get("unreachable"):
                    live.setdefault(t["name"], []).append(t["id"])
            now = time.monotonic()
            pairs = {(name, tuple(sorted(ids))) for name, ids in live.items() if len(ids) > 1}
            seen = {p: seen.get(p, now) for p in pairs}
            for (name, ids), since in seen.items():
                if now - since > scaled(DUPLICATE_GRACE_S):
                    self.violations.append(f"two live tasks for {name} for {now - since:.0f}s: "
                                           f"{list(ids)}")

    def check_monitor(self):
        if self.violations:
            raise Violation("; ".join(sorted(set(self.violations))))

    def settled_view(self):
        """None until the cluster is whole; then what the invariants are checked against."""
        st = self.api.status()
        members = st["members"]
        if st["kafka"]["registered"] != st["kafka"]["desired"]:
            return None
        if any(m["state"] != "running" or not m.get("task_id") for m in members):
            return None
        if len([m for m in members if m["name"].startswith("kafka-")]) != st["kafka"]["desired"]:
            return None
        plan = st.get("restart")
        if plan and plan.get("state") not in ("done", "failed"):
            return None
        fw, tasks = self.sim_tasks()
        if not fw or not fw.get("connected") or fw.get("outstanding_offers"):
            return None
        running = {t["id"]: t for t in tasks if t["state"] == "TASK_RUNNING"}
        if any(m["task_id"] not in running for m in members):
            return None
        if any(t.get("unacknowledged") for t in tasks):
            return None
        zk = [m for m in members if m["name"].startswith("zookeeper-")]
        modes = sorted(zk_mode_of(m["address"]) or "-" for m in zk)
        if modes != sorted(["leader"] + ["follower"] * (len(zk) - 1)):
            return None
        return st, running

    def check_invariants(self, what):
        view = self.wait(self.settled_view, SETTLE_S, f"the cluster whole again after {what}")
        st, running = view
        self.check_monitor()
        members = st["members"]
        # The state file is valid JSON and names, for every member, the task that runs.
        doc = json.loads((Path(self.vars["FRAMEWORK_STATEFILE_PATH"]) / "mk-chaos.state.json")
                         .read_text())
        in_file = {f"{m['kind']}-{m['id']}": m.get("task_id") for m in doc["members"]}
        for m in members:
            if in_file.get(m["name"]) != m["task_id"]:
                raise Violation(f"the state file has {m['name']} as {in_file.get(m['name'])}, "
                                f"the scheduler runs {m['task_id']}")
        by_name = {t["name"]: t for t in running.values()}
        for m in members:
            if by_name.get(m["name"], {}).get("id") != m["task_id"]:
                raise Violation(f"{m['name']}: the scheduler says {m['task_id']}, mesos-sim runs "
                                f"{by_name.get(m['name'], {}).get('id')}")
        # Every broker registered once, at the address of the task the scheduler runs for it.
        with ZkClient(st["zookeeper"]["connect"]) as zk:
            ids = zk.get_children("/brokers/ids") or []
            brokers = [m for m in members if m["name"].startswith("kafka-")]
            if sorted(ids) != sorted(m["name"].split("-")[1] for m in brokers):
                raise Violation(f"registered broker ids {ids}, members {[m['name'] for m in brokers]}")
            for m in brokers:
                reg = json.loads(zk.get_data(f"/brokers/ids/{m['name'].split('-')[1]}"))
                if f"{reg['host']}:{reg['port']}" != m["address"]:
                    raise Violation(f"{m['name']} registered as {reg['host']}:{reg['port']}, "
                                    f"runs at {m['address']}")
        self.consumer.ensure()

    def topic_settled(self):
        parts = topic_partitions(self.bootstrap(), TOPIC)
        return parts and all(p["leader"] >= 0 and p["isr"] == p["replicas"] for p in parts)

    def check_data(self):
        """No acknowledged message missing: from the partitions (settled, full read) and as read by
        the consumer group; and no partition under-replicated."""
        self.wait(lambda: self.api.get("/v1/partitions/under-replicated")[1]["partitions"] == [],
                  SETTLE_S, "no under-replicated partition")
        acked = list(self.producer.acked)
        lost = missing_messages(self.bootstrap(), TOPIC, acked)
        if lost:
            raise Violation(f"{len(lost)} of {len(acked)} acknowledged messages are not in {TOPIC}:"
                            f" {lost[:10]}")
        self.wait(lambda: not (set(acked) - self.consumer.read()), SETTLE_S,
                  "the consumer group to have read every acknowledged message")
        return len(acked)

    # --- faults ---------------------------------------------------------------------------------
    def live_members(self, prefix=""):
        return [m for m in self.api.status()["members"]
                if m["name"].startswith(prefix) and m["state"] == "running" and m.get("task_id")]

    def agent_of_member(self, prefix=""):
        m = self.rng.choice(sorted(self.live_members(prefix), key=lambda m: m["name"]))
        return m["hostname"], m["name"]

    # Each fault returns once its effect is visible (a task ended, a stream replaced), so that the
    # settling that follows cannot be the state from before it.
    def wait_tasks_ended(self, task_ids, what):
        def ended():
            _, tasks = self.sim_tasks()
            return not [t for t in tasks if t["id"] in task_ids
                        and t["state"] in ("TASK_STARTING", "TASK_RUNNING", "TASK_KILLING")
                        and not t.get("unreachable")]
        self.wait(ended, 120, what)

    def wait_resubscribed(self, old_stream, what):
        def again():
            fw = self.sim.framework()
            return fw and fw.get("connected") and fw.get("stream_id") != old_stream
        self.wait(again, SETTLE_S, what)

    def stream_id(self):
        fw = self.sim.framework()
        return fw.get("stream_id") if fw else None

    def tasks_on(self, agent):
        _, tasks = self.sim_tasks()
        return {t["id"] for t in tasks if t["hostname"] == agent}

    def fault_task_signal(self, prefix, sig):
        m = self.rng.choice(sorted(self.live_members(prefix), key=lambda m: m["name"]))
        self.sim.control(f"/control/task/signal?task={m['task_id']}&signal={sig}")
        self.wait_tasks_ended({m["task_id"]}, f"{m['name']} to end after {sig}")
        return f"{sig} {m['name']}"

    def fault_operator_kill(self):
        m = self.rng.choice(sorted(self.live_members("kafka-"), key=lambda m: m["name"]))
        code, body = self.api.call(f"/v0/task/kill/{m['task_id']}", method="POST")
        if code != 200:
            raise Violation(f"kill of {m['name']} answered {code}: {body}")
        self.wait(lambda: self.api.member(m["name"])["state"] == "stopped", 120, f"{m['name']} stopped")
        code, body = self.api.call("/v0/kafka/reflate", method="POST")
        if code != 200 or m["name"] not in body["scheduled"]:
            raise Violation(f"reflate answered {code}: {body}")
        return f"operator kill and reflate of {m['name']}"

    def fault_agent_loss_and_return(self):
        agent, name = self.agent_of_member()
        pause = self.rng.uniform(1, 15)  # either side of UNREACHABLE_TIMEOUT (10 s)
        on_it = self.tasks_on(agent)
        self.sim.control(f"/control/agent/lose?agent={agent}")
        time.sleep(pause)
        self.sim.control(f"/control/agent/return?agent={agent}")
        self.wait_tasks_ended(on_it, f"the tasks of {agent} gone")
        return f"agent {agent} (with {name}) lost for {pause:.1f}s and back"

    def fault_partition(self):
        agent, name = self.agent_of_member()
        pause = self.rng.uniform(1, 20)  # either side of UNREACHABLE_TIMEOUT (10 s)
        self.sim.control(f"/control/agent/partition?agent={agent}")
        time.sleep(pause)
        self.sim.control(f"/control/agent/heal?agent={agent}")
        return f"agent {agent} (with {name}) cut off from the master for {pause:.1f}s"

    def fault_agent_gone(self):
        if AGENTS - len(self.gone_agents) <= MIN_LIVE_AGENTS:
            return self.fault_task_signal("kafka-", "KILL")
        agent, name = self.agent_of_member()
        on_it = self.tasks_on(agent)
        self.sim.control(f"/control/agent/lose?agent={agent}")
        self.gone_agents.add(agent)
        self.wait_tasks_ended(on_it, f"the tasks of {agent} gone")
        return f"agent {agent} (with {name}) gone for good"

    def fault_stream_drop(self):
        old = self.stream_id()
        self.sim.control("/control/drop-stream")
        self.wait_resubscribed(old, "a new subscription after the dropped stream")
        return "event stream dropped"

    def fault_master_failover(self):
        pause = self.rng.uniform(0.5, 5)
        self.sim.control("/control/mode?value=no-leader")
        time.sleep(pause)
        master = self.sim.state()["master_id"]
        self.sim.control("/control/restart")
        self.sim.control("/control/mode?value=leader")
        self.wait(lambda: self.sim.state()["master_id"] != master and self.stream_id(), SETTLE_S,
                  "a subscription to the new master")
        return f"no leader for {pause:.1f}s, then a new master"

    def fault_heartbeats_stopped(self):
        old = self.stream_id()
        log_at = len(self.sched.output())
        self.sim.signal(signal.SIGSTOP)
        try:
            self.sched.wait_for_output(r"no heartbeat for", timeout=60, after=log_at)
        finally:
            self.sim.signal(signal.SIGCONT)
        self.wait_resubscribed(old, "a new subscription after the missed heartbeats")
        return f"master frozen until the scheduler missed {HEARTBEAT_MISSES} heartbeats"

    def fault_scheduler_sigkill(self):
        # Kill it while it is busy: just after a broker dies, when statuses and state writes flow.
        m = self.rng.choice(sorted(self.live_members("kafka-"), key=lambda m: m["name"]))
        delay = self.rng.uniform(0, 1.5)
        self.sim.control(f"/control/task/signal?task={m['task_id']}&signal=KILL")
        time.sleep(delay)
        self.sched.signal(signal.SIGKILL)
        self.sched.exit_code()
        self.sched.kill()
        self.sched.check_sanitizers()
        self.start_scheduler()
        self.wait_tasks_ended({m["task_id"]}, f"{m['name']} to end")
        self.wait(lambda: self.api.status(), SETTLE_S, "the restarted scheduler's API")
        return f"scheduler SIGKILLed {delay:.2f}s after KILL of {m['name']}"

    def fault_rolling_restart(self):
        code, body = self.api.call("/v1/brokers", method="POST")
        if code not in (202, 409):
            raise Violation(f"rolling restart answered {code}: {body}")
        return f"rolling restart ({code})"

    def fault_scale(self):
        code, body = self.api.call("/v0/kafka/scale/4", method="POST")
        if code != 200:
            raise Violation(f"scale to 4 answered {code}: {body}")
        self.wait(lambda: self.api.status()["kafka"]["registered"] == 4, SETTLE_S, "4 brokers")
        code, body = self.api.call("/v0/kafka/scale/3", method="POST")
        if code not in (200, 409):
            raise Violation(f"scale to 3 answered {code}: {body}")
        return f"scale 3 -> 4 -> 3 ({code})"

    FAULTS = [
        ("sigterm-broker", lambda c: c.fault_task_signal("kafka-", "TERM")),
        ("sigkill-broker", lambda c: c.fault_task_signal("kafka-", "KILL")),
        ("kill-zookeeper", lambda c: c.fault_task_signal("zookeeper-", "KILL")),
        ("operator-kill", lambda c: c.fault_operator_kill()),
        ("agent-loss", lambda c: c.fault_agent_loss_and_return()),
        ("agent-gone", lambda c: c.fault_agent_gone()),
        ("partition", lambda c: c.fault_partition()),
        ("stream-drop", lambda c: c.fault_stream_drop()),
        ("master-failover", lambda c: c.fault_master_failover()),
        ("heartbeats-stopped", lambda c: c.fault_heartbeats_stopped()),
        ("scheduler-sigkill", lambda c: c.fault_scheduler_sigkill()),
        ("rolling-restart", lambda c: c.fault_rolling_restart()),
        ("scale", lambda c: c.fault_scale()),
    ]

    def run(self):
        started = time.monotonic()
        self.log(f"chaos: CHAOS_SEED={self.seed} faults={self.n_faults} workdir={self.workdir}")
        self.start()
        n = 0
        while (n < self.n_faults if self.minutes is None
               else time.monotonic() - started < self.minutes * 60):
            n += 1
            name, fault = self.rng.choice(self.faults)
            pause = self.rng.uniform(0.2, 4)
            time.sleep(pause)
            t0 = time.monotonic()
            what = fault(self)
            self.history.append(f"{n:3d} {time.monotonic() - started:7.1f}s {name}: {what}")
            self.check_invariants(what)
            self.log(f"chaos: {self.history[-1]} (settled in {time.monotonic() - t0:.1f}s)")
            if n % 10 == 0:
                acked = self.check_data()
                self.log(f"chaos: {acked} acknowledged messages all held after {n} faults")
        acked = self.check_data()
        self.producer.stop()
        acked = self.check_data()
        elapsed = time.monotonic() - started
        self.n_faults = n
        if self.samples:
            self.log_samples()
        self.log(f"chaos: {n} faults, 0 violations, {acked} acknowledged messages all "
                 f"held and read by the group, {len(self.scheds)} scheduler process(es), "
                 f"{elapsed:.0f}s (CHAOS_SEED={self.seed})")
        return elapsed

    def log_samples(self):
        t0, cpu0, rss0 = self.samples[0]
        t1, cpu1, rss1 = self.samples[-1]
        peak = max(r for _, _, r in self.samples)
        half = self.samples[len(self.samples) // 2][2]
        self.log(f"scheduler over {t1 - t0:.0f}s of faults: CPU {cpu1 - cpu0:.1f}s "
                 f"({100 * (cpu1 - cpu0) / max(t1 - t0, 1):.1f}% of a core); resident "
                 f"{rss0 / 1024:.1f} MB at the start, {half / 1024:.1f} MB half-way, "
                 f"{rss1 / 1024:.1f} MB at the end, {peak / 1024:.1f} MB at most "
                 f"({len(self.samples)} samples)")

    def report(self, error):
        lines = [f"chaos: VIOLATION with CHAOS_SEED={self.seed}: {error}", "fault history:"]
        lines += [f"  {h}" for h in self.history] or ["  (none: during bring-up)"]
        lines.append(f"logs: {self.workdir} (master.log, mesos-kafka-*.log, master-agents/)")
        return "\n".join(lines)


def run(workdir, seed, faults, log=print, **options):
    """Runs a chaos session; raises Violation with the report on the first violation."""
    chaos = Chaos(workdir, seed, faults, log=log, **options)
    try:
        elapsed = chaos.run()
    except Exception as e:  # any failure is reported with the seed and the history
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        chaos.stop()
        raise Violation(chaos.report(detail)) from e
    except BaseException:  # interrupted: leave nothing running
        chaos.stop()
        raise
    errors = chaos.stop()
    if errors:
        raise Violation(chaos.report("a process did not exit cleanly:\n" + "\n".join(errors)))
    return elapsed


def interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--faults", type=int, default=int(os.environ.get("CHAOS_FAULTS", 100)))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED") or
                                                    random.SystemRandom().randrange(1 << 31)))
    ap.add_argument("--workdir")
    ap.add_argument("--minutes", type=float, help="inject faults for this long instead of a count")
    ap.add_argument("--no-scheduler-kill", action="store_true",
                    help="keep one scheduler process (for --sample-scheduler)")
    ap.add_argument("--only", default=os.environ.get("CHAOS_ONLY"),
                    help="comma-separated fault kinds to draw from (default: all)")
    ap.add_argument("--sample-scheduler", action="store_true",
                    help="print the scheduler's CPU time and resident memory over the run")
    args = ap.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="mk-chaos."))
    workdir.mkdir(parents=True, exist_ok=True)
    # Stopped from outside (Ctrl-C, timeout): stop every process through the normal path.
    signal.signal(signal.SIGTERM, interrupted)
    try:
        run(workdir, args.seed, args.faults, log=lambda s: print(s, flush=True),
            minutes=args.minutes, scheduler_kill=not args.no_scheduler_kill,
            sample=args.sample_scheduler, only=args.only)
    except Violation as e:
        print(e, file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
