//! Rate limits (governor, keyed, in memory per process): sign-in attempts per client
//! address, failed token checks per client address, and requests per valid token.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::ServerConfig;

/// The limiters of one process.
#[derive(Debug)]
pub struct Limits {
    /// Sign-in attempts per address.
    pub login: DefaultKeyedRateLimiter<IpAddr>,
    /// Failed bearer tokens per address.
    pub token_fail: DefaultKeyedRateLimiter<IpAddr>,
    /// Requests per token (keyed by digest).
    pub token_use: DefaultKeyedRateLimiter<String>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl Limits {
    /// Limiters per the settings.
    pub fn new(c: &ServerConfig) -> Self {
        Limits {
            login: RateLimiter::keyed(Quota::per_minute(nz(c.login_per_minute)).allow_burst(nz(c.login_per_minute))),
            // Three failed tokens for each sign-in attempt allowed (30 a minute by default).
            token_fail: RateLimiter::keyed(
                Quota::per_minute(nz(c.login_per_minute.saturating_mul(3)))
                    .allow_burst(nz(c.login_per_minute.saturating_mul(3))),
            ),
            token_use: RateLimiter::keyed(
                Quota::per_second(nz(c.token_per_second)).allow_burst(nz(c.token_per_second.saturating_mul(2))),
            ),
        }
    }
}
