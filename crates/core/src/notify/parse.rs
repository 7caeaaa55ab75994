//! Parsing and checking a policy file ([`parse_policy`], [`validate`],
//! [`load`]) with the shared data-file checker.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    id: Spanned<String>,
    title: Spanned<String>,
    owner: Spanned<String>,
    source: Spanned<String>,
    #[serde(default)]
    version: Option<Spanned<String>>,
    #[serde(default)]
    date: Option<Spanned<String>>,
    systems: Spanned<OneOrMany>,
    #[serde(default)]
    recipient_group: Vec<RawGroup>,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGroup {
    id: Spanned<String>,
    name: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    id: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    systems: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    expected_longer_than: Option<Spanned<String>>,
    trigger: Spanned<String>,
    #[serde(default)]
    before: Option<Spanned<String>>,
    #[serde(default)]
    when_late: Option<Spanned<String>>,
    time: Spanned<String>,
    channel: Spanned<String>,
    sender: Spanned<String>,
    recipients: Spanned<OneOrMany>,
    subject: Spanned<String>,
    body: Spanned<String>,
    cite: Spanned<String>,
    #[serde(default)]
    escalation: Vec<RawEscalation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEscalation {
    after: Spanned<String>,
    #[serde(default)]
    recipients: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    channel: Option<Spanned<String>>,
    #[serde(default)]
    sender: Option<Spanned<String>>,
    #[serde(default)]
    subject: Option<Spanned<String>>,
    #[serde(default)]
    body: Option<Spanned<String>>,
}

impl Kind for Policy {
    const KIND: FileKind = FileKind::NotificationPolicy;
    const MAX_TEXT: usize = MAX_TEXT;
    type Problem = NotifyProblem;
}

/// The recipients file, as a kind of data file.
pub(super) struct RecipientsFile;

impl Kind for RecipientsFile {
    const KIND: FileKind = FileKind::Recipients;
    const MAX_TEXT: usize = MAX_SUBJECT;
    type Problem = NotifyProblem;
}

pub(super) type Check<'a> = FileCheck<'a, Policy>;

impl Check<'_> {
    fn slug(&mut self, key: &'static str, value: &Spanned<String>) -> String {
        let v = value.get_ref().trim().to_owned();
        if !is_slug(&v) {
            self.at(value.span(), key, NotifyProblem::InvalidId { key, value: v.chars().take(80).collect() });
        }
        v
    }

    /// A key of the vocabulary `V`.
    fn choice<V: Vocabulary>(&mut self, key: &'static str, value: &Spanned<String>) -> Option<V> {
        self.vocabulary::<V>(key, value.get_ref(), value.span())
    }

    fn period(&mut self, value: &Spanned<String>) -> Option<Period> {
        let p = Period::parse(value.get_ref());
        if p.is_none() {
            self.error(value.span(), NotifyProblem::InvalidDuration(value.get_ref().chars().take(40).collect()));
        }
        p
    }

    /// A subject or body: required text, placeholders known, `{restored_at}`
    /// only where the restart is known.
    fn template(&mut self, key: &'static str, value: &Spanned<String>, restored: bool) -> Option<Template> {
        let max = if key == "subject" { MAX_SUBJECT } else { MAX_TEXT };
        let text = self.text_max(key, value, max);
        if key == "subject" && text.contains('\n') {
            self.error(value.span(), NotifyProblem::MultilineSubject);
        }
        // Errors inside the text point at the line where the offending part
        // is written, found in the raw file (exact for strings without escapes).
        let raw = self.text.get(value.span()).unwrap_or("");
        let locate = |needle: &str| raw.find(needle).map_or(value.span().start, |i| value.span().start + i);
        match Template::parse(&text) {
            Ok(t) => {
                if !restored && t.placeholders().any(|p| p == Placeholder::RestoredAt) {
                    let at = locate("{restored_at}");
                    self.error(at..at, NotifyProblem::RestoredAtNotKnown);
                }
                Some(t)
            }
            Err((problem, offset)) => {
                let needle: String = text[offset..].chars().take(12).collect();
                let at = locate(&needle);
                self.error(at..at, problem);
                None
            }
        }
    }

    /// Recipient group ids: known, no duplicates, at least one.
    fn recipients(&mut self, value: &Spanned<OneOrMany>, groups: &HashMap<String, usize>) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let items = OneOrMany::items(value);
        if items.is_empty() {
            self.error(value.span(), NotifyProblem::NoRecipients);
        }
        for (g, span) in items {
            let g = g.trim().to_owned();
            if !groups.contains_key(&g) {
                self.error(span, NotifyProblem::UnknownGroup(g.chars().take(80).collect()));
            } else if found.contains(&g) {
                self.error(span, NotifyProblem::DuplicateRecipient(g));
            } else {
                found.push(g);
            }
        }
        found
    }

    /// `"all"` or a list of system ids; the ids with their lines.
    fn systems(&mut self, value: &Spanned<OneOrMany>, refs: &mut Vec<(SystemId, usize)>) -> SystemScope {
        if let OneOrMany::One(s) = value.get_ref()
            && s.trim() == "all"
        {
            return SystemScope::All;
        }
        let items = OneOrMany::items(value);
        if items.is_empty() {
            self.error(value.span(), NotifyProblem::NoSystem);
        }
        let mut ids = Vec::new();
        for (v, span) in items {
            if let Some(id) = self.system_id("systems", &v, span.clone()) {
                refs.push((id.clone(), self.line(span)));
                ids.push(id);
            }
        }
        SystemScope::Only(ids)
    }

    fn rule(
        &mut self,
        raw: &RawRule,
        groups: &HashMap<String, usize>,
        scope: &SystemScope,
        refs: &mut Vec<(SystemId, usize)>,
    ) -> Option<Rule> {
        let line = self.line(raw.id.span());
        let id = self.slug("id", &raw.id);
        let kind = self.choice::<KindFilter>("kind", &raw.kind);
        let systems = raw.systems.as_ref().and_then(|s| match self.systems(s, refs) {
            SystemScope::All => None,
            SystemScope::Only(ids) => {
                for (sid, span) in ids.iter().zip(OneOrMany::items(s).into_iter().map(|(_, sp)| sp)) {
                    if !scope.covers(sid) {
                        self.error(span, NotifyProblem::SystemNotInPolicy(sid.to_string()));
                    }
                }
                Some(ids)
            }
        });
        let expected_longer_than = raw.expected_longer_than.as_ref().and_then(|p| self.period(p));
        let trigger_kind = self.choice::<TriggerKind>("trigger", &raw.trigger);
        let time = self.choice::<TimeCondition>("time", &raw.time);
        let channel = self.choice::<Channel>("channel", &raw.channel);
        let sender = self.choice::<SenderRole>("sender", &raw.sender);
        let when_late = raw.when_late.as_ref().and_then(|w| self.choice::<WhenLate>("when_late", w));

        let trigger = match trigger_kind {
            Some(TriggerKind::BeforeStart) => {
                if kind.is_some_and(|k| k != KindFilter::Planned) {
                    self.error(raw.kind.span(), NotifyProblem::BeforeStartNeedsPlanned);
                }
                match &raw.before {
                    Some(b) => self.period(b).map(|before| Trigger::BeforeStart {
                        before,
                        when_late: when_late.unwrap_or(WhenLate::AtDeclaration),
                    }),
                    None => {
                        self.error(raw.trigger.span(), NotifyProblem::BeforeMissing);
                        None
                    }
                }
            }
            other => {
                if let Some(b) = &raw.before {
                    self.error(b.span(), NotifyProblem::BeforeNotAllowed);
                }
                if let Some(w) = &raw.when_late {
                    self.error(w.span(), NotifyProblem::WhenLateNotAllowed);
                }
                match other {
                    Some(TriggerKind::Declared) => Some(Trigger::Declared),
                    Some(TriggerKind::Restored) => Some(Trigger::Restored),
                    _ => None,
                }
            }
        };
        let restored = trigger_kind == Some(TriggerKind::Restored);
        let recipients = self.recipients(&raw.recipients, groups);
        let subject = self.template("subject", &raw.subject, restored);
        let body = self.template("body", &raw.body, restored);
        let cite = self.text_max("cite", &raw.cite, MAX_TEXT);

        let mut escalations = Vec::new();
        let mut previous = (channel, sender, recipients.clone(), raw.recipients.span());
        for e in &raw.escalation {
            let e_line = self.line(e.after.span());
            if let Some(c) = previous.0
                && !c.can_be_acknowledged()
            {
                self.error(e.after.span(), NotifyProblem::CannotEscalate(c));
            }
            if previous.2.len() > 1 {
                self.error(previous.3.clone(), NotifyProblem::EscalationNeedsOneGroup);
            }
            let after = self.period(&e.after);
            let e_channel = match &e.channel {
                Some(c) => self.choice::<Channel>("channel", c),
                None => previous.0,
            };
            let e_sender = match &e.sender {
                Some(s) => self.choice::<SenderRole>("sender", s),
                None => previous.1,
            };
            let (e_recipients, e_span) = match &e.recipients {
                Some(r) => (self.recipients(r, groups), r.span()),
                None => (previous.2.clone(), previous.3.clone()),
            };
            let e_subject = match &e.subject {
                Some(s) => self.template("subject", s, restored),
                None => subject.clone(),
            };
            let e_body = match &e.body {
                Some(b) => self.template("body", b, restored),
                None => body.clone(),
            };
            if let (Some(after), Some(channel), Some(sender), Some(subject), Some(body)) =
                (after, e_channel, e_sender, e_subject, e_body)
            {
                escalations.push(Escalation {
                    after,
                    channel,
                    sender,
                    recipients: e_recipients.clone(),
                    subject,
                    body,
                    line: e_line,
                });
            }
            previous = (e_channel, e_sender, e_recipients, e_span);
        }

        Some(Rule {
            id,
            kind: kind?,
            systems,
            expected_longer_than,
            trigger: trigger?,
            time: time?,
            channel: channel?,
            sender: sender?,
            recipients,
            subject: subject?,
            body: body?,
            cite,
            escalations,
            line,
        })
    }
}

