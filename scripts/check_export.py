#!/usr/bin/env python3
"""Open surrogate-lab's exports with the tools users have (run by hand, not in CI).

    pip install nir safetensors numpy   # torch too, to check the PyTorch route
    surrogate-lab train --epochs 5 --save-weights net.safetensors --save-nir net.nir
    python3 scripts/check_export.py net.safetensors net.nir

Loads the NIR graph with nir.read and prints its nodes and edges; loads the safetensors file
with safetensors.torch.load_file (or safetensors.numpy without torch) and checks that each
matrix is (out, in), i.e. usable as nn.Linear(in, out).weight.
"""
import json
import sys

import nir

try:
    from safetensors.torch import load_file

    backend = "torch"
except ImportError:
    from safetensors.numpy import load_file

    backend = "numpy"
from safetensors import safe_open


def main(weights_path, nir_path):
    graph = nir.read(nir_path)
    print(f"nir.read({nir_path!r}): {len(graph.nodes)} nodes")
    for name, node in graph.nodes.items():
        shape = getattr(node, "weight", None)
        extra = f" weight {tuple(shape.shape)}" if shape is not None else ""
        print(f"  {name:8s} {type(node).__name__}{extra}")
    print("  edges:", graph.edges)
    print("  metadata:", graph.metadata)

    tensors = load_file(weights_path)
    with safe_open(weights_path, framework="numpy") as f:
        meta = f.metadata() or {}
    config = json.loads(meta["config"]) if "config" in meta else None
    print(f"load_file({weights_path!r}) with {backend}:")
    for name, t in tensors.items():
        print(f"  {name:30s} {tuple(t.shape)}")
    if config:
        hidden = config["model"]["hidden"]
        first = tensors["hidden.0.weight"]
        assert tuple(first.shape) == (hidden[0], first.shape[1]), "expected (out, in)"
        assert tuple(tensors["readout.weight"].shape)[1] == hidden[-1], "expected (out, in)"
        print(f"  orientation (out, in) confirmed against the stored config (hidden {hidden})")
        print(f"  summary: epoch {meta.get('epoch')}, test_acc {meta.get('test_acc')}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
