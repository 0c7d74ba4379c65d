"""A worker process of the parallel bridge: it holds shards (slices of batches the main process
made), steps them on request and writes their arrays into each batch's shared block.

Requests and replies on its pipe are small tuples: the spaces once per make, infos and
same-step final indices per step; arrays travel only through shared memory.
"""

from __future__ import annotations

import importlib
import os
import signal
from dataclasses import dataclass
from typing import Any

from ..errors import GymError
from .batch import GymnasiumBatch
from .catalog import EnvCatalog
from .shared_arrays import BlockLayout, SharedBlock
from .wrappers import OperatorWrappers


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to make the environments the main process serves."""

    env_ids: tuple[str, ...]
    renders: dict[str, bool]
    wrappers: OperatorWrappers
    imports: tuple[str, ...] = ()


class _Shard:
    """Envs ``start..<start + batch.count`` of one batch, and that batch's shared block."""

    def __init__(self, batch: GymnasiumBatch, start: int):
        self.batch = batch
        self.start = start
        self.block: SharedBlock | None = None

    def rows(self, prefix: str):
        stop = self.start + self.batch.count
        return [array[self.start:stop] for array in self.block.leaf_arrays(prefix)]

    def close(self) -> None:
        self.batch.close()
        if self.block is not None:
            self.block.close()


class Worker:
    """The requests a worker answers, without the pipe (``answer`` is the whole protocol)."""

    def __init__(self, settings: WorkerSettings):
        for module in settings.imports:
            importlib.import_module(module)
        self.catalog = EnvCatalog(list(settings.env_ids), settings.wrappers, renders=settings.renders)
        self.shards: dict[int, _Shard] = {}

    def answer(self, message: tuple) -> tuple:
        """``("ok", value)`` or ``("error", code, text)`` for one request."""
        try:
            return ("ok", getattr(self, "_" + message[0])(*message[1:]))
        except GymError as error:
            return ("error", error.code, error.message)
        except Exception as error:  # noqa: BLE001 - an env's failure is the client's INTERNAL, not the worker's end
            return ("error", "INTERNAL", f"{type(error).__name__}: {error}")

    def _make(self, shard_id: int, env_id: str, kwargs: dict[str, Any], count: int, start: int, seed: int | None,
              max_episode_steps: int | None, autoreset: int):
        batch = GymnasiumBatch(lambda: self.catalog.make(env_id, kwargs), count, seed=seed,
                               max_episode_steps=max_episode_steps, autoreset=autoreset)
        self.shards[shard_id] = _Shard(batch, start)
        return batch.observation_space, batch.action_space

    def _attach(self, shard_id: int, block_name: str, layout: BlockLayout):
        self.shards[shard_id].block = SharedBlock(layout, block_name)

    def _reset(self, shard_id: int, seeds: list[int], options: dict[str, Any] | None):
        shard = self.shards[shard_id]
        observations, infos = shard.batch.reset(seeds, options)
        for rows, observation in zip(shard.rows("observation"), observations):
            rows[...] = observation
        return infos

    def _step(self, shard_id: int):
        shard = self.shards[shard_id]
        result = shard.batch.step(shard.rows("action"))
        for rows, observation in zip(shard.rows("observation"), result.observations):
            rows[...] = observation
        stop = shard.start + shard.batch.count
        arrays = shard.block.arrays
        arrays["rewards"][shard.start:stop] = result.rewards
        arrays["terminated"][shard.start:stop] = result.terminated
        arrays["truncated"][shard.start:stop] = result.truncated
        for rows, finals in zip(shard.rows("final"), result.final_observations):
            rows[result.final_indices] = finals
        return result.infos, result.final_indices, result.final_infos

    def _render(self, shard_id: int, index: int):
        return self.shards[shard_id].batch.render(index)

    def _close(self, shard_id: int):
        shard = self.shards.pop(shard_id, None)
        if shard is not None:
            shard.close()

    def close(self) -> None:
        for shard_id in list(self.shards):
            self._close(shard_id)


def run_worker(connection, settings: WorkerSettings) -> None:
    """A worker process's main: answers requests until the pipe closes or says ``exit``."""
    # The operator's Ctrl-C reaches the whole process group: the main process stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A batch policy: a worker woken by a request does not preempt the main process, which is
    # still sending the other workers theirs (on two cores, each send then waited for a wake-up).
    if hasattr(os, "SCHED_BATCH"):
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        except OSError:
            pass
    try:
        worker = Worker(settings)
    except Exception as error:  # noqa: BLE001 - told to the main process, which logs it
        connection.send(("error", "INTERNAL", f"worker could not start: {type(error).__name__}: {error}"))
        return
    connection.send(("ok", "ready"))
    try:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                break
            if message[0] == "exit":
                break
            connection.send(worker.answer(message))
    finally:
        worker.close()
