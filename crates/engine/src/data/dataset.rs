//! Spike data held as sparse events; dense batches are made on the fly.
//!
//! A full SHD file would be ~8,000 × 100 × 700 floats if densified (2.2 GB); as events it is a
//! few megabytes. Only the batch being trained on is ever dense.

use burn::tensor::{Device, Tensor};

use super::batch::SparseBatch;
use super::error::SampleError;

/// One split (train, validation or test) of a spike data set, in CSR layout: sample i's events
/// are `steps[offsets[i]..offsets[i+1]]` / `units[..]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikeDataset {
    pub inputs: usize,
    pub steps: usize,
    pub classes: usize,
    offsets: Vec<usize>,
    event_steps: Vec<u32>,
    event_units: Vec<u32>,
    labels: Vec<usize>,
}

impl SpikeDataset {
    pub fn new(inputs: usize, steps: usize, classes: usize) -> Self {
        Self {
            inputs,
            steps,
            classes,
            offsets: vec![0],
            event_steps: Vec::new(),
            event_units: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// Adds one sample; events outside [0, steps) × [0, inputs) are a caller bug and refused.
    pub fn push(
        &mut self,
        events: impl IntoIterator<Item = (u32, u32)>,
        label: usize,
    ) -> Result<(), SampleError> {
        if label >= self.classes {
            return Err(SampleError::Label {
                label,
                max: self.classes - 1,
            });
        }
        let start = self.event_steps.len();
        for (step, unit) in events {
            if step as usize >= self.steps || unit as usize >= self.inputs {
                self.event_steps.truncate(start);
                self.event_units.truncate(start);
                return Err(SampleError::Event {
                    step,
                    unit,
                    steps: self.steps,
                    inputs: self.inputs,
                });
            }
            self.event_steps.push(step);
            self.event_units.push(unit);
        }
        self.offsets.push(self.event_steps.len());
        self.labels.push(label);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn label(&self, i: usize) -> usize {
        self.labels[i]
    }

    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Sample i's events as (step, unit) pairs.
    pub fn events(&self, i: usize) -> impl Iterator<Item = (u32, u32)> + '_ {
        let range = self.offsets[i]..self.offsets[i + 1];
        self.event_steps[range.clone()]
            .iter()
            .copied()
            .zip(self.event_units[range].iter().copied())
    }

    pub fn event_count(&self) -> usize {
        self.event_steps.len()
    }

    /// Releases the growth slack of the event storage once loading is done.
    pub fn shrink_to_fit(&mut self) {
        self.offsets.shrink_to_fit();
        self.event_steps.shrink_to_fit();
        self.event_units.shrink_to_fit();
        self.labels.shrink_to_fit();
    }

    /// Bytes held by the event storage.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * std::mem::size_of::<usize>()
            + (self.event_steps.capacity() + self.event_units.capacity()) * 4
            + self.labels.capacity() * std::mem::size_of::<usize>()
    }

    /// The samples `indices` as a dense, time-major raster [T, batch, inputs] (several spikes
    /// of one unit in one step count once: the input is a spike, not a count).
    pub fn dense_batch(&self, indices: &[usize], device: &Device) -> Tensor<3> {
        self.sparse_batch(indices).to_dense(device)
    }

    /// The samples `indices` as events grouped by raster row n·batch + b (for the sparse input
    /// projection); a unit spiking twice in one step counts once, as in [`Self::dense_batch`].
    pub fn sparse_batch(&self, indices: &[usize]) -> SparseBatch {
        let b = indices.len();
        let rows = self.steps * b;
        // Counting sort by row: count, prefix-sum into offsets, then place.
        let mut row_offsets = vec![0usize; rows + 1];
        for (row, &i) in indices.iter().enumerate() {
            for (step, _) in self.events(i) {
                row_offsets[step as usize * b + row + 1] += 1;
            }
        }
        for r in 0..rows {
            row_offsets[r + 1] += row_offsets[r];
        }
        let mut units = vec![0u32; row_offsets[rows]];
        let mut fill = row_offsets.clone();
        for (row, &i) in indices.iter().enumerate() {
            for (step, unit) in self.events(i) {
                let r = step as usize * b + row;
                units[fill[r]] = unit;
                fill[r] += 1;
            }
        }
        // A unit spiking twice in one step is one spike: sort each row and drop repeats.
        let mut kept = 0;
        let mut start = 0;
        for r in 0..rows {
            let end = row_offsets[r + 1];
            units[start..end].sort_unstable();
            let first = kept;
            for k in start..end {
                if kept == first || units[kept - 1] != units[k] {
                    units[kept] = units[k];
                    kept += 1;
                }
            }
            start = end;
            row_offsets[r + 1] = kept;
        }
        units.truncate(kept);
        SparseBatch {
            steps: self.steps,
            batch: b,
            inputs: self.inputs,
            row_offsets,
            units,
        }
    }

    /// Splits off a validation set: of each class, the last `frac` of its samples in the
    /// data's order (rounded, at least one where the class has two or more), so the split is
    /// stratified and the same on every run. Returns (the rest, the held-out samples).
    pub fn hold_out(&self, frac: f64) -> (SpikeDataset, SpikeDataset) {
        let mut per_class = vec![0usize; self.classes];
        for &l in &self.labels {
            per_class[l] += 1;
        }
        let held: Vec<usize> = per_class
            .iter()
            .map(|&n| {
                let k = (n as f64 * frac).round() as usize;
                if n >= 2 { k.clamp(1, n - 1) } else { 0 }
            })
            .collect();
        let mut seen = vec![0usize; self.classes];
        let mut rest = SpikeDataset::new(self.inputs, self.steps, self.classes);
        let mut valid = SpikeDataset::new(self.inputs, self.steps, self.classes);
        for i in 0..self.len() {
            let l = self.labels[i];
            seen[l] += 1;
            let into = if seen[l] > per_class[l] - held[l] {
                &mut valid
            } else {
                &mut rest
            };
            into.copy_sample(self, i);
        }
        (rest, valid)
    }

    /// Appends sample `i` of `from` (same inputs, steps and classes: already checked there).
    fn copy_sample(&mut self, from: &SpikeDataset, i: usize) {
        let range = from.offsets[i]..from.offsets[i + 1];
        self.event_steps
            .extend_from_slice(&from.event_steps[range.clone()]);
        self.event_units.extend_from_slice(&from.event_units[range]);
        self.offsets.push(self.event_steps.len());
        self.labels.push(from.labels[i]);
    }

    pub fn batch_labels(&self, indices: &[usize]) -> Vec<usize> {
        indices.iter().map(|&i| self.labels[i]).collect()
    }
}

/// The splits of one data set.
#[derive(Clone, Debug)]
pub struct DataSplits {
    pub name: String,
    pub train: SpikeDataset,
    pub valid: Option<SpikeDataset>,
    pub test: SpikeDataset,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_batch_places_every_event() {
        let mut d = SpikeDataset::new(3, 4, 2);
        d.push([(0, 1), (3, 2)], 0).unwrap();
        d.push([(1, 0)], 1).unwrap();
        let x = d.dense_batch(&[1, 0], &Device::flex());
        let v: Vec<f32> = x.into_data().iter::<f32>().collect();
        // [t][b][n]: sample 1 is row 0, sample 0 is row 1.
        let at = |t: usize, b: usize, n: usize| v[(t * 2 + b) * 3 + n];
        assert_eq!(at(0, 1, 1), 1.0);
        assert_eq!(at(3, 1, 2), 1.0);
        assert_eq!(at(1, 0, 0), 1.0);
        assert_eq!(v.iter().sum::<f32>(), 3.0);
    }

