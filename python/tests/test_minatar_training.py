"""A Swift agent learns from pixels through the bridge: DQN with the MinAtar paper's
convolutional torso on MinAtar/Breakout-v1 (10×10×4 bool images), against random play on the
same evaluation seeds. The budget is small (8,000 steps, about 80 s on the debug build) and the
run is deterministic for its seed: the debug and release builds evaluate it alike (2.75)."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from gymd.bridge.catalog import register_namespace
from gymd.bridge.wrappers import SeedsBelow2To32
from gymd.daemon_process import start_bridge
from test_toy_text_training import train

pytest.importorskip("minatar", reason="MinAtar is not installed (scripts/install-python-deps installs it)")

ENV = "MinAtar/Breakout-v1"
MASK = (1 << 64) - 1


def _mix(value: int) -> int:
    """SplitMix64's output function, as the agents' RunSeeds derive their streams."""
    z = (value + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def evaluation_seed(run: int, episode: int) -> int:
    """The reset seed of greedy evaluation episode ``episode`` of a run seeded ``run``."""
    return _mix((run + _mix(((0x1_0000_0000 + episode) * 0x9E3779B97F4A7C15) & MASK)) & MASK)


def random_play(run: int, episodes: int) -> float:
    """Mean return of uniformly random actions on the evaluation's seeds, on local Gymnasium
    with the wrapper the bridge serves it under."""
    register_namespace(ENV)
    env = SeedsBelow2To32(gymnasium.make(ENV))
    random = np.random.default_rng(0)
    total = 0.0
    for episode in range(episodes):
        env.reset(seed=evaluation_seed(run, episode))
        done = False
        while not done:
            _, reward, terminated, truncated, _ = env.step(int(random.integers(env.action_space.n)))
            total += float(reward)
            done = terminated or truncated
    env.close()
    return total / episodes


def test_dqn_on_minatar_breakout_beats_random_play(tmp_path):
    with start_bridge(ENV, args=("--wrapper", "gymd.bridge.wrappers:SeedsBelow2To32")) as bridge:
        summary, _ = train("dqn", "--env", ENV, "--server", bridge.endpoint, "--no-preset", "--seed", "1",
                           "--total-steps", "8000", "--num-envs", "4", "--learning-starts", "500",
                           "--exploration", "linear:1.0:0.05:3000", "--train-frequency", "8", "--batch-size", "64",
                           "--learning-rate", "0.001", "--target-update-interval", "500", "--loss", "huber",
                           "--eval-episodes", "20", cwd=tmp_path)
    random = random_play(1, 20)
    # Random play scores about 0.5 (a brick or none before the ball drops); this run 2.75.
    assert random < 1.0 and summary["eval_mean"] >= 1.5 > random + 0.75, (summary, random)
