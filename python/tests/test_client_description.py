"""The hello's client description from Python: who is stepping, sent, changed and checked."""

from __future__ import annotations

import re

import pytest

import gymd
from conftest import gym_binary, start_gym_serve
from gymd.daemon_process import DaemonProcess
from gymd.recording import Recording
from gymd.connection import client_description
from gymd.errors import InvalidArgumentError
from gymd.protocol import gym_pb2
from test_recording import free_port


def test_a_described_connection_makes_and_steps_and_can_change_its_role(server):
    with gymd.Connection(server, run="sweep-3", algorithm="ppo", role="train") as connection:
        assert connection.description == gym_pb2.ClientDescription(run="sweep-3", algorithm="ppo", role=gym_pb2.CLIENT_ROLE_TRAIN)
        env = gymd.RemoteEnv("CartPole-v1", connection=connection)
        env.reset(seed=1)
        env.step(0)
        env.close()
        connection.describe(run="sweep-3", algorithm="ppo", role="eval")
        assert connection.description.role == gym_pb2.CLIENT_ROLE_EVAL
        with pytest.raises(InvalidArgumentError, match="description"):
            connection.describe(run="x" * 300)
        # The rejected hello left the connection usable.
        assert connection.call(list_envs=gym_pb2.ListEnvs()).envs.specs


def test_without_a_description_the_hello_is_as_before(server, monkeypatch):
    for name in ("GYMD_RUN", "GYMD_ALGORITHM", "GYMD_ROLE"):
        monkeypatch.delenv(name, raising=False)
    with gymd.Connection(server) as connection:
        assert connection.description is None
        assert connection.server.protocol_version == gymd.PROTOCOL_VERSION


def test_the_environment_names_a_script_run_and_a_bad_role_is_refused(monkeypatch):
    monkeypatch.setenv("GYMD_RUN", "cleanrl-dqn-1")
    monkeypatch.setenv("GYMD_ROLE", "worker")
    assert client_description() == gym_pb2.ClientDescription(run="cleanrl-dqn-1", role=gym_pb2.CLIENT_ROLE_WORKER)
    with pytest.raises(ValueError, match="train, validate, eval, worker"):
        client_description(role="learner")


def test_a_recording_tells_a_described_clients_episodes_from_an_anonymous_ones(tmp_path, monkeypatch):
    for name in ("GYMD_RUN", "GYMD_ALGORITHM", "GYMD_ROLE"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "episodes.sqlite"
    events = f"tcp://127.0.0.1:{free_port()}"
    with start_gym_serve("--events", events) as daemon:
        recorder = DaemonProcess([str(gym_binary()), "record", "--events", events, "--out", str(path)], "gym record",
                                 ready=re.compile(r"attached to the daemon's event stream"))
        for connection in (gymd.Connection(daemon.endpoint, run="sweep-3", algorithm="ppo", role="eval"),
                           gymd.Connection(daemon.endpoint)):
            with connection:
                env = gymd.RemoteEnv("CartPole-v1", connection=connection)
                env.reset(seed=4)
                while not any(env.step(0)[2:4]):
                    pass
                env.close()
        assert recorder.stop() == 0, recorder.output()
    with Recording(path) as recording:
        episodes = [(e.run, e.algorithm, e.role) for e in recording.episodes() if e.length > 0]
    assert episodes == [("sweep-3", "ppo", "eval"), (None, None, None)]
