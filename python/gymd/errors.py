"""Typed errors: one exception class per protocol error code, plus a client-side timeout."""

from __future__ import annotations

from .protocol import gym_pb2


class GymError(Exception):
    """A failed call: ``code`` is the protocol's ``ErrorCode`` name without its prefix."""

    code = "INTERNAL"

    def __init__(self, message: str, request_id: int = 0):
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def to_wire(self) -> gym_pb2.Error:
        """The protocol's ``Error`` for this exception (used by servers)."""
        return gym_pb2.Error(code=gym_pb2.ErrorCode.Value("ERROR_CODE_" + self.code), message=self.message)


class MalformedError(GymError):
    """Unreadable bytes, wrong frames, a tensor whose size does not match its shape."""

    code = "MALFORMED"


class UnsupportedVersionError(GymError):
    """The daemon does not speak this client's protocol version."""

    code = "UNSUPPORTED_VERSION"


class UnknownEnvError(GymError):
    """The environment id is not registered on the daemon."""

    code = "UNKNOWN_ENV"


class UnknownHandleError(GymError):
    """No such handle, or it was closed or reclaimed for idleness."""

    code = "UNKNOWN_HANDLE"


class NotOwnerError(GymError):
    """The handle belongs to another client."""

    code = "NOT_OWNER"


class InvalidActionError(GymError):
    """Wrong number, dtype, shape or range of actions."""

    code = "INVALID_ACTION"


class QuotaExceededError(GymError):
    """The client would hold more environments than the daemon allows."""

    code = "QUOTA_EXCEEDED"


class InternalError(GymError):
    """An environment failed or the daemon has a bug; the daemon goes on serving."""

    code = "INTERNAL"


class InvalidArgumentError(GymError, ValueError):
    """Bad num_envs, seeds, kwargs, options or env index."""

    code = "INVALID_ARGUMENT"


class UnknownMessageError(GymError):
    """The daemon does not know this request kind (it speaks an older protocol)."""

    code = "UNKNOWN_MESSAGE"


class ResetNeededError(GymError):
    """Step before the first reset, or after an episode ended with autoreset disabled."""

    code = "RESET_NEEDED"


class NotSupportedError(GymError):
    """The environment cannot do this, e.g. render without a renderer."""

    code = "NOT_SUPPORTED"


class ShuttingDownError(GymError):
    """The daemon is stopping."""

    code = "SHUTTING_DOWN"


class UnknownTableError(GymError, KeyError):
    """Buffer service: no table of that name."""

    code = "UNKNOWN_TABLE"

    def __str__(self) -> str:
        return GymError.__str__(self)


class DeadlineExceededError(GymError, TimeoutError):
    """A call waited its whole timeout on the service, e.g. a sample held back by a rate limiter."""

    code = "DEADLINE_EXCEEDED"


class GymTimeoutError(GymError, TimeoutError):
    """No reply within the call's timeout: the daemon is gone, stuck or unreachable."""

    code = "TIMED_OUT"

    def to_wire(self) -> gym_pb2.Error:
        return gym_pb2.Error(code=gym_pb2.ERROR_CODE_INTERNAL, message=self.message)


_BY_CODE = {cls.code: cls for cls in GymError.__subclasses__() if cls is not GymTimeoutError}


def error_from_wire(error: gym_pb2.Error, request_id: int = 0) -> GymError:
    """The exception for an error reply; unknown (newer) codes become a plain ``GymError``."""
    name = gym_pb2.ErrorCode.Name(error.code) if error.code in gym_pb2.ErrorCode.values() else ""
    cls = _BY_CODE.get(name.removeprefix("ERROR_CODE_"))
    if cls is None:
        unknown = GymError(error.message, request_id)
        unknown.code = name.removeprefix("ERROR_CODE_") or f"CODE_{error.code}"
        return unknown
    return cls(error.message, request_id)
