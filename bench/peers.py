#!/usr/bin/env python3
"""The peers of BENCHMARKS.md: the same two networks trained in other frameworks, timed alike.

    python3 bench/peers.py PEER CONFIG        # one measurement in this process
    PEER:   torch-eager | torch-compile | jax | spyx | snntorch | norse
    CONFIG: randman | shd

Models (ARCHITECTURE.md §1 and §5, examples/bench.rs): current-based LIF, Δt = 1 ms,
τ_syn = 5 ms, τ_mem = 10 ms, τ_out = 20 ms, ϑ = 1, reset to zero detached, SuperSpike
surrogate (β = 10), leaky non-spiking readout, max-over-time cross-entropy, Adam.
  randman: 20 → 100 → 10 feed-forward, T = 100, batch 250 (input density 1 %)
  shd:     700 (1 %) → 256 recurrent → 20, T = 100, batch 256

Timing rule, as examples/bench.rs: the data are made first; one untimed warm-up batch (for a
compiled peer that batch includes compilation and its time is printed as compile time); then N
timed batches; training samples/s over those; peak RSS of this process (ru_maxrss).
Threads: 2 (torch.set_num_threads(2); XLA:CPU on a 2-core machine uses both cores).

Each implementation is written as an expert in that framework would write it: time-major
tensors, the input projection of all steps as one matmul, a tight per-step loop, the surrogate
as a custom autograd.Function / custom_vjp. snnTorch and Norse use their own neuron modules.
"""
import math
import os
import resource
import sys
import time

THREADS = int(os.environ.get("BENCH_THREADS", "2"))

CONFIGS = {
    "randman": dict(inputs=20, hidden=100, outputs=10, recurrent=False, batch=250, steps=100,
                    density=0.01, batches=12, gain=5.0, lr=2e-2),
    "shd": dict(inputs=700, hidden=256, outputs=20, recurrent=True, batch=256, steps=100,
                density=0.01, batches=4, gain=3.0, lr=2e-3),
}

DT, TAU_SYN, TAU_MEM, TAU_OUT = 1e-3, 5e-3, 10e-3, 20e-3
ALPHA = math.exp(-DT / TAU_SYN)
BETA = math.exp(-DT / TAU_MEM)
BETA_OUT = math.exp(-DT / TAU_OUT)
SCALE = 10.0  # SuperSpike β


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(step, data, batches):
    """One untimed warm-up (returns its seconds), then `batches` timed steps."""
    t0 = time.perf_counter()
    step(*data[0])
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for x, y in data[1:batches + 1]:
        step(x, y)
    return warm, time.perf_counter() - t0


# ---------------------------------------------------------------- PyTorch (eager and compiled)

def torch_setup(c):
    import torch
    torch.set_num_threads(THREADS)
    g = torch.Generator().manual_seed(0)
    i, h, o = c["inputs"], c["hidden"], c["outputs"]
    w1 = (torch.randn(i, h, generator=g) * c["gain"] / math.sqrt(i)).requires_grad_()
    v1 = (torch.randn(h, h, generator=g) * c["gain"] / math.sqrt(h)).requires_grad_()
    w2 = (torch.randn(h, o, generator=g) * c["gain"] / math.sqrt(h)).requires_grad_()
    data = []
    for _ in range(c["batches"] + 1):
        x = (torch.rand(c["steps"], c["batch"], i, generator=g) < c["density"]).float()
        y = torch.randint(0, o, (c["batch"],), generator=g)
        data.append((x, y))
    return torch, w1, v1, w2, data


