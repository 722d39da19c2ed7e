#!/usr/bin/env python3
"""Golden outputs for the NIR import tests (run by hand; CI only reads what it writes).

    python3 -m venv venv && venv/bin/pip install torch nir norse snntorch
    venv/bin/python scripts/nir_golden.py

Reads the graphs in tests/fixtures/nir-paper/, runs each one in Norse
(`norse.torch.from_nir(graph, dt=1e-4)`, the Δt of the NIR paper) on a fixed, seeded spike
input, and writes tests/fixtures/nir-paper/golden/:

- `input.csv`: the spike input (T rows × 12 columns of 0/1), numpy seed 2026, p = 0.15;
- `<graph>.json`: per step, Norse's first-layer spikes and membrane (after the reset), and
  its output layer's spikes and membrane, plus the smallest distance of any pre-reset
  membrane from its threshold (how close a spike came to flipping);
- `snntorch_rsynaptic.nir`: a small recurrent network (12 → 10 RSynaptic → 4 Synaptic,
  torch seed 2026) exported by snnTorch itself, which writes the recurrent layer's sub-graph
  flattened as `lif1.lif` / `lif1.w_rec`; `snntorch_rsynaptic_nested.nir`: the same network
  with that sub-graph as a nested NIRGraph node `lif1`, written by `nir.write`; each with its
  Norse run in a `.json` of the same name (snnTorch 1.0's own importer refuses all three
  recurrent graphs: 'GraphModule' object has no attribute 'items');
- `lif_norse.json`: Norse's voltage trace of `lif_norse.nir` on the CSV's input column.

Norse's discretisation (read from norse 1.1 `torch/utils/import_nir.py`, `functional/lif_box.py`,
`functional/leaky_integrator_box.py` and nirtorch 2.6 `graph_executor.py`) is written down in
tests/fixtures/nir-paper/README.md.
"""

import json
import logging
import sys
import warnings
from pathlib import Path

import nir
import norse.torch
import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "nir-paper"
GOLDEN = FIXTURES / "golden"
DT = 1e-4
STEPS = 200
SEED = 2026
RATE = 0.05

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)


def rows(t):
    return [[float(v) for v in row] for row in t]


def run_norse(graph, inputs, layers):
    """Steps the Norse module over `inputs` [T, n]; returns per-layer spikes and membranes.

    `layers` maps a label to the (sanitised) name of a CubaLIF node in the executor (possibly
    'outer.inner' for a nested sub-graph)."""
    module = norse.torch.from_nir(graph, dt=DT)
    state = None
    out = {label: {"spikes": [], "membrane": []} for label in layers}
    margin = float("inf")
    for x in inputs:
        _, state = module(torch.as_tensor(x, dtype=torch.float32).reshape(1, -1), state)
        for label, path in layers.items():
            cache, st, sub = state.cache, state.state, None
            parts = path.split(".")
            for p in parts[:-1]:
                sub = st[p][0]
                cache, st = sub.cache, sub.state
            z = cache[parts[-1]][0]
            _, lif_state = st[parts[-1]][0]
            v = lif_state.v.reshape(-1)
            out[label]["spikes"].append([float(s) for s in z.reshape(-1)])
            out[label]["membrane"].append([float(f"{u:.8g}") for u in v])
        # A spike resets v to 0, so the pre-reset distance is only known for non-spiking
        # neurons; spiking ones are at least their post-threshold excess away (not tracked).
        for label in layers:
            z = np.array(out[label]["spikes"][-1])
            v = np.array(out[label]["membrane"][-1])
            thr = 1.0
            if (z == 0).any():
                margin = min(margin, float(np.min(np.abs(v[z == 0] - thr))))
    return out, margin


def braille(name, inputs):
    graph = nir.read(str(FIXTURES / f"{name}.nir"))
    layers = {"hidden": "lif1_lif", "output": "lif2"}
    out, margin = run_norse(graph, inputs, layers)
    return record(f"{name}.nir", out, margin, len(inputs))


def record(graph_file, out, margin, steps, **extra):
    """The golden JSON of one Norse run."""
    return {
        "graph": graph_file,
        **extra,
        "simulator": f"norse {norse.__version__} from_nir(graph, dt={DT})",
        "dt_s": DT,
        "steps": steps,
        "input": "input.csv",
        "hidden_spikes": out["hidden"]["spikes"],
        "hidden_membrane_after_reset": out["hidden"]["membrane"],
        "output_spikes": out["output"]["spikes"],
        "output_membrane_after_reset": out["output"]["membrane"],
        "min_distance_from_threshold_of_silent_neurons": margin,
    }


