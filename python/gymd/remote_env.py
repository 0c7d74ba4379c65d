"""``RemoteEnv``: a ``gymnasium.Env`` whose environment lives on a daemon."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from .connection import DEFAULT_TIMEOUT, Connection
from .gymnasium_parity import render_fps, reward_type
from .protocol import gym_pb2
from .remote_batch import RemoteBatch
from .spaces import split_value, value_at


class RemoteEnv(gymnasium.Env):
    """One environment on a daemon, with Gymnasium's single-env API.

    Spaces come from the daemon's spec; the daemon applies the time limit (``truncated``),
    except under ``gymnasium.make``, which registers the limit in the spec and applies it with
    its own ``TimeLimit`` (so ``max_episode_steps=`` and ``env.spec.max_episode_steps`` behave
    as for Gymnasium's envs). Stepping after an episode ended raises ``ResetNeededError`` until
    ``reset`` (Gymnasium's envs warn and step on from an undefined state; the daemon refuses).
    A ``RemoteEnv`` cannot be deep-copied: its state lives on the daemon. Every call waits at
    most ``timeout`` seconds, then raises ``GymTimeoutError``.

    >>> env = RemoteEnv("CartPole-v1", server="tcp://127.0.0.1:5555")
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(self, env_id: str, server: str | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 render_mode: str | None = None, max_episode_steps: int | None = None,
                 connection: Connection | None = None, gymnasium_time_limit: bool = False, **kwargs: Any):
        """Makes ``env_id`` on ``server`` (default ``$GYMD_SERVER`` or tcp://127.0.0.1:5555);
        extra keyword arguments are the environment's own kwargs. ``gymnasium_time_limit``
        (set by the ``gymd/`` registrations): the daemon applies no limit, Gymnasium's
        ``TimeLimit`` wrapper does."""
        if gymnasium_time_limit:
            max_episode_steps = 0
        self._batch = RemoteBatch(env_id, 1, server=server, connection=connection, timeout=timeout, kwargs=kwargs,
                                  max_episode_steps=max_episode_steps, autoreset=gym_pb2.AUTORESET_MODE_DISABLED)
        self.env_id = env_id
        self._reward_type = reward_type(env_id)
        self.metadata = {**type(self).metadata, "render_fps": render_fps(env_id),
                         "render_modes": ["rgb_array"] if self._batch.can_render else []}
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            self._batch.close()
            raise ValueError(f"{env_id} cannot render as {render_mode!r} (it offers {self.metadata['render_modes']})")
        self.render_mode = render_mode
        self.observation_space = self._batch.observation_space
        self.action_space = self._batch.action_space
        self.reward_range = (-float("inf"), float("inf"))
        threshold = self._batch.spec.reward_threshold if self._batch.spec.HasField("reward_threshold") else None
        #: The daemon's reward threshold for this environment, None when undefined.
        self.reward_threshold = threshold

    @property
    def max_episode_steps(self) -> int | None:
        """The time limit the daemon applies, None for none."""
        return self._batch.max_episode_steps

    @property
    def connection(self) -> Connection:
        """The connection to the daemon."""
        return self._batch.connection

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Resets; ``seed`` reseeds the daemon's environment, ``options`` go to its reset."""
        super().reset(seed=seed)
        observations, infos = self._batch.reset(seeds=[] if seed is None else [seed], options=options)
        return value_at(self.observation_space, observations, 0), infos.get(0, {})

    def step(self, action):
        """Applies one action; returns (observation, reward, terminated, truncated, info)."""
        result = self._batch.step(split_value(self.action_space, action))
        observation = value_at(self.observation_space, result.observations, 0)
        return (observation, self._reward_type(result.rewards[0]), bool(result.terminated[0]),
                bool(result.truncated[0]), result.infos.get(0, {}))

    def render(self) -> np.ndarray | None:
        """An RGB frame ``[height, width, 3]`` when made with ``render_mode="rgb_array"``, else None."""
        if self.render_mode != "rgb_array":
            return None
        return self._batch.render(0)

    def close(self) -> None:
        """Destroys the environment on the daemon and closes an owned connection."""
        self._batch.close()

    def __deepcopy__(self, memo):
        raise TypeError(f"a RemoteEnv cannot be deep-copied: {self.env_id}'s state lives on the daemon; "
                        "make another with gymnasium.make (and reset it with the same seed) instead")

    def __repr__(self) -> str:
        return f"RemoteEnv({self.env_id!r}, server={self._batch.connection.endpoint!r})"
