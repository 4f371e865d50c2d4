//! Spikes of refused signatures: a burst of Razorpay or Shopify webhooks (or payment callbacks)
//! whose signature does not match is either a secret rotated on one side only or someone probing
//! the endpoints. Either way staff hear of it: past [`SPIKE_THRESHOLD`] refusals within
//! [`SPIKE_WINDOW`], an alert goes to the `alerts` queue (admin-api posts it to Slack).

use std::time::Duration;
use zelly_alerts::{Alert, AlertKind, SpikeDetector};
use zelly_queue::DynQueues;

/// Refusals within the window that make a spike.
pub const SPIKE_THRESHOLD: usize = 20;
/// The window they are counted in.
pub const SPIKE_WINDOW: Duration = Duration::from_secs(5 * 60);

/// One detector per source of signatures.
#[derive(Debug)]
pub struct SignatureSpikes {
    payments: SpikeDetector,
    shopify: SpikeDetector,
}

impl Default for SignatureSpikes {
    fn default() -> Self {
        Self::new(SPIKE_THRESHOLD, SPIKE_WINDOW)
    }
}

/// Where a refused signature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureSource {
    /// Razorpay's webhooks and payment callbacks.
    Payments,
    /// Shopify's webhooks.
    Shopify,
}

impl SignatureSpikes {
    /// Detectors that fire at `threshold` refusals within `window`.
    pub fn new(threshold: usize, window: Duration) -> Self {
        Self { payments: SpikeDetector::new(threshold, window), shopify: SpikeDetector::new(threshold, window) }
    }

    /// Counts a refusal; at the start of a spike an alert is queued (in the background, so the
    /// refusal's answer does not wait for the queue).
    pub fn refused(&self, source: SignatureSource, queues: &DynQueues) {
        let now = u64::try_from(zelly_service::now_ms()).unwrap_or(0);
        let (detector, what) = match source {
            SignatureSource::Payments => (&self.payments, "payment (Razorpay)"),
            SignatureSource::Shopify => (&self.shopify, "Shopify webhook"),
        };
        if !detector.record(now) {
            return;
        }
        let alert = Alert::new(
            AlertKind::SignatureSpike,
            match source {
                SignatureSource::Payments => "razorpay",
                SignatureSource::Shopify => "shopify",
            },
            format!("Many {what} signatures were refused"),
            format!(
                "{} or more {what} requests with a signature that does not match arrived within {} minutes: \
                 a secret rotated on one side only, or someone probing the endpoint.",
                detector.count(now),
                SPIKE_WINDOW.as_secs() / 60
            ),
        );
        let queues = queues.clone();
        tokio::spawn(async move {
            if let Err(err) = zelly_alerts::raise(queues.as_ref(), &alert, now, SPIKE_WINDOW).await {
                tracing::error!(title = %alert.title, "could not queue an alert: {err}");
            }
        });
    }
}
