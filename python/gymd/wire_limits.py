"""The limits every server and client applies to what comes off the wire, before anything is
allocated from it: the Python mirror of ``Sources/GymProtocol/WireLimits.swift`` (protocol/README.md,
"Limits", documents each). Python integers do not overflow, but NumPy's do, and a shape whose
product is petabytes must be refused before an array is made: every check here is on Python ints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .errors import MalformedError
from .protocol import gym_pb2

#: Most dimensions a tensor may have.
MAX_TENSOR_RANK = 8
#: Deepest nesting of lists and maps in a ``Value`` (a scalar at top level is depth 1).
MAX_VALUE_DEPTH = 32
#: Longest ``Value`` text, in UTF-8 bytes.
MAX_TEXT_BYTES = 1 << 20
#: Longest key of a value map, in UTF-8 bytes.
MAX_KEY_BYTES = 1024
#: How much of a peer-chosen string an error reply or a log line repeats.
MAX_ECHOED_BYTES = 200
#: Longest error message a reply carries; longer ones are clipped.
MAX_ERROR_MESSAGE_BYTES = 4096

_ITEM_SIZES = {gym_pb2.DTYPE_FLOAT32: 4, gym_pb2.DTYPE_FLOAT64: 8, gym_pb2.DTYPE_INT64: 8, gym_pb2.DTYPE_INT32: 4,
               gym_pb2.DTYPE_INT8: 1, gym_pb2.DTYPE_UINT8: 1, gym_pb2.DTYPE_BOOL: 1}


@dataclass(frozen=True)
class TensorLimits:
    """Caps on one tensor read from the wire, by what the tensor is for."""

    max_bytes: int
    max_rank: int = MAX_TENSOR_RANK

    def checked_shape(self, shape, item_size: int, what: str = "tensor") -> tuple[tuple[int, ...], int]:
        """The shape as ints and the bytes it needs, after checking rank, every dimension and the
        byte count against these limits; ``MalformedError`` naming ``what`` otherwise."""
        if len(shape) > self.max_rank:
            raise MalformedError(f"{what} has rank {len(shape)}, more than {self.max_rank}")
        elements = 1
        for dim in shape:
            dim = int(dim)
            if dim < 0 or dim > self.max_bytes:
                raise MalformedError(f"{what} has dimension {dim} in shape {describe(shape)}; "
                                     f"dimensions are 0...{self.max_bytes}")
            elements *= dim
            if elements * item_size > self.max_bytes:
                raise MalformedError(f"{what} of shape {describe(shape)} would take more than {self.max_bytes} bytes")
        return tuple(int(d) for d in shape), elements * item_size

    def check(self, tensor: gym_pb2.Tensor, what: str = "tensor") -> tuple[int, tuple[int, ...]]:
        """Checks a wire tensor without copying its data; returns its dtype code and shape."""
        item_size = _ITEM_SIZES.get(tensor.dtype)
        if item_size is None:
            raise MalformedError(f"{what} has unknown dtype {tensor.dtype}")
        shape, size = self.checked_shape(tensor.shape, item_size, what)
        if size != len(tensor.data):
            raise MalformedError(f"{what} of shape {describe(tensor.shape)} and dtype {gym_pb2.DType.Name(tensor.dtype)} "
                                 f"needs {size} bytes, has {len(tensor.data)}")
        return tensor.dtype, shape


#: A step's actions, one tensor per action leaf for the whole batch.
ACTION = TensorLimits(max_bytes=64 << 20)
#: A tensor inside a ``Value`` (kwargs, reset options, infos, settings).
VALUE = TensorLimits(max_bytes=16 << 20)
#: Observations, frames and rewards a client reads from a daemon's reply.
OBSERVATION = TensorLimits(max_bytes=1 << 30)
#: A column of a buffer insert, sample or checkpoint.
BUFFER_COLUMN = TensorLimits(max_bytes=1 << 30)
#: Bounds of a Box space.
SPACE_BOUND = TensorLimits(max_bytes=16 << 20)


def check_value(value: gym_pb2.Value, depth: int = 1, what: str = "value") -> None:
    """Checks a ``Value``: nesting at most ``MAX_VALUE_DEPTH``, texts and keys within their
    limits, tensors within ``VALUE``, a kind set. Iterative, so no input can exhaust the stack."""
    pending = [(value, depth)]
    while pending:
        item, level = pending.pop()
        if level > MAX_VALUE_DEPTH:
            raise MalformedError(f"{what} nested deeper than {MAX_VALUE_DEPTH} levels")
        kind = item.WhichOneof("kind")
        if kind is None:
            raise MalformedError(f"{what} with no kind set")
        if kind == "text":
            size = len(item.text.encode("utf-8", "surrogatepass"))
            if size > MAX_TEXT_BYTES:
                raise MalformedError(f"text {what} of {size} bytes, more than {MAX_TEXT_BYTES}")
        elif kind == "tensor":
            VALUE.check(item.tensor, f"tensor {what}")
        elif kind == "list":
            pending.extend((child, level + 1) for child in item.list.values)
        elif kind == "map":
            _check_keys(item.map.entries, what)
            pending.extend((child, level + 1) for child in item.map.entries.values())


def check_value_map(entries: Mapping[str, gym_pb2.Value], what: str = "value") -> None:
    """Checks every key and value of a protocol value map (kwargs, options)."""
    _check_keys(entries, what)
    for child in entries.values():
        check_value(child, 1, what)


def _check_keys(entries, what: str) -> None:
    for key in entries:
        if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
            raise MalformedError(f"{what} map key {echo(key)!r} is longer than {MAX_KEY_BYTES} bytes")


def echo(text: str, max_bytes: int = MAX_ECHOED_BYTES) -> str:
    """A peer-chosen string as a message may repeat it: at most ``max_bytes`` UTF-8 bytes, cut
    at a character boundary, noting how much was left out."""
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= max_bytes:
        return text
    kept = encoded[:max_bytes].decode("utf-8", "ignore")
    return f"{kept}… ({len(encoded) - len(kept.encode('utf-8'))} more bytes)"


def clip_message(message: str) -> str:
    """An error message clipped to ``MAX_ERROR_MESSAGE_BYTES``."""
    return echo(message, MAX_ERROR_MESSAGE_BYTES)


def describe(shape) -> str:
    """A shape for a message: at most its first 8 dimensions."""
    dims = [int(d) for d in list(shape)[:8]]
    return str(dims) if len(shape) <= 8 else f"{dims} and {len(shape) - 8} more"
