//! How two machines' changes become one state, the same on every machine, without locks or
//! questions.
//!
//! Every synced item — a host config, a setting, an album record — carries the [`Stamp`] of its
//! last change: a hybrid logical clock (wall-clock milliseconds, a counter for changes within
//! one millisecond or while the wall clock stands behind a stamp already seen) and the id of the
//! machine that made it. Stamps are totally ordered, so "the later change wins" names the same
//! winner everywhere, in whatever order changes arrive and however often:
//!
//! - configs and settings: the change with the later stamp wins, a removal (a tombstone)
//!   included — a removal beats older edits, a later edit brings the item back;
//! - album records: a deleted record stays deleted. Records are not edited, only re-copied, so
//!   nothing later can mean "keep it": a record deleted on one machine and re-copied on the
//!   other stays deleted.
//!
//! Two changes with the same stamp (a data folder copied to a second computer keeps its machine
//! id) are settled by their content, so even then every machine picks the same one. Merging is
//! a join: commutative, associative, idempotent (tested over every order of a set of changes,
//! with repeats and ties).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How far ahead of the wall clock a stamp seen from another machine may move this one.
pub const MAX_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// When and where a change was made. Ordered by time, then counter, then machine.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// Milliseconds since the Unix epoch (never behind a stamp this machine has seen).
    pub ms: u64,
    /// Orders changes within one millisecond.
    pub n: u32,
    /// The machine that made the change.
    pub machine: String,
}

/// A machine's hybrid logical clock: stamps it makes are later than every stamp it made or saw,
/// even when the wall clock goes back. A clock starts from what its machine knows: every stamp
/// of its merged state [`observe`](Clock::observe)d.
#[derive(Debug, Clone)]
pub struct Clock {
    machine: String,
    ms: u64,
    n: u32,
}

impl Clock {
    pub fn new(machine: impl Into<String>) -> Self {
        Clock {
            machine: machine.into(),
            ms: 0,
            n: 0,
        }
    }

    /// The stamp of a change made now (`wall_ms`: the wall clock).
    pub fn stamp(&mut self, wall_ms: u64) -> Stamp {
        if wall_ms > self.ms {
            self.ms = wall_ms;
            self.n = 0;
        } else if self.n == u32::MAX {
            self.ms = self.ms.saturating_add(1);
            self.n = 0;
        } else {
            self.n += 1;
        }
        Stamp {
            ms: self.ms,
            n: self.n,
            machine: self.machine.clone(),
        }
    }

    /// A stamp seen in another machine's changes (`wall_ms`: the wall clock now): later stamps
    /// of this one come after it. A stamp more than a day ahead of the wall clock (a computer
    /// whose clock was set years ahead) is still merged by the others' rule, but this clock does
    /// not jump to it, so one wrong clock cannot pin every machine's stamps in the future.
    pub fn observe(&mut self, seen: &Stamp, wall_ms: u64) {
        if seen.ms > wall_ms.saturating_add(MAX_AHEAD_MS) {
            return;
        }
        if (seen.ms, seen.n) > (self.ms, self.n) {
            self.ms = seen.ms;
            self.n = seen.n;
        }
    }
}

/// What a synced item is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Item {
    /// A host config, by its stable id (a rename keeps it).
    Config(String),
    /// A setting, by its key.
    Setting(String),
    /// An album record, by its global id.
    Record(String),
}

/// What a change left: a value (JSON `null` included), or the item removed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    Set(serde_json::Value),
    Removed,
}

/// An item's last change.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub item: Item,
    pub stamp: Stamp,
    pub content: Content,
}

/// Values may hold a host's token: a `{:?}` (a log line, a failed assertion) shows their
/// presence, never them.
impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.content {
            Content::Set(_) => "set",
            Content::Removed => "removed",
        };
        write!(f, "{:?} {} at {:?}", self.item, what, self.stamp)
    }
}

impl Change {
    fn removed(&self) -> bool {
        self.content == Content::Removed
    }

    /// The change's place in the merge's order (the rule, in one place): records rank a
    /// removal above every version, so a deleted record stays deleted; then the later stamp;
    /// then, for two changes with one stamp, the content's canonical bytes.
    fn rank(&self) -> (bool, &Stamp, bool, Vec<u8>) {
        let record_removed = matches!(self.item, Item::Record(_)) && self.removed();
        let bytes = match &self.content {
            // serde_json's maps are ordered by key: the same value gives the same bytes.
            Content::Set(v) => serde_json::to_vec(v).unwrap_or_default(),
            Content::Removed => Vec::new(),
        };
        (record_removed, &self.stamp, self.removed(), bytes)
    }
}

impl Change {
    /// Whether this change wins over the item's stored last change, known by its stamp and
    /// whether it removed the item (the rule of [`Change::rank`] without the content, which
    /// only settles two changes with one stamp: the same change, as one machine stamps each
    /// change once).
    pub fn beats(&self, stamp: &Stamp, removed: bool) -> bool {
        let record = matches!(self.item, Item::Record(_));
        let theirs = (record && removed, stamp, removed);
        let ours = (record && self.removed(), &self.stamp, self.removed());
        ours > theirs
    }
}

