"""One batch of environments on a daemon (one ``make`` handle), as per-leaf NumPy arrays.

``RemoteEnv`` and ``RemoteVectorEnv`` are Gymnasium's two views of this one type.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from .connection import DEFAULT_TIMEOUT, Connection
from .errors import GymError, MalformedError
from .protocol import gym_pb2
from .spaces import leaf_dtype, leaves, space_from_wire
from .tensors import from_tensor, to_tensor
from .values import from_value_map, to_value_map

#: Where clients connect when given no server: ``$GYMD_SERVER`` or the daemon's default bind.
DEFAULT_SERVER = "tcp://127.0.0.1:5555"


def default_server() -> str:
    """``$GYMD_SERVER`` if set, else ``tcp://127.0.0.1:5555``."""
    return os.environ.get("GYMD_SERVER", DEFAULT_SERVER)


@dataclass
class StepResult:
    """One batched step: per-leaf observations, rewards, flags, infos and same-step finals."""

    observations: list[np.ndarray]
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    infos: dict[int, dict[str, Any]]
    final_indices: list[int] = field(default_factory=list)
    final_observations: list[np.ndarray] = field(default_factory=list)
    final_infos: dict[int, dict[str, Any]] = field(default_factory=dict)


class RemoteBatch:
    """``num_envs`` copies of an environment made on a daemon and stepped together.

    Pass ``server`` (an endpoint; the batch opens and owns a ``Connection``) or an existing
    ``connection`` (shared, left open on ``close``).
    """

    def __init__(self, env_id: str, num_envs: int = 1, *, server: str | None = None,
                 connection: Connection | None = None, timeout: float = DEFAULT_TIMEOUT,
                 seed: int | None = None, kwargs: Mapping[str, Any] | None = None,
                 max_episode_steps: int | None = None,
                 autoreset: int = gym_pb2.AUTORESET_MODE_NEXT_STEP):
        self._owns_connection = connection is None
        self.connection = connection or Connection(server or default_server(), timeout=timeout)
        self._closed = False
        make = gym_pb2.Make(env_id=env_id, num_envs=int(num_envs), kwargs=to_value_map(kwargs or {}),
                            autoreset=autoreset)
        if seed is not None:
            make.seed = int(seed)
        if max_episode_steps is not None:
            make.max_episode_steps = int(max_episode_steps)
        try:
            reply = self.connection.call(make=make).make
        except BaseException:
            if self._owns_connection:
                self.connection.close()
            raise
        self.handle: int = reply.handle
        #: The protocol ``EnvSpec`` the daemon returned.
        self.spec: gym_pb2.EnvSpec = reply.spec
        self.num_envs: int = reply.num_envs
        self.autoreset: int = reply.autoreset
        #: The time limit in force, None for none.
        self.max_episode_steps: int | None = reply.max_episode_steps or None
        self.observation_space = space_from_wire(reply.spec.observation_space)
        self.action_space = space_from_wire(reply.spec.action_space)
        self._action_leaves = leaves(self.action_space)

    @property
    def can_render(self) -> bool:
        """Whether the daemon can draw this environment."""
        return self.spec.render_width > 0 and self.spec.render_height > 0

    def reset(self, seeds: Sequence[int] = (), options: Mapping[str, Any] | None = None
              ) -> tuple[list[np.ndarray], dict[int, dict[str, Any]]]:
        """Resets every env: no seeds, one seed ``s`` (env i gets ``s + i``) or one per env."""
        reply = self.connection.call(reset=gym_pb2.Reset(
            handle=self.handle, seeds=[int(s) for s in seeds], options=to_value_map(options or {}))).reset
        return [from_tensor(t) for t in reply.observations], _infos(reply.infos)

    def send_step(self, actions: Sequence[np.ndarray]) -> int:
        """Sends one step (one array per action leaf, ``[num_envs, ...]``) without waiting."""
        tensors = []
        for array, leaf in zip(actions, self._action_leaves):
            array = np.asarray(array)
            wanted = leaf_dtype(leaf)
            # Safe conversions happen here; anything else goes as is and the daemon says why it is wrong.
            if array.dtype != wanted and np.can_cast(array.dtype, wanted, "same_kind"):
                array = array.astype(wanted)
            tensors.append(to_tensor(array))
        if len(actions) != len(self._action_leaves):
            tensors = [to_tensor(np.asarray(a)) for a in actions]
        return self.connection.send(step=gym_pb2.Step(handle=self.handle, actions=tensors))

    def receive_step(self, request_id: int) -> StepResult:
        """Waits for a step sent with ``send_step``."""
        reply = self.connection.receive(request_id).step
        flags = np.frombuffer(reply.terminated, dtype=np.uint8), np.frombuffer(reply.truncated, dtype=np.uint8)
        if any(len(f) != self.num_envs for f in flags):
            raise MalformedError(f"step reply has {len(flags[0])}/{len(flags[1])} flags for {self.num_envs} envs")
        final = reply.final
        return StepResult(
            observations=[from_tensor(t) for t in reply.observations],
            rewards=from_tensor(reply.rewards).astype(np.float64, copy=False),
            terminated=flags[0].astype(bool), truncated=flags[1].astype(bool),
            infos=_infos(reply.infos),
            final_indices=[int(i) for i in final.env_indices],
            final_observations=[from_tensor(t) for t in final.observations],
            final_infos=_infos(final.infos))

    def step(self, actions: Sequence[np.ndarray]) -> StepResult:
        """Steps every env with one action each."""
        return self.receive_step(self.send_step(actions))

    def render(self, index: int = 0) -> np.ndarray:
        """An RGB frame of env ``index``: uint8 ``[height, width, 3]``."""
        frame = from_tensor(self.connection.call(render=gym_pb2.Render(handle=self.handle, env_index=index)).render.frame)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            raise MalformedError(f"render returned {frame.dtype} {list(frame.shape)}, expected uint8 [H, W, 3]")
        return frame

    def close(self) -> None:
        """Destroys the batch on the daemon (idempotent) and closes an owned connection."""
        if self._closed:
            return
        self._closed = True
        timeout = self.connection.timeout
        try:
            if not self.connection.closed:
                # A dead daemon should not hold up shutdown for a full call timeout.
                self.connection.timeout = min(timeout, 2.0)
                self.connection.call(close=gym_pb2.Close(handle=self.handle))
        except GymError:
            # Already gone (reclaimed, daemon stopped): nothing is left to free.
            pass
        finally:
            self.connection.timeout = timeout
            if self._owns_connection:
                self.connection.close()

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._closed


def _infos(wire: Sequence[gym_pb2.EnvInfo]) -> dict[int, dict[str, Any]]:
    return {int(entry.env_index): from_value_map(entry.info) for entry in wire}
