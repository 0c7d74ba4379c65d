"""TD3, SAC or PPO on a MuJoCo env: ours (`gym train`, its preset) beside Stable-Baselines3 with
RL Zoo's settings (torch on one thread), same env, steps and seed, run side by side (each on
one core of its own). Prints the final greedy evaluation and wall time of each, and one JSON line.
Called by scripts/bench-mujoco-agents."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time


def sb3_run(algo: str, env_id: str, steps: int, seed: int, eval_episodes: int) -> dict:
    import gymnasium
    import numpy as np
    import torch
    from stable_baselines3 import SAC, TD3
    from stable_baselines3.common.noise import NormalActionNoise

    torch.set_num_threads(1)
    if algo == "ppo":
        return sb3_ppo_run(env_id, steps, seed, eval_episodes)
    env = gymnasium.make(env_id)
    common = dict(learning_starts=10_000, batch_size=256, buffer_size=1_000_000, seed=seed, verbose=0,
                  policy_kwargs=dict(net_arch=[256, 256]))
    if algo == "td3":
        actions = env.action_space.shape[0]
        model = TD3("MlpPolicy", env, learning_rate=1e-3, train_freq=1, gradient_steps=1,
                    action_noise=NormalActionNoise(np.zeros(actions), 0.1 * np.ones(actions)), **common)
    else:
        model = SAC("MlpPolicy", env, learning_rate=3e-4, **common)
    start = time.monotonic()
    model.learn(total_timesteps=steps)
    wall = time.monotonic() - start
    return {"eval_mean": evaluate(lambda obs: model.predict(obs, deterministic=True)[0], env_id, eval_episodes), "wall_s": wall}


def evaluate(act, env_id: str, episodes: int) -> float:
    """The mean return of `act` over greedy episodes seeded 10,000, 10,001, …"""
    import gymnasium
    import numpy as np

    returns = []
    evaluation = gymnasium.make(env_id)
    for episode in range(episodes):
        obs, _ = evaluation.reset(seed=10_000 + episode)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = evaluation.step(act(obs))
            total += float(reward)
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns))


def sb3_ppo_run(env_id: str, steps: int, seed: int, eval_episodes: int) -> dict:
    """PPO with RL Zoo's settings for the env's v4 (its ppo.yml), VecNormalize included."""
    from pathlib import Path

    import gymnasium
    import rl_zoo3
    import torch.nn as nn
    import yaml
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

    settings = yaml.safe_load((Path(rl_zoo3.__file__).parent / "hyperparams" / "ppo.yml").read_text())
    zoo = dict(settings[env_id.replace("-v5", "-v4")])
    for key in ("n_timesteps", "policy", "normalize", "n_envs"):
        zoo.pop(key, None)
    # RL Zoo writes policy_kwargs as Python source; rather than evaluate it, the same settings
    # (both MuJoCo entries share them), checked against the text.
    written = "".join(zoo.pop("policy_kwargs").split())
    for part in ("log_std_init=-2", "ortho_init=False", "activation_fn=nn.ReLU", "net_arch=dict(pi=[256,256],vf=[256,256])"):
        if part not in written:
            sys.exit(f"RL Zoo's {env_id} policy_kwargs changed: {written}")
    zoo["policy_kwargs"] = dict(log_std_init=-2, ortho_init=False, activation_fn=nn.ReLU, net_arch=dict(pi=[256, 256], vf=[256, 256]))
    env = VecNormalize(DummyVecEnv([lambda: gymnasium.make(env_id)]), gamma=zoo["gamma"])
    model = PPO("MlpPolicy", env, seed=seed, verbose=0, **zoo)
    start = time.monotonic()
    model.learn(total_timesteps=steps)
    wall = time.monotonic() - start
    env.training = False
    act = lambda obs: model.predict(env.normalize_obs(obs), deterministic=True)[0]  # noqa: E731
    return {"eval_mean": evaluate(act, env_id, eval_episodes), "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gym", required=True, help="the gym executable (release build)")
    parser.add_argument("--algo", choices=["td3", "sac", "ppo"], default="td3")
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--steps", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval-episodes", type=int, default=10)
    parser.add_argument("--sb3-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sb3_only:
        print(json.dumps(sb3_run(args.algo, args.env, args.steps, args.seed, args.eval_episodes)))
        return

    with tempfile.TemporaryDirectory(prefix="gym-mujoco-agents-") as scratch:
        ours_command = [args.gym, "train", args.algo, "--env", args.env, "--total-steps", str(args.steps),
                        "--seed", str(args.seed), "--eval-episodes", str(args.eval_episodes), "--quiet", "--json"]
        sb3_command = [sys.executable, __file__, "--sb3-only", "--gym", args.gym, "--algo", args.algo, "--env", args.env,
                       "--steps", str(args.steps), "--seed", str(args.seed), "--eval-episodes", str(args.eval_episodes)]
        start = time.monotonic()
        ours_process = subprocess.Popen(ours_command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=scratch)
        sb3_process = subprocess.Popen(sb3_command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=scratch)
        ours_out, ours_err = ours_process.communicate()
        sb3_out, sb3_err = sb3_process.communicate()
        if ours_process.returncode != 0 or sb3_process.returncode != 0:
            sys.exit(f"a run failed:\nours: {ours_err[-2000:]}\nsb3: {sb3_err[-2000:]}")
    ours = json.loads(ours_out.strip().splitlines()[-1])
    theirs = json.loads(sb3_out.strip().splitlines()[-1])
    print(f"{args.algo} on {args.env}, {args.steps} steps, seed {args.seed}, {args.eval_episodes} greedy episodes; "
          f"both at once, {time.monotonic() - start:.0f} s in all")
    print(f"{'':8} {'eval mean':>12} {'wall s':>10}")
    print(f"{'ours':8} {ours['eval_mean']:12.1f} {ours['wall_s']:10.1f}")
    print(f"{'sb3':8} {theirs['eval_mean']:12.1f} {theirs['wall_s']:10.1f}")
    print(json.dumps({"algo": args.algo, "env": args.env, "steps": args.steps, "seed": args.seed,
                      "ours_eval": ours["eval_mean"], "sb3_eval": theirs["eval_mean"],
                      "ours_wall_s": ours["wall_s"], "sb3_wall_s": theirs["wall_s"],
                      "wall_ratio": ours["wall_s"] / theirs["wall_s"]}))


if __name__ == "__main__":
    main()