    #[test]
    fn hold_out_takes_the_last_share_of_each_class_and_loses_no_sample() {
        // Class 0: samples 0, 2, 4, … (10 of them); class 1: 1, 3, … (10); class 2: one.
        let mut d = SpikeDataset::new(5, 3, 3);
        for i in 0..20u32 {
            d.push([(i % 3, i % 5)], (i % 2) as usize).unwrap();
        }
        d.push([(0, 0)], 2).unwrap();
        let (rest, valid) = d.hold_out(0.2);
        // 20 % of 10 per class; a class of one keeps its sample for training.
        assert_eq!((rest.len(), valid.len()), (17, 4));
        assert_eq!(valid.labels(), &[0, 1, 0, 1]);
        // Held out: the last two of each class, in order (samples 16, 17, 18, 19).
        let events = |d: &SpikeDataset, i: usize| d.events(i).collect::<Vec<_>>();
        for (k, i) in (16..20).enumerate() {
            assert_eq!(events(&valid, k), events(&d, i));
        }
        for (k, i) in (0..16).chain([20]).enumerate() {
            assert_eq!(events(&rest, k), events(&d, i));
            assert_eq!(rest.label(k), d.label(i));
        }
        assert_eq!(rest.event_count() + valid.event_count(), d.event_count());
    }

    #[test]
    fn sparse_batch_groups_by_row_and_counts_repeats_once() {
        let mut d = SpikeDataset::new(4, 3, 2);
        d.push([(2, 3), (0, 1), (2, 0), (2, 3)], 0).unwrap();
        d.push([(1, 2), (1, 2), (1, 1)], 1).unwrap();
        let s = d.sparse_batch(&[1, 0]);
        let row = |r: usize| s.units[s.row_offsets[r]..s.row_offsets[r + 1]].to_vec();
        // Row n·batch + b: sample 1 is b = 0, sample 0 is b = 1.
        assert_eq!(row(1), vec![1]);
        assert_eq!(row(2), vec![1, 2]);
        assert_eq!(row(5), vec![0, 3]);
        assert_eq!(s.units.len(), 5);
        let dense: Vec<f32> = s
            .to_dense(&Device::flex())
            .into_data()
            .iter::<f32>()
            .collect();
        assert_eq!(dense.iter().sum::<f32>(), 5.0);
    }

    #[test]
    fn out_of_range_event_is_refused_and_leaves_nothing() {
        let mut d = SpikeDataset::new(3, 4, 2);
        assert!(d.push([(0, 1), (4, 0)], 0).is_err());
        assert!(d.push([(0, 3)], 0).is_err());
        assert!(d.push([(0, 0)], 2).is_err());
        assert_eq!(d.len(), 0);
        assert_eq!(d.event_count(), 0);
    }
}
