"""Protocol value maps decode the same through the one-pass path for scalar infos as through the
checked general path, and over-long keys are refused on both."""

import random

import numpy as np
import pytest

from gymd.errors import MalformedError
from gymd.values import _decoded_map, from_value_map, to_value_map
from gymd.wire_limits import MAX_KEY_BYTES, check_value_map


def checked(entries):
    check_value_map(entries)
    return _decoded_map(entries)


def random_key(rng):
    alphabet = "abcxyz_é字\U0001f600"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def random_scalar(rng):
    return rng.choice([rng.uniform(-1e9, 1e9), rng.randint(-2**63, 2**63 - 1), rng.random() < 0.5,
                       float("inf"), float("nan"), -0.0])


def test_scalar_maps_decode_as_the_checked_path_does():
    rng = random.Random(5)
    for _ in range(500):
        entries = to_value_map({random_key(rng): random_scalar(rng) for _ in range(rng.randint(0, 8))})
        fast, slow = from_value_map(entries), checked(entries)
        assert list(fast) == list(slow)
        for key in slow:
            assert type(fast[key]) is type(slow[key])
            assert fast[key] == slow[key] or (fast[key] != fast[key] and slow[key] != slow[key])


def test_maps_with_other_values_take_the_checked_path():
    entries = to_value_map({"x_position": 1.5, "name": "cheetah", "nested": {"a": 1}, "array": np.arange(3)})
    decoded = from_value_map(entries)
    assert decoded["name"] == "cheetah" and decoded["nested"] == {"a": 1} and decoded["x_position"] == 1.5
    assert decoded["array"].tolist() == [0, 1, 2]
    assert list(decoded) == sorted(decoded)


@pytest.mark.parametrize("key", ["k" * (MAX_KEY_BYTES + 1), "字" * (MAX_KEY_BYTES // 3 + 1)])
def test_over_long_keys_are_refused(key):
    with pytest.raises(MalformedError):
        from_value_map(to_value_map({key: 1.0}))
    with pytest.raises(MalformedError):
        from_value_map(to_value_map({key: "text"}))


def test_keys_at_the_limit_are_accepted():
    key = "k" * MAX_KEY_BYTES
    assert from_value_map(to_value_map({key: 2})) == {key: 2}


def test_a_value_with_no_kind_is_refused():
    from gymd.protocol import gym_pb2
    entries = gym_pb2.EnvInfo(info={"x_position": gym_pb2.Value(number=1.0), "empty": gym_pb2.Value()}).info
    with pytest.raises(MalformedError):
        from_value_map(entries)
