//! The phone list of a unit: the numbers it needs on paper today
//! ([`ContactBook::phone_list`]).

use super::*;

vocabulary!(
    /// The parts of a unit's phone list, in the order they are printed.
    SectionKind, "del av telefonlistan", "phone list section" {
        OwnUnit = "own_unit", "Egen enhet", "Own unit";
        Switchboards = "switchboards", "Växlar", "Switchboards";
        ItSupport = "it_support", "IT-support", "IT support";
        Municipalities = "municipalities", "Kommuner", "Municipalities";
        Hospitals = "hospitals", "Sjukhus", "Hospitals";
        PrimaryCare = "primary_care", "Primärvård och psykiatrisk öppenvård", "Primary care and outpatient psychiatry";
    }
);

/// One line of a phone list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PhoneListRow))]
pub struct Row {
    #[serde(flatten)]
    pub entry: Entry,
    /// Whether it applies at the time the list was made (office hours, on-call, weekends).
    pub applies_now: bool,
}

/// One part of a phone list: rules that apply to all its lines (`notes`),
/// then the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PhoneListSection))]
pub struct Section {
    pub kind: SectionKind,
    pub notes: Vec<Row>,
    pub rows: Vec<Row>,
}

/// The one-page phone list of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneList {
    pub unit: OrgId,
    pub unit_name: String,
    pub unit_kind: OrgKind,
    /// The unit's region, when the directory says.
    pub region: Option<String>,
    /// Weekdays 07:30–16:30 at the time the list was made (seed 003 §4.1).
    pub office_hours_now: bool,
    pub made_at: Timestamp,
    pub sections: Vec<Section>,
}

pub(super) struct Directory<'a> {
    orgs: &'a [Organisation],
    by_id: HashMap<&'a OrgId, &'a Organisation>,
}

