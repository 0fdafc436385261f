"""mesos-kafka against mesos-sim: subscription, TLS, auth, failover paths (issue 2).

Each test starts its own simulator and scheduler; the `cluster` fixture stops them and checks that
each exits cleanly without sanitizer reports. Every test ends by checking the simulator's call log:
no call the scheduler sent was rejected by the simulator's validation.
"""
import json
import os
import signal
import stat
import time

from harness import free_port, run_cli, wait_until

PASSWORD = "pw-7c1f-never-logged"
AUTH_PASSWORD = "api-9d2e-never-logged"


def scheduler_env(sim, pki, tmp_path, **overrides):
    env = {
        "FRAMEWORK_NAME": "mk-test",
        "FRAMEWORK_ROLE": "kafka",
        "FRAMEWORK_PORT": free_port(),
        "FRAMEWORK_STATEFILE_PATH": tmp_path / "state",
        "MESOS_MASTER": sim.address,
        "MESOS_SSL": "true" if pki else "false",
        "MESOS_USERNAME": "kafka",
        "MESOS_PASSWORD": PASSWORD,
        "MESOS_RECONNECT_MAX_DELAY": "1s",
        "MESOS_HEARTBEAT_MISSES": "3",
        "OFFER_REFUSE_SECONDS": "30s",
        "AUTH_USERNAME": "admin",
        "AUTH_PASSWORD": AUTH_PASSWORD,
        "LOGLEVEL": "DEBUG",
        # The connection alone: no members to launch (test_scheduler.py runs a cluster).
        "ZOOKEEPER_COUNT": 0,
        "KAFKA_COUNT": 0,
    }
    if pki:
        env["MESOS_CA_CERT"] = pki.ca_cert
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def state_file(tmp_path, name="mk-test"):
    return tmp_path / "state" / f"{name}.state.json"


def persisted_framework_id(tmp_path):
    path = state_file(tmp_path)
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("framework_id")


def connected_framework(sim):
    fw = sim.framework()
    return fw if fw and fw.get("connected") else None


def subscribes(sim):
    return [c for c in sim.calls() if c.get("type") == "SUBSCRIBE" and c.get("status") == 200]


def assert_no_secret(*texts):
    for text in texts:
        assert PASSWORD not in text and AUTH_PASSWORD not in text, "a secret reached the output"


def start_secure(cluster, pki, tmp_path, **env):
    sim = cluster.sim(pki=pki, credentials=[f"kafka:{PASSWORD}"])
    sched = cluster.scheduler(scheduler_env(sim, pki, tmp_path, **env))
    fw = wait_until(lambda: connected_framework(sim), 30, "the framework to subscribe")
    # Its first calls (reconciliation, then suppression: it has nothing to run) are answered
    # before a test breaks the connection; ones still in flight would rightly get 403.
    wait_until(lambda: any(c.get("type") == "RECONCILE" and c.get("status") == 202
                           for c in sim.calls()) and sim.framework().get("suppressed"), 30,
               "the first reconciliation and suppression")
    return sim, sched, fw


def test_subscribes_over_https_with_basic_auth_and_persists_its_framework_id(cluster, pki, tmp_path):
    sim, sched, fw = start_secure(cluster, pki, tmp_path)

    fid = wait_until(lambda: persisted_framework_id(tmp_path), 10, "the framework id in the state file")
    assert fid == fw["id"]
    mode = stat.S_IMODE(os.stat(state_file(tmp_path)).st_mode)
    assert mode == 0o600, oct(mode)

    sub = subscribes(sim)[0]["call"]["subscribe"]["framework_info"]
    assert sub["name"] == "mk-test" and sub["roles"] == ["kafka"] and sub["principal"] == "kafka"
    assert sub["checkpoint"] is True and sub["failover_timeout"] > 0
    assert {c["type"] for c in sub["capabilities"]} >= {"MULTI_ROLE", "PARTITION_AWARE"}
    assert sub["webui_url"].startswith("http")

    # With no members to run it wants nothing: offers are suppressed, and any offer that arrived
    # before is declined with the configured filter.
    wait_until(lambda: any(c.get("type") == "SUPPRESS" for c in sim.calls()), 15, "a SUPPRESS")
    for c in sim.calls():
        if c.get("type") == "DECLINE":
            assert c["call"]["decline"]["filters"]["refuse_seconds"] == 30.0
        assert c.get("type") not in ("ACCEPT", "REVIVE")
    wait_until(lambda: sim.framework(fid).get("suppressed"), 10, "the framework to be suppressed")

    sched.stop()
    assert_no_secret(sched.output(), state_file(tmp_path).read_text())
    sim.assert_no_rejected_calls()


