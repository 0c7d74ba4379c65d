"""``BufferClient``: the replay-buffer service (``gym buffer``) from Python, batches as NumPy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .connection import DEFAULT_TIMEOUT, Connection
from .protocol import buffer_pb2
from .tensors import from_tensor, to_tensor, wire_dtype

#: Where clients connect when given no endpoint (``gym buffer``'s default bind).
DEFAULT_BUFFER = "tcp://127.0.0.1:5560"

_SELECTORS = {"uniform": buffer_pb2.SELECTOR_UNIFORM, "prioritized": buffer_pb2.SELECTOR_PRIORITIZED,
              "fifo": buffer_pb2.SELECTOR_FIFO}


@dataclass
class SampledBatch:
    """One sample: ``columns`` by name (``[batch, ...item shape]``), the items' keys, their
    selection probabilities and importance weights (all 1 for non-prioritized tables)."""

    columns: dict[str, np.ndarray]
    keys: np.ndarray
    probabilities: np.ndarray
    weights: np.ndarray
    table_size: int

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]


class BufferClient:
    """A DEALER connection to a replay-buffer service.

    Every call waits at most ``timeout`` seconds (plus the call's own rate-limiter wait) and
    then raises ``GymTimeoutError``; a wait the service gave up on raises ``DeadlineExceededError``.

    >>> buffer = BufferClient("tcp://127.0.0.1:5560")
    >>> buffer.create_table("replay", selector="prioritized", max_size=100_000)
    >>> buffer.insert("replay", {"obs": obs, "action": actions, "reward": rewards})
    >>> batch = buffer.sample("replay", 64)
    >>> buffer.update_priorities("replay", batch.keys, np.abs(td_errors))
    """

    def __init__(self, endpoint: str = DEFAULT_BUFFER, timeout: float = DEFAULT_TIMEOUT, client_name: str = "gymd-python",
                 curve_secret: str | None = None, server_key: str | None = None):
        """``curve_secret``/``server_key``: CURVE key files, as for ``Connection``."""
        self.connection = Connection(endpoint, timeout=timeout, client_name=client_name,
                                     request_type=buffer_pb2.BufferRequest, response_type=buffer_pb2.BufferResponse,
                                     curve_secret=curve_secret, server_key=server_key)

    @property
    def timeout(self) -> float:
        """Seconds a call waits for its reply, beyond any rate-limiter wait it asks for."""
        return self.connection.timeout

    def _call(self, wait: float = 0.0, **body):
        # The service may hold a call back for `wait` seconds before answering.
        base = self.connection.timeout
        self.connection.timeout = base + wait
        try:
            return self.connection.call(**body)
        finally:
            self.connection.timeout = base

    def create_table(self, name: str, *, selector: str = "uniform", max_size: int = 1_000_000,
                     priority_exponent: float = 0.6, importance_exponent: float = 0.4, min_size_to_sample: int = 1,
                     samples_per_insert: float = 0.0, error_buffer: float = 0.0,
                     signature: Mapping[str, tuple[np.dtype | type, Sequence[int]]] | None = None
                     ) -> buffer_pb2.TableInfo:
        """Creates a table (or finds the same one); ``signature`` maps column names to (dtype, item shape)."""
        if selector not in _SELECTORS:
            raise ValueError(f"selector must be one of {sorted(_SELECTORS)}, got {selector!r}")
        config = buffer_pb2.TableConfig(
            name=name, selector=_SELECTORS[selector], max_size=max_size, priority_exponent=priority_exponent,
            importance_exponent=importance_exponent,
            rate_limiter=buffer_pb2.RateLimiter(min_size_to_sample=min_size_to_sample,
                                                samples_per_insert=samples_per_insert, error_buffer=error_buffer),
            signature=[buffer_pb2.ColumnSpec(name=column, dtype=wire_dtype(dtype), shape=list(shape))
                       for column, (dtype, shape) in (signature or {}).items()])
        return self._call(create_table=buffer_pb2.CreateTable(config=config)).create_table.table

    def insert(self, table: str, columns: Mapping[str, np.ndarray], priorities: Sequence[float] | None = None,
               timeout: float = 0.0) -> range:
        """Appends a batch (every column ``[batch, ...]``); returns the items' keys. ``timeout``:
        seconds the insert may wait for the rate limiter."""
        reply = self._call(timeout, insert=buffer_pb2.Insert(
            table=table, columns=[buffer_pb2.Column(name=name, tensor=to_tensor(np.asarray(array)))
                                  for name, array in columns.items()],
            priorities=[] if priorities is None else [float(p) for p in priorities],
            timeout_ms=int(timeout * 1000))).insert
        return range(reply.first_key, reply.first_key + reply.count)

    def sample(self, table: str, batch_size: int, timeout: float = 0.0,
               importance_exponent: float | None = None) -> SampledBatch:
        """Draws ``batch_size`` items, waiting up to ``timeout`` seconds for the rate limiter."""
        request = buffer_pb2.Sample(table=table, batch_size=batch_size, timeout_ms=int(timeout * 1000))
        if importance_exponent is not None:
            request.importance_exponent = importance_exponent
        reply = self._call(timeout, sample=request).sample
        keys = np.array(reply.keys, dtype=np.uint64)
        weights = np.array(reply.weights, dtype=np.float64) if len(reply.weights) else np.ones(len(keys))
        return SampledBatch(columns={column.name: from_tensor(column.tensor) for column in reply.columns}, keys=keys,
                            probabilities=np.array(reply.probabilities, dtype=np.float64), weights=weights,
                            table_size=reply.table_size)

    def update_priorities(self, table: str, keys: Sequence[int], priorities: Sequence[float]) -> tuple[int, int]:
        """Sets new priorities; returns (updated, missing) counts."""
        reply = self._call(update_priorities=buffer_pb2.UpdatePriorities(
            table=table, keys=[int(k) for k in keys], priorities=[float(p) for p in priorities])).update_priorities
        return reply.updated, reply.missing

    def info(self, table: str = "") -> list[buffer_pb2.TableInfo]:
        """``TableInfo`` of one table, or of every table."""
        return list(self._call(info=buffer_pb2.Info(table=table)).info.tables)

    def reset(self, table: str) -> None:
        """Drops every item of a table."""
        self._call(reset=buffer_pb2.ResetTable(table=table))

    def checkpoint(self) -> str:
        """Writes a checkpoint on the service; returns its path."""
        return self._call(checkpoint=buffer_pb2.Checkpoint()).checkpoint.path

    def close(self) -> None:
        """Closes the connection."""
        self.connection.close()

    def __enter__(self) -> "BufferClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["BufferClient", "SampledBatch", "DEFAULT_BUFFER"]
