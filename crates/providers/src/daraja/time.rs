//! Daraja timestamps: `YYYYMMDDHHmmss` in Nairobi local time.
//!
//! Kenya is UTC+3 all year (East Africa Time has no daylight saving), so the conversion is a
//! fixed offset and needs no time-zone database. Safaricom does not state the zone; Nairobi
//! time is practitioner consensus, and off-zone servers report "Invalid Timestamp" or "Wrong
//! credentials" (reference §2.1, §9).

use malipo_core::Timestamp;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Nairobi's offset from UTC in seconds (UTC+3, no DST).
pub const NAIROBI_OFFSET_SECONDS: i32 = 3 * 3600;

fn nairobi() -> UtcOffset {
    // 3 hours is always a valid offset; fall back to UTC only to avoid a panic path.
    UtcOffset::from_whole_seconds(NAIROBI_OFFSET_SECONDS).unwrap_or(UtcOffset::UTC)
}

/// The Daraja timestamp for an instant, or `None` if the instant is outside years 0–9999.
pub fn daraja_timestamp(now: Timestamp) -> Option<String> {
    let seconds = now.millis().div_euclid(1000);
    let local = OffsetDateTime::from_unix_timestamp(seconds)
        .ok()?
        .to_offset(nairobi());
    if !(0..=9999).contains(&local.year()) {
        return None;
    }
    Some(format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    ))
}

/// Reads a Daraja `YYYYMMDDHHmmss` (Nairobi time) back into an instant. `None` unless it is
/// exactly 14 digits naming a real date and time.
pub fn parse_daraja_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<u16>().ok();
    let year = i32::from(num(0..4)?);
    let month = Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let day = u8::try_from(num(6..8)?).ok()?;
    let hour = u8::try_from(num(8..10)?).ok()?;
    let minute = u8::try_from(num(10..12)?).ok()?;
    let second = u8::try_from(num(12..14)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let clock = Time::from_hms(hour, minute, second).ok()?;
    let instant = PrimitiveDateTime::new(date, clock).assume_offset(nairobi());
    Some(Timestamp(instant.unix_timestamp().checked_mul(1000)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nairobi_is_three_hours_ahead_of_utc() {
        // 2021-06-28 06:24:08 UTC is 09:24:08 in Nairobi.
        let utc = Timestamp(1_624_861_448_000);
        assert_eq!(daraja_timestamp(utc).as_deref(), Some("20210628092408"));
        assert_eq!(parse_daraja_time("20210628092408"), Some(utc));
    }

    #[test]
    fn malformed_times_are_refused() {
        for bad in [
            "",
            "2021062809240",
            "20211328092408",
            "2021062809240x",
            "20210230120000",
        ] {
            assert_eq!(parse_daraja_time(bad), None, "{bad:?} is not a Daraja time");
        }
    }
}
