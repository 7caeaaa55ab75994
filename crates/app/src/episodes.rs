//! The handover log: care episodes and the calls logged for them during an
//! outage, with who has not been told yet. Access follows the chain of care
//! (`reserv_core::episode::in_chain_of_care`): outsiders get `NotFound`, never
//! data. Every read and write of an episode is in the audit log.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;
use uuid::Uuid;

use reserv_core::episode::{
    self, Channel, DischargeDestination, EntryDraft, Episode, EpisodeChange, EpisodeEvent, EpisodeUpdate, LogEntry,
    Registration,
};
use reserv_core::error::{DomainError, Field};
use reserv_core::handover::{self, Direction, Gap, MessageType, Routine};
use reserv_core::identity::PatientId;
use reserv_core::ids::{EntryId, EpisodeId, OrgId, OutageId};
use reserv_core::org::{OrgKind, Organisation};
use reserv_core::outage::Actor as TimelineActor;
use reserv_core::sip::SipRecord;
use reserv_core::time::{local, parse_user_time};
use reserv_store::{EpisodeRecord, OutageSpan, StoreError};

use crate::{Actor, App, AppError, Principal};

/// A new episode as typed into the form or sent to the API.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub patient_id: String,
    /// The number is a local reserve number (identity unknown).
    #[serde(default)]
    pub reserve_number: bool,
    pub municipality: String,
    pub primary_care: String,
    #[serde(default)]
    pub outpatient_psychiatry: Option<String>,
    pub admitted_at: String,
    #[serde(default)]
    pub expected_discharge: Option<String>,
    #[serde(default)]
    pub existed_before_outage: bool,
}

/// Changes to an episode's facts; empty or absent fields keep their value.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateInput {
    pub expected_discharge: Option<String>,
    pub ready_for_discharge_at: Option<String>,
    pub discharged_at: Option<String>,
    pub designated_care_contact: Option<String>,
    /// Where the patient went when discharged: `home`, `short_term_care`, `other_unit`, `deceased`.
    #[serde(default)]
    pub discharge_destination: Option<String>,
    /// Whether the municipality provides extensive, long-term services after the stay.
    #[serde(default)]
    pub extensive_long_term_services: Option<bool>,
}

/// One call as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// Empty: now.
    #[serde(default)]
    pub at: Option<String>,
    pub counterpart_name: String,
    #[serde(default)]
    pub counterpart_role: String,
    pub counterpart_org: String,
    pub direction: String,
    #[serde(default)]
    pub channel: Option<String>,
    pub messages: Vec<String>,
    #[serde(default)]
    pub comment: String,
    /// The id of the entry this one corrects.
    #[serde(default)]
    pub supersedes: Option<String>,
    /// Transcribed from a paper downtime form: who signed the paper (name
    /// and title as written); the caller is recorded as the transcriber. A
    /// correction without it keeps the signer of the entry it corrects.
    #[serde(default)]
    pub paper_signer: Option<PaperSignerInput>,
}

/// Who signed a paper downtime form, as written on it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaperSignerInput {
    pub name: String,
    pub title: String,
}

/// A log entry with the entry that corrected it, if any.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryView {
    #[serde(flatten)]
    pub entry: LogEntry,
    pub superseded_by: Option<EntryId>,
}

/// An episode with its log and what is missing.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EpisodeView {
    #[serde(flatten)]
    pub episode: Episode,
    pub routine_name: &'static str,
    pub entries: Vec<EntryView>,
    pub gaps: Vec<Gap>,
    /// Discharged while information due before discharge is unconfirmed.
    pub discharge_warnings: Vec<Gap>,
    /// The episode's SIPs, each at its current version, in initiation order.
    pub sips: Vec<SipView>,
}

/// A SIP at its current version, with the versions it replaced (newest first).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SipView {
    #[serde(flatten)]
    pub current: SipRecord,
    pub earlier: Vec<SipRecord>,
}

