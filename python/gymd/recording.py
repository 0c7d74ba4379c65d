"""Reading ``gym record``'s SQLite files (docs/recording.md): episodes as NumPy arrays, and an
export to Minari's dataset layout when ``minari`` is installed."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from gymnasium import spaces

from .protocol import gym_pb2
from .spaces import leaves, space_from_wire

#: The recording schema versions this reader opens (version 2 adds run, algorithm and role).
SCHEMA_VERSIONS = ("1", "2")


@dataclass
class EpisodeSummary:
    """One row of the ``episodes`` table."""

    id: int
    env_id: str
    env_index: int
    seed: int | None
    length: int
    episode_return: float
    terminated: bool
    truncated: bool
    end_kind: str
    start_kind: str
    #: The run, algorithm and role of the client that played it (its hello's description);
    #: None when it gave none or the recording predates them (schema version 1).
    run: str | None = None
    algorithm: str | None = None
    role: str | None = None


@dataclass
class Episode:
    """A whole recorded episode: ``length + 1`` observations (the reset's first) and ``length`` of the rest.

    For Dict and Tuple observation spaces ``observations`` is a dict or tuple of per-leaf arrays
    with the space's structure; otherwise one array ``[length + 1, ...]``.
    """

    summary: EpisodeSummary
    observation_space: spaces.Space
    action_space: spaces.Space
    observations: Any
    actions: Any
    rewards: np.ndarray
    terminations: np.ndarray
    truncations: np.ndarray
    times: np.ndarray
    infos: dict[int, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, Any] | None = None

    @property
    def transitions(self) -> tuple[Any, Any, np.ndarray, Any, np.ndarray]:
        """``(obs, actions, rewards, next_obs, terminated)`` for offline learning (single-leaf spaces)."""
        if not isinstance(self.observations, np.ndarray):
            raise TypeError("transitions need a single-leaf observation space; use observations directly")
        return self.observations[:-1], self.actions, self.rewards, self.observations[1:], self.terminations


class Recording:
    """A recording file, opened read-only (the recorder may still be writing it: WAL)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no recording at {self.path}")
        self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        version = self._scalar("SELECT value FROM recording WHERE key = 'schema_version'")
        if version not in SCHEMA_VERSIONS:
            self._db.close()
            raise ValueError(f"{self.path} has recording schema {version!r}; this reader knows {', '.join(SCHEMA_VERSIONS)}")
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(episodes)")}
        self._has_descriptions = {"run", "algorithm", "role"} <= columns

    def _scalar(self, query: str, *args: Any) -> Any:
        row = self._db.execute(query, args).fetchone()
        return row[0] if row else None

    def episodes(self, env_id: str | None = None) -> list[EpisodeSummary]:
        """Every stored episode (of ``env_id`` when given), oldest first."""
        where, args = ("WHERE env_id = ?", (env_id,)) if env_id else ("", ())
        return self._summaries(where, args)

    def _summaries(self, where: str, args: tuple) -> list[EpisodeSummary]:
        rows = self._db.execute(
            "SELECT id, env_id, env_index, seed, length, return, terminated, truncated, end_kind, start_kind, "
            + ("run, algorithm, role " if self._has_descriptions else "NULL, NULL, NULL ")
            + f"FROM episodes {where} ORDER BY id", args).fetchall()
        return [EpisodeSummary(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7]), r[8], r[9], r[10], r[11], r[12])
                for r in rows]

    def spec(self, episode_id: int) -> gym_pb2.EnvSpec:
        """The protocol ``EnvSpec`` of the batch an episode ran in."""
        blob = self._scalar("SELECT b.spec FROM episodes e JOIN batches b ON b.id = e.batch_id WHERE e.id = ?", episode_id)
        if blob is None:
            raise KeyError(f"no episode {episode_id} in {self.path}")
        return gym_pb2.EnvSpec.FromString(blob)

    def episode(self, episode_id: int) -> Episode:
        """One episode's arrays."""
        found = self._summaries("WHERE id = ?", (episode_id,))
        if not found:
            raise KeyError(f"no episode {episode_id} in {self.path}")
        summary = found[0]
        row = self._db.execute(
            "SELECT observation_dtype, observation_shape, action_dtype, action_shape, observations, actions, rewards, "
            "terminated, truncated, times, infos FROM steps WHERE episode_id = ?", (episode_id,)).fetchone()
        options = self._scalar("SELECT options FROM episodes WHERE id = ?", episode_id)
        spec = self.spec(episode_id)
        observation_space, action_space = space_from_wire(spec.observation_space), space_from_wire(spec.action_space)
        length = summary.length
        return Episode(
            summary=summary, observation_space=observation_space, action_space=action_space,
            observations=_read(row[4], row[0], row[1], length + 1, observation_space),
            actions=_read(row[5], row[2], row[3], length, action_space),
            rewards=np.frombuffer(row[6], "<f8").astype(np.float64),
            terminations=np.frombuffer(row[7], np.uint8).astype(bool),
            truncations=np.frombuffer(row[8], np.uint8).astype(bool),
            times=np.frombuffer(row[9], "<f8").astype(np.float64),
            infos={int(t): info for t, info in json.loads(row[10]).items()} if row[10] else {},
            options=json.loads(options) if options else None)

    def __iter__(self) -> Iterator[Episode]:
        for summary in self.episodes():
            yield self.episode(summary.id)

    def close(self) -> None:
        """Closes the database."""
        self._db.close()

    def __enter__(self) -> "Recording":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read(blob: bytes, dtype_text: str, shape_text: str, rows: int, space: spaces.Space) -> Any:
    """Per-step values as one array, or for composite spaces the space's structure of per-leaf arrays."""
    if not dtype_text.startswith("["):
        return np.frombuffer(blob, np.dtype(dtype_text)).reshape(rows, *json.loads(shape_text)).copy()
    fields = json.loads(dtype_text)
    structured = np.frombuffer(blob, np.dtype([(name, dtype, tuple(shape)) for name, dtype, shape in fields]))
    arrays = [np.ascontiguousarray(structured[name]) for name, _, _ in fields]
    if len(arrays) != len(leaves(space)):
        raise ValueError(f"{len(arrays)} stored fields for a space with {len(leaves(space))} leaves")
    return _structure(space, arrays)


