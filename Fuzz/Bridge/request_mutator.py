"""A structure-aware mutator for the bridge harness: an input that decodes as a ``Request`` gets
one of its fields rewritten with a value chosen to stress the bridge (absurd shapes and dtypes,
served and unserved ids, kwargs and options of every kind, deep nesting, handle 1, which the
harness keeps open), so the fuzzer gets past protobuf decoding into the handlers; other inputs
are mutated byte-wise by libFuzzer."""

from __future__ import annotations

import random

import atheris

from gymd.protocol import gym_pb2

IDS = ["CartPole-v1", "FrozenLake-v1", "Acrobot-v1", "Blackjack-v1", "LunarLander-v3", "gymd:Nope-v0", "", "x" * 300]
NAMES = ["map_name", "is_slippery", "sab", "natural", "render_mode", "low", "high", "options", "seed", "entry_point", ""]
NUMBERS = [0.0, -0.0, 1.0, 0.05, -1e20, 1e20, 1e308, float("nan"), float("inf"), -float("inf"), 5e-324]
INTEGERS = [0, 1, -1, 2, 7, 1 << 31, (1 << 63) - 1, -(1 << 63), 4096, 4097]
TEXTS = ["rgb_array", "human", "rgb_array_list", "ansi", "4x4", "8x8", "4x8", "", "é" * 100]
DIMS = [0, 1, 2, 3, 4, 255, 1 << 20, (1 << 31) - 1, 1 << 32, (1 << 63) - 1]


def _value(rng: random.Random, depth: int = 0) -> gym_pb2.Value:
    kind = rng.randrange(7 if depth < 40 else 4)
    if kind == 0:
        return gym_pb2.Value(number=rng.choice(NUMBERS))
    if kind == 1:
        return gym_pb2.Value(integer=rng.choice(INTEGERS))
    if kind == 2:
        return gym_pb2.Value(text=rng.choice(TEXTS))
    if kind == 3:
        return gym_pb2.Value(flag=rng.random() < 0.5)
    if kind == 4:
        return gym_pb2.Value(tensor=_tensor(rng))
    if kind == 5:
        return gym_pb2.Value(list=gym_pb2.ValueList(values=[_value(rng, depth + 1) for _ in range(rng.randrange(3))]))
    return gym_pb2.Value(map=gym_pb2.ValueMap(entries={rng.choice(NAMES): _value(rng, depth + 1) for _ in range(rng.randrange(3))}))


def _tensor(rng: random.Random) -> gym_pb2.Tensor:
    dtype = rng.choice(list(gym_pb2.DType.values()) + [99])
    shape = [rng.choice(DIMS) for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 9]))]
    size = rng.choice([0, 1, 2, 8, 16, 64])
    return gym_pb2.Tensor(dtype=dtype, shape=shape, data=bytes(rng.randrange(256) for _ in range(size)))


def _rewrite(request: gym_pb2.Request, rng: random.Random) -> None:
    kind = request.WhichOneof("body")
    choice = rng.randrange(6)
    if choice == 0 or kind is None:
        body = rng.choice(["make", "reset", "step", "render", "close", "hello", "list_envs"])
        getattr(request, body).SetInParent()
        kind = body
    if kind == "make":
        make = request.make
        make.env_id = rng.choice(IDS)
        make.num_envs = rng.choice([0, 1, 2, 16, 17, (1 << 32) - 1])
        if rng.random() < 0.3:
            make.max_episode_steps = rng.choice([-1, 0, 1, (1 << 31) - 1])
        make.autoreset = rng.choice([0, 1, 2, 3, 77])
        for _ in range(rng.randrange(3)):
            make.kwargs[rng.choice(NAMES)].CopyFrom(_value(rng))
    elif kind == "reset":
        request.reset.handle = rng.choice([1, 1, 0, 2, (1 << 64) - 1])
        del request.reset.seeds[:]
        request.reset.seeds.extend(rng.choice([0, (1 << 64) - 1, 3]) for _ in range(rng.choice([0, 1, 2, 3])))
        for _ in range(rng.randrange(3)):
            request.reset.options[rng.choice(NAMES)].CopyFrom(_value(rng))
    elif kind == "step":
        request.step.handle = rng.choice([1, 1, 0, 5])
        del request.step.actions[:]
        if rng.random() < 0.5:
            request.step.actions.append(gym_pb2.Tensor(dtype=gym_pb2.DTYPE_INT64, shape=[2],
                                                       data=bytes(rng.choice([0, 1, 2, 255]) for _ in range(16))))
        for _ in range(rng.randrange(2)):
            request.step.actions.append(_tensor(rng))
    elif kind == "render":
        request.render.handle = rng.choice([1, 0, 9])
        request.render.env_index = rng.choice([0, 1, 2, (1 << 32) - 1])
    elif kind == "close":
        request.close.handle = rng.choice([1, 0, 3])
    elif kind == "hello":
        request.hello.protocol_version = rng.choice([0, 1, 2, (1 << 32) - 1])
        request.hello.client_name = rng.choice(TEXTS)
    request.id = rng.choice([0, 1, (1 << 64) - 1, rng.randrange(1 << 16)])


def mutate(data: bytes, max_size: int, seed: int) -> bytes:
    """libFuzzer's custom mutator hook."""
    rng = random.Random(seed)
    if rng.random() < 0.3:
        return atheris.Mutate(data, max_size)
    request = gym_pb2.Request()
    try:
        request.ParseFromString(data)
    except Exception:  # noqa: BLE001 - not a Request: mutate its bytes
        return atheris.Mutate(data, max_size)
    _rewrite(request, rng)
    encoded = request.SerializeToString()
    return encoded if len(encoded) <= max_size else atheris.Mutate(data, max_size)
