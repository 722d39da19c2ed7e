#!/usr/bin/env python3
"""Does snnTorch or Norse compute what we computed? Run by hand; CI never needs it.

    python3 -m venv venv && venv/bin/pip install torch nir norse snntorch
    surrogate-lab train --epochs 15 --save-weights net.safetensors
    surrogate-lab export --weights net.safetensors --nir net-snntorch.nir --flavour snntorch
    surrogate-lab export --weights net.safetensors --nir net-norse.nir --flavour norse
    surrogate-lab eval --weights net.safetensors --predictions ours.csv
    venv/bin/python scripts/check_nir_roundtrip.py net-snntorch.nir net-norse.nir \
        --predictions ours.csv

Trains nothing. Loads each exported graph in the library its flavour names (the `flavour`
of the graph's metadata) — `snntorch.import_nir.import_from_nir` or
`norse.torch.from_nir(graph, dt=Δt)` —, runs it step by step on the bundled MNIST-5k test
set (assets/mnist-5k, latency-encoded exactly as the program does: a pixel x = byte/255 > θ
fires once, at step ⌊τ·ln(x/(x − θ))⌋), and prints the library's test accuracy and how
often its predicted class equals ours (`eval --predictions`).

A network trained in the paper's conventions (`model.current = previous`,
`model.reset_timing = next`, the default) answers later than the library: the graph's
`readout_lead_steps` (2·layers + 1 for the readout) says by how much, and the library's
readout membrane at step m is ours at m + lead. The "aligned" columns read the library's
readout that way (the first `lead` steps of ours are 0); the "as is" columns take its T
steps as they come, as a user would. A network trained in the libraries' conventions
(`model.current = this`, `model.reset_timing = same`) has a lead of 0: both columns agree.

snnTorch's importer sets `reset_delay = False` (reset in the same step). For graphs whose
metadata says `reset_timing = next` (the paper's reset) the script also runs snnTorch's
default, `reset_delay = True`, which is exactly that reset.

snnTorch 1.0's `import_from_nir` fails on every recurrent graph (nirtorch 2.6:
'GraphModule' object has no attribute 'items'); for those the script builds the network
from snnTorch's own per-node converter (`_nir_to_snntorch_module`, which maps the
recurrent sub-graph to `snn.RSynaptic`) and chains the modules itself. `RSynaptic` with
`reset_delay = False` then fails at its first step (its same-step reset reads the
`spk`/`mem` arguments, None with `init_hidden=True`, and would write a local). For
recurrent `reset_timing = same` graphs the script therefore also runs "same-step reset by
the script": each `RSynaptic` gets `reset_delay = True` and, after each step, the membrane
of every neuron of it that fired set to 0, which is what snnTorch's `Synaptic` does with
`reset_delay = False` (the delayed reset then finds nothing above threshold and does
nothing).
"""

import argparse
import contextlib
import csv
import gzip
import io
import logging
import sys
import warnings
from pathlib import Path

import nir
import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "assets" / "mnist-5k"

warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)


def idx(path):
    """An IDX file (gzip) as a numpy array."""
    raw = gzip.open(path).read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def latency(images, steps, tau, theta):
    """[T, N, 784] spikes: one per pixel x > θ at step ⌊τ·ln(x/(x − θ))⌋ < T."""
    x = images.reshape(len(images), -1).astype(np.float64) / 255.0
    out = np.zeros((steps, *x.shape), dtype=np.float32)
    n, unit = np.nonzero(x > theta)
    t = np.floor(tau * np.log(x[n, unit] / (x[n, unit] - theta)))
    keep = t < steps
    out[t[keep].astype(int), n[keep], unit[keep]] = 1.0
    return out


def meta(graph, key, default=None):
    value = graph.metadata.get(key, default)
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, np.ndarray):
        value = value.item()
        if isinstance(value, bytes):
            value = value.decode()
    return value


def scores(trace, loss, steps, lead):
    """Class scores [N, classes] from the library's readout [T, N, classes]."""
    if lead:
        pad = torch.zeros((lead, *trace.shape[1:]), dtype=trace.dtype)
        trace = torch.cat([pad, trace[: steps - lead]])
    if loss == "max_over_time":
        return trace.max(0).values
    if loss == "sum_over_time":
        return trace.mean(0)
    return trace[-1]


def run_norse(path, spikes):
    """Norse's readout membrane [T, N, classes]."""
    import norse.torch

    graph = nir.read(str(path))
    module = norse.torch.from_nir(graph, dt=float(meta(graph, "dt")))
    state, trace = None, []
    with torch.no_grad():
        for x in spikes:
            _, state = module(x, state)
            _, lif = state.state["lif_out"][0]
            trace.append(lif.v.clone())
    return torch.stack(trace)


