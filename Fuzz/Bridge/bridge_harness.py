"""The bridge's request handler without a socket, one fuzz input at a time (issue 13, items 1
and 6): every input gets exactly one reply frame that decodes as a ``Response``, with the id of
the request (or 0), and an input error is never INTERNAL. ``fuzz_bridge.py`` drives it with
atheris; ``python/tests/test_bridge_fuzz_corpus.py`` replays the committed corpus through it."""

from __future__ import annotations

from gymd.bridge import BridgeServer, EnvCatalog
from gymd.bridge.server import BridgeConfiguration
from gymd.protocol import gym_pb2

#: The environments the harness serves: a Box observation, a Discrete one, reset options that
#: loop on absurd bounds, and a Tuple observation with registered kwargs.
ENVS = ["CartPole-v1", "FrozenLake-v1", "Acrobot-v1", "Blackjack-v1"]
CLIENT = b"\x00fuzz"

_server: BridgeServer | None = None


def server() -> BridgeServer:
    """One bridge for the process (its catalog is slow to build)."""
    global _server
    if _server is None:
        _server = BridgeServer(EnvCatalog(ENVS), BridgeConfiguration(max_envs_per_client=16))
    return _server


def _fresh(bridge: BridgeServer) -> None:
    """Closes every batch and makes handle 1 again: two reset CartPoles, so inputs can step them."""
    for handle in list(bridge._entries):
        bridge._entries.pop(handle).batch.close()
    bridge._next_handle = 1
    for request in (gym_pb2.Request(id=1, make=gym_pb2.Make(env_id="CartPole-v1", num_envs=2, seed=0)),
                    gym_pb2.Request(id=2, reset=gym_pb2.Reset(handle=1))):
        bridge.handle(CLIENT, [request.SerializeToString()])


def run_input(data: bytes) -> None:
    """Handles ``data`` as one request frame; raises ``AssertionError`` for a reply that breaks the protocol."""
    bridge = server()
    _fresh(bridge)
    frames = bridge.handle(CLIENT, [bytes(data)])
    # An empty frame reads as a REQ client's delimiter, which the reply mirrors.
    assert frames[:-1] == ([CLIENT, b""] if not data else [CLIENT]), f"reply frames {[len(f) for f in frames]}"
    reply = gym_pb2.Response.FromString(frames[-1])
    if reply.HasField("error"):
        assert reply.error.code != gym_pb2.ERROR_CODE_INTERNAL, f"INTERNAL for an input: {reply.error.message}"
        assert len(reply.error.message.encode()) <= 4096 + 64, "an unclipped error message"
    else:
        assert reply.WhichOneof("body") is not None, "a reply with neither error nor body"
