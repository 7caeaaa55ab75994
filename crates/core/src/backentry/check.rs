//! Reading and checking a policy file ([`check_policy`]): the decision
//! table's vocabulary, and every possible case covered by exactly one row.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    policy: RawMeta,
    #[serde(default)]
    parameters: toml::Table,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeta {
    id: String,
    name: String,
    version: String,
    source: String,
}

#[derive(Deserialize)]
pub(super) struct RawRule {
    id: String,
    cite: String,
    note: Option<String>,
    subject: Option<String>,
    #[serde(default)]
    when: BTreeMap<String, OneOrMany>,
    #[serde(flatten)]
    rest: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawItem {
    kind: String,
    item: String,
    cite: Option<String>,
    #[serde(default)]
    set: BTreeMap<String, String>,
    only_if: Option<String>,
}

/// One possible case: a value per dimension (parallel to `Policy::dimensions`).
pub(super) type Case = Vec<&'static str>;

pub(super) fn describe(dims: &[Dimension], case: &[&str]) -> String {
    dims.iter().zip(case).map(|(d, v)| format!("{}={v}", d.key())).collect::<Vec<_>>().join(", ")
}

/// Whether a combination of values can occur in one consistent episode.
pub(super) fn feasible(dims: &[Dimension], case: &[&str]) -> bool {
    let get = |d: Dimension| dims.iter().position(|x| *x == d).map(|i| case[i]);
    let rank = |v: &str| match v {
        "before" => 0,
        "during" => 1,
        _ => 2,
    };
    if let (Some(a), Some(d)) = (get(Dimension::Admitted), get(Dimension::Discharged))
        && d != "no"
        && rank(d) < rank(a)
    {
        return false;
    }
    if let (Some(d), Some(l)) = (get(Dimension::Discharged), get(Dimension::Location))
        && (d == "no") != (l == "in_hospital")
    {
        return false;
    }
    true
}

pub(super) fn all_cases(dims: &[Dimension]) -> Vec<Case> {
    let mut cases: Vec<Case> = vec![Vec::new()];
    for d in dims {
        cases =
            cases.into_iter().flat_map(|c| d.values().iter().map(move |v| [c.clone(), vec![*v]].concat())).collect();
    }
    cases.into_iter().filter(|c| feasible(dims, c)).collect()
}

pub(super) fn rule_matches(rule: &Rule, dims: &[Dimension], case: &[&str]) -> bool {
    rule.when.iter().all(|(d, allowed)| dims.iter().position(|x| x == d).is_some_and(|i| allowed.contains(case[i])))
}

/// Loads and checks a policy file. `file` is only used to name it in messages.
pub fn check_policy(file: &str, text: &str) -> Result<Policy, Vec<DataFileError>> {
    let raw: RawFile = FileCheck::<Policy>::toml(file, text)?;
    let mut check = FileCheck::<Policy>::new(file, text);
    // Rows are read whole (their parties are free keys), so a row's problems
    // point at the line of its `id`.
    let row_line = |row: &str| line_of_entry(text, "id", row);
    let mut dates = BTreeMap::new();
    let mut parameters = BTreeMap::new();
    for (k, v) in &raw.parameters {
        match v {
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                let d = dt.date.expect("a date-only TOML datetime has a date");
                match Date::new(d.year as i16, d.month as i8, d.day as i8) {
                    Ok(date) => {
                        dates.insert(k.clone(), date);
                    }
                    Err(_) => {
                        let value = d.to_string();
                        check.push(None, Some("parameters"), PolicyProblem::BadParameter { key: k.clone(), value })
                    }
                }
            }
            toml::Value::Datetime(dt) => {
                parameters.insert(k.clone(), dt.to_string());
            }
            toml::Value::String(s) => {
                parameters.insert(k.clone(), s.clone());
            }
            other => {
                let value = other.to_string();
                check.push(None, Some("parameters"), PolicyProblem::BadParameter { key: k.clone(), value })
            }
        }
    }
    let mut rules = Vec::new();
    let mut ids = BTreeSet::new();
    let mut used: BTreeMap<Subject, BTreeSet<Dimension>> = BTreeMap::new();
    if raw.rule.is_empty() {
        check.push(None, Some("rule"), PolicyProblem::NoRules);
    }
    for r in raw.rule {
        let row = &r.id;
        let line = row_line(row);
        let mut problem = |field: &'static str, p: PolicyProblem| check.push(line, Some(field), p);
        let subject = match r.subject.as_deref().map(|v| (v, Subject::parse(v))) {
            None => Subject::Episode,
            Some((_, Some(subject))) => subject,
            Some((other, None)) => {
                problem("subject", PolicyProblem::UnknownSubject { row: row.clone(), value: other.to_owned() });
                Subject::Episode
            }
        };
        if !ids.insert(r.id.clone()) {
            problem("id", PolicyProblem::DuplicateRow { row: row.clone() });
        }
        if r.cite.trim().is_empty() {
            problem("cite", PolicyProblem::EmptyCite { row: row.clone() });
        }
        let mut when = BTreeMap::new();
        for (k, v) in r.when {
            let Some(d) = Dimension::parse(&k) else {
                problem("when", PolicyProblem::UnknownCondition { row: row.clone(), key: k.clone() });
                continue;
            };
            if !d.applies_to(subject) {
                problem("when", PolicyProblem::ConditionNotForSubject { row: row.clone(), key: k.clone(), subject });
                continue;
            }
            let values = match v {
                OneOrMany::One(s) => vec![s],
                OneOrMany::Many(v) => v,
            };
            if values.is_empty() {
                problem("when", PolicyProblem::ConditionWithoutValue { row: row.clone(), key: k.clone() });
            }
            for v in &values {
                if !d.values().contains(&v.as_str()) {
                    let allowed = d.values().join(", ");
                    let (row, key, value) = (row.clone(), k.clone(), v.clone());
                    problem("when", PolicyProblem::UnknownConditionValue { row, key, value, allowed });
                }
            }
            used.entry(subject).or_default().insert(d);
            when.insert(d, values.into_iter().collect());
        }
        let mut actions = BTreeMap::new();
        let mut initiator = Vec::new();
        for (k, v) in r.rest {
            let party = PARTIES.iter().find(|(name, _)| *name == k).map(|(_, p)| *p);
            let is_initiator = k == "initiator" && subject == Subject::Sip;
            if party.is_none() && !is_initiator {
                problem("rule", PolicyProblem::UnknownParty { row: row.clone(), key: k.clone() });
                continue;
            }
            let items: Vec<RawItem> = match v.try_into() {
                Ok(items) => items,
                Err(e) => {
                    let message = e.message().trim().to_owned();
                    problem("rule", PolicyProblem::BadItems { row: row.clone(), party: k.clone(), message });
                    continue;
                }
            };
            let mut out = Vec::new();
            for it in items {
                // `needs_review` is the engine's answer to contradictory facts, never a policy's.
                let kind = ItemKind::parse(&it.kind).filter(|k| *k != ItemKind::NeedsReview);
                let code = ItemCode::parse(&it.item);
                if kind.is_none() {
                    let (row, party, value) = (row.clone(), k.clone(), it.kind.clone());
                    problem("kind", PolicyProblem::UnknownItemKind { row, party, value });
                }
                if code.is_none() || code == Some(ItemCode::Contradiction) {
                    let (row, party, value) = (row.clone(), k.clone(), it.item.clone());
                    problem("item", PolicyProblem::UnknownItem { row, party, value });
                }
                let only_if = it.only_if.as_deref().map(|v| ItemCondition::parse(v).ok_or(v));
                if let Some(Err(value)) = only_if {
                    let (row, party, value) = (row.clone(), k.clone(), value.to_owned());
                    problem("only_if", PolicyProblem::UnknownItemCondition { row, party, value });
                } else if only_if.is_some() && subject == Subject::Sip {
                    // The facts are about an episode's calls; a SIP row has none.
                    let (row, key) = (row.clone(), "only_if".to_owned());
                    problem("only_if", PolicyProblem::ConditionNotForSubject { row, key, subject });
                }
                if let (Some(kind), Some(code), None | Some(Ok(_))) = (kind, code, only_if) {
                    let cite = it.cite.unwrap_or_else(|| r.cite.clone());
                    let only_if = only_if.and_then(Result::ok);
                    out.push(RuleItem { kind, code, cite, set: it.set, only_if });
                }
            }
            match party {
                Some(party) => {
                    actions.insert(party, out);
                }
                None => initiator = out,
            }
        }
        rules.push(Rule { id: r.id, subject, when, cite: r.cite, note: r.note, actions, initiator });
    }
    if used.values().any(|u| u.contains(&Dimension::Created)) {
        for p in ["period_start", "cutover"] {
            if !dates.contains_key(p) {
                check.push(None, Some("parameters"), PolicyProblem::MissingDateParameter(p));
            }
        }
    }
    let dimensions: Vec<Dimension> = used.remove(&Subject::Episode).unwrap_or_default().into_iter().collect();
    let sip_dimensions: Vec<Dimension> = used.remove(&Subject::Sip).unwrap_or_default().into_iter().collect();
    if !rules.iter().any(|r| r.subject == Subject::Episode) {
        check.push(None, Some("rule"), PolicyProblem::NoEpisodeRows);
    }
    for (subject, dimensions) in [(Subject::Episode, &dimensions), (Subject::Sip, &sip_dimensions)] {
        if !check.errors.is_empty() || !rules.iter().any(|r| r.subject == subject) {
            continue;
        }
        for case in all_cases(dimensions) {
            let hits: Vec<&str> = rules
                .iter()
                .filter(|r| r.subject == subject && rule_matches(r, dimensions, &case))
                .map(|r| r.id.as_str())
                .collect();
            let sip = subject == Subject::Sip;
            match hits.len() {
                0 => check.push(None, None, PolicyProblem::Incomplete { sip, case: describe(dimensions, &case) }),
                1 => {}
                _ => {
                    let rows = hits.iter().map(|h| (*h).to_owned()).collect();
                    let line = row_line(hits[1]);
                    check.push(line, None, PolicyProblem::Ambiguous { sip, rows, case: describe(dimensions, &case) });
                }
            }
        }
    }
    check.finish(Policy {
        id: raw.policy.id,
        name: raw.policy.name,
        version: raw.policy.version,
        source: raw.policy.source,
        dates,
        parameters,
        rules,
        dimensions,
        sip_dimensions,
    })
}