/// Groups an episode's SIP versions: the current version of each SIP and
/// the versions before it.
pub(crate) fn sip_views(records: Vec<SipRecord>) -> Vec<SipView> {
    let current: Vec<SipRecord> = reserv_core::sip::current(&records).into_iter().cloned().collect();
    current
        .into_iter()
        .map(|c| {
            let mut earlier: Vec<SipRecord> =
                records.iter().filter(|r| r.sip_id == c.sip_id && r.id != c.id).cloned().collect();
            earlier.sort_by_key(|r| std::cmp::Reverse((r.recorded_at, r.id)));
            SipView { current: c, earlier }
        })
        .collect()
}

/// One open gap of the ward-wide view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenGap {
    pub episode_id: EpisodeId,
    pub patient: PatientId,
    #[serde(flatten)]
    pub gap: Gap,
}

fn present(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn parse_date(field: Field, s: &str) -> Result<Date, DomainError> {
    reserv_core::time::parse_user_date(field, s)
}

fn parse_direction(s: &str) -> Result<Direction, DomainError> {
    match s.trim() {
        "given" => Ok(Direction::Given),
        "received" => Ok(Direction::Received),
        other => Err(DomainError::UnknownValue { field: Field::Direction, value: other.chars().take(40).collect() }),
    }
}

fn parse_channel(s: Option<&str>) -> Result<Channel, DomainError> {
    match s.map(str::trim).unwrap_or("") {
        "" | "phone" => Ok(Channel::Phone),
        "in_person" => Ok(Channel::InPerson),
        "other" => Ok(Channel::Other),
        other => Err(DomainError::UnknownValue { field: Field::Channel, value: other.chars().take(40).collect() }),
    }
}

fn parse_message(s: &str) -> Result<MessageType, DomainError> {
    let v = serde_json::Value::String(s.trim().to_owned());
    serde_json::from_value(v)
        .map_err(|_| DomainError::UnknownValue { field: Field::Messages, value: s.chars().take(40).collect() })
}

/// The routine with this id, or the default one.
pub fn routine(id: &str) -> &'static Routine {
    [&handover::PRATOR_000, &handover::LIFECARE_001].into_iter().find(|r| r.id == id).unwrap_or(&handover::LIFECARE_001)
}

impl App {
    async fn org_of_kind(&self, raw: &str, field: Field, kinds: &[OrgKind]) -> Result<Organisation, AppError> {
        let unknown = || DomainError::UnknownValue { field, value: raw.chars().take(64).collect() };
        let id = OrgId::parse(raw.trim()).map_err(|_| unknown())?;
        match self.store.organisation(&id).await? {
            Some(o) if kinds.contains(&o.kind) => Ok(o),
            _ => Err(unknown().into()),
        }
    }

    /// The coordinated-discharge outages ongoing at `at` (one indexed store
    /// read, whatever the number of outages ever stored).
    pub(crate) async fn outages_at(&self, at: jiff::Timestamp) -> Result<Vec<OutageSpan>, AppError> {
        let spans = self.store.outage_spans_overlapping(at, at).await?;
        Ok(spans
            .into_iter()
            .filter(|o| self.catalogue.get(&o.system).is_some_and(|s| s.coordinated_discharge) && o.overlaps(at, at))
            .collect())
    }

    /// The dates the call form offers for an episode: today and the days of
    /// the coordinated-discharge outages (of the episode's kind, real or
    /// drill) since the day before admission (one indexed store read).
    pub(crate) async fn call_dates(&self, v: &EpisodeView) -> Result<Vec<Date>, AppError> {
        let now = self.now();
        let from = v.episode.facts.admitted_at - jiff::SignedDuration::from_hours(24);
        let spans: Vec<_> = self
            .store
            .outage_spans_overlapping(from.min(now), now)
            .await?
            .into_iter()
            .filter(|o| o.drill == v.episode.drill)
            .filter(|o| self.catalogue.get(&o.system).is_some_and(|s| s.coordinated_discharge))
            .map(|o| (o.start, o.end))
            .collect();
        Ok(episode::call_dates(&v.episode.facts, &spans, now))
    }