def snntorch_graph(inputs):
    """A recurrent network exported by snnTorch itself: 12 → 10 RSynaptic → 4 Synaptic."""
    import snntorch as snn
    from snntorch.export_nir import export_to_nir

    torch.manual_seed(SEED)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(12, 10)
            self.lif1 = snn.RSynaptic(
                alpha=0.8, beta=0.9, linear_features=10, reset_mechanism="zero"
            )
            self.fc2 = torch.nn.Linear(10, 4)
            self.lif2 = snn.Synaptic(
                alpha=torch.full((4,), 0.7),
                beta=torch.full((4,), 0.85),
                threshold=torch.ones(4),
                reset_mechanism="zero",
            )

        def forward(self, x):
            spk, syn, mem = self.lif1(self.fc1(x))
            spk2, syn2, mem2 = self.lif2(self.fc2(spk))
            return spk2

    net = Net()
    with torch.no_grad():
        net.fc1.weight.mul_(4.0)
        net.lif1.recurrent.weight.mul_(2.0)
        net.fc2.weight.mul_(4.0)
    graph = export_to_nir(net, torch.zeros(1, 12), ignore_dims=[0])
    path = GOLDEN / "snntorch_rsynaptic.nir"
    nir.write(str(path), graph)
    return nir.read(str(path))


def nested(flat):
    """The same graph with the recurrent layer as a nested NIRGraph node `lif1` (nodes
    input, lif, w_rec, output), as `nir.write` stores a sub-graph."""
    n = flat.nodes
    size = n["lif1.lif"].tau_mem.shape[0]
    sub = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([size])),
            "lif": n["lif1.lif"],
            "w_rec": n["lif1.w_rec"],
            "output": nir.Output(output_type=np.array([size])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
        type_check=False,
    )
    nodes = {k: v for k, v in n.items() if not k.startswith("lif1.")}
    nodes["lif1"] = sub
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
    graph = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    path = GOLDEN / "snntorch_rsynaptic_nested.nir"
    nir.write(str(path), graph)
    return nir.read(str(path))


def snntorch_golden(graph, file, hidden, inputs):
    out, margin = run_norse(graph, inputs, {"hidden": hidden, "output": "lif2"})
    import snntorch

    writer = f"snntorch {snntorch.__version__} export_to_nir, torch seed {SEED}"
    return record(f"golden/{file}", out, margin, len(inputs), writer=writer)


def lif_trace():
    """lif_norse.nir driven by the input column of lif_norse.csv, as Norse runs it."""
    graph = nir.read(str(FIXTURES / "lif_norse.nir"))
    module = norse.torch.from_nir(graph, dt=DT)
    spikes_in = np.loadtxt(FIXTURES / "lif_norse.csv", delimiter=",")[:, 0]
    state, v, z = None, [], []
    for x in spikes_in:
        out, state = module(torch.tensor([[x]], dtype=torch.float32), state)
        v.append(float(state.state["1"][0].v.reshape(-1)[0]))
        z.append(float(out.reshape(-1)[0]))
    return {
        "graph": "lif_norse.nir",
        "simulator": f"norse {norse.__version__} from_nir(graph, dt={DT})",
        "dt_s": DT,
        "input": "column 0 of lif_norse.csv",
        "membrane_after_reset": v,
        "spikes": z,
    }


def write_json(path, value):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value, separators=(",", ":")) + "\n")
    tmp.replace(path)


def main():
    GOLDEN.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    inputs = (rng.random((STEPS, 12)) < RATE).astype(np.float32)
    np.savetxt(GOLDEN / "input.csv", inputs, fmt="%d", delimiter=",")
    for name in ["braille_noDelay_bias_zero", "braille_noDelay_noBias_subtract"]:
        result = braille(name, inputs)
        write_json(GOLDEN / f"{name}.json", result)
        print(
            name,
            "hidden spikes",
            int(np.sum(result["hidden_spikes"])),
            "output spikes",
            int(np.sum(result["output_spikes"])),
            "margin",
            result["min_distance_from_threshold_of_silent_neurons"],
        )
    flat = snntorch_graph(inputs)
    for graph, file, hidden in [
        (flat, "snntorch_rsynaptic.nir", "lif1_lif"),
        (nested(flat), "snntorch_rsynaptic_nested.nir", "lif1.lif"),
    ]:
        result = snntorch_golden(graph, file, hidden, inputs)
        write_json(GOLDEN / file.replace(".nir", ".json"), result)
        print(
            file,
            "hidden spikes",
            int(np.sum(result["hidden_spikes"])),
            "output spikes",
            int(np.sum(result["output_spikes"])),
        )
    trace = lif_trace()
    write_json(GOLDEN / "lif_norse.json", trace)
    reference = np.loadtxt(FIXTURES / "lif_norse.csv", delimiter=",")
    print(
        "lif_norse: max |v − csv| =",
        float(np.max(np.abs(np.array(trace["membrane_after_reset"]) - reference[:, 1]))),
        "spikes",
        int(sum(trace["spikes"])),
    )


if __name__ == "__main__":
    sys.exit(main())
