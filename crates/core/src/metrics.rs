//! Precision, recall and F1: the one implementation every task's evaluation uses.
//!
//! [`Counts`] holds true positives, false positives and false negatives; counts of several
//! documents or labels add up (`+`, `+=`, [`Iterator::sum`]) to micro-averaged totals.
//! [`Prf`] is a precision/recall/F1 value, made from counts or from a precision and a recall.
//! A ratio whose denominator is 0 is 0 (never NaN), and F1 is 0 when precision and recall
//! are both 0.
//!
//! ```
//! use lede_core::metrics::{Counts, Prf};
//! let doc1 = Counts::new(3, 1, 2);
//! let doc2 = Counts::from_totals(4, 2, 1); // 4 gold, 2 predicted, 1 matched
//! let total: Counts = [doc1, doc2].into_iter().sum();
//! assert_eq!(total, Counts::new(4, 2, 5));
//! assert_eq!((total.gold(), total.predicted()), (9, 6));
//! let prf = total.prf();
//! assert!((prf.precision - 4.0 / 6.0).abs() < 1e-12);
//! assert!((prf.recall - 4.0 / 9.0).abs() < 1e-12);
//! assert_eq!(prf, Prf::new(4.0 / 6.0, 4.0 / 9.0));
//! assert_eq!(Counts::default().prf(), Prf::default());
//! ```

use std::iter::Sum;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

/// True-positive, false-positive and false-negative counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Counts {
    /// Predictions that match a reference item.
    pub true_positives: usize,
    /// Predictions that match no reference item.
    pub false_positives: usize,
    /// Reference items no prediction matched.
    pub false_negatives: usize,
}

impl Counts {
    /// Counts from true positives, false positives and false negatives.
    pub fn new(true_positives: usize, false_positives: usize, false_negatives: usize) -> Self {
        Counts {
            true_positives,
            false_positives,
            false_negatives,
        }
    }

    /// Counts from the number of reference (gold) items, of predictions, and of predictions
    /// matched one-to-one to a reference item. `matched` larger than `gold` or `predicted` is
    /// read as `gold.min(predicted)`.
    pub fn from_totals(gold: usize, predicted: usize, matched: usize) -> Self {
        let matched = matched.min(gold).min(predicted);
        Counts::new(matched, predicted - matched, gold - matched)
    }

    /// Reference items: `tp + fn`.
    pub fn gold(&self) -> usize {
        self.true_positives + self.false_negatives
    }

    /// Predictions: `tp + fp`.
    pub fn predicted(&self) -> usize {
        self.true_positives + self.false_positives
    }

    /// `tp / (tp + fp)`, 0 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.predicted())
    }

    /// `tp / (tp + fn)`, 0 when there is no reference item.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.gold())
    }

    /// Harmonic mean of precision and recall, 0 when both are 0.
    pub fn f1(&self) -> f64 {
        self.prf().f1
    }

    /// Precision, recall and F1 of these counts.
    pub fn prf(&self) -> Prf {
        Prf::new(self.precision(), self.recall())
    }
}

impl Add for Counts {
    type Output = Counts;

    fn add(mut self, other: Counts) -> Counts {
        self += other;
        self
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

impl Sum for Counts {
    fn sum<I: Iterator<Item = Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), Add::add)
    }
}

impl<'a> Sum<&'a Counts> for Counts {
    fn sum<I: Iterator<Item = &'a Counts>>(iter: I) -> Counts {
        iter.copied().sum()
    }
}

/// A precision, recall and F1 value.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Prf {
    /// Correct predictions over all predictions.
    pub precision: f64,
    /// Correct predictions over all reference items.
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
}

impl Prf {
    /// The value with this precision and recall and their harmonic mean as F1.
    pub fn new(precision: f64, recall: f64) -> Self {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }

    /// The value of `counts` (as [`Counts::prf`]).
    pub fn from_counts(counts: &Counts) -> Self {
        counts.prf()
    }
}

impl From<Counts> for Prf {
    fn from(counts: Counts) -> Self {
        counts.prf()
    }
}

/// `a / b`, 0 when `b` is 0.
fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn hand_computed_values() {
        let c = Counts::new(8, 2, 8);
        assert_eq!((c.gold(), c.predicted()), (16, 10));
        assert!(close(c.precision(), 0.8));
        assert!(close(c.recall(), 0.5));
        assert!(close(c.f1(), 2.0 * 0.4 / 1.3));
        let p = Prf::from(c);
        assert_eq!(p, Prf::from_counts(&c));
        assert!(close(p.f1, c.f1()));
    }

    #[test]
    fn zero_denominators_give_zero_not_nan() {
        let nothing = Counts::default();
        assert_eq!(nothing.prf(), Prf::default());
        // Gold but no predictions: precision 0/0 = 0, recall 0.
        let missed = Counts::new(0, 0, 3);
        assert_eq!(
            (missed.precision(), missed.recall(), missed.f1()),
            (0.0, 0.0, 0.0)
        );
        // Predictions but no gold: recall 0/0 = 0, precision 0.
        let spurious = Counts::new(0, 2, 0);
        assert_eq!(spurious.prf(), Prf::default());
        assert_eq!(Prf::new(0.0, 0.0).f1, 0.0);
        for prf in [nothing.prf(), missed.prf(), spurious.prf()] {
            assert!(prf.precision.is_finite() && prf.recall.is_finite() && prf.f1.is_finite());
        }
    }

    #[test]
    fn from_totals_round_trips_and_clamps() {
        let c = Counts::from_totals(7, 6, 4);
        assert_eq!(c, Counts::new(4, 2, 3));
        assert_eq!((c.gold(), c.predicted(), c.true_positives), (7, 6, 4));
        assert_eq!(Counts::from_totals(2, 5, 9), Counts::new(2, 3, 0));
        assert_eq!(Counts::from_totals(0, 0, 0), Counts::default());
    }

    #[test]
    fn micro_sums() {
        let parts = [Counts::new(1, 2, 3), Counts::new(10, 20, 30)];
        let total = Counts::new(11, 22, 33);
        assert_eq!(parts[0] + parts[1], total);
        assert_eq!(parts.iter().sum::<Counts>(), total);
        assert_eq!(parts.into_iter().sum::<Counts>(), total);
        let mut acc = Counts::default();
        acc += parts[1];
        acc += parts[0];
        assert_eq!(acc, total);
        // Micro, not macro: the larger part dominates.
        assert!(close(total.precision(), 11.0 / 33.0));
    }

    #[test]
    fn prf_from_precision_and_recall() {
        let p = Prf::new(1.0, 0.5);
        assert!(close(p.f1, 2.0 / 3.0));
        assert_eq!(Prf::new(1.0, 1.0).f1, 1.0);
    }

    #[test]
    fn serialized_field_names() {
        let json = serde_json::to_string(&Counts::new(1, 2, 3)).unwrap();
        assert_eq!(
            json,
            r#"{"true_positives":1,"false_positives":2,"false_negatives":3}"#
        );
        let json = serde_json::to_string(&Prf::new(1.0, 1.0)).unwrap();
        assert_eq!(json, r#"{"precision":1.0,"recall":1.0,"f1":1.0}"#);
        let back: Counts =
            serde_json::from_str(r#"{"true_positives":1,"false_positives":2,"false_negatives":3}"#)
                .unwrap();
        assert_eq!(back, Counts::new(1, 2, 3));
    }
}
