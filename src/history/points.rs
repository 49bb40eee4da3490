//! Which commits a history shows: the first-parent commit at the end of each calendar
//! period (week, month, quarter; UTC) from `--since` to `--until`, or the revisions of
//! `--revs`.
//!
//! A period's point is the first commit of the first-parent chain from the tip whose
//! committer date is at or before the period's end (for the last period, `--until` when it
//! comes first): exactly what `git rev-list --first-parent --before=END -1 TIP` names.
//! Periods that end before the first commit have no point.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use super::HistoryError;
use crate::evidence::ObjectId;
use crate::source::git::{GitSource, Repo};

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter (January–March, …).
    Quarter,
}

/// How many periods a history shows when `--since` is not given: these many, up to and
/// including the one `--until` falls in.
pub const DEFAULT_PERIODS: i64 = 12;

impl Every {
    /// `week`, `month` or `quarter`.
    pub fn name(self) -> &'static str {
        match self {
            Every::Week => "week",
            Every::Month => "month",
            Every::Quarter => "quarter",
        }
    }

    /// The first day of the period `date` is in.
    fn start_of(self, date: Date) -> Date {
        match self {
            Every::Week => {
                let back = i64::from(date.weekday().to_monday_zero_offset());
                date.checked_sub(Span::new().days(back)).unwrap_or(date)
            }
            Every::Month => date.first_of_month(),
            Every::Quarter => {
                let month = (date.month() - 1) / 3 * 3 + 1;
                Date::new(date.year(), month, 1).unwrap_or(date)
            }
        }
    }

    /// `n` periods after (negative: before) the period that starts on `start`.
    fn shift(self, start: Date, n: i64) -> Result<Date, HistoryError> {
        let span = match self {
            Every::Week => Span::new().try_weeks(n),
            Every::Month => Span::new().try_months(n),
            Every::Quarter => Span::new().try_months(n.saturating_mul(3)),
        };
        span.and_then(|s| start.checked_add(s))
            .map_err(|e| HistoryError::Usage(format!("a period out of range: {e}")))
    }

    /// The period's label: `2024-W05`, `2024-03` or `2024-Q1`.
    fn label(self, start: Date) -> String {
        match self {
            Every::Week => {
                let week = start.iso_week_date();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
            Every::Month => format!("{:04}-{:02}", start.year(), start.month()),
            Every::Quarter => format!("{:04}-Q{}", start.year(), (start.month() - 1) / 3 + 1),
        }
    }
}

/// Which points a history shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// One point per period.
    Periods {
        /// The period.
        every: Every,
        /// From this time (default: [`DEFAULT_PERIODS`] periods up to `until`).
        since: Option<Timestamp>,
        /// Up to this time (default: the tip's committer date).
        until: Option<Timestamp>,
    },
    /// These revisions, in committer-date order.
    Revs(Vec<String>),
}

/// One point to rate: what it is called and the commit it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointSpec {
    /// The period's label, or the revision as given.
    pub label: String,
    /// The end of the period (UTC), for a period's point.
    pub boundary: Option<Timestamp>,
    /// The commit.
    pub commit: ObjectId,
    /// Its committer time.
    pub time: i64,
}

/// The range a period selection covers, once its defaults are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// From.
    pub since: Timestamp,
    /// To.
    pub until: Timestamp,
}

/// The points of `selection` on the history of `tip`, oldest first; for periods, the
/// range they cover too.
pub fn select(
    source: &GitSource,
    repo: &Repo,
    tip: ObjectId,
    selection: &Selection,
) -> Result<(Vec<PointSpec>, Option<Range>), HistoryError> {
    match selection {
        Selection::Revs(revs) => Ok((explicit(repo, revs)?, None)),
        Selection::Periods {
            every,
            since,
            until,
        } => {
            let tip_time = repo.commit_info(tip)?.commit_time;
            let until = match until {
                Some(t) => *t,
                None => timestamp(tip_time)?,
            };
            let last = every.start_of(utc_date(until));
            let since = match since {
                Some(t) => *t,
                None => midnight(every.shift(last, 1 - DEFAULT_PERIODS)?)?,
            };
            if since > until {
                return Err(HistoryError::Usage(format!(
                    "--since {since} is after --until {until}: nothing to show"
                )));
            }
            let boundaries = boundaries(*every, since, until)?;
            let points = at_boundaries(source, tip, boundaries)?;
            Ok((points, Some(Range { since, until })))
        }
    }
}

/// The revisions of `--revs`, resolved, in committer-date order (a tie keeps the order
/// given).
fn explicit(repo: &Repo, revs: &[String]) -> Result<Vec<PointSpec>, HistoryError> {
    let mut points = Vec::new();
    for rev in revs {
        let commit = repo.resolve_commit(rev).ok_or_else(|| {
            HistoryError::Usage(format!("--revs: {rev:?} does not name a commit"))
        })?;
        let time = repo.commit_info(commit)?.commit_time;
        points.push(PointSpec {
            label: rev.clone(),
            boundary: None,
            commit,
            time,
        });
    }
    points.sort_by_key(|p| p.time);
    Ok(points)
}

