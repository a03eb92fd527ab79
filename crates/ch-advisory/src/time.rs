//! Timestamps as the sources write them, read into UTC instants, and written the way the
//! OSV schema requires (`YYYY-MM-DDTHH:MM:SS[.frac]Z`).
//!
//! Sources differ: OSV and CVE 5 write RFC 3339 (CVE 5 sometimes without an offset), the
//! NVD API 2.0 writes `2019-12-27T14:15:12.070` with no offset, NVD 1.1 feeds
//! `2002-06-25T04:00Z` without seconds. NVD and CVE 5 times without an offset are UTC
//! (both services document their times as UTC).

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// Reads an RFC 3339 timestamp, or a date-time without an offset (taken as UTC), or a
/// bare date (taken as midnight UTC).
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    // `2017-05-15 09:09:00` and `2017-05-15 09:09:00 +0000` (YAML timestamps rendered
    // with spaces).
    let spaced;
    let s = if s.len() > 10 && s.as_bytes().get(10) == Some(&b' ') {
        let rest = s.get(11..).unwrap_or_default().replace(" +", "+").replace(" -", "-");
        spaced = format!("{}T{rest}", s.get(..10).unwrap_or_default());
        spaced.as_str()
    } else {
        s
    };
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    if let Ok(dt) = s.parse::<DateTime>() {
        return dt.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp());
    }
    if let Ok(d) = s.parse::<Date>() {
        return d.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp());
    }
    None
}

/// Reads a bare `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<Date> {
    s.trim().parse::<Date>().ok()
}

/// A date at a fixed UTC time of day, as RustSec's OSV export writes dates (12:00:00Z).
pub fn date_at(date: Date, hour: i8) -> Option<Timestamp> {
    date.at(hour, 0, 0, 0).to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// The OSV form: RFC 3339 in UTC with `Z`, fractional seconds only when non-zero.
pub fn osv_timestamp(t: Timestamp) -> String {
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_table() {
        let cases = [
            ("2021-10-05T16:15:00Z", "2021-10-05T16:15:00Z"),
            ("2023-06-13T13:10:24+02:00", "2023-06-13T11:10:24Z"),
            ("2024-01-15T10:00:00.000Z", "2024-01-15T10:00:00Z"),
            ("2019-12-27T14:15:12.070", "2019-12-27T14:15:12.07Z"),
            ("2002-06-25T04:00Z", "2002-06-25T04:00:00Z"),
            ("2017-05-15 09:09:00", "2017-05-15T09:09:00Z"),
            ("2017-05-15 09:09:00 +0200", "2017-05-15T07:09:00Z"),
            ("2016-11-05", "2016-11-05T00:00:00Z"),
            ("2021-07-12T17:49:44.123456Z", "2021-07-12T17:49:44.123456Z"),
        ];
        for (input, want) in cases {
            let t = parse_timestamp(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(osv_timestamp(t), want, "{input}");
        }
        for bad in ["", "yesterday", "2021-13-01", "2021-02-30T00:00:00Z"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn noon_dates() {
        let d = parse_date("2016-11-05").unwrap();
        assert_eq!(osv_timestamp(date_at(d, 12).unwrap()), "2016-11-05T12:00:00Z");
    }
}
