//! Maintenance windows and change freezes, as intervals of real time.
//!
//! A window is written in wall-clock terms ("Saturdays 02:00–06:00,
//! Europe/Berlin") and turned into absolute intervals here, one occurrence
//! at a time, through `jiff` and its bundled time-zone database, so a window
//! keeps its local hours across daylight-saving changes. Where a local time
//! does not exist (the spring gap) it moves forward by the gap; where it
//! exists twice (the autumn fold) the earlier instant is taken. A window
//! whose end is not after its start ends on the next day. A window across
//! a DST change is therefore shorter or longer in absolute time, and the
//! bin-packing works with the absolute length.
//!
//! A freeze covers whole local days, from the start of its first day to the
//! end of its last, and is cut out of every window it overlaps: no scheduled
//! change may start or run inside it.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;

use super::civil::{DayName, PolicyDate, WallTime, WeekOfMonth};
use super::selector::{HostProfile, Selector};

/// `[windows.<name>]`: a recurring maintenance window.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowRule {
    /// IANA time zone the times are written in, e.g. `Europe/Berlin`.
    /// Defaults to the policy's `timezone`.
    pub timezone: Option<String>,
    /// Weekly recurrence: the days the window opens. With neither `days`
    /// nor `monthly`, the window opens every day.
    #[serde(default)]
    pub days: Vec<DayName>,
    /// Monthly recurrence, e.g. `{ week = "last", day = "sun" }`.
    pub monthly: Option<MonthlyRule>,
    pub start: WallTime,
    /// End time; not after `start` means the next day.
    pub end: WallTime,
    #[serde(default)]
    pub applies_to: Selector,
}

/// "The last Sunday of the month" and its kin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlyRule {
    pub week: WeekOfMonth,
    pub day: DayName,
}

/// `[freezes.<name>]`: a change freeze (CAB blackout).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    /// First frozen day.
    pub start: PolicyDate,
    /// Last frozen day, inclusive.
    pub end: PolicyDate,
    pub timezone: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub applies_to: Selector,
}

/// A half-open span of real time, `[start, end)`, with the window it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
    /// Name of the window (or `emergency`) this interval belongs to.
    pub label: String,
}

impl Interval {
    pub fn length(&self) -> jiff::SignedDuration {
        self.end.duration_since(self.start)
    }
}

/// Turns a local date and time into an instant: a time in the spring gap
/// moves forward, a time in the autumn fold takes the earlier instant.
pub fn instant(tz: &TimeZone, date: Date, time: Time) -> Timestamp {
    let local = DateTime::from_parts(date, time);
    tz.to_ambiguous_timestamp(local).compatible().unwrap_or(Timestamp::MAX)
}

impl WindowRule {
    /// Whether the window opens on this local date.
    pub fn opens_on(&self, date: Date) -> bool {
        if let Some(monthly) = self.monthly {
            return date
                .nth_weekday_of_month(monthly.week.nth(), monthly.day.weekday())
                .is_ok_and(|day| day == date);
        }
        self.days.is_empty() || self.days.iter().any(|day| day.weekday() == date.weekday())
    }