/// Each period from the one `since` falls in to the one `until` falls in: its label and
/// its end (the last second of the period, or `until` when that comes first).
fn boundaries(
    every: Every,
    since: Timestamp,
    until: Timestamp,
) -> Result<Vec<(String, Timestamp)>, HistoryError> {
    let mut out = Vec::new();
    let mut start = every.start_of(utc_date(since));
    while midnight(start)? <= until {
        let next = every.shift(start, 1)?;
        let end = midnight(next)?
            .checked_sub(Span::new().seconds(1))
            .map_err(|e| HistoryError::Usage(format!("a period out of range: {e}")))?;
        out.push((every.label(start), end.min(until)));
        start = next;
    }
    Ok(out)
}

/// The point of each boundary: the first commit of the first-parent chain from `tip` whose
/// committer time is at or before it. One walk, newest first, that stops once the earliest
/// boundary has its commit; boundaries before the first commit get none and are dropped.
fn at_boundaries(
    source: &GitSource,
    tip: ObjectId,
    boundaries: Vec<(String, Timestamp)>,
) -> Result<Vec<PointSpec>, HistoryError> {
    let ends: Vec<i64> = boundaries.iter().map(|(_, t)| t.as_second()).collect();
    let mut found: Vec<Option<(ObjectId, i64)>> = vec![None; ends.len()];
    // Boundaries are in ascending order: those still without a commit are a prefix, and
    // a commit at or before one of them is at or before every later one.
    let mut open = ends.len();
    source.first_parents(tip, &mut |id, time| {
        if open > 0 && time <= ends[open - 1] {
            let first = ends.partition_point(|&e| e < time);
            for slot in &mut found[first..open] {
                *slot = Some((id, time));
            }
            open = first;
        }
        open > 0
    })?;
    Ok(boundaries
        .into_iter()
        .zip(found)
        .filter_map(|((label, end), found)| {
            found.map(|(commit, time)| PointSpec {
                label,
                boundary: Some(end),
                commit,
                time,
            })
        })
        .collect())
}

/// The UTC date of a time.
fn utc_date(t: Timestamp) -> Date {
    t.to_zoned(TimeZone::UTC).date()
}

/// Midnight (UTC) at the start of `date`.
fn midnight(date: Date) -> Result<Timestamp, HistoryError> {
    date.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| HistoryError::Usage(format!("a date out of range: {e}")))
}

/// A commit time as a timestamp.
fn timestamp(seconds: i64) -> Result<Timestamp, HistoryError> {
    Timestamp::from_second(seconds)
        .map_err(|e| HistoryError::Usage(format!("a commit date out of range: {e}")))
}

/// `--since` or `--until` as given: a date (`2024-06-30`: its first second for `--since`,
/// its last for `--until`, UTC) or an RFC 3339 time.
pub fn parse_date(flag: &str, text: &str, end_of_day: bool) -> Result<Timestamp, HistoryError> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let date: Date = text.parse().map_err(|_| {
        HistoryError::Usage(format!(
            "{flag} `{text}`: expected a date (2024-06-30) or an RFC 3339 time"
        ))
    })?;
    let time = if end_of_day {
        date.at(23, 59, 59, 0)
    } else {
        date.at(0, 0, 0, 0)
    };
    time.to_zoned(TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| HistoryError::Usage(format!("{flag} `{text}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::{Every, boundaries, parse_date};

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn periods_are_calendar_periods_in_utc_and_the_last_ends_at_until() {
        let got = boundaries(
            Every::Month,
            at("2024-01-15T10:00:00Z"),
            at("2024-03-10T00:00:00Z"),
        )
        .unwrap();
        let got: Vec<(String, String)> = got.into_iter().map(|(l, t)| (l, t.to_string())).collect();
        assert_eq!(
            got,
            [
                ("2024-01".to_string(), "2024-01-31T23:59:59Z".to_string()),
                ("2024-02".to_string(), "2024-02-29T23:59:59Z".to_string()),
                ("2024-03".to_string(), "2024-03-10T00:00:00Z".to_string()),
            ]
        );
        let quarters = boundaries(
            Every::Quarter,
            at("2023-11-01T00:00:00Z"),
            at("2024-04-01T00:00:00Z"),
        )
        .unwrap();
        let labels: Vec<&str> = quarters.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2023-Q4", "2024-Q1", "2024-Q2"]);
        assert_eq!(quarters[1].1.to_string(), "2024-03-31T23:59:59Z");
        // 2024-01-01 is a Monday; 2023-12-31 a Sunday, in ISO week 2023-W52.
        let weeks = boundaries(
            Every::Week,
            at("2023-12-31T12:00:00Z"),
            at("2024-01-08T00:00:00Z"),
        )
        .unwrap();
        let got: Vec<(String, String)> =
            weeks.into_iter().map(|(l, t)| (l, t.to_string())).collect();
        assert_eq!(
            got,
            [
                ("2023-W52".to_string(), "2023-12-31T23:59:59Z".to_string()),
                ("2024-W01".to_string(), "2024-01-07T23:59:59Z".to_string()),
                ("2024-W02".to_string(), "2024-01-08T00:00:00Z".to_string()),
            ]
        );
    }

    #[test]
    fn dates_take_the_first_or_last_second_of_the_day() {
        let since = parse_date("--since", "2024-06-30", false).unwrap();
        let until = parse_date("--until", "2024-06-30", true).unwrap();
        assert_eq!(since.to_string(), "2024-06-30T00:00:00Z");
        assert_eq!(until.to_string(), "2024-06-30T23:59:59Z");
        let exact = parse_date("--until", "2024-06-30T12:00:00+02:00", true).unwrap();
        assert_eq!(exact.to_string(), "2024-06-30T10:00:00Z");
        assert!(parse_date("--since", "last week", false).is_err());
    }
}