def test_dropped_stream_resubscribes_with_the_same_framework_id(cluster, pki, tmp_path):
    sim, sched, fw = start_secure(cluster, pki, tmp_path)
    first_stream = fw.get("stream_id")
    sim.control("/control/drop-stream")
    wait_until(lambda: len(subscribes(sim)) >= 2, 30, "a second SUBSCRIBE")
    again = wait_until(lambda: connected_framework(sim), 30, "the framework to be connected again")
    assert again["id"] == fw["id"]
    assert again.get("stream_id") != first_stream
    resub = subscribes(sim)[-1]["call"]
    assert resub["framework_id"]["value"] == fw["id"]
    assert resub["subscribe"]["framework_info"]["id"]["value"] == fw["id"]
    sim.assert_no_rejected_calls()


def test_follows_a_redirect_from_a_non_leading_master(cluster, pki, tmp_path):
    leader = cluster.sim(name="leader", pki=pki, credentials=[f"kafka:{PASSWORD}"])
    follower = cluster.sim(name="follower", pki=pki, credentials=[f"kafka:{PASSWORD}"],
                           mode="redirect", leader=leader.address)
    cluster.scheduler(scheduler_env(follower, pki, tmp_path))
    wait_until(lambda: connected_framework(leader), 30, "the framework to reach the leader")
    assert any(c.get("status") == 307 for c in follower.calls())
    assert connected_framework(follower) is None
    leader.assert_no_rejected_calls()


def test_tries_every_master_in_turn(cluster, pki, tmp_path):
    sim = cluster.sim(pki=pki, credentials=[f"kafka:{PASSWORD}"])
    dead = f"127.0.0.1:{free_port()}"
    cluster.scheduler(scheduler_env(sim, pki, tmp_path, MESOS_MASTER=f"{dead},{sim.address}"))
    wait_until(lambda: connected_framework(sim), 30, "the framework to subscribe to the live master")
    sim.assert_no_rejected_calls()


def test_waits_through_a_period_without_leader(cluster, pki, tmp_path):
    sim = cluster.sim(pki=pki, credentials=[f"kafka:{PASSWORD}"], mode="no-leader")
    cluster.scheduler(scheduler_env(sim, pki, tmp_path))
    wait_until(lambda: sum(c.get("status") == 503 for c in sim.calls()) >= 2, 30, "retries on 503")
    assert connected_framework(sim) is None
    sim.control("/control/mode?value=leader")
    wait_until(lambda: connected_framework(sim), 30, "the framework to subscribe once there is a leader")
    sim.assert_no_rejected_calls(allowed=(200, 202, 503))


def test_master_restart_is_followed_by_a_resubscribe_with_the_same_id(cluster, pki, tmp_path):
    sim, sched, fw = start_secure(cluster, pki, tmp_path)
    master_before = sim.state().get("master_id")
    sim.control("/control/restart")
    wait_until(lambda: len(subscribes(sim)) >= 2, 30, "a SUBSCRIBE to the restarted master")
    again = wait_until(lambda: connected_framework(sim), 30, "the framework to be back")
    assert again["id"] == fw["id"]
    assert sim.state().get("master_id") != master_before
    sim.assert_no_rejected_calls()


