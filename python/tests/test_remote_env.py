"""RemoteEnv against the Swift daemon: Gymnasium-exact episodes, typed errors, timeouts."""

from __future__ import annotations

import time

import gymnasium
import numpy as np
import pytest

import gymd
from conftest import start_gym_serve


def play(env: gymnasium.Env, seed: int, actions: np.ndarray):
    """Every (obs, reward, terminated, truncated) of an episode driven by ``actions`` (cycled)."""
    obs, _ = env.reset(seed=seed)
    trace = [(obs.tobytes(), 0.0, False, False)]
    for t in range(10_000):
        obs, reward, terminated, truncated, _ = env.step(actions[t % len(actions)])
        trace.append((obs.tobytes(), reward, terminated, truncated))
        if terminated or truncated:
            return trace
    raise AssertionError("episode did not end")


@pytest.mark.parametrize("env_id", ["CartPole-v1", "Acrobot-v1", "MountainCar-v0"])
def test_episodes_match_gymnasium_bit_for_bit(server, env_id):
    remote = gymd.RemoteEnv(env_id, server=server)
    native = gymnasium.make(env_id)
    rng = np.random.default_rng(7)
    try:
        for seed in (0, 1, 2):
            actions = rng.integers(0, remote.action_space.n, size=64)
            assert play(remote, seed, actions) == play(native, seed, actions)
    finally:
        remote.close()
        native.close()


def test_time_limit_comes_from_the_daemon_and_can_be_overridden(server):
    env = gymd.RemoteEnv("Pendulum-v1", server=server, max_episode_steps=7)
    try:
        assert env.max_episode_steps == 7
        env.reset(seed=0)
        flags = [env.step(np.zeros(1, np.float32))[3] for _ in range(7)]
        assert flags == [False] * 6 + [True]
        with pytest.raises(gymd.ResetNeededError):
            env.step(np.zeros(1, np.float32))
    finally:
        env.close()


def test_render_returns_an_rgb_frame(server):
    env = gymnasium.make("gymd/CartPole-v1", server=server, render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    env.close()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3
    assert frame.min() < frame.max(), "a blank frame"


def test_bad_requests_raise_typed_errors(server):
    with gymd.Connection(server, timeout=5) as connection:
        env = gymd.RemoteEnv("CartPole-v1", connection=connection)
        with pytest.raises(gymd.ResetNeededError):
            env.step(0)
        env.reset(seed=0)
        with pytest.raises(gymd.InvalidActionError, match="outside"):
            env.step(2)
        with pytest.raises(gymd.InvalidActionError):
            env.step(np.float32(0.5))
        with pytest.raises(gymd.UnknownEnvError, match="CartPole-v1"):
            gymd.RemoteEnv("NoSuchEnv-v0", connection=connection)
        handle = env._batch.handle
        env.close()
        with pytest.raises(gymd.UnknownHandleError):
            connection.call(reset=gymd.protocol.gym_pb2.Reset(handle=handle))
        other = gymd.RemoteEnv("CartPole-v1", server=server)
        try:
            with pytest.raises(gymd.NotOwnerError):
                connection.call(reset=gymd.protocol.gym_pb2.Reset(handle=other._batch.handle))
        finally:
            other.close()
        # The daemon went on serving this client after every error.
        assert gymd.RemoteEnv("CartPole-v1", connection=connection).reset(seed=1)[0].shape == (4,)


def test_unsupported_version_is_rejected(server):
    with gymd.Connection(server) as connection:
        with pytest.raises(gymd.UnsupportedVersionError, match="version 1"):
            connection.call(hello=gymd.protocol.gym_pb2.Hello(protocol_version=99))


def test_no_daemon_is_a_timeout_not_a_hang():
    started = time.monotonic()
    with pytest.raises(gymd.GymTimeoutError):
        gymd.RemoteEnv("CartPole-v1", server="tcp://127.0.0.1:9", timeout=0.5)
    assert time.monotonic() - started < 5


def test_a_daemon_that_dies_mid_episode_is_a_timeout():
    with start_gym_serve() as daemon:
        env = gymd.RemoteEnv("CartPole-v1", server=daemon.endpoint)
        env.reset(seed=0)
        # Short only once the daemon is gone: a loaded machine may take longer than this to make the env.
        env.connection.timeout = 0.5
        daemon.stop(9)
        with pytest.raises(gymd.GymTimeoutError):
            env.step(0)
        with pytest.raises(TimeoutError):
            env.reset()
        env.close()


def test_sigterm_stops_the_daemon_gracefully():
    with start_gym_serve() as daemon:
        assert daemon.stop() == 0
        assert "stopped after" in daemon.output()
