#!/usr/bin/env python3
"""Writes the convolution fixtures of the NeuralNet tests from PyTorch.

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch safetensors
    /tmp/torchenv/bin/python make_conv_fixtures.py

conv_fixtures.json: single `F.conv2d` cases (stride, padding, with and without bias, the Nature
CNN's three geometries). Each has float input, weight and bias, the output, and the gradients of
`sum(output * probe)` for a fixed random `probe` with respect to input, weight and bias.

nature_cnn_fixture.safetensors: CleanRL's Atari torso (Conv 32x8x8/4, 64x4x4/2, 64x3x3/1, Flatten,
Linear, ReLUs) with 16 output features on two 44x44 4-frame uint8 images in HWC layout, scaled as
`x.permute(0, 3, 1, 2).float() / 255.0`; an MSE loss against a random target; the parameters
(`param.<name>`), their gradients (`grad.<name>`), the bytes (`images`, as floats), the scaled
input, the output, the target and the loss.

Everything is float32, seeded and computed on one thread, so the output is deterministic for a
given torch version. The Swift tests read these files only; CI does not need torch.
"""
import json
import os

import torch
from safetensors.torch import save_file

torch.manual_seed(20261202)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def tensor_json(name, t):
    t = t.detach().to(torch.float32).contiguous()
    return {"name": name, "shape": list(t.shape), "data": [float(x) for x in t.reshape(-1).tolist()]}


# name, batch, in channels, height, width, out channels, kernel, stride, padding, bias
CONV_CASES = [
    ("k3s1p0", 2, 3, 7, 6, 4, 3, 1, 0, True),
    ("k3s2p1", 2, 2, 7, 7, 3, 3, 2, 1, True),
    ("k4s2p2_nobias", 1, 2, 9, 8, 2, 4, 2, 2, False),
    ("k5s3p4", 2, 1, 5, 6, 2, 5, 3, 4, True),
    ("k1s1p0", 3, 3, 4, 5, 2, 1, 1, 0, True),
    ("nature1_k8s4", 2, 4, 16, 16, 3, 8, 4, 0, True),
    ("nature2_k4s2", 2, 5, 9, 9, 4, 4, 2, 0, True),
    ("nature3_k3s1", 2, 6, 7, 7, 5, 3, 1, 0, True),
]

conv_cases = []
for name, n, c, h, w, oc, k, s, p, has_bias in CONV_CASES:
    x = torch.randn(n, c, h, w, requires_grad=True)
    weight = (torch.randn(oc, c, k, k) / (c * k * k) ** 0.5).requires_grad_(True)
    bias = torch.randn(oc).requires_grad_(True) if has_bias else None
    out = torch.nn.functional.conv2d(x, weight, bias, stride=s, padding=p)
    probe = torch.rand(out.shape) + 0.5
    (out * probe).sum().backward()
    case = {"name": name, "in_channels": c, "height": h, "width": w, "out_channels": oc,
            "kernel": k, "stride": s, "padding": p,
            "input": tensor_json("x", x.reshape(n, -1)), "weight": tensor_json("weight", weight),
            "output": tensor_json("out", out.reshape(n, -1)), "probe": tensor_json("probe", probe.reshape(n, -1)),
            "grad_input": tensor_json("grad_x", x.grad.reshape(n, -1)),
            "grad_weight": tensor_json("grad_weight", weight.grad)}
    if has_bias:
        case["bias"] = tensor_json("bias", bias)
        case["grad_bias"] = tensor_json("grad_bias", bias.grad)
    conv_cases.append(case)

with open(os.path.join(HERE, "conv_fixtures.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": conv_cases}, f, separators=(",", ":"))
    f.write("\n")

# ---------------------------------------------------------------- the Nature CNN torso end to end
FRAMES, SIDE, FEATURES, BATCH = 4, 44, 16, 2
net = torch.nn.Sequential(
    torch.nn.Conv2d(FRAMES, 32, 8, stride=4), torch.nn.ReLU(),
    torch.nn.Conv2d(32, 64, 4, stride=2), torch.nn.ReLU(),
    torch.nn.Conv2d(64, 64, 3, stride=1), torch.nn.ReLU(),
    torch.nn.Flatten(), torch.nn.Linear(64 * 2 * 2, FEATURES), torch.nn.ReLU(),
)
images = torch.randint(0, 256, (BATCH, SIDE, SIDE, FRAMES), dtype=torch.uint8)
x = images.permute(0, 3, 1, 2).float() / 255.0
out = net(x)
target = torch.randn(BATCH, FEATURES)
loss = torch.nn.functional.mse_loss(out, target)
loss.backward()
assert bool((out > 0).any()) and bool((out == 0).any()), "want both ReLU regimes at the output"

tensors = {"images": images.float(), "input": x.reshape(BATCH, -1), "output": out, "target": target,
           "loss": loss.detach().reshape(())}
for pname, param in net.named_parameters():
    tensors["param." + pname] = param.detach()
    tensors["grad." + pname] = param.grad
path = os.path.join(HERE, "nature_cnn_fixture.safetensors")
save_file({k: v.detach().contiguous() for k, v in tensors.items()}, path,
          metadata={"torch_version": torch.__version__, "frames": str(FRAMES), "side": str(SIDE),
                    "features": str(FEATURES)})
os.chmod(path, 0o644)
print("wrote conv_fixtures.json and nature_cnn_fixture.safetensors with torch", torch.__version__)