impl<'a> Directory<'a> {
    fn new(orgs: &'a [Organisation]) -> Directory<'a> {
        Directory { orgs, by_id: orgs.iter().map(|o| (&o.id, o)).collect() }
    }

    /// The parent chain, nearest first.
    fn ancestors(&self, o: &'a Organisation) -> Vec<&'a Organisation> {
        let mut out = Vec::new();
        let mut at = o;
        while let Some(p) = at.parent.as_ref().and_then(|p| self.by_id.get(p)) {
            if out.len() > 16 || out.iter().any(|x: &&Organisation| x.id == p.id) {
                break;
            }
            out.push(*p);
            at = p;
        }
        out
    }

    /// The region an organisation belongs to: its region ancestor, or the
    /// directory's only region (municipalities have no parent).
    fn region_of(&self, o: &'a Organisation) -> Option<&'a Organisation> {
        if o.kind == OrgKind::Region {
            return Some(o);
        }
        if let Some(r) = self.ancestors(o).into_iter().find(|a| a.kind == OrgKind::Region) {
            return Some(r);
        }
        let mut regions = self.orgs.iter().filter(|x| x.kind == OrgKind::Region);
        match (regions.next(), regions.next()) {
            (Some(r), None) => Some(r),
            _ => None,
        }
    }

    fn region_name(&self, o: &'a Organisation) -> String {
        self.region_of(o).map(|r| r.name.clone()).unwrap_or_default()
    }

    fn of_kind(&self, kinds: &[OrgKind]) -> Vec<&'a Organisation> {
        let mut found: Vec<&Organisation> = self.orgs.iter().filter(|o| kinds.contains(&o.kind)).collect();
        found.sort_by(|a, b| swedish_order_key(&a.name).cmp(&swedish_order_key(&b.name)).then(a.id.cmp(&b.id)));
        found
    }
}

/// The name of the region `org` belongs to (its region ancestor, or the
/// directory's only region), if the directory says.
pub fn region_name_of(orgs: &[Organisation], org: &OrgId) -> Option<String> {
    let dir = Directory::new(orgs);
    let o = *dir.by_id.get(org)?;
    dir.region_of(o).map(|r| r.name.clone())
}

impl SearchResult {
    /// The groups of `region` first, then the others (each in the search's
    /// order): a person sees their own region's contacts first.
    pub fn split_by_region(self, region: Option<&str>) -> (Vec<Group>, Vec<Group>) {
        match region {
            Some(r) => self.groups.into_iter().partition(|g| g.region == r),
            None => (self.groups, Vec::new()),
        }
    }
}

impl ContactBook {
    /// The files, sorted by name.
    pub fn files(&self) -> &[ContactFile] {
        &self.files
    }

    /// Every contact, file by file, as written.
    pub fn contacts(&self) -> impl Iterator<Item = &Contact> {
        self.files.iter().flat_map(|f| f.contacts.iter())
    }

    /// The contact with this id.
    pub fn get(&self, id: &str) -> Option<&Contact> {
        self.contacts().find(|c| c.id == id)
    }

    /// Searches names, notes, organisation names, regions, systems and
    /// numbers. Case does not matter; a word without å, ä or ö also finds
    /// the word with them ("Ange" finds "Ånge"); a word with them is matched
    /// as written, unless nothing matches so. A number matches with or
    /// without spaces, dashes or +46. Every word must match. An empty query
    /// lists everything. The directory's organisations with numbers that no
    /// contact covers are included. Groups are regions; within a group,
    /// entries matched in their name come first, then by category and name.
    pub fn search(&self, query: &str, orgs: &[Organisation], catalogue: &Catalogue) -> SearchResult {
        let dir = Directory::new(orgs);
        let covered: HashSet<&OrgId> = self.contacts().filter_map(|c| c.org.as_ref()).collect();
        let mut entries: Vec<Entry> = self.contacts().map(|c| Entry::from_contact(c, &dir.by_id)).collect();
        for o in orgs {
            if !covered.contains(&o.id) && (o.switchboard.is_some() || o.direct_phone.is_some()) {
                let e = Entry::from_org(o, &dir.region_name(o));
                if !e.phones.is_empty() {
                    entries.push(e);
                }
            }
        }
        let terms = terms(query);
        let mut scored: Vec<(u8, Entry)> =
            entries.iter().filter_map(|e| score(e, &terms, catalogue, true).map(|s| (s, e.clone()))).collect();
        if scored.is_empty() && terms.iter().any(|t| matches!(t, Term::Text { swedish: true, .. })) {
            scored = entries.into_iter().filter_map(|e| score(&e, &terms, catalogue, false).map(|s| (s, e))).collect();
        }
        scored.sort_by(|(sa, a), (sb, b)| {
            (sa, a.category, swedish_order_key(&a.name)).cmp(&(sb, b.category, swedish_order_key(&b.name)))
        });
        let mut groups: Vec<(u8, Group)> = Vec::new();
        for (s, e) in scored {
            match groups.iter_mut().find(|(_, g)| g.region == e.region) {
                Some((best, g)) => {
                    *best = (*best).min(s);
                    g.entries.push(e);
                }
                None => groups.push((s, Group { region: e.region.clone(), entries: vec![e] })),
            }
        }
        groups.sort_by(|(sa, a), (sb, b)| (sa, swedish_order_key(&a.region)).cmp(&(sb, swedish_order_key(&b.region))));
        let total = groups.iter().map(|(_, g)| g.entries.len()).sum();
        SearchResult { query: query.trim().to_owned(), total, groups: groups.into_iter().map(|(_, g)| g).collect() }
    }

    /// The numbers to call `org` on (e.g. the counterpart of an open gap):
    /// the numbers its contacts list, then its directory numbers that no
    /// contact lists; if it has none, those of the nearest organisation
    /// above it that has some (a ward's hospital switchboard, a primary-care
    /// centre's region switchboard). Empty if nothing is known.
    pub fn numbers_of(&self, orgs: &[Organisation], org: &OrgId) -> Vec<Phone> {
        let dir = Directory::new(orgs);
        let own = |id: &OrgId| -> Vec<Phone> {
            let mut phones: Vec<Phone> =
                self.contacts().filter(|c| c.org.as_ref() == Some(id)).flat_map(|c| c.phones.clone()).collect();
            if let Some(o) = dir.by_id.get(id) {
                for p in Entry::from_org(o, "").phones {
                    if !phones.iter().any(|x| x.number.digits() == p.number.digits()) {
                        phones.push(p);
                    }
                }
            }
            phones
        };
        let found = own(org);
        if !found.is_empty() {
            return found;
        }
        let Some(o) = dir.by_id.get(org) else { return Vec::new() };
        dir.ancestors(o).into_iter().map(|a| own(&a.id)).find(|p| !p.is_empty()).unwrap_or_default()
    }

    /// The phone list of `unit` at `now`, or `None` if the unit is not in
    /// the directory. Sections, in this order, empty ones left out:
    /// - the unit's own numbers;
    /// - the switchboards above it (hospital, region), or for a municipality
    ///   the region's switchboard;
    /// - IT support for its principal (a municipality's own IT support, the
    ///   region's service desk for region units), each line marked whether
    ///   it applies now (office hours or on-call);
    /// - for region units: every municipality of the directory with its
    ///   switchboard, with the rules of the unit's region as notes (seed 001:
    ///   one way in through the needs assessor); only the unit's own region's
    ///   rules, never another region's routine;
    /// - for municipalities, primary care and outpatient psychiatry: the hospitals;
    /// - primary-care centres and outpatient psychiatry (not the unit itself),
    ///   with the region's rules for reaching them.
    ///
    /// Organisations are in Swedish alphabetical order; everything else as
    /// the files list it, so the list is the same every time.
    pub fn phone_list(&self, orgs: &[Organisation], unit: &OrgId, now: Timestamp) -> Option<PhoneList> {
        let dir = Directory::new(orgs);
        let u = *dir.by_id.get(unit)?;
        let region = dir.region_of(u);
        let region_id = region.map(|r| &r.id);
        let own_region = |c: &Contact| {
            self.files.iter().any(|f| f.file == c.file && f.region_org.is_some() && f.region_org.as_ref() == region_id)
        };
        let row = |entry: Entry| Row { applies_now: entry.when.applies_at(now), entry };
        // The lines for one organisation: its contacts, then its directory
        // numbers that no contact lists (or the bare organisation).
        let org_rows = |o: &Organisation| -> Vec<Row> {
            let mine: Vec<&Contact> = self.contacts().filter(|c| c.org.as_ref() == Some(&o.id)).collect();
            let mut rows: Vec<Row> = mine.iter().map(|c| row(Entry::from_contact(c, &dir.by_id))).collect();
            let mut from_dir = Entry::from_org(o, &dir.region_name(o));
            from_dir
                .phones
                .retain(|p| !mine.iter().any(|c| c.phones.iter().any(|x| x.number.digits() == p.number.digits())));
            if rows.is_empty() || !from_dir.phones.is_empty() {
                rows.push(row(from_dir));
            }
            rows
        };
        let rules = |kinds: &[OrgKind], pick: &dyn Fn(&Contact) -> bool| -> Vec<Row> {
            self.contacts()
                .filter(|c| c.orgs_of_kind.is_some_and(|k| kinds.contains(&k)) && own_region(c) && pick(c))
                .map(|c| row(Entry::from_contact(c, &dir.by_id)))
                .collect()
        };
        let principal = u.kind.principal();
        let mut sections = Vec::new();
        let mut push = |kind: SectionKind, notes: Vec<Row>, rows: Vec<Row>| {
            if !notes.is_empty() || !rows.is_empty() {
                sections.push(Section { kind, notes, rows });
            }
        };

        push(SectionKind::OwnUnit, Vec::new(), org_rows(u));

        let above: Vec<&Organisation> =
            if principal == Principal::Municipality { region.into_iter().collect() } else { dir.ancestors(u) };
        push(SectionKind::Switchboards, Vec::new(), above.iter().flat_map(|o| org_rows(o)).collect());

        let it: Vec<Row> = self
            .contacts()
            .filter(|c| c.category == Category::ItSupport && own_region(c))
            .filter(|c| match (&c.orgs_of_kind, &c.org) {
                (Some(k), _) => *k == u.kind,
                (None, Some(o)) => dir.by_id.get(o).is_some_and(|o| o.kind.principal() == principal),
                (None, None) => principal == Principal::Region,
            })
            .map(|c| row(Entry::from_contact(c, &dir.by_id)))
            .collect();
        let it_ids: HashSet<&OrgId> = it.iter().filter_map(|r| r.entry.org.as_ref()).collect();
        let mut it_rows = it.clone();
        if principal == Principal::Region {
            for o in dir.of_kind(&[OrgKind::ItManagement]) {
                if !it_ids.contains(&o.id) && dir.region_of(o).map(|r| &r.id) == region_id {
                    it_rows.extend(org_rows(o));
                }
            }
        }
        push(SectionKind::ItSupport, Vec::new(), it_rows);

        if principal == Principal::Region {
            let municipal = [OrgKind::Municipality];
            let notes = rules(&municipal, &|c| c.category != Category::ItSupport);
            let rows = dir.of_kind(&municipal).into_iter().flat_map(&org_rows).collect();
            push(SectionKind::Municipalities, notes, rows);
        }

        if matches!(u.kind, OrgKind::Municipality | OrgKind::PrimaryCareCentre | OrgKind::OutpatientPsychiatry) {
            let rows = dir.of_kind(&[OrgKind::Hospital]).into_iter().flat_map(&org_rows).collect();
            push(SectionKind::Hospitals, Vec::new(), rows);
        }

        let care = [OrgKind::PrimaryCareCentre, OrgKind::OutpatientPsychiatry];
        let notes = rules(&care, &|c| c.category != Category::ItSupport);
        let rows = dir.of_kind(&care).into_iter().filter(|o| o.id != u.id).flat_map(&org_rows).collect();
        push(SectionKind::PrimaryCare, notes, rows);

        Some(PhoneList {
            unit: u.id.clone(),
            unit_name: u.name.clone(),
            unit_kind: u.kind,
            region: region.map(|r| r.name.clone()),
            office_hours_now: is_office_hours(now),
            made_at: now,
            sections,
        })
    }
}