def test_missing_heartbeats_mean_a_lost_connection(cluster, pki, tmp_path):
    sim, sched, fw = start_secure(cluster, pki, tmp_path)
    n = len(subscribes(sim))
    # A frozen master keeps the TCP stream open but sends nothing: only the heartbeat watchdog notices.
    sim.signal(signal.SIGSTOP)
    try:
        sched.wait_for_output(r"no heartbeat for", timeout=30, after=len(sched.output()))
        time.sleep(1.0)
    finally:
        sim.signal(signal.SIGCONT)
    wait_until(lambda: len(subscribes(sim)) > n, 30, "a re-SUBSCRIBE after the missed heartbeats")
    again = wait_until(lambda: connected_framework(sim), 30, "the framework to be back")
    assert again["id"] == fw["id"]
    sim.assert_no_rejected_calls()


def test_restarted_scheduler_keeps_its_framework_id(cluster, pki, tmp_path):
    sim, sched, fw = start_secure(cluster, pki, tmp_path)
    wait_until(lambda: persisted_framework_id(tmp_path), 10, "the persisted framework id")
    sched.stop()
    cluster.scheduler(scheduler_env(sim, pki, tmp_path), name="mesos-kafka-2")
    wait_until(lambda: len(subscribes(sim)) >= 2, 30, "the second scheduler's SUBSCRIBE")
    assert subscribes(sim)[-1]["call"]["framework_id"]["value"] == fw["id"]
    wait_until(lambda: connected_framework(sim), 30, "the framework to be connected again")
    sim.assert_no_rejected_calls()


def test_killed_scheduler_resubscribes_with_its_framework_id(cluster, pki, tmp_path):
    sim, sched, fw = start_secure(cluster, pki, tmp_path)
    wait_until(lambda: persisted_framework_id(tmp_path), 10, "the persisted framework id")
    sched.proc.kill()
    sched.proc.wait()
    cluster.scheduler(scheduler_env(sim, pki, tmp_path), name="mesos-kafka-2")
    wait_until(lambda: len(subscribes(sim)) >= 2, 30, "the second scheduler's SUBSCRIBE")
    assert subscribes(sim)[-1]["call"]["framework_id"]["value"] == fw["id"]
    json.loads(state_file(tmp_path).read_text())  # still a valid document
    sim.assert_no_rejected_calls()


def test_removed_framework_registers_anew(cluster, pki, tmp_path):
    sim, sched, fw = start_secure(cluster, pki, tmp_path)
    wait_until(lambda: persisted_framework_id(tmp_path) == fw["id"], 10, "the persisted framework id")
    sim.control(f"/control/remove-framework?framework={fw['id']}")
    new_id = wait_until(lambda: (persisted_framework_id(tmp_path) or fw["id"]) != fw["id"]
                        and persisted_framework_id(tmp_path), 30, "a new framework id")
    assert new_id != fw["id"]
    wait_until(lambda: connected_framework(sim) and connected_framework(sim)["id"] == new_id, 30,
               "the new framework to be connected")
    sim.assert_no_rejected_calls()


def test_a_second_instance_taking_over_stops_the_first(cluster, pki, tmp_path):
    sim, first, fw = start_secure(cluster, pki, tmp_path)
    wait_until(lambda: persisted_framework_id(tmp_path), 10, "the persisted framework id")
    cluster.scheduler(scheduler_env(sim, pki, tmp_path), name="mesos-kafka-2")
    code = first.exit_code(timeout=30)
    assert code != 0
    assert "failed over" in first.output()
    first.stop(expect_code=None)
    # The displaced instance may have had a call in flight with its old stream id when the takeover
    # happened; the master rejects exactly that, and it is the only rejection allowed here.
    stale = "didn't match the stream ID"
    rejected = [c for c in sim.calls() if c.get("status") not in (200, 202)]
    assert all(stale in (c.get("error") or "") for c in rejected), rejected


