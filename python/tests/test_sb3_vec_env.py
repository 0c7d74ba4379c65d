"""RemoteSB3VecEnv against SB3's DummyVecEnv of Gymnasium's own CartPole: the same numbers."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

sb3 = pytest.importorskip(
    "stable_baselines3", reason="stable-baselines3 (with torch, too large for the test virtualenv) is not installed")

from stable_baselines3.common.vec_env import DummyVecEnv  # noqa: E402

from gymd.sb3_vec_env import RemoteSB3VecEnv  # noqa: E402


def trace(envs, steps: int) -> list:
    envs.seed(4)
    obs = envs.reset()
    rng = np.random.default_rng(4)
    rows = [obs.tobytes()]
    for _ in range(steps):
        obs, rewards, dones, infos = envs.step(rng.integers(0, 2, size=envs.num_envs))
        finals = [(i, info["terminal_observation"].tobytes(), info["TimeLimit.truncated"])
                  for i, info in enumerate(infos) if "terminal_observation" in info]
        rows.append((obs.tobytes(), rewards.tolist(), dones.tolist(), finals))
    return rows


def test_matches_dummy_vec_env_of_gymnasium_cartpole(server):
    remote = RemoteSB3VecEnv("CartPole-v1", 4, server=server)
    native = DummyVecEnv([lambda: gymnasium.make("CartPole-v1") for _ in range(4)])
    try:
        remote_rows, native_rows = trace(remote, 300), trace(native, 300)
        assert sum(any(row[2]) for row in remote_rows[1:]) > 10
        assert remote_rows == native_rows
    finally:
        remote.close()
        native.close()


def test_truncation_is_reported_as_sb3_does(server):
    envs = RemoteSB3VecEnv("CartPole-v1", 2, server=server, max_episode_steps=3)
    try:
        envs.reset()
        for _ in range(3):
            _, _, dones, infos = envs.step(np.array([0, 1]))
        assert dones.tolist() == [True, True] and all(info["TimeLimit.truncated"] for info in infos)
    finally:
        envs.close()