def update(opt, loss):
    """One optimizer step on `loss`."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def torch_super_spike(torch, cut=0.0, kept=None):
    """SuperSpike as an autograd.Function. `cut` > 0 zeroes σ′ below that fraction of its peak
    and appends the fraction of pairs kept to `kept` (bench/sigma_cut.py; the timed runs use 0)."""

    class SuperSpike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x > 0).to(x.dtype)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            if cut == 0.0:
                return grad / (SCALE * x.abs() + 1.0) ** 2
            s = 1.0 / (SCALE * x.abs() + 1.0) ** 2
            keep = s >= cut
            kept.append(keep.float().mean().item())
            return grad * s * keep

    return SuperSpike.apply


def torch_loss_fn(torch, recurrent, spike=None):
    spike = spike or torch_super_spike(torch)
    f = torch.nn.functional

    def loss_fn(x, y, w1, v1, w2):
        steps, batch, _ = x.shape
        # unbind, not h[t]: each h[t]'s backward fills a zero tensor of all T steps (O(T²)).
        h = (x.reshape(steps * batch, -1) @ w1).reshape(steps, batch, -1).unbind(0)
        syn = torch.zeros_like(h[0])
        mem = torch.zeros_like(h[0])
        spikes = []
        for t in range(steps):
            s = spike(mem - 1.0)
            new_syn = ALPHA * syn + h[t]
            if recurrent:
                new_syn = new_syn + s @ v1
            mem = (BETA * mem + (1.0 - BETA) * syn) * (1.0 - s.detach())
            syn = new_syn
            spikes.append(s)
        s_all = torch.stack(spikes)
        h2 = (s_all.reshape(steps * batch, -1) @ w2).reshape(steps, batch, -1).unbind(0)
        syn = torch.zeros_like(h2[0])
        mem = torch.zeros_like(h2[0])
        out = []
        for t in range(steps):
            mem = BETA_OUT * mem + (1.0 - BETA_OUT) * syn
            syn = ALPHA * syn + h2[t]
            out.append(mem)
        scores = torch.stack(out).amax(dim=0)
        return f.cross_entropy(scores, y)

    return loss_fn


def run_torch(c, compiled):
    torch, w1, v1, w2, data = torch_setup(c)
    params = [w1, w2] + ([v1] if c["recurrent"] else [])
    opt = torch.optim.Adam(params, lr=c["lr"])
    loss_fn = torch_loss_fn(torch, c["recurrent"])
    if compiled:
        loss_fn = torch.compile(loss_fn)

    def step(x, y):
        update(opt, loss_fn(x, y, w1, v1, w2))

    return timed(step, data, c["batches"]), f"torch {torch.__version__}"


# ---------------------------------------------------------------- snnTorch

def run_snntorch(c):
    import snntorch as snn
    from snntorch import surrogate
    torch, w1, v1, w2, data = torch_setup(c)
    grad = surrogate.fast_sigmoid(slope=SCALE)  # 1/(slope·|x| + 1)², SuperSpike
    fc1 = torch.nn.Linear(c["inputs"], c["hidden"], bias=False)
    fc2 = torch.nn.Linear(c["hidden"], c["outputs"], bias=False)
    with torch.no_grad():
        fc1.weight.copy_(w1.T)
        fc2.weight.copy_(w2.T)
    if c["recurrent"]:
        lif = snn.RSynaptic(ALPHA, BETA, linear_features=c["hidden"], spike_grad=grad,
                            reset_mechanism="zero")
    else:
        lif = snn.Synaptic(ALPHA, BETA, spike_grad=grad, reset_mechanism="zero")
    out = snn.Synaptic(ALPHA, BETA_OUT, reset_mechanism="none")
    modules = torch.nn.ModuleList([fc1, fc2, lif, out])
    opt = torch.optim.Adam(modules.parameters(), lr=c["lr"])

    def step(x, y):
        steps, batch, _ = x.shape
        h = fc1(x).unbind(0)  # all steps at once; unbind, not h[t] (see torch_loss_fn)
        if c["recurrent"]:
            spk, syn, mem = lif.reset_mem()
        else:
            syn, mem = lif.reset_mem()
        spikes = []
        for t in range(steps):
            if c["recurrent"]:
                spk, syn, mem = lif(h[t], spk, syn, mem)
            else:
                spk, syn, mem = lif(h[t], syn, mem)
            spikes.append(spk)
        h2 = fc2(torch.stack(spikes)).unbind(0)
        syn2, mem2 = out.reset_mem()
        mems = []
        for t in range(steps):
            _, syn2, mem2 = out(h2[t], syn2, mem2)
            mems.append(mem2)
        update(opt, torch.nn.functional.cross_entropy(torch.stack(mems).amax(dim=0), y))

    return timed(step, data, c["batches"]), f"snntorch {snn.__version__}, torch {torch.__version__}"


# ---------------------------------------------------------------- Norse

def run_norse(c):
    import norse
    import norse.torch as nt
    torch, w1, v1, w2, data = torch_setup(c)
    p = nt.LIFParameters(tau_syn_inv=torch.as_tensor(1 / TAU_SYN),
                         tau_mem_inv=torch.as_tensor(1 / TAU_MEM), v_th=torch.as_tensor(1.0),
                         method="super", alpha=torch.as_tensor(SCALE))
    lp = nt.LIParameters(tau_syn_inv=torch.as_tensor(1 / TAU_SYN),
                         tau_mem_inv=torch.as_tensor(1 / TAU_OUT))
    fc2 = torch.nn.Linear(c["hidden"], c["outputs"], bias=False)
    if c["recurrent"]:
        # Norse's recurrent layer holds its own input and recurrent weights.
        hidden = nt.LIFRecurrent(c["inputs"], c["hidden"], p=p, dt=DT)
        modules = torch.nn.ModuleList([hidden, fc2])
        first = lambda x: hidden(x)[0]  # noqa: E731
    else:
        fc1 = torch.nn.Linear(c["inputs"], c["hidden"], bias=False)
        lif = nt.LIF(p=p, dt=DT)
        modules = torch.nn.ModuleList([fc1, lif, fc2])
        first = lambda x: lif(fc1(x))[0]  # noqa: E731
    readout = nt.LI(p=lp, dt=DT)
    opt = torch.optim.Adam(modules.parameters(), lr=c["lr"])

    def step(x, y):
        spikes = first(x)  # [T, batch, hidden]
        mem, _ = readout(fc2(spikes))
        update(opt, torch.nn.functional.cross_entropy(mem.amax(dim=0), y))

    return timed(step, data, c["batches"]), f"norse {norse.__version__}, torch {torch.__version__}"


# ---------------------------------------------------------------- JAX

def jax_timed(c, loss_fn, params, key):
    """Adam on `loss_fn(params, x, y)` as one jitted step over random spike batches drawn from
    `key`, timed by `timed` (JAX and Spyx share it: same data rule, same step)."""
    import jax
    import jax.numpy as jnp
    import optax

    opt = optax.adam(c["lr"])
    state = {"params": params, "opt": opt.init(params)}

    @jax.jit
    def train_step(params, opt_state, x, y):
        grads = jax.grad(loss_fn)(params, x, y)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    i, o = c["inputs"], c["outputs"]
    data = []
    for _ in range(c["batches"] + 1):
        key, kx, ky = jax.random.split(key, 3)
        x = (jax.random.uniform(kx, (c["steps"], c["batch"], i)) < c["density"]).astype(jnp.float32)
        data.append((x, jax.random.randint(ky, (c["batch"],), 0, o)))

    def step(x, y):
        p, s = train_step(state["params"], state["opt"], x, y)
        jax.block_until_ready(p)
        state["params"], state["opt"] = p, s

    return timed(step, data, c["batches"])


def run_jax(c):
    import jax
    import jax.numpy as jnp
    import optax

    @jax.custom_vjp
    def spike(x):
        return (x > 0).astype(x.dtype)

    def spike_fwd(x):
        return spike(x), x

    def spike_bwd(x, g):
        return (g / (SCALE * jnp.abs(x) + 1.0) ** 2,)

    spike.defvjp(spike_fwd, spike_bwd)
    recurrent = c["recurrent"]

    def loss_fn(params, x, y):
        steps, batch, _ = x.shape
        h = jnp.einsum("tbi,ih->tbh", x, params["w1"])

        def lif(carry, ht):
            syn, mem = carry
            s = spike(mem - 1.0)
            new_syn = ALPHA * syn + ht
            if recurrent:
                new_syn = new_syn + s @ params["v1"]
            mem = (BETA * mem + (1.0 - BETA) * syn) * (1.0 - jax.lax.stop_gradient(s))
            return (new_syn, mem), s

        zeros = jnp.zeros((batch, h.shape[-1]), x.dtype)
        _, s_all = jax.lax.scan(lif, (zeros, zeros), h)
        h2 = jnp.einsum("tbh,ho->tbo", s_all, params["w2"])

        def li(carry, ht):
            syn, mem = carry
            mem = BETA_OUT * mem + (1.0 - BETA_OUT) * syn
            return (ALPHA * syn + ht, mem), mem

        zeros = jnp.zeros((batch, h2.shape[-1]), x.dtype)
        _, mems = jax.lax.scan(li, (zeros, zeros), h2)
        return optax.softmax_cross_entropy_with_integer_labels(mems.max(axis=0), y).mean()

    key = jax.random.PRNGKey(0)
    k1, k2, k3, kd = jax.random.split(key, 4)
    i, hd, o = c["inputs"], c["hidden"], c["outputs"]
    params = {
        "w1": jax.random.normal(k1, (i, hd)) * c["gain"] / math.sqrt(i),
        "w2": jax.random.normal(k3, (hd, o)) * c["gain"] / math.sqrt(hd),
    }
    if recurrent:
        params["v1"] = jax.random.normal(k2, (hd, hd)) * c["gain"] / math.sqrt(hd)
    return jax_timed(c, loss_fn, params, kd), f"jax {jax.__version__}, optax {optax.__version__}"


# ---------------------------------------------------------------- Spyx (flax.nnx)

def run_spyx(c):
    import jax
    import jax.numpy as jnp
    import optax
    import spyx
    from flax import nnx

    rngs = nnx.Rngs(0)
    i, hd, o = c["inputs"], c["hidden"], c["outputs"]
    neuron = spyx.nn.RCuBaLIF if c["recurrent"] else spyx.nn.CuBaLIF
    # Spyx's own pattern: a Sequential of per-step layers run under jax.lax.scan. Its CuBaLIF
    # resets by subtraction and its LI has no synaptic filter: the same work to within a few
    # elementwise ops per step.
    model = spyx.nn.Sequential(
        nnx.Linear(i, hd, use_bias=False, rngs=rngs),
        neuron((hd,), alpha=ALPHA, beta=BETA, activation=spyx.axn.superspike(SCALE), rngs=rngs),
        nnx.Linear(hd, o, use_bias=False, rngs=rngs),
        spyx.nn.LI((o,), beta=BETA_OUT, rngs=rngs),
    )
    graphdef, params = nnx.split(model, nnx.Param)
    # Strongly typed f32 leaves: a weakly typed constant (alpha, beta) would come back from the
    # optimizer strongly typed and make jit compile the step a second time.
    params = jax.tree.map(lambda a: jax.lax.convert_element_type(a, jnp.float32), params)

    def loss_fn(params, x, y):
        m = nnx.merge(graphdef, params)
        out, _ = spyx.nn.run(m, x)  # time-major [T, batch, outputs]
        return optax.softmax_cross_entropy_with_integer_labels(out.max(axis=0), y).mean()

    return (
        jax_timed(c, loss_fn, params, jax.random.PRNGKey(1)),
        f"spyx {spyx.__version__}, jax {jax.__version__}",
    )


PEERS = {
    "torch-eager": lambda c: run_torch(c, compiled=False),
    "torch-compile": lambda c: run_torch(c, compiled=True),
    "jax": run_jax,
    "spyx": run_spyx,
    "snntorch": run_snntorch,
    "norse": run_norse,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in PEERS or sys.argv[2] not in CONFIGS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(PEERS)}}} {{{'|'.join(CONFIGS)}}}")
    peer, name = sys.argv[1], sys.argv[2]
    c = dict(CONFIGS[name])
    if "BENCH_BATCHES" in os.environ:
        c["batches"] = int(os.environ["BENCH_BATCHES"])
    (warm, secs), version = PEERS[peer](c)
    # One line, parsed by run_all.sh: peer config samples/s peak-MiB warm-up-s version.
    print(f"RESULT\t{peer}\t{name}\t{c['batches'] * c['batch'] / secs:.0f}\t{peak_rss_mib():.0f}"
          f"\t{warm:.1f}\t{version}\t{c['batches']} batches of {c['batch']} in {secs:.2f} s")


if __name__ == "__main__":
    main()
