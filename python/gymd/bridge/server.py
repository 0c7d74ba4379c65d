"""``BridgeServer``: a ROUTER socket answering the protocol with Gymnasium environments."""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass, field

import zmq

from ..curve import AllowlistAuthenticator, CurveSettings
from ..errors import (GymError, InternalError, InvalidArgumentError, MalformedError, NotOwnerError, NotSupportedError,
                      QuotaExceededError, UnknownHandleError, UnknownMessageError, UnsupportedVersionError)
from ..protocol import PROTOCOL_VERSION, gym_pb2
from ..spaces import space_to_wire
from ..tensors import from_tensor, to_tensor
from ..values import from_value_map, to_value
from ..wire_limits import ACTION, clip_message, echo
from .batch import GymnasiumBatch
from .catalog import EnvCatalog
from .connection_watch import ConnectionWatch
from .sharded_batch import ShardedBatch
from .worker import WorkerSettings
from .worker_pool import WorkerPool
from .validation import validate_request

log = logging.getLogger("gymd.serve")


@dataclass
class _Entry:
    owner: bytes
    env_id: str
    batch: GymnasiumBatch | ShardedBatch


@dataclass
class BridgeConfiguration:
    """What ``python -m gymd serve`` was told."""

    bind: str = "tcp://127.0.0.1:5555"
    max_envs_per_client: int = 4096
    max_message_bytes: int = 256 << 20
    idle_timeout: float = 600.0
    #: Seconds between ZMTP heartbeats to each client; one that answers none for three is
    #: disconnected and loses its environments. 0: no heartbeats.
    heartbeat: float = 10.0
    name: str = "gymd-bridge"
    #: CURVE key files (its secret, the clients' allowlist); None or no secret: plaintext.
    curve: CurveSettings | None = None
    #: Worker processes stepping the environments (0: in this process, one env at a time).
    workers: int = 0
    #: Seconds a worker may take to answer one request before it is restarted.
    worker_timeout: float = 60.0
    #: Modules the workers import first (``--import``), for environments registered on import.
    imports: tuple[str, ...] = ()


@dataclass
class _Counters:
    requests: int = 0
    errors: int = 0
    clients: set = field(default_factory=set)


