//! Durations (`21d`, `30min`) and message templates: parsing a template
//! with its placeholders and filling it in for one outage.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Days,
    Hours,
    Minutes,
}

/// A duration as a policy writes it: `"21d"` (Stockholm calendar days),
/// `"2h"` or `"30min"`; a whole number from 1 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub(super) amount: u32,
    pub(super) unit: Unit,
}

impl Period {
    /// Parses `21d`, `2h`, `30min` (a space before the unit is allowed).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let amount: u32 = s[..digits].parse().ok()?;
        let unit = match s[digits..].trim_start() {
            "d" => Unit::Days,
            "h" => Unit::Hours,
            "min" => Unit::Minutes,
            _ => return None,
        };
        (1..=MAX_AMOUNT).contains(&amount).then_some(Period { amount, unit })
    }

    /// The length, a day counted as 24 hours.
    pub fn duration(self) -> SignedDuration {
        let n = i64::from(self.amount);
        match self.unit {
            Unit::Days => SignedDuration::from_hours(24 * n),
            Unit::Hours => SignedDuration::from_hours(n),
            Unit::Minutes => SignedDuration::from_mins(n),
        }
    }

    fn shift(self, ts: Timestamp, sign: i64) -> Timestamp {
        if self.unit == Unit::Days {
            // Calendar days in Stockholm: the same wall-clock time, so that
            // "three weeks before 08:00" is 08:00 across a DST change.
            let days = Span::new().days(sign * i64::from(self.amount));
            if let Ok(z) = local(ts).checked_add(days) {
                return z.timestamp();
            }
        }
        let d = self.duration();
        let shifted = if sign < 0 { ts.checked_sub(d) } else { ts.checked_add(d) };
        shifted.unwrap_or(ts)
    }

    /// The instant this long before `ts`.
    pub fn before(self, ts: Timestamp) -> Timestamp {
        self.shift(ts, -1)
    }

    /// The instant this long after `ts`.
    pub fn after(self, ts: Timestamp) -> Timestamp {
        self.shift(ts, 1)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Days => "d",
            Unit::Hours => "h",
            Unit::Minutes => "min",
        };
        write!(f, "{}{unit}", self.amount)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Text(String),
    Hole(Placeholder),
}

/// A subject or body with validated placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    /// One list of pieces per line.
    lines: Vec<Vec<Piece>>,
}

impl Template {
    /// Parses a template; on error returns the problem and its byte offset.
    pub fn parse(source: &str) -> Result<Template, (NotifyProblem, usize)> {
        let mut lines = Vec::new();
        let mut offset = 0;
        for line in source.split('\n') {
            let mut pieces = Vec::new();
            let mut rest = line;
            let mut at = offset;
            while !rest.is_empty() {
                let next = rest.find(['{', '}']).unwrap_or(rest.len());
                if next > 0 {
                    pieces.push(Piece::Text(rest[..next].to_owned()));
                }
                rest = &rest[next..];
                at += next;
                if rest.starts_with('}') {
                    return Err((NotifyProblem::StrayBrace, at));
                }
                if rest.starts_with('{') {
                    let Some(close) = rest.find('}') else {
                        return Err((NotifyProblem::UnclosedPlaceholder, at));
                    };
                    let name = &rest[1..close];
                    let Some(p) = Placeholder::parse(name) else {
                        return Err((NotifyProblem::UnknownPlaceholder(name.chars().take(40).collect()), at));
                    };
                    pieces.push(Piece::Hole(p));
                    rest = &rest[close + 1..];
                    at += close + 1;
                }
            }
            lines.push(pieces);
            offset += line.len() + 1;
        }
        Ok(Template { source: source.to_owned(), lines })
    }

    /// The text as written in the policy.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every placeholder used.
    pub fn placeholders(&self) -> impl Iterator<Item = Placeholder> + '_ {
        self.lines.iter().flatten().filter_map(|p| match p {
            Piece::Hole(h) => Some(*h),
            Piece::Text(_) => None,
        })
    }

    /// Fills the placeholders. A line holding only placeholders that all
    /// came out empty is left out.
    pub fn fill(&self, value: impl Fn(Placeholder) -> String) -> String {
        let mut out: Vec<String> = Vec::new();
        for pieces in &self.lines {
            let mut line = String::new();
            let mut literal = false;
            for piece in pieces {
                match piece {
                    Piece::Text(t) => {
                        literal |= !t.trim().is_empty();
                        line.push_str(t);
                    }
                    Piece::Hole(Placeholder::Group) if mid_sentence(&line) => {
                        line.push_str(&lower_first(&value(Placeholder::Group)))
                    }
                    Piece::Hole(h) => line.push_str(&value(*h)),
                }
            }
            let only_holes = !literal && pieces.iter().any(|p| matches!(p, Piece::Hole(_)));
            if only_holes && line.trim().is_empty() {
                continue;
            }
            out.push(line.trim_end().to_owned());
        }
        out.join("\n").trim().to_owned()
    }
}

/// Whether text written after `before` on the same line stands inside a
/// sentence (not at the start of the line or after `.`, `!`, `?` or `:`).
fn mid_sentence(before: &str) -> bool {
    before.trim_end().chars().last().is_some_and(|c| !matches!(c, '.' | '!' | '?' | ':'))
}

/// A recipient group's name as it reads inside a sentence: "Ring
/// akutmottagningar", "Meddela sjuksköterskorna". Only the first letter is
/// lowered, and not in an abbreviation ("HSD", "VC" stay).
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), second) if first.is_uppercase() && !second.is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(name[first.len_utf8()..].chars()).collect()
        }
        _ => name.to_owned(),
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.source)
    }
}
