"""NumPy arrays to and from the protocol's ``Tensor``: dtype, shape and raw little-endian bytes."""

from __future__ import annotations

import numpy as np

from .errors import MalformedError
from .protocol import gym_pb2
from .wire_limits import OBSERVATION, TensorLimits

_TO_NUMPY = {
    gym_pb2.DTYPE_FLOAT32: np.dtype("<f4"),
    gym_pb2.DTYPE_FLOAT64: np.dtype("<f8"),
    gym_pb2.DTYPE_INT64: np.dtype("<i8"),
    gym_pb2.DTYPE_INT32: np.dtype("<i4"),
    gym_pb2.DTYPE_INT8: np.dtype("i1"),
    gym_pb2.DTYPE_UINT8: np.dtype("u1"),
    gym_pb2.DTYPE_BOOL: np.dtype("?"),
}
_FROM_NUMPY = {dtype.newbyteorder("="): code for code, dtype in _TO_NUMPY.items()}


def numpy_dtype(code: int) -> np.dtype:
    """The NumPy dtype of a wire ``DType``."""
    try:
        return _TO_NUMPY[code]
    except KeyError:
        raise MalformedError(f"unknown tensor dtype {code}") from None


def wire_dtype(dtype: np.dtype | type) -> int:
    """The wire ``DType`` of a NumPy dtype, or a ValueError naming the supported ones."""
    dtype = np.dtype(dtype)
    code = _FROM_NUMPY.get(dtype.newbyteorder("="))
    if code is None:
        supported = ", ".join(str(d) for d in _FROM_NUMPY)
        raise ValueError(f"dtype {dtype} cannot travel on the wire (supported: {supported})")
    return code


def to_tensor(array: np.ndarray, dtype: np.dtype | None = None) -> gym_pb2.Tensor:
    """Encodes an array, converting it to ``dtype`` first when given."""
    array = np.asarray(array)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    code = wire_dtype(array.dtype)
    little = array.astype(_TO_NUMPY[code], copy=False)
    return gym_pb2.Tensor(dtype=code, shape=array.shape, data=np.ascontiguousarray(little).tobytes())


def from_tensor(tensor: gym_pb2.Tensor, copy: bool = True, limits: TensorLimits = OBSERVATION,
                what: str = "tensor") -> np.ndarray:
    """Decodes a tensor after checking it against ``limits`` (rank, dimensions, dtype × shape ==
    byte count, without overflow); anything else is ``MalformedError``."""
    dtype = numpy_dtype(tensor.dtype)
    _, shape = limits.check(tensor, what)
    array = np.frombuffer(tensor.data, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True) if copy else array

