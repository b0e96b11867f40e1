//! The album's side of links: the last check of each record's link, and which record a moved
//! one became. Kept here, not in `album.rs`, so the album's core stays about uploads.

use crate::{msg, Msg};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::check::LinkStatus;
use crate::album::Album;
use crate::error::{Error, Result};

/// The last check of a record's link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCheck {
    pub status: LinkStatus,
    /// What was seen, in words ("HTTP 404", "text/html, not an image", the network error).
    /// Kept in the album as the message's JSON, so it is said in the reader's language.
    pub detail: Option<Msg>,
    /// Unix time in milliseconds.
    pub checked_at: i64,
}

/// A check's detail as the album keeps it: the message's JSON.
fn detail_to_column(m: &Msg) -> String {
    serde_json::to_string(m).unwrap_or_else(|_| m.text.clone())
}

/// A check's detail from the album: a message's JSON, or (as an older Pixdrop kept it) its
/// English text, shown as it is.
fn detail_from_column(text: &str) -> Msg {
    if text.starts_with('{') {
        if let Ok(m) = serde_json::from_str::<Msg>(text) {
            return m;
        }
    }
    Msg::plain(text)
}

impl Album {
    /// Record the result of checking record `id`'s link (replacing the previous one).
    pub fn set_link_check(&self, id: i64, check: &LinkCheck) -> Result<()> {
        self.conn().execute(
            "INSERT INTO link_checks (id, status, detail, checked_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET status = ?2, detail = ?3, checked_at = ?4",
            params![
                id,
                check.status.as_str(),
                check.detail.as_ref().map(detail_to_column),
                check.checked_at
            ],
        )?;
        Ok(())
    }

