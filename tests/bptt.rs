//! BPTT through burn equals an independent scalar implementation: a tiny recurrent network,
//! every reset option, the recurrence propagated or detached, in the paper's update
//! conventions and in Norse's (`model.current = this`, `model.reset_timing = same`),
//! gradients of every weight compared.

mod common;

use burn::tensor::{Device, Tensor, TensorData};
use common::{close, to_vec};
use surrogate_lab::rng::Rng;
use surrogate_lab::snn::dynamics::{CurrentTiming, ResetTiming};
use surrogate_lab::snn::lif::{Dynamics, ResetMode};
use surrogate_lab::snn::loss::{LossKind, class_scores, cross_entropy};
use surrogate_lab::snn::model::{ModelConfig, PerLayer};
use surrogate_lab::snn::network::{Path, Weights, forward};
use surrogate_lab::snn::surrogate::{SurrogateConfig, SurrogateShape};

/// A minimal reverse-mode tape over f64 scalars; the spike node's local derivative is σ'.
#[derive(Default)]
struct Tape {
    value: Vec<f64>,
    parents: Vec<Vec<(usize, f64)>>,
}

impl Tape {
    fn node(&mut self, v: f64, parents: Vec<(usize, f64)>) -> usize {
        self.value.push(v);
        self.parents.push(parents);
        self.value.len() - 1
    }
    fn leaf(&mut self, v: f64) -> usize {
        self.node(v, vec![])
    }
    fn v(&self, i: usize) -> f64 {
        self.value[i]
    }
    fn add(&mut self, a: usize, b: usize) -> usize {
        self.node(self.v(a) + self.v(b), vec![(a, 1.0), (b, 1.0)])
    }
    fn sub(&mut self, a: usize, b: usize) -> usize {
        self.node(self.v(a) - self.v(b), vec![(a, 1.0), (b, -1.0)])
    }
    fn mul(&mut self, a: usize, b: usize) -> usize {
        self.node(self.v(a) * self.v(b), vec![(a, self.v(b)), (b, self.v(a))])
    }
    fn scale(&mut self, a: usize, k: f64) -> usize {
        self.node(self.v(a) * k, vec![(a, k)])
    }
    fn shift(&mut self, a: usize, k: f64) -> usize {
        self.node(self.v(a) + k, vec![(a, 1.0)])
    }
    fn detach(&mut self, a: usize) -> usize {
        self.leaf(self.v(a))
    }
    fn spike(&mut self, a: usize, shape: SurrogateShape, beta: f64) -> usize {
        let x = self.v(a);
        let s = if x > 0.0 { 1.0 } else { 0.0 };
        self.node(s, vec![(a, shape.derivative(x, beta))])
    }
    fn exp(&mut self, a: usize) -> usize {
        let e = self.v(a).exp();
        self.node(e, vec![(a, e)])
    }
    fn ln(&mut self, a: usize) -> usize {
        self.node(self.v(a).ln(), vec![(a, 1.0 / self.v(a))])
    }
    fn max(&mut self, xs: &[usize]) -> usize {
        let best = *xs
            .iter()
            .max_by(|&&a, &&b| self.v(a).total_cmp(&self.v(b)))
            .expect("non-empty");
        self.node(self.v(best), vec![(best, 1.0)])
    }
    fn sum(&mut self, xs: &[usize]) -> usize {
        let v = xs.iter().map(|&i| self.v(i)).sum();
        self.node(v, xs.iter().map(|&i| (i, 1.0)).collect())
    }
    fn backward(&self, out: usize) -> Vec<f64> {
        let mut g = vec![0.0; self.value.len()];
        g[out] = 1.0;
        for i in (0..=out).rev() {
            for &(p, d) in &self.parents[i] {
                g[p] += g[i] * d;
            }
        }
        g
    }
}

struct Net {
    n_hid: usize,
    n_out: usize,
    w: Vec<f32>,   // [in][hid]
    v: Vec<f32>,   // [hid][hid]
    w_o: Vec<f32>, // [hid][out]
}

