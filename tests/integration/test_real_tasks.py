"""Real ZooKeeper and Kafka as Docker tasks through mesos-sim (issue 3's acceptance).

A minimal test client subscribes and launches, as a scheduler would: a three-member ensemble in the
official image's conventions (HOST network, ports from the offers), then a broker on a BRIDGE network
with a port mapping and a named volume. kcat reaches the broker through the address its status
reports, and the broker's data outlives a KILL and a relaunch on the same agent.
"""
from harness import in_block, wait_until
from mesos_client import (SchedulerClient, docker_container, environment, offer_ports, status_ip,
                          task_info)
from servers import SMALL_BROKER_ENV, consume, four_letter, kcat, produce, zk_get_data, zk_mode

MESSAGES = [f"message-{i:04d}" for i in range(1000)]
CHROOT = "/sim-test"


def zookeeper_tasks(client):
    offers = [client.offer_on(f"agent{n}") for n in (1, 2, 3)]
    ports = [offer_ports(o, 3) for o in offers]  # client, quorum, election
    servers = " ".join(f"server.{n}=agent{n}:{p[1]}:{p[2]};{p[0]}" for n, p in zip((1, 2, 3), ports))
    for n, (offer, p) in enumerate(zip(offers, ports), start=1):
        env = {"ZOO_MY_ID": n, "ZOO_SERVERS": servers, "HEAP_MB": 64, "ZOO_TICK_TIME": 500,
               "ZOO_INIT_LIMIT": 20, "ZOO_SYNC_LIMIT": 10}
        health = {"type": "TCP", "tcp": {"port": p[0]}, "delay_seconds": 1, "interval_seconds": 1,
                  "grace_period_seconds": 60}
        client.launch(offer, [task_info(f"zookeeper-{n}", offer,
                                        {"shell": False, "environment": environment(env)},
                                        cpus=0.2, mem=256, ports=p, health_check=health,
                                        container=docker_container("zookeeper:3.8"))])
    return [f"agent{n}:{p[0]}" for n, p in zip((1, 2, 3), ports)]


def kafka_task(client, task_id, connect, host_port=None):
    offer = client.offer_on("agent1", ports=[host_port] if host_port else [])
    host_port = host_port or offer_ports(offer, 1)[0]
    env = {**SMALL_BROKER_ENV, "KAFKA_BROKER_ID": 0, "KAFKA_ZOOKEEPER_CONNECT": connect,
           "KAFKA_LISTENERS": "PLAINTEXT://0.0.0.0:9092",
           "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://agent1:{host_port}", "HEAP_MB": 256}
    volume = {"container_path": "data", "mode": "RW",
              "source": {"type": "DOCKER_VOLUME", "docker_volume": {"name": "kafka-0"}}}
    client.launch(offer, [task_info(task_id, offer, {"shell": False, "environment": environment(env)},
                                    cpus=0.5, mem=512, ports=[host_port],
                                    container=docker_container("apache/kafka:3.9.2", network="BRIDGE",
                                                               port_mappings=[(host_port, 9092)],
                                                               volumes=[volume]))])
    running = client.wait_state(task_id, "TASK_RUNNING")
    return running, host_port


def wait_broker(connect, address):
    """Registered under <chroot>/brokers/ids/0 and answering produce requests at `address`."""
    wait_until(lambda: zk_data(connect, "/brokers/ids/0"), 120, "broker 0 registered", interval=0.5)

    def serving():
        return kcat(["-b", address, "-L", "-m", "2"], timeout=10).returncode == 0
    wait_until(serving, 60, f"the broker answering at {address}", interval=0.5)


def zk_data(connect, path):
    try:
        return zk_get_data(connect, path)
    except (OSError, ConnectionError):
        return None


def test_zookeeper_and_kafka_run_as_docker_tasks(cluster, tmp_path):
    sim = cluster.sim(update_retry=1)
    client = SchedulerClient(sim)
    try:
        # --- a ZooKeeper ensemble forms a quorum --------------------------------------------------
        members = zookeeper_tasks(client)
        for n in (1, 2, 3):
            client.wait_state(f"zookeeper-{n}", "TASK_RUNNING")

        def quorum():
            modes = sorted(zk_mode(*m.split(":")) or "-" for m in members)
            return modes == ["follower", "follower", "leader"]
        wait_until(quorum, 90, "a ZooKeeper quorum", interval=0.5)
        assert "Zookeeper version" in four_letter("agent1", int(members[0].split(":")[1]), "srvr")
        wait_until(lambda: all(any(s.get("healthy") for s in client.updates(f"zookeeper-{n}"))
                               for n in (1, 2, 3)), 30, "healthy ZooKeeper members")

        # --- a broker registers and carries 1,000 messages -------------------------------------------
        connect = ",".join(members) + CHROOT
        running, host_port = kafka_task(client, "kafka-0.a", connect)
        container_ip = status_ip(running)
        assert container_ip and in_block(container_ip, sim.state()["container_address_block"])
        bootstrap = f"{container_ip}:9092"  # where the status says the container is
        wait_broker(connect, bootstrap)
        produce(bootstrap, "acceptance", MESSAGES)
        assert consume(bootstrap, "acceptance", len(MESSAGES)) == MESSAGES
        assert consume(f"agent1:{host_port}", "acceptance", len(MESSAGES)) == MESSAGES

        # --- KILL: TASK_KILLING then TASK_KILLED ------------------------------------------------------
        client.kill("kafka-0.a")
        client.wait_state("kafka-0.a", "TASK_KILLED", timeout=60)
        assert client.states("kafka-0.a")[-2:] == ["TASK_KILLING", "TASK_KILLED"]

        # --- relaunched on the same agent with the same volume: the messages are still there ----------
        running, _ = kafka_task(client, "kafka-0.b", connect, host_port=host_port)
        bootstrap = f"{status_ip(running)}:9092"
        wait_broker(connect, bootstrap)
        assert consume(bootstrap, "acceptance", len(MESSAGES)) == MESSAGES

        # --- the broker's process dies: TASK_FAILED with its exit status ------------------------------
        sim.control("/control/task/signal?task=kafka-0.b&signal=KILL")
        failed = client.wait_state("kafka-0.b", "TASK_FAILED", timeout=30)
        assert failed["message"] == "Container exited with status 137"

        # --- an agent is lost: its member is unreachable, the other two keep the quorum -------------
        sim.control("/control/agent/lose?agent=agent3")
        lost = client.wait_state("zookeeper-3", "TASK_UNREACHABLE", timeout=30)
        assert lost["reason"] == "REASON_AGENT_REMOVED"
        wait_until(lambda: sorted(zk_mode(*m.split(":")) or "-" for m in members[:2])
                   == ["follower", "leader"], 60, "the remaining quorum", interval=0.5)
        assert not client.errors
    finally:
        client.close()
    sim.assert_no_rejected_calls()
