//! The covered population as the coverage report sums it, kept up to date as picks are added.

use crate::sum::ExactSum;

/// Which blocks are covered, and the population they hold: exact sums ([`ExactSum`]) as
/// [`crate::aggregate`] makes them, so that a share predicted here is, to the bit, the share
/// that coverage reports once the picks are added as stations, in whatever order blocks are
/// added.
#[derive(Debug, Clone)]
pub(crate) struct CoveredSums<'p> {
    population: &'p [f64],
    covered: Vec<bool>,
    sum: ExactSum,
    total: f64,
}

impl<'p> CoveredSums<'p> {
    /// Starts from the blocks `covered` by the existing stations.
    pub(crate) fn new(population: &'p [f64], covered: &[bool]) -> Self {
        let sum = population
            .iter()
            .zip(covered)
            .filter(|(_, &c)| c)
            .map(|(&p, _)| p)
            .collect();
        CoveredSums {
            population,
            covered: covered.to_vec(),
            sum,
            total: crate::sum::exact_sum(population.iter().copied()),
        }
    }

    /// Whether block `b` is covered.
    #[inline]
    pub(crate) fn is_covered(&self, b: u32) -> bool {
        self.covered[b as usize]
    }

    /// Marks `blocks` covered (each once; already covered ones are skipped).
    pub(crate) fn add(&mut self, blocks: &[u32]) {
        for &b in blocks {
            if !std::mem::replace(&mut self.covered[b as usize], true) {
                self.sum.add(self.population[b as usize]);
            }
        }
    }

    /// The covered population.
    pub(crate) fn population_covered(&self) -> f64 {
        self.sum.value()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_follow_added_blocks() {
        let n = 200_005;
        let population: Vec<f64> = (0..n).map(|b| (b % 7) as f64 + 0.1).collect();
        let mut covered = vec![false; n];
        covered[3] = true;
        let mut sums = CoveredSums::new(&population, &covered);
        let added = [10u32, 65_537, 3, 200_004];
        sums.add(&added);
        for b in added {
            covered[b as usize] = true;
        }
        let fresh = CoveredSums::new(&population, &covered);
        assert_eq!(sums.population_covered(), fresh.population_covered());
        let want = crate::sum::exact_sum([3, 10, 65_537, 200_004].map(|b| population[b]));
        assert_eq!(sums.population_covered(), want);
        assert_eq!(sums.share(), sums.population_covered() / sums.population());
    }
}
