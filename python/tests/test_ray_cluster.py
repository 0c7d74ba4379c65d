"""The Ape-X example plan on a local three-node Ray cluster (ray.cluster_utils.Cluster): the
learner reaches a real CartPole threshold although an actor's node is removed mid-run, and no
process the run started is left once Ray has shut down (checked through /proc)."""

from __future__ import annotations

import io
import json
import os
import re
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the gymd.ray cluster test needs Ray (pip install 'gymd[ray]')")
pytest.importorskip("yaml", reason="gymd.ray plans need PyYAML (pip install 'gymd[ray]')")

from ray.cluster_utils import Cluster  # noqa: E402

from gymd.ray.__main__ import main  # noqa: E402
from gymd.ray.actors import NAMESPACE  # noqa: E402
from gymd.ray.launcher import Launch  # noqa: E402
from gymd.ray.plan import parse_plan  # noqa: E402
from gymd.ray.service_process import RUN_MARKER  # noqa: E402

from conftest import gym_binary  # noqa: E402

PLAN = Path(__file__).resolve().parents[1] / "examples" / "ray" / "apex-cartpole.yaml"
#: Greedy evaluation return the learner must reach (random play averages about 22).
THRESHOLD = 100.0


def processes_of(run: str) -> list[str]:
    """Live processes whose environment carries this run's marker, as 'pid cmdline'."""
    marker = f"{RUN_MARKER}={run}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    found.append(f"{entry.name} {command}")
        except OSError:
            continue
    return found


@pytest.fixture
def cluster():
    """A head node (resource "head") and two actor nodes ("actor_node_0", "actor_node_1")."""
    made = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "resources": {"head": 1}, "include_dashboard": False})
    nodes = [made.add_node(num_cpus=1, resources={f"actor_node_{index}": 1}) for index in range(2)]
    made.wait_for_nodes()
    ray.init(address=made.address, namespace=NAMESPACE, log_to_driver=False, logging_level="warning")
    try:
        yield made, nodes
    finally:
        ray.shutdown()
        try:
            made.shutdown()
        except Exception:  # noqa: BLE001 - the test may have shut it down already
            pass


def test_apex_plan_survives_losing_an_actor_node_and_leaves_no_process(cluster, capsys):
    made, nodes = cluster
    run = f"apexci{os.getpid()}"
    plan = parse_plan(re.sub(r"(?m)^name: apex$", f"name: {run}", PLAN.read_text()), PLAN.name)
    log = io.StringIO()
    launch = Launch(plan, binary=str(gym_binary()), log=log)
    result: dict = {}
    runner = threading.Thread(target=lambda: result.update(launch.run()), daemon=True)
    runner.start()
    assert launch.running.wait(240), f"the plan did not come up:\n{log.getvalue()[-4000:]}"
    # Each service runs on the node its resources name.
    placed = {label: status["node_id"] for label, status in launch.statuses.items()}
    assert set(placed) == {"env.0", "env.1", "buffer.0", "learner.0", "actor.0", "actor.1"}
    names = {node["NodeID"]: node["Resources"] for node in ray.nodes()}
    for label, node in placed.items():
        wanted = "head" if label.split(".")[0] in ("buffer", "learner") else f"actor_node_{label.split('.')[1]}"
        assert wanted in names[node], (label, names[node])
    assert len(processes_of(run)) == 6, processes_of(run)
    # `status` finds them from the cluster (named actors) and prints one JSON object last.
    assert main(["status", "--address", made.address, "--run", run, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["instances"]
    assert sorted(row["label"] for row in listed) == sorted(placed) and all(row["state"] == "ready" for row in listed)
    # Let actor 1 join and contribute, then take its node (with env server 1) away.
    time.sleep(8)
    made.remove_node(nodes[1], allow_graceful=False)
    # The lost node's env server and actor die with it (their parent-death signal), mid-run.
    deadline = time.monotonic() + 20
    while len(processes_of(run)) > 4 and time.monotonic() < deadline:
        time.sleep(0.25)
    survivors = processes_of(run)
    runner.join(600)
    text = log.getvalue()
    print(text[-6000:], result, sep="\n")  # shown by pytest -rP or on failure
    assert not runner.is_alive(), f"the run did not finish:\n{text[-4000:]}"
    assert result["ok"], f"{result}\n{text[-4000:]}"
    assert "actor.1 was lost" in text, text[-4000:]
    assert len(survivors) == 4, survivors
    summary = result["summary"]
    assert summary["eval_mean"] >= THRESHOLD, summary
    assert summary["actors"] >= 2, summary  # both actors joined before one was lost
    assert result["instances"]["actor.0"]["state"] == "exited"
    ray.shutdown()
    made.shutdown()
    deadline = time.monotonic() + 15
    while processes_of(run) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert processes_of(run) == [], "processes left behind"
