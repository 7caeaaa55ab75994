//! The back-entry scenario (`--scenario reconcile`): the pure engine
//! `reserv_core::backentry::reconcile` on a synthetic national outage.
//!
//! 1. **Input.** Generated deterministically (a fixed-seed SplitMix64): a
//!    16-day outage, `--reconcile-episodes` episodes (default 60 000) over 21
//!    municipalities, 60 wards (9 of them psychiatric, whose patients mostly
//!    have outpatient psychiatry too) and 200 primary-care centres; admitted
//!    before, during and after the window; some ready for discharge;
//!    discharged before, during and after it or still in; a few (0.05 %)
//!    discharged before they were admitted, which the engine answers with
//!    `needs_review`. `--reconcile-calls` calls (default 1 000 000: the
//!    handover log) are spread over the episodes by how long each overlaps the
//!    window, ~95 % inside it, each with the messages that fit its
//!    direction and the stage of the stay. The input is written as compact
//!    JSON in the format of `reserv reconcile --input` (`docs/reconcile.md`)
//!    to a temporary file in `--tmpdir`, and read back once to check that it
//!    deserialises to exactly what was generated.
//! 2. **Policy.** `--policy FILE` (default the shipped
//!    `data/policies/lifecare-sp-vasternorrland-2025.toml`), loaded with
//!    `check_policy`.
//! 3. **Timings**, `--reconcile-runs` rounds (default 5) after one untimed
//!    engine run, each round in this order, all on this one thread:
//!    - read the file into a `String` (no parsing);
//!    - the baseline: read the file and deserialise it with `serde_json` into
//!      the same `Input` as `reserv reconcile` (no engine);
//!    - the engine alone: `reconcile` on an input deserialised beforehand;
//!    - for scale, the engine on the same episodes with their calls removed;
//!    - end to end: read, deserialise and `reconcile`.
//!
//!    Freeing the input and the decisions happens after each timer stops.
//!    The report gives the median and the minimum of each, the ratio
//!    engine / baseline, the decisions and their items, and the CPU that
//!    other processes used meanwhile.

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use reserv_core::backentry::{self, Call, Decision, EpisodeInput, ItemKind, Outcome, Policy, SipInput, Window};
use reserv_core::handover::{EpisodeFacts, MessageType, Party};
use reserv_core::ids::{EpisodeId, OrgId};
use reserv_core::org::WardType;

use crate::{
    Args, Machine, command_line, cpu_seconds, filesystem_of, machine_busy_seconds, median, proc_status_kib, push_line,
    unix_now_secs, utc_datetime,
};

/// The policy used unless `--policy` names another, relative to the workspace root.
const DEFAULT_POLICY: &str = "data/policies/lifecare-sp-vasternorrland-2025.toml";
/// The goal from the issue: the engine alone, one core.
const GOAL_ENGINE_S: f64 = 1.0;

const DAY: i64 = 86_400;
const HOUR: i64 = 3600;
const WINDOW_DAYS: i64 = 16;
/// The window starts Monday 2025-11-03 07:00 Stockholm time.
const WINDOW_START: &str = "2025-11-03T06:00:00Z";
/// Back entry happens two days after the window ends; nothing is later.
const AFTER_WINDOW: i64 = 2 * DAY;
const MUNICIPALITIES: usize = 21;
const SOMATIC_WARDS: usize = 51;
const PSYCHIATRIC_WARDS: usize = 9;
const PRIMARY_CARE: usize = 200;
const OUTPATIENT_PSYCHIATRY: usize = 12;
/// Share of episodes on a psychiatric ward.
const PSYCHIATRIC_SHARE: f64 = 0.12;
/// Share of calls placed inside the window when an episode has time on both sides.
const INSIDE_SHARE: f64 = 0.92;
const SEED: u64 = 0x5EED_2025_1103_0007;

/// The input file, as `reserv reconcile --input` reads it (the same fields and
/// attributes as `Input` in `crates/reserv/src/reconcile.rs`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    window: Window,
    today: Date,
    #[serde(default)]
    episodes: Vec<EpisodeInput>,
    #[serde(default)]
    sips: Vec<SipInput>,
}

/// The same, for writing.
#[derive(Serialize)]
struct InputOut<'a> {
    window: Window,
    today: Date,
    episodes: &'a [EpisodeInput],
    sips: &'a [SipInput],
}

