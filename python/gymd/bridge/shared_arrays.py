"""The shared-memory block a sharded batch steps through: its actions, observations, rewards,
flags and same-step final observations, one row per env, laid out once from the spaces.

The main process creates (and unlinks) the block; each worker attaches it and reads or writes
only its shard's rows, so a step moves no array through a pipe.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from multiprocessing import shared_memory

import gymnasium
import numpy as np

from ..errors import InvalidArgumentError, NotSupportedError, QuotaExceededError
from ..spaces import leaf_dtype, leaf_shape, leaves

#: Largest block one batch may have: a client's make cannot ask the bridge for more memory.
MAX_BLOCK_BYTES = 8 << 30
_ALIGNMENT = 64


@dataclass(frozen=True)
class ArraySlot:
    """One array of the block: ``shape`` starts with the batch's env count."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * np.dtype(self.dtype).itemsize


@dataclass(frozen=True)
class BlockLayout:
    """Where every array of a batch of ``count`` envs lies in the block."""

    count: int
    slots: tuple[ArraySlot, ...]
    size: int

    @staticmethod
    def for_spaces(observation_space: gymnasium.Space, action_space: gymnasium.Space, count: int,
                   limit: int = MAX_BLOCK_BYTES) -> "BlockLayout":
        """The layout for ``count`` envs of these spaces; ``InvalidArgumentError`` when it would be
        over ``limit`` bytes, ``NotSupportedError`` for a leaf without a fixed shape and dtype."""
        wanted: list[tuple[str, np.dtype, tuple[int, ...]]] = []
        for prefix, space in (("observation", observation_space), ("final", observation_space),
                              ("action", action_space)):
            for number, leaf in enumerate(leaves(space)):
                try:
                    dtype, shape = np.dtype(leaf_dtype(leaf)), tuple(int(d) for d in leaf_shape(leaf))
                except (TypeError, ValueError, AttributeError) as error:
                    raise NotSupportedError(f"{prefix} leaf {leaf} has no fixed shape and dtype for shared memory: "
                                            f"{error}") from None
                if dtype.hasobject or any(d < 0 for d in shape):
                    raise NotSupportedError(f"{prefix} leaf {leaf} cannot be laid out in shared memory")
                wanted.append((f"{prefix}{number}", dtype, (count, *shape)))
        wanted += [("rewards", np.dtype(np.float64), (count,)), ("terminated", np.dtype(np.uint8), (count,)),
                   ("truncated", np.dtype(np.uint8), (count,))]
        slots, offset = [], 0
        for name, dtype, shape in wanted:
            # Python integers do not wrap: each size is checked against the limit before the next.
            nbytes = math.prod(shape) * dtype.itemsize
            end = offset + -(-nbytes // _ALIGNMENT) * _ALIGNMENT
            if end > limit:
                raise InvalidArgumentError(f"{count} env(s) of these spaces need over {limit} bytes of shared "
                                           f"memory ({name} alone {nbytes}); make fewer")
            slots.append(ArraySlot(name, dtype.str, shape, offset))
            offset = end
        return BlockLayout(count, tuple(slots), max(offset, _ALIGNMENT))


class SharedBlock:
    """A block of shared memory with its arrays as NumPy views (``arrays[name]``)."""

    def __init__(self, layout: BlockLayout, name: str | None = None):
        self.layout = layout
        self._memory = shared_memory.SharedMemory(name=name, create=name is None, size=layout.size if name is None else 0)
        self._owner = name is None
        if self._owner:
            self._reserve(layout.size)
        if self._memory.size < layout.size:
            self._memory.close()
            raise ValueError(f"shared memory {name} has {self._memory.size} bytes, its layout needs {layout.size}")
        self.arrays: dict[str, np.ndarray] = {
            slot.name: np.ndarray(slot.shape, dtype=np.dtype(slot.dtype), buffer=self._memory.buf, offset=slot.offset)
            for slot in layout.slots}

    def _reserve(self, size: int) -> None:
        """Allocates every page now: a block larger than /dev/shm has free would otherwise be
        created sparse and kill whichever process first touched a page past the end (SIGBUS)."""
        descriptor = getattr(self._memory, "_fd", -1)
        if descriptor < 0 or not hasattr(os, "posix_fallocate"):
            return
        try:
            os.posix_fallocate(descriptor, 0, size)
        except OSError as error:
            self._memory.close()
            self._memory.unlink()
            raise QuotaExceededError(f"no room for {size} bytes of shared memory for this batch ({error.strerror}); "
                                     f"make fewer envs") from None

    @property
    def name(self) -> str:
        return self._memory.name

    def leaf_arrays(self, prefix: str) -> list[np.ndarray]:
        """``observation``, ``final`` or ``action`` arrays, in leaf order."""
        found = []
        while f"{prefix}{len(found)}" in self.arrays:
            found.append(self.arrays[f"{prefix}{len(found)}"])
        return found

    def close(self) -> None:
        """Drops the views and unmaps the block; the creator also unlinks it."""
        self.arrays = {}
        try:
            self._memory.close()
        except BufferError:
            return  # a view still in use keeps the mapping; the unlink below still frees the name
        finally:
            if self._owner:
                self._owner = False
                try:
                    self._memory.unlink()
                except FileNotFoundError:
                    pass