/// Scalar forward of ARCHITECTURE.md §1 with CE of max-over-time, in the paper's update
/// conventions or Norse's (this step's current, reset in the same step: `dynamics.rs`);
/// returns (tape, loss, leaf ids).
fn scalar_loss(
    net: &Net,
    input: &[Vec<Vec<f32>>], // [t][b][i]
    labels: &[usize],
    dy: &Dynamics,
    shape: SurrogateShape,
    beta: f64,
) -> (Tape, usize, Vec<usize>, Vec<usize>, Vec<usize>, usize) {
    let mut tp = Tape::default();
    let w: Vec<usize> = net.w.iter().map(|&x| tp.leaf(x as f64)).collect();
    let v: Vec<usize> = net.v.iter().map(|&x| tp.leaf(x as f64)).collect();
    let w_o: Vec<usize> = net.w_o.iter().map(|&x| tp.leaf(x as f64)).collect();
    let (a, bm, bo) = (dy.alpha as f64, dy.beta_mem as f64, dy.beta_out as f64);
    let (c, co, th) = (
        dy.input_scale as f64,
        dy.out_input_scale as f64,
        dy.threshold as f64,
    );
    let now = dy.current == CurrentTiming::This;
    let same = dy.reset_timing == ResetTiming::Same;
    let steps = input.len();
    let mut losses = Vec::new();
    let mut total_spikes = 0;
    for (b, &label) in labels.iter().enumerate() {
        let zero = tp.leaf(0.0);
        let mut syn = vec![zero; net.n_hid];
        let mut mem = vec![zero; net.n_hid];
        let mut syn_o = vec![zero; net.n_out];
        let mut mem_o = vec![zero; net.n_out];
        let mut out_trace: Vec<Vec<usize>> = vec![Vec::new(); net.n_out];
        let mut last = vec![zero; net.n_hid];
        for x_t in input.iter().take(steps) {
            let x = &x_t[b];
            // I ← α·I + W·x[n] + V·s, s the latest spikes.
            let synapse = |tp: &mut Tape, syn: &[usize], s: &[usize]| -> Vec<usize> {
                (0..net.n_hid)
                    .map(|j| {
                        let mut acc = tp.scale(syn[j], a);
                        for (i, &xi) in x.iter().enumerate() {
                            if xi != 0.0 {
                                let term = tp.scale(w[i * net.n_hid + j], xi as f64);
                                acc = tp.add(acc, term);
                            }
                        }
                        for k in 0..net.n_hid {
                            let fed_back = if dy.recurrent_detached {
                                tp.detach(s[k])
                            } else {
                                s[k]
                            };
                            let term = tp.mul(fed_back, v[k * net.n_hid + j]);
                            acc = tp.add(acc, term);
                        }
                        acc
                    })
                    .collect()
            };
            if now {
                syn = synapse(&mut tp, &syn, &last);
            }
            // A = β·U + c·I; the spike reads A (same step) or U (next step).
            let integrated: Vec<usize> = (0..net.n_hid)
                .map(|j| {
                    let bu = tp.scale(mem[j], bm);
                    let ci = tp.scale(syn[j], c);
                    tp.add(bu, ci)
                })
                .collect();
            let read = if same { &integrated } else { &mem };
            let mut s = Vec::new();
            for &m in read {
                let shifted = tp.shift(m, -th);
                s.push(tp.spike(shifted, shape, beta));
            }
            total_spikes += s.iter().filter(|&&k| tp.v(k) > 0.0).count();
            mem = (0..net.n_hid)
                .map(|j| {
                    let rst = if dy.reset_detached {
                        tp.detach(s[j])
                    } else {
                        s[j]
                    };
                    let integ = integrated[j];
                    match dy.reset {
                        ResetMode::Zero => {
                            let lost = tp.mul(integ, rst);
                            tp.sub(integ, lost)
                        }
                        ResetMode::Subtract => {
                            let r = tp.scale(rst, th);
                            tp.sub(integ, r)
                        }
                        ResetMode::None => integ,
                    }
                })
                .collect();
            if !now {
                syn = synapse(&mut tp, &syn, &s);
            }
            for o in 0..net.n_out {
                let input = |tp: &mut Tape, syn_o: usize| {
                    let mut acc = tp.scale(syn_o, a);
                    for k in 0..net.n_hid {
                        let term = tp.mul(s[k], w_o[k * net.n_out + o]);
                        acc = tp.add(acc, term);
                    }
                    acc
                };
                if now {
                    syn_o[o] = input(&mut tp, syn_o[o]);
                }
                let bu = tp.scale(mem_o[o], bo);
                let ci = tp.scale(syn_o[o], co);
                mem_o[o] = tp.add(bu, ci);
                if !now {
                    syn_o[o] = input(&mut tp, syn_o[o]);
                }
                out_trace[o].push(mem_o[o]);
            }
            last = s;
        }
        let scores: Vec<usize> = out_trace.iter().map(|tr| tp.max(tr)).collect();
        let exps: Vec<usize> = scores.iter().map(|&s| tp.exp(s)).collect();
        let z = tp.sum(&exps);
        let log_z = tp.ln(z);
        losses.push(tp.sub(log_z, scores[label]));
    }
    let sum = tp.sum(&losses);
    let loss = tp.scale(sum, 1.0 / labels.len() as f64);
    (tp, loss, w, v, w_o, total_spikes)
}