// ---------------------------------------------------------------------------
// The synthetic outage

/// SplitMix64: small, fast and fixed-seed, so every run gets the same input.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in [lo, hi), or `lo` if the range is empty.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { lo + (self.next() % (hi - lo) as u64) as i64 }
    }

    /// Exponentially distributed seconds with the given mean.
    fn exp(&mut self, mean: i64) -> i64 {
        (-(mean as f64) * (1.0 - self.unit()).ln()) as i64
    }

    /// An index drawn by cumulative weights.
    fn weighted(&mut self, cum: &[f64]) -> usize {
        let x = self.unit() * cum.last().copied().unwrap_or(0.0);
        cum.partition_point(|c| *c <= x).min(cum.len() - 1)
    }
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

fn org(s: String) -> OrgId {
    OrgId::parse(&s).unwrap_or_else(|_| panic!("{s} is a valid slug"))
}

/// When in the stay a message is typically given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Early,
    Middle,
    Late,
}

/// The calls that can be logged: stage, direction and messages. `OutpatientPsychiatry`
/// rows are used only for episodes that have outpatient psychiatry.
const CALLS: &[(Stage, Party, Party, &[MessageType])] = {
    use MessageType as M;
    use Party::{Municipality as Mun, OutpatientPsychiatry as Psy, PrimaryCare as Pc, Ward};
    use Stage::{Early, Late, Middle};
    &[
        (Early, Ward, Mun, &[M::Admission]),
        (Early, Ward, Mun, &[M::Admission, M::EstimatedDischargeDate]),
        (Early, Ward, Pc, &[M::Admission]),
        (Early, Mun, Ward, &[M::CurrentServices]),
        (Early, Pc, Ward, &[M::DesignatedCareContact]),
        (Early, Ward, Psy, &[M::Admission]),
        (Early, Psy, Ward, &[M::DesignatedCareContact]),
        (Middle, Ward, Mun, &[M::EstimatedDischargeDate, M::PlanningInformation]),
        (Middle, Ward, Mun, &[M::PlanningInformation]),
        (Middle, Ward, Pc, &[M::PlanningInformation]),
        (Middle, Ward, Pc, &[M::SipNeed, M::PlanningInformation]),
        (Middle, Pc, Ward, &[M::DesignatedCareContact]),
        (Middle, Pc, Mun, &[M::SipInitiative]),
        (Middle, Pc, Mun, &[M::SipInvitation]),
        (Middle, Mun, Ward, &[M::CurrentServices]),
        (Middle, Ward, Psy, &[M::PlanningInformation]),
        (Middle, Psy, Ward, &[M::SipInvitation]),
        (Late, Ward, Mun, &[M::ReadyForDischarge]),
        (Late, Ward, Mun, &[M::ReadyForDischarge, M::PlanningInformation]),
        (Late, Mun, Ward, &[M::MunicipalityReady]),
        (Late, Ward, Mun, &[M::DischargeNotice, M::PatientInformation]),
        (Late, Ward, Pc, &[M::DischargeNotice, M::PatientInformation, M::DischargeReport]),
        (Late, Ward, Pc, &[M::DischargeNotice]),
        (Late, Pc, Mun, &[M::SipMeetingHeld, M::SipPlan]),
        (Late, Ward, Psy, &[M::DischargeNotice, M::PatientInformation]),
        (Late, Psy, Ward, &[M::SipPlan]),
    ]
};

/// Share of calls about something else (`other`).
const OTHER_SHARE: f64 = 0.03;

/// What was generated, for the report.
#[derive(Default)]
struct InputStats {
    episodes: usize,
    psychiatric: usize,
    with_outpatient_psychiatry: usize,
    /// Admitted before / during / after the window.
    admitted: [usize; 3],
    /// Still in / discharged before / during / after the window.
    discharged: [usize; 4],
    ready: usize,
    contradictory: usize,
    calls: usize,
    calls_inside: usize,
    max_calls: usize,
}

struct Synthetic {
    window: Window,
    today: Date,
    episodes: Vec<EpisodeInput>,
    stats: InputStats,
}

