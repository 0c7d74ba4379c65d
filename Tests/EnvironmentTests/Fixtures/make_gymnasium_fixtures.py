#!/usr/bin/env python3
"""Record golden episodes of Gymnasium's classic-control environments.

For every environment id and seeds 0..9 this runs `gymnasium.make(id)` (so the TimeLimit
wrapper applies) from `reset(seed=seed)` to the end of the episode, with actions drawn by
`env.action_space.sample()` after `env.action_space.seed(1000 + seed)`, and writes one JSON
file per id next to this script.

Random actions rarely reach the goal of MountainCar, the speed limits of Pendulum or the
walls, so each id also gets a few scripted episodes (seeds 10 and up): an energy-pumping
policy that pushes along the velocity, and runs with reset `options`. A reset sweep records
the reset observation of many seeds, with default and with wide reset bounds (Acrobot's reset
observation goes through NumPy's float32 sin/cos, which is not libm's).

The Swift tests replay the same seeds, options and actions and compare every value bit for
bit, so values are stored exactly (`numpy-scalars.json` also records the NumPy scalar results
the ports depend on: `**2`, float32 sin/cos and float `%`):

- float32 observations and Box actions as their uint32 bit patterns;
- rewards as the 16 hex digits of their float64 bit pattern;
- Discrete actions as integers.

Usage (from a scratch venv, never inside the repository):

    python3 -m venv /tmp/gymenv
    /tmp/gymenv/bin/pip install "gymnasium>=1.0" numpy
    /tmp/gymenv/bin/python Tests/EnvironmentTests/Fixtures/make_gymnasium_fixtures.py
"""

import json
import os
import struct
import sys

import gymnasium
import numpy as np

ENV_IDS = [
    "CartPole-v0",
    "CartPole-v1",
    "Pendulum-v1",
    "MountainCar-v0",
    "MountainCarContinuous-v0",
    "Acrobot-v1",
]
SEEDS = range(10)
ACTION_SEED_OFFSET = 1000
SWEEP_SEEDS = 300


def pump(env_id, observation):
    """An energy-pumping action: push along the current velocity, as hard as allowed."""
    if env_id == "Pendulum-v1":
        return np.array([2.0 if observation[2] >= 0 else -2.0], dtype=np.float32)
    if env_id == "MountainCar-v0":
        return np.int64(2 if observation[1] >= 0 else 0)
    if env_id == "MountainCarContinuous-v0":
        return np.array([1.0 if observation[1] >= 0 else -1.0], dtype=np.float32)
    if env_id == "Acrobot-v1":
        return np.int64(2 if observation[4] >= 0 else 0)
    return np.int64(1 if observation[3] >= 0 else 0)


def push_left(env_id, observation):
    """Full force to the left, to drive the mountain cars into the left wall."""
    if env_id == "MountainCarContinuous-v0":
        return np.array([-1.0], dtype=np.float32)
    return np.int64(0)


# Scripted episodes per id: (seed, policy name, reset options).
SCRIPTED = {
    "CartPole-v0": [(10, "random", {"low": -0.1, "high": 0.1})],
    "CartPole-v1": [(10, "pump", None), (11, "random", {"low": -0.2, "high": 0.15})],
    "Pendulum-v1": [(10, "pump", None), (11, "pump", {"x_init": 0.5, "y_init": 4.0}), (12, "random", {"y_init": 8.0})],
    "MountainCar-v0": [
        (10, "pump", None),
        (11, "pump", {"low": -1.2, "high": -1.0}),
        (12, "push_left", {"low": -0.9, "high": -0.8}),
        (13, "push_left", {"low": -1.2, "high": -1.2}),
    ],
    "MountainCarContinuous-v0": [
        (10, "pump", None),
        (11, "pump", {"low": -1.2, "high": -1.0}),
        (12, "push_left", {"low": -0.9, "high": -0.8}),
        (13, "random", {"low": 0.3, "high": 0.45}),
        (14, "push_left", {"low": -1.2, "high": -1.2}),
    ],
    "Acrobot-v1": [(10, "pump", None), (11, "pump", {"low": -1.0, "high": 1.0}), (12, "random", {"low": -3.0, "high": 3.0})],
}

# Reset options for the second reset sweep: bounds far outside the defaults.
WIDE_RESET = {
    "CartPole-v0": {"low": -2.0, "high": 2.0},
    "CartPole-v1": {"low": -2.0, "high": 2.0},
    "Pendulum-v1": {"x_init": 100.0, "y_init": 8.0},
    "MountainCar-v0": {"low": -1.2, "high": 0.6},
    "MountainCarContinuous-v0": {"low": -1.2, "high": 0.6},
    "Acrobot-v1": {"low": -100.0, "high": 100.0},
}


