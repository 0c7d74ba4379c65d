"""The env bridge: Gymnasium environments served over the protocol to Swift and Python clients."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time

import numpy as np
import pytest
import zmq

import gymd
from conftest import gym_binary
from gymd.daemon_process import start_bridge
from gymd.protocol import gym_pb2


def gym(*args: str) -> str:
    """Runs the Swift CLI (in a scratch directory: a run writes its checkpoints under runs/) and
    returns its stdout."""
    with tempfile.TemporaryDirectory(prefix="gymd-bridge-cli-") as scratch:
        result = subprocess.run([str(gym_binary()), *args], capture_output=True, text=True, timeout=300, cwd=scratch)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_swift_rollout_through_the_bridge_matches_the_swift_daemon(server, bridge):
    # Gymnasium's CartPole behind the bridge and the daemon's own are bit-identical.
    command = ["rollout", "--env", "CartPole-v1", "--seed", "11", "--random", "--steps", "200"]
    assert gym(*command, "--server", bridge.endpoint) == gym(*command, "--server", server)


def test_swift_lists_the_bridged_environments(bridge):
    listing = json.loads(gym("envs", "--server", bridge.endpoint, "--json").splitlines()[-1])
    assert "CartPole-v1" in json.dumps(listing) and "Blackjack-v1" in json.dumps(listing)


def test_swift_dqn_trains_through_the_bridge(bridge):
    summary = json.loads(gym("train", "dqn", "--env", "CartPole-v1", "--server", bridge.endpoint, "--total-steps", "300",
                             "--learning-starts", "100", "--eval-episodes", "2", "--quiet", "--json").splitlines()[-1])
    assert summary["env"] == "CartPole-v1" and summary["steps"] >= 300 and summary["eval_mean"] > 0


def test_tuple_observations_and_time_limits(bridge):
    env = gymd.RemoteEnv("Blackjack-v1", server=bridge.endpoint)
    try:
        assert isinstance(env.observation_space, gymd.remote_env.gymnasium.spaces.Tuple)
        obs, _ = env.reset(seed=3)
        assert obs in env.observation_space
    finally:
        env.close()
    limited = gymd.RemoteVectorEnv("CartPole-v1", 2, server=bridge.endpoint, max_episode_steps=5)
    try:
        limited.reset(seed=0)
        truncated = [limited.step(np.array([0, 1]))[3].tolist() for _ in range(5)]
        assert truncated[-1] == [True, True] and not any(any(t) for t in truncated[:-1])
    finally:
        limited.close()


def test_bad_requests_get_typed_errors_and_the_bridge_goes_on(bridge):
    with gymd.Connection(bridge.endpoint, timeout=5) as connection:
        env = gymd.RemoteEnv("CartPole-v1", connection=connection)
        with pytest.raises(gymd.ResetNeededError):
            env.step(0)
        env.reset(seed=0)
        with pytest.raises(gymd.InvalidActionError, match="outside"):
            env.step(7)
        with pytest.raises(gymd.InvalidActionError, match="int64"):
            env._batch.step([np.zeros(1, dtype=np.float32)])
        with pytest.raises(gymd.UnknownEnvError, match="CartPole-v1"):
            gymd.RemoteEnv("LunarLander-v3", connection=connection)
        with pytest.raises(gymd.InvalidArgumentError):
            gymd.RemoteEnv("CartPole-v1", connection=connection, no_such_kwarg=1)
        with pytest.raises(gymd.InvalidArgumentError):
            gymd.RemoteBatch("CartPole-v1", 0, connection=connection)
        with pytest.raises(gymd.UnsupportedVersionError):
            connection.call(hello=gym_pb2.Hello(protocol_version=2))
        with gymd.Connection(bridge.endpoint) as other:
            with pytest.raises(gymd.NotOwnerError):
                other.call(reset=gym_pb2.Reset(handle=env._batch.handle))
        handle = env._batch.handle
        env.close()
        with pytest.raises(gymd.UnknownHandleError, match="closed"):
            connection.call(reset=gym_pb2.Reset(handle=handle))
        with pytest.raises(gymd.UnknownMessageError):
            connection.call()
        assert gymd.RemoteEnv("CartPole-v1", connection=connection).reset(seed=0)[0].shape == (4,)


def test_malformed_frames_get_malformed_errors(bridge):
    socket = zmq.Context.instance().socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, 5000)
    socket.connect(bridge.endpoint)
    try:
        for frames in ([b"\xff\xff\xff"], [b"a", b"b"], [b""]):
            socket.send_multipart(frames)
            reply = gym_pb2.Response.FromString(socket.recv_multipart()[-1])
            assert reply.error.code == gym_pb2.ERROR_CODE_MALFORMED, frames
        # An undecodable request that starts with its id gets that id back.
        socket.send(b"\x08\x96\x01\xff\xff")
        reply = gym_pb2.Response.FromString(socket.recv_multipart()[-1])
        assert (reply.id, reply.error.code) == (150, gym_pb2.ERROR_CODE_MALFORMED)
    finally:
        socket.close()


def test_quota_reclaim_at_disconnect_and_graceful_stop(bridge_mode):
    with start_bridge("CartPole-v1", args=("--max-envs-per-client", "3", "--idle-timeout", "1.5", *bridge_mode)) as daemon:
        with gymd.Connection(daemon.endpoint) as connection:
            batch = gymd.RemoteBatch("CartPole-v1", 3, connection=connection)
            with pytest.raises(gymd.QuotaExceededError):
                gymd.RemoteBatch("CartPole-v1", 1, connection=connection)
            # Silent past the idle timeout on an open connection: the environments stay.
            time.sleep(2.5)
            batch.reset()
        # The connection closed: its environments are closed at once, not after the idle timeout.
        deadline = time.monotonic() + 5
        while "disconnected: closing its 1 handle(s)" not in daemon.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        with gymd.Connection(daemon.endpoint) as other:
            with pytest.raises(gymd.UnknownHandleError, match="reclaimed"):
                other.call(reset=gym_pb2.Reset(handle=batch.handle))
        assert daemon.stop() == 0
        assert "disconnected: closing its 1 handle(s)" in daemon.output() and "stopped after" in daemon.output()


def test_unknown_environment_fails_at_startup(bridge_mode):
    with pytest.raises(RuntimeError, match="not a registered Gymnasium environment"):
        start_bridge("NoSuchEnv-v9", args=bridge_mode)


def test_box2d_lunar_lander_through_the_bridge(bridge_mode):
    pytest.importorskip("Box2D", reason="LunarLander needs Box2D: pip install 'gymnasium[box2d]'")
    with start_bridge("LunarLander-v3", args=bridge_mode) as daemon:
        lines = gym("rollout", "--env", "LunarLander-v3", "--seed", "0", "--random", "--steps", "30",
                    "--server", daemon.endpoint).splitlines()
        env = gymd.RemoteEnv("LunarLander-v3", server=daemon.endpoint)
        try:
            assert env.max_episode_steps == 1000 and env.reward_threshold == 200
            obs, _ = env.reset(seed=0)
        finally:
            env.close()
    assert np.array_equal(np.array(json.loads(lines[0])["reset"]["obs"], dtype=np.float32), obs)
    assert len(lines) == 31