fn rand_vec(rng: &mut Rng, n: usize, scale: f64) -> Vec<f32> {
    (0..n).map(|_| (rng.normal() * scale) as f32).collect()
}

#[test]
fn bptt_gradients_match_scalar_reference_for_every_reset_and_recurrence_option() {
    let (n_in, n_hid, n_out, steps, batch) = (4, 3, 2, 10, 2);
    let device = Device::flex();
    let ad = device.clone().autodiff();
    let shape = SurrogateShape::SuperSpike;
    let beta = 5.0;
    let options = [ResetMode::Zero, ResetMode::Subtract, ResetMode::None]
        .into_iter()
        .flat_map(|r| [true, false].map(|d| (r, d)))
        .flat_map(|(r, d)| [false, true].map(|rd| (r, d, rd)))
        .flat_map(|o| {
            [
                (CurrentTiming::Previous, ResetTiming::Next),
                (CurrentTiming::This, ResetTiming::Same),
            ]
            .map(|c| (o, c))
        });
    for ((reset, detached, rec_detached), (current, reset_timing)) in options {
        {
            let model = ModelConfig {
                hidden: vec![n_hid],
                recurrent: PerLayer::All(true),
                reset,
                reset_detached: detached,
                recurrent_detached: rec_detached,
                current,
                reset_timing,
                input_factor: false,
                loss: LossKind::MaxOverTime,
                ..ModelConfig::default()
            };
            let dy = Dynamics::new(&model);
            let mut rng = Rng::new(11);
            let net = Net {
                n_hid,
                n_out,
                w: rand_vec(&mut rng, n_in * n_hid, 1.5),
                v: rand_vec(&mut rng, n_hid * n_hid, 0.8),
                // Positive readout weights put the max over time late, where hidden spikes matter.
                w_o: rand_vec(&mut rng, n_hid * n_out, 0.5)
                    .iter()
                    .map(|w| w + 1.0)
                    .collect(),
            };
            let input: Vec<Vec<Vec<f32>>> = (0..steps)
                .map(|_| {
                    (0..batch)
                        .map(|_| {
                            (0..n_in)
                                .map(|_| if rng.uniform() < 0.6 { 1.0 } else { 0.0 })
                                .collect()
                        })
                        .collect()
                })
                .collect();
            let labels = vec![0usize, 1];

            let (tape, loss, w_ids, v_ids, wo_ids, spikes) =
                scalar_loss(&net, &input, &labels, &dy, shape, beta);
            assert!(
                spikes > 2,
                "the reference net must spike to test anything ({spikes})"
            );
            let g = tape.backward(loss);

            let mat = |v: &Vec<f32>, r: usize, c: usize| {
                Tensor::<2>::from_data(TensorData::new(v.clone(), [r, c]), &ad).require_grad()
            };
            // The per-step graph and the fused op (the trainer's CPU path) alike.
            for path in [Path::PerStep, Path::Fused] {
                let weights = Weights {
                    hidden: vec![mat(&net.w, n_in, n_hid)],
                    recurrent: vec![Some(mat(&net.v, n_hid, n_hid))],
                    readout: mat(&net.w_o, n_hid, n_out),
                };
                let flat: Vec<f32> = input.iter().flatten().flatten().copied().collect();
                let x = Tensor::<3>::from_data(TensorData::new(flat, [steps, batch, n_in]), &ad);
                let surrogate = SurrogateConfig { shape, beta };
                let out = forward(&weights, x, &dy, &surrogate, path, false);
                let l = cross_entropy(class_scores(out.readout, LossKind::MaxOverTime), &labels);
                let burn_loss = to_vec(l.clone().inner())[0] as f64;
                assert!(
                    close(burn_loss, tape.v(loss), 1e-4),
                    "{reset:?}/{detached}/{rec_detached}/{current:?}/{reset_timing:?} {path:?}: loss {burn_loss} vs {}",
                    tape.v(loss)
                );
                let grads = l.backward();
                let check = |name: &str, t: &Tensor<2>, ids: &[usize]| {
                    let burn_g = to_vec(t.grad(&grads).expect("tracked"));
                    let mut nonzero = 0;
                    for (k, &id) in ids.iter().enumerate() {
                        if g[id].abs() > 1e-9 {
                            nonzero += 1;
                        }
                        assert!(
                            close(burn_g[k] as f64, g[id], 2e-3),
                            "{reset:?} detached={detached} recurrence detached={rec_detached} {current:?}/{reset_timing:?} {path:?} {name}[{k}]: burn {} vs reference {}",
                            burn_g[k],
                            g[id]
                        );
                    }
                    assert!(nonzero > 0, "{name}: all reference gradients are zero");
                };
                check("W", &weights.hidden[0], &w_ids);
                check(
                    "V",
                    weights.recurrent[0].as_ref().expect("recurrent"),
                    &v_ids,
                );
                check("W_out", &weights.readout, &wo_ids);
            }
        }
    }
}

