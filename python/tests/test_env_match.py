"""What a Gymnasium script compares: ``gymd/<id>`` against Gymnasium's own ``<id>``.

Gymnasium's ``check_environments_match`` (observations, reward values and types, flags,
infos over many steps and resets), time limits through ``gymnasium.make``, ``render_fps``,
and deep copies.
"""

from __future__ import annotations

import copy

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_match import check_environments_match

import gymd

CLASSIC_CONTROL = ["CartPole-v0", "CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1"]


@pytest.mark.parametrize("env_id", CLASSIC_CONTROL)
def test_check_environments_match_gymnasium(server, env_id):
    native = gymnasium.make(env_id)
    remote = gymnasium.make(f"gymd/{env_id}", server=server)
    try:
        for seed in (0, 1, 2):
            check_environments_match(native, remote, num_steps=1200, seed=seed)
    finally:
        native.close()
        remote.close()


def test_flyer_matches_itself_across_two_connections(server):
    first = gymnasium.make("gymd/Flyer-v0", server=server)
    second = gymnasium.make("gymd/Flyer-v0", server=server)
    try:
        check_environments_match(first, second, num_steps=400, seed=3)
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("env_id", CLASSIC_CONTROL)
def test_spec_time_limit_and_render_fps_are_gymnasiums(server, env_id):
    native = gymnasium.make(env_id)
    remote = gymnasium.make(f"gymd/{env_id}", server=server)
    try:
        assert remote.spec.max_episode_steps == native.spec.max_episode_steps
        assert remote.metadata["render_fps"] == native.metadata["render_fps"]
        assert remote.unwrapped.metadata["render_fps"] == native.unwrapped.metadata["render_fps"]
    finally:
        native.close()
        remote.close()


def steps_until_truncated(env: gymnasium.Env, limit: int) -> int:
    env.reset(seed=0)
    for t in range(1, limit + 1):
        _, _, terminated, truncated, _ = env.step(np.zeros(1, np.float32))
        assert not terminated
        if truncated:
            return t
    return -1


def test_make_honours_a_limit_longer_or_shorter_than_the_builtin_one(server):
    for limit in (1000, 37):
        env = gymnasium.make("gymd/Pendulum-v1", server=server, max_episode_steps=limit)
        try:
            assert env.spec.max_episode_steps == limit
            assert steps_until_truncated(env, limit + 5) == limit
        finally:
            env.close()
    env = gymnasium.make("gymd/Pendulum-v1", server=server)
    try:
        assert steps_until_truncated(env, 300) == 200
    finally:
        env.close()


def test_make_vec_passes_the_limit_to_the_daemon(server):
    envs = gymnasium.make_vec("gymd/Pendulum-v1", num_envs=2, vectorization_mode="vector_entry_point",
                              server=server, max_episode_steps=9)
    try:
        assert envs.unwrapped.max_episode_steps == 9
        envs.reset(seed=0)
        truncations = [envs.step(np.zeros((2, 1), np.float32))[3].tolist() for _ in range(9)]
        assert truncations[-1] == [True, True] and not any(any(t) for t in truncations[:-1])
    finally:
        envs.close()


def test_a_remote_env_refuses_a_deep_copy_instead_of_sharing_its_state(server):
    env = gymd.RemoteEnv("CartPole-v1", server=server)
    try:
        with pytest.raises(TypeError, match="cannot be deep-copied"):
            copy.deepcopy(env)
    finally:
        env.close()
