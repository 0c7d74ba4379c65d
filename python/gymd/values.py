"""Python values to and from the protocol's loosely typed ``Value`` (kwargs, options, infos)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .protocol import gym_pb2
from .tensors import from_tensor, to_tensor
from .wire_limits import MAX_KEY_BYTES, VALUE, check_value, check_value_map


def to_value(value: Any) -> gym_pb2.Value:
    """Encodes None-free scalars, strings, arrays, sequences and string-keyed mappings.

    Anything else raises a ``TypeError`` naming its type: such a value cannot cross the wire.
    """
    if isinstance(value, (bool, np.bool_)):
        return gym_pb2.Value(flag=bool(value))
    if isinstance(value, (int, np.integer)):
        return gym_pb2.Value(integer=int(value))
    if isinstance(value, (float, np.floating)):
        return gym_pb2.Value(number=float(value))
    if isinstance(value, str):
        return gym_pb2.Value(text=value)
    if isinstance(value, np.ndarray):
        return gym_pb2.Value(tensor=to_tensor(value))
    if isinstance(value, Mapping):
        return gym_pb2.Value(map=gym_pb2.ValueMap(entries=to_value_map(value)))
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return gym_pb2.Value(list=gym_pb2.ValueList(values=[to_value(item) for item in value]))
    raise TypeError(f"a {type(value).__name__} cannot be sent as a protocol Value")


def to_value_map(mapping: Mapping[str, Any]) -> dict[str, gym_pb2.Value]:
    """Encodes a mapping with string keys (the form of kwargs, options and infos)."""
    entries = {}
    for key, item in mapping.items():
        if not isinstance(key, str):
            raise TypeError(f"keys must be strings, got {key!r}")
        entries[key] = to_value(item)
    return entries


def from_value(value: gym_pb2.Value) -> Any:
    """Decodes a value (numbers, ints, strings, bools, NumPy arrays, lists and dicts) after
    checking it against the wire limits (depth, text and key sizes, tensors)."""
    check_value(value)
    return _decoded(value)


def _decoded(value: gym_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "number":
        return value.number
    if kind == "integer":
        return value.integer
    if kind == "text":
        return value.text
    if kind == "flag":
        return value.flag
    if kind == "tensor":
        return from_tensor(value.tensor, limits=VALUE, what="tensor value")
    if kind == "list":
        return [_decoded(item) for item in value.list.values]
    if kind == "map":
        return _decoded_map(value.map.entries)
    return None


def from_value_map(entries: Mapping[str, gym_pb2.Value]) -> dict[str, Any]:
    """Decodes a protobuf map of values into a dict (keys sorted, so equal maps compare equal),
    checked as ``from_value`` checks."""
    scalars = _scalar_map(entries)
    if scalars is not None:
        return scalars
    check_value_map(entries)
    return _decoded_map(entries)


#: Keys of at most this many characters are within ``MAX_KEY_BYTES`` whatever they hold (UTF-8
#: takes at most 4 bytes a character, a lone surrogate 3).
_SHORT_KEY = MAX_KEY_BYTES // 4


def _scalar_map(entries: Mapping[str, gym_pb2.Value]) -> dict[str, Any] | None:
    """The common map of a step's info, short keys and numbers, integers or flags only, decoded
    in one pass (what ``check_value_map`` then ``_decoded_map`` would return); None for any other map."""
    decoded = {}
    for key, value in entries.items():
        # One set field, the oneof's (ListFields is the quickest way upb offers to read it).
        fields = value.ListFields()
        if len(fields) != 1 or len(key) > _SHORT_KEY or fields[0][0].name not in _SCALAR_KINDS:
            return None
        decoded[key] = fields[0][1]
    return {key: decoded[key] for key in sorted(decoded)}


_SCALAR_KINDS = frozenset(("number", "integer", "flag"))


def _decoded_map(entries: Mapping[str, gym_pb2.Value]) -> dict[str, Any]:
    return {key: _decoded(entries[key]) for key in sorted(entries)}
