#!/usr/bin/env python3
"""How much of the backward pass a σ′ cutoff could skip, and what it costs the gradient.

    python3 bench/sigma_cut.py [randman|shd] [--batches N]

The lever of issue 15: skip the (step, neuron) pairs of the hidden layer where SuperSpike's σ′
is below a fraction c of its peak. For each c this prints the fraction of pairs that stay and
the cosine similarity of the cut gradient to the dense one (all weights together, and each
weight), on the model and data of bench/peers.py, at initialisation and after N Adam steps of
dense training (which pairs stay changes as the network learns). A skip can only pay where
well under a third of the pairs stay (BENCHMARKS.md, levers) at a cosine ≥ 0.9999.
"""
import argparse
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import peers  # noqa: E402

CUTS = [1e-4, 1e-3, 1e-2, 3e-2, 1e-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config", choices=["randman", "shd"], nargs="?", default="shd")
    ap.add_argument("--batches", type=int, default=20)
    a = ap.parse_args()
    c = dict(peers.CONFIGS[a.config], batches=a.batches)
    torch, w1, v1, w2, data = peers.torch_setup(c)
    params = [w1, w2] + ([v1] if c["recurrent"] else [])
    names = ["W_in", "W_out"] + (["V"] if c["recurrent"] else [])
    def cos(p, q, dim):
        return torch.nn.functional.cosine_similarity(p.double(), q.double(), dim=dim)

    dense = peers.torch_loss_fn(torch, c["recurrent"])

    def report(label, x, y):
        g0 = torch.autograd.grad(dense(x, y, w1, v1, w2), params)
        flat0 = torch.cat([t.flatten() for t in g0])
        for cut in CUTS:
            kept = []
            f = peers.torch_loss_fn(torch, c["recurrent"], peers.torch_super_spike(torch, cut, kept))
            g = torch.autograd.grad(f(x, y, w1, v1, w2), params)
            whole = cos(flat0, torch.cat([t.flatten() for t in g]), dim=0).item()
            each = ", ".join(f"{n} {cos(p.flatten(), q.flatten(), dim=0).item():.6f}"
                             for n, p, q in zip(names, g0, g))
            print(f"{a.config}\t{label}\tcut {cut:g}\tpairs kept {sum(kept) / len(kept):.3f}"
                  f"\tcosine {whole:.6f}\t({each})")

    x, y = data[0]
    report("init", x, y)
    opt = torch.optim.Adam(params, lr=c["lr"])
    for xb, yb in data[1:]:
        peers.update(opt, dense(xb, yb, w1, v1, w2))
    report(f"after {a.batches} batches", x, y)


if __name__ == "__main__":
    main()
