"""What Gymnasium's own environments expose that the protocol does not carry.

A daemon's spec has spaces, the time limit and the reward threshold, but not Gymnasium's
``metadata["render_fps"]`` nor the Python type of each reward (``float`` for most
classic-control envs, ``np.float64`` for Pendulum). Scripts compare both (Gymnasium's
``check_environments_match`` checks reward types), so for the environments whose Gymnasium
original is known the client matches it; any other environment gets 30 frames per second
and ``float`` rewards.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: Gymnasium's ``metadata["render_fps"]`` of each environment the daemon ships.
RENDER_FPS: dict[str, int] = {
    "CartPole-v0": 50,
    "CartPole-v1": 50,
    "Acrobot-v1": 15,
    "MountainCar-v0": 30,
    "MountainCarContinuous-v0": 30,
    "Pendulum-v1": 30,
    # MuJoCo: round(1 / dt), dt being the model's timestep times frame_skip.
    "HalfCheetah-v5": 20,
    "Hopper-v5": 125,
    "Walker2d-v5": 125,
    "Ant-v5": 20,
    "Humanoid-v5": 67,
    "HumanoidStandup-v5": 67,
    "InvertedPendulum-v5": 25,
    "InvertedDoublePendulum-v5": 20,
    "Reacher-v5": 50,
    "Swimmer-v5": 25,
    "Pusher-v5": 20,
}

#: Frames per second of an environment with no known Gymnasium original.
DEFAULT_RENDER_FPS = 30

#: Environments whose Gymnasium original returns NumPy rewards, with the type it returns.
NUMPY_REWARDS: dict[str, Callable[[float], object]] = {
    "Pendulum-v1": np.float64,
}


def render_fps(env_id: str) -> int:
    """Gymnasium's frame rate for ``env_id``, or ``DEFAULT_RENDER_FPS``."""
    return RENDER_FPS.get(env_id, DEFAULT_RENDER_FPS)


def reward_type(env_id: str) -> Callable[[float], object]:
    """The type Gymnasium's ``env_id`` returns its rewards as (``float`` unless listed)."""
    return NUMPY_REWARDS.get(env_id, float)
