//! Dates, wall-clock times and weekdays as the policy file spells them.
//!
//! TOML has native dates (`2026-12-24`) and times (`02:00:00`), and people
//! also write them quoted (`"02:00"`). Both forms are accepted here and turned
//! into `jiff` civil values; the time zone is applied later, by the window
//! and freeze code, so that daylight-saving rules are applied in one place.

use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A calendar date without a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyDate(pub Date);

/// A wall-clock time of day without a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WallTime(pub Time);

impl<'de> Deserialize<'de> for PolicyDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = deserializer.deserialize_any(TextOrTomlDatetime("a date like `2026-12-24`"))?;
        text.parse::<Date>()
            .map(PolicyDate)
            .map_err(|_| de::Error::custom(format!("`{text}` is not a date like `2026-12-24`")))
    }
}

impl<'de> Deserialize<'de> for WallTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = deserializer.deserialize_any(TextOrTomlDatetime("a time like `02:00`"))?;
        parse_wall_time(&text).map(WallTime).map_err(de::Error::custom)
    }
}

/// Parses `HH:MM` or `HH:MM:SS`; `24:00` means the end of the day and is
/// refused, because a window ending at midnight is written `00:00`.
pub fn parse_wall_time(text: &str) -> Result<Time, String> {
    let with_seconds = if text.len() == 5 { format!("{text}:00") } else { text.to_string() };
    with_seconds.parse::<Time>().map_err(|_| format!("`{text}` is not a time of day like `02:00`"))
}

/// Accepts a string or TOML's native date-time (which serde sees as a
/// one-entry map) and yields its text.
struct TextOrTomlDatetime(&'static str);

impl<'de> Visitor<'de> for TextOrTomlDatetime {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        let entry: Option<(String, String)> = map.next_entry()?;
        entry.map(|(_, value)| value).ok_or_else(|| de::Error::custom(self.0))
    }
}

/// A day of the week: `mon` … `sun`, or spelt out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DayName {
    #[serde(alias = "monday")]
    Mon,
    #[serde(alias = "tuesday")]
    Tue,
    #[serde(alias = "wednesday")]
    Wed,
    #[serde(alias = "thursday")]
    Thu,
    #[serde(alias = "friday")]
    Fri,
    #[serde(alias = "saturday")]
    Sat,
    #[serde(alias = "sunday")]
    Sun,
}

impl DayName {
    pub fn weekday(self) -> Weekday {
        match self {
            DayName::Mon => Weekday::Monday,
            DayName::Tue => Weekday::Tuesday,
            DayName::Wed => Weekday::Wednesday,
            DayName::Thu => Weekday::Thursday,
            DayName::Fri => Weekday::Friday,
            DayName::Sat => Weekday::Saturday,
            DayName::Sun => Weekday::Sunday,
        }
    }
}

/// Which occurrence of a weekday within a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeekOfMonth {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

impl WeekOfMonth {
    /// The `nth` argument of [`Date::nth_weekday_of_month`].
    pub fn nth(self) -> i8 {
        match self {
            WeekOfMonth::First => 1,
            WeekOfMonth::Second => 2,
            WeekOfMonth::Third => 3,
            WeekOfMonth::Fourth => 4,
            WeekOfMonth::Last => -1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        date: PolicyDate,
        quoted_date: PolicyDate,
        time: WallTime,
        quoted_time: WallTime,
    }

    #[test]
    fn accepts_native_and_quoted_toml_dates_and_times() {
        let text = "date = 2026-12-24\nquoted_date = \"2026-12-31\"\n\
                    time = 02:30:00\nquoted_time = \"06:00\"\n";
        let sample: Sample = toml::from_str(text).unwrap();
        assert_eq!(sample.date.0, jiff::civil::date(2026, 12, 24));
        assert_eq!(sample.quoted_date.0, jiff::civil::date(2026, 12, 31));
        assert_eq!(sample.time.0, jiff::civil::time(2, 30, 0, 0));
        assert_eq!(sample.quoted_time.0, jiff::civil::time(6, 0, 0, 0));
    }

    #[test]
    fn rejects_impossible_times() {
        assert!(parse_wall_time("25:00").is_err());
        assert!(parse_wall_time("2 am").is_err());
    }
}