/// Position relative to the window `[0, end]`: 0 before, 1 during, 2 after.
fn slot(t: i64, end: i64) -> usize {
    if t < 0 {
        0
    } else if t <= end {
        1
    } else {
        2
    }
}

fn generate(n_episodes: usize, n_calls: usize) -> Result<Synthetic, String> {
    let start: Timestamp = WINDOW_START.parse().map_err(|e| format!("{WINDOW_START}: {e}"))?;
    let end_s = WINDOW_DAYS * DAY;
    // Nothing happens after this (relative seconds); its Stockholm date is `today`.
    let horizon = end_s + AFTER_WINDOW;
    let at = |s: i64| Timestamp::from_second(start.as_second() + s).expect("a timestamp near 2025");
    let window = Window { start, end: at(end_s) };
    let today = reserv_core::time::local(at(horizon)).date();

    let municipalities: Vec<OrgId> = (1..=MUNICIPALITIES).map(|i| org(format!("kommun-{i:02}"))).collect();
    // A few large municipalities, many small ones.
    let mun_cum = cumulative((0..MUNICIPALITIES).map(|k| 1.0 / ((k + 1) as f64).powf(0.8)));
    let centres: Vec<Vec<OrgId>> = (0..MUNICIPALITIES)
        .map(|m| {
            (0..PRIMARY_CARE).filter(|c| c % MUNICIPALITIES == m).map(|c| org(format!("hc-{:03}", c + 1))).collect()
        })
        .collect();
    let somatic: Vec<OrgId> = (1..=SOMATIC_WARDS).map(|i| org(format!("avd-{i:02}"))).collect();
    let psychiatric: Vec<OrgId> = (1..=PSYCHIATRIC_WARDS).map(|i| org(format!("avd-psyk-{i:02}"))).collect();
    let outpatient: Vec<OrgId> = (1..=OUTPATIENT_PSYCHIATRY).map(|i| org(format!("psyk-oppen-{i:02}"))).collect();

    let mut rng = Rng(SEED);
    let mut stats = InputStats { episodes: n_episodes, ..InputStats::default() };
    let mut episodes = Vec::with_capacity(n_episodes);
    // Per episode: the span calls may fall in (relative seconds), and a weight.
    let mut spans = Vec::with_capacity(n_episodes);
    for _ in 0..n_episodes {
        let m = rng.weighted(&mun_cum);
        let psych = rng.chance(PSYCHIATRIC_SHARE);
        let ward = if psych {
            psychiatric[rng.below(PSYCHIATRIC_WARDS)].clone()
        } else {
            somatic[rng.below(SOMATIC_WARDS)].clone()
        };
        let outpatient_psychiatry = (psych && rng.chance(0.95)).then(|| outpatient[m % OUTPATIENT_PSYCHIATRY].clone());
        let stay = if psych { 12 * DAY } else { 5 * DAY };
        let class = rng.unit();
        let (admitted, mut discharged) = if class < 0.22 {
            // In hospital when the outage began; a few left before it.
            let a = -rng.exp(6 * DAY) - rng.range(HOUR, 2 * DAY);
            let d = if rng.chance(0.05) { a + rng.range(HOUR, -a) } else { rng.exp(stay * 4 / 5) + rng.range(0, HOUR) };
            (a, Some(d))
        } else if class < 0.96 {
            let a = rng.range(0, end_s);
            (a, Some(a + rng.exp(stay).max(3 * HOUR)))
        } else {
            // Admitted after the window, before the back entry.
            let a = end_s + rng.range(60, AFTER_WINDOW - HOUR);
            (a, rng.chance(0.2).then(|| rng.range(a + HOUR, horizon - 60)))
        };
        if discharged.is_some_and(|d| d > horizon - 60) {
            discharged = None;
        }
        let ready = match discharged {
            Some(d) if rng.chance(0.55) => Some((d - rng.range(0, DAY * 3)).max(admitted)),
            None if rng.chance(0.25) => Some(rng.range(admitted + (horizon - admitted) / 2, horizon - 60)),
            _ => None,
        };
        let last = discharged.unwrap_or(horizon - 60);
        let estimated = rng.chance(0.6).then(|| admitted + rng.range(0, (last - admitted).min(2 * DAY)));
        // Data-entry errors: discharged before admitted.
        if rng.chance(0.0005) {
            discharged = Some(admitted - rng.range(HOUR, DAY));
            stats.contradictory += 1;
        }

        stats.psychiatric += usize::from(psych);
        stats.with_outpatient_psychiatry += usize::from(outpatient_psychiatry.is_some());
        stats.admitted[slot(admitted, end_s)] += 1;
        stats.discharged[discharged.map_or(0, |d| 1 + slot(d, end_s))] += 1;
        stats.ready += usize::from(ready.is_some());

        let (lo, hi) = (admitted, discharged.unwrap_or(horizon - 60).max(admitted + HOUR));
        let inside = (hi.min(end_s) - lo.max(0)).max(0);
        let outside = (hi - lo) - inside;
        // Calls follow time in the window; time outside it counts for less.
        let weight = (inside as f64 + 0.15 * outside.min(10 * DAY) as f64) / DAY as f64 + 0.3;
        spans.push((lo, hi, weight));

        let c = &centres[m][rng.below(centres[m].len())];
        let contact = rng.chance(0.35).then(|| format!("Distriktssköterska, {c}"));
        // A UUIDv7-shaped id: the admission time in milliseconds, then random bits.
        let ms = (at(admitted).as_millisecond().max(0) as u64) & 0xFFFF_FFFF_FFFF;
        let id = uuid::Uuid::from_u64_pair(
            (ms << 16) | 0x7000 | (rng.next() & 0x0FFF),
            (rng.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000,
        );
        episodes.push(EpisodeInput {
            id: EpisodeId(id),
            facts: EpisodeFacts {
                ward,
                ward_type: if psych { WardType::Psychiatric } else { WardType::Somatic },
                municipality: municipalities[m].clone(),
                primary_care: c.clone(),
                outpatient_psychiatry,
                admitted_at: at(admitted),
                estimated_discharge_known_at: estimated.map(at),
                ready_for_discharge_at: ready.map(at),
                discharged_at: discharged.map(at),
            },
            designated_care_contact: contact,
            calls: Vec::new(),
            patient: None,
            discharge_destination: None,
            extensive_long_term_services: None,
            sips_agreed: Vec::new(),
        });
    }

    // Calls: exactly `n_calls`, by cumulative rounding of the weights.
    let total: f64 = spans.iter().map(|s| s.2).sum();
    let mut stage_calls: [Vec<usize>; 6] = Default::default();
    for (i, (stage, from, to, _)) in CALLS.iter().enumerate() {
        let psy = *from == Party::OutpatientPsychiatry || *to == Party::OutpatientPsychiatry;
        let s = match stage {
            Stage::Early => 0,
            Stage::Middle => 1,
            Stage::Late => 2,
        };
        stage_calls[s * 2 + 1].push(i);
        if !psy {
            stage_calls[s * 2].push(i);
        }
    }
    let (mut acc, mut given) = (0.0, 0usize);
    for (e, (lo, hi, weight)) in episodes.iter_mut().zip(spans) {
        acc += weight;
        let upto = if total > 0.0 { ((acc / total) * n_calls as f64).round() as usize } else { 0 };
        let k = upto.min(n_calls) - given;
        given += k;
        let (in_lo, in_hi) = (lo.max(0), hi.min(end_s));
        let before = (hi.min(0) - lo).max(0);
        let after_lo = lo.max(end_s);
        let after = (hi - after_lo).max(0);
        let has_psy = e.facts.org_of(Party::OutpatientPsychiatry).is_some();
        let mut calls = Vec::with_capacity(k);
        for _ in 0..k {
            let t = if in_hi >= in_lo && (before + after == 0 || rng.chance(INSIDE_SHARE)) {
                rng.range(in_lo, in_hi + 1)
            } else {
                let x = rng.range(0, before + after);
                if x < before { lo + x } else { after_lo + 1 + (x - before) }
            };
            stats.calls_inside += usize::from(slot(t, end_s) == 1);
            let (from, to, messages): (Party, Party, BTreeSet<MessageType>) = if rng.chance(OTHER_SHARE) {
                let (f, t) = if rng.chance(0.5) {
                    (Party::Ward, Party::Municipality)
                } else {
                    (Party::Municipality, Party::Ward)
                };
                (f, t, [MessageType::Other].into())
            } else {
                let frac = (t - lo) as f64 / (hi - lo).max(1) as f64;
                let stage = if frac < 0.25 {
                    0
                } else if frac < 0.7 {
                    1
                } else {
                    2
                };
                let list = &stage_calls[stage * 2 + usize::from(has_psy)];
                let (_, f, to, ms) = CALLS[list[rng.below(list.len())]];
                (f, to, ms.iter().copied().collect())
            };
            calls.push(Call { at: at(t), from, to, messages });
        }
        calls.sort_by_key(|c| c.at);
        stats.max_calls = stats.max_calls.max(calls.len());
        e.calls = calls;
    }
    stats.calls = given;
    Ok(Synthetic { window, today, episodes, stats })
}

// ---------------------------------------------------------------------------
// The measurements

/// Counts of the engine's answer.
#[derive(Default, PartialEq, Eq, Clone, Copy)]
struct Answer {
    decisions: usize,
    items: usize,
    back_enter: usize,
    nothing_to_enter: usize,
    needs_review: usize,
    /// Items with a `told_by_phone_at` value, and the sum of `calls_received`:
    /// evidence that the calls reached the engine.
    told_by_phone: usize,
    calls_received: usize,
}

impl Answer {
    fn of(ds: &[Decision]) -> Answer {
        let mut a = Answer { decisions: ds.len(), ..Answer::default() };
        for d in ds {
            a.items += d.items.len();
            match d.outcome {
                Outcome::BackEnter => a.back_enter += 1,
                Outcome::NothingToEnter { .. } => a.nothing_to_enter += 1,
                Outcome::NeedsReview => a.needs_review += 1,
            }
            for i in &d.items {
                if i.kind != ItemKind::DoNotEnter {
                    a.told_by_phone += usize::from(i.values.contains_key("told_by_phone_at"));
                    a.calls_received += i.values.get("calls_received").and_then(|v| v.parse().ok()).unwrap_or(0);
                }
            }
        }
        a
    }
}

pub(crate) struct ReconcileResult {
    policy_file: String,
    policy_id: String,
    policy_rows: usize,
    window: Window,
    today: Date,
    stats: InputStats,
    generate: Duration,
    write: Duration,
    file_bytes: u64,
    dir: PathBuf,
    fs: String,
    /// Seconds per round.
    read: Vec<f64>,
    baseline: Vec<f64>,
    engine: Vec<f64>,
    engine_no_calls: Vec<f64>,
    end_to_end: Vec<f64>,
    answer: Answer,
    /// CPU seconds over the timed rounds: this process, the whole machine.
    own_cpu: Option<f64>,
    machine_cpu: Option<f64>,
    timed: Duration,
    hwm_kib: Option<u64>,
}

/// Reads the policy: `--policy`, else the shipped one relative to the working
/// directory or, failing that, to the workspace this crate was built in.
fn load_policy(given: Option<&Path>) -> Result<(String, Policy), String> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => {
            [PathBuf::from(DEFAULT_POLICY), Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(DEFAULT_POLICY)]
                .into_iter()
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    format!("{DEFAULT_POLICY} not found; run from the workspace root or pass --policy FILE")
                })?
        }
    };
    let name = given.map_or_else(|| DEFAULT_POLICY.to_owned(), |p| p.display().to_string());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let policy = backentry::check_policy(&name, &text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| e.message_en()).collect();
        format!("{} problems in the policy {name}:\n{}", errors.len(), lines.join("\n"))
    })?;
    Ok((name, policy))
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse(text: &str) -> Result<Input, String> {
    serde_json::from_str(text).map_err(|e| format!("the generated input does not deserialise: {e}"))
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

pub(crate) fn run(args: &Args, tmp: &Path) -> Result<ReconcileResult, String> {
    let (policy_file, policy) = load_policy(args.policy.as_deref())?;
    eprintln!(
        "reconcile: policy {} ({} rows); generating {} episodes and {} calls …",
        policy.id,
        policy.rules.len(),
        args.reconcile_episodes,
        args.reconcile_calls
    );
    let t = Instant::now();
    let synth = generate(args.reconcile_episodes, args.reconcile_calls)?;
    let generate = t.elapsed();

    let t = Instant::now();
    let file = tempfile::Builder::new()
        .prefix("reserv-bench-reconcile-")
        .suffix(".json")
        .tempfile_in(tmp)
        .map_err(|e| format!("cannot create a temp file in {}: {e}", tmp.display()))?;
    let path = file.path().to_path_buf();
    let doc = InputOut { window: synth.window, today: synth.today, episodes: &synth.episodes, sips: &[] };
    let mut w = BufWriter::with_capacity(1 << 20, file.as_file());
    serde_json::to_writer(&mut w, &doc).map_err(|e| format!("writing {}: {e}", path.display()))?;
    w.flush().map_err(|e| format!("writing {}: {e}", path.display()))?;
    drop(w);
    let write = t.elapsed();
    let file_bytes = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    eprintln!(
        "reconcile: input {:.1} MiB written in {:.1} s (generated in {:.1} s); checking that it reads back …",
        file_bytes as f64 / (1024.0 * 1024.0),
        write.as_secs_f64(),
        generate.as_secs_f64()
    );

    // The file must deserialise to exactly what was generated.
    let input = parse(&read(&path)?)?;
    if input.window != synth.window
        || input.today != synth.today
        || input.episodes != synth.episodes
        || !input.sips.is_empty()
    {
        return Err("the generated input reads back differently from what was written".into());
    }
    let Synthetic { window, today, stats, .. } = synth;

    // One untimed run, for the counts and to warm up.
    let answer = Answer::of(&backentry::reconcile(&policy, input.window, &input.episodes, input.today));
    let runs = args.reconcile_runs;
    eprintln!(
        "reconcile: {} decisions, {} items; {runs} timed rounds (read, baseline, engine, end to end) …",
        answer.decisions, answer.items
    );

    // The same episodes without their calls, to show what the calls cost the engine.
    let no_calls: Vec<EpisodeInput> =
        input.episodes.iter().map(|e| EpisodeInput { calls: Vec::new(), ..e.clone() }).collect();
    let (mut read_s, mut baseline, mut engine, mut end_to_end) = (vec![], vec![], vec![], vec![]);
    let mut engine_no_calls = vec![];
    let (own0, machine0, timed) = (cpu_seconds("self"), machine_busy_seconds(), Instant::now());
    for round in 1..=runs {
        let t = Instant::now();
        let text = std::hint::black_box(read(&path)?);
        read_s.push(secs(t));
        drop(text);

        let t = Instant::now();
        let parsed = std::hint::black_box(parse(&read(&path)?)?);
        baseline.push(secs(t));
        drop(parsed);

        let t = Instant::now();
        let ds = std::hint::black_box(backentry::reconcile(&policy, input.window, &input.episodes, input.today));
        engine.push(secs(t));
        if ds.len() != answer.decisions {
            return Err("the engine answered differently on a repeated run".into());
        }
        drop(ds);

        let t = Instant::now();
        let ds = std::hint::black_box(backentry::reconcile(&policy, input.window, &no_calls, input.today));
        engine_no_calls.push(secs(t));
        drop(ds);

        let t = Instant::now();
        let parsed = parse(&read(&path)?)?;
        let ds = std::hint::black_box(backentry::reconcile(&policy, parsed.window, &parsed.episodes, parsed.today));
        end_to_end.push(secs(t));
        if Answer::of(&ds) != answer {
            return Err("end to end answered differently from the engine alone".into());
        }
        drop((ds, parsed));
        eprintln!(
            "reconcile: round {round}/{runs}: read {:.0} ms, baseline {:.0} ms, engine {:.0} ms \
             (without the calls {:.0} ms), end to end {:.0} ms",
            read_s[round - 1] * 1e3,
            baseline[round - 1] * 1e3,
            engine[round - 1] * 1e3,
            engine_no_calls[round - 1] * 1e3,
            end_to_end[round - 1] * 1e3
        );
    }
    let timed = timed.elapsed();
    let own_cpu = cpu_seconds("self").zip(own0).map(|(b, a)| b - a);
    let machine_cpu = machine_busy_seconds().zip(machine0).map(|(b, a)| b - a);
    let hwm_kib = proc_status_kib(std::process::id(), "VmHWM").ok();
    drop((input, no_calls));
    drop(file);
    Ok(ReconcileResult {
        policy_file,
        policy_id: policy.id.clone(),
        policy_rows: policy.rules.len(),
        window,
        today,
        stats,
        generate,
        write,
        file_bytes,
        dir: tmp.to_path_buf(),
        fs: filesystem_of(tmp).unwrap_or_else(|| "unknown".into()),
        read: read_s,
        baseline,
        engine,
        engine_no_calls,
        end_to_end,
        answer,
        own_cpu,
        machine_cpu,
        timed,
        hwm_kib,
    })
}

/// `--scenario reconcile` on its own: no server, no naive baseline.
pub(crate) fn standalone(args: &Args, raw: &[String]) -> Result<(), String> {
    let tmp = args.tmpdir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    if cfg!(debug_assertions) {
        eprintln!("warning: reserv-bench is a debug build; the engine figures mean little (use --release)");
    }
    let loadavg = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into());
    let started = unix_now_secs();
    let r = run(args, &tmp)?;
    let machine = Machine::probe(&tmp, filesystem_of(&tmp), loadavg);
    let mut o = String::new();
    push_line(&mut o, format!("## Run {} UTC", utc_datetime(started)));
    push_line(&mut o, "");
    push_line(&mut o, format!("Command: `{}`", command_line(raw)));
    push_line(&mut o, "");
    push_line(
        &mut o,
        format!(
            "Machine: {} CPUs ({}), Linux {}; load average at start {}.",
            machine.cpus, machine.cpu_model, machine.kernel, machine.loadavg
        ),
    );
    push_line(&mut o, "");
    r.markdown(&mut o);
    std::io::stdout().write_all(o.as_bytes()).map_err(|e| format!("cannot write the report: {e}"))
}

