"""Constraints spreading brokers (issue 14): four brokers with rack=groupBy:2,hostname=unique on
four agents, two in each rack, end two per rack and one per agent, whatever order the offers come
in; against real ZooKeeper and Kafka on mesos-sim (a cluster of its own: the racks differ from
test_brokers.py's)."""
from collections import Counter

import pytest

from harness import wait_until
from test_brokers import agents, brokers, call, racked_cluster, running, task_infos

RACKS = {1: "r1", 2: "r2", 3: "r1", 4: "r2"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    yield from racked_cluster(tmp_path_factory, "placement", RACKS)


def test_group_by_two_racks_spreads_four_brokers_two_and_two(env):
    status, body = call(env, "POST", "/v1/brokers/0..3/add",
                        {"constraints": "rack=groupBy:2,hostname=unique"})
    assert status == 200 and body["added"] == [0, 1, 2, 3], body
    assert call(env, "POST", "/v1/brokers/*/start")[0] == 200
    wait_until(lambda: running(env, range(4)), 300, "four brokers running", interval=1)
    where = agents(env)
    placed = [where[task_infos(env, f"kafka-{i}")[0]["agent_id"]["value"]] for i in range(4)]
    assert Counter(attrs["rack"] for _, attrs in placed) == {"r1": 2, "r2": 2}, placed
    assert len({hostname for hostname, _ in placed}) == 4, placed
    assert brokers(env)[0]["settings"]["constraints"]["value"] == "rack=groupBy:2,hostname=unique"
