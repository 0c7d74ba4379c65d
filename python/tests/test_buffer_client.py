"""BufferClient against a real ``gym buffer``: inserts, samples into NumPy, priorities, errors."""

from __future__ import annotations

import time

import numpy as np
import pytest

import gymd
from conftest import gym_binary
from gymd.daemon_process import DaemonProcess


@pytest.fixture(scope="module")
def buffer_endpoint(tmp_path_factory):
    checkpoints = tmp_path_factory.mktemp("checkpoints")
    command = [str(gym_binary()), "buffer", "--bind", "tcp://127.0.0.1:*", "--checkpoint", str(checkpoints)]
    with DaemonProcess(command, "gym buffer") as service:
        yield service.endpoint


def transitions(count: int, start: int = 0) -> dict[str, np.ndarray]:
    index = np.arange(start, start + count)
    return {"obs": np.stack([index, -index, index * 2, index * 3]).T.astype(np.float32),
            "action": index % 2, "reward": index.astype(np.float32), "terminated": index % 5 == 0}


def test_insert_sample_and_update_priorities(buffer_endpoint):
    with gymd.BufferClient(buffer_endpoint, timeout=5) as buffer:
        table = buffer.create_table("replay", selector="prioritized", max_size=100, priority_exponent=1.0,
                                    importance_exponent=1.0)
        assert table.config.name == "replay"
        keys = buffer.insert("replay", transitions(10))
        assert list(keys) == list(range(10))
        batch = buffer.sample("replay", 32)
        assert batch["obs"].dtype == np.float32 and batch["obs"].shape == (32, 4)
        assert batch["terminated"].dtype == np.bool_ and batch["action"].dtype == np.int64
        # Every sampled row is a whole inserted item: its columns agree with its key.
        assert np.array_equal(batch["reward"], batch.keys.astype(np.float32))
        assert np.array_equal(batch["obs"][:, 2], 2 * batch["reward"])
        # All the priority on key 3: every later sample is key 3, with weight 1.
        updated, missing = buffer.update_priorities("replay", list(range(10)) + [999], [0.0] * 3 + [5.0] + [0.0] * 6 + [1])
        assert (updated, missing) == (10, 1)
        batch = buffer.sample("replay", 16)
        assert set(batch.keys.tolist()) == {3} and np.allclose(batch.probabilities, 1.0)
        info = buffer.info("replay")[0]
        assert info.size == 10 and info.inserts == 10 and info.samples == 48
        assert buffer.checkpoint()


def test_errors_are_typed(buffer_endpoint):
    with gymd.BufferClient(buffer_endpoint, timeout=5) as buffer:
        with pytest.raises(gymd.UnknownTableError):
            buffer.sample("nope", 1)
        buffer.create_table("fifo", selector="fifo", max_size=10)
        buffer.insert("fifo", transitions(2))
        with pytest.raises(gymd.InvalidArgumentError):
            buffer.insert("fifo", {"obs": np.zeros((2, 3), np.float32)})
        started = time.monotonic()
        with pytest.raises(gymd.DeadlineExceededError):
            buffer.sample("fifo", 5, timeout=0.3)
        assert time.monotonic() - started < 3
        assert buffer.sample("fifo", 2)["reward"].tolist() == [0.0, 1.0]


def test_a_missing_service_is_a_timeout():
    with pytest.raises(gymd.GymTimeoutError):
        gymd.BufferClient("tcp://127.0.0.1:9", timeout=0.3)
