//! Exact sums of floating-point numbers: the result is the exact sum of the addends rounded
//! once, to nearest (ties to even), so it does not depend on the order of the additions.
//!
//! Every sum walkshed reports (covered population, group populations, station loads, the
//! walking-time distribution, network length) is made with [`ExactSum`]. That is what lets a
//! run cut into tiles (`--tiles`) and merged give the same bytes as one run: the blocks are
//! added in another order, the sum is the same. Populations that are whole numbers (below
//! 2⁵³ in total) were already summed exactly by plain `+`; their sums are unchanged to the bit.
//!
//! The method is Shewchuk's (1997) non-overlapping expansions as in Python's `math.fsum`: the
//! sum is held as the plainly rounded running sum and a short list of its rounding errors,
//! whose exact total is the exact sum of everything added; the last step rounds that total
//! correctly. While the additions are exact (whole numbers) the list stays empty and an
//! addition costs a few floating-point operations. No crate
//! fitted: `xsum` (Neal's superaccumulators) has no way to add two accumulators or read one
//! out, which runs in parallel and tiles need, and `fsum` is unmaintained.
//!
//! # Examples
//!
//! ```
//! use walkshed::ExactSum;
//!
//! let mut a = ExactSum::new();
//! for x in [1e16, 1.0, -1e16, 0.1] {
//!     a.add(x);
//! }
//! assert_eq!(a.value(), 1.1); // plain `+` in this order gives 0.1
//!
//! // Order does not matter, and two sums add exactly.
//! let mut b = ExactSum::new();
//! b.add(0.1);
//! let mut c = ExactSum::new();
//! c.add(-1e16);
//! c.add(1.0);
//! c.add(1e16);
//! b.merge(&c);
//! assert_eq!(b.value(), a.value());
//! ```

/// An exact running sum of finite doubles; [`value`](Self::value) is the exact sum correctly
/// rounded. Adding the same numbers in any order, or adding sums with [`merge`](Self::merge)
/// however they were split, gives the same value to the bit (as long as no partial sum
/// overflows to infinity).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    /// The running sum rounded at each step, as plain `+` would give it.
    hi: f64,
    /// The rounding errors of `hi`, as non-overlapping partials increasing in magnitude:
    /// `hi` plus their exact total is the exact sum. Empty while every addition was exact
    /// (whole numbers, the usual case), so an addition then costs a two-sum and a test.
    lo: Vec<f64>,
}

impl ExactSum {
    /// An empty sum (value `0.0`).
    pub fn new() -> Self {
        ExactSum {
            hi: 0.0,
            lo: Vec::new(),
        }
    }

    /// Adds `x` exactly.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let (hi, err) = two_sum(self.hi, x);
        self.hi = hi;
        if err != 0.0 {
            add_partial(&mut self.lo, err);
        }
    }

    /// Adds every term of `other` exactly.
    pub fn merge(&mut self, other: &ExactSum) {
        self.add(other.hi);
        for &p in &other.lo {
            add_partial(&mut self.lo, p);
        }
    }

    /// The exact sum, rounded to the nearest double (ties to even); `0.0` when empty.
    pub fn value(&self) -> f64 {
        if self.lo.is_empty() {
            return self.hi;
        }
        let mut p = self.lo.clone();
        add_partial(&mut p, self.hi);
        round(&p)
    }
}

/// `a + b` rounded, and its rounding error (exact: `a + b = sum + error`).
#[inline]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let error = if a.abs() >= b.abs() {
        b - (sum - a)
    } else {
        a - (sum - b)
    };
    (sum, error)
}

/// Adds `x` to the non-overlapping partials `p` exactly (Shewchuk's grow-expansion, as in
/// `math.fsum`).
fn add_partial(p: &mut Vec<f64>, mut x: f64) {
    let mut kept = 0;
    for k in 0..p.len() {
        let (hi, lo) = two_sum(x, p[k]);
        if lo != 0.0 {
            p[kept] = lo;
            kept += 1;
        }
        x = hi;
    }
    p.truncate(kept);
    p.push(x);
}

/// The exact total of non-overlapping partials `p` (increasing in magnitude), correctly
/// rounded.
fn round(p: &[f64]) -> f64 {
    let Some(&last) = p.last() else {
        return 0.0;
    };
    let mut n = p.len() - 1;
    let mut hi = last;
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = p[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    // Round half to even across the partials left: if the next one has the sign of the
    // remainder, the remainder is not exactly half an ulp, so round away from `hi`.
    if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        let yr = x - hi;
        if y == yr {
            hi = x;
        }
    }
    hi
}

impl FromIterator<f64> for ExactSum {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Self {
        let mut sum = ExactSum::new();
        for x in iter {
            sum.add(x);
        }
        sum
    }
}

/// The exact sum of `values`, correctly rounded.
pub fn exact_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    values.into_iter().collect::<ExactSum>().value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The exact sum of doubles as a rational with a power-of-two denominator, in i128 units
    /// of 2⁻⁶⁰ (the tests keep addends in a range where that is exact), rounded by `as f64`
    /// after scaling: both roundings are to nearest even.
    fn reference(values: &[f64]) -> f64 {
        let units: i128 = values
            .iter()
            .map(|&v| (v * (1u64 << 60) as f64) as i128)
            .sum();
        // `as f64` on i128 rounds to nearest even; scaling by a power of two is exact.
        units as f64 / (1u64 << 60) as f64
    }

    #[test]
    fn cancellation_and_ties() {
        assert_eq!(exact_sum([1e16, 1.0, -1e16]), 1.0);
        assert_eq!(exact_sum([0.1; 10]), 1.0);
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: to even.
        let big = 9_007_199_254_740_992.0;
        assert_eq!(exact_sum([big, 1.0]), big);
        assert_eq!(exact_sum([big, 1.0, 1e-30]), big + 2.0);
        assert_eq!(exact_sum([]), 0.0);
    }

    #[test]
    fn whole_numbers_sum_as_plain_addition_does() {
        let values: Vec<f64> = (0..10_000).map(|i| f64::from((i * 7919) % 1000)).collect();
        let plain: f64 = values.iter().sum();
        assert_eq!(exact_sum(values.iter().copied()), plain);
    }

    proptest! {
        #[test]
        fn any_order_and_any_split_give_the_correctly_rounded_sum(
            values in proptest::collection::vec(
                // multiples of 2^-60 up to 2^40: exact in the reference's units
                (0i64..(1 << 40), 0u32..60).prop_map(|(m, s)| m as f64 / (1u64 << s) as f64),
                0..60),
            cut in 0usize..60,
            seed in 0u64..1000,
        ) {
            let expected = reference(&values);
            prop_assert_eq!(exact_sum(values.iter().copied()), expected);
            let mut shuffled = values.clone();
            // a fixed permutation from the seed
            let n = shuffled.len();
            for i in 0..n {
                let j = (seed as usize * 31 + i * 17) % n;
                shuffled.swap(i, j);
            }
            let cut = cut.min(n);
            let mut a: ExactSum = shuffled[..cut].iter().copied().collect();
            let b: ExactSum = shuffled[cut..].iter().copied().collect();
            a.merge(&b);
            prop_assert_eq!(a.value(), expected);
        }
    }
}