/// Gradients of (W, V) through burn for one recurrent layer, on `path`.
fn burn_grads(detach_recurrence: bool, path: Path) -> (Vec<f32>, Vec<f32>) {
    let (n_in, n_hid, n_out, steps, batch) = (5, 6, 2, 25, 3);
    let ad = Device::flex().autodiff();
    let model = ModelConfig {
        hidden: vec![n_hid],
        recurrent: PerLayer::All(true),
        recurrent_detached: detach_recurrence,
        ..ModelConfig::default()
    };
    let dy = Dynamics::new(&model);
    let mut rng = Rng::new(7);
    let mut mat = |r: usize, c: usize, scale: f64, shift: f32| {
        let v: Vec<f32> = rand_vec(&mut rng, r * c, scale)
            .iter()
            .map(|x| x + shift)
            .collect();
        Tensor::<2>::from_data(TensorData::new(v, [r, c]), &ad).require_grad()
    };
    let weights = Weights {
        hidden: vec![mat(n_in, n_hid, 12.0, 0.0)],
        recurrent: vec![Some(mat(n_hid, n_hid, 4.0, 0.0))],
        readout: mat(n_hid, n_out, 0.5, 1.0),
    };
    let flat: Vec<f32> = (0..steps * batch * n_in)
        .map(|_| if rng.uniform() < 0.4 { 1.0 } else { 0.0 })
        .collect();
    let x = Tensor::<3>::from_data(TensorData::new(flat, [steps, batch, n_in]), &ad);
    let surrogate = SurrogateConfig::default();
    let out = forward(&weights, x, &dy, &surrogate, path, false);
    let spikes: f32 = to_vec(out.layers[0].spikes.clone().inner()).iter().sum();
    assert!(spikes > 10.0, "the net must spike ({spikes})");
    let l = cross_entropy(class_scores(out.readout, LossKind::MaxOverTime), &[0, 1, 0]);
    let grads = l.backward();
    let g = |t: &Tensor<2>| to_vec(t.grad(&grads).expect("tracked"));
    (
        g(&weights.hidden[0]),
        g(weights.recurrent[0].as_ref().expect("recurrent")),
    )
}

#[test]
fn detaching_the_recurrence_changes_the_hidden_gradient_and_keeps_v_learning() {
    for path in [Path::PerStep, Path::Fused] {
        let (w_prop, v_prop) = burn_grads(false, path);
        let (w_ctl, v_ctl) = burn_grads(true, path);
        let differ = w_prop
            .iter()
            .zip(&w_ctl)
            .filter(|(a, b)| (*a - *b).abs() > 1e-6 * a.abs().max(1e-3))
            .count();
        assert!(
            differ > w_prop.len() / 4,
            "{path:?}: only {differ} of {} W gradients changed",
            w_prop.len()
        );
        for (name, v) in [("Prop", &v_prop), ("Ctl", &v_ctl)] {
            assert!(
                v.iter().all(|x| x.is_finite()) && v.iter().any(|&x| x != 0.0),
                "{path:?} {name}: V's gradient is not defined: {v:?}"
            );
        }
    }
}
