"""One client's DEALER connection to a daemon: correlation ids, pipelining and a timeout on every call."""

from __future__ import annotations

import itertools
import os
import time

import zmq

from .curve import CurveSettings
from .errors import GymTimeoutError, MalformedError, error_from_wire
from .protocol import PROTOCOL_VERSION, gym_pb2

DEFAULT_TIMEOUT = 10.0

#: The roles a client can give in its hello, by name.
ROLES = {
    "train": gym_pb2.CLIENT_ROLE_TRAIN,
    "validate": gym_pb2.CLIENT_ROLE_VALIDATE,
    "eval": gym_pb2.CLIENT_ROLE_EVAL,
    "worker": gym_pb2.CLIENT_ROLE_WORKER,
}


def client_description(run: str | None = None, algorithm: str | None = None,
                       role: str | None = None) -> gym_pb2.ClientDescription | None:
    """The hello's description of a client (who is stepping), or None when nothing is given.

    Unset values come from ``$GYMD_RUN``, ``$GYMD_ALGORITHM`` and ``$GYMD_ROLE``, so a script
    that makes its environments through ``gymnasium.make("gymd/...")`` can be named from outside.
    """
    run = run if run is not None else os.environ.get("GYMD_RUN")
    algorithm = algorithm if algorithm is not None else os.environ.get("GYMD_ALGORITHM")
    role = role if role is not None else os.environ.get("GYMD_ROLE")
    if run is None and algorithm is None and role is None:
        return None
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    return gym_pb2.ClientDescription(run=run or "", algorithm=algorithm or "",
                                     role=ROLES[role] if role is not None else gym_pb2.CLIENT_ROLE_UNSPECIFIED)


class Connection:
    """A DEALER socket to a daemon (``gym serve`` or ``python -m gymd serve``).

    Every call waits at most ``timeout`` seconds and then raises ``GymTimeoutError`` instead of
    hanging; error replies raise the ``GymError`` subclass of their code. The handshake runs
    on construction, so a daemon speaking another protocol version fails at once.
    Use a connection from one thread at a time.

    With a server key (``server_key=``, ``GYM_SERVER_KEY`` or the config file; see
    ``gymd.curve``) the connection is CurveZMQ, authenticated with this client's secret file
    (``curve_secret=``, ...) and encrypted; a server that refuses the key, or a wrong server key,
    gives no reply, so the handshake fails with ``GymTimeoutError`` within ``timeout``.
    """

    def __init__(self, endpoint: str, timeout: float = DEFAULT_TIMEOUT, client_name: str = "gymd-python",
                 context: zmq.Context | None = None, request_type: type = gym_pb2.Request,
                 response_type: type = gym_pb2.Response, curve_secret: str | None = None,
                 server_key: str | None = None, run: str | None = None, algorithm: str | None = None,
                 role: str | None = None):
        """``request_type``/``response_type`` select the service (the daemon's by default; the
        buffer service's ``BufferRequest``/``BufferResponse`` share the framing and handshake).
        ``curve_secret``/``server_key`` are key files (``gym keygen``), overriding the defaults.
        ``run``, ``algorithm`` and ``role`` (train, validate, eval, worker) tell the daemon who is
        stepping; it records them with every episode (see ``client_description``)."""
        self.endpoint = endpoint
        self.client_name = client_name
        #: What this client said of itself in its hello (``ClientDescription``), or None.
        self.description = client_description(run, algorithm, role) if request_type is gym_pb2.Request else None
        self._request_type = request_type
        self._response_type = response_type
        self.timeout = float(timeout)
        self._ids = itertools.count(1)
        self._outstanding: set[int] = set()
        self._early: dict[int, gym_pb2.Response] = {}
        self._socket = (context or zmq.Context.instance()).socket(zmq.DEALER)
        # A closed connection must not keep the process alive with unsent requests.
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.RECONNECT_IVL, 50)
        self._socket.setsockopt(zmq.SNDTIMEO, max(1, int(self.timeout * 1000)))
        try:
            #: This client's CURVE keys, or None for a plaintext connection.
            self.curve = CurveSettings.resolve(curve_secret=curve_secret, server_key=server_key).apply_to_client(self._socket)
            self._socket.connect(endpoint)
        except BaseException:
            self._socket.close(linger=0)
            raise
        try:
            hello = self.call(hello=gym_pb2.Hello(protocol_version=PROTOCOL_VERSION, client_name=client_name,
                                                  description=self.description))
        except BaseException:
            self.close()
            raise
        #: What the daemon said in the handshake (``HelloReply``).
        self.server = hello.hello

    def describe(self, run: str | None = None, algorithm: str | None = None, role: str | None = None) -> None:
        """Sends another hello with a new description: batches made from now on carry it."""
        description = client_description(run, algorithm, role)
        self.call(hello=gym_pb2.Hello(protocol_version=PROTOCOL_VERSION, client_name=self.client_name, description=description))
        self.description = description

    def send(self, **body) -> int:
        """Sends a request (one ``Request`` body field, e.g. ``step=Step(...)``) and returns its id."""
        request_id = next(self._ids)
        request = self._request_type(id=request_id, **body)
        try:
            self._socket.send(request.SerializeToString(), copy=False)
        except zmq.Again:
            raise GymTimeoutError(f"could not send to {self.endpoint} within {self.timeout} s", request_id) from None
        self._outstanding.add(request_id)
        return request_id

    def receive(self, request_id: int) -> gym_pb2.Response:
        """Waits for the reply to ``request_id``; an error reply raises its ``GymError``."""
        try:
            if request_id in self._early:
                return self._checked(self._early.pop(request_id))
            deadline = time.monotonic() + self.timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self._socket.poll(max(1, int(left * 1000)), zmq.POLLIN):
                    hint = (f" (CURVE as {self.curve.fingerprint}: is this key in the server's allowlist, and is the "
                            f"server key the server's?)" if self.curve is not None else "")
                    raise GymTimeoutError(
                        f"no reply from {self.endpoint} to request {request_id} within {self.timeout} s{hint}", request_id)
                frames = self._socket.recv_multipart(copy=True)
                response = self._response_type()
                try:
                    response.ParseFromString(frames[-1])
                except Exception:
                    # A reply that is not a Response cannot be matched to a request; skip it.
                    continue
                if response.id == request_id:
                    return self._checked(response)
                if response.id in self._outstanding:
                    self._early[response.id] = response
        finally:
            self._outstanding.discard(request_id)

    def call(self, **body) -> gym_pb2.Response:
        """Sends one request and waits for its reply."""
        return self.receive(self.send(**body))

    @staticmethod
    def _checked(response):
        if response.HasField("error") and response.error.code != gym_pb2.ERROR_CODE_UNSPECIFIED:
            raise error_from_wire(response.error, response.id)
        if response.WhichOneof("body") is None:
            raise MalformedError(f"reply {response.id} has neither an error nor a body", response.id)
        return response

    def list_envs(self) -> list[gym_pb2.EnvSpec]:
        """Every environment the daemon can make, as protocol ``EnvSpec``s."""
        return list(self.call(list_envs=gym_pb2.ListEnvs()).envs.specs)

    def close(self) -> None:
        """Closes the socket (idempotent). Handles made on it are reclaimed by the daemon's idle timeout."""
        if not self._socket.closed:
            self._socket.close(linger=0)

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._socket.closed

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Connection({self.endpoint!r}, timeout={self.timeout})"