fn ms(s: f64) -> String {
    format!("{:.0} ms", s * 1e3)
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

/// `**median** / min (runs: a, b, …)`, in milliseconds.
fn figure(v: &[f64]) -> String {
    format!(
        "**{}** / {} (runs: {})",
        ms(median(v)),
        ms(min(v)),
        v.iter().map(|s| format!("{:.0}", s * 1e3)).collect::<Vec<_>>().join(", ")
    )
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(ch);
    }
    out
}

impl ReconcileResult {
    pub(crate) fn markdown(&self, o: &mut String) {
        let s = &self.stats;
        let a = &self.answer;
        let n = self.engine.len();
        let ratio = median(&self.engine) / median(&self.baseline);
        let t = |n: usize| thousands(n);
        push_line(o, format!("### Back-entry engine: {} log entries", t(s.calls)));
        push_line(o, "");
        push_line(o, "| Measure | Result |");
        push_line(o, "|---|---|");
        push_line(
            o,
            format!(
                "| Input: episodes / log entries (calls), inside the window / outside | {} / **{}** ({} / {}) |",
                t(s.episodes),
                t(s.calls),
                t(s.calls_inside),
                t(s.calls - s.calls_inside)
            ),
        );
        push_line(
            o,
            format!(
                "| Input file (compact JSON, `reserv reconcile --input` format) | {:.1} MiB ({} bytes) |",
                self.file_bytes as f64 / (1024.0 * 1024.0),
                self.file_bytes
            ),
        );
        push_line(o, format!("| Policy | `{}` ({} rows, `{}`) |", self.policy_id, self.policy_rows, self.policy_file));
        push_line(o, format!("| Read the file into a string, median / min of {n} | {} |", figure(&self.read)));
        push_line(
            o,
            format!(
                "| Baseline: read + deserialise into `Input` (no engine), median / min | {} |",
                figure(&self.baseline)
            ),
        );
        push_line(
            o,
            format!(
                "| Engine alone: `reconcile` on the deserialised input, 1 thread, median / min | {} |",
                figure(&self.engine)
            ),
        );
        push_line(
            o,
            format!(
                "| For scale: the engine on the same episodes without their calls, median / min | {} |",
                figure(&self.engine_no_calls)
            ),
        );
        push_line(
            o,
            format!("| End to end: read + deserialise + `reconcile`, median / min | {} |", figure(&self.end_to_end)),
        );
        push_line(o, format!("| Ratio engine / baseline (medians) | **{ratio:.2}×** |"));
        push_line(
            o,
            format!(
                "| Goal: engine ≤ {GOAL_ENGINE_S:.0} s on one core | {} |",
                crate::met(median(&self.engine) <= GOAL_ENGINE_S)
            ),
        );
        push_line(
            o,
            format!(
                "| Decisions (back_enter / nothing_to_enter / needs_review) | {} ({} / {} / {}) |",
                t(a.decisions),
                t(a.back_enter),
                t(a.nothing_to_enter),
                t(a.needs_review)
            ),
        );
        push_line(
            o,
            format!(
                "| Items; of them with `told_by_phone_at`; sum of `calls_received` | {}; {}; {} |",
                t(a.items),
                t(a.told_by_phone),
                t(a.calls_received)
            ),
        );
        if let (Some(own), Some(m)) = (self.own_cpu, self.machine_cpu) {
            let secs = self.timed.as_secs_f64();
            push_line(
                o,
                format!(
                    "| CPU over the timed rounds ({secs:.1} s): this process / other processes (noise) | {:.2} / {:.2} cores |",
                    own / secs,
                    ((m - own) / secs).max(0.0)
                ),
            );
        }
        push_line(o, format!("| Peak RSS of the benchmark process (VmHWM) | {} |", crate::opt_mib(self.hwm_kib)));
        push_line(o, "");
        push_line(
            o,
            format!(
                "Input: window {} – {} (16 days), today {}; admitted before / during / after the window {} / {} / {}; \
                 still in / discharged before / during / after {} / {} / {} / {}; {} ready for discharge; \
                 {} on psychiatric wards ({} with outpatient psychiatry); {} contradictory (discharged before \
                 admitted); at most {} calls on one episode. Generated in {:.1} s, written in {:.1} s to `{}` ({}).",
                self.window.start,
                self.window.end,
                self.today,
                t(s.admitted[0]),
                t(s.admitted[1]),
                t(s.admitted[2]),
                t(s.discharged[0]),
                t(s.discharged[1]),
                t(s.discharged[2]),
                t(s.discharged[3]),
                t(s.ready),
                t(s.psychiatric),
                t(s.with_outpatient_psychiatry),
                t(s.contradictory),
                s.max_calls,
                self.generate.as_secs_f64(),
                self.write.as_secs_f64(),
                self.dir.display(),
                self.fs
            ),
        );
        push_line(o, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_is_deterministic_and_has_exactly_the_calls_asked_for() {
        let a = generate(500, 7_777).unwrap();
        let b = generate(500, 7_777).unwrap();
        assert_eq!(a.episodes, b.episodes);
        assert_eq!(a.episodes.len(), 500);
        assert_eq!(a.episodes.iter().map(|e| e.calls.len()).sum::<usize>(), 7_777);
        assert_eq!(a.stats.calls, 7_777);
        assert!(a.stats.calls_inside > 7_777 * 3 / 4 && a.stats.calls_inside < 7_777, "{}", a.stats.calls_inside);
        for e in &a.episodes {
            assert!(e.calls.windows(2).all(|w| w[0].at <= w[1].at));
            for c in &e.calls {
                assert!(e.facts.org_of(c.from).is_some() && e.facts.org_of(c.to).is_some());
                assert!(!c.messages.is_empty());
            }
        }
    }

    #[test]
    fn the_input_round_trips_and_the_shipped_policy_answers_every_party() {
        let s = generate(300, 3_000).unwrap();
        let doc = InputOut { window: s.window, today: s.today, episodes: &s.episodes, sips: &[] };
        let input: Input = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        assert_eq!(input.episodes, s.episodes);
        let (_, policy) = load_policy(None).unwrap();
        let ds = backentry::reconcile(&policy, input.window, &input.episodes, input.today);
        assert_eq!(ds.len(), s.episodes.iter().map(|e| e.facts.parties().len()).sum::<usize>());
        let a = Answer::of(&ds);
        let contradictory: usize = s
            .episodes
            .iter()
            .filter(|e| e.facts.discharged_at.is_some_and(|d| d < e.facts.admitted_at))
            .map(|e| e.facts.parties().len())
            .sum();
        assert_eq!(a.needs_review, contradictory, "only the deliberate contradictions need review");
        assert!(a.told_by_phone > 0 && a.calls_received > 0);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1_000_000), "1 000 000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(60_000), "60 000");
    }
}
