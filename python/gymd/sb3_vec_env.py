"""``RemoteSB3VecEnv``: a Stable-Baselines3 ``VecEnv`` over one batched ``make`` on a daemon.

SB3's ``DummyVecEnv`` of N ``RemoteEnv``s makes N round trips per step; this makes one. It uses
the daemon's same-step autoreset, which is SB3's own convention: an ended env is reset in the
step that ended it and its last observation is in ``info["terminal_observation"]``.
Needs ``stable-baselines3`` (imported here, not by ``import gymd``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from .connection import DEFAULT_TIMEOUT
from .protocol import gym_pb2
from .remote_batch import RemoteBatch
from .spaces import join_batch, split_batch, value_at


class RemoteSB3VecEnv(VecEnv):
    """``num_envs`` copies of ``env_id`` on a daemon, stepped as one batch for SB3.

    >>> envs = VecMonitor(RemoteSB3VecEnv("CartPole-v1", 8, server="tcp://127.0.0.1:5555"))
    >>> PPO("MlpPolicy", envs).learn(100_000)
    """

    def __init__(self, env_id: str, num_envs: int, server: str | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 max_episode_steps: int | None = None, render_mode: str | None = None, **kwargs: Any):
        self._batch = RemoteBatch(env_id, num_envs, server=server, timeout=timeout, kwargs=kwargs,
                                  max_episode_steps=max_episode_steps, autoreset=gym_pb2.AUTORESET_MODE_SAME_STEP)
        self.env_id = env_id
        self.render_mode = render_mode if self._batch.can_render else None
        super().__init__(self._batch.num_envs, self._batch.observation_space, self._batch.action_space)
        self._actions: np.ndarray | None = None

    def reset(self):
        """Resets every env with the seeds and options set by ``seed``/``set_options``, if any."""
        if all(seed is None for seed in self._seeds):
            seeds: list[int] = []
        elif any(seed is None for seed in self._seeds):
            raise ValueError("the daemon resets a batch with a seed for every env or for none")
        else:
            seeds = [int(seed) for seed in self._seeds]
        if any(options != self._options[0] for options in self._options):
            raise ValueError("the daemon resets a batch with one set of options for every env")
        observations, infos = self._batch.reset(seeds=seeds, options=self._options[0] or None)
        self._reset_seeds()
        self._reset_options()
        self.reset_infos = [infos.get(index, {}) for index in range(self.num_envs)]
        return join_batch(self.observation_space, observations)

    def step_async(self, actions: np.ndarray) -> None:
        """Keeps the actions for ``step_wait``."""
        self._actions = actions

    def step_wait(self):
        """Steps every env in one request; returns SB3's (obs, rewards, dones, infos)."""
        result = self._batch.step(split_batch(self.action_space, self._actions))
        infos: list[dict[str, Any]] = [result.infos.get(index, {}) for index in range(self.num_envs)]
        for row, index in enumerate(result.final_indices):
            # SB3 keeps the ending step's info and the terminal observation; the reset's info goes to reset_infos.
            self.reset_infos[index] = infos[index]
            infos[index] = dict(result.final_infos.get(index, {}))
            infos[index]["terminal_observation"] = value_at(self.observation_space, result.final_observations, row)
            infos[index]["TimeLimit.truncated"] = bool(result.truncated[index] and not result.terminated[index])
        dones = result.terminated | result.truncated
        return (join_batch(self.observation_space, result.observations), result.rewards.astype(np.float32), dones,
                infos)

    def close(self) -> None:
        """Destroys the batch on the daemon."""
        self._batch.close()

    def get_images(self) -> Sequence[np.ndarray | None]:
        """One RGB frame per env (None for every env when the daemon cannot render it)."""
        if not self._batch.can_render:
            return [None] * self.num_envs
        return [self._batch.render(index) for index in range(self.num_envs)]

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """The attribute of this vec env, once per index (the envs themselves live on the daemon)."""
        value = getattr(self, attr_name)
        return [value for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Sets an attribute on this vec env (the envs themselves live on the daemon)."""
        setattr(self, attr_name, value)

    def env_method(self, method_name: str, *method_args, indices: VecEnvIndices = None, **method_kwargs) -> list[Any]:
        """Not available: the environments' methods run on the daemon, which exposes only the protocol."""
        raise NotImplementedError(f"{method_name}: environments on a daemon are reached only through the protocol")

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        """No Gymnasium wrappers run on this side."""
        return [False for _ in self._get_indices(indices)]
