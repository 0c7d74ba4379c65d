"""Gymnasium registrations, so ``gymnasium.make("gymd/CartPole-v1", server=...)`` works."""

from __future__ import annotations

import gymnasium

from .connection import Connection

NAMESPACE = "gymd"

#: The environments ``gym serve`` ships, with their reward thresholds.
BUILTIN_ENVS: dict[str, float | None] = {
    "CartPole-v0": 195.0,
    "CartPole-v1": 475.0,
    "Pendulum-v1": None,
    "MountainCar-v0": -110.0,
    "MountainCarContinuous-v0": 90.0,
    "Acrobot-v1": -100.0,
    "Flyer-v0": 0.9,
}


def register_env(env_id: str, reward_threshold: float | None = None, namespace: str = NAMESPACE) -> str:
    """Registers ``namespace/env_id`` for ``gymnasium.make`` (a ``RemoteEnv``) and
    ``gymnasium.make_vec`` (a ``RemoteVectorEnv``); returns the registered id.

    No time limit is registered: the daemon applies its own, so Gymnasium must not add a second.
    """
    full_id = f"{namespace}/{env_id}"
    if full_id not in gymnasium.registry:
        gymnasium.register(
            id=full_id, entry_point="gymd.remote_env:RemoteEnv",
            vector_entry_point="gymd.remote_vector_env:RemoteVectorEnv",
            reward_threshold=reward_threshold, kwargs={"env_id": env_id})
    return full_id


def register_envs(server: str | None = None, namespace: str = NAMESPACE, timeout: float = 10.0) -> list[str]:
    """Registers every environment a daemon lists (or, without ``server``, the built-in ones)."""
    if server is None:
        return [register_env(env_id, threshold, namespace) for env_id, threshold in BUILTIN_ENVS.items()]
    with Connection(server, timeout=timeout, client_name="gymd register_envs") as connection:
        specs = connection.list_envs()
    return [register_env(spec.id, spec.reward_threshold if spec.HasField("reward_threshold") else None, namespace)
            for spec in specs]
