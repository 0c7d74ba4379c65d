"""The project's wire protocol (generated from protocol/gym/v1/*.proto by python/generate.sh)."""

from .gym.v1 import buffer_pb2, events_pb2, gym_pb2, parameters_pb2

#: The protocol version this package speaks (the ``v1`` of ``gym.v1``).
PROTOCOL_VERSION = 1

__all__ = ["buffer_pb2", "events_pb2", "gym_pb2", "parameters_pb2", "PROTOCOL_VERSION"]
