"""``RemoteVectorEnv``: a ``gymnasium.vector.VectorEnv`` over one batched ``make`` on a daemon."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from .connection import DEFAULT_TIMEOUT, Connection
from .gymnasium_parity import render_fps
from .protocol import gym_pb2
from .remote_batch import RemoteBatch
from .spaces import join_batch, split_batch, value_at

_WIRE_MODES = {
    AutoresetMode.NEXT_STEP: gym_pb2.AUTORESET_MODE_NEXT_STEP,
    AutoresetMode.SAME_STEP: gym_pb2.AUTORESET_MODE_SAME_STEP,
    AutoresetMode.DISABLED: gym_pb2.AUTORESET_MODE_DISABLED,
}


class RemoteVectorEnv(VectorEnv):
    """``num_envs`` copies of an environment stepped as one batch by a daemon.

    One request steps every copy, so a step costs one round trip however many envs there are.
    The autoreset mode (``metadata["autoreset_mode"]``) is applied by the daemon:
    ``NEXT_STEP`` (Gymnasium's default), ``SAME_STEP`` (final observations and infos in
    ``infos["final_obs"]``/``infos["final_info"]``, masked by ``infos["_final_obs"]``) or ``DISABLED``.
    """

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, env_id: str, num_envs: int = 1, server: str | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
                 render_mode: str | None = None, max_episode_steps: int | None = None,
                 connection: Connection | None = None, gymnasium_time_limit: bool = False, **kwargs: Any):
        """Makes ``num_envs`` copies of ``env_id``; extra keyword arguments are the env's kwargs.
        ``gymnasium_time_limit`` comes with the ``gymd/`` registrations and changes nothing
        here: ``gymnasium.make_vec`` adds no ``TimeLimit``, it passes ``max_episode_steps`` on,
        and the daemon applies it."""
        del gymnasium_time_limit
        mode = AutoresetMode(autoreset_mode)
        self._batch = RemoteBatch(env_id, num_envs, server=server, connection=connection, timeout=timeout,
                                  kwargs=kwargs, max_episode_steps=max_episode_steps, autoreset=_WIRE_MODES[mode])
        self.env_id = env_id
        self.num_envs = self._batch.num_envs
        self.metadata = {"render_modes": ["rgb_array"] if self._batch.can_render else [], "autoreset_mode": mode,
                         "render_fps": render_fps(env_id)}
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            self._batch.close()
            raise ValueError(f"{env_id} cannot render as {render_mode!r} (it offers {self.metadata['render_modes']})")
        self.render_mode = render_mode
        self._pending: int | None = None
        self.single_observation_space = self._batch.observation_space
        self.single_action_space = self._batch.action_space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)

    @property
    def max_episode_steps(self) -> int | None:
        """The time limit the daemon applies, None for none."""
        return self._batch.max_episode_steps

    def reset(self, *, seed: int | Sequence[int] | None = None, options: dict[str, Any] | None = None):
        """Resets every env: ``seed`` an int (env i gets ``seed + i``), a list of one per env, or None."""
        if seed is None:
            seeds: list[int] = []
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed)]
            super().reset(seed=int(seed))
        else:
            seeds = list(seed)
            if any(s is None for s in seeds):
                if all(s is None for s in seeds):
                    seeds = []
                else:
                    raise ValueError("a seed list must give every env a seed (or be all None)")
            elif len(seeds) != self.num_envs:
                raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} envs")
        observations, infos = self._batch.reset(seeds=seeds, options=options)
        return join_batch(self.single_observation_space, observations), self._vector_infos(infos)

    def step(self, actions):
        """Steps every env; returns batched (observations, rewards, terminations, truncations, infos)."""
        return self._step_result(self._batch.step(split_batch(self.single_action_space, actions)))

    @property
    def step_in_flight(self) -> bool:
        """Whether a ``step_async`` awaits its ``step_wait``."""
        return self._pending is not None

    def step_async(self, actions) -> None:
        """Sends a step without waiting for it (as Gymnasium's ``AsyncVectorEnv``); ``step_wait`` returns it.

        Between the two the daemon steps while the caller computes, e.g. the other half of a
        ``DoubleBufferedVectorEnv``."""
        if self._pending is not None:
            raise RuntimeError("step_async with a step already in flight: call step_wait first")
        self._pending = self._batch.send_step(split_batch(self.single_action_space, actions))

    def step_wait(self):
        """Waits for the step sent by ``step_async``; returns what ``step`` returns."""
        if self._pending is None:
            raise RuntimeError("step_wait without a step in flight: call step_async first")
        request, self._pending = self._pending, None
        return self._step_result(self._batch.receive_step(request))

    def _step_result(self, result):
        infos = self._vector_infos(result.infos)
        for row, index in enumerate(result.final_indices):
            final_obs = value_at(self.single_observation_space, result.final_observations, row)
            infos = self._add_info(infos, {"final_obs": final_obs, "final_info": result.final_infos.get(index, {})}, index)
        observations = join_batch(self.single_observation_space, result.observations)
        return observations, result.rewards, result.terminated, result.truncated, infos

    def render(self) -> tuple[np.ndarray, ...] | None:
        """One RGB frame per env when made with ``render_mode="rgb_array"``, else None."""
        if self.render_mode != "rgb_array":
            return None
        return tuple(self._batch.render(index) for index in range(self.num_envs))

    def close_extras(self, **kwargs: Any) -> None:
        """Destroys the batch on the daemon and closes an owned connection."""
        self._batch.close()

    def _vector_infos(self, infos: dict[int, dict[str, Any]]) -> dict[str, Any]:
        vector = self._scalar_vector_infos(infos)
        if vector is not None:
            return vector
        vector = {}
        for index in sorted(infos):
            vector = self._add_info(vector, infos[index], index)
        return vector

    def _scalar_vector_infos(self, infos: dict[int, dict[str, Any]]) -> dict[str, Any] | None:
        """What ``_add_info`` over every env gives, built a column at a time, for infos of floats,
        ints and bools whose type per key agrees across envs (a MuJoCo step's); None otherwise."""
        columns: dict[str, tuple[type, list[int], list[Any]]] = {}
        for index in sorted(infos):
            for key, value in infos[index].items():
                column = columns.get(key)
                if column is None:
                    # A key starting with "_" could meet another key's mask: leave that to _add_info.
                    if type(value) not in (float, int, bool) or key.startswith("_"):
                        return None
                    column = columns[key] = (type(value), [], [])
                elif type(value) is not column[0]:
                    return None
                column[1].append(index)
                column[2].append(value)
        vector: dict[str, Any] = {}
        for key, (kind, indices, values) in columns.items():
            array = np.zeros(self.num_envs, dtype=kind)
            array[indices] = values
            mask = np.zeros(self.num_envs, dtype=np.bool_)
            mask[indices] = True
            vector[key], vector[f"_{key}"] = array, mask
        return vector

    def __repr__(self) -> str:
        return f"RemoteVectorEnv({self.env_id!r}, num_envs={self.num_envs}, server={self._batch.connection.endpoint!r})"
