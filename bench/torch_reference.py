#!/usr/bin/env python3
"""PyTorch eager reference of surrogate-lab's model (ARCHITECTURE.md §1), for BENCHMARKS.md.

Run by hand with a CPU build of PyTorch (not part of CI):

    python3 bench/torch_reference.py            # both configurations, one process each
    python3 bench/torch_reference.py randman    # the paper's Randman configuration
    python3 bench/torch_reference.py shd        # SHD-sized: 700 (1 %) -> 256 recurrent -> 20

Same equations and defaults as the Rust model: current-based LIF, Δt = 1 ms, τ_syn = 5 ms,
τ_mem = 10 ms, τ_out = 20 ms, ϑ = 1, reset to zero detached from the graph, (1 − β) input
factor, SuperSpike surrogate (β = 10) as a torch.autograd.Function, max-over-time
cross-entropy, Adam. Timing as examples/bench.rs: one untimed warm-up batch, then N batches;
training samples/s and peak RSS of this process.
"""
import math
import os
import resource
import subprocess
import sys
import time

import torch

# Two threads, as on the 2-core machine of ARCHITECTURE.md §5; TORCH_THREADS overrides (on a busy
# machine one thread avoids oversubscription).
torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))


class SuperSpike(torch.autograd.Function):
    scale = 10.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x > 0).float()

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (SuperSpike.scale * x.abs() + 1.0) ** 2


spike = SuperSpike.apply


def run(inputs, hidden, outputs, recurrent, batch, steps, density, batches, gain):
    dt, tau_syn, tau_mem, tau_out = 1e-3, 5e-3, 10e-3, 20e-3
    alpha = math.exp(-dt / tau_syn)
    beta = math.exp(-dt / tau_mem)
    beta_out = math.exp(-dt / tau_out)
    g = torch.Generator().manual_seed(0)
    w1 = (torch.randn(inputs, hidden, generator=g) * gain / math.sqrt(inputs)).requires_grad_()
    v1 = (torch.randn(hidden, hidden, generator=g) * gain / math.sqrt(hidden)).requires_grad_()
    w2 = (torch.randn(hidden, outputs, generator=g) * gain / math.sqrt(hidden)).requires_grad_()
    params = [w1, w2] + ([v1] if recurrent else [])
    opt = torch.optim.Adam(params, lr=2e-3 if recurrent else 2e-2)

    def batch_data():
        x = (torch.rand(batch, steps, inputs, generator=g) < density).float()
        y = torch.randint(0, outputs, (batch,), generator=g)
        return x, y

    def step(x, y):
        h = torch.einsum("bti,ih->bth", x, w1)
        syn = torch.zeros(batch, hidden)
        mem = torch.zeros(batch, hidden)
        spikes = []
        for t in range(steps):
            s = spike(mem - 1.0)
            rst = s.detach()
            new_syn = alpha * syn + h[:, t]
            if recurrent:
                new_syn = new_syn + s @ v1
            mem = (beta * mem + (1 - beta) * syn) * (1.0 - rst)
            syn = new_syn
            spikes.append(s)
        s_rec = torch.stack(spikes, dim=1)
        h2 = torch.einsum("bth,ho->bto", s_rec, w2)
        syn = torch.zeros(batch, outputs)
        mem = torch.zeros(batch, outputs)
        out = []
        for t in range(steps):
            mem = beta_out * mem + (1 - beta_out) * syn
            syn = alpha * syn + h2[:, t]
            out.append(mem)
        scores = torch.stack(out, dim=1).max(dim=1).values
        loss = torch.nn.functional.cross_entropy(scores, y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    data = [batch_data() for _ in range(batches + 1)]
    step(*data[0])  # warm-up, untimed
    t0 = time.perf_counter()
    for x, y in data[1:]:
        step(x, y)
    secs = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return batches * batch / secs, peak_mib, secs


CONFIGS = {
    # The paper's Randman configuration: 20 -> 100 -> 10, batch 250 (1 spike per unit).
    "randman": dict(inputs=20, hidden=100, outputs=10, recurrent=False, batch=250, steps=100,
                    density=0.01, batches=12, gain=5.0),
    # SHD-sized: 700 inputs at 1 % density -> 256 recurrent -> 20, batch 256.
    "shd": dict(inputs=700, hidden=256, outputs=20, recurrent=True, batch=256, steps=100,
                density=0.01, batches=4, gain=3.0),
}


def main():
    which = sys.argv[1:] or list(CONFIGS)
    if len(which) > 1:
        for w in which:
            subprocess.run([sys.executable, __file__, w], check=True)
        return
    name = which[0]
    rate, peak, secs = run(**CONFIGS[name])
    c = CONFIGS[name]
    print(f"{name:8} torch {torch.__version__:10} {rate:8.0f} training samples/s   "
          f"peak RSS {peak:7.0f} MiB   ({c['batches']} batches of {c['batch']} in {secs:.2f} s)")


if __name__ == "__main__":
    main()
