"""``ConnectionWatch``: which clients' connections closed, from libzmq's socket monitor.

The monitor reports a closed connection by its file descriptor, and each received frame says
which descriptor it came on (``SRCFD``); this keeps the map between the two, as the Swift
daemon does. A descriptor is reused only after its connection closed, so a new client seen on
a mapped descriptor means the old one is gone even before its event arrives; and the events
already queued when a client first shows up on a descriptor are read first, so a closed port
probe's event is not taken for the new client's. Every table is bounded by the descriptors
open at once, plus a bounded memory of clients found gone.
"""

from __future__ import annotations

from collections import OrderedDict

import zmq
from zmq.utils.monitor import parse_monitor_message

#: Clients found gone that are remembered, so their late messages do not map them again.
REMEMBERED_GONE = 4096


class ConnectionWatch:
    """Watches ``router``'s connections; ``saw``/``drain`` return the clients found gone."""

    def __init__(self, router: zmq.Socket):
        self.socket: zmq.Socket = router.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        self._router = router
        self._client_on: dict[int, bytes] = {}
        self._descriptor_of: dict[bytes, int] = {}
        self._pending: dict[int, int] = {}
        self._gone: OrderedDict[bytes, None] = OrderedDict()

    def saw(self, client: bytes, descriptor: int) -> list[bytes]:
        """Notes that a message from ``client`` came on ``descriptor``; returns the clients found gone."""
        if descriptor < 0 or client in self._gone or self._client_on.get(descriptor) == client:
            return []
        gone = self.drain()
        if client in self._gone:
            return gone
        previous = self._client_on.get(descriptor)
        old = self._descriptor_of.get(client)
        if old is not None and old != descriptor and self._client_on.get(old) == client:
            del self._client_on[old]
        self._client_on[descriptor] = client
        self._descriptor_of[client] = descriptor
        if previous is not None:
            self._pending[descriptor] = self._pending.get(descriptor, 0) + 1
            self._mark_gone(previous)
            gone.append(previous)
        return gone

    def drain(self) -> list[bytes]:
        """Reads every waiting event; returns the clients whose connection closed."""
        gone = []
        while True:
            try:
                frames = self.socket.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return gone
            try:
                event = parse_monitor_message(frames)
            except Exception:  # noqa: BLE001 - a malformed event is libzmq's bug; skip it
                continue
            if event["event"] != zmq.EVENT_DISCONNECTED:
                continue
            descriptor = int(event["value"])
            pending = self._pending.get(descriptor)
            if pending is not None:
                if pending > 1:
                    self._pending[descriptor] = pending - 1
                else:
                    del self._pending[descriptor]
                continue
            client = self._client_on.pop(descriptor, None)
            if client is not None:
                self._mark_gone(client)
                gone.append(client)

    def is_connected(self, client: bytes) -> bool:
        """Whether ``client`` was last seen on a connection that has not closed."""
        descriptor = self._descriptor_of.get(client)
        return descriptor is not None and self._client_on.get(descriptor) == client

    def close(self) -> None:
        """Stops monitoring and closes the event socket."""
        try:
            self._router.disable_monitor()
        except zmq.ZMQError:
            pass
        self.socket.close(linger=0)

    def _mark_gone(self, client: bytes) -> None:
        descriptor = self._descriptor_of.pop(client, None)
        if descriptor is not None and self._client_on.get(descriptor) == client:
            del self._client_on[descriptor]
        self._gone[client] = None
        self._gone.move_to_end(client)
        while len(self._gone) > REMEMBERED_GONE:
            self._gone.popitem(last=False)
