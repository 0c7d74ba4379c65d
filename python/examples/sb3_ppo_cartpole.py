"""Stable-Baselines3's PPO trained on RemoteEnv CartPole-v1, then evaluated greedily.

    pip install ./python stable-baselines3
    python python/examples/sb3_ppo_cartpole.py [--server tcp://127.0.0.1:5555] [--seed 0] [--json]

With --batched the 8 environments are one RemoteSB3VecEnv (one request per step of all 8)
instead of 8 RemoteEnvs. Without --server it starts the repository's ``gym serve`` (release build, or $GYM_BIN) on a
free loopback port and stops it at the end. The hyperparameters are RL Zoo's tuned ones for
CartPole-v1. The last stdout line with --json is {"env", "seed", "timesteps", "train_s",
"steps_per_s", "eval_episodes", "eval_mean", "eval_std", "solved", "batched"}; solved is eval_mean >= 475.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time

import gymnasium
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import VecMonitor

import gymd  # noqa: F401 - registers the gymd/... environment ids
from gymd.daemon_process import start_gym_serve
from gymd.sb3_vec_env import RemoteSB3VecEnv

#: RL Zoo's PPO hyperparameters for CartPole-v1 (learning rate and clip range decay linearly).
ZOO_PPO = dict(n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20, ent_coef=0.0)
ZOO_ENVS = 8
ZOO_TIMESTEPS = 100_000


def linear(start: float):
    """A schedule from ``start`` down to 0 over training (SB3 passes the remaining fraction)."""
    return lambda remaining: remaining * start


def make_ppo(env, seed: int) -> PPO:
    """PPO with RL Zoo's CartPole settings."""
    return PPO("MlpPolicy", env, learning_rate=linear(1e-3), clip_range=linear(0.2), seed=seed, device="cpu",
               verbose=0, **ZOO_PPO)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", help="daemon endpoint (default: start gym serve on a free port)")
    parser.add_argument("--seed", type=int, default=0, help="seed of PPO and of the environments")
    parser.add_argument("--timesteps", type=int, default=ZOO_TIMESTEPS, help="training steps, all envs together")
    parser.add_argument("--eval-episodes", type=int, default=20, help="greedy evaluation episodes")
    parser.add_argument("--batched", action="store_true", help="one RemoteSB3VecEnv instead of 8 RemoteEnvs")
    parser.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        server = args.server or stack.enter_context(start_gym_serve()).endpoint
        if args.batched:
            envs = VecMonitor(RemoteSB3VecEnv("CartPole-v1", ZOO_ENVS, server=server))
        else:
            envs = make_vec_env("gymd/CartPole-v1", n_envs=ZOO_ENVS, seed=args.seed, env_kwargs={"server": server})
        model = make_ppo(envs, args.seed)
        started = time.perf_counter()
        model.learn(total_timesteps=args.timesteps)
        train_s = time.perf_counter() - started
        envs.close()
        evaluation = Monitor(gymnasium.make("gymd/CartPole-v1", server=server))
        evaluation.reset(seed=args.seed + 10_000)
        mean, std = evaluate_policy(model, evaluation, n_eval_episodes=args.eval_episodes, deterministic=True)
        evaluation.close()

    summary = {"env": "CartPole-v1", "seed": args.seed, "batched": args.batched,
               "timesteps": model.num_timesteps, "train_s": round(train_s, 2),
               "steps_per_s": round(model.num_timesteps / train_s, 1), "eval_episodes": args.eval_episodes,
               "eval_mean": float(mean), "eval_std": float(std), "solved": bool(mean >= 475)}
    backend = "RemoteSB3VecEnv" if args.batched else "RemoteEnv"
    print(f"PPO on {backend} CartPole-v1 (seed {args.seed}): {summary['timesteps']} steps in {train_s:.1f} s "
          f"({summary['steps_per_s']} steps/s); greedy return {mean:.1f} ± {std:.1f} over {args.eval_episodes} episodes"
          + (" (solved)" if summary["solved"] else " (not solved)"))
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
