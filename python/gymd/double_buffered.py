"""``DoubleBufferedVectorEnv``: two ``RemoteVectorEnv`` halves on one connection, stepped so
that the daemon steps one half while the caller computes the other's next actions."""

from __future__ import annotations

from typing import Any, Sequence

from .connection import DEFAULT_TIMEOUT, Connection
from .remote_batch import default_server
from .remote_vector_env import RemoteVectorEnv


class DoubleBufferedVectorEnv:
    """``num_envs`` (at least 2) copies of ``env_id`` as two batches of ``num_envs // 2`` and the rest.

    A synchronous ``step`` leaves the daemon idle while the agent computes and the reply
    travels; here one half's step is always in flight::

        env = DoubleBufferedVectorEnv("CartPole-v1", 256, server)
        observations = env.reset(seed=0)
        for half in (0, 1):
            env.send_step(half, policy(observations[half]))
        while training:
            for half in (0, 1):
                obs, rewards, terminated, truncated, infos = env.receive_step(half)
                env.send_step(half, policy(obs))   # the other half is stepped meanwhile

    Env ``i`` of half 1 is env ``halves[0].num_envs + i`` of the whole; seeds follow that numbering.
    """

    def __init__(self, env_id: str, num_envs: int, server: str | None = None, *,
                 connection: Connection | None = None, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any):
        """Extra keyword arguments go to each half's ``RemoteVectorEnv`` (autoreset mode, env kwargs...)."""
        if num_envs < 2:
            raise ValueError(f"a double-buffered batch needs at least 2 envs, got {num_envs}")
        self._owns_connection = connection is None
        self.connection = connection or Connection(server or default_server(), timeout=timeout)
        first = num_envs // 2
        halves: list[RemoteVectorEnv] = []
        try:
            for size in (first, num_envs - first):
                halves.append(RemoteVectorEnv(env_id, size, connection=self.connection, **kwargs))
        except BaseException:
            for half in halves:
                half.close()
            if self._owns_connection:
                self.connection.close()
            raise
        #: The two halves, each a ``gymnasium.vector.VectorEnv`` of its own.
        self.halves: tuple[RemoteVectorEnv, RemoteVectorEnv] = (halves[0], halves[1])
        self.num_envs = num_envs

    def reset(self, *, seed: int | Sequence[int] | None = None, options: dict[str, Any] | None = None):
        """Resets both halves; returns ``[(observations, infos) of half 0, ... of half 1]``."""
        first = self.halves[0].num_envs
        if seed is None:
            seeds: list[Any] = [None, None]
        elif isinstance(seed, int):
            seeds = [seed, seed + first]
        else:
            seed = list(seed)
            if len(seed) != self.num_envs:
                raise ValueError(f"got {len(seed)} seeds for {self.num_envs} envs")
            seeds = [seed[:first], seed[first:]]
        return [half.reset(seed=s, options=options) for half, s in zip(self.halves, seeds)]

    def send_step(self, half: int, actions) -> None:
        """Sends half ``half``'s actions without waiting."""
        self.halves[half].step_async(actions)

    def receive_step(self, half: int):
        """Waits for half ``half``'s step: ``(observations, rewards, terminations, truncations, infos)``."""
        return self.halves[half].step_wait()

    def close(self) -> None:
        """Receives what is in flight, closes both halves and an owned connection."""
        try:
            for half in self.halves:
                if half.step_in_flight:
                    try:
                        half.step_wait()
                    except Exception:  # noqa: BLE001 - closing anyway; the batch goes with it
                        pass
                half.close()
        finally:
            if self._owns_connection:
                self.connection.close()

    def __enter__(self) -> "DoubleBufferedVectorEnv":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
