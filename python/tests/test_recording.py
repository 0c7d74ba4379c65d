"""Reading gym record's SQLite files: the episodes a client played come back as NumPy arrays."""

from __future__ import annotations

import re
import socket

import numpy as np
import pytest

import gymd
from conftest import gym_binary, start_gym_serve
from gymd.daemon_process import DaemonProcess
from gymd.recording import Recording, export_minari


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """Three seeded CartPole episodes played through a recorded daemon, and what the client saw."""
    path = tmp_path_factory.mktemp("recording") / "episodes.sqlite"
    events = f"tcp://127.0.0.1:{free_port()}"
    played = []
    with start_gym_serve("--events", events) as daemon:
        recorder = DaemonProcess([str(gym_binary()), "record", "--events", events, "--out", str(path)], "gym record",
                                 ready=re.compile(r"attached to the daemon's event stream"))
        env = gymd.RemoteEnv("CartPole-v1", server=daemon.endpoint)
        for seed in (0, 1, 2):
            obs, _ = env.reset(seed=seed)
            observations, actions, rewards = [obs], [], []
            while True:
                action = int(len(actions) % 3 == 0)
                obs, reward, terminated, truncated, _ = env.step(action)
                observations.append(obs)
                actions.append(action)
                rewards.append(reward)
                if terminated or truncated:
                    break
            played.append((seed, np.array(observations), np.array(actions), np.array(rewards), terminated))
        # A reset and no step, as a training loop leaves when it stops: a 0-step episode.
        env.reset(seed=9)
        env.close()
        assert recorder.stop() == 0, recorder.output()
    return path, played


def test_episodes_read_back_as_numpy_arrays(recorded):
    path, played = recorded
    with Recording(path) as recording:
        summaries = recording.episodes("CartPole-v1")
        assert [(s.seed, s.length > 0) for s in summaries] == [(0, True), (1, True), (2, True), (9, False)]
        assert recording.episode(summaries[-1].id).observations.shape[0] == 1  # the reset's observation only
        for summary, (seed, observations, actions, rewards, terminated) in zip(summaries, played):
            episode = recording.episode(summary.id)
            assert episode.observations.dtype == np.float32
            assert np.array_equal(episode.observations, observations)
            assert np.array_equal(episode.actions, actions)
            assert np.array_equal(episode.rewards, rewards)
            assert episode.terminations[-1] == terminated and summary.length == len(actions)
            obs, acts, rews, next_obs, _ = episode.transitions
            assert np.array_equal(next_obs[:-1], obs[1:])


def test_minari_export(recorded, tmp_path, monkeypatch):
    minari = pytest.importorskip("minari", reason="minari is not installed: pip install 'minari[hdf5]'")
    pytest.importorskip("h5py", reason="minari's hdf5 storage needs h5py: pip install 'minari[hdf5]'")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    path, played = recorded
    with Recording(path) as recording:
        dataset = export_minari(recording, "gymd/cartpole/recorded-v0", author="tests")
    loaded = minari.load_dataset("gymd/cartpole/recorded-v0")
    assert loaded.total_episodes == len(played) == dataset.total_episodes
    assert loaded.total_steps == sum(len(p[2]) for p in played)
    for stored, (_, observations, actions, _, _) in zip(loaded.iterate_episodes(), played):
        assert np.array_equal(stored.observations, observations)
        assert np.array_equal(stored.actions, actions)


def test_missing_or_foreign_files_are_rejected(tmp_path):
    with pytest.raises(FileNotFoundError):
        Recording(tmp_path / "nothing.sqlite")
