//! How a back-entry decision is headed for people (worklist, printout):
//! "Efterregistrera" only when there is something to enter. A decision
//! whose items are all follow-ups (a SIP invitation to send, a designated
//! care contact to confirm) or deliberate non-entries is "Följ upp": seed
//! 001 "Behöver inte registreras" is about the episode, and a heading saying
//! the opposite of its rows misleads the person doing the work.

use super::{Item, ItemKind, Outcome};

/// The heading of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    /// At least one item to enter.
    BackEnter,
    /// Nothing to enter, but something to follow up.
    FollowUp,
    /// Nothing to enter and nothing to do.
    NothingToEnter,
    NeedsReview,
}

impl Heading {
    /// The heading of a decision with this outcome and these items.
    pub fn of(outcome: &Outcome, items: &[Item]) -> Heading {
        Heading::of_kinds(outcome, items.iter().map(|i| i.kind))
    }

    /// [`Heading::of`] given the items' kinds (a worklist line's items).
    pub fn of_kinds(outcome: &Outcome, kinds: impl IntoIterator<Item = ItemKind>) -> Heading {
        let kinds: Vec<ItemKind> = kinds.into_iter().collect();
        let has = |k: ItemKind| kinds.contains(&k);
        match outcome {
            Outcome::NeedsReview => Heading::NeedsReview,
            _ if has(ItemKind::NeedsReview) => Heading::NeedsReview,
            _ if has(ItemKind::Enter) => Heading::BackEnter,
            _ if has(ItemKind::FollowUp) => Heading::FollowUp,
            _ => Heading::NothingToEnter,
        }
    }

    pub fn label_sv(self) -> &'static str {
        match self {
            Heading::BackEnter => "Efterregistrera",
            Heading::FollowUp => "Följ upp",
            Heading::NothingToEnter => "Inget att efterregistrera",
            Heading::NeedsReview => "Kräver granskning",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Heading::BackEnter => "Back-enter",
            Heading::FollowUp => "Follow up",
            Heading::NothingToEnter => "Nothing to enter",
            Heading::NeedsReview => "Needs review",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backentry::ItemCode;

    fn item(kind: ItemKind) -> Item {
        Item { kind, code: ItemCode::ALL[0], values: Default::default(), rule: "r".into(), cite: "c".into() }
    }

    // Issue 11 item 7: a decision with nothing to enter is not headed
    // "Efterregistrera" (001: "Behöver inte registreras" for the episode,
    // while its follow-ups stay).
    #[test]
    fn a_decision_with_nothing_to_enter_is_not_headed_back_enter() {
        let h = |items: &[Item]| Heading::of(&Outcome::BackEnter, items).label_sv();
        assert_eq!(h(&[item(ItemKind::Enter), item(ItemKind::FollowUp)]), "Efterregistrera");
        assert_eq!(h(&[item(ItemKind::FollowUp)]), "Följ upp");
        assert_eq!(h(&[item(ItemKind::DoNotEnter), item(ItemKind::FollowUp)]), "Följ upp");
        assert_eq!(h(&[item(ItemKind::DoNotEnter)]), "Inget att efterregistrera");
        assert_eq!(h(&[]), "Inget att efterregistrera");
        let nothing = Outcome::NothingToEnter { reason: "x".into() };
        assert_eq!(Heading::of(&nothing, &[item(ItemKind::FollowUp)]), Heading::FollowUp);
        assert_eq!(Heading::of(&Outcome::NeedsReview, &[]), Heading::NeedsReview);
    }
}