    /// The last check of record `id`'s link, if it was ever checked.
    pub fn link_check(&self, id: i64) -> Result<Option<LinkCheck>> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached("SELECT status, detail, checked_at FROM link_checks WHERE id = ?1")?;
        let row = st
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .optional()?;
        row.map(|(status, detail, checked_at)| {
            Ok(LinkCheck {
                status: status.parse()?,
                detail: detail.as_deref().map(detail_from_column),
                checked_at,
            })
        })
        .transpose()
    }

    /// The last checks of those of `ids` whose link was ever checked (a page of the album's grid).
    pub fn link_checks(&self, ids: &[i64]) -> Result<Vec<(i64, LinkCheck)>> {
        let mut out = Vec::new();
        for &id in ids {
            if let Some(check) = self.link_check(id)? {
                out.push((id, check));
            }
        }
        Ok(out)
    }

    /// Record that record `from` was moved: `to` is the record of its new copy.
    pub fn set_moved(&self, from: i64, to: i64) -> Result<()> {
        if from == to {
            return Err(Error::Input(msg!(
                "record {from} cannot be moved to itself"
            )));
        }
        let mut conn = self.conn();
        // Read, then written: take the write lock first (see `Album::link_mirrors`).
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for id in [from, to] {
            if !tx
                .prepare_cached("SELECT 1 FROM uploads WHERE id = ?1")?
                .exists([id])?
            {
                return Err(Error::NotFound(msg!("no album record {id}")));
            }
        }
        tx.execute(
            "UPDATE uploads SET moved_to = ?2 WHERE id = ?1",
            params![from, to],
        )?;
        tx.execute(
            "UPDATE uploads SET moved_from = ?1 WHERE id = ?2",
            params![from, to],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The record `id` was moved to, if it was.
    pub fn moved_to(&self, id: i64) -> Result<Option<i64>> {
        self.moved_column(id, "SELECT moved_to FROM uploads WHERE id = ?1")
    }

    /// The record `id` is the moved copy of, if it is one.
    pub fn moved_from(&self, id: i64) -> Result<Option<i64>> {
        self.moved_column(id, "SELECT moved_from FROM uploads WHERE id = ?1")
    }

    fn moved_column(&self, id: i64, sql: &str) -> Result<Option<i64>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(sql)?;
        Ok(st
            .query_row([id], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten())
    }

    /// SHA-256 of the bytes record `id` sent, when the album knows it.
    pub fn sent_sha256(&self, id: i64) -> Result<Option<String>> {
        self.moved_text(id, "SELECT sent_sha256 FROM uploads WHERE id = ?1")
    }

    /// The records whose upload sent exactly these bytes (on any config).
    pub fn with_sent_sha256(&self, sha256: &str) -> Result<Vec<crate::album::Record>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {} FROM uploads WHERE sent_sha256 = ?1 ORDER BY id",
            crate::album::COLUMNS
        ))?;
        let rows = st.query_map([sha256], crate::album::from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether record `id`'s image was deleted on its host while the record was kept (a move's
    /// old copy).
    pub fn deleted_on_host(&self, id: i64) -> Result<bool> {
        let conn = self.conn();
        let mut st =
            conn.prepare_cached("SELECT host_deleted_at IS NOT NULL FROM uploads WHERE id = ?1")?;
        Ok(st
            .query_row([id], |r| r.get(0))
            .optional()?
            .unwrap_or(false))
    }

    /// Note that record `id`'s image was deleted on its host, the record kept.
    pub fn set_deleted_on_host(&self, id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE uploads SET host_deleted_at = ?2 WHERE id = ?1",
            params![id, crate::album::now_ms()],
        )?;
        Ok(())
    }

    fn moved_text(&self, id: i64, sql: &str) -> Result<Option<String>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(sql)?;
        Ok(st
            .query_row([id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    /// Every moved record's link with the link of where it ended up (following moves of moves;
    /// a move whose end is missing or that comes back to itself is left out).
    pub fn moved_links(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached("SELECT id, url, moved_to FROM uploads")?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    (r.get::<_, String>(1)?, r.get::<_, Option<i64>>(2)?),
                ))
            })?
            .collect::<rusqlite::Result<std::collections::HashMap<_, _>>>()?;
        let mut out = Vec::new();
        for (url, first) in rows.values() {
            let Some(mut next) = *first else { continue };
            let mut hops = 0;
            let end = loop {
                match rows.get(&next) {
                    Some((u, None)) => break Some(u),
                    Some((_, Some(n))) if hops < rows.len() => {
                        next = *n;
                        hops += 1;
                    }
                    _ => break None,
                }
            };
            if let Some(end) = end.filter(|e| *e != url) {
                out.push((url.clone(), end.clone()));
            }
        }
        Ok(out)
    }

    /// Records whose last check found the link broken and that have no moved copy:
    /// (id, link, status).
    pub fn broken_links(&self) -> Result<Vec<(i64, String, LinkStatus)>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT u.id, u.url, c.status FROM uploads u JOIN link_checks c ON c.id = u.id
             WHERE c.status != ?1 AND u.moved_to IS NULL",
        )?;
        let rows = st.query_map([LinkStatus::Ok.as_str()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|row| {
            let (id, url, status) = row?;
            Ok((id, url, status.parse()?))
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::album::NewRecord;

    fn rec(album: &Album, url: &str) -> i64 {
        album
            .insert(&NewRecord {
                host_kind: "smms".into(),
                config_name: "c".into(),
                file_name: "a.png".into(),
                stored_name: "a.png".into(),
                url: url.into(),
                delete_handle: None,
                size: 1,
                width: None,
                height: None,
                sha256: None,
                created_at: 1,
                sent_sha256: None,
                origin_url: None,
            })
            .unwrap()
    }

    #[test]
    fn moves_follow_chains_and_checks_are_replaced() {
        let a = Album::open_in_memory().unwrap();
        let one = rec(&a, "https://old/1.png");
        let two = rec(&a, "https://mid/1.png");
        let three = rec(&a, "https://new/1.png");
        a.set_moved(one, two).unwrap();
        a.set_moved(two, three).unwrap();
        assert_eq!(a.moved_to(one).unwrap(), Some(two));
        assert_eq!(a.moved_from(three).unwrap(), Some(two));
        let mut links = a.moved_links().unwrap();
        links.sort();
        assert_eq!(
            links,
            [
                (
                    "https://mid/1.png".to_string(),
                    "https://new/1.png".to_string()
                ),
                (
                    "https://old/1.png".to_string(),
                    "https://new/1.png".to_string()
                ),
            ]
        );
        assert!(a.set_moved(one, 999).is_err());
        let check = |status| LinkCheck {
            status,
            detail: None,
            checked_at: 5,
        };
        a.set_link_check(three, &check(LinkStatus::Gone)).unwrap();
        a.set_link_check(three, &check(LinkStatus::Ok)).unwrap();
        assert_eq!(a.link_check(three).unwrap(), Some(check(LinkStatus::Ok)));
        a.set_link_check(one, &check(LinkStatus::Gone)).unwrap();
        assert!(a.broken_links().unwrap().is_empty(), "moved: not lost");
        let lone = rec(&a, "https://old/2.png");
        a.set_link_check(lone, &check(LinkStatus::Unreachable))
            .unwrap();
        assert_eq!(
            a.broken_links().unwrap(),
            [(
                lone,
                "https://old/2.png".to_string(),
                LinkStatus::Unreachable
            )]
        );
        a.delete(lone).unwrap();
        assert_eq!(
            a.link_check(lone).unwrap(),
            None,
            "a deleted record's check goes"
        );
    }

    #[test]
    fn a_checks_detail_keeps_its_words_and_an_older_albums_text_reads() {
        let a = Album::open_in_memory().unwrap();
        let id = rec(&a, "https://old/3.png");
        let status = 404;
        let check = LinkCheck {
            status: LinkStatus::Gone,
            detail: Some(msg!("HTTP {status}")),
            checked_at: 7,
        };
        a.set_link_check(id, &check).unwrap();
        let read = a.link_check(id).unwrap().unwrap();
        assert_eq!(read, check);
        assert_eq!(
            read.detail.unwrap().template.as_deref(),
            Some("HTTP {status}")
        );
        a.conn()
            .execute(
                "UPDATE link_checks SET detail = 'text/html, not an image' WHERE id = ?1",
                [id],
            )
            .unwrap();
        let old = a.link_check(id).unwrap().unwrap().detail.unwrap();
        assert_eq!(old, Msg::plain("text/html, not an image"));
    }
}
