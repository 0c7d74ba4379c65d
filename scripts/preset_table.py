"""The preset table: every (algorithm, environment) cell of the runs issue trained with its
preset (`gym train ALGO --env ID --seeds 1-5 --jobs 2 --json`), beside RL Zoo's published
score for the pair. A cell passes when at least 4 of its 5 seeds reach the bar: the
environment's reward threshold, or RL Zoo's score where that is lower (or where the
environment has none). Prints a Markdown table and one JSON line per cell as it finishes.
Called by scripts/preset-table."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Cell:
    """One (algorithm, environment) pair of the table."""

    algo: str
    env: str
    # The environment's reward threshold, None when it has none.
    threshold: float | None
    # RL Zoo's benchmark.md score for the pair (None: RL Zoo has none) and its budget.
    zoo_score: float | None = None
    zoo_steps: int | None = None
    # Served by the Python bridge rather than the daemon's own plugins.
    bridge: bool = False

    @property
    def bar(self) -> float:
        """What a seed's final evaluation must reach."""
        candidates = [value for value in (self.threshold, self.zoo_score) if value is not None]
        return min(candidates)

    @property
    def name(self) -> str:
        return f"{self.algo}/{self.env}"


CELLS = [
    Cell("sarsa", "CartPole-v0", 195),
    Cell("qlearning", "CartPole-v0", 195),
    Cell("sarsa", "CartPole-v1", 475),
    Cell("qlearning", "CartPole-v1", 475),
    Cell("dqn", "CartPole-v1", 475, 500, 50_000),
    Cell("reinforce", "CartPole-v1", 475),
    Cell("a2c", "CartPole-v1", 475, 500, 500_000),
    Cell("a3c", "CartPole-v1", 475),
    Cell("ppo", "CartPole-v1", 475, 500, 100_000),
    Cell("dqn", "Acrobot-v1", -100, -76.6, 100_000),
    Cell("a2c", "Acrobot-v1", -100, -83.4, 500_000),
    Cell("ppo", "Acrobot-v1", -100, -73.5, 1_000_000),
    Cell("dqn", "MountainCar-v0", -110, -100.8, 120_000),
    Cell("ppo", "MountainCar-v0", -110, -110.4, 1_000_000),
    Cell("ppo", "MountainCarContinuous-v0", 90, 88.3, 20_000),
    Cell("sac", "MountainCarContinuous-v0", 90, 94.7, 50_000),
    Cell("td3", "MountainCarContinuous-v0", 90, 93.5, 300_000),
    Cell("ppo", "Pendulum-v1", None, -172.2, 100_000),
    Cell("sac", "Pendulum-v1", None, -157.0, 20_000),
    Cell("td3", "Pendulum-v1", None, -151.9, 20_000),
    Cell("ddpg", "Pendulum-v1", None, -152.1, 20_000),
    Cell("dqn", "Flyer-v0", 0.9),
    Cell("ppo", "Flyer-v0", 0.9),
    # RL Zoo's scores are for LunarLander-v2 (v3 fixes bugs without changing the task).
    Cell("dqn", "LunarLander-v3", 200, 154.4, 100_000, bridge=True),
    Cell("ppo", "LunarLander-v3", 200, 242.1, 1_000_000, bridge=True),
]


def train(gym: str, cell: Cell, seeds: str, jobs: int, episodes: int, server: str | None, workdir: str, extra: list[str]) -> dict:
    """Runs the cell's seeds and returns the aggregate summary (with "runs", one per seed)."""
    command = [gym, "train", cell.algo, "--env", cell.env, "--seeds", seeds, "--jobs", str(jobs),
               "--eval-episodes", str(episodes), "--json", "--quiet", *extra]
    if server:
        command += ["--server", server]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, cwd=workdir)
    wall = time.monotonic() - started
    preset = next((line.split("using preset", 1)[1].strip() for line in result.stderr.splitlines() if "using preset" in line), None)
    try:
        summary = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        summary = {"error": result.stderr.strip().splitlines()[-3:]}
    summary["preset"] = preset
    summary["cell_wall_s"] = round(wall, 1)
    summary["status"] = result.returncode
    return summary


