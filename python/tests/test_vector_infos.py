"""RemoteVectorEnv's column-at-a-time infos equal what Gymnasium's ``_add_info`` builds env by env."""

import random

import numpy as np

from gymd import RemoteVectorEnv


def bare_vector_env(num_envs):
    envs = RemoteVectorEnv.__new__(RemoteVectorEnv)
    envs.num_envs = num_envs
    return envs


def env_by_env(envs, infos):
    vector = {}
    for index in sorted(infos):
        vector = envs._add_info(vector, infos[index], index)
    return vector


def assert_same(fast, slow):
    assert list(fast) == list(slow)
    for key in slow:
        assert type(fast[key]) is type(slow[key]), key
        if isinstance(slow[key], np.ndarray):
            assert fast[key].dtype == slow[key].dtype and fast[key].shape == slow[key].shape, key
            np.testing.assert_array_equal(fast[key], slow[key])
        elif isinstance(slow[key], dict):
            assert_same(fast[key], slow[key])
        else:
            assert fast[key] == slow[key], key


def test_scalar_infos_match_add_info():
    rng = random.Random(3)
    keys = ["x_position", "x_velocity", "reward_ctrl", "flag", "count"]
    kinds = {key: rng.choice([float, int, bool]) for key in keys}
    for _ in range(300):
        num_envs = rng.randint(1, 9)
        envs = bare_vector_env(num_envs)
        infos = {}
        for index in rng.sample(range(num_envs), rng.randint(0, num_envs)):
            chosen = rng.sample(keys, rng.randint(0, len(keys)))
            infos[index] = {key: kinds[key](rng.uniform(-5, 5)) if kinds[key] is not bool else rng.random() < 0.5
                            for key in chosen}
        fast = envs._scalar_vector_infos(infos)
        assert fast is not None
        assert_same(fast, env_by_env(envs, infos))
        assert_same(envs._vector_infos(infos), env_by_env(envs, infos))


def test_other_infos_are_left_to_add_info():
    envs = bare_vector_env(3)
    mixed = {0: {"x": 1.0}, 2: {"x": 2}}
    for infos in (mixed, {1: {"name": "a"}}, {0: {"array": np.arange(2)}}, {0: {"x": 1.0, "_x": 2.0}},
                  {0: {"nested": {"a": 1.0}}}):
        assert envs._scalar_vector_infos(infos) is None
        assert_same(envs._vector_infos(infos), env_by_env(envs, infos))
