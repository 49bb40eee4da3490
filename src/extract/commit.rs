//! What a raw commit object says besides its trailers: its headers and message, the
//! author, the subject as git's `%s` shows it, and dates in RFC 3339 as reports print them.

/// Splits a raw commit into headers and message.
pub fn split_commit(raw: &[u8]) -> (&[u8], &[u8]) {
    static BLANK_LINE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\n\n"));
    match BLANK_LINE.find(raw) {
        Some(p) => (&raw[..p + 1], &raw[p + 2..]),
        None => (raw, &[]),
    }
}

/// The author header: `Name <email>`, seconds, offset in minutes.
pub fn author(headers: &[u8]) -> (String, i64, i32) {
    let line = headers
        .split(|&b| b == b'\n')
        .find_map(|l| l.strip_prefix(b"author "))
        .unwrap_or_default();
    let text = String::from_utf8_lossy(line);
    let Some(close) = text.rfind('>') else {
        return (text.trim().to_string(), 0, 0);
    };
    let who = text[..=close].to_string();
    let mut rest = text[close + 1..].split_whitespace();
    let time = rest.next().and_then(|t| t.parse().ok()).unwrap_or(0);
    let offset = rest
        .next()
        .and_then(|z| {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let digits = z.trim_start_matches(['+', '-']);
            let n: i32 = digits.parse().ok()?;
            Some(sign * ((n / 100) * 60 + n % 100))
        })
        .unwrap_or(0);
    (who, time, offset)
}

/// git's `%s`: the first paragraph, its lines joined by spaces.
pub fn subject(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    text.lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The seconds since the epoch of a date as [`rfc3339`] writes it
/// (`YYYY-MM-DDTHH:MM:SS±HH:MM`); `None` for any other text.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 25 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[22] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { text.get(r)?.parse().ok() };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let sign = match b[19] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let offset = sign * (num(20..22)? * 60 + num(23..25)?);
    // Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm, the inverse of
    // the one below).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + m * 60 + sec - offset * 60)
}

/// Seconds since the epoch and an offset in minutes, as RFC 3339.
pub fn rfc3339(time: i64, offset_minutes: i32) -> String {
    let local = time + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        off / 60,
        off % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for (t, off) in [
            (0, 0),
            (1_700_000_000, 60),
            (-86_400 * 400, -330),
            (951_782_400, 840),
        ] {
            let text = rfc3339(t, off);
            assert_eq!(parse_rfc3339(&text), Some(t), "{text}");
        }
        assert_eq!(parse_rfc3339("2024-01-02 10:00:00+00:00"), None);
    }

    #[test]
    fn dates_are_rfc3339_in_the_authors_zone() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(1_700_000_060, 0), "2023-11-14T22:14:20+00:00");
        assert_eq!(rfc3339(1_700_000_060, -330), "2023-11-14T16:44:20-05:30");
        assert_eq!(rfc3339(951_782_400, 0), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn author_header() {
        let h = b"tree x\nauthor A U Thor <a@x> 1700000060 -0130\ncommitter c <c> 1 +0000\n";
        assert_eq!(
            author(h),
            ("A U Thor <a@x>".to_string(), 1_700_000_060, -90)
        );
    }
}
