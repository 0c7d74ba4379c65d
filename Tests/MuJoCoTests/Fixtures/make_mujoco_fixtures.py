#!/usr/bin/env python3
"""Records Gymnasium's MuJoCo v5 episodes for Tests/MuJoCoTests (MuJoCoFixtureTests).

For every environment and seed: reset(seed=seed), then random actions until the episode ends
or 1,000 steps. The actions come from NumPy's Generator(ACTION_SEED_BASE + seed), element i of
a step being float32(low[i] + (high[i] - low[i]) * random()), so the Swift test draws the same
actions from its NumPy-exact generator and no action is stored.

Each episode keeps its first observation in full (hex of the float64 bytes) and, per step, a
64-bit FNV-1a hash of: the observation's float64 bytes, the reward's float64 bits, terminated
and truncated as one byte each, then every info value in key order as its key's UTF-8 bytes
followed by the value's float64 bits (array values, which plugin info cannot carry, are left
out). The reset info is hashed the same way (keys and values).

Usage: Tests/MuJoCoTests/Fixtures/make_mujoco_fixtures.py   (run with .venv-test/bin/python)
"""
import json
import os
import struct
import sys

import gymnasium as gym
import mujoco
import numpy as np

ENVS = [
    "HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "InvertedPendulum-v5", "InvertedDoublePendulum-v5",
    "Swimmer-v5", "Reacher-v5", "Ant-v5", "Humanoid-v5", "HumanoidStandup-v5", "Pusher-v5",
]
SEEDS = [0, 1, 2, 3, 4]
ACTION_SEED_BASE = 1000
MAX_STEPS = 1000
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "episodes")

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a(data, value=FNV_OFFSET):
    for byte in data:
        value = ((value ^ byte) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return value


def scalar_keys(info):
    """The info keys with one number each; arrays (Humanoid's tendon_length) are not served."""
    return sorted(key for key in info if np.ndim(info[key]) == 0)


def info_bytes(info):
    out = bytearray()
    for key in scalar_keys(info):
        out += key.encode()
        out += struct.pack("<d", float(info[key]))
    return bytes(out)


def step_hash(observation, reward, terminated, truncated, info):
    data = np.asarray(observation, dtype=np.float64).tobytes() + struct.pack("<d", float(reward))
    data += bytes([int(bool(terminated)), int(bool(truncated))]) + info_bytes(info)
    return fnv1a(data)


def episode(env_id, seed):
    env = gym.make(env_id)
    low = env.action_space.low.astype(np.float64)
    high = env.action_space.high.astype(np.float64)
    actions = np.random.Generator(np.random.PCG64(ACTION_SEED_BASE + seed))
    observation, info = env.reset(seed=seed)
    record = {
        "seed": seed,
        "action_seed": ACTION_SEED_BASE + seed,
        "first_observation": np.asarray(observation, dtype=np.float64).tobytes().hex(),
        "reset_info": "%016x" % fnv1a(info_bytes(info)),
        "reset_info_keys": scalar_keys(info),
    }
    hashes = []
    keys = []
    for _ in range(MAX_STEPS):
        action = np.array([np.float32(low[i] + (high[i] - low[i]) * actions.random()) for i in range(len(low))], dtype=np.float32)
        observation, reward, terminated, truncated, info = env.step(action)
        keys = scalar_keys(info)
        hashes.append("%016x" % step_hash(observation, reward, terminated, truncated, info))
        if terminated or truncated:
            break
    env.close()
    record["step_info_keys"] = keys
    record["steps"] = " ".join(hashes)
    return record


def main():
    os.makedirs(OUTPUT, exist_ok=True)
    for env_id in (sys.argv[1:] or ENVS):
        data = {
            "env": env_id, "gymnasium": gym.__version__, "mujoco": mujoco.__version__, "numpy": np.__version__,
            "episodes": [episode(env_id, seed) for seed in SEEDS],
        }
        with open(os.path.join(OUTPUT, f"{env_id}.json"), "w") as out:
            json.dump(data, out, indent=1)
            out.write("\n")
        print(env_id, [len(e["steps"].split()) for e in data["episodes"]])


if __name__ == "__main__":
    main()