    /// Every occurrence that overlaps `[from, until)`, in time order.
    pub fn occurrences(
        &self,
        name: &str,
        tz: &TimeZone,
        from: Timestamp,
        until: Timestamp,
    ) -> Vec<Interval> {
        let first_day = tz.to_datetime(from).date().yesterday().unwrap_or(Date::MIN);
        let last_day = tz.to_datetime(until).date();
        let mut found = Vec::new();
        let mut day = first_day;

        while day <= last_day {
            if self.opens_on(day) {
                let interval = self.occurrence_on(name, tz, day);
                if interval.end > from && interval.start < until && interval.end > interval.start {
                    found.push(interval);
                }
            }
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        found
    }

    fn occurrence_on(&self, name: &str, tz: &TimeZone, day: Date) -> Interval {
        let end_day = if self.end.0 > self.start.0 { day } else { day.tomorrow().unwrap_or(day) };
        Interval {
            start: instant(tz, day, self.start.0),
            end: instant(tz, end_day, self.end.0),
            label: name.to_string(),
        }
    }
}

impl Freeze {
    /// The frozen span: from the first day's midnight to the midnight after
    /// the last day, local time.
    pub fn interval(&self, name: &str, tz: &TimeZone) -> Interval {
        let after_last = self.end.0.checked_add(1.day()).unwrap_or(self.end.0);
        Interval {
            start: instant(tz, self.start.0, Time::midnight()),
            end: instant(tz, after_last, Time::midnight()),
            label: name.to_string(),
        }
    }
}

/// Cuts every blocked interval out of the open ones.
pub fn subtract(open: Vec<Interval>, blocked: &[Interval]) -> Vec<Interval> {
    let mut pieces = open;
    for block in blocked {
        pieces = pieces.into_iter().flat_map(|piece| cut(piece, block)).collect();
    }
    pieces
}

fn cut(piece: Interval, block: &Interval) -> Vec<Interval> {
    if block.end <= piece.start || block.start >= piece.end {
        return vec![piece];
    }
    let mut kept = Vec::new();
    if block.start > piece.start {
        kept.push(Interval { end: block.start, ..piece.clone() });
    }
    if block.end < piece.end {
        kept.push(Interval { start: block.end, ..piece });
    }
    kept
}

/// Resolves a time zone name, falling back to the policy default.
pub fn zone(name: Option<&str>, default: &TimeZone) -> TimeZone {
    name.and_then(|name| TimeZone::get(name).ok()).unwrap_or_else(|| default.clone())
}

/// The windows open to `host` within `[from, until)`, freezes cut out,
/// sorted by start.
pub fn open_intervals(
    policy: &super::Policy,
    host: &HostProfile,
    from: Timestamp,
    until: Timestamp,
) -> Vec<Interval> {
    subtract(window_intervals(policy, host, from, until), &freeze_intervals(policy, host))
}

/// Every occurrence of the windows that apply to `host`, freezes ignored,
/// sorted by start.
pub fn window_intervals(
    policy: &super::Policy,
    host: &HostProfile,
    from: Timestamp,
    until: Timestamp,
) -> Vec<Interval> {
    let default_zone = policy.time_zone();
    let mut open: Vec<Interval> = policy
        .windows
        .iter()
        .filter(|(_, rule)| rule.applies_to.matches(host))
        .flat_map(|(name, rule)| {
            rule.occurrences(name, &zone(rule.timezone.as_deref(), &default_zone), from, until)
        })
        .collect();
    open.sort_by(|a, b| (a.start, a.end, &a.label).cmp(&(b.start, b.end, &b.label)));
    open
}

/// The freezes that apply to `host`.
pub fn freeze_intervals(policy: &super::Policy, host: &HostProfile) -> Vec<Interval> {
    let default_zone = policy.time_zone();
    policy
        .freezes
        .iter()
        .filter(|(_, freeze)| freeze.applies_to.matches(host))
        .map(|(name, freeze)| {
            freeze.interval(name, &zone(freeze.timezone.as_deref(), &default_zone))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn rule(text: &str) -> WindowRule {
        toml::from_str(text).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn saturday_window_keeps_local_hours_across_summer_time() {
        let weekly = rule("days = [\"sat\"]\nstart = \"02:00\"\nend = \"06:00\"\n");
        let found = weekly.occurrences(
            "sat",
            &berlin(),
            at("2026-03-21T00:00:00Z"),
            at("2026-04-05T00:00:00Z"),
        );

        assert_eq!(found.len(), 3);
        assert_eq!(found[1].start, at("2026-03-28T01:00:00Z"), "CET is UTC+1");
        assert_eq!(found[2].start, at("2026-04-04T00:00:00Z"), "CEST is UTC+2");
        assert_eq!(found[2].length(), jiff::SignedDuration::from_hours(4));
    }

    #[test]
    fn last_sunday_window_shrinks_in_march_and_grows_in_october() {
        let monthly = rule(
            "monthly = { week = \"last\", day = \"sun\" }\nstart = \"01:00\"\nend = \"05:00\"\n",
        );
        let tz = berlin();
        let year =
            monthly.occurrences("db", &tz, at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));

        assert_eq!(year.len(), 12);
        let march = &year[2];
        assert_eq!(march.start, at("2026-03-29T00:00:00Z"));
        assert_eq!(march.length(), jiff::SignedDuration::from_hours(3), "02:00 is skipped");
        let october = &year[9];
        assert_eq!(october.start, at("2026-10-24T23:00:00Z"));
        assert_eq!(october.length(), jiff::SignedDuration::from_hours(5), "02:00-03:00 twice");
    }

    #[test]
    fn start_inside_the_spring_gap_moves_forward() {
        let gap = rule("days = [\"sun\"]\nstart = \"02:30\"\nend = \"04:00\"\n");
        let found = gap.occurrences(
            "gap",
            &berlin(),
            at("2026-03-28T12:00:00Z"),
            at("2026-03-30T00:00:00Z"),
        );
        assert_eq!(
            found[0].start,
            at("2026-03-29T01:30:00Z"),
            "02:30 CET does not exist; 03:30 CEST"
        );
        assert_eq!(found[0].end, at("2026-03-29T02:00:00Z"));
    }

    #[test]
    fn window_ending_before_it_starts_crosses_midnight() {
        let overnight = rule("days = [\"fri\"]\nstart = \"22:00\"\nend = \"02:00\"\n");
        let found = overnight.occurrences(
            "night",
            &berlin(),
            at("2026-08-20T00:00:00Z"),
            at("2026-08-24T00:00:00Z"),
        );
        assert_eq!(found[0].start, at("2026-08-21T20:00:00Z"));
        assert_eq!(found[0].end, at("2026-08-22T00:00:00Z"));
    }

    #[test]
    fn freeze_cuts_whole_local_days_out_of_windows() {
        let daily = rule("start = \"20:00\"\nend = \"04:00\"\n");
        let freeze: Freeze =
            toml::from_str("start = 2026-12-24\nend = 2026-12-26\nreason = \"holidays\"\n")
                .unwrap();
        let tz = berlin();
        let open =
            daily.occurrences("daily", &tz, at("2026-12-22T12:00:00Z"), at("2026-12-29T00:00:00Z"));
        let frozen = freeze.interval("xmas", &tz);
        assert_eq!(frozen.start, at("2026-12-23T23:00:00Z"));
        assert_eq!(frozen.end, at("2026-12-26T23:00:00Z"));

        let left = subtract(open, std::slice::from_ref(&frozen));
        assert!(left.iter().all(|piece| piece.end <= frozen.start || piece.start >= frozen.end));
        let cut_before = left.iter().find(|piece| piece.end == frozen.start).unwrap();
        assert_eq!(
            cut_before.start,
            at("2026-12-23T19:00:00Z"),
            "the 23rd's window stops at midnight"
        );
        let cut_after = left.iter().find(|piece| piece.start == frozen.end).unwrap();
        assert_eq!(
            cut_after.end,
            at("2026-12-27T03:00:00Z"),
            "the 26th's window resumes at midnight"
        );
    }

    #[test]
    fn freeze_across_the_october_change_is_measured_in_local_days() {
        let freeze: Freeze =
            toml::from_str("start = 2026-10-25\nend = 2026-10-25\nreason = \"release\"\n").unwrap();
        let frozen = freeze.interval("release", &berlin());
        assert_eq!(frozen.length(), jiff::SignedDuration::from_hours(25));
        assert_eq!(date(2026, 10, 25).weekday(), jiff::civil::Weekday::Sunday);
    }
}