class BridgeServer:
    """Serves the environments of ``catalog`` on one ROUTER socket.

    One thread answers requests in arrival order. Without workers it steps the environments
    itself; with ``workers`` it hands every batch to a ``WorkerPool`` (``ShardedBatch``), whose
    processes step their shards in parallel while this thread waits for them. Handles belong to the client that made them: with CURVE its public key (so
    a routing id a client chooses cannot make it another client, and a client reconnecting with
    the same key keeps its environments until the idle timeout), else its ZeroMQ identity. A client
    whose connection closes (or stops answering heartbeats) loses its environments at once; one
    whose connection stays open keeps them however long it is silent; ``idle_timeout`` applies
    where there is no connection to watch (CURVE keys, ``inproc://``); SIGINT/SIGTERM (via ``stop``) finish the
    request in hand, close every environment and return from ``run``.
    """

    def __init__(self, catalog: EnvCatalog, configuration: BridgeConfiguration | None = None,
                 context: zmq.Context | None = None):
        self.catalog = catalog
        self.configuration = configuration or BridgeConfiguration()
        self._context = context or zmq.Context.instance()
        self._socket: zmq.Socket | None = None
        self._entries: dict[int, _Entry] = {}
        self._next_handle = 1
        self._last_seen: dict[bytes, float] = {}
        self._watch: ConnectionWatch | None = None
        self._stopping = threading.Event()
        self._counters = _Counters()
        self._authenticator: AllowlistAuthenticator | None = None
        self.endpoint: str | None = None
        self._pool: WorkerPool | None = None
        if self.configuration.workers > 0:
            self._pool = WorkerPool(self.configuration.workers, WorkerSettings(
                env_ids=tuple(catalog.env_ids), renders=catalog.renders, wrappers=catalog.wrappers,
                imports=tuple(self.configuration.imports)), timeout=self.configuration.worker_timeout)

    def bind(self) -> str:
        """Binds the socket and returns the bound endpoint (a ``:*`` port resolved). With a CURVE
        secret the socket is a CURVE server in ZAP domain ``gym``, admitting the allowlist only."""
        keys = self.configuration.curve.server_keys() if self.configuration.curve else None
        socket = self._context.socket(zmq.ROUTER)
        try:
            socket.setsockopt(zmq.LINGER, 1000)
            socket.setsockopt(zmq.MAXMSGSIZE, self.configuration.max_message_bytes)
            heartbeat = self.configuration.heartbeat
            if 0 < heartbeat <= 3600:
                socket.setsockopt(zmq.HEARTBEAT_IVL, max(1, int(heartbeat * 1000)))
                socket.setsockopt(zmq.HEARTBEAT_TIMEOUT, max(3, int(3 * heartbeat * 1000)))
            if keys is not None:
                own, allowed = keys
                self._authenticator = AllowlistAuthenticator(self._context, allowed)
                self._authenticator.start()
                socket.zap_domain = b"gym"
                socket.curve_server = True
                socket.curve_secretkey = own.secret
                socket.curve_publickey = own.public
                log.info("CURVE on: server key %s, %d allowed client key(s)", own.fingerprint, len(allowed))
            socket.bind(self.configuration.bind)
        except BaseException:
            socket.close(linger=0)
            self._stop_authenticator()
            raise
        self._socket = socket
        self.endpoint = socket.getsockopt_string(zmq.LAST_ENDPOINT)
        if not self.endpoint.startswith("inproc://"):
            self._watch = ConnectionWatch(socket)
        return self.endpoint

    def _stop_authenticator(self) -> None:
        if self._authenticator is not None:
            self._authenticator.stop()
            self._authenticator = None

    def stop(self) -> None:
        """Asks ``run`` to return after the request in hand (safe from signal handlers and threads)."""
        self._stopping.set()

    def install_signal_handlers(self) -> None:
        """SIGINT and SIGTERM stop the server gracefully."""
        def handler(number, _frame):
            log.info("received signal %d: shutting down", number)
            self.stop()
        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def run(self) -> None:
        """Serves until ``stop``."""
        if self._socket is None:
            self.bind()
        socket = self._socket
        log.info("listening on %s; environments: %s", self.endpoint, ", ".join(self.catalog.ids))
        next_reclaim = time.monotonic() + 1.0
        poller = zmq.Poller()
        poller.register(socket, zmq.POLLIN)
        watch = self._watch
        if watch is not None:
            poller.register(watch.socket, zmq.POLLIN)
        try:
            while not self._stopping.is_set():
                ready = dict(poller.poll(200))
                if watch is not None and watch.socket in ready:
                    self.reclaim_disconnected(watch.drain())
                if socket in ready:
                    parts = socket.recv_multipart(copy=False)
                    frames = [part.bytes for part in parts]
                    owner = self._owner(parts[-1])
                    if watch is not None and owner is None:
                        self.reclaim_disconnected(watch.saw(frames[0], _source_descriptor(parts[-1])))
                    reply = self.handle(frames[0], frames[1:], owner)
                    try:
                        socket.send_multipart(reply, flags=zmq.NOBLOCK)
                    except zmq.Again:
                        log.debug("reply to %s dropped: the client is gone", frames[0].hex())
                now = time.monotonic()
                if now >= next_reclaim:
                    self.reclaim_idle(now)
                    next_reclaim = now + 1.0
        finally:
            self.close()
            if self._watch is not None:
                self._watch.close()
                self._watch = None
            socket.close()
            self._socket = None
            self._stop_authenticator()
            log.info("stopped after %d request(s), %d error reply(ies), %d client(s)",
                     self._counters.requests, self._counters.errors, len(self._counters.clients))

    def close(self) -> None:
        """Closes every environment and stops the worker processes."""
        for handle in list(self._entries):
            self._entries.pop(handle).batch.close()
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _owner(self, frame: zmq.Frame) -> bytes | None:
        """Who sent ``frame`` under CURVE: ZAP's User-Id, the client's Z85 public key."""
        if self._authenticator is None:
            return None
        try:
            return b"curve:" + frame.get("User-Id").encode()
        except zmq.ZMQError:
            # Every CURVE peer passed ZAP, which sets it; a frame without one has no owner to act for.
            return b"curve:unknown"

    def handle(self, identity: bytes, frames: list[bytes], owner: bytes | None = None) -> list[bytes]:
        """The reply frames (identity first) to one client's message: the protocol without the
        socket. ``owner`` is who the client is (its CURVE key), when it is not ``identity``."""
        reply_to, identity = identity, owner or identity
        self._counters.requests += 1
        self._counters.clients.add(identity)
        self._last_seen[identity] = time.monotonic()
        delimited = len(frames) == 2 and frames[0] == b""
        # A REQ client's empty delimiter frame is mirrored in the reply.
        prefix = [reply_to, b""] if frames and frames[0] == b"" else [reply_to]
        request_id = 0
        try:
            if len(frames) == 1:
                payload = frames[0]
            elif delimited:
                payload = frames[1]
            else:
                sizes = ", ".join(str(len(f)) for f in frames)
                raise MalformedError(f"expected one frame holding a Request (optionally after an empty delimiter), "
                                     f"got {len(frames)} frames of {sizes} bytes")
            if not payload:
                raise MalformedError("empty request frame")
            request = gym_pb2.Request()
            try:
                request.ParseFromString(payload)
            except Exception as error:  # noqa: BLE001 - any decode failure is a malformed request
                request_id = _salvage_id(payload)
                raise MalformedError(f"could not decode a Request from {len(payload)} bytes: {error}") from None
            request_id = request.id
            validate_request(request, self.configuration.max_envs_per_client)
            response = self._dispatch(identity, request)
        except GymError as error:
            response = self._failure(identity, request_id, error)
        except Exception as error:  # noqa: BLE001 - the server must answer and keep serving
            log.exception("request %d failed", request_id)
            response = self._failure(identity, request_id, InternalError(f"{type(error).__name__}: {error}"))
        try:
            return prefix + [response.SerializeToString()]
        except Exception as error:  # noqa: BLE001 - a reply that cannot be encoded is still answered
            log.exception("reply to request %d could not be encoded", request_id)
            failure = self._failure(identity, request_id, InternalError(f"the reply could not be encoded: {error}"))
            return prefix + [failure.SerializeToString()]

    def _failure(self, identity: bytes, request_id: int, error: GymError) -> gym_pb2.Response:
        self._counters.errors += 1
        message = clip_message(error.message)
        log.warning("client %s request %d rejected: %s: %s", _who(identity), request_id, type(error).__name__,
                    echo(message, 1000))
        wire = error.to_wire()
        wire.message = message
        return gym_pb2.Response(id=request_id, error=wire)

    def _dispatch(self, identity: bytes, request: gym_pb2.Request) -> gym_pb2.Response:
        kind = request.WhichOneof("body")
        reply = gym_pb2.Response(id=request.id)
        if kind == "hello":
            if request.hello.protocol_version != PROTOCOL_VERSION:
                raise UnsupportedVersionError(f"this daemon speaks protocol version {PROTOCOL_VERSION}, "
                                              f"the client asked for {request.hello.protocol_version}")
            reply.hello.CopyFrom(gym_pb2.HelloReply(
                protocol_version=PROTOCOL_VERSION, server_name=self.configuration.name,
                max_envs_per_client=self.configuration.max_envs_per_client,
                max_message_bytes=self.configuration.max_message_bytes))
        elif kind == "list_envs":
            reply.envs.specs.extend(self.catalog.specs.values())
        elif kind == "make":
            reply.make.CopyFrom(self._make(identity, request.make))
        elif kind == "reset":
            batch = self._owned(identity, request.reset.handle).batch
            observations, infos = batch.reset(seeds=list(request.reset.seeds), options=_options(request.reset.options))
            reply.reset.observations.extend(to_tensor(array) for array in observations)
            reply.reset.infos.extend(_wire_infos(infos))
        elif kind == "step":
            batch = self._owned(identity, request.step.handle).batch
            result = batch.step([from_tensor(tensor, copy=False, limits=ACTION, what=f"action {number}")
                                 for number, tensor in enumerate(request.step.actions)])
            step = reply.step
            step.observations.extend(to_tensor(array) for array in result.observations)
            step.rewards.CopyFrom(to_tensor(result.rewards))
            step.terminated = result.terminated.astype("u1").tobytes()
            step.truncated = result.truncated.astype("u1").tobytes()
            step.infos.extend(_wire_infos(result.infos))
            if result.final_indices:
                step.final.env_indices.extend(result.final_indices)
                step.final.observations.extend(to_tensor(array) for array in result.final_observations)
                step.final.infos.extend(_wire_infos(result.final_infos))
        elif kind == "render":
            entry = self._owned(identity, request.render.handle)
            if not self.catalog.specs[entry.env_id].render_width:
                raise NotSupportedError(f"{entry.env_id} cannot render here (is pygame installed for the bridge?)")
            reply.render.frame.CopyFrom(to_tensor(entry.batch.render(int(request.render.env_index))))
        elif kind == "close":
            self._owned(identity, request.close.handle)
            self._entries.pop(request.close.handle).batch.close()
            reply.close.SetInParent()
        else:
            raise UnknownMessageError(f"request {request.id} carries no message this daemon knows "
                                      f"(protocol version {PROTOCOL_VERSION})")
        return reply

    def _make(self, identity: bytes, make: gym_pb2.Make) -> gym_pb2.MakeReply:
        if make.env_id not in self.catalog.specs:
            # The catalog raises UNKNOWN_ENV with the list of what is served.
            self.catalog.make(make.env_id)
        count = int(make.num_envs)
        if count < 1:
            raise InvalidArgumentError(f"num_envs must be at least 1, got {count}")
        held = sum(entry.batch.count for entry in self._entries.values() if entry.owner == identity)
        if held + count > self.configuration.max_envs_per_client:
            raise QuotaExceededError(f"making {count} env(s) would give this client {held + count}, "
                                     f"over its quota of {self.configuration.max_envs_per_client}")
        if make.HasField("max_episode_steps") and make.max_episode_steps < 0:
            raise InvalidArgumentError(f"max_episode_steps must be 0 (no limit) or positive, got {make.max_episode_steps}")
        if make.autoreset not in gym_pb2.AutoresetMode.values():
            raise InvalidArgumentError(f"unknown autoreset mode {make.autoreset}")
        limit = make.max_episode_steps if make.HasField("max_episode_steps") else self.catalog.max_episode_steps(make.env_id)
        kwargs = self.catalog.checked_kwargs(make.env_id, from_value_map(make.kwargs))
        seed = make.seed if make.HasField("seed") else None
        if self._pool is not None:
            batch = ShardedBatch(self._pool, make.env_id, kwargs, count, seed=seed, max_episode_steps=limit,
                                 autoreset=make.autoreset)
        else:
            batch = GymnasiumBatch(lambda: self.catalog.make(make.env_id, kwargs), count, seed=seed,
                                   max_episode_steps=limit, autoreset=make.autoreset)
        handle = self._next_handle
        self._next_handle += 1
        self._entries[handle] = _Entry(identity, make.env_id, batch)
        spec = gym_pb2.EnvSpec()
        spec.CopyFrom(self.catalog.specs[make.env_id])
        if kwargs:
            # kwargs may change the spaces: report the ones this batch has.
            spec.observation_space.CopyFrom(space_to_wire(batch.observation_space))
            spec.action_space.CopyFrom(space_to_wire(batch.action_space))
        workers = f" on workers {batch.workers}" if self._pool is not None else ""
        log.info("client %s made %d x %s as handle %d%s", _who(identity), count, make.env_id, handle, workers)
        return gym_pb2.MakeReply(handle=handle, spec=spec, num_envs=count, autoreset=make.autoreset,
                                 max_episode_steps=batch.max_episode_steps or 0)

    def _owned(self, identity: bytes, handle: int) -> _Entry:
        entry = self._entries.get(handle)
        if entry is None:
            issued = 0 < handle < self._next_handle
            raise UnknownHandleError(f"handle {handle} was closed or reclaimed" if issued else f"no handle {handle}")
        if entry.owner != identity:
            raise NotOwnerError(f"handle {handle} belongs to another client")
        return entry

    def reclaim_idle(self, now: float) -> None:
        """Closes the environments of clients silent for longer than the idle timeout (and
        restarts the worker processes that died meanwhile)."""
        if self._pool is not None:
            self._pool.check()
        watch = self._watch
        idle = [client for client, seen in self._last_seen.items()
                if now - seen > self.configuration.idle_timeout and not (watch is not None and watch.is_connected(client))]
        for client in idle:
            del self._last_seen[client]
            handles = [h for h, entry in self._entries.items() if entry.owner == client]
            if handles:
                log.info("client %s idle for over %g s: closing its %d handle(s)",
                         _who(client), self.configuration.idle_timeout, len(handles))
            for handle in handles:
                self._entries.pop(handle).batch.close()


    def reclaim_disconnected(self, clients: list[bytes]) -> None:
        """Closes the environments of clients whose connection closed."""
        for client in clients:
            self._last_seen.pop(client, None)
            handles = [h for h, entry in self._entries.items() if entry.owner == client]
            if handles:
                log.info("client %s disconnected: closing its %d handle(s)", _who(client), len(handles))
            for handle in handles:
                self._entries.pop(handle).batch.close()