def _structure(space: spaces.Space, arrays: list[np.ndarray]) -> Any:
    remaining = iter(arrays)

    def build(inner: spaces.Space) -> Any:
        if isinstance(inner, spaces.Dict):
            return {key: build(sub) for key, sub in inner.spaces.items()}
        if isinstance(inner, spaces.Tuple):
            return tuple(build(sub) for sub in inner.spaces)
        return next(remaining)

    return build(space)


def export_minari(recording: Recording, dataset_id: str, env_id: str | None = None, **metadata: Any):
    """Writes the recording's episodes (of ``env_id``, or all of one env) as a Minari dataset;
    episodes without a step (a reset a client never stepped) are left out.

    Needs ``minari``; raises ImportError naming it otherwise. ``metadata`` goes to
    ``minari.create_dataset_from_buffers`` (author, algorithm_name, ...). Returns the dataset.
    """
    try:
        import minari
        from minari.data_collector import EpisodeBuffer
    except ImportError as error:
        raise ImportError("exporting to Minari needs the minari package: pip install minari") from error
    # An episode a closing client left after its last reset has no step; Minari's layout has no
    # place for one, so it is left out.
    summaries = [summary for summary in recording.episodes(env_id) if summary.length > 0]
    if not summaries:
        raise ValueError(f"{recording.path} has no episodes with steps" + (f" of {env_id}" if env_id else ""))
    ids = {summary.env_id for summary in summaries}
    if len(ids) > 1:
        raise ValueError(f"a Minari dataset holds one environment; pass env_id (the recording has {sorted(ids)})")
    buffers = []
    first = None
    for number, summary in enumerate(summaries):
        episode = recording.episode(summary.id)
        first = first or episode
        # Minari numbers episodes 0, 1, 2, ...; the recording's ids need not be consecutive.
        buffers.append(EpisodeBuffer(
            id=number, seed=summary.seed, observations=episode.observations, actions=episode.actions,
            rewards=episode.rewards, terminations=episode.terminations, truncations=episode.truncations,
            infos={}))
    metadata.setdefault("description", f"{first.summary.env_id} episodes recorded by gym record ({recording.path.name})")
    return minari.create_dataset_from_buffers(
        dataset_id=dataset_id, buffer=buffers, observation_space=first.observation_space,
        action_space=first.action_space, **metadata)

