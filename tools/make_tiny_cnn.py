#!/usr/bin/python3
"""Builds examples/models/tiny_cnn.onnx: a small image classifier with fixed (seeded) weights, for
the classify example and its tests. Also writes its weights as JSON, so that the tests can
compute the same network independently.

    conv 3->8 (3x3, pad 1) -> relu -> maxpool 2x2 -> conv 8->16 (3x3, pad 1) -> relu
    -> global average pool -> flatten -> gemm 16->10            input [1, 3, 32, 32] -> logits [1, 10]

Run with Debian's python3-onnx and python3-numpy: /usr/bin/python3 tools/make_tiny_cnn.py
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "examples", "models")
rng = np.random.default_rng(20261127)
weights = {
    "w1": rng.normal(0, 0.4, (8, 3, 3, 3)).astype(np.float32),
    "b1": rng.normal(0, 0.1, (8,)).astype(np.float32),
    "w2": rng.normal(0, 0.2, (16, 8, 3, 3)).astype(np.float32),
    "b2": rng.normal(0, 0.1, (16,)).astype(np.float32),
    "w3": rng.normal(0, 0.5, (10, 16)).astype(np.float32),
    "b3": rng.normal(0, 0.1, (10,)).astype(np.float32),
}
nodes = [
    helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c2"], ["r2"]),
    helper.make_node("GlobalAveragePool", ["r2"], ["g"]),
    helper.make_node("Flatten", ["g"], ["f"], axis=1),
    helper.make_node("Gemm", ["f", "w3", "b3"], ["logits"], transB=1),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
    [numpy_helper.from_array(v, k) for k, v in weights.items()])
model = helper.make_model(graph, producer_name="fovea tools/make_tiny_cnn.py", opset_imports=[helper.make_opsetid("", 11)])
model.ir_version = 6
onnx.checker.check_model(model)
os.makedirs(out_dir, exist_ok=True)
onnx.save(model, os.path.join(out_dir, "tiny_cnn.onnx"))
with open(os.path.join(out_dir, "tiny_cnn.weights.json"), "w") as f:
    json.dump({k: {"shape": list(v.shape), "values": [float(x) for x in v.ravel()]} for k, v in weights.items()}, f)
print("wrote", os.path.join(out_dir, "tiny_cnn.onnx"))