def float32_bits(array):
    """The uint32 bit patterns of a float32 array, as Python ints."""
    values = np.asarray(array)
    assert values.dtype == np.float32, values.dtype
    return [int(bits) for bits in values.reshape(-1).view(np.uint32)]


def float64_hex(value):
    """The float64 bit pattern of a Python or NumPy float, as 16 hex digits."""
    return struct.pack(">d", float(value)).hex()


def encode_action(action):
    """Discrete actions as ints; Box actions as float32 bit patterns."""
    array = np.asarray(action)
    if array.dtype == np.float32:
        return float32_bits(array)
    assert np.issubdtype(array.dtype, np.integer), array.dtype
    return int(array)


def record_episode(env_id, seed, policy="random", options=None):
    env = gymnasium.make(env_id)
    env.action_space.seed(ACTION_SEED_OFFSET + seed)
    observation, _ = env.reset(seed=seed, options=options)
    episode = {
        "seed": seed,
        "policy": policy,
        "options": options or {},
        "reset_observation": float32_bits(observation),
        "actions": [],
        "observations": [],
        "rewards": [],
        "terminated": [],
        "truncated": [],
    }
    while True:
        if policy == "pump":
            action = pump(env_id, observation)
        elif policy == "push_left":
            action = push_left(env_id, observation)
        else:
            action = env.action_space.sample()
        observation, reward, terminated, truncated, _ = env.step(action)
        episode["actions"].append(encode_action(action))
        episode["observations"].append(float32_bits(observation))
        episode["rewards"].append(float64_hex(reward))
        episode["terminated"].append(bool(terminated))
        episode["truncated"].append(bool(truncated))
        if terminated or truncated:
            break
    env.close()
    return episode


def reset_sweep(env_id, options):
    env = gymnasium.make(env_id)
    observations = [float32_bits(env.reset(seed=seed, options=options)[0]) for seed in range(SWEEP_SEEDS)]
    env.close()
    return {"options": options or {}, "first_seed": 0, "observations": observations}


def numpy_scalar_checks(count=2000):
    """NumPy scalar results the environments depend on, for inputs where they are easy to get
    wrong: `**2` (libm pow, not x*x), float32 sin/cos (NumPy's own kernel) and float `%`."""
    rng = np.random.default_rng(2024)
    doubles = rng.uniform(-50.0, 50.0, count)
    singles = np.concatenate([
        rng.uniform(-0.1, 0.1, count // 4), rng.uniform(-4.0, 4.0, count // 4),
        rng.uniform(-1e3, 1e3, count // 4), rng.uniform(-2e5, 2e5, count // 4),
    ]).astype(np.float32)
    return {
        "gymnasium_version": gymnasium.__version__,
        "numpy_version": np.__version__,
        "float64": [float64_hex(value) for value in doubles],
        "float64_squared": [float64_hex(np.float64(value) ** 2) for value in doubles],
        "float64_angle_normalized": [float64_hex(((np.float64(value) + np.pi) % (2 * np.pi)) - np.pi) for value in doubles],
        "float32": float32_bits(singles),
        "float32_squared": float32_bits(np.array([value ** 2 for value in singles], dtype=np.float32)),
        "float32_sin": float32_bits(np.array([np.sin(value) for value in singles], dtype=np.float32)),
        "float32_cos": float32_bits(np.array([np.cos(value) for value in singles], dtype=np.float32)),
    }


def main():
    directory = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(directory, "numpy-scalars.json"), "w") as file:
        json.dump(numpy_scalar_checks(), file, separators=(",", ":"))
        file.write("\n")
    for env_id in ENV_IDS:
        spec = gymnasium.spec(env_id)
        episodes = [record_episode(env_id, seed) for seed in SEEDS]
        episodes += [record_episode(env_id, seed, policy, options) for seed, policy, options in SCRIPTED[env_id]]
        fixture = {
            "env_id": env_id,
            "gymnasium_version": gymnasium.__version__,
            "numpy_version": np.__version__,
            "python_version": sys.version.split()[0],
            "max_episode_steps": spec.max_episode_steps,
            "action_seed_offset": ACTION_SEED_OFFSET,
            "episodes": episodes,
            "reset_sweeps": [reset_sweep(env_id, None), reset_sweep(env_id, WIDE_RESET[env_id])],
        }
        path = os.path.join(directory, f"{env_id}.json")
        with open(path, "w") as file:
            json.dump(fixture, file, separators=(",", ":"))
            file.write("\n")
        summary = [(e["seed"], e["policy"], len(e["rewards"]), e["terminated"][-1]) for e in episodes]
        print(f"{env_id}: {os.path.getsize(path)} bytes; (seed, policy, length, terminated): {summary}")


if __name__ == "__main__":
    main()
