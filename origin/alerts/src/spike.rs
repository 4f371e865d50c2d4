//! Noticing when occurrences of something bunch up: a spike of refused signatures.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Counts occurrences in a sliding window and says when they reach a threshold: once per spike.
///
/// [`record`](Self::record) returns `true` for the occurrence that makes the count within the last
/// `window` reach `threshold`, and `false` for the following ones until the count has fallen below
/// the threshold again (occurrences aged out of the window); the next spike then fires again.
/// Shared between request handlers (it is `Send + Sync`); memory stays at `threshold` timestamps.
#[derive(Debug)]
pub struct SpikeDetector {
    threshold: usize,
    window_ms: u64,
    state: Mutex<SpikeState>,
}

#[derive(Debug, Default)]
struct SpikeState {
    /// The newest occurrences, oldest first, at most `threshold` of them.
    times: VecDeque<u64>,
    /// Whether the current spike has been reported.
    fired: bool,
}

impl SpikeDetector {
    /// Fires when `threshold` occurrences (at least 1) fall within `window` (at least 1 ms).
    pub fn new(threshold: usize, window: Duration) -> Self {
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        Self { threshold: threshold.max(1), window_ms, state: Mutex::new(SpikeState::default()) }
    }

    /// Records one occurrence at `now_ms` (Unix milliseconds); `true` when it starts a spike.
    /// Times that go backwards count as `now_ms` equal to the newest seen.
    pub fn record(&self, now_ms: u64) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now_ms = state.times.back().map_or(now_ms, |&newest| now_ms.max(newest));
        Self::forget_old(&mut state.times, now_ms, self.window_ms);
        if state.times.len() < self.threshold {
            state.fired = false;
        }
        if state.times.len() == self.threshold {
            state.times.pop_front();
        }
        state.times.push_back(now_ms);
        if state.times.len() >= self.threshold && !state.fired {
            state.fired = true;
            return true;
        }
        false
    }

    /// How many recorded occurrences fall within the window ending at `now_ms`, counting at most
    /// the threshold.
    pub fn count(&self, now_ms: u64) -> usize {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.times.iter().filter(|&&at| at.saturating_add(self.window_ms) > now_ms).count()
    }

    /// Drops the occurrences that are `window_ms` or more older than `now_ms`.
    fn forget_old(times: &mut VecDeque<u64>, now_ms: u64, window_ms: u64) {
        while times.front().is_some_and(|&at| at.saturating_add(window_ms) <= now_ms) {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn fires_exactly_when_the_threshold_is_reached_within_the_window() {
        let spikes = SpikeDetector::new(3, MINUTE);
        assert!(!spikes.record(0));
        assert!(!spikes.record(10_000));
        assert!(spikes.record(20_000));
        assert_eq!(spikes.count(20_000), 3);
    }

    #[test]
    fn fires_once_per_spike_however_long_it_lasts() {
        let spikes = SpikeDetector::new(3, MINUTE);
        let fired: Vec<u64> = (0..100).map(|n| n * 1_000).filter(|&at| spikes.record(at)).collect();
        assert_eq!(fired, [2_000]);
    }

    #[test]
    fn occurrences_spread_wider_than_the_window_never_fire() {
        let spikes = SpikeDetector::new(3, MINUTE);
        for n in 0..20 {
            assert!(!spikes.record(n * 30_000), "fired at occurrence {n}");
        }
    }

    #[test]
    fn fires_again_once_the_window_has_emptied_below_the_threshold() {
        let spikes = SpikeDetector::new(2, MINUTE);
        assert!(!spikes.record(0));
        assert!(spikes.record(1_000));
        assert!(!spikes.record(2_000), "still the same spike");
        // By 100 s every earlier occurrence has aged out: this one alone is below the threshold.
        assert!(!spikes.record(100_000));
        assert!(spikes.record(100_001));
        // Below the threshold only for a moment (at 161.5 s only the one at 101.6 s counts)...
        assert!(!spikes.record(101_600));
        assert!(spikes.record(161_500), "a fresh spike after the count fell below the threshold");
    }

    #[test]
    fn an_occurrence_exactly_a_window_old_no_longer_counts() {
        let spikes = SpikeDetector::new(2, MINUTE);
        assert!(!spikes.record(0));
        assert!(!spikes.record(60_000));
        assert!(spikes.record(60_001));
    }

    #[test]
    fn a_threshold_of_one_fires_on_the_first_occurrence_of_each_quiet_spell() {
        let spikes = SpikeDetector::new(1, MINUTE);
        assert!(spikes.record(0));
        assert!(!spikes.record(30_000));
        assert!(spikes.record(200_000));
        let zero = SpikeDetector::new(0, Duration::ZERO);
        assert!(zero.record(5));
    }

    #[test]
    fn a_clock_that_goes_back_does_not_confuse_it() {
        let spikes = SpikeDetector::new(3, MINUTE);
        assert!(!spikes.record(100_000));
        assert!(!spikes.record(50_000));
        assert!(spikes.record(100_001));
    }

    #[test]
    fn it_is_shared_between_threads_and_fires_once() {
        let spikes = std::sync::Arc::new(SpikeDetector::new(50, MINUTE));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let spikes = spikes.clone();
                std::thread::spawn(move || (0..25).filter(|n| spikes.record(*n)).count())
            })
            .collect();
        let fired: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(fired, 1);
    }
}
