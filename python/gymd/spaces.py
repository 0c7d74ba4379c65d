"""Gymnasium spaces to and from the protocol's ``Space``, and values as per-leaf arrays.

Values travel as the space's leaves (every Discrete, Box, MultiDiscrete and MultiBinary inside
it, depth-first in declaration order), one array per leaf with a leading batch dimension.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from gymnasium import spaces

from .protocol import gym_pb2
from .tensors import from_tensor, numpy_dtype, to_tensor, wire_dtype
from .wire_limits import SPACE_BOUND

LEAF_TYPES = (spaces.Discrete, spaces.Box, spaces.MultiDiscrete, spaces.MultiBinary)


def space_from_wire(space: gym_pb2.Space) -> spaces.Space:
    """The Gymnasium space a protocol ``Space`` describes (Dict keeps the wire's key order)."""
    kind = space.WhichOneof("kind")
    if kind == "discrete":
        return spaces.Discrete(int(space.discrete.n), start=int(space.discrete.start))
    if kind == "box":
        dtype = numpy_dtype(space.box.dtype)
        shape = tuple(int(n) for n in space.box.shape)
        low = from_tensor(space.box.low, limits=SPACE_BOUND, what="Box low").reshape(shape)
        high = from_tensor(space.box.high, limits=SPACE_BOUND, what="Box high").reshape(shape)
        return spaces.Box(low=low.astype(dtype), high=high.astype(dtype), shape=shape, dtype=dtype)
    if kind == "multi_discrete":
        nvec = np.array(space.multi_discrete.nvec, dtype=np.int64)
        start = np.array(space.multi_discrete.start or [0] * len(nvec), dtype=np.int64)
        return spaces.MultiDiscrete(nvec, start=start)
    if kind == "multi_binary":
        return spaces.MultiBinary([int(n) for n in space.multi_binary.shape])
    if kind == "dict":
        return spaces.Dict(OrderedDict((entry.key, space_from_wire(entry.space)) for entry in space.dict.entries))
    if kind == "tuple":
        return spaces.Tuple([space_from_wire(inner) for inner in space.tuple.spaces])
    raise ValueError(f"unknown space kind {kind!r}")


def space_to_wire(space: spaces.Space) -> gym_pb2.Space:
    """The protocol ``Space`` of a Gymnasium space, or a TypeError for spaces the protocol lacks."""
    if isinstance(space, spaces.Discrete):
        return gym_pb2.Space(discrete=gym_pb2.Discrete(n=int(space.n), start=int(space.start)))
    if isinstance(space, spaces.Box):
        wire_dtype(space.dtype)
        return gym_pb2.Space(box=gym_pb2.Box(
            shape=space.shape, dtype=wire_dtype(space.dtype),
            low=to_tensor(space.low, space.dtype), high=to_tensor(space.high, space.dtype)))
    if isinstance(space, spaces.MultiDiscrete):
        if space.nvec.ndim != 1:
            raise TypeError(f"MultiDiscrete with nvec of shape {space.nvec.shape} is not supported (only 1-D)")
        return gym_pb2.Space(multi_discrete=gym_pb2.MultiDiscrete(
            nvec=[int(n) for n in space.nvec], start=[int(s) for s in space.start]))
    if isinstance(space, spaces.MultiBinary):
        return gym_pb2.Space(multi_binary=gym_pb2.MultiBinary(shape=list(np.atleast_1d(space.n))))
    if isinstance(space, spaces.Dict):
        return gym_pb2.Space(dict=gym_pb2.DictSpace(entries=[
            gym_pb2.DictEntry(key=str(key), space=space_to_wire(inner)) for key, inner in space.spaces.items()]))
    if isinstance(space, spaces.Tuple):
        return gym_pb2.Space(tuple=gym_pb2.TupleSpace(spaces=[space_to_wire(inner) for inner in space.spaces]))
    raise TypeError(f"{type(space).__name__} spaces cannot travel on the protocol "
                    "(it has Discrete, Box, MultiDiscrete, MultiBinary, Dict and Tuple)")


def leaves(space: spaces.Space) -> list[spaces.Space]:
    """The non-composite spaces inside ``space``, depth-first in declaration order."""
    if isinstance(space, spaces.Dict):
        return [leaf for inner in space.spaces.values() for leaf in leaves(inner)]
    if isinstance(space, spaces.Tuple):
        return [leaf for inner in space.spaces for leaf in leaves(inner)]
    return [space]


def leaf_dtype(leaf: spaces.Space) -> np.dtype:
    """The dtype a leaf's values travel in."""
    if isinstance(leaf, (spaces.Discrete, spaces.MultiDiscrete)):
        return np.dtype(np.int64)
    if isinstance(leaf, spaces.MultiBinary):
        return np.dtype(np.int8)
    return np.dtype(leaf.dtype)


def leaf_shape(leaf: spaces.Space) -> tuple[int, ...]:
    """The shape of one value of a leaf."""
    if isinstance(leaf, spaces.Discrete):
        return ()
    if isinstance(leaf, spaces.MultiDiscrete):
        return (len(leaf.nvec),)
    return tuple(leaf.shape)


def split_batch(space: spaces.Space, batch: Any) -> list[np.ndarray]:
    """Per-leaf arrays of a batched value laid out as ``gymnasium.vector.utils.batch_space``."""
    if isinstance(space, spaces.Dict):
        return [array for key, inner in space.spaces.items() for array in split_batch(inner, batch[key])]
    if isinstance(space, spaces.Tuple):
        return [array for inner, part in zip(space.spaces, batch) for array in split_batch(inner, part)]
    return [np.asarray(batch)]


def join_batch(space: spaces.Space, arrays: list[np.ndarray]) -> Any:
    """The batched value whose leaves are ``arrays`` (the inverse of ``split_batch``)."""
    remaining = iter(arrays)

    def build(inner: spaces.Space) -> Any:
        if isinstance(inner, spaces.Dict):
            return OrderedDict((key, build(sub)) for key, sub in inner.spaces.items())
        if isinstance(inner, spaces.Tuple):
            return tuple(build(sub) for sub in inner.spaces)
        return next(remaining)

    return build(space)


def split_value(space: spaces.Space, value: Any) -> list[np.ndarray]:
    """Per-leaf arrays, each with a leading batch dimension of 1, of one value of ``space``."""
    if isinstance(space, spaces.Dict):
        return [array for key, inner in space.spaces.items() for array in split_value(inner, value[key])]
    if isinstance(space, spaces.Tuple):
        return [array for inner, part in zip(space.spaces, value) for array in split_value(inner, part)]
    return [np.asarray(value)[None]]


def value_at(space: spaces.Space, arrays: list[np.ndarray], index: int) -> Any:
    """Row ``index`` of per-leaf batched arrays as one value of ``space``, in its own dtypes."""
    remaining = iter(arrays)

    def build(inner: spaces.Space) -> Any:
        if isinstance(inner, spaces.Dict):
            return OrderedDict((key, build(sub)) for key, sub in inner.spaces.items())
        if isinstance(inner, spaces.Tuple):
            return tuple(build(sub) for sub in inner.spaces)
        row = next(remaining)[index]
        if isinstance(inner, spaces.Discrete):
            return np.int64(row)
        return np.array(row, dtype=inner.dtype)

    return build(space)


def first_outside(leaf: spaces.Space, batch: np.ndarray) -> tuple[int, str] | None:
    """The first row of a batched leaf array outside the leaf's bounds, with a description."""
    rows = batch.reshape(batch.shape[0], -1) if batch.ndim > 0 else batch
    if isinstance(leaf, spaces.Discrete):
        bad = (rows < leaf.start) | (rows >= leaf.start + leaf.n)
    elif isinstance(leaf, spaces.MultiDiscrete):
        bad = ((rows < leaf.start) | (rows >= leaf.start + leaf.nvec)).any(axis=1)
    elif isinstance(leaf, spaces.MultiBinary):
        bad = ((rows != 0) & (rows != 1)).any(axis=1)
    else:
        low = leaf.low.reshape(1, -1)
        high = leaf.high.reshape(1, -1)
        inside = (rows >= low) & (rows <= high)
        bad = ~inside.all(axis=1)
    hits = np.flatnonzero(bad)
    if hits.size == 0:
        return None
    row = int(hits[0])
    return row, f"env {row}'s action {batch[row].tolist()} is outside {leaf}"