    /// A ward registers a patient's care episode.
    pub async fn register_episode(&self, p: &Principal, input: RegisterInput) -> Result<EpisodeView, AppError> {
        let now = self.now();
        let ward = match self.store.organisation(&p.user.org).await? {
            Some(o) if o.kind == OrgKind::Ward => o,
            _ => return Err(AppError::Forbidden),
        };
        let today = local(now).date();
        let patient = if input.reserve_number {
            PatientId::parse_reserve(&input.patient_id)?
        } else {
            PatientId::parse(&input.patient_id, today)?
        };
        let municipality = self.org_of_kind(&input.municipality, Field::Municipality, &[OrgKind::Municipality]).await?;
        let primary_care =
            self.org_of_kind(&input.primary_care, Field::PrimaryCare, &[OrgKind::PrimaryCareCentre]).await?;
        let psych = match present(input.outpatient_psychiatry) {
            Some(raw) => {
                Some(self.org_of_kind(&raw, Field::OutpatientPsychiatry, &[OrgKind::OutpatientPsychiatry]).await?.id)
            }
            None => None,
        };
        let admitted_at = parse_user_time(Field::AdmittedAt, &input.admitted_at)?;
        let expected_discharge =
            present(input.expected_discharge).map(|d| parse_date(Field::ExpectedDischarge, &d)).transpose()?;
        let ongoing = self.outages_at(now).await?;
        // Registered while only drills are ongoing: practice data. A real
        // outage always wins, so a real patient is never hidden in a drill.
        let drill = !ongoing.is_empty() && ongoing.iter().all(|o| o.drill);
        let routine_id = ongoing
            .iter()
            .filter(|o| o.drill == drill)
            .filter_map(|o| handover::routine_for_system(o.system.as_str()))
            .map(|r| r.id.to_owned())
            .next()
            .unwrap_or_else(|| self.settings.handover_routine.clone());
        let change = episode::register(
            Registration {
                patient,
                ward_type: ward.ward_type.unwrap_or(reserv_core::org::WardType::Somatic),
                ward: ward.id,
                municipality: municipality.id,
                primary_care: primary_care.id,
                outpatient_psychiatry: psych,
                admitted_at,
                expected_discharge,
                existed_before_outage: input.existed_before_outage,
                routine: routine_id,
                drill,
            },
            now,
        )?;
        let id = EpisodeId(Uuid::now_v7());
        let event = self.append_episode(p, id, 0, change, "episode.registered").await?;
        // A new episode has no log yet: its view needs no read.
        let e = Episode::fold(&[event]).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Self::view_of(e, Vec::new(), Vec::new()))
    }

    async fn append_episode(
        &self,
        p: &Principal,
        id: EpisodeId,
        seq: u32,
        change: EpisodeChange,
        action: &str,
    ) -> Result<EpisodeEvent, AppError> {
        let event = EpisodeEvent {
            id: EntryId(Uuid::now_v7()),
            episode_id: id,
            seq,
            at: self.now(),
            actor: TimelineActor { user_id: Some(p.user.id), name: p.user.display_name.clone() },
            node: self.store.node_id().to_owned(),
            change,
        };
        let audit = self.audit(Actor::Person(&p.user), &p.origin, action, Some(format!("episode:{id}")), String::new());
        self.store.append_episode_event(event.clone(), audit).await.map_err(|e| match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => other.into(),
        })?;
        Ok(event)
    }

    /// Loads an episode the caller may see; anyone else gets `NotFound`.
    /// A refusal is audited (`episode.read_refused`), the same whether the
    /// episode exists or not.
    pub(crate) async fn visible_episode(&self, p: &Principal, id: EpisodeId) -> Result<Episode, AppError> {
        self.visible_or_refused(p, id, &self.store.episode_events(id).await?).await
    }

    /// [`App::visible`], with a refusal audited (`episode.read_refused`).
    pub(crate) async fn visible_or_refused(
        &self,
        p: &Principal,
        id: EpisodeId,
        events: &[EpisodeEvent],
    ) -> Result<Episode, AppError> {
        match Self::visible(p, events) {
            Err(AppError::NotFound) => {
                self.audit_refused(p, format!("episode:{id}")).await?;
                Err(AppError::NotFound)
            }
            other => other,
        }
    }

    /// The episode of a timeline, if the caller may see it; else `NotFound`.
    pub(crate) fn visible(p: &Principal, events: &[EpisodeEvent]) -> Result<Episode, AppError> {
        if events.is_empty() {
            return Err(AppError::NotFound);
        }
        let e = Episode::fold(events).map_err(|e| AppError::Internal(e.to_string()))?;
        if episode::in_chain_of_care(&e.facts, &p.user.org) { Ok(e) } else { Err(AppError::NotFound) }
    }

    pub(crate) fn view_of(e: Episode, entries: Vec<LogEntry>, sips: Vec<SipRecord>) -> EpisodeView {
        let r = routine(&e.routine);
        let contacts: Vec<_> = entries.iter().map(LogEntry::contact).collect();
        let gaps = handover::gaps(r, &e.facts, &contacts);
        let discharge_warnings = handover::discharge_warnings(r, &e.facts, &contacts);
        let superseded: HashMap<EntryId, EntryId> =
            entries.iter().filter_map(|x| x.supersedes.map(|s| (s, x.id))).collect();
        let entries = entries
            .into_iter()
            .map(|entry| EntryView { superseded_by: superseded.get(&entry.id).copied(), entry })
            .collect();
        EpisodeView { episode: e, routine_name: r.name, entries, gaps, discharge_warnings, sips: sip_views(sips) }
    }

    /// One episode with its log and gaps (audited read).
    /// Asking for an episode one may not see (or one that does not exist)
    /// is audited as `episode.read_refused` and answered `NotFound`.
    pub async fn episode(&self, p: &Principal, id: EpisodeId) -> Result<EpisodeView, AppError> {
        let view = match self.view_after_write(p, id).await {
            Err(AppError::NotFound) => {
                self.audit_refused(p, format!("episode:{id}")).await?;
                return Err(AppError::NotFound);
            }
            other => other?,
        };
        let target = Some(format!("episode:{id}"));
        let patient = [(id, &view.episode.patient)];
        self.audit_read(Actor::Person(&p.user), &p.origin, "episode.read", target, String::new(), patient).await?;
        Ok(view)
    }

    /// The episode as it stands after the caller's write; the write's own
    /// audit record covers handing the episode back to its author.
    async fn view_after_write(&self, p: &Principal, id: EpisodeId) -> Result<EpisodeView, AppError> {
        let EpisodeRecord { events, entries, sips } = self.store.episode_record(id).await?;
        Ok(Self::view_of(Self::visible(p, &events)?, entries, sips))
    }

    /// Every episode the caller may see, newest admission first (audited read).
    pub async fn episodes(&self, p: &Principal) -> Result<Vec<EpisodeView>, AppError> {
        self.episodes_read(p, "episode.list").await
    }

    /// Every episode the caller may see, audited as `action` (the view that
    /// read them) with the episodes returned.
    pub(crate) async fn episodes_read(&self, p: &Principal, action: &str) -> Result<Vec<EpisodeView>, AppError> {
        let mut by: BTreeMap<EpisodeId, Vec<EpisodeEvent>> = BTreeMap::new();
        // The episodes naming the caller's organisation; the chain-of-care
        // rule below decides which of them the caller sees.
        for ev in self.store.episodes_naming(&p.user.org).await? {
            by.entry(ev.episode_id).or_default().push(ev);
        }
        let mut visible = Vec::new();
        for events in by.into_values() {
            let e = Episode::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
            if episode::in_chain_of_care(&e.facts, &p.user.org) {
                visible.push(e);
            }
        }
        let ids: Vec<EpisodeId> = visible.iter().map(|e| e.id).collect();
        let mut entries: HashMap<EpisodeId, Vec<LogEntry>> = HashMap::new();
        for entry in self.store.log_entries(&ids).await? {
            entries.entry(entry.episode_id).or_default().push(entry);
        }
        let mut sips: HashMap<EpisodeId, Vec<SipRecord>> = HashMap::new();
        for r in self.store.sip_records(&ids).await? {
            sips.entry(r.episode_id).or_default().push(r);
        }
        let detail = format!("{} episodes", ids.len());
        let patients = visible.iter().map(|e| (e.id, &e.patient));
        self.audit_read(Actor::Person(&p.user), &p.origin, action, None, detail, patients).await?;
        let mut views: Vec<EpisodeView> = visible
            .into_iter()
            .map(|e| {
                let x = entries.remove(&e.id).unwrap_or_default();
                let y = sips.remove(&e.id).unwrap_or_default();
                Self::view_of(e, x, y)
            })
            .collect();
        views.sort_by_key(|v| std::cmp::Reverse(v.episode.facts.admitted_at));
        Ok(views)
    }

    /// For the command line (an operator with access to the data directory):
    /// one episode, or every episode a unit is part of, for printing. Audited
    /// as a read by `cli`.
    pub async fn episodes_for_print(
        &self,
        unit: Option<&OrgId>,
        episode: Option<EpisodeId>,
        origin: &crate::Origin,
    ) -> Result<Vec<EpisodeView>, AppError> {
        let events = match (episode, unit) {
            (Some(id), _) => self.store.episode_events(id).await?,
            (None, Some(u)) => self.store.episodes_naming(u).await?,
            // Printing every episode of the store: a full scan is what is asked for.
            (None, None) => self.store.all_episode_events().await?,
        };
        let mut by: BTreeMap<EpisodeId, Vec<EpisodeEvent>> = BTreeMap::new();
        for ev in events {
            by.entry(ev.episode_id).or_default().push(ev);
        }
        let mut chosen = Vec::new();
        for events in by.into_values() {
            let e = Episode::fold(&events).map_err(|e| AppError::Internal(e.to_string()))?;
            if unit.is_none_or(|u| episode::in_chain_of_care(&e.facts, u)) {
                chosen.push(e);
            }
        }
        if chosen.is_empty() {
            return Err(AppError::NotFound);
        }
        let ids: Vec<EpisodeId> = chosen.iter().map(|e| e.id).collect();
        let mut entries: HashMap<EpisodeId, Vec<LogEntry>> = HashMap::new();
        for entry in self.store.log_entries(&ids).await? {
            entries.entry(entry.episode_id).or_default().push(entry);
        }
        let mut sips: HashMap<EpisodeId, Vec<SipRecord>> = HashMap::new();
        for r in self.store.sip_records(&ids).await? {
            sips.entry(r.episode_id).or_default().push(r);
        }
        let detail = format!("printed {} episodes", ids.len());
        let target = episode.map(|id| format!("episode:{id}")).or_else(|| unit.map(|u| format!("org:{u}")));
        let patients = chosen.iter().map(|e| (e.id, &e.patient));
        self.audit_read(Actor::System("cli"), origin, "episode.printed", target, detail, patients).await?;
        let mut views: Vec<EpisodeView> = chosen
            .into_iter()
            .map(|e| {
                let x = entries.remove(&e.id).unwrap_or_default();
                let y = sips.remove(&e.id).unwrap_or_default();
                Self::view_of(e, x, y)
            })
            .collect();
        views.sort_by_key(|v| v.episode.facts.admitted_at);
        Ok(views)
    }

    /// Every open gap of the caller's episodes, oldest first. An episode
    /// whose calls were all logged in outages that have since ended is left
    /// out: the system is back, and what is missing is back-entry work (its
    /// worklist), not a call to make. Its own page still shows the gaps.
    pub async fn open_gaps(&self, p: &Principal) -> Result<Vec<OpenGap>, AppError> {
        let mut out: Vec<OpenGap> = self
            .episodes_with_calls_to_make(p, "gaps.read")
            .await?
            .into_iter()
            .flat_map(|v| {
                let (id, patient) = (v.episode.id, v.episode.patient.clone());
                v.gaps.into_iter().map(move |gap| OpenGap { episode_id: id, patient: patient.clone(), gap })
            })
            .collect();
        out.sort_by_key(|g| (g.gap.due_since, g.episode_id));
        Ok(out)
    }

    /// The caller's episodes (an audited read, as [`App::episodes`]) but
    /// those whose calls were all logged in outages that have since ended.
    pub(crate) async fn episodes_with_calls_to_make(
        &self,
        p: &Principal,
        action: &str,
    ) -> Result<Vec<EpisodeView>, AppError> {
        let views = self.episodes_read(p, action).await?;
        let tagged: BTreeSet<OutageId> =
            views.iter().flat_map(|v| v.entries.iter().flat_map(|x| x.entry.outages.iter().copied())).collect();
        let tagged: Vec<OutageId> = tagged.into_iter().collect();
        let ended: BTreeSet<OutageId> =
            self.store.outage_spans(&tagged).await?.into_iter().filter(|s| s.end.is_some()).map(|s| s.id).collect();
        Ok(views
            .into_iter()
            .filter(|v| {
                let mut outages = v.entries.iter().flat_map(|x| &x.entry.outages).peekable();
                outages.peek().is_none() || !outages.all(|o| ended.contains(o))
            })
            .collect())
    }

    /// The ward updates the episode's facts (expected date, ready, discharged).
    pub async fn update_episode(
        &self,
        p: &Principal,
        id: EpisodeId,
        input: UpdateInput,
    ) -> Result<EpisodeView, AppError> {
        let lock = self.episode_lock(id);
        let _guard = lock.lock().await;
        let e = self.visible_episode(p, id).await?;
        if e.facts.ward != p.user.org {
            return Err(AppError::Forbidden);
        }
        let u = EpisodeUpdate {
            expected_discharge: present(input.expected_discharge)
                .map(|d| parse_date(Field::ExpectedDischarge, &d))
                .transpose()?,
            ready_for_discharge_at: present(input.ready_for_discharge_at)
                .map(|t| parse_user_time(Field::ReadyForDischargeAt, &t))
                .transpose()?,
            discharged_at: present(input.discharged_at)
                .map(|t| parse_user_time(Field::DischargedAt, &t))
                .transpose()?,
            designated_care_contact: input.designated_care_contact,
            discharge_destination: present(input.discharge_destination)
                .map(|d| {
                    DischargeDestination::parse(d.trim()).ok_or_else(|| DomainError::Invalid {
                        field: Field::DischargeDestination,
                        message: format!("välj ett av alternativen ({}).", DischargeDestination::keys()),
                    })
                })
                .transpose()?,
            extensive_long_term_services: input.extensive_long_term_services,
        };
        let change = episode::update(&e, u, self.now())?;
        self.append_episode(p, id, e.next_seq(), change, "episode.updated").await?;
        self.view_after_write(p, id).await
    }

    fn episode_lock(&self, id: EpisodeId) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.episode_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(id).or_default().clone()
    }

    /// Logs one call for an episode, signed by the caller; a correction names
    /// the entry it supersedes. Four store calls, none of which grows with
    /// the number of outages or episodes stored: the episode with its log,
    /// the counterpart organisation, the outages ongoing at the call's time,
    /// and the write. The answer is the episode as read plus the new entry
    /// (an entry someone else logged meanwhile shows on the next read).
    /// That an entry is corrected at most once is kept by the store
    /// (`Conflict`), not by a lock, so it holds across processes.
    pub async fn log_call(&self, p: &Principal, id: EpisodeId, input: EntryInput) -> Result<EpisodeView, AppError> {
        let now = self.now();
        let EpisodeRecord { events, entries, sips } = self.store.episode_record(id).await?;
        let e = self.visible_or_refused(p, id, &events).await?;
        let at = match present(input.at) {
            Some(t) => parse_user_time(Field::CallAt, &t)?,
            None => now,
        };
        let counterpart = self
            .org_of_kind(
                &input.counterpart_org,
                Field::CounterpartOrg,
                &[
                    OrgKind::Ward,
                    OrgKind::Hospital,
                    OrgKind::Municipality,
                    OrgKind::PrimaryCareCentre,
                    OrgKind::OutpatientPsychiatry,
                    OrgKind::Region,
                    OrgKind::ItManagement,
                ],
            )
            .await?;
        let messages = input.messages.iter().map(|m| parse_message(m)).collect::<Result<BTreeSet<_>, _>>()?;
        let paper_signer =
            input.paper_signer.as_ref().map(|s| episode::check_paper_signer(&s.name, &s.title)).transpose()?;
        let valid = episode::validate_entry(
            EntryDraft {
                at,
                counterpart_name: input.counterpart_name,
                counterpart_role: input.counterpart_role,
                counterpart_org: counterpart.id,
                direction: parse_direction(&input.direction)?,
                channel: parse_channel(input.channel.as_deref())?,
                messages,
                comment: input.comment,
            },
            &e,
            now,
        )?;
        let supersedes = match present(input.supersedes) {
            Some(raw) => {
                let old_id: EntryId = raw.parse().map_err(|_| DomainError::UnknownValue {
                    field: Field::Supersedes,
                    value: raw.chars().take(40).collect(),
                })?;
                let Some(old) = entries.iter().find(|x| x.id == old_id) else {
                    return Err(DomainError::UnknownValue { field: Field::Supersedes, value: raw }.into());
                };
                if old.author_org != p.user.org {
                    return Err(AppError::Forbidden);
                }
                // Seen already: say so without a write (the store would refuse it too).
                if entries.iter().any(|x| x.supersedes == Some(old_id)) {
                    return Err(AppError::Conflict(format!("entry {old_id} has already been corrected")));
                }
                Some(old)
            }
            None => None,
        };
        // A correction of a line transcribed from paper keeps its signer.
        let paper_signer = paper_signer.or_else(|| supersedes.and_then(|old| old.paper_signer.clone()));
        let supersedes = supersedes.map(|old| old.id);
        // A drill's calls belong to drills only, a real episode's to real outages only.
        let outages =
            self.outages_at(valid.at).await?.into_iter().filter(|o| o.drill == e.drill).map(|o| o.id).collect();
        let entry = LogEntry {
            id: EntryId(Uuid::now_v7()),
            episode_id: id,
            at: valid.at,
            recorded_at: now,
            author_id: p.user.id,
            author_name: p.user.display_name.clone(),
            author_org: p.user.org.clone(),
            counterpart_name: valid.counterpart_name,
            counterpart_role: valid.counterpart_role,
            counterpart_org: valid.counterpart_org,
            direction: valid.direction,
            channel: valid.channel,
            messages: valid.messages,
            comment: valid.comment,
            supersedes,
            outages,
            node: self.store.node_id().to_owned(),
            paper_signer,
        };
        let action = if supersedes.is_some() { "episode.entry_corrected" } else { "episode.entry_logged" };
        let audit =
            self.audit(Actor::Person(&p.user), &p.origin, action, Some(format!("episode:{id}")), entry.id.to_string());
        self.store.append_log_entry(entry.clone(), audit).await?;
        let mut entries = entries;
        entries.push(entry);
        entries.sort_by_key(|x| (x.at, x.id));
        Ok(Self::view_of(e, entries, sips))
    }
}