def snntorch_modules(graph):
    """The network as snnTorch's importer builds it: import_from_nir, or for recurrent
    graphs (where it fails) its own per-node converter, chained in order."""
    from snntorch import import_nir

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            net = import_nir.import_from_nir(nir.read(graph))
            return net, None
        except AttributeError:
            g = import_nir._replace_rnn_subgraph_with_nirgraph(nir.read(graph))
    order, node = [], "input"
    while node != "output":
        node = next(b for a, b in g.edges if a == node)
        if node != "output":
            order.append(node)
    with contextlib.redirect_stdout(io.StringIO()):
        mods = [(n, import_nir._nir_to_snntorch_module(g.nodes[n], init_hidden=True)) for n in order]
    return None, mods


def run_snntorch(path, spikes, batch, mode):
    """snnTorch's readout membrane [T, N, classes], `batch` samples at a time. `mode`:
    "as imported"; "reset_delay" (every neuron gets snnTorch's default reset_delay=True
    back); "same-step" (reset_delay=True and the membrane of every neuron that fired zeroed
    after each step by the script, for RSynaptic only: Synaptic's own works)."""
    import snntorch as snn

    traces = []
    with torch.no_grad():
        for start in range(0, spikes.shape[1], batch):
            net, chain = snntorch_modules(str(path))  # fresh state per batch
            mods = list(net.modules()) if net is not None else [m for _, m in chain]
            if mode == "reset_delay":
                patched = [m for m in mods if isinstance(m, snn.SpikingNeuron)]
            elif mode == "same-step":
                patched = [m for m in mods if isinstance(m, snn.RSynaptic)]
            else:
                patched = []
            for m in patched:
                m.reset_delay = True
            trace = []
            for x in spikes[:, start : start + batch]:
                if net is not None:
                    net(x)
                    out = net.lif_out
                else:
                    h = x
                    for _, m in chain:
                        h = m(h)
                    out = dict(chain)["lif_out"]
                if mode == "same-step":
                    for m in patched:
                        m.mem = m.mem * (1.0 - m.spk)
                trace.append(out.mem.clone())
            traces.append(torch.stack(trace))
    return torch.cat(traces, dim=1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("graphs", nargs="+", type=Path, help="exported .nir files (snntorch/norse flavour)")
    p.add_argument("--predictions", type=Path, required=True, help="ours: eval --predictions CSV")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--tau", type=float, default=20.0)
    p.add_argument("--theta", type=float, default=0.2)
    p.add_argument("--batch", type=int, default=250)
    p.add_argument("--limit", type=int, default=None, help="only the first N test samples")
    args = p.parse_args()

    labels = idx(DATA / "t10k-labels-idx1-ubyte.gz").astype(int)
    images = idx(DATA / "t10k-images-idx3-ubyte.gz")
    with open(args.predictions) as f:
        ours = list(csv.DictReader(f))
    our_labels = np.array([int(r["label"]) for r in ours])
    our_pred = np.array([int(r["prediction"]) for r in ours])
    if not np.array_equal(our_labels, labels[: len(our_labels)]):
        sys.exit("the predictions file's labels are not the bundled test set's, in order")
    n = args.limit or len(ours)
    spikes = torch.from_numpy(latency(images[:n], args.steps, args.tau, args.theta))
    our_acc = float(np.mean(our_pred[:n] == labels[:n]))

    print("| graph | library | ours: acc | library: acc aligned | agreement aligned | acc as is | agreement as is |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for path in args.graphs:
        graph = nir.read(str(path))
        flavour = meta(graph, "flavour", "generic")
        loss = meta(graph, "loss", "max_over_time")
        lead = int(meta(graph, "readout_lead_steps", 0))
        if flavour == "norse":
            runs = [("norse", lambda: run_norse(path, spikes))]
        elif flavour == "snntorch":
            runs = [("snntorch", lambda: run_snntorch(path, spikes, args.batch, "as imported"))]
            if meta(graph, "reset_timing", "next") == "next":
                runs.append(
                    ("snntorch, reset_delay=True", lambda: run_snntorch(path, spikes, args.batch, "reset_delay"))
                )
            elif any(a.startswith("rec") for a, _ in graph.edges):
                runs.append(
                    ("snntorch, same-step reset by the script", lambda: run_snntorch(path, spikes, args.batch, "same-step"))
                )
        else:
            print(f"{path}: flavour {flavour}; export with --flavour snntorch or norse", file=sys.stderr)
            continue
        for library, run in runs:
            try:
                trace = run()
            except Exception as e:  # the library's own failure is the result
                print(f"| {path.name} | {library} | {100 * our_acc:.1f} % | fails: {type(e).__name__}: {e} | | | |")
                continue
            cells = []
            for shift in (lead, 0):
                pred = scores(trace, loss, args.steps, shift).argmax(1).numpy()
                cells.append(100 * float(np.mean(pred == labels[:n])))
                cells.append(100 * float(np.mean(pred == our_pred[:n])))
            print(
                f"| {path.name} | {library} | {100 * our_acc:.1f} % | {cells[0]:.1f} % | "
                f"{cells[1]:.1f} % | {cells[2]:.1f} % | {cells[3]:.1f} % |"
            )


if __name__ == "__main__":
    main()