/// Parses one policy file. Checks everything that needs no other file:
/// TOML shape, vocabularies, group references, placeholders, durations, the
/// combinations of trigger and options, escalation shapes. Returns every
/// problem found, each with file and line. [`load`] adds the catalogue check.
pub fn parse_policy(file: &str, text: &str) -> Result<Policy, Vec<DataFileError>> {
    let raw: RawPolicy = Check::toml(file, text)?;
    let mut check = Check::new(file, text);

    let id = check.slug("id", &raw.id);
    let title = check.text_max("title", &raw.title, MAX_TEXT);
    let owner = check.text_max("owner", &raw.owner, MAX_TEXT);
    let source = check.text_max("source", &raw.source, MAX_TEXT);
    let version = raw.version.as_ref().map(|v| check.text_max("version", v, MAX_SUBJECT));
    let date = check.date("date", &raw.date);
    let mut system_refs = Vec::new();
    let systems = check.systems(&raw.systems, &mut system_refs);

    if raw.recipient_group.is_empty() {
        check.push(None, Some("recipient_group"), NotifyProblem::NoGroups);
    }
    let mut group_lines: HashMap<String, usize> = HashMap::new();
    let mut groups = Vec::new();
    for g in &raw.recipient_group {
        let line = check.line(g.id.span());
        let gid = check.slug("recipient_group.id", &g.id);
        let name = check.text_max("name", &g.name, MAX_SUBJECT);
        if let Some(first_line) = group_lines.get(&gid) {
            let problem = NotifyProblem::DuplicateGroup { id: gid.clone(), first_line: *first_line };
            check.error(g.id.span(), problem);
            continue;
        }
        group_lines.insert(gid.clone(), line);
        groups.push(RecipientGroup { id: gid, name, line });
    }

    if raw.rule.is_empty() {
        check.push(None, Some("rule"), NotifyProblem::NoRules);
    }
    let mut rule_lines: HashMap<String, usize> = HashMap::new();
    let mut rules = Vec::new();
    for r in &raw.rule {
        let line = check.line(r.id.span());
        let rid = r.id.get_ref().trim().to_owned();
        if let Some(first_line) = rule_lines.get(&rid) {
            check.error(r.id.span(), NotifyProblem::DuplicateRule { id: rid.clone(), first_line: *first_line });
        } else {
            rule_lines.insert(rid, line);
        }
        if let Some(rule) = check.rule(r, &group_lines, &systems, &mut system_refs) {
            rules.push(rule);
        }
    }

    if !check.errors.is_empty() {
        return Err(sorted(check.errors));
    }
    Ok(Policy { file: file.to_owned(), id, title, owner, source, version, date, systems, groups, rules, system_refs })
}

/// Checks that every system a parsed policy names is in the catalogue.
pub fn validate(policy: Policy, catalogue: &Catalogue) -> Result<Policy, Vec<DataFileError>> {
    let errors: Vec<DataFileError> = policy
        .system_refs
        .iter()
        .filter(|(id, _)| catalogue.get(id).is_none())
        .map(|(id, line)| Check::problem(&policy.file, Some(*line), Reason::UnknownSystem(id.to_string())))
        .collect();
    if errors.is_empty() { Ok(policy) } else { Err(sorted(errors)) }
}

/// Parses and validates a policy file: what `reserv notifications check`
/// and the server's loader call.
pub fn load(file: &str, text: &str, catalogue: &Catalogue) -> Result<Policy, Vec<DataFileError>> {
    validate(parse_policy(file, text)?, catalogue)
}
