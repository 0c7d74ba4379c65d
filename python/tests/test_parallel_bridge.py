"""What only the parallel bridge (``--workers``) does: restart a worker that dies or overruns
``--worker-timeout`` without other clients noticing, and serve ``--atari`` environments whose
observations are those of Gymnasium's AtariPreprocessing and FrameStackObservation."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

import gymnasium
import numpy as np
import pytest

import gymd
from gymd.bridge.shared_arrays import BlockLayout, SharedBlock
from gymd.daemon_process import start_bridge

TESTS = Path(__file__).resolve().parent


def logged(daemon, pattern: str, timeout: float = 10.0) -> re.Match:
    """The first match of ``pattern`` in the bridge's log, waiting for it to be written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, daemon.output())
        if match:
            return match
        time.sleep(0.02)
    raise AssertionError(f"{pattern!r} never appeared in the log:\n{daemon.output()[-3000:]}")


def worker_pids(daemon) -> dict[int, int]:
    """The latest pid of each worker, from the 'worker N started as pid P' lines."""
    return {int(index): int(pid) for index, pid in re.findall(r"worker (\d+) started as pid (\d+)", daemon.output())}


def test_a_killed_worker_is_restarted_and_other_clients_never_notice():
    with start_bridge("CartPole-v1", args=("--workers", "2")) as daemon:
        victim = gymd.RemoteBatch("CartPole-v1", 1, server=daemon.endpoint)
        victim.reset(seeds=[1])
        victim_worker = int(logged(daemon, rf"as handle {victim.handle} on workers \[(\d)\]").group(1))
        errors, steps, mismatches = [], [0], []
        started, stop = threading.Event(), threading.Event()

        def other_client():
            # Another client's env on the other worker, checked step for step against a local CartPole.
            try:
                batch = gymd.RemoteBatch("CartPole-v1", 1, server=daemon.endpoint)
                local = gymnasium.make("CartPole-v1")
                observation = batch.reset(seeds=[5])[0][0][0]
                expected = local.reset(seed=5)[0]
                started.set()
                while not stop.is_set():
                    if not np.array_equal(observation, expected):
                        mismatches.append(steps[0])
                    action = steps[0] % 2
                    result = batch.step([np.array([action])])
                    observation = result.observations[0][0]
                    expected, _, ended, cut, _ = local.step(action)
                    if ended or cut:
                        observation = batch.reset(seeds=[steps[0]])[0][0][0]
                        expected = local.reset(seed=steps[0])[0]
                    steps[0] += 1
                batch.close()
            except Exception as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)
                started.set()

        thread = threading.Thread(target=other_client)
        thread.start()
        try:
            assert started.wait(20)
            other_worker = int(logged(daemon, r"as handle 2 on workers \[(\d)\]").group(1))
            assert other_worker != victim_worker
            old_pid = worker_pids(daemon)[victim_worker]
            os.kill(old_pid, signal.SIGKILL)
            # The first request after the crash is INTERNAL, the next ones RESET_NEEDED until a reset.
            with pytest.raises(gymd.InternalError):
                victim.step([np.array([0])])
            with pytest.raises(gymd.ResetNeededError):
                victim.step([np.array([0])])
            with pytest.raises(gymd.ResetNeededError):
                victim.step([np.array([1])])
            observations, _ = victim.reset(seeds=[3])
            assert np.array_equal(observations[0][0], gymnasium.make("CartPole-v1").reset(seed=3)[0])
            assert victim.step([np.array([1])]).rewards.tolist() == [1.0]
            assert worker_pids(daemon)[victim_worker] != old_pid
            before = steps[0]
            time.sleep(0.5)
        finally:
            stop.set()
            thread.join(20)
        assert not errors and not mismatches and steps[0] > before > 0
        victim.close()
        assert "restarting it" in daemon.output()


def test_a_worker_over_its_timeout_is_restarted(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])))
    with start_bridge("CartPole-v1", args=("--workers", "1", "--worker-timeout", "1",
                                           "--wrapper", "bridge_test_wrappers:StallOnRequest")) as daemon:
        batch = gymd.RemoteBatch("CartPole-v1", 2, server=daemon.endpoint)
        began = time.monotonic()
        with pytest.raises(gymd.InternalError, match="no reply within 1 s"):
            batch.reset(options={"stall": 30})
        assert time.monotonic() - began < 10
        with pytest.raises(gymd.ResetNeededError):
            batch.step([np.array([0, 1])])
        batch.reset(seeds=[0])
        assert batch.step([np.array([0, 1])]).rewards.tolist() == [1.0, 1.0]
        batch.close()


