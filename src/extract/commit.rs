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

/// A raw commit in UTF-8, as `git log` shows it: unchanged without an `encoding` header (git
/// then takes the bytes for UTF-8) or with one naming UTF-8; otherwise headers and message
/// converted from the encoding the header names (`git -c i18n.commitEncoding=ISO-8859-1
/// commit` writes one). Like git, the bytes are kept as they are when the encoding is
/// unknown or they are not valid in it. ISO-8859-1 is read as ISO-8859-1 (as iconv, which
/// git uses, reads it), not as the windows-1252 the WHATWG labels make of it.
pub fn to_utf8(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let (headers, _) = split_commit(raw);
    let Some(label) = headers
        .split(|&b| b == b'\n')
        .find_map(|l| l.strip_prefix(b"encoding "))
    else {
        return Cow::Borrowed(raw);
    };
    let label = String::from_utf8_lossy(label).trim().to_ascii_lowercase();
    let converted = match label.as_str() {
        "utf-8" | "utf8" => None,
        "iso-8859-1" | "iso8859-1" | "iso88591" | "iso_8859-1" | "iso_8859-1:1987" | "latin1"
        | "l1" | "cp819" | "ibm819" | "csisolatin1" | "iso-ir-100" => {
            Some(raw.iter().map(|&b| char::from(b)).collect::<String>())
        }
        // ASCII names an encoding with no byte over 127: anything else is not valid in it.
        "ascii" | "us-ascii" | "ansi_x3.4-1968" => None,
        _ => encoding_rs::Encoding::for_label(label.as_bytes()).and_then(|encoding| {
            encoding
                .decode_without_bom_handling_and_without_replacement(raw)
                .map(std::borrow::Cow::into_owned)
        }),
    };
    match converted {
        Some(text) => Cow::Owned(text.into_bytes()),
        None => Cow::Borrowed(raw),
    }
}

/// The author header: `Name <email>`, seconds, offset in minutes.
pub fn author(headers: &[u8]) -> (String, i64, i32) {
    signature(headers, b"author ")
}

/// The first header line starting with `key` (`author `, `committer `) as a signature:
/// `Name <email>`, time, offset in minutes (as [`author`]).
pub fn signature(headers: &[u8], key: &[u8]) -> (String, i64, i32) {
    let line = headers
        .split(|&b| b == b'\n')
        .find_map(|l| l.strip_prefix(key))
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

/// The committer time of a `committer` header line (seconds; 0 when unreadable).
pub fn committer_time(line: &[u8]) -> i64 {
    let Some(close) = line.iter().rposition(|&b| b == b'>') else {
        return 0;
    };
    std::str::from_utf8(&line[close + 1..])
        .ok()
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
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

/// The seconds since the epoch of an RFC 3339 date (`YYYY-MM-DDTHH:MM:SS±HH:MM` as
/// [`rfc3339`] writes it, or with `Z`); `None` for any other text.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    // RFC 3339's `T`, not the space other formats allow.
    if text.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let stamp: jiff::Timestamp = text.parse().ok()?;
    Some(stamp.as_second())
}

/// Seconds since the epoch and an offset in minutes, as RFC 3339 in that offset, the way
/// `git log --format=%aI` prints them. Like git, a date out of the range RFC 3339 can
/// write (years 0001-9999) is shown as the epoch, 1970-01-01T00:00:00+00:00 (git's own
/// fallback), and a zone no clock has as +00:00 (git does that beyond ±99:59; practrace
/// beyond ±25:59, the widest offset a date library represents).
pub fn rfc3339(time: i64, offset_minutes: i32) -> String {
    let zoned = || -> Option<String> {
        let offset = offset_minutes
            .checked_mul(60)
            .and_then(|s| jiff::tz::Offset::from_seconds(s).ok())
            .unwrap_or(jiff::tz::Offset::UTC);
        let stamp = jiff::Timestamp::from_second(time).ok()?;
        let local = stamp.to_zoned(jiff::tz::TimeZone::fixed(offset));
        (local.year() >= 1).then(|| local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
    };
    zoned().unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into())
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

    /// Pins issue 16 item 13: extreme timestamps wrapped silently (year -292277022657) and a
    /// zone of +2147483647 printed `+21474836:47`, which is not RFC 3339. As git does: the
    /// epoch for a date out of range, +00:00 for a zone no clock has.
    #[test]
    fn dates_out_of_range_fall_back_as_git_does() {
        assert_eq!(rfc3339(i64::MIN, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(i64::MAX, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(253_402_300_800, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(0, i32::MAX), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(0, 99 * 60 + 59), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(0, 25 * 60 + 59), "1970-01-02T01:59:00+25:59");
        assert_eq!(rfc3339(0, -(14 * 60)), "1969-12-31T10:00:00-14:00");
        let (_, time, offset) = author(b"author a <a> 1700000060 +2147483647\n");
        assert_eq!(rfc3339(time, offset), "2023-11-14T22:14:20+00:00");
    }

    /// Pins issue 11 item 5: a message with an `encoding` header was read as UTF-8, so
    /// its accented letters became U+FFFD. Converted as git log converts it; the bytes are
    /// kept when the encoding is unknown or they are not valid in it.
    #[test]
    fn commits_in_other_encodings_are_read_as_utf8() {
        let latin1 =
            b"tree t\nauthor Zo\xeb <z@x> 1 +0000\nencoding ISO-8859-1\n\nS\xe9curit\xe9 \x80\n";
        let utf8 = to_utf8(latin1);
        let (headers, message) = split_commit(&utf8);
        assert_eq!(author(headers).0, "Zo\u{eb} <z@x>");
        // 0x80 is a C1 control in ISO-8859-1 (iconv), not the euro sign of windows-1252.
        assert_eq!(message, "S\u{e9}curit\u{e9} \u{80}\n".as_bytes());
        let sjis = b"tree t\nencoding Shift_JIS\n\n\x90\xdd\x8cv\n";
        assert_eq!(
            split_commit(&to_utf8(sjis)).1,
            "\u{8a2d}\u{8a08}\n".as_bytes()
        );
        let plain = b"tree t\nencoding UTF-8\n\nS\xc3\xa9\n";
        assert!(matches!(to_utf8(plain), std::borrow::Cow::Borrowed(_)));
        for kept in [
            &b"tree t\nencoding no-such-thing\n\n\xe9\n"[..],
            b"tree t\nencoding US-ASCII\n\n\xe9\n",
            b"tree t\nencoding Shift_JIS\n\n\x90\n",
            b"tree t\n\nno header \xe9\n",
        ] {
            assert_eq!(&*to_utf8(kept), kept);
        }
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
