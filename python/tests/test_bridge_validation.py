"""What the bridge accepts from a client: only the environments it was started with, kwargs the
environment was registered with, and requests within the wire limits. Driven through
``BridgeServer.handle``, the protocol without the socket."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from gymd.bridge import BridgeServer, EnvCatalog
from gymd.bridge.server import BridgeConfiguration
from gymd.protocol import gym_pb2
from gymd.tensors import to_tensor
from gymd.values import to_value_map
from gymd.wire_limits import MAX_ERROR_MESSAGE_BYTES, MAX_VALUE_DEPTH

IDENTITY = b"client-a"


@pytest.fixture(scope="module", params=[0, 2], ids=["in-process", "workers"])
def server(request) -> BridgeServer:
    """The bridge in each mode: stepping in this process, or over 2 worker processes."""
    bridge = BridgeServer(EnvCatalog(["CartPole-v1", "FrozenLake-v1", "Acrobot-v1"]),
                          BridgeConfiguration(workers=request.param))
    yield bridge
    bridge.close()


def call(server: BridgeServer, payload: bytes | gym_pb2.Request) -> gym_pb2.Response:
    raw = payload if isinstance(payload, bytes) else payload.SerializeToString()
    frames = server.handle(IDENTITY, [raw])
    assert frames[0] == IDENTITY and len(frames) == 2
    return gym_pb2.Response.FromString(frames[1])


def code(response: gym_pb2.Response) -> str:
    """The reply's error code, or "" for a success."""
    return gym_pb2.ErrorCode.Name(response.error.code) if response.HasField("error") else ""


def make(server, env_id: str, **kwargs) -> gym_pb2.Response:
    return call(server, gym_pb2.Request(id=1, make=gym_pb2.Make(env_id=env_id, num_envs=1, kwargs=to_value_map(kwargs))))


def test_only_the_served_ids_are_made_and_no_module_is_imported(server, tmp_path, monkeypatch):
    # A module that would leave a mark if anything imported it.
    marker = tmp_path / "imported"
    (tmp_path / "gymd_probe_module.py").write_text(f"open({str(marker)!r}, 'w').close()\nclass Env: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for env_id in ["LunarLander-v3", "Taxi-v3", "gymd_probe_module:Env-v0", "gymd_probe_module:Env",
                   "this:Env-v0", "CartPole-v0", "cartpole-v1", "CartPole-v1 "]:
        reply = make(server, env_id)
        assert code(reply) == "ERROR_CODE_UNKNOWN_ENV", env_id
        assert "CartPole-v1" in reply.error.message
    # A kwarg naming an entry point is refused as well.
    assert code(make(server, "CartPole-v1", entry_point="gymd_probe_module:Env")) == "ERROR_CODE_INVALID_ARGUMENT"
    assert not marker.exists() and "gymd_probe_module" not in sys.modules and "this" not in sys.modules
    assert not code(make(server, "CartPole-v1"))


def test_kwargs_are_the_registered_ones_with_their_types(server):
    assert not code(make(server, "FrozenLake-v1", map_name="8x8"))
    # is_slippery is a constructor switch the bridge also takes (CONSTRUCTOR_SWITCHES), as a bool only.
    assert not code(make(server, "FrozenLake-v1", is_slippery=False))
    for kwargs in [{"map_name": 8}, {"map_name": True}, {"desc": ["SF", "HG"]}, {"is_slippery": "no"}, {"is_slippery": 0},
                   {"success_rate": 1.0}, {"entry_point": "os:system"}, {"max_episode_steps": 5}, {"disable_env_checker": False}]:
        reply = make(server, "FrozenLake-v1", **kwargs)
        assert code(reply) == "ERROR_CODE_INVALID_ARGUMENT", kwargs
    reply = make(server, "CartPole-v1", sutton_barto_reward=True)
    assert code(reply) == "ERROR_CODE_INVALID_ARGUMENT" and "takes no kwarg" in reply.error.message


def test_render_mode_is_limited_to_what_the_bridge_serves(server):
    for mode in ["human", "rgb_array_list", "ansi", "depth_array", 1, ["rgb_array"], np.zeros(2)]:
        reply = make(server, "CartPole-v1", render_mode=mode)
        assert code(reply) == "ERROR_CODE_INVALID_ARGUMENT", repr(mode)
    if server.catalog.specs["CartPole-v1"].render_width:
        assert not code(make(server, "CartPole-v1", render_mode="rgb_array"))


