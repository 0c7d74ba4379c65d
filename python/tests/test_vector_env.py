"""RemoteVectorEnv against Gymnasium's SyncVectorEnv: same seeds, same actions, same numbers."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import gymd


def run(envs: gymnasium.vector.VectorEnv, seed: int, steps: int) -> list:
    """Observations, rewards, flags and final observations of ``steps`` seeded random steps."""
    rng = np.random.default_rng(seed)
    obs, _ = envs.reset(seed=seed)
    trace = [obs.tobytes()]
    for _ in range(steps):
        actions = rng.integers(0, 2, size=envs.num_envs)
        obs, rewards, terminated, truncated, infos = envs.step(actions)
        finals = None
        if "final_obs" in infos:
            finals = [(i, infos["final_obs"][i].tobytes()) for i in np.flatnonzero(infos["_final_obs"])]
        trace.append((obs.tobytes(), rewards.tolist(), terminated.tolist(), truncated.tolist(), finals))
    return trace


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_batched_cartpole_matches_sync_vector_env(server, mode):
    remote = gymnasium.make_vec("gymd/CartPole-v1", num_envs=4, server=server, autoreset_mode=mode)
    native = gymnasium.make_vec("CartPole-v1", num_envs=4, vectorization_mode="sync",
                                vector_kwargs={"autoreset_mode": mode})
    try:
        assert isinstance(remote, gymd.RemoteVectorEnv)
        assert remote.metadata["autoreset_mode"] == mode
        assert remote.observation_space == native.observation_space
        assert remote.action_space == native.action_space
        # 300 steps: many episodes end and restart in each env.
        remote_trace, native_trace = run(remote, 3, 300), run(native, 3, 300)
        assert sum(any(step[2]) for step in remote_trace[1:]) > 10
        assert remote_trace == native_trace
    finally:
        remote.close()
        native.close()


def test_disabled_autoreset_needs_a_reset(server):
    envs = gymd.RemoteVectorEnv("CartPole-v1", 2, server=server, autoreset_mode=AutoresetMode.DISABLED)
    try:
        envs.reset(seed=0)
        with pytest.raises(gymd.ResetNeededError):
            for _ in range(600):
                envs.step(np.zeros(2, dtype=np.int64))
        obs, _ = envs.reset()
        assert obs.shape == (2, 4)
    finally:
        envs.close()


def test_seeds_per_env_and_wrong_counts(server):
    envs = gymd.RemoteVectorEnv("CartPole-v1", 3, server=server)
    try:
        per_env, _ = envs.reset(seed=[5, 6, 7])
        shifted, _ = envs.reset(seed=5)
        assert np.array_equal(per_env, shifted)
        with pytest.raises(ValueError):
            envs.reset(seed=[1, 2])
        with pytest.raises(gymd.InvalidActionError, match="shape"):
            envs.step(np.zeros(2, dtype=np.int64))
        frames = gymd.RemoteVectorEnv("CartPole-v1", 2, server=server, render_mode="rgb_array")
        frames.reset(seed=0)
        assert [f.shape[2] for f in frames.render()] == [3, 3]
        frames.close()
    finally:
        envs.close()


def test_double_buffered_halves_match_one_synchronous_batch(server):
    """Two halves stepped with one always in flight (step_async/step_wait underneath) give the
    numbers one synchronous batch of the same envs gives."""
    whole = gymd.RemoteVectorEnv("CartPole-v1", 5, server=server)
    doubled = gymd.DoubleBufferedVectorEnv("CartPole-v1", 5, server=server)
    try:
        assert [half.num_envs for half in doubled.halves] == [2, 3]
        obs, _ = whole.reset(seed=4)
        (obs0, _), (obs1, _) = doubled.reset(seed=4)
        assert np.concatenate([obs0, obs1]).tobytes() == obs.tobytes()
        rng = np.random.default_rng(1)
        actions = rng.integers(0, 2, size=5)
        doubled.send_step(0, actions[:2])
        doubled.send_step(1, actions[2:])
        ended = 0
        for _ in range(80):
            expected = whole.step(actions)
            next_actions = rng.integers(0, 2, size=5)
            got = [doubled.receive_step(0)]
            doubled.send_step(0, next_actions[:2])
            got.append(doubled.receive_step(1))
            doubled.send_step(1, next_actions[2:])
            for index in range(4):
                assert np.concatenate([got[0][index], got[1][index]]).tobytes() == np.asarray(expected[index]).tobytes()
            ended += int(expected[2].sum())
            actions = next_actions
        assert ended > 0
        with pytest.raises(RuntimeError):
            doubled.halves[0].step_async(actions[:2])
    finally:
        doubled.close()
        whole.close()
    with pytest.raises(ValueError):
        gymd.DoubleBufferedVectorEnv("CartPole-v1", 1, server=server)
