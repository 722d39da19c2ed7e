//! Each built-in lesson tried end to end: train its experiment for a few batches headless and
//! check that what its text says happens does happen.

use surrogate_lab::config::Lesson;
use surrogate_lab::config::lesson::BUILT_IN;
use surrogate_lab::train::Trainer;

fn lesson(name: &str) -> Lesson {
    Lesson::built_in(name).expect("listed").expect("valid")
}

/// Mean hidden-layer (index 0) and readout gradient norms over `n` batches.
fn grad_norms(t: &mut Trainer, n: usize) -> (f32, f32) {
    let mut hidden = 0.0;
    let mut readout = 0.0;
    for _ in 0..n {
        let m = t.train_batch().expect("no divergence");
        hidden += m.grad_norm[0];
        readout += m.grad_norm[m.grad_norm.len() - 1];
    }
    (hidden / n as f32, readout / n as f32)
}

#[test]
fn every_built_in_lesson_builds_its_network() {
    for (name, _) in BUILT_IN {
        let l = lesson(name);
        Trainer::new(l.experiment.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn beta_lesson_steep_beta_starves_the_hidden_gradient_and_flat_beta_floods_it() {
    let l = lesson("beta");
    let mut t = Trainer::new(l.experiment.clone()).expect("valid");
    let _ = grad_norms(&mut t, 5);
    let (h10, r10) = grad_norms(&mut t, 3);
    let mut live = t.live();
    live.surrogate.beta = 1000.0;
    t.set_live(live);
    let (h1000, r1000) = grad_norms(&mut t, 3);
    live.surrogate.beta = 0.1;
    t.set_live(live);
    let (h01, _) = grad_norms(&mut t, 3);
    eprintln!("hidden: β=10 {h10} β=1000 {h1000} β=0.1 {h01}; readout β=10 {r10} β=1000 {r1000}");
    assert!(h1000 < 0.1 * h10, "β = 1000: {h1000} vs {h10}");
    assert!(h01 > h10, "β = 0.1: {h01} vs {h10}");
}

/// Mean training accuracy and hidden gradient norm over batches `skip+1..=skip+n`.
fn train(t: &mut Trainer, skip: usize, n: usize) -> (f32, f32) {
    let _ = grad_norms(t, skip);
    let mut acc = 0.0;
    let mut grad = 0.0;
    for _ in 0..n {
        let m = t.train_batch().expect("no divergence");
        acc += m.accuracy;
        grad += m.grad_norm[0];
    }
    (acc / n as f32, grad / n as f32)
}

#[test]
fn shape_lesson_other_shapes_move_the_gradient_far_less_than_beta_does() {
    use surrogate_lab::snn::surrogate::SurrogateShape;
    let l = lesson("shape");
    let mut results = Vec::new();
    for shape in [
        SurrogateShape::SuperSpike,
        SurrogateShape::Sigmoid,
        SurrogateShape::Esser,
    ] {
        let mut c = l.experiment.clone();
        c.surrogate.shape = shape;
        let mut t = Trainer::new(c).expect("valid");
        results.push((shape, train(&mut t, 6, 4)));
    }
    eprintln!("(accuracy, hidden grad) per shape: {results:?}");
    let grads: Vec<f32> = results.iter().map(|r| r.1.1).collect();
    let accs: Vec<f32> = results.iter().map(|r| r.1.0).collect();
    let spread = |v: &[f32]| {
        v.iter().cloned().fold(f32::MIN, f32::max) / v.iter().cloned().fold(f32::MAX, f32::min)
    };
    // β from 10 to 1000 divides it about 30-fold (the β lesson); the shape, under 2-fold here.
    // Chance is 0.1: every shape has started learning.
    assert!(spread(&grads) < 10.0, "gradient norms {grads:?}");
    assert!(
        accs.iter().cloned().fold(f32::MAX, f32::min) > 0.15,
        "every shape learns: {accs:?}"
    );
}

#[test]
fn asymptotic_lesson_detaching_the_reset_changes_the_hidden_gradient() {
    let l = lesson("asymptotic");
    assert!(!l.experiment.model.reset_detached);
    let mut flowing = Trainer::new(l.experiment.clone()).expect("valid");
    let with_reset = train(&mut flowing, 6, 4);
    let mut c = l.experiment.clone();
    c.model.reset_detached = true;
    let mut detached = Trainer::new(c).expect("valid");
    let without = train(&mut detached, 6, 4);
    eprintln!("(accuracy, hidden grad): reset flowing {with_reset:?}, detached {without:?}");
    assert!(without.0 >= with_reset.0, "{without:?} vs {with_reset:?}");
}

#[test]
fn sparse_lesson_upper_bound_turns_the_hidden_rate_down_at_once() {
    let l = lesson("sparse");
    assert_eq!(l.experiment.reg.upper.lambda, 0.0);
    let mut t = Trainer::new(l.experiment.clone()).expect("valid");
    let rate = |t: &mut Trainer, n: usize| {
        (0..n)
            .map(|_| t.train_batch().expect("no divergence").rate_hz[0])
            .last()
            .unwrap_or(0.0)
    };
    let before = rate(&mut t, 4);
    let mut live = t.live();
    live.reg.upper.lambda = 1.0;
    t.set_live(live);
    let after = rate(&mut t, 6);
    eprintln!("hidden rate: λ_up = 0 {before} Hz, λ_up = 1 {after} Hz");
    assert!(after < before, "{after} vs {before}");
}