def verdict(cell: Cell, summary: dict) -> dict:
    """The cell's row: per-seed evaluations, steps and wall times, and whether it passes."""
    runs = summary.get("runs") or []
    evals = [run.get("eval_mean") for run in runs]
    passing = sum(1 for value in evals if value is not None and value >= cell.bar)
    return {
        "cell": cell.name, "bar": cell.bar, "zoo_score": cell.zoo_score, "zoo_steps": cell.zoo_steps,
        "preset": summary.get("preset"), "seeds": [run.get("seed") for run in runs], "evals": evals,
        "steps": [run.get("steps") for run in runs], "wall_s": [run.get("wall_s") for run in runs],
        "eval_mean": summary.get("eval_mean"), "eval_iqm": summary.get("eval_iqm"),
        "passing_seeds": passing, "passes": passing >= 4 and len(runs) >= 5,
        "within_zoo_budget": cell.zoo_steps is None or all(s is not None and s <= cell.zoo_steps for s in [run.get("steps") for run in runs]),
        "status": summary.get("status"), "error": summary.get("error"),
    }


def markdown(rows: list[dict]) -> str:
    def number(value, digits=1):
        return "–" if value is None else f"{value:.{digits}f}"

    lines = ["| cell | bar | RL Zoo (steps) | seeds 1–5: final evaluation | steps (max) | wall s (max) | passes |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        zoo = "–" if row["zoo_score"] is None else f"{row['zoo_score']} ({row['zoo_steps']:,})"
        evals = ", ".join(number(value) for value in row["evals"]) or f"failed: {row['error']}"
        steps = max((s for s in row["steps"] if s is not None), default=None)
        wall = max((w for w in row["wall_s"] if w is not None), default=None)
        lines.append(f"| `{row['cell']}` | {row['bar']} | {zoo} | {evals} | {'–' if steps is None else f'{steps:,}'} | "
                     f"{number(wall)} | {row['passing_seeds']}/5{' ✓' if row['passes'] else ''} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gym", required=True, help="the gym executable (release build)")
    parser.add_argument("--only", action="append", default=[],
                        help="run the cells whose ALGO/ENV contains this text (repeatable; default: all)")
    parser.add_argument("--seeds", default="1-5")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--eval-episodes", type=int, default=100,
                        help="greedy episodes in each seed's final evaluation (RL Zoo's scores average many episodes; "
                             "20 leaves Pendulum's mean at the mercy of its start states)")
    parser.add_argument("--json-out", help="also append each row as a JSON line to this file")
    parser.add_argument("extra", nargs="*", help="arguments passed on to every gym train (after --)")
    args = parser.parse_args()
    args.gym = str(Path(args.gym).resolve())
    cells = [cell for cell in CELLS if not args.only or any(part in cell.name for part in args.only)]
    if not cells:
        sys.exit(f"no cell matches {args.only}")
    rows = []
    bridge = None
    with tempfile.TemporaryDirectory(prefix="preset-table-") as workdir:
        try:
            for cell in cells:
                server = None
                if cell.bridge:
                    if bridge is None:
                        from gymd.daemon_process import start_bridge
                        bridge_ids = sorted({c.env for c in cells if c.bridge})
                        bridge = start_bridge(*bridge_ids)
                        bridge.__enter__()
                    server = bridge.endpoint
                print(f"{cell.name} ...", file=sys.stderr, flush=True)
                row = verdict(cell, train(args.gym, cell, args.seeds, args.jobs, args.eval_episodes, server, workdir, args.extra))
                rows.append(row)
                print(json.dumps(row), flush=True)
                if args.json_out:
                    with open(args.json_out, "a") as out:
                        out.write(json.dumps(row) + "\n")
        finally:
            if bridge is not None:
                bridge.__exit__(None, None, None)
    print(markdown(rows))
    passed = sum(1 for row in rows if row["passes"])
    print(f"{passed} of {len(rows)} cells pass", file=sys.stderr)


if __name__ == "__main__":
    main()
