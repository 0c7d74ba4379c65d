"""Writes the seed requests of the bridge fuzz corpus (run from anywhere; rewrites corpus/seed-*)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gymd.protocol import PROTOCOL_VERSION, gym_pb2
from gymd.tensors import to_tensor
from gymd.values import to_value_map

R = gym_pb2.Request
SEEDS = {
    "hello": R(id=1, hello=gym_pb2.Hello(protocol_version=PROTOCOL_VERSION, client_name="fuzz")),
    "list": R(id=2, list_envs=gym_pb2.ListEnvs()),
    "make": R(id=3, make=gym_pb2.Make(env_id="CartPole-v1", num_envs=3, seed=7, max_episode_steps=10,
                                      autoreset=gym_pb2.AUTORESET_MODE_SAME_STEP)),
    "make-kwargs": R(id=4, make=gym_pb2.Make(env_id="FrozenLake-v1", num_envs=1, kwargs=to_value_map({"map_name": "8x8"}))),
    "make-blackjack": R(id=5, make=gym_pb2.Make(env_id="Blackjack-v1", num_envs=2, kwargs=to_value_map({"sab": False, "natural": True}))),
    "make-render-mode": R(id=6, make=gym_pb2.Make(env_id="CartPole-v1", num_envs=1, kwargs=to_value_map({"render_mode": "rgb_array"}))),
    "reset": R(id=7, reset=gym_pb2.Reset(handle=1, seeds=[1, 2])),
    "reset-options": R(id=8, reset=gym_pb2.Reset(handle=1, seeds=[3], options=to_value_map({"low": -0.1, "high": 0.1}))),
    "step": R(id=9, step=gym_pb2.Step(handle=1, actions=[to_tensor(np.array([0, 1], dtype=np.int64))])),
    "render": R(id=10, render=gym_pb2.Render(handle=1, env_index=1)),
    "close": R(id=11, close=gym_pb2.Close(handle=1)),
    "nested-kwargs": R(id=12, make=gym_pb2.Make(env_id="FrozenLake-v1", num_envs=1,
                                                kwargs=to_value_map({"map_name": [[1, 2.5], {"a": "b"}, np.zeros(3)]}))),
}


def main() -> None:
    corpus = Path(__file__).resolve().parent / "corpus"
    corpus.mkdir(exist_ok=True)
    for name, request in SEEDS.items():
        (corpus / f"seed-{name}").write_bytes(request.SerializeToString())
    # The crasher of issue 13: an over-long varint id.
    (corpus / "crash-overlong-varint-id").write_bytes(b"\x08" + b"\xff" * 9 + b"\x7f\xff")


if __name__ == "__main__":
    main()
