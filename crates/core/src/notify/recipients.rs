//! The recipients file: the people of each group, kept by the region
//! outside git, checked against the policy it serves ([`parse_recipients`]).

use super::*;
use crate::outbox::{Recipient, normalize_phone, valid_email};

/// The recipients file, in the outbox's format (one `[[person]]` per
/// person, with the groups they belong to; see [`crate::outbox`]):
///
/// ```toml
/// [[person]]
/// id = "vc-medicin"                  # stable, unique in the file
/// name = "Verksamhetschef, medicinkliniken"
/// email = "vc-medicin@example.org"   # needed for groups reached by email
/// phone = "070-174 06 10"            # needed for sms and phone_task
/// username = "vc.medicin"            # optional: their Reserv account
/// groups = ["heads-of-department"]
/// ```
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRecipients {
    #[serde(default)]
    person: Vec<RawPerson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPerson {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    email: Option<Spanned<String>>,
    #[serde(default)]
    phone: Option<Spanned<String>>,
    #[serde(default)]
    username: Option<Spanned<String>>,
    groups: Spanned<Vec<Spanned<String>>>,
}

/// Parses a recipients file and checks it against the policy it serves:
/// ids unique, addresses well-formed (by the outbox's own rules, so both
/// agree), every group one of the policy's, and every group reached by
/// `sms` or `phone_task` has people who all have a phone, every group
/// reached by `email` people who all have an email address. Crisis-app and
/// webhook endpoints are configured per group elsewhere, and groups reached
/// only through the status pages need nobody. Returns the outbox's
/// [`crate::outbox::Recipients`].
pub fn parse_recipients(
    file: &str,
    text: &str,
    policy: &Policy,
) -> Result<crate::outbox::Recipients, Vec<DataFileError>> {
    let raw: RawRecipients = FileCheck::<RecipientsFile>::toml(file, text)?;
    let mut check = FileCheck::<RecipientsFile>::new(file, text);
    let (out, ids) = read_people(&mut check, &raw, Some(policy));
    for group in &policy.groups {
        let people = out.get(&group.id).map(Vec::as_slice).unwrap_or_default();
        for channel in policy.channels_of(&group.id) {
            let Some(key) = channel.address_key() else { continue };
            let has = |r: &Recipient| if key == "phone" { r.phone.is_some() } else { r.email.is_some() };
            if people.is_empty() {
                let problem = NotifyProblem::NobodyInGroup { group: group.id.clone(), channel };
                check.push(None, None, problem);
            }
            for r in people.iter().filter(|r| !has(r)) {
                let line = ids.get(&r.id).copied();
                let problem = NotifyProblem::MissingAddress { group: group.id.clone(), channel, key };
                check.push(line, None, problem);
            }
        }
    }
    check.finish(out).map_err(sorted)
}

/// Parses a recipients file on its own, without the policy (what the server
/// loads at start; `reserv notifications check --recipients` also checks it
/// against the policy with [`parse_recipients`]): ids unique, names given,
/// addresses well-formed, every person in at least one group, no group
/// twice. [`crate::outbox::parse_recipients`] calls this.
pub fn read_recipients(file: &str, text: &str) -> Result<crate::outbox::Recipients, Vec<DataFileError>> {
    let raw: RawRecipients = FileCheck::<RecipientsFile>::toml(file, text)?;
    let mut check = FileCheck::<RecipientsFile>::new(file, text);
    let (out, _) = read_people(&mut check, &raw, None);
    check.finish(out).map_err(sorted)
}

/// The people of a recipients file by group, and the line of each person
/// id; groups are checked against `policy` where one is given.
fn read_people(
    check: &mut FileCheck<'_, RecipientsFile>,
    raw: &RawRecipients,
    policy: Option<&Policy>,
) -> (crate::outbox::Recipients, HashMap<String, usize>) {
    let mut out = crate::outbox::Recipients::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for p in &raw.person {
        let line = check.line(p.id.span());
        let id = check.text_max("id", &p.id, MAX_SUBJECT);
        if let Some(first_line) = ids.get(&id) {
            check.error(p.id.span(), NotifyProblem::DuplicatePerson { id: id.clone(), first_line: *first_line });
        } else {
            ids.insert(id.clone(), line);
        }
        let name = check.text_max("name", &p.name, MAX_SUBJECT);
        let email = p.email.as_ref().map(|e| {
            let v = e.get_ref().trim().to_owned();
            if !valid_email(&v) {
                check.error(e.span(), NotifyProblem::InvalidEmail(v.chars().take(80).collect()));
            }
            v
        });
        let phone = p.phone.as_ref().map(|ph| {
            let v = ph.get_ref().trim().to_owned();
            if normalize_phone(&v).is_none() {
                check.error(ph.span(), NotifyProblem::InvalidPhone(v.chars().take(40).collect()));
            }
            v
        });
        let username = p.username.as_ref().map(|u| check.text_max("username", u, MAX_SUBJECT));
        if p.groups.get_ref().is_empty() {
            check.error(p.groups.span(), NotifyProblem::NoRecipients);
        }
        let person = Recipient { id, name, email, phone, username };
        let mut mine: Vec<&str> = Vec::new();
        for g in p.groups.get_ref() {
            let gid = g.get_ref().trim();
            if gid.is_empty() {
                check.at(g.span(), "groups", Reason::Required);
            } else if policy.is_some_and(|p| p.group(gid).is_none()) {
                check.error(g.span(), NotifyProblem::UnknownGroup(gid.chars().take(80).collect()));
            } else if mine.contains(&gid) {
                check.error(g.span(), NotifyProblem::DuplicateRecipient(gid.to_owned()));
            } else {
                mine.push(gid);
                out.entry(gid.to_owned()).or_default().push(person.clone());
            }
        }
    }
    (out, ids)
}
