"""Python client for the gym daemon: Gymnasium environments served over ZeroMQ.

``RemoteEnv`` and ``RemoteVectorEnv`` are Gymnasium environments backed by a daemon;
``python -m gymd serve --env ID`` serves any installed Gymnasium environment to the daemon's
clients. Importing the package registers ``gymd/<id>`` for the daemon's built-in environments.
"""

from .buffer_client import BufferClient, SampledBatch
from .connection import Connection
from .double_buffered import DoubleBufferedVectorEnv
from .errors import (
    DeadlineExceededError,
    GymError,
    GymTimeoutError,
    InternalError,
    InvalidActionError,
    InvalidArgumentError,
    MalformedError,
    NotOwnerError,
    NotSupportedError,
    QuotaExceededError,
    ResetNeededError,
    ShuttingDownError,
    UnknownEnvError,
    UnknownHandleError,
    UnknownMessageError,
    UnknownTableError,
    UnsupportedVersionError,
)
from .protocol import PROTOCOL_VERSION
from .registration import register_env, register_envs
from .remote_batch import RemoteBatch
from .remote_env import RemoteEnv
from .remote_vector_env import RemoteVectorEnv

__version__ = "0.1.0"

register_envs()

__all__ = [
    "BufferClient", "SampledBatch", "Connection", "DoubleBufferedVectorEnv", "RemoteBatch", "RemoteEnv", "RemoteVectorEnv", "register_env", "register_envs", "PROTOCOL_VERSION",
    "GymError", "GymTimeoutError", "InternalError", "InvalidActionError", "InvalidArgumentError", "MalformedError",
    "NotOwnerError", "NotSupportedError", "QuotaExceededError", "ResetNeededError", "ShuttingDownError",
    "UnknownEnvError", "UnknownHandleError", "UnknownMessageError", "UnsupportedVersionError",
    "UnknownTableError", "DeadlineExceededError",
]
