"""Swift agents train on Gymnasium's toy-text environments through the bridge: discrete and
Tuple observations (FrozenLake-v1, Taxi-v4, Blackjack-v1), with thresholds measured against
random play. Budgets are small: the bridge steps a few thousand times a second."""

from __future__ import annotations

import json
import subprocess

import gymnasium
import numpy as np
import pytest

from conftest import gym_binary
from gymd.daemon_process import start_bridge


@pytest.fixture(scope="module")
def toy_text():
    """A bridge serving the three toy-text environments."""
    with start_bridge("FrozenLake-v1", "Taxi-v4", "Blackjack-v1") as daemon:
        yield daemon


@pytest.fixture(scope="module")
def run_directory(tmp_path_factory):
    """Where the runs write their checkpoints (runs/ALGO-ENV-SEED), away from the checkout."""
    return tmp_path_factory.mktemp("toy-text-runs")


def train(*args: str, cwd, quiet: bool = True) -> tuple[dict, str]:
    """``gym train ...`` with ``--json`` in ``cwd``: its summary and its stderr."""
    command = [str(gym_binary()), "train", *args, "--json"] + (["--quiet"] if quiet else [])
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1]), result.stderr


def random_play(env_id: str, episodes: int, **kwargs) -> float:
    """Mean return of uniformly random actions on local Gymnasium."""
    env = gymnasium.make(env_id, **kwargs)
    env.action_space.seed(0)
    total = 0.0
    for episode in range(episodes):
        env.reset(seed=episode)
        done = False
        while not done:
            _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
            total += float(reward)
            done = terminated or truncated
    env.close()
    return total / episodes


def test_qlearning_solves_slippery_frozen_lake_with_its_preset(toy_text, run_directory):
    # The preset presets/qlearning/FrozenLake-v1.yaml; its threshold is 0.7 (random: about 0.015).
    summary, stderr = train("qlearning", "--env", "FrozenLake-v1", "--server", toy_text.endpoint, "--eval-episodes", "100",
                            cwd=run_directory, quiet=False)
    assert "using preset" in stderr and "qlearning/FrozenLake-v1.yaml" in stderr
    assert summary["eval_mean"] >= 0.6 > 10 * random_play("FrozenLake-v1", 200), summary


def test_env_arg_turns_frozen_lake_deterministic(toy_text, run_directory):
    # is_slippery is a constructor switch the registry does not list; the bridge takes it.
    summary, _ = train("qlearning", "--env", "FrozenLake-v1", "--env-arg", "is_slippery=false", "--server", toy_text.endpoint,
                       "--no-preset", "--no-penalty", "--episodes", "300", "--learning-rate", "0.5", "--exploration", "constant:0.3",
                       "--eval-episodes", "5", cwd=run_directory)
    assert summary["eval_mean"] == 1.0, summary


def test_qlearning_on_taxi_improves_far_above_random(toy_text, run_directory):
    summary, _ = train("qlearning", "--env", "Taxi-v4", "--server", toy_text.endpoint, "--episodes", "1000",
                       "--eval-episodes", "20", cwd=run_directory)
    random = random_play("Taxi-v4", 20)
    # Random play takes about -770 (200 steps of -1 and illegal pick-ups and drop-offs at -10).
    assert random < -500 and summary["eval_mean"] > -50, (summary, random)


@pytest.mark.parametrize("algo, budget", [("dqn", ["--total-steps", "4000", "--learning-starts", "500",
                                                    "--exploration", "linear:1.0:0.05:2000", "--hidden-sizes", "32"]),
                                           ("ppo", ["--total-steps", "6000", "--hidden-sizes", "32"]),
                                           ("qlearning", ["--episodes", "5000"])])
def test_blackjack_beats_random_play(toy_text, run_directory, algo, budget):
    # Tuple(Discrete(32), Discrete(11), Discrete(2)): one-hot features for dqn and ppo, a table row for qlearning.
    summary, _ = train(algo, "--env", "Blackjack-v1", "--server", toy_text.endpoint, *budget, "--eval-episodes", "1000",
                        cwd=run_directory)
    random = random_play("Blackjack-v1", 2000, sab=True)
    # Random play loses about 0.39 a hand; 1000 hands have a standard error of about 0.03.
    assert summary["eval_mean"] > random + 0.1, (summary, random)


def test_spaces_no_agent_takes_are_errors_naming_them(toy_text, run_directory):
    result = subprocess.run([str(gym_binary()), "train", "ddpg", "--env", "Blackjack-v1", "--server", toy_text.endpoint,
                             "--total-steps", "100"], capture_output=True, text=True, timeout=60, cwd=run_directory)
    assert result.returncode != 0
    assert "Discrete(2)" in result.stderr and "dqn" in result.stderr, result.stderr
