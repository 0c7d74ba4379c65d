"""MuJoCo frames from the daemon's plugin equal Gymnasium's own ``render_mode="rgb_array"``
frames pixel for pixel: both draw with MuJoCo's renderer in a headless EGL context (Mesa's
software rasterizer here), from the same default camera, for every MuJoCo v5 environment."""

from __future__ import annotations

import os

os.environ["MUJOCO_GL"] = "egl"

import gymnasium  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gymd  # noqa: E402
from test_mujoco_training import plugin_serves  # noqa: E402

IDS = ["HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "Ant-v5", "Humanoid-v5", "HumanoidStandup-v5",
       "InvertedPendulum-v5", "InvertedDoublePendulum-v5", "Reacher-v5", "Swimmer-v5", "Pusher-v5"]
FRAMES = 4


@pytest.fixture(scope="module")
def mujoco_server(server):
    if not plugin_serves("HalfCheetah-v5"):
        pytest.skip("the MuJoCo plugin is not built (scripts/install-deps installs the wheel it needs)")
    return server


@pytest.mark.parametrize("env_id", IDS)
def test_frames_equal_gymnasiums(mujoco_server, env_id):
    ours = gymd.RemoteEnv(env_id, server=mujoco_server, render_mode="rgb_array")
    reference = gymnasium.make(env_id, render_mode="rgb_array")
    try:
        assert ours.metadata["render_modes"] == ["rgb_array"]
        assert ours.metadata["render_fps"] == reference.metadata["render_fps"]
        ours.reset(seed=7)
        reference.reset(seed=7)
        random = np.random.default_rng(7)
        low, high = reference.action_space.low, reference.action_space.high
        for frame in range(FRAMES):
            if frame:
                action = random.uniform(low, high).astype(np.float32)
                observation, _, terminated, truncated, _ = ours.step(action)
                expected, _, *_ = reference.step(action)
                assert np.array_equal(observation, expected)
                if terminated or truncated:
                    break
            drawn, wanted = ours.render(), reference.render()
            assert drawn.shape == wanted.shape == (480, 480, 3) and drawn.dtype == np.uint8
            assert len(np.unique(drawn.reshape(-1, 3), axis=0)) > 16, "a blank frame"
            differing = np.any(drawn != wanted, axis=2)
            assert not differing.any(), f"frame {frame}: {differing.sum()} pixels differ from Gymnasium's"
    finally:
        ours.close()
        reference.close()


def test_replay_animates_a_recorded_episode_with_gymnasiums_frames(mujoco_server, tmp_path):
    """``gym replay --render`` re-simulates a recorded Hopper episode through the daemon: the
    player's frames (lossless PNGs) are Gymnasium's frames of the same episode."""
    import base64
    import io
    import json
    import re
    import subprocess

    from PIL import Image

    from conftest import gym_binary, start_gym_serve
    from gymd.daemon_process import DaemonProcess
    from test_recording import free_port

    path = tmp_path / "episodes.sqlite"
    events = f"tcp://127.0.0.1:{free_port()}"
    random = np.random.default_rng(4)
    actions = [random.uniform(-1, 1, 3).astype(np.float32) for _ in range(40)]
    with start_gym_serve("--events", events) as daemon:
        recorder = DaemonProcess([str(gym_binary()), "record", "--events", events, "--out", str(path)], "gym record",
                                 ready=re.compile(r"attached to the daemon's event stream"))
        env = gymd.RemoteEnv("Hopper-v5", server=daemon.endpoint)
        env.reset(seed=4)
        steps = 0
        for action in actions:
            steps += 1
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                break
        env.close()
        assert recorder.stop() == 0, recorder.output()
        out = tmp_path / "hopper"
        replay = subprocess.run([str(gym_binary()), "replay", str(path), "--episode", "1", "--render", str(out),
                                 "--server", daemon.endpoint, "--json"], capture_output=True, text=True, timeout=300)
        for fps in ("nan", "inf", "0", "1e9"):
            refused = subprocess.run([str(gym_binary()), "replay", str(path), "--episode", "1", "--render", str(out),
                                      "--server", daemon.endpoint, "--fps", fps], capture_output=True, text=True, timeout=60)
            assert refused.returncode == 64 and "--fps" in refused.stderr, (fps, refused.returncode, refused.stderr)
    assert replay.returncode == 0, replay.stderr
    summary = json.loads(replay.stdout.strip().splitlines()[-1])
    assert summary["identical"] is True and summary["frames"] == steps + 1 and summary["fps"] == 125
    page = (tmp_path / "hopper.html").read_text()
    frames = [np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
              for data in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)]
    assert len(frames) == steps + 1
    gif = Image.open(tmp_path / "hopper.gif")
    assert gif.n_frames == len(range(0, steps + 1, 3)) and gif.info["duration"] == 20

    reference = gymnasium.make("Hopper-v5", render_mode="rgb_array")
    reference.reset(seed=4)
    try:
        for index, frame in enumerate(frames):
            if index:
                reference.step(actions[index - 1])
            assert np.array_equal(frame, reference.render()), f"frame {index} differs from Gymnasium's"
    finally:
        reference.close()


def test_without_an_egl_display_render_answers_not_supported_and_the_env_steps_on(mujoco_server, monkeypatch):
    """libEGL loads but finds no driver (glvnd pointed at no vendor): the first frame answers
    NOT_SUPPORTED with the reason, and the environment keeps stepping."""
    from conftest import start_gym_serve
    from gymd.errors import NotSupportedError

    monkeypatch.setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl_vendor.json")
    with start_gym_serve() as daemon:
        env = gymd.RemoteEnv("Hopper-v5", server=daemon.endpoint, render_mode="rgb_array")
        try:
            env.reset(seed=1)
            with pytest.raises(NotSupportedError, match="no EGL display"):
                env.render()
            observation, *_ = env.step(np.zeros(3, np.float32))
            assert observation.shape == (11,)
        finally:
            env.close()
