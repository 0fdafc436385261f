"""The framework's own API over HTTPS, and secrets given as files (issue 13).

Light: mesos-sim and mesos-kafka with no members to launch, so no JVM starts. The scheduler serves
its API with the test CA's server certificate (FRAMEWORK_TLS_CERT/_KEY); the tests check what a
user sees: /health over HTTPS verified against the CA, no answer over plain HTTP, the CLI verifying
the server against MESOS_KAFKA_CA_CERT, and MESOS_PASSWORD_FILE / AUTH_PASSWORD_FILE accepted by
mesos-sim and the API without the secrets reaching a log, `mesos-kafka config` or the state file.
"""
import base64
import http.client
import json
import ssl
import urllib.error
import urllib.request

import pytest

from harness import run_cli, wait_until
from test_mesos_connection import (AUTH_PASSWORD, PASSWORD, assert_no_secret, connected_framework,
                                   scheduler_env, state_file)


def get(url, cafile=None, password=None):
    """(status, body) of a GET; credentials as admin:password when given."""
    req = urllib.request.Request(url)
    if password is not None:
        token = base64.b64encode(f"admin:{password}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    try:
        with urllib.request.urlopen(req, timeout=10, context=context) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def start(cluster, pki, tmp_path, **env):
    sim = cluster.sim(pki=pki, credentials=[f"kafka:{PASSWORD}"])
    env_vars = scheduler_env(sim, pki, tmp_path, **env)
    sched = cluster.scheduler(env_vars)
    wait_until(lambda: connected_framework(sim), 30, "the framework to subscribe")
    return sim, sched, env_vars


def test_api_serves_https_only_and_the_cli_verifies_it(cluster, pki, rogue_pki, tmp_path):
    sim, sched, env = start(cluster, pki, tmp_path, FRAMEWORK_TLS_CERT=pki.cert,
                            FRAMEWORK_TLS_KEY=pki.key)
    port = env["FRAMEWORK_PORT"]
    sched.wait_for_output(rf"serving the API and status page on port {port} over HTTPS only")

    status, body = get(f"https://127.0.0.1:{port}/health", cafile=pki.ca_cert)
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, _ = get(f"https://127.0.0.1:{port}/v0/status", cafile=pki.ca_cert,
                    password=AUTH_PASSWORD)
    assert status == 200
    # The link in the Mesos UI is https.
    subscribe = next(c for c in sim.calls() if c.get("type") == "SUBSCRIBE")
    webui = subscribe["call"]["subscribe"]["framework_info"]["webui_url"]
    assert webui.startswith("https://") and webui.endswith(f":{port}/"), webui

    # Plain HTTP gets no HTTP answer at all.
    with pytest.raises((http.client.HTTPException, ConnectionError, urllib.error.URLError)):
        get(f"http://127.0.0.1:{port}/health")
    # A client that does not trust the CA refuses the server.
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        get(f"https://127.0.0.1:{port}/health", cafile=rogue_pki.ca_cert)

    cli_env = {"MESOS_KAFKA_API": f"https://127.0.0.1:{port}", "MESOS_KAFKA_CA_CERT": pki.ca_cert,
               "AUTH_USERNAME": "admin", "AUTH_PASSWORD": AUTH_PASSWORD}
    ok = run_cli(["status", "--json"], cli_env)
    assert ok.returncode == 0, ok.stderr
    assert isinstance(json.loads(ok.stdout), dict)

    wrong = run_cli(["status"], {**cli_env, "MESOS_KAFKA_CA_CERT": rogue_pki.ca_cert})
    assert wrong.returncode == 3
    lines = wrong.stderr.strip().splitlines()
    assert len(lines) == 1, wrong.stderr
    assert "its TLS certificate did not verify against MESOS_KAFKA_CA_CERT" in lines[0]
    assert str(rogue_pki.ca_cert) in lines[0]

    plain = run_cli(["status"], {**cli_env, "MESOS_KAFKA_API": f"http://127.0.0.1:{port}"})
    assert plain.returncode == 3
    assert "https://" in plain.stderr
    assert_no_secret(ok.stdout, ok.stderr, wrong.stderr, plain.stderr)
    sim.assert_no_rejected_calls()
    sched.stop()
    assert_no_secret(sched.output())


def test_secrets_given_as_files_are_accepted(cluster, pki, tmp_path):
    secrets = tmp_path / "secrets"
    secrets.mkdir(mode=0o700)
    mesos_pw = secrets / "mesos-password"
    mesos_pw.write_text(PASSWORD + "\n")
    auth_pw = secrets / "auth-password"
    auth_pw.write_text(AUTH_PASSWORD + "\n")
    sim, sched, env = start(cluster, pki, tmp_path, MESOS_PASSWORD=None,
                            MESOS_PASSWORD_FILE=mesos_pw, AUTH_PASSWORD=None,
                            AUTH_PASSWORD_FILE=auth_pw)
    port = env["FRAMEWORK_PORT"]
    # Subscribed: mesos-sim accepted the password read from the file. The API takes its own.
    status, _ = get(f"http://127.0.0.1:{port}/v0/status", password=AUTH_PASSWORD)
    assert status == 200
    status, _ = get(f"http://127.0.0.1:{port}/v0/status", password=AUTH_PASSWORD + "x")
    assert status == 401

    cli = run_cli(["status"], {"MESOS_KAFKA_API": f"http://127.0.0.1:{port}",
                               "AUTH_USERNAME": "admin", "AUTH_PASSWORD_FILE": auth_pw})
    assert cli.returncode == 0, cli.stderr

    shown = run_cli(["config"], env)
    assert shown.returncode == 0, shown.stderr
    assert "MESOS_PASSWORD              ********" in shown.stdout
    assert "AUTH_PASSWORD               ********" in shown.stdout
    wait_until(lambda: state_file(tmp_path).exists(), 10, "the state file")
    assert_no_secret(cli.stdout, cli.stderr, shown.stdout, state_file(tmp_path).read_text())
    sim.assert_no_rejected_calls()
    sched.stop()
    assert_no_secret(sched.output())


def test_bad_tls_and_secret_files_stop_start_up(tmp_path, pki):
    cases = [
        ({"FRAMEWORK_TLS_CERT": pki.cert},
         "FRAMEWORK_TLS_KEY: is required when FRAMEWORK_TLS_CERT is set"),
        ({"FRAMEWORK_TLS_CERT": pki.key, "FRAMEWORK_TLS_KEY": pki.key},
         "FRAMEWORK_TLS_CERT: is not a PEM certificate"),
        ({"FRAMEWORK_TLS_CERT": pki.ca_cert, "FRAMEWORK_TLS_KEY": pki.key},
         "FRAMEWORK_TLS_KEY: does not belong to the certificate in FRAMEWORK_TLS_CERT"),
        ({"AUTH_USERNAME": "admin", "AUTH_PASSWORD_FILE": tmp_path / "missing"},
         "AUTH_PASSWORD_FILE: cannot read the file: No such file or directory"),
        ({"AUTH_USERNAME": "admin", "AUTH_PASSWORD": "x", "AUTH_PASSWORD_FILE": pki.key},
         "AUTH_PASSWORD: set either AUTH_PASSWORD or AUTH_PASSWORD_FILE, not both"),
    ]
    key_line = pki.key.read_text().splitlines()[1]  # a line of the key's base64 body
    for env, message in cases:
        r = run_cli([], {"FRAMEWORK_STATEFILE_PATH": tmp_path, **env})
        assert r.returncode == 2, (env, r.stderr)
        assert message in r.stderr, r.stderr
        assert key_line not in r.stderr


def test_framework_bind_listens_on_that_address_only(cluster, pki, tmp_path):
    import socket
    sim, sched, env = start(cluster, pki, tmp_path, FRAMEWORK_BIND="127.0.0.1")
    port = env["FRAMEWORK_PORT"]
    sched.wait_for_output(rf"serving the API and status page on port {port} .* on 127\.0\.0\.1")
    status, _ = get(f"http://127.0.0.1:{port}/health")
    assert status == 200
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", port), timeout=5).close()