def local_atari(env_id: str) -> gymnasium.Env:
    """The wrappers ``--atari`` stands for, applied here as Gymnasium's docs give them."""
    from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation

    env = gymnasium.make(env_id, frameskip=1)
    env = AtariPreprocessing(env, noop_max=30, frame_skip=4, screen_size=84, terminal_on_life_loss=False,
                             grayscale_obs=True, scale_obs=False)
    return FrameStackObservation(env, 4)


@pytest.mark.parametrize("workers", ["0", "2"])
def test_atari_observations_equal_the_wrappers_applied_locally(workers):
    ale_py = pytest.importorskip("ale_py", reason="--atari needs ale-py")
    pytest.importorskip("cv2", reason="AtariPreprocessing needs opencv-python-headless")
    gymnasium.register_envs(ale_py)
    count, steps, seed = 3, 250, 11
    with start_bridge("ALE/Pong-v5", args=("--atari", "--workers", workers)) as daemon:
        batch = gymd.RemoteBatch("ALE/Pong-v5", count, server=daemon.endpoint)
        with pytest.raises(gymd.InvalidArgumentError, match="frameskip"):
            gymd.RemoteBatch("ALE/Pong-v5", 1, server=daemon.endpoint, kwargs={"frameskip": 4})
        assert batch.observation_space.shape == (4, 84, 84) and batch.observation_space.dtype == np.uint8
        locals_ = [local_atari("ALE/Pong-v5") for _ in range(count)]
        try:
            remote = batch.reset(seeds=[seed])[0][0]
            expected = np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(locals_)])
            assert np.array_equal(remote, expected)
            rng = np.random.default_rng(seed)
            ended = [False] * count
            changed = 0
            for _ in range(steps):
                actions = rng.integers(0, batch.action_space.n, size=count)
                result = batch.step([actions])
                rows = []
                for index, env in enumerate(locals_):
                    if ended[index]:
                        observation, _ = env.reset()
                        reward, ended[index] = 0.0, False
                    else:
                        observation, reward, done, cut, _ = env.step(int(actions[index]))
                        ended[index] = done or cut
                    rows.append(observation)
                    assert result.rewards[index] == reward
                changed += not np.array_equal(result.observations[0], remote)
                remote = result.observations[0]
                assert np.array_equal(remote, np.stack(rows))
            assert changed > steps // 2
        finally:
            batch.close()
            for env in locals_:
                env.close()


def test_shared_blocks_are_sized_from_the_spaces_and_bounded():
    frames = gymnasium.spaces.Box(0, 255, (4, 84, 84), np.uint8)
    layout = BlockLayout.for_spaces(frames, gymnasium.spaces.Discrete(4), 16)
    sizes = {slot.name: slot.nbytes for slot in layout.slots}
    assert sizes == {"observation0": 16 * 4 * 84 * 84, "final0": 16 * 4 * 84 * 84, "action0": 16 * 8,
                     "rewards": 16 * 8, "terminated": 16, "truncated": 16}
    assert all(slot.offset % 64 == 0 for slot in layout.slots) and layout.size >= sum(sizes.values())
    block = SharedBlock(layout)
    try:
        block.arrays["observation0"][:] = 7
        attached = SharedBlock(layout, block.name)
        assert int(attached.arrays["observation0"].sum()) == 7 * 16 * 4 * 84 * 84
        attached.close()
    finally:
        block.close()
    with pytest.raises(gymd.InvalidArgumentError, match="shared memory"):
        BlockLayout.for_spaces(gymnasium.spaces.Box(0, 1, (100_000, 1000), np.uint8), gymnasium.spaces.Discrete(2), 4096)
    with pytest.raises(gymd.InvalidArgumentError):
        BlockLayout.for_spaces(frames, gymnasium.spaces.Discrete(4), 16, limit=layout.size - 1)
    with pytest.raises(gymd.NotSupportedError):
        BlockLayout.for_spaces(gymnasium.spaces.Text(8), gymnasium.spaces.Discrete(2), 1)
