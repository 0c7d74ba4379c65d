"""Steps per second of Stable-Baselines3's PPO on RemoteEnv CartPole-v1 versus Gymnasium's own
CartPole-v1: same machine, same PPO settings (sb3_ppo_cartpole.py's), same seed, one run.
A third backend, RemoteSB3VecEnv, steps the 8 environments in one request instead of 8.

    python python/examples/sb3_ppo_speed.py [--server ADDR] [--timesteps 20000] [--repeats 3] [--json]

Each repeat trains a fresh PPO for --timesteps on each backend, alternating which goes first;
the median wall time gives steps/s. A raw random-action stepping rate (no learning) of one
environment is measured for both too. Without --server it starts the repository's gym serve.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time

import gymnasium
from sb3_ppo_cartpole import ZOO_ENVS, make_ppo
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecMonitor

import gymd  # noqa: F401 - registers the gymd/... environment ids
from gymd.daemon_process import start_gym_serve
from gymd.sb3_vec_env import RemoteSB3VecEnv


def ppo_seconds(make_envs, timesteps: int, seed: int) -> float:
    """Wall seconds of one PPO training run of ``timesteps`` on the vec env ``make_envs()`` builds."""
    envs = make_envs()
    model = make_ppo(envs, seed)
    started = time.perf_counter()
    model.learn(total_timesteps=timesteps)
    seconds = time.perf_counter() - started
    envs.close()
    return seconds


def raw_steps_per_second(env: gymnasium.Env, steps: int) -> float:
    """Random-action steps per second of one environment, resets included."""
    env.reset(seed=0)
    env.action_space.seed(0)
    started = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            env.reset()
    seconds = time.perf_counter() - started
    env.close()
    return steps / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", help="daemon endpoint (default: start gym serve on a free port)")
    parser.add_argument("--timesteps", type=int, default=20_000, help="PPO steps per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per backend")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        server = args.server or stack.enter_context(start_gym_serve()).endpoint
        backends = {
            "remote": lambda: make_vec_env("gymd/CartPole-v1", n_envs=ZOO_ENVS, seed=args.seed,
                                           env_kwargs={"server": server}),
            "gymnasium": lambda: make_vec_env("CartPole-v1", n_envs=ZOO_ENVS, seed=args.seed),
            "batched": lambda: VecMonitor(RemoteSB3VecEnv("CartPole-v1", ZOO_ENVS, server=server)),
        }
        seconds: dict[str, list[float]] = {name: [] for name in backends}
        for repeat in range(args.repeats):
            order = list(backends) if repeat % 2 == 0 else list(reversed(backends))
            for name in order:
                seconds[name].append(ppo_seconds(backends[name], args.timesteps, args.seed))
                print(f"repeat {repeat + 1} {name}: {args.timesteps / seconds[name][-1]:.0f} PPO steps/s", flush=True)
        raw = {"remote": raw_steps_per_second(gymnasium.make("gymd/CartPole-v1", server=server), 20_000),
               "gymnasium": raw_steps_per_second(gymnasium.make("CartPole-v1"), 20_000)}

    ppo = {name: args.timesteps / statistics.median(values) for name, values in seconds.items()}
    for name in backends:
        print(f"{name:9s}: PPO {ppo[name]:8.0f} steps/s (median of {args.repeats})"
              + (f"; raw env.step {raw[name]:8.0f} steps/s" if name in raw else ""))
    print(f"RemoteEnv / Gymnasium: PPO {ppo['remote'] / ppo['gymnasium']:.2f}x, raw {raw['remote'] / raw['gymnasium']:.3f}x; "
          f"RemoteSB3VecEnv / Gymnasium: PPO {ppo['batched'] / ppo['gymnasium']:.2f}x")
    if args.json:
        print(json.dumps({"timesteps": args.timesteps, "repeats": args.repeats, "n_envs": ZOO_ENVS, "seed": args.seed,
                          "ppo_steps_per_s": {k: round(v, 1) for k, v in ppo.items()},
                          "ppo_seconds": seconds, "raw_steps_per_s": {k: round(v, 1) for k, v in raw.items()}}))


if __name__ == "__main__":
    main()
