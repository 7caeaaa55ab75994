//! The audit log's hash chain: every audit record carries its position in
//! its node's chain, the previous record's hash and its own, so a row
//! deleted, changed or put in between is found by walking the chain
//! ([`verify`]). A checkpoint (a chain head with a time, signed with a key
//! kept outside the database) written elsewhere catches a truncated tail,
//! which the chain alone cannot see. Pure: the backends store the fields and
//! hand the rows back; the rules are here, once, for every backend.

use std::collections::BTreeMap;

use blake2::{Blake2s256, Digest};
use serde::{Deserialize, Serialize};

use crate::{AuditPatient, AuditRecord};

/// The `prev_hash` of a node's first chained record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash of one record at position `seq` after `prev`: BLAKE2s-256 over
/// every field (and the patients a read returned, sorted), each field
/// length-prefixed so that no two different records encode alike.
pub fn link_hash(prev: &str, seq: u64, a: &AuditRecord, patients: &[AuditPatient]) -> String {
    let mut h = Blake2s256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field("reserv-audit-v1");
    field(prev);
    field(&seq.to_string());
    field(&a.id.to_string());
    field(&a.at.as_microsecond().to_string());
    field(&a.actor_id.map(|u| u.to_string()).unwrap_or_default());
    field(&a.actor);
    field(a.org.as_ref().map(|o| o.as_str()).unwrap_or(""));
    field(&a.action);
    field(a.target.as_deref().unwrap_or("\u{0}"));
    field(&a.origin);
    field(&a.detail);
    field(&a.node);
    let mut ps: Vec<(String, &str)> = patients.iter().map(|p| (p.episode.to_string(), p.patient.as_str())).collect();
    ps.sort();
    field(&ps.len().to_string());
    for (e, p) in ps {
        field(&e);
        field(p);
    }
    hex(&h.finalize())
}

/// A record's place in its node's chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    pub seq: u64,
    pub prev_hash: String,
    pub hash: String,
}

/// One stored audit record with its link (none for records written before
/// the chain existed) and the patients a read returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedRecord {
    pub record: AuditRecord,
    pub link: Option<ChainLink>,
    pub patients: Vec<AuditPatient>,
}

/// The first break found in a node's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// A position is missing: a record was deleted (or the rows were reordered).
    Missing { node: String, seq: u64 },
    /// The record at `seq` does not hash to its stored hash: it was changed.
    Changed { node: String, seq: u64, id: String },
    /// The record at `seq` does not name the previous record's hash.
    Unlinked { node: String, seq: u64, id: String },
    /// A checkpoint names a position the chain no longer has with that hash:
    /// the tail was cut off or rewritten after the checkpoint.
    Checkpoint { node: String, seq: u64 },
}

impl ChainBreak {
    /// The first broken link, in Swedish, for the operator.
    pub fn message_sv(&self) -> String {
        match self {
            ChainBreak::Missing { node, seq } => {
                format!("nod {node}: post {seq} i granskningsloggens kedja saknas (raderad?)")
            }
            ChainBreak::Changed { node, seq, id } => {
                format!("nod {node}: post {seq} ({id}) stämmer inte med sin kontrollsumma (ändrad?)")
            }
            ChainBreak::Unlinked { node, seq, id } => {
                format!("nod {node}: post {seq} ({id}) pekar inte på föregående post (inskjuten eller ändrad?)")
            }
            ChainBreak::Checkpoint { node, seq } => format!(
                "nod {node}: kontrollpunkten vid post {seq} finns inte längre i kedjan (loggen avkortad eller omskriven efter kontrollpunkten)"
            ),
        }
    }
}

/// The head of one node's chain: how many records, the last position and hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub node: String,
    pub records: u64,
    pub seq: u64,
    pub hash: String,
}

/// What a walk of the chains found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub heads: Vec<ChainHead>,
    /// Records written before the chain existed (schema 12), not chained.
    pub unchained: usize,
    pub broken: Option<ChainBreak>,
}

/// Walks every node's chain from its first record: positions 1, 2, … without
/// a gap, each naming the previous hash and hashing to its own.
pub fn verify(rows: &[ChainedRecord]) -> ChainReport {
    let mut by_node: BTreeMap<&str, Vec<(&ChainLink, &ChainedRecord)>> = BTreeMap::new();
    let mut unchained = 0;
    for r in rows {
        match &r.link {
            Some(l) => by_node.entry(r.record.node.as_str()).or_default().push((l, r)),
            None => unchained += 1,
        }
    }
    let mut heads = Vec::new();
    let mut broken = None;
    for (node, mut links) in by_node {
        links.sort_by_key(|(l, _)| l.seq);
        let mut prev = GENESIS.to_owned();
        for (expected, (l, r)) in (1u64..).zip(links.iter()) {
            let fail = if l.seq != expected {
                Some(ChainBreak::Missing { node: node.to_owned(), seq: expected })
            } else if l.prev_hash != prev {
                Some(ChainBreak::Unlinked { node: node.to_owned(), seq: l.seq, id: r.record.id.to_string() })
            } else if link_hash(&l.prev_hash, l.seq, &r.record, &r.patients) != l.hash {
                Some(ChainBreak::Changed { node: node.to_owned(), seq: l.seq, id: r.record.id.to_string() })
            } else {
                None
            };
            if let Some(f) = fail {
                broken.get_or_insert(f);
                break;
            }
            prev = l.hash.clone();
        }
        if let Some((l, _)) = links.last() {
            heads.push(ChainHead {
                node: node.to_owned(),
                records: links.len() as u64,
                seq: l.seq,
                hash: l.hash.clone(),
            });
        }
    }
    ChainReport { heads, unchained, broken }
}

