//! The covered population as the coverage report sums it, kept up to date as picks are added.

use rayon::prelude::*;

/// Blocks per run of sums: [`crate::aggregate`]'s, so that a share predicted here is, to the
/// bit, the share that coverage reports once the picks are added as stations (each run summed in
/// block order from +0, then the runs in order).
use crate::aggregate::RUN;

/// Which blocks are covered, and the population they hold, summed run by run.
#[derive(Debug, Clone)]
pub(crate) struct CoveredSums<'p> {
    population: &'p [f64],
    covered: Vec<bool>,
    runs: Vec<f64>,
    total: f64,
}

impl<'p> CoveredSums<'p> {
    /// Starts from the blocks `covered` by the existing stations.
    pub(crate) fn new(population: &'p [f64], covered: &[bool]) -> Self {
        let runs: Vec<f64> = population
            .par_chunks(RUN)
            .zip(covered.par_chunks(RUN))
            .map(|(p, c)| run_sum(p, c))
            .collect();
        let totals: Vec<f64> = population
            .par_chunks(RUN)
            .map(|p| p.iter().fold(0.0, |s, x| s + x))
            .collect();
        CoveredSums {
            population,
            covered: covered.to_vec(),
            runs,
            total: totals.iter().fold(0.0, |s, x| s + x),
        }
    }

    /// Whether block `b` is covered.
    #[inline]
    pub(crate) fn is_covered(&self, b: u32) -> bool {
        self.covered[b as usize]
    }

    /// Marks `blocks` (ascending) covered.
    pub(crate) fn add(&mut self, blocks: &[u32]) {
        for &b in blocks {
            self.covered[b as usize] = true;
        }
        let mut last = usize::MAX;
        for &b in blocks {
            let r = b as usize / RUN;
            if r != last {
                let span = r * RUN..((r + 1) * RUN).min(self.population.len());
                self.runs[r] = run_sum(&self.population[span.clone()], &self.covered[span]);
                last = r;
            }
        }
    }

    /// The covered population.
    pub(crate) fn population_covered(&self) -> f64 {
        self.runs.iter().fold(0.0, |s, x| s + x)
    }

    /// The population of all blocks.
    pub(crate) fn population(&self) -> f64 {
        self.total
    }

    /// Covered ÷ all, in [0, 1] (0 when there is no one), as coverage reports it.
    pub(crate) fn share(&self) -> f64 {
        if self.total > 0.0 {
            (self.population_covered() / self.total).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// The population of the covered blocks of one run, in block order from +0 (adding +0 for an
/// uncovered block leaves the sum as it is, to the bit).
fn run_sum(population: &[f64], covered: &[bool]) -> f64 {
    population
        .iter()
        .zip(covered)
        .fold(0.0, |s, (&p, &c)| s + if c { p } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_follow_added_blocks_across_runs() {
        let n = 2 * RUN + 5;
        let population: Vec<f64> = (0..n).map(|b| (b % 7) as f64 + 0.1).collect();
        let mut covered = vec![false; n];
        covered[3] = true;
        let mut sums = CoveredSums::new(&population, &covered);
        let added = [10u32, (RUN + 1) as u32, (2 * RUN + 4) as u32];
        sums.add(&added);
        for b in added {
            covered[b as usize] = true;
        }
        let fresh = CoveredSums::new(&population, &covered);
        assert_eq!(sums.population_covered(), fresh.population_covered());
        let want = population[3] + population[10] + population[RUN + 1] + population[2 * RUN + 4];
        assert!((sums.population_covered() - want).abs() < 1e-9);
        assert_eq!(sums.share(), sums.population_covered() / sums.population());
    }
}
