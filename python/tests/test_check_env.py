"""Gymnasium's own environment checker passes on RemoteEnv for every daemon environment."""

from __future__ import annotations

import warnings

import gymnasium
import pytest
from gymnasium.utils.env_checker import check_env

import gymd

try:
    import pygame  # noqa: F401 - Gymnasium's own classic-control renderers need it
    NATIVE_RENDER = "rgb_array"
except ImportError:
    NATIVE_RENDER = None

CLASSIC_CONTROL = ["CartPole-v0", "CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1"]


def checker_warnings(env: gymnasium.Env) -> set[str]:
    """Runs check_env and returns the warnings it raised (it raises AssertionError on failures)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env, skip_render_check=env.render_mode is None)
    return {str(w.message) for w in caught}


@pytest.mark.parametrize("env_id", CLASSIC_CONTROL + ["Flyer-v0"])
def test_check_env_passes_on_remote_env(server, env_id):
    env = gymnasium.make(f"gymd/{env_id}", server=server, render_mode="rgb_array")
    try:
        remote = checker_warnings(env.unwrapped)
    finally:
        env.close()
    if env_id == "Flyer-v0":
        # No Gymnasium counterpart: the space-limit advice is the only acceptable remark.
        assert all("infinity" in message for message in remote), remote
        return
    # Gymnasium's own environment gets the same advice (e.g. infinite Box bounds); nothing more is allowed.
    native_env = gymnasium.make(env_id, render_mode=NATIVE_RENDER)
    try:
        native = checker_warnings(native_env.unwrapped)
    finally:
        native_env.close()
    assert remote <= native, remote - native


def test_check_env_passes_through_the_bridge(bridge):
    for env_id in ["CartPole-v1", "Blackjack-v1"]:
        gymd.register_envs(bridge.endpoint, namespace="bridged")
        # The bridge renders with Gymnasium's renderers, which need pygame.
        env = gymnasium.make(f"bridged/{env_id}", server=bridge.endpoint, render_mode=NATIVE_RENDER)
        try:
            check_env(env.unwrapped)
        finally:
            env.close()