def _source_descriptor(frame: zmq.Frame) -> int:
    """The descriptor ``frame`` came on, -1 when libzmq does not say."""
    try:
        return int(frame.get(zmq.SRCFD))
    except (zmq.ZMQError, TypeError, ValueError):
        return -1


def _who(client: bytes) -> str:
    """A client as the log names it: its key's fingerprint under CURVE, else its routing id."""
    if client.startswith(b"curve:"):
        return "key " + client[6:14].decode("ascii", "replace")
    return client.hex()[:32]


def _salvage_id(payload: bytes) -> int:
    """The id of an undecodable request when it starts with field 1 (a varint of at most 64
    bits), else 0: an over-long varint used to make an id no reply could carry."""
    if not payload.startswith(b"\x08"):
        return 0
    value, shift = 0, 0
    for byte in payload[1:11]:
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value if value < 1 << 64 else 0
        shift += 7
    return 0


def _options(entries) -> dict:
    try:
        return from_value_map(entries)
    except GymError as error:
        raise InvalidArgumentError(f"bad reset option: {error.message}") from None


def _wire_infos(infos: dict[int, dict]) -> list[gym_pb2.EnvInfo]:
    """Infos as protocol maps; values the protocol cannot carry travel as their text."""
    wire = []
    for index, info in sorted(infos.items()):
        entry = gym_pb2.EnvInfo(env_index=index)
        for key, value in info.items():
            if value is None:
                continue
            try:
                entry.info[str(key)].CopyFrom(to_value(value))
            except TypeError:
                entry.info[str(key)].CopyFrom(gym_pb2.Value(text=repr(value)))
        wire.append(entry)
    return wire
