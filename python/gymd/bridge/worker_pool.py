"""The parallel bridge's worker processes: started with ``spawn``, asked in parallel, each reply
bounded by a timeout, and restarted when one dies or overruns it."""

from __future__ import annotations

import logging
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

from .worker import WorkerSettings, run_worker

log = logging.getLogger("gymd.serve")


@dataclass
class Reply:
    """A worker's answer: ``ok`` with a value, ``error`` with a code and text, or ``lost`` (the
    worker died or overran the timeout and was restarted: its shards are gone)."""

    status: str
    value: Any = None
    code: str = ""
    text: str = ""


class _Process:
    def __init__(self, context, index: int, settings: WorkerSettings):
        self.index = index
        self.connection, child = context.Pipe(duplex=True)
        self.process = context.Process(target=run_worker, args=(child, settings), name=f"gymd-worker-{index}",
                                       daemon=True)
        self.process.start()
        child.close()
        self.awaiting_ready = True
        log.info("worker %d started as pid %d", index, self.process.pid)

    def stop(self, timeout: float = 2.0) -> None:
        if self.process.is_alive():
            try:
                self.connection.send(("exit",))
            except (OSError, ValueError):
                pass
            self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)
        self.connection.close()


class WorkerPool:
    """``count`` worker processes. ``generation(i)`` changes each time worker ``i`` is restarted,
    so a batch can tell that the shards it had there are gone."""

    def __init__(self, count: int, settings: WorkerSettings, timeout: float = 60.0, startup_timeout: float = 120.0):
        if count < 1:
            raise ValueError(f"a worker pool needs at least 1 worker, got {count}")
        self.settings = settings
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._workers = [_Process(self._context, index, settings) for index in range(count)]
        self._generations = [0] * count
        #: Envs each worker holds, for placing small batches on the least loaded.
        self.load = [0] * count
        self._next_shard = 1
        for worker in self._workers:
            reply = self._receive(worker, time.monotonic() + startup_timeout)
            if reply.status not in ("ok", "pending"):
                self.close()
                raise RuntimeError(f"worker {worker.index} did not start: {reply.text}")

    @property
    def size(self) -> int:
        return len(self._workers)

    def generation(self, index: int) -> int:
        return self._generations[index]

    def pid(self, index: int) -> int:
        return self._workers[index].process.pid

    def new_shard_id(self) -> int:
        self._next_shard += 1
        return self._next_shard

    def call(self, requests: list[tuple[int, tuple]], timeout: float | None = None) -> list[Reply]:
        """Sends each ``(worker index, message)`` at once and gathers the replies in order (one
        request per worker at most); every reply within ``timeout`` (default: the pool's)."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        replies: list[Reply | None] = [None] * len(requests)
        waiting: dict[int, int] = {}
        for number, (index, message) in enumerate(requests):
            worker = self._workers[index]
            try:
                worker.connection.send(message)
                waiting[index] = number
            except (OSError, ValueError) as error:
                replies[number] = self._lose(index, f"could not be sent a request: {error}")
        while waiting:
            remaining = deadline - time.monotonic()
            ready = wait([self._workers[index].connection for index in waiting] +
                         [self._workers[index].process.sentinel for index in waiting], timeout=max(remaining, 0))
            if not ready:
                for index, number in list(waiting.items()):
                    replies[number] = self._lose(index, f"gave no reply within {limit:g} s")
                break
            for index, number in list(waiting.items()):
                worker = self._workers[index]
                if worker.connection in ready or worker.process.sentinel in ready:
                    reply = self._receive(worker, deadline)
                    if reply.status == "lost":
                        reply = self._lose(index, reply.text)
                    elif reply.status == "pending":
                        continue
                    replies[number] = reply
                    del waiting[index]
        return replies

    def _receive(self, worker: _Process, deadline: float) -> Reply:
        """The next reply on ``worker``'s pipe (its start-up "ready" skipped), ``pending`` when
        only that was there, ``lost`` when the pipe is closed."""
        try:
            while True:
                if not worker.connection.poll(max(deadline - time.monotonic(), 0)):
                    if not worker.process.is_alive():
                        return Reply("lost", text=f"exited with status {worker.process.exitcode}")
                    return Reply("lost", text="gave no reply in time")
                message = worker.connection.recv()
                if worker.awaiting_ready:
                    worker.awaiting_ready = False
                    if message[0] != "ok":
                        return Reply("lost", text=message[2])
                    if not worker.connection.poll(0):
                        return Reply("pending")
                    continue
                if message[0] == "ok":
                    return Reply("ok", value=message[1])
                return Reply("error", code=message[1], text=message[2])
        except (EOFError, OSError) as error:
            worker.process.join(1)
            return Reply("lost", text=f"exited with status {worker.process.exitcode} ({type(error).__name__})")

    def _lose(self, index: int, why: str) -> Reply:
        """Kills worker ``index`` and starts another in its place."""
        old = self._workers[index]
        log.error("worker %d (pid %d) %s: restarting it; the %d env(s) it held are lost", index, old.process.pid,
                  why, self.load[index])
        old.stop(timeout=1.0)
        self._workers[index] = _Process(self._context, index, self.settings)
        self._generations[index] += 1
        self.load[index] = 0
        return Reply("lost", text=f"worker {index} {why}")

    def check(self) -> None:
        """Restarts the workers that died while idle."""
        for index, worker in enumerate(self._workers):
            if not worker.process.is_alive():
                self._lose(index, f"exited with status {worker.process.exitcode}")

    def close(self) -> None:
        """Stops every worker."""
        for worker in self._workers:
            worker.stop()
        self._workers = []
