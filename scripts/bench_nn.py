"""The network library against PyTorch (CPU, one thread), in one run: the same models, batch
sizes and steps, alternated, repeated, medians and ratios. Called by scripts/bench-nn."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import time

CASES = [
    # (name, model, batch, forward only)
    ("mlp 17-256-256-6 fwd+bwd+adam batch 256", "mlp", 256, False),
    ("nature-cnn fwd+bwd+adam batch 32", "nature-cnn", 32, False),
    ("nature-cnn forward batch 8", "nature-cnn", 8, True),
]


def cpu_microseconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (usage.ru_utime + usage.ru_stime) * 1e6


def torch_case(model: str, batch: int, forward_only: bool, iterations: int, warmup: int) -> dict:
    import torch
    from torch import nn

    torch.manual_seed(0)
    if model == "mlp":
        net = nn.Sequential(nn.Linear(17, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 6))
        x = torch.randn(batch, 17)
        lr = 3e-4
    else:
        net = nn.Sequential(nn.Conv2d(4, 32, 8, stride=4), nn.ReLU(), nn.Conv2d(32, 64, 4, stride=2), nn.ReLU(),
                            nn.Conv2d(64, 64, 3, stride=1), nn.ReLU(), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(),
                            nn.Linear(512, 6))
        frames = torch.randint(0, 256, (batch, 4, 84, 84), dtype=torch.uint8)
        lr = 2.5e-4
    y = torch.randn(batch, 6)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)

    def step():
        inputs = x if model == "mlp" else frames.float() / 255.0
        if forward_only:
            with torch.no_grad():
                net(inputs)
            return
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(net(inputs), y)
        loss.backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    times = []
    cpu_start = cpu_microseconds()
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e6)
    cpu = (cpu_microseconds() - cpu_start) / iterations
    times.sort()
    return {"median_us": times[len(times) // 2], "min_us": times[0], "cpu_us": cpu}


def ours_case(binary: str, model: str, batch: int, forward_only: bool, iterations: int, warmup: int) -> dict:
    command = [binary, model, "--batch", str(batch), "--iterations", str(iterations), "--warmup", str(warmup)]
    if forward_only:
        command.append("--forward-only")
    # The library runs OpenBLAS on the calling thread, but the pool OpenBLAS starts at load spins
    # for a moment first; a short run would count that start-up cost, a training run does not.
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=environment).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--binary", required=True, help="the NNBench executable (release build)")
    parser.add_argument("--repeats", type=int, default=5, help="alternated runs of each side per case")
    parser.add_argument("--iterations", type=int, default=100, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps before each run")
    args = parser.parse_args()

    import torch
    torch.set_num_threads(1)
    rows = []
    ratios = {}
    for name, model, batch, forward_only in CASES:
        ours, theirs = [], []
        for _ in range(args.repeats):
            ours.append(ours_case(args.binary, model, batch, forward_only, args.iterations, args.warmup))
            theirs.append(torch_case(model, batch, forward_only, args.iterations, args.warmup))
        row = {"case": name}
        for key in ("median_us", "cpu_us"):
            row[f"ours_{key}"] = statistics.median(r[key] for r in ours)
            row[f"torch_{key}"] = statistics.median(r[key] for r in theirs)
        row["ratio_wall"] = row["ours_median_us"] / row["torch_median_us"]
        row["ratio_cpu"] = row["ours_cpu_us"] / row["torch_cpu_us"]
        rows.append(row)
        ratios[f"{model}_b{batch}{'_fwd' if forward_only else ''}"] = round(row["ratio_cpu"], 3)

    print(f"torch {torch.__version__}, 1 thread; {args.repeats} alternated runs of {args.iterations} steps; medians")
    print(f"{'case':44} {'ours µs':>10} {'torch µs':>10} {'ours cpu':>10} {'torch cpu':>10} {'wall×':>7} {'cpu×':>7}")
    for row in rows:
        print(f"{row['case']:44} {row['ours_median_us']:10.0f} {row['torch_median_us']:10.0f} {row['ours_cpu_us']:10.0f} "
              f"{row['torch_cpu_us']:10.0f} {row['ratio_wall']:7.3f} {row['ratio_cpu']:7.3f}")
    print(json.dumps({"nn_time_ratio_vs_torch": ratios}))


if __name__ == "__main__":
    main()
