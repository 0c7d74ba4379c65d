"""``ShardedBatch``: one client's batch split into contiguous shards over the worker processes,
stepped in parallel through a shared block; the parallel counterpart of ``GymnasiumBatch``,
with the same seeds, time limits, autoreset modes and typed errors.

A worker that dies (or overruns ``--worker-timeout``) takes its shards with it: the batch's
next request (or the one in flight) is ``INTERNAL``, later steps are ``RESET_NEEDED``, and a
reset makes the lost shards anew on the restarted worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import _BY_CODE, GymError, InternalError, InvalidArgumentError, ResetNeededError
from ..protocol import gym_pb2
from ..remote_batch import StepResult
from ..spaces import leaves
from .batch import check_step
from .shared_arrays import BlockLayout, SharedBlock
from .worker_pool import Reply, WorkerPool


#: A make gets one more ``--worker-timeout`` for each this many envs a worker makes.
MAKES_PER_TIMEOUT = 64


@dataclass
class _Shard:
    worker: int
    start: int
    stop: int
    shard_id: int
    generation: int
    lost: bool = False


def plan_shards(count: int, load: Sequence[int]) -> list[tuple[int, int, int]]:
    """``(worker, start, stop)`` for ``count`` envs: as many near-equal contiguous pieces as there
    are workers (fewer for a small batch), the larger pieces on the least loaded workers."""
    pieces = min(count, len(load))
    workers = sorted(range(len(load)), key=lambda index: (load[index], index))[:pieces]
    size, extra = divmod(count, pieces)
    plan, start = [], 0
    for number, worker in enumerate(workers):
        stop = start + size + (1 if number < extra else 0)
        plan.append((worker, start, stop))
        start = stop
    return plan


def _raise(reply: Reply) -> None:
    if reply.status == "lost":
        raise InternalError(f"{reply.text}: its environments in this batch are lost; reset to make them anew")
    if reply.status == "error":
        raise _BY_CODE.get(reply.code, InternalError)(reply.text)


class ShardedBatch:
    """``count`` envs of ``env_id`` over the pool's workers (see the module's docstring)."""

    def __init__(self, pool: WorkerPool, env_id: str, kwargs: Mapping[str, Any], count: int, *,
                 seed: int | None = None, max_episode_steps: int | None = None,
                 autoreset: int = gym_pb2.AUTORESET_MODE_NEXT_STEP):
        if count < 1:
            raise InvalidArgumentError(f"num_envs must be at least 1, got {count}")
        self.pool = pool
        self.env_id = env_id
        self.kwargs = dict(kwargs)
        self.count = count
        self.autoreset = autoreset
        self.max_episode_steps = max_episode_steps if max_episode_steps and max_episode_steps > 0 else None
        self._shards: list[_Shard] = []
        self._block: SharedBlock | None = None
        try:
            replies = self._make_shards(plan_shards(count, pool.load), seed)
            self.observation_space, self.action_space = replies[0].value
            self._action_leaves = leaves(self.action_space)
            self._block = SharedBlock(BlockLayout.for_spaces(self.observation_space, self.action_space, count))
            self._attach(self._shards)
        except BaseException:
            self.close()
            raise
        self._has_reset = False
        self._needs_reset = np.ones(count, dtype=bool)
        self._crash_reported = False

    @property
    def workers(self) -> list[int]:
        """The workers holding this batch's shards, in env order."""
        return [shard.worker for shard in self._shards]

    def _make_shards(self, plan: list[tuple[int, int, int]], seed: int | None) -> list[Reply]:
        made = [_Shard(worker, start, stop, self.pool.new_shard_id(), self.pool.generation(worker))
                for worker, start, stop in plan]
        replies = self.pool.call([(shard.worker, ("make", shard.shard_id, self.env_id, self.kwargs, shard.stop - shard.start,
                                                  shard.start, None if seed is None else seed + shard.start,
                                                  self.max_episode_steps, self.autoreset)) for shard in made],
                                 timeout=self.pool.timeout * (1 + max(s.stop - s.start for s in made) // MAKES_PER_TIMEOUT))
        for shard, reply in zip(made, replies):
            if reply.status == "ok":
                self._shards.append(shard)
                self.pool.load[shard.worker] += shard.stop - shard.start
        self._shards.sort(key=lambda shard: shard.start)
        self._raise_first(replies)
        return replies

    def _attach(self, shards: list[_Shard]) -> None:
        self._raise_first(self.pool.call([(shard.worker, ("attach", shard.shard_id, self._block.name, self._block.layout))
                                          for shard in shards]))

    def _call_shards(self, message: tuple, per_shard=lambda shard: ()) -> list[Reply]:
        """``message`` (with the shard id and ``per_shard(shard)`` after it) to every shard at once;
        a worker lost on the way marks its shards lost and is ``INTERNAL``."""
        replies = self.pool.call([(shard.worker, (message[0], shard.shard_id, *per_shard(shard), *message[1:]))
                                  for shard in self._shards])
        for shard, reply in zip(self._shards, replies):
            if reply.status == "lost":
                shard.lost = True
                self._crash_reported = True
        self._raise_first(replies)
        return replies

    @staticmethod
    def _raise_first(replies: list[Reply]) -> None:
        """The first lost worker's ``INTERNAL``, else the first error, in env order."""
        for reply in sorted(replies, key=lambda reply: reply.status != "lost"):
            _raise(reply)

    def _check_workers(self) -> bool:
        """Marks the shards on restarted workers lost; the first request to see it is ``INTERNAL``."""
        for shard in self._shards:
            if not shard.lost and self.pool.generation(shard.worker) != shard.generation:
                shard.lost = True
        lost = [shard for shard in self._shards if shard.lost]
        if lost and not self._crash_reported:
            self._crash_reported = True
            envs = ", ".join(f"{shard.start}..<{shard.stop}" for shard in lost)
            raise InternalError(f"the worker process holding env(s) {envs} of this batch died and was restarted: "
                                f"they are lost; reset to make them anew")
        return bool(lost)

    def reset(self, seeds: Sequence[int] = (), options: Mapping[str, Any] | None = None
              ) -> tuple[list[np.ndarray], dict[int, dict[str, Any]]]:
        """Resets every env (seeds as ``GymnasiumBatch.reset``); makes lost shards anew first."""
        if len(seeds) == 1:
            per_env = [int(seeds[0]) + i for i in range(self.count)]
        elif len(seeds) in (0, self.count):
            per_env = [int(s) for s in seeds]
        else:
            raise InvalidArgumentError(f"reset takes 0, 1 or {self.count} seeds, got {len(seeds)}")
        if self._check_workers():
            self._remake_lost()
        options = dict(options) if options else None
        replies = self._call_shards(("reset", options), lambda shard: (per_env[shard.start:shard.stop],))
        infos = self._gather_infos(replies, lambda value: value)
        self._has_reset = True
        self._needs_reset[:] = False
        return [array.copy() for array in self._block.leaf_arrays("observation")], infos

    def _remake_lost(self) -> None:
        """Makes the lost shards anew (unseeded: their old seeds went with them) on the restarted workers."""
        lost = [shard for shard in self._shards if shard.lost]
        # A shard lost in a failed remake may still live on a worker that was not restarted.
        stale = [shard for shard in lost if self.pool.generation(shard.worker) == shard.generation]
        if stale:
            self.pool.call([(shard.worker, ("close", shard.shard_id)) for shard in stale])
        self._shards = [shard for shard in self._shards if not shard.lost]
        self._has_reset = False
        starts = {shard.start for shard in lost}
        try:
            self._make_shards([(shard.worker, shard.start, shard.stop) for shard in lost], None)
            self._attach([shard for shard in self._shards if shard.start in starts])
        except BaseException:
            # Every env stays covered: what could not be made anew is still lost, and needs a reset.
            made = {shard.start for shard in self._shards}
            self._shards += [shard for shard in lost if shard.start not in made]
            self._shards.sort(key=lambda shard: shard.start)
            for shard in self._shards:
                shard.lost = shard.lost or shard.start in starts
            self._crash_reported = True
            raise
        self._crash_reported = False

    def _gather_infos(self, replies: list[Reply], pick) -> dict[int, dict[str, Any]]:
        infos: dict[int, dict[str, Any]] = {}
        for shard, reply in zip(self._shards, replies):
            for index, info in pick(reply.value).items():
                infos[shard.start + index] = info
        return infos

    def step(self, actions: Sequence[np.ndarray]) -> StepResult:
        """Validates the actions, writes them into the block and steps every shard at once."""
        if self._check_workers():
            raise ResetNeededError("this batch lost environments with a worker process that died: reset first")
        check_step(self._action_leaves, self.count, actions, has_reset=self._has_reset, autoreset=self.autoreset,
                   needs_reset=self._needs_reset)
        for target, array in zip(self._block.leaf_arrays("action"), actions):
            np.copyto(target, array)
        replies = self._call_shards(("step",))
        arrays = self._block.arrays
        terminated, truncated = arrays["terminated"].astype(bool), arrays["truncated"].astype(bool)
        self._needs_reset = terminated | truncated
        infos = self._gather_infos(replies, lambda value: value[0])
        final_infos = self._gather_infos(replies, lambda value: value[2])
        final_indices = [shard.start + index for shard, reply in zip(self._shards, replies) for index in reply.value[1]]
        return StepResult(
            observations=[array.copy() for array in self._block.leaf_arrays("observation")],
            rewards=arrays["rewards"].copy(), terminated=terminated, truncated=truncated, infos=infos,
            final_indices=final_indices,
            final_observations=[array[final_indices] for array in self._block.leaf_arrays("final")]
            if final_indices else [],
            final_infos=final_infos)

    def render(self, index: int) -> np.ndarray:
        """The RGB frame of env ``index``, from the worker holding it."""
        if not 0 <= index < self.count:
            raise InvalidArgumentError(f"env index {index} is outside 0..<{self.count}")
        if self._check_workers():
            raise ResetNeededError("this batch lost environments with a worker process that died: reset first")
        shard = next(shard for shard in self._shards if shard.start <= index < shard.stop)
        reply = self.pool.call([(shard.worker, ("render", shard.shard_id, index - shard.start))])[0]
        if reply.status == "lost":
            shard.lost = True
            self._crash_reported = True
        _raise(reply)
        return reply.value

    def close(self) -> None:
        """Closes the shards on live workers and frees the block."""
        live = [shard for shard in self._shards
                if not shard.lost and self.pool.generation(shard.worker) == shard.generation]
        if live:
            self.pool.call([(shard.worker, ("close", shard.shard_id)) for shard in live])
            for shard in live:
                self.pool.load[shard.worker] -= shard.stop - shard.start
        self._shards = []
        if self._block is not None:
            self._block.close()
            self._block = None