def test_absurd_reset_options_are_refused_before_the_environment_sees_them(server):
    handle = make(server, "Acrobot-v1").make.handle
    for options in [{"low": 1e20, "high": 1e20}, {"low": float("nan")}, {"high": float("inf")}, {"low": -(10 ** 15)}]:
        reply = call(server, gym_pb2.Request(id=2, reset=gym_pb2.Reset(handle=handle, options=to_value_map(options))))
        assert code(reply) == "ERROR_CODE_INVALID_ARGUMENT", options
    reply = call(server, gym_pb2.Request(id=3, reset=gym_pb2.Reset(handle=handle, seeds=[0], options=to_value_map({"low": -0.1, "high": 0.1}))))
    assert not code(reply)
    reply = call(server, gym_pb2.Request(id=4, reset=gym_pb2.Reset(handle=handle, seeds=list(range(5000)))))
    assert code(reply) == "ERROR_CODE_INVALID_ARGUMENT"


def test_tensors_outside_the_wire_limits_are_malformed(server):
    handle = make(server, "CartPole-v1").make.handle
    call(server, gym_pb2.Request(id=2, reset=gym_pb2.Reset(handle=handle, seeds=[0])))
    huge = gym_pb2.Tensor(dtype=gym_pb2.DTYPE_INT64, shape=[2 ** 31 - 1, 2 ** 31 - 1], data=b"")
    wrapped = gym_pb2.Tensor(dtype=gym_pb2.DTYPE_INT64, shape=[2 ** 32, 2 ** 32], data=b"")
    deep = gym_pb2.Tensor(dtype=gym_pb2.DTYPE_UINT8, shape=[1] * 9, data=b"\0")
    short = gym_pb2.Tensor(dtype=gym_pb2.DTYPE_INT64, shape=[1], data=b"\0" * 4)
    for tensor in [huge, wrapped, deep, short, gym_pb2.Tensor(dtype=99, shape=[1], data=b"\0")]:
        reply = call(server, gym_pb2.Request(id=3, step=gym_pb2.Step(handle=handle, actions=[tensor])))
        assert code(reply) == "ERROR_CODE_MALFORMED", tensor.shape
    reply = call(server, gym_pb2.Request(id=4, step=gym_pb2.Step(handle=handle, actions=[to_tensor(np.array([1]))])))
    assert not code(reply)


def test_values_beyond_the_depth_and_size_limits_are_malformed(server):
    value = gym_pb2.Value(integer=1)
    for _ in range(MAX_VALUE_DEPTH):
        value = gym_pb2.Value(list=gym_pb2.ValueList(values=[value]))
    request = gym_pb2.Request(id=5, make=gym_pb2.Make(env_id="FrozenLake-v1", num_envs=1, kwargs={"map_name": value}))
    assert code(call(server, request)) == "ERROR_CODE_MALFORMED"
    request = gym_pb2.Request(id=6, make=gym_pb2.Make(env_id="FrozenLake-v1", num_envs=1,
                                                      kwargs={"k" * 2000: gym_pb2.Value(integer=1)}))
    assert code(call(server, request)) == "ERROR_CODE_MALFORMED"
    request = gym_pb2.Request(id=7, make=gym_pb2.Make(env_id="FrozenLake-v1", num_envs=1,
                                                      kwargs={"map_name": gym_pb2.Value(text="x" * (2 << 20))}))
    assert code(call(server, request)) == "ERROR_CODE_MALFORMED"


def test_client_strings_are_clipped_in_replies(server):
    reply = make(server, "X" * (1 << 20))
    assert reply.error.code != 0 and len(reply.error.message.encode()) <= MAX_ERROR_MESSAGE_BYTES + 64
    reply = make(server, "Y" * 900)
    assert code(reply) == "ERROR_CODE_UNKNOWN_ENV" and "more bytes" in reply.error.message
    assert len(reply.error.message) < 600


def test_an_over_long_varint_id_gets_a_malformed_reply():
    bridge = BridgeServer(EnvCatalog(["CartPole-v1"]))
    reply = call(bridge, b"\x08" + b"\xff" * 9 + b"\x7f\xff")
    assert (reply.id, code(reply)) == (0, "ERROR_CODE_MALFORMED")
    reply = call(bridge, b"\x08\x96\x01\xff\xff")
    assert (reply.id, code(reply)) == (150, "ERROR_CODE_MALFORMED")
