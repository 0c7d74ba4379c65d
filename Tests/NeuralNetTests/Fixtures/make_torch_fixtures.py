#!/usr/bin/env python3
"""Writes torch_fixtures.json: expected values from PyTorch for the NeuralNet tests.

Run with a Python that has torch (e.g. a throwaway venv):
    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy safetensors
    /tmp/torchenv/bin/python make_torch_fixtures.py

Everything is float32 and seeded, so the output is deterministic for a given torch version.
Values are written as Python floats of float32 numbers, which round-trip exactly.
"""
import json
import os

import torch

torch.manual_seed(1234)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def tensor_json(name, t):
    t = t.detach().to(torch.float32).contiguous()
    return {"name": name, "shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


def named_list(pairs):
    return [tensor_json(n, t) for n, t in pairs]


# ---------------------------------------------------------------- optimizers on fixed gradients
OPTIMIZER_CASES = [
    ("sgd", "sgd_plain", dict(lr=0.1)),
    ("sgd", "sgd_momentum_wd", dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("sgd", "sgd_nesterov_dampening0", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.001)),
    ("sgd", "sgd_dampening", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("adam", "adam_wd", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)),
    ("adam", "adam_betas", dict(lr=0.003, betas=(0.8, 0.99), eps=1e-6)),
    ("adamw", "adamw_wd", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
    ("rmsprop", "rmsprop_wd", dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.01)),
    ("rmsprop", "rmsprop_centered_momentum", dict(lr=0.005, alpha=0.9, eps=1e-8, momentum=0.5, centered=True)),
]
STEPS = 5


def make_optimizer(kind, params, options):
    if kind == "sgd":
        return torch.optim.SGD(params, foreach=False, **options)
    if kind == "adam":
        return torch.optim.Adam(params, foreach=False, **options)
    if kind == "adamw":
        return torch.optim.AdamW(params, foreach=False, **options)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, foreach=False, **options)
    raise ValueError(kind)


initial = [("w", torch.randn(3, 4)), ("b", torch.randn(4))]
grads_per_step = [[("w", torch.randn(3, 4)), ("b", torch.randn(4) * 0.1)] for _ in range(STEPS)]

optimizers = []
for kind, name, options in OPTIMIZER_CASES:
    params = [t.clone().requires_grad_(True) for _, t in initial]
    opt = make_optimizer(kind, params, options)
    expected = []
    for step_grads in grads_per_step:
        opt.zero_grad()
        for p, (_, g) in zip(params, step_grads):
            p.grad = g.clone()
        opt.step()
        expected.append(named_list(zip([n for n, _ in initial], params)))
    opts = dict(options)
    if "betas" in opts:
        opts["beta1"], opts["beta2"] = opts.pop("betas")
    optimizers.append({"kind": kind, "name": name, "options": {k: float(v) for k, v in opts.items()},
                       "expected": expected})

# ---------------------------------------------------------------- gradient-norm clipping
clip_grads = [("w", torch.randn(3, 4) * 2), ("b", torch.randn(4))]
clip_cases = []
for max_norm in (1.0, 100.0):
    params = [torch.zeros_like(g).requires_grad_(True) for _, g in clip_grads]
    for p, (_, g) in zip(params, clip_grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    clip_cases.append({"max_norm": max_norm, "total_norm": float(total),
                       "clipped": named_list(zip(["w", "b"], [p.grad for p in params]))})


# ---------------------------------------------------------------- small MLPs: forward, Huber, backward
def sequential(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return torch.nn.Sequential(*layers)


ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "elu": torch.nn.ELU, "sigmoid": torch.nn.Sigmoid}
mlp_cases = []
for act_name in ("relu", "tanh", "elu", "sigmoid"):
    sizes = [3, 5, 4, 2]
    net = sequential(sizes, ACTIVATIONS[act_name])
    x = torch.randn(6, 3)
    # Targets far enough from the outputs that both Huber branches (|d| < 1 and |d| >= 1) occur.
    target = torch.randn(6, 2) * 2.0
    params_before = named_list(net.state_dict().items())
    out = net(x)
    loss = torch.nn.HuberLoss()(out, target)
    net.zero_grad()
    loss.backward()
    diffs = (out - target).abs().reshape(-1)
    assert bool((diffs < 1).any()) and bool((diffs >= 1).any()), "want both Huber regimes"
    mlp_cases.append({
        "activation": act_name, "sizes": sizes, "params": params_before,
        "input": tensor_json("x", x), "target": tensor_json("y", target),
        "output": tensor_json("out", out), "loss": float(loss.detach()),
        "grads": named_list((n, p.grad) for n, p in net.named_parameters()),
    })

# ---------------------------------------------------------------- a few Adam training steps on MSE
net = sequential([4, 16, 16, 2], torch.nn.ReLU)
x = torch.randn(8, 4)
target = torch.randn(8, 2)
params_before = named_list(net.state_dict().items())
opt = torch.optim.Adam(net.parameters(), lr=0.01, weight_decay=0.001, foreach=False)
losses = []
for _ in range(STEPS):
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(net(x), target)
    loss.backward()
    opt.step()
    losses.append(float(loss.detach()))
training = {"sizes": [4, 16, 16, 2], "activation": "relu", "lr": 0.01, "weight_decay": 0.001,
            "params": params_before, "input": tensor_json("x", x), "target": tensor_json("y", target),
            "losses": losses, "params_after": named_list(net.state_dict().items())}

fixture = {"torch_version": torch.__version__, "steps": STEPS,
           "initial": named_list(initial), "grads": [named_list(g) for g in grads_per_step],
           "optimizers": optimizers, "clip": {"grads": named_list(clip_grads), "cases": clip_cases},
           "mlp_huber": mlp_cases, "training": training}
with open(os.path.join(HERE, "torch_fixtures.json"), "w") as f:
    json.dump(fixture, f, indent=1)
    f.write("\n")
print("wrote torch_fixtures.json with torch", torch.__version__)