/// A chain head with a time, signed with a key kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub node: String,
    pub seq: u64,
    pub hash: String,
    /// When it was taken (RFC 3339).
    pub at: String,
    /// HMAC-BLAKE2s-256 of the other fields with the checkpoint key.
    pub mac: String,
}

fn hmac(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Blake2s256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Blake2s256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    hex(&Blake2s256::new().chain_update(pad(0x5c)).chain_update(inner).finalize())
}

fn signed_text(node: &str, seq: u64, hash: &str, at: &str) -> String {
    format!("reserv-audit-checkpoint-v1\n{node}\n{seq}\n{hash}\n{at}")
}

impl Checkpoint {
    pub fn sign(head: &ChainHead, at: &str, key: &[u8]) -> Checkpoint {
        let mac = hmac(key, signed_text(&head.node, head.seq, &head.hash, at).as_bytes());
        Checkpoint { node: head.node.clone(), seq: head.seq, hash: head.hash.clone(), at: at.to_owned(), mac }
    }

    /// Whether the checkpoint was signed with `key` and is unchanged.
    pub fn authentic(&self, key: &[u8]) -> bool {
        hmac(key, signed_text(&self.node, self.seq, &self.hash, &self.at).as_bytes()) == self.mac
    }
}

/// The first checkpoint the chain no longer holds (position and hash), if any.
pub fn check_checkpoints(rows: &[ChainedRecord], checkpoints: &[Checkpoint]) -> Option<ChainBreak> {
    checkpoints.iter().find_map(|cp| {
        let held = rows
            .iter()
            .filter_map(|r| r.link.as_ref().map(|l| (r, l)))
            .any(|(r, l)| r.record.node == cp.node && l.seq == cp.seq && l.hash == cp.hash);
        (!held).then(|| ChainBreak::Checkpoint { node: cp.node.clone(), seq: cp.seq })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reserv_core::ids::EntryId;

    fn record(n: u128, detail: &str) -> AuditRecord {
        AuditRecord {
            id: EntryId(uuid::Uuid::from_u128(n)),
            at: jiff::Timestamp::from_second(1_800_000_000 + n as i64).unwrap(),
            actor_id: None,
            actor: "demo-it".into(),
            org: None,
            action: "outage.declared".into(),
            target: None,
            origin: "127.0.0.1".into(),
            detail: detail.into(),
            node: "central".into(),
        }
    }

    fn chain(n: u128) -> Vec<ChainedRecord> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|i| {
                let r = record(i, "x");
                let hash = link_hash(&prev, i as u64, &r, &[]);
                let link = ChainLink { seq: i as u64, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                ChainedRecord { record: r, link: Some(link), patients: Vec::new() }
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_every_kind_of_tampering_is_found() {
        let rows = chain(5);
        let ok = verify(&rows);
        assert_eq!(ok.broken, None);
        assert_eq!(ok.heads[0].seq, 5);
        let mut deleted = rows.clone();
        deleted.remove(2);
        assert_eq!(verify(&deleted).broken, Some(ChainBreak::Missing { node: "central".into(), seq: 3 }));
        let mut changed = rows.clone();
        changed[1].record.detail = "y".into();
        assert!(matches!(verify(&changed).broken, Some(ChainBreak::Changed { seq: 2, .. })));
        let mut inserted = rows.clone();
        inserted[3].link.as_mut().unwrap().prev_hash = GENESIS.into();
        assert!(matches!(verify(&inserted).broken, Some(ChainBreak::Unlinked { seq: 4, .. })));
        // A cut tail verifies as a chain; the checkpoint taken before finds it.
        let cp = Checkpoint::sign(&ok.heads[0], "2027-01-15T08:00:00Z", b"a key of thirty-two bytes or so!");
        assert!(cp.authentic(b"a key of thirty-two bytes or so!"));
        assert!(!cp.authentic(b"another key"));
        let cut: Vec<ChainedRecord> = rows[..3].to_vec();
        assert_eq!(verify(&cut).broken, None);
        assert_eq!(
            check_checkpoints(&cut, std::slice::from_ref(&cp)),
            Some(ChainBreak::Checkpoint { node: "central".into(), seq: 5 })
        );
        assert_eq!(check_checkpoints(&rows, &[cp]), None);
    }

    #[test]
    fn the_patients_of_a_read_are_part_of_its_hash() {
        let r = record(1, "x");
        let p = AuditPatient {
            episode: reserv_core::ids::EpisodeId(uuid::Uuid::from_u128(9)),
            patient: "19121212-1212".into(),
        };
        assert_ne!(link_hash(GENESIS, 1, &r, &[]), link_hash(GENESIS, 1, &r, &[p]));
    }
}