/// The merged state: each item's winning change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    items: BTreeMap<Item, Change>,
}

impl State {
    /// Take one change; true when it changed the state.
    pub fn apply(&mut self, change: Change) -> bool {
        match self.items.get(&change.item) {
            Some(old) if change.rank() <= old.rank() => false,
            _ => {
                self.items.insert(change.item.clone(), change);
                true
            }
        }
    }

    /// Take many changes; how many changed the state.
    pub fn merge(&mut self, changes: impl IntoIterator<Item = Change>) -> usize {
        changes
            .into_iter()
            .filter(|c| self.apply(c.clone()))
            .count()
    }

    /// An item's current value (`None`: never seen, or removed).
    pub fn get(&self, item: &Item) -> Option<&serde_json::Value> {
        match &self.items.get(item)?.content {
            Content::Set(v) => Some(v),
            Content::Removed => None,
        }
    }

    /// An item's winning change, tombstones included.
    pub fn change(&self, item: &Item) -> Option<&Change> {
        self.items.get(item)
    }

    /// Every item's winning change, in item order.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.items.values()
    }

    /// The changes later than `since` (what a machine has not sent yet).
    pub fn changes_after<'a>(&'a self, since: &'a Stamp) -> impl Iterator<Item = &'a Change> {
        self.items.values().filter(move |c| &c.stamp > since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(item: Item, ms: u64, machine: &str, value: Option<serde_json::Value>) -> Change {
        Change {
            item,
            stamp: Stamp {
                ms,
                n: 0,
                machine: machine.into(),
            },
            content: match value {
                Some(v) => Content::Set(v),
                None => Content::Removed,
            },
        }
    }

    /// Every order of `changes` (with the whole list applied twice, for repeats) ends the same.
    fn same_in_every_order(changes: &[Change]) -> State {
        fn permutations(n: usize) -> Vec<Vec<usize>> {
            if n == 0 {
                return vec![vec![]];
            }
            let mut out = Vec::new();
            for p in permutations(n - 1) {
                for i in 0..=p.len() {
                    let mut q = p.clone();
                    q.insert(i, n - 1);
                    out.push(q);
                }
            }
            out
        }
        let mut result: Option<State> = None;
        for order in permutations(changes.len()) {
            let mut s = State::default();
            for &i in order.iter().chain(order.iter().rev()) {
                s.apply(changes[i].clone());
            }
            match &result {
                None => result = Some(s),
                Some(r) => assert_eq!(&s, r, "order {order:?}"),
            }
        }
        result.unwrap()
    }

    #[test]
    fn the_later_setting_wins_on_both_machines_whatever_the_order() {
        let key = Item::Setting("link_format".into());
        let s = same_in_every_order(&[
            change(key.clone(), 10, "laptop", Some(json!("html"))),
            change(key.clone(), 20, "desktop", Some(json!("url"))),
            change(key.clone(), 15, "laptop", Some(json!("ubb"))),
        ]);
        assert_eq!(s.get(&key), Some(&json!("url")));
    }

    #[test]
    fn the_same_millisecond_is_settled_by_the_machine_id_everywhere() {
        let key = Item::Setting("link_format".into());
        let s = same_in_every_order(&[
            change(key.clone(), 10, "a-laptop", Some(json!("html"))),
            change(key.clone(), 10, "b-desktop", Some(json!("url"))),
        ]);
        assert_eq!(s.get(&key), Some(&json!("url")));
    }

    #[test]
    fn a_removed_config_beats_older_edits_and_a_later_edit_brings_it_back() {
        let key = Item::Config("cfg-1".into());
        let s = same_in_every_order(&[
            change(key.clone(), 10, "laptop", Some(json!({"name": "imgs"}))),
            change(key.clone(), 20, "desktop", None),
            change(key.clone(), 15, "laptop", Some(json!({"name": "pics"}))),
        ]);
        assert_eq!(s.get(&key), None);
        let s = same_in_every_order(&[
            change(key.clone(), 20, "desktop", None),
            change(key.clone(), 30, "laptop", Some(json!({"name": "pics"}))),
        ]);
        assert_eq!(s.get(&key), Some(&json!({"name": "pics"})));
    }

    #[test]
    fn a_deleted_record_stays_deleted_even_against_a_later_version() {
        let key = Item::Record("rec-1".into());
        let s = same_in_every_order(&[
            change(
                key.clone(),
                10,
                "laptop",
                Some(json!({"url": "https://i/1.png"})),
            ),
            change(key.clone(), 20, "desktop", None),
            change(
                key.clone(),
                30,
                "laptop",
                Some(json!({"url": "https://i/1.png", "config": "new"})),
            ),
        ]);
        assert_eq!(s.get(&key), None);
        assert!(s.change(&key).unwrap().content == Content::Removed);
    }

    #[test]
    fn many_items_from_three_machines_end_the_same_in_every_order() {
        let s = same_in_every_order(&[
            change(Item::Record("r1".into()), 1, "a", Some(json!(1))),
            change(Item::Record("r1".into()), 5, "b", None),
            change(Item::Setting("theme".into()), 2, "c", Some(json!("dark"))),
            change(Item::Setting("theme".into()), 2, "a", Some(json!("light"))),
            change(
                Item::Config("c1".into()),
                3,
                "b",
                Some(json!({"token": "t"})),
            ),
            change(Item::Record("r2".into()), 4, "c", Some(json!(2))),
        ]);
        assert_eq!(s.get(&Item::Record("r1".into())), None);
        assert_eq!(s.get(&Item::Setting("theme".into())), Some(&json!("dark")));
        assert_eq!(s.get(&Item::Record("r2".into())), Some(&json!(2)));
        assert_eq!(s.changes().count(), 4);
    }

    #[test]
    fn the_clock_never_goes_back_and_follows_what_it_saw() {
        let mut c = Clock::new("laptop");
        let a = c.stamp(1000);
        let b = c.stamp(1000);
        let back = c.stamp(900); // the wall clock was set back
        assert!(a < b && b < back, "{a:?} {b:?} {back:?}");
        c.observe(
            &Stamp {
                ms: 5000,
                n: 7,
                machine: "desktop".into(),
            },
            1001,
        );
        let after = c.stamp(1001);
        assert!(after.ms == 5000 && after.n == 8, "{after:?}");
        assert_eq!(c.stamp(6000).ms, 6000);
    }

    #[test]
    fn only_changes_after_a_stamp_are_sent_again() {
        let mut s = State::default();
        let mut c = Clock::new("a");
        s.apply(Change {
            item: Item::Setting("x".into()),
            stamp: c.stamp(1),
            content: Content::Set(json!(1)),
        });
        let sent = c.stamp(1);
        s.apply(Change {
            item: Item::Setting("y".into()),
            stamp: c.stamp(2),
            content: Content::Set(json!(2)),
        });
        let pending: Vec<_> = s.changes_after(&sent).map(|c| c.item.clone()).collect();
        assert_eq!(pending, vec![Item::Setting("y".into())]);
    }

    #[test]
    fn a_null_value_stays_a_value_after_the_storage() {
        let c = change(Item::Record("r".into()), 1, "a", Some(json!(null)));
        let back: Change = serde_json::from_slice(&serde_json::to_vec(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        let mut s = State::default();
        s.apply(back);
        assert_eq!(s.get(&Item::Record("r".into())), Some(&json!(null)));
    }

    #[test]
    fn two_changes_with_one_stamp_are_settled_by_their_content_everywhere() {
        // A data folder copied to a second computer: same machine id, same clock.
        let key = Item::Setting("link_format".into());
        let s = same_in_every_order(&[
            change(key.clone(), 10, "copied", Some(json!("html"))),
            change(key.clone(), 10, "copied", Some(json!("url"))),
            change(key.clone(), 10, "copied", None),
        ]);
        assert_eq!(s.get(&key), None);
        let s = same_in_every_order(&[
            change(key.clone(), 10, "copied", Some(json!({"b": 1, "a": 2}))),
            change(key.clone(), 10, "copied", Some(json!({"a": 2, "b": 0}))),
        ]);
        assert_eq!(s.get(&key), Some(&json!({"a": 2, "b": 1})));
    }

    #[test]
    fn a_clock_years_ahead_elsewhere_does_not_pin_this_one() {
        let mut c = Clock::new("laptop");
        let far = Stamp {
            ms: u64::MAX,
            n: u32::MAX,
            machine: "broken-clock".into(),
        };
        c.observe(&far, 1000);
        assert_eq!(c.stamp(1000).ms, 1000);
        // Its change still wins the merge on every machine alike.
        let key = Item::Setting("theme".into());
        let s = same_in_every_order(&[
            Change {
                item: key.clone(),
                stamp: far.clone(),
                content: Content::Set(json!("dark")),
            },
            change(key.clone(), 1000, "laptop", Some(json!("light"))),
        ]);
        assert_eq!(s.get(&key), Some(&json!("dark")));
        // At the end of time the clock stops rather than wrapping around.
        let mut c = Clock::new("x");
        c.observe(&far, u64::MAX);
        assert_eq!(c.stamp(0).ms, u64::MAX);
    }

    #[test]
    fn a_change_shows_no_value_when_printed() {
        let c = change(
            Item::Config("c".into()),
            1,
            "a",
            Some(json!({"token": "sk-secret"})),
        );
        let shown = format!("{c:?} {:?}", State::default());
        assert!(!shown.contains("sk-secret"), "{shown}");
        assert!(format!("{c:?}").contains("set"));
    }
}