def test_wrong_password_fails_clearly(cluster, pki, tmp_path):
    sim = cluster.sim(pki=pki, credentials=[f"kafka:{PASSWORD}"])
    wrong = "wrong-password-5a5a"
    sched = cluster.scheduler(scheduler_env(sim, pki, tmp_path, MESOS_PASSWORD=wrong))
    code = sched.exit_code(timeout=30)
    out = sched.output()
    assert code != 0
    assert "401" in out and "MESOS_USERNAME" in out
    assert wrong not in out
    sched.stop(expect_code=None)


def test_unverifiable_certificate_fails_clearly(cluster, pki, rogue_pki, tmp_path):
    sim = cluster.sim(pki=rogue_pki, credentials=[f"kafka:{PASSWORD}"])
    sched = cluster.scheduler(scheduler_env(sim, pki, tmp_path))
    code = sched.exit_code(timeout=30)
    out = sched.output()
    assert code != 0
    assert "certificate" in out and "MESOS_CA_CERT" in out
    assert connected_framework(sim) is None
    sched.stop(expect_code=None)


def test_verification_can_be_turned_off_with_a_warning(cluster, pki, rogue_pki, tmp_path):
    sim = cluster.sim(pki=rogue_pki, credentials=[f"kafka:{PASSWORD}"])
    sched = cluster.scheduler(scheduler_env(sim, pki, tmp_path, MESOS_SSL_VERIFY="false"))
    wait_until(lambda: connected_framework(sim), 30, "the framework to subscribe without verification")
    assert "MESOS_SSL_VERIFY" in sched.output()
    assert "WARN" in sched.output()
    sim.assert_no_rejected_calls()


def test_plain_http_without_auth(cluster, tmp_path):
    sim = cluster.sim()
    cluster.scheduler(scheduler_env(sim, None, tmp_path, MESOS_USERNAME=None, MESOS_PASSWORD=None))
    wait_until(lambda: connected_framework(sim), 30, "the framework to subscribe over http")
    sim.assert_no_rejected_calls()


def test_corrupt_state_file_stops_start_up_and_is_kept(cluster, pki, tmp_path):
    sim = cluster.sim(pki=pki, credentials=[f"kafka:{PASSWORD}"])
    path = state_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"schema_version": 1, "framework_id": ')
    sched = cluster.scheduler(scheduler_env(sim, pki, tmp_path))
    assert sched.exit_code(timeout=30) != 0
    assert str(path) in sched.output()
    assert path.read_text() == '{"schema_version": 1, "framework_id": '
    assert not subscribes(sim)
    sched.stop(expect_code=None)


def test_bad_configuration_is_reported_all_at_once_with_exit_2(tmp_path):
    r = run_cli([], {
        "KAFKA_COUNT": "three", "ZOOKEEPER_COUNT": "-1", "RES_CPU": "abc", "LOGLEVEL": "LOUD",
        "MESOS_MASTER": "http://m1", "MESOS_CA_CERT": str(tmp_path / "missing.pem"),
        "MESOS_USERNAME": "kafka", "MESOS_PASSWORD": PASSWORD,
    })
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    for var in ("KAFKA_COUNT", "ZOOKEEPER_COUNT", "RES_CPU", "LOGLEVEL", "MESOS_MASTER", "MESOS_CA_CERT"):
        assert any(line.startswith(var) or f" {var}" in line for line in lines), (var, r.stderr)
    assert_no_secret(r.stdout, r.stderr)


def test_help_and_effective_config_mask_secrets():
    h = run_cli(["--help"])
    assert h.returncode == 0
    for var in ("MESOS_MASTER", "MESOS_SSL", "MESOS_CA_CERT", "KAFKA_COUNT", "FRAMEWORK_STATEFILE_PATH"):
        assert var in h.stdout
    c = run_cli(["config"], {"MESOS_USERNAME": "kafka", "MESOS_PASSWORD": PASSWORD,
                             "AUTH_USERNAME": "admin", "AUTH_PASSWORD": AUTH_PASSWORD})
    assert c.returncode == 0, c.stderr
    assert "MESOS_PASSWORD" in c.stdout and "********" in c.stdout
    assert_no_secret(c.stdout, c.stderr)
