"""Gymnasium registrations, so ``gymnasium.make("gymd/CartPole-v1", server=...)`` works."""

from __future__ import annotations

import gymnasium

from .connection import Connection

NAMESPACE = "gymd"

#: The environments ``gym serve`` ships: (reward threshold, time limit).
BUILTIN_ENVS: dict[str, tuple[float | None, int | None]] = {
    "CartPole-v0": (195.0, 200),
    "CartPole-v1": (475.0, 500),
    "Pendulum-v1": (None, 200),
    "MountainCar-v0": (-110.0, 200),
    "MountainCarContinuous-v0": (90.0, 999),
    "Acrobot-v1": (-100.0, 500),
    "Flyer-v0": (0.9, 100),
}


def register_env(env_id: str, reward_threshold: float | None = None, namespace: str = NAMESPACE,
                 max_episode_steps: int | None = None) -> str:
    """Registers ``namespace/env_id`` for ``gymnasium.make`` (a ``RemoteEnv``) and
    ``gymnasium.make_vec`` (a ``RemoteVectorEnv``); returns the registered id.

    The time limit is registered as Gymnasium registers its own: ``gymnasium.make`` wraps the
    env in ``TimeLimit`` (the registered limit, or ``max_episode_steps=`` given to ``make``)
    and asks the daemon for none, so ``env.spec.max_episode_steps`` and longer or shorter
    limits behave as with Gymnasium's envs; ``make_vec`` passes the limit to the daemon.
    """
    full_id = f"{namespace}/{env_id}"
    if full_id not in gymnasium.registry:
        gymnasium.register(
            id=full_id, entry_point="gymd.remote_env:RemoteEnv",
            vector_entry_point="gymd.remote_vector_env:RemoteVectorEnv",
            reward_threshold=reward_threshold, max_episode_steps=max_episode_steps or None,
            kwargs={"env_id": env_id, "gymnasium_time_limit": True})
    return full_id


def register_envs(server: str | None = None, namespace: str = NAMESPACE, timeout: float = 10.0) -> list[str]:
    """Registers every environment a daemon lists (or, without ``server``, the built-in ones)."""
    if server is None:
        return [register_env(env_id, threshold, namespace, limit) for env_id, (threshold, limit) in BUILTIN_ENVS.items()]
    with Connection(server, timeout=timeout, client_name="gymd register_envs") as connection:
        specs = connection.list_envs()
    return [register_env(spec.id, spec.reward_threshold if spec.HasField("reward_threshold") else None, namespace,
                         spec.max_episode_steps or None)
            for spec in specs]
