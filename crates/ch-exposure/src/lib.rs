//! Exposure monitoring: what an operator runs, what in it is vulnerable, how urgent each
//! thing is, and who gets told.
//!
//! - Assets ([`Exposure::create_asset`]) hold inventories ([`Exposure::upload`]: any format
//!   `ch-lockfile` reads); a new upload replaces the asset's current inventory, older ones
//!   stay readable as history.
//! - Matching is continuous: an upload is matched at once against the in-memory index
//!   (`ch-knowledge`); every knowledge-base change is matched by [`Exposure::match_changes`]
//!   (run from the job table, [`MATCH_JOB`]) through the reverse index of current
//!   components by match key (`ch-store::exposure`), so a changed advisory touches only
//!   the components it can be about.
//! - Findings ([`ch_store::exposure::FindingRow`]) are open, fixed (by a newer inventory
//!   or a changed advisory), accepted (with a reason and an expiry) or not affected (by a
//!   VEX statement), ranked by [`priority::priority`] and explained by
//!   [`priority::action`].
//! - VEX statements ([`vex`]) suppress or annotate findings; imported and exported as
//!   OpenVEX and CycloneDX VEX.
//! - Notifications ([`notify`]): in-app rows, and deliveries (signed webhook, e-mail)
//!   enqueued as jobs in the transaction that made the findings, so nothing is sent for
//!   a change that did not commit; a daily digest for organisations that want one.
//!
//! Service code: async, no HTTP types; every write is one transaction.

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod matching;
pub mod notify;
pub mod priority;
pub mod vex;

use std::sync::Arc;

use ch_knowledge::Knowledge;
use ch_store::Store;
use ch_store::jobs::Clock;
use ch_store::sealed::Sealer;

pub use matching::{MatchRun, UploadOutcome, component_ref};
pub use priority::{Criticality, Urgency};

/// The job kind that matches knowledge-base changes against every inventory.
pub const MATCH_JOB: &str = "exposure.match";
/// The job kind that delivers one notification over one channel.
pub const DELIVER_JOB: &str = "exposure.deliver";
/// The job kind that sends the daily digests.
pub const DIGEST_JOB: &str = "exposure.digest";

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ch_store::Error),
    /// The knowledge base failed.
    #[error(transparent)]
    Knowledge(#[from] ch_knowledge::Error),
    /// An inventory could not be read.
    #[error("{0}")]
    Inventory(String),
    /// A VEX document or statement was refused.
    #[error("{0}")]
    Vex(String),
    /// Input was refused: what and why.
    #[error("{0}")]
    Invalid(String),
    /// No such object (or not the caller's).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Sending failed.
    #[error("{0}")]
    Send(String),
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where notifications go out.
#[derive(Clone, Debug, Default)]
pub struct Outbound {
    /// The SMTP relay, when e-mail is configured.
    pub smtp: Option<ch_notify::mail::SmtpConfig>,
    /// The server's public base URL, for links in messages (`https://clearinghouse.example`).
    pub base_url: String,
    /// Webhooks may go to loopback, private and link-local addresses. Off by default: an
    /// operator's webhook URL must not make the server call into its own network.
    pub allow_private_webhooks: bool,
}

/// The exposure service.
#[derive(Clone)]
pub struct Exposure {
    pub(crate) store: Store,
    pub(crate) kb: Knowledge,
    pub(crate) clock: Clock,
    pub(crate) sealer: Sealer,
    pub(crate) outbound: Arc<Outbound>,
}

impl std::fmt::Debug for Exposure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exposure").finish_non_exhaustive()
    }
}

impl Exposure {
    /// The service over a store and its knowledge base.
    pub fn new(store: Store, kb: Knowledge, clock: Clock, sealer: Sealer, outbound: Outbound) -> Exposure {
        Exposure { store, kb, clock, sealer, outbound: Arc::new(outbound) }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The knowledge base.
    pub fn knowledge(&self) -> &Knowledge {
        &self.kb
    }

    /// Now, ms.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }
}
