#!/usr/bin/env python3
"""Writes python_written.safetensors with the reference safetensors library (numpy flavour).

    /tmp/torchenv/bin/python make_safetensors_fixture.py

The Swift test loads this file and checks the values below, so keep them in sync:
  "layer.weight": float32 [2, 3] = 0.5 * (arange(6) - 2.5)  ->  -1.25, -0.75, -0.25, 0.25, 0.75, 1.25
  "layer.bias":   float32 [3]    = [1.0, -2.0, 3.5]
  "scalar":       float32 []     = 42.0
  "empty":        float32 [0, 4]
  metadata: {"format": "np", "note": "written by python safetensors"}
"""
import os

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
tensors = {
    "layer.weight": (0.5 * (np.arange(6, dtype=np.float32) - 2.5)).reshape(2, 3),
    "layer.bias": np.array([1.0, -2.0, 3.5], dtype=np.float32),
    "scalar": np.array(42.0, dtype=np.float32),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
save_file(tensors, os.path.join(HERE, "python_written.safetensors"),
          metadata={"format": "np", "note": "written by python safetensors"})
print("wrote python_written.safetensors")
