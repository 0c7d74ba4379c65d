"""``count`` Gymnasium environments stepped as one batch, with the protocol's time limits and
autoreset modes applied here rather than by Gymnasium's wrappers."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import gymnasium
import numpy as np

from ..errors import InternalError, InvalidActionError, InvalidArgumentError, ResetNeededError
from ..protocol import gym_pb2
from ..remote_batch import StepResult
from ..spaces import first_outside, leaf_dtype, leaf_shape, leaves, split_value, value_at


def check_step(action_leaves: Sequence[gymnasium.Space], count: int, actions: Sequence[np.ndarray], *,
               has_reset: bool, autoreset: int, needs_reset: Sequence[bool]) -> None:
    """What a batch of ``count`` envs checks before a step: the count, dtype, shape and range of
    every action array, then that the envs may step (``RESET_NEEDED`` otherwise)."""
    if len(actions) != len(action_leaves):
        raise InvalidActionError(f"expected {len(action_leaves)} action array(s), got {len(actions)}")
    for number, (array, leaf) in enumerate(zip(actions, action_leaves)):
        dtype, shape = leaf_dtype(leaf), (count, *leaf_shape(leaf))
        if array.dtype != dtype:
            raise InvalidActionError(f"action {number} must be {dtype} for {leaf}, got {array.dtype}")
        if array.shape != shape:
            raise InvalidActionError(f"action {number} must have shape {list(shape)}, got {list(array.shape)}")
        outside = first_outside(leaf, array)
        if outside is not None:
            raise InvalidActionError(outside[1])
    if not has_reset:
        raise ResetNeededError("step before the first reset")
    if autoreset == gym_pb2.AUTORESET_MODE_DISABLED and any(needs_reset):
        ended = list(needs_reset).index(True)
        raise ResetNeededError(f"env {ended} ended its episode and autoreset is disabled: reset first")


class GymnasiumBatch:
    """The bridge's counterpart of the daemon's ``EnvBatch``.

    ``NEXT_STEP``: the step after an episode ends resets that env (reward 0, flags false, its
    action ignored). ``SAME_STEP``: the ending step resets at once and reports the final
    observation separately. ``DISABLED``: stepping an ended env is ``RESET_NEEDED``.
    """

    def __init__(self, make_env: Callable[[], gymnasium.Env], count: int, *, seed: int | None = None,
                 max_episode_steps: int | None = None, autoreset: int = gym_pb2.AUTORESET_MODE_NEXT_STEP):
        if count < 1:
            raise InvalidArgumentError(f"num_envs must be at least 1, got {count}")
        self.count = count
        self.autoreset = autoreset
        self.max_episode_steps = max_episode_steps if max_episode_steps and max_episode_steps > 0 else None
        self.envs: list[gymnasium.Env] = []
        try:
            for _ in range(count):
                self.envs.append(make_env())
        except BaseException:
            self.close()
            raise
        self.observation_space = self.envs[0].observation_space
        self.action_space = self.envs[0].action_space
        self._observation_leaves = leaves(self.observation_space)
        self._action_leaves = leaves(self.action_space)
        self._elapsed = [0] * count
        self._needs_reset = [True] * count
        self._has_reset = False
        self._pending_seeds = None if seed is None else [seed + i for i in range(count)]
        self._last: list[Any] = [None] * count

    def reset(self, seeds: Sequence[int] = (), options: Mapping[str, Any] | None = None
              ) -> tuple[list[np.ndarray], dict[int, dict[str, Any]]]:
        """Resets every env: no seeds, one seed ``s`` (env i gets ``s + i``) or one per env."""
        if len(seeds) == 0:
            per_env = self._pending_seeds
        elif len(seeds) == 1:
            per_env = [int(seeds[0]) + i for i in range(self.count)]
        elif len(seeds) == self.count:
            per_env = [int(s) for s in seeds]
        else:
            raise InvalidArgumentError(f"reset takes 0, 1 or {self.count} seeds, got {len(seeds)}")
        self._pending_seeds = None
        infos = {}
        for index, env in enumerate(self.envs):
            seed = None if per_env is None else per_env[index]
            try:
                observation, info = env.reset(seed=seed, options=dict(options) if options else None)
            except (TypeError, ValueError, KeyError) as error:
                raise InvalidArgumentError(f"env {index} rejected reset options {dict(options or {})}: {error}") from None
            except Exception as error:
                raise InternalError(f"env {index} failed to reset: {type(error).__name__}: {error}") from None
            self._last[index] = observation
            if info:
                infos[index] = info
            self._elapsed[index] = 0
            self._needs_reset[index] = False
        self._has_reset = True
        return self._observation_arrays(self._last), infos

    def validate(self, actions: Sequence[np.ndarray]) -> None:
        """Checks count, dtype, shape and range of every action before any env moves."""
        check_step(self._action_leaves, self.count, actions, has_reset=self._has_reset,
                   autoreset=self.autoreset, needs_reset=self._needs_reset)

    def step(self, actions: Sequence[np.ndarray]) -> StepResult:
        """Validates the actions, then steps (or autoresets) every env."""
        self.validate(actions)
        rewards = np.zeros(self.count, dtype=np.float64)
        terminated = np.zeros(self.count, dtype=bool)
        truncated = np.zeros(self.count, dtype=bool)
        infos: dict[int, dict[str, Any]] = {}
        final_indices: list[int] = []
        final_observations: list[Any] = []
        final_infos: dict[int, dict[str, Any]] = {}
        limit = self.max_episode_steps or float("inf")
        for index, env in enumerate(self.envs):
            try:
                if self._needs_reset[index]:
                    # Next-step autoreset: this step only restarts the episode.
                    self._last[index], info = env.reset()
                    self._elapsed[index] = 0
                    self._needs_reset[index] = False
                    if info:
                        infos[index] = info
                    continue
                action = value_at(self.action_space, actions, index)
                observation, reward, ended, cut, info = env.step(action)
            except Exception as error:
                raise InternalError(f"env {index} failed to step: {type(error).__name__}: {error}") from None
            self._elapsed[index] += 1
            rewards[index] = float(reward)
            terminated[index] = bool(ended)
            truncated[index] = bool(cut) or self._elapsed[index] >= limit
            self._last[index] = observation
            if info:
                infos[index] = info
            if terminated[index] or truncated[index]:
                if self.autoreset == gym_pb2.AUTORESET_MODE_SAME_STEP:
                    final_indices.append(index)
                    final_observations.append(observation)
                    if info:
                        final_infos[index] = infos.pop(index)
                    self._last[index], reset_info = env.reset()
                    self._elapsed[index] = 0
                    if reset_info:
                        infos[index] = reset_info
                else:
                    self._needs_reset[index] = True
        return StepResult(
            observations=self._observation_arrays(self._last), rewards=rewards, terminated=terminated,
            truncated=truncated, infos=infos, final_indices=final_indices,
            final_observations=self._observation_arrays(final_observations) if final_indices else [],
            final_infos=final_infos)

    def render(self, index: int) -> np.ndarray:
        """The RGB frame of env ``index``."""
        if not 0 <= index < self.count:
            raise InvalidArgumentError(f"env index {index} is outside 0..<{self.count}")
        return np.ascontiguousarray(self.envs[index].render(), dtype=np.uint8)

    def close(self) -> None:
        """Closes every env."""
        for env in self.envs:
            try:
                env.close()
            except Exception:  # noqa: BLE001 - closing must go on for the others
                pass
        self.envs = []

    def _observation_arrays(self, observations: list[Any]) -> list[np.ndarray]:
        rows = [split_value(self.observation_space, observation) for observation in observations]
        return [np.concatenate([row[leaf] for row in rows]).astype(leaf_dtype(space), copy=False)
                for leaf, space in enumerate(self._observation_leaves)]
