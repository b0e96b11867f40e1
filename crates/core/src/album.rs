//! The album: every upload, in SQLite (WAL, versioned migrations). A finished upload is
//! committed here before its link is shown anywhere.

use crate::msg;
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Each entry moves the schema one version up; the index + 1 is the `user_version` it leaves.
const MIGRATIONS: &[&str] = &[
    // 1: uploads, with the indexes that listing, filtering and dedupe use.
    "CREATE TABLE uploads (
        id            INTEGER PRIMARY KEY,
        host_kind     TEXT    NOT NULL,
        config_name   TEXT    NOT NULL,
        file_name     TEXT    NOT NULL,
        stored_name   TEXT    NOT NULL,
        url           TEXT    NOT NULL,
        delete_handle TEXT,
        size          INTEGER NOT NULL DEFAULT 0,
        width         INTEGER,
        height        INTEGER,
        sha256        TEXT,
        created_at    INTEGER NOT NULL
    );
    CREATE INDEX uploads_created ON uploads (created_at, id);
    CREATE INDEX uploads_config  ON uploads (config_name, created_at, id);
    CREATE INDEX uploads_dedupe  ON uploads (config_name, sha256) WHERE sha256 IS NOT NULL;
    CREATE INDEX uploads_url     ON uploads (url);",
    // 2: a trigram full-text index of file names and URLs, so substring search does not scan
    //    every row. External content: the text is stored once, in `uploads`.
    "CREATE VIRTUAL TABLE uploads_fts USING fts5(
        file_name, url, content = 'uploads', content_rowid = 'id', tokenize = 'trigram'
    );
    INSERT INTO uploads_fts (uploads_fts) VALUES ('rebuild');
    CREATE TRIGGER uploads_fts_insert AFTER INSERT ON uploads BEGIN
        INSERT INTO uploads_fts (rowid, file_name, url) VALUES (new.id, new.file_name, new.url);
    END;
    CREATE TRIGGER uploads_fts_delete AFTER DELETE ON uploads BEGIN
        INSERT INTO uploads_fts (uploads_fts, rowid, file_name, url) VALUES ('delete', old.id, old.file_name, old.url);
    END;
    CREATE TRIGGER uploads_fts_update AFTER UPDATE OF file_name, url ON uploads BEGIN
        INSERT INTO uploads_fts (uploads_fts, rowid, file_name, url) VALUES ('delete', old.id, old.file_name, old.url);
        INSERT INTO uploads_fts (rowid, file_name, url) VALUES (new.id, new.file_name, new.url);
    END;",
    // 3: ids are never given out twice (AUTOINCREMENT), so an id a user or script saw earlier can
    //    never name another image. The table is rebuilt with every record keeping its id; the
    //    full-text index is keyed by id, so it stays as it is. The sequence starts at the highest
    //    id there is (an id freed before this migration, above the highest, cannot be told).
    "CREATE TABLE uploads_v3 (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        host_kind     TEXT    NOT NULL,
        config_name   TEXT    NOT NULL,
        file_name     TEXT    NOT NULL,
        stored_name   TEXT    NOT NULL,
        url           TEXT    NOT NULL,
        delete_handle TEXT,
        size          INTEGER NOT NULL DEFAULT 0,
        width         INTEGER,
        height        INTEGER,
        sha256        TEXT,
        created_at    INTEGER NOT NULL
    );
    INSERT INTO uploads_v3 (id, host_kind, config_name, file_name, stored_name, url, delete_handle,
                            size, width, height, sha256, created_at)
        SELECT id, host_kind, config_name, file_name, stored_name, url, delete_handle,
               size, width, height, sha256, created_at FROM uploads;
    DROP TABLE uploads;
    ALTER TABLE uploads_v3 RENAME TO uploads;
    CREATE INDEX uploads_created ON uploads (created_at, id);
    CREATE INDEX uploads_config  ON uploads (config_name, created_at, id);
    CREATE INDEX uploads_dedupe  ON uploads (config_name, sha256) WHERE sha256 IS NOT NULL;
    CREATE INDEX uploads_url     ON uploads (url);
    CREATE TRIGGER uploads_fts_insert AFTER INSERT ON uploads BEGIN
        INSERT INTO uploads_fts (rowid, file_name, url) VALUES (new.id, new.file_name, new.url);
    END;
    CREATE TRIGGER uploads_fts_delete AFTER DELETE ON uploads BEGIN
        INSERT INTO uploads_fts (uploads_fts, rowid, file_name, url) VALUES ('delete', old.id, old.file_name, old.url);
    END;
    CREATE TRIGGER uploads_fts_update AFTER UPDATE OF file_name, url ON uploads BEGIN
        INSERT INTO uploads_fts (uploads_fts, rowid, file_name, url) VALUES ('delete', old.id, old.file_name, old.url);
        INSERT INTO uploads_fts (rowid, file_name, url) VALUES (new.id, new.file_name, new.url);
    END;",
    // 4: the records of one upload sent to several hosts (a config and its mirrors) share a
    // group.
    "ALTER TABLE uploads ADD COLUMN mirror_group TEXT;
    CREATE INDEX uploads_mirror_group ON uploads (mirror_group) WHERE mirror_group IS NOT NULL;",
    // 5: links (crate::links): a record moved to another host names its new record
    //    (`moved_to`, and the new one `moved_from`); the last check of each record's link.
    "ALTER TABLE uploads ADD COLUMN moved_to INTEGER;
    ALTER TABLE uploads ADD COLUMN moved_from INTEGER;
    CREATE INDEX uploads_moved_to ON uploads (moved_to) WHERE moved_to IS NOT NULL;
    CREATE TABLE link_checks (
        id         INTEGER PRIMARY KEY,
        status     TEXT    NOT NULL,
        detail     TEXT,
        checked_at INTEGER NOT NULL
    );
    CREATE TRIGGER uploads_link_checks_delete AFTER DELETE ON uploads BEGIN
        DELETE FROM link_checks WHERE id = old.id;
    END;",
    // 6: the SHA-256 of the bytes sent (`sha256` is the dedupe key, which differs when the
    //    prepare stage changed the file), so a moved image can be checked against what the
    //    host was given.
    // And when a moved record's old copy was deleted on its host (the record stays, so notes
    // can still be rewritten from its link).
    "ALTER TABLE uploads ADD COLUMN sent_sha256 TEXT;
    ALTER TABLE uploads ADD COLUMN host_deleted_at INTEGER;
    CREATE INDEX uploads_sent_sha256 ON uploads (sent_sha256) WHERE sent_sha256 IS NOT NULL;",
    // 7: sync (crate::sync). Every record gets a global id, the same on every machine (local
    //    ids are not). While sync is on (`sync_meta` has `journal`), what changes here is noted
    //    in `sync_journal` in the same commit, except what a sync itself applies (it marks its
    //    transaction in `sync_applying`). `sync_items` keeps each synced item's last stamp (and
    //    tombstones); `sync_outbox` the stamped changes not sent yet; `sync_parked` the latest
    //    change of each item this version does not apply (configs, settings), kept for the one
    //    that will.
    "ALTER TABLE uploads ADD COLUMN gid TEXT;
    UPDATE uploads SET gid = lower(hex(randomblob(16)));
    CREATE UNIQUE INDEX uploads_gid ON uploads (gid);
    CREATE TABLE sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sync_applying (one INTEGER);
    CREATE TABLE sync_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        gid TEXT    NOT NULL,
        at  INTEGER NOT NULL
    );
    CREATE TABLE sync_items (
        item    TEXT PRIMARY KEY,
        stamp   TEXT    NOT NULL,
        removed INTEGER NOT NULL,
        digest  TEXT
    );
    CREATE TABLE sync_outbox (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        change TEXT NOT NULL
    );
    CREATE TABLE sync_parked (
        item   TEXT PRIMARY KEY,
        change TEXT NOT NULL
    );
    CREATE TRIGGER uploads_sync_insert AFTER INSERT ON uploads
        WHEN new.gid IS NOT NULL AND EXISTS (SELECT 1 FROM sync_meta WHERE key = 'journal')
             AND NOT EXISTS (SELECT 1 FROM sync_applying) BEGIN
        INSERT INTO sync_journal (gid, at)
            VALUES (new.gid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
    END;
    CREATE TRIGGER uploads_sync_update AFTER UPDATE OF config_name, file_name, stored_name, url,
        delete_handle, mirror_group, host_deleted_at ON uploads
        WHEN new.gid IS NOT NULL AND EXISTS (SELECT 1 FROM sync_meta WHERE key = 'journal')
             AND NOT EXISTS (SELECT 1 FROM sync_applying) BEGIN
        INSERT INTO sync_journal (gid, at)
            VALUES (new.gid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
    END;
    CREATE TRIGGER uploads_sync_delete AFTER DELETE ON uploads
        WHEN old.gid IS NOT NULL AND EXISTS (SELECT 1 FROM sync_meta WHERE key = 'journal')
             AND NOT EXISTS (SELECT 1 FROM sync_applying) BEGIN
        INSERT INTO sync_journal (gid, at)
            VALUES (old.gid, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
    END;",
    // 8: the host's own link, when a URL rewrite rule (crate::url_rules) changed the one
    //    recorded and copied. Set when the record is made, never updated (the sync's insert
    //    trigger notes it with the record).
    "ALTER TABLE uploads ADD COLUMN origin_url TEXT;
    CREATE INDEX uploads_origin_url ON uploads (origin_url) WHERE origin_url IS NOT NULL;",
];

/// One uploaded image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub id: i64,
    pub host_kind: String,
    pub config_name: String,
    /// The name the file had on the user's disk (or the name given to a pasted image).
    pub file_name: String,
    /// The name it was uploaded as (after renaming) or the host's stored name.
    pub stored_name: String,
    pub url: String,
    /// What deleting on the host needs: a hash (SM.MS) or a URL.
    pub delete_handle: Option<String>,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// SHA-256 of the uploaded bytes, hex; absent for records imported from a host's history.
    pub sha256: Option<String>,
    /// Unix time in milliseconds.
    pub created_at: i64,
    /// Shared by the records of one upload to several hosts (a config and its mirrors).
    pub mirror_group: Option<String>,
    /// The host's own link, when a URL rewrite rule changed `url`.
    #[serde(default)]
    pub origin_url: Option<String>,
}

/// A record before it has an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecord {
    pub host_kind: String,
    pub config_name: String,
    pub file_name: String,
    pub stored_name: String,
    pub url: String,
    pub delete_handle: Option<String>,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: Option<String>,
    pub created_at: i64,
    /// SHA-256 of the bytes sent, when they are known (uploads made here; not imports).
    #[serde(default)]
    pub sent_sha256: Option<String>,
    /// The host's own link, when a URL rewrite rule changed `url`.
    #[serde(default)]
    pub origin_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Name,
}

impl Sort {
    fn order_by(self) -> &'static str {
        match self {
            Sort::Newest => "created_at DESC, id DESC",
            Sort::Oldest => "created_at ASC, id ASC",
            Sort::Name => "file_name COLLATE NOCASE ASC, id DESC",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Case-insensitive text to find in the file name or URL.
    pub search: Option<String>,
    /// Only this host config.
    pub config: Option<String>,
    pub sort: Sort,
    pub limit: u32,
    pub offset: u32,
    /// Only records whose link's last check found it broken (gone, changed or unreachable).
    pub broken: bool,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            search: None,
            config: None,
            broken: false,
            sort: Sort::Newest,
            limit: 50,
            offset: 0,
        }
    }
}

pub(crate) const COLUMNS: &str =
    "id, host_kind, config_name, file_name, stored_name, url, delete_handle, size, width, height, sha256, created_at, mirror_group, origin_url";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        id: r.get(0)?,
        host_kind: r.get(1)?,
        config_name: r.get(2)?,
        file_name: r.get(3)?,
        stored_name: r.get(4)?,
        url: r.get(5)?,
        delete_handle: r.get(6)?,
        size: r.get::<_, i64>(7)? as u64,
        width: r.get(8)?,
        height: r.get(9)?,
        sha256: r.get(10)?,
        created_at: r.get(11)?,
        mirror_group: r.get(12)?,
        origin_url: r.get(13)?,
    })
}

/// Escape `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Above this many index matches a search text counts as common (see `Album::filter`).
const FTS_PROBE: i64 = 2000;

/// Quote text as one FTS5 phrase, so its punctuation is matched literally.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

pub struct Album {
    conn: Mutex<Connection>,
}

impl Album {
    /// Open (creating if needed) the album at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(msg!("creating {}", dir.display()), e))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| Error::Storage(msg!("cannot open the album {}: {e}", path.display())))?;
        // WAL: readers (the app) never block the writer (the CLI). NORMAL sync in WAL mode keeps
        // every committed upload across a crash of the process.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Closing leaves the write-ahead log for the next one to append to. By default the last
        // connection to close copies the log into the database and deletes it: two more fsyncs
        // and a file removal on every `pixdrop upload`'s way out, after its link is printed.
        // SQLite still copies the log back as it grows (every 1000 pages) and any reader reads
        // both files, so nothing is lost; a copy of the album is `album.db` with `album.db-wal`
        // (README, Where data lives).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        Self::setup(conn)
    }

    /// An album that lives in memory (tests).
    pub fn open_in_memory() -> Result<Self> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // `fold(text)`: Unicode lower case, so search finds `ü` in `Über.png` (SQLite's LIKE
        // folds ASCII only).
        conn.create_scalar_function(
            "fold",
            1,
            rusqlite::functions::FunctionFlags::SQLITE_UTF8
                | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| Ok(ctx.get::<String>(0)?.to_lowercase()),
        )?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut conn)?;
        Ok(Album {
            conn: Mutex::new(conn),
        })
    }

    pub(crate) fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written: transactions roll back.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Fold the write-ahead log into the album and empty it when it has grown past `above`
    /// bytes; true when it did. The log is left behind on close (see `open`), and the next
    /// process to open the album reads all of it again (up to SQLite's 1000 pages, about 4 MB,
    /// before it folds it itself): `pixdrop upload` calls this after its links are out, before
    /// it waits for the thumbnails, so the next one starts on a short log. A reader elsewhere
    /// (the app) that is still on an older snapshot after 200 ms leaves the log in place (what
    /// could be copied in is; false is returned); meanwhile others' writes wait, as for any
    /// writer, and read-then-write changes (`link_mirrors`, moving a record) take the write
    /// lock first so they wait too instead of failing.
    pub fn fold_log(&self, above: u64) -> Result<bool> {
        let conn = self.conn();
        let Some(db) = conn.path().filter(|p| !p.is_empty()) else {
            return Ok(false);
        };
        let log = std::fs::metadata(format!("{db}-wal")).map_or(0, |m| m.len());
        if log <= above {
            return Ok(false);
        }
        conn.busy_timeout(std::time::Duration::from_millis(200))?;
        // A checkpoint kept from finishing says so in its first column (busy = 1).
        let folded = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        });
        let _ = conn.busy_timeout(std::time::Duration::from_secs(10));
        Ok(folded? == 0)
    }

    pub fn schema_version(&self) -> Result<u32> {
        Ok(self
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Commit a new record and return its id.
    pub fn insert(&self, r: &NewRecord) -> Result<i64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO uploads (host_kind, config_name, file_name, stored_name, url, delete_handle,
                                  size, width, height, sha256, created_at, sent_sha256, origin_url, gid)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, lower(hex(randomblob(16))))",
            params![
                r.host_kind,
                r.config_name,
                r.file_name,
                r.stored_name,
                r.url,
                r.delete_handle,
                r.size as i64,
                r.width,
                r.height,
                r.sha256,
                r.created_at,
                r.sent_sha256,
                r.origin_url
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Insert many records in one transaction (imports, benchmarks). Returns how many.
    pub fn insert_many(&self, records: &[NewRecord]) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare(
                "INSERT INTO uploads (host_kind, config_name, file_name, stored_name, url, delete_handle,
                                      size, width, height, sha256, created_at, sent_sha256, origin_url, gid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, lower(hex(randomblob(16))))",
            )?;
            for r in records {
                st.execute(params![
                    r.host_kind,
                    r.config_name,
                    r.file_name,
                    r.stored_name,
                    r.url,
                    r.delete_handle,
                    r.size as i64,
                    r.width,
                    r.height,
                    r.sha256,
                    r.created_at,
                    r.sent_sha256,
                    r.origin_url
                ])?;
            }
        }
        tx.commit()?;
        Ok(records.len())
    }

    pub fn get(&self, id: i64) -> Result<Option<Record>> {
        let conn = self.conn();
        let mut st =
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM uploads WHERE id = ?1"))?;
        Ok(st.query_row([id], from_row).optional()?)
    }

    /// The newest record of the same bytes uploaded with the same config.
    pub fn find_duplicate(&self, config_name: &str, sha256: &str) -> Result<Option<Record>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM uploads WHERE config_name = ?1 AND sha256 = ?2 ORDER BY id DESC LIMIT 1"
        ))?;
        Ok(st.query_row([config_name, sha256], from_row).optional()?)
    }

    /// Whether this config already has a record of `url` (history import).
    pub fn has_url(&self, config_name: &str, url: &str) -> Result<bool> {
        let conn = self.conn();
        let mut st = conn
            .prepare_cached("SELECT 1 FROM uploads WHERE (url = ?1 OR origin_url = ?1) AND config_name = ?2 LIMIT 1")?;
        Ok(st.exists([url, config_name])?)
    }

    /// Whether any record has `url` (imports from other uploaders).
    pub fn has_url_anywhere(&self, url: &str) -> Result<bool> {
        let conn = self.conn();
        // A host's history lists its own links: a rewritten record holds it as origin_url.
        let mut st =
            conn.prepare_cached("SELECT 1 FROM uploads WHERE url = ?1 OR origin_url = ?1 LIMIT 1")?;
        Ok(st.exists([url])?)
    }

    /// The newest record whose link is `url` (the server's `/delete` by `imgUrl`).
    pub fn find_by_url(&self, url: &str) -> Result<Option<i64>> {
        let conn = self.conn();
        let mut st =
            conn.prepare_cached("SELECT id FROM uploads WHERE url = ?1 ORDER BY id DESC LIMIT 1")?;
        Ok(st.query_row([url], |r| r.get(0)).optional()?)
    }

    /// The WHERE clause for a query and its arguments (numbered `?1`, `?2`, … in order).
    ///
    /// Search uses the trigram index when the text is at least three characters and matches
    /// fewer than [`FTS_PROBE`] records. A more common text is found faster by walking the
    /// records newest first and stopping at a page (the index would have to list every match).
    fn filter(conn: &Connection, q: &ListQuery) -> Result<(String, Vec<String>)> {
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        if let Some(c) = q.config.as_deref().filter(|c| !c.is_empty()) {
            args.push(c.to_string());
            clauses.push(format!("config_name = ?{}", args.len()));
        }
        if q.broken {
            clauses.push("id IN (SELECT id FROM link_checks WHERE status != 'ok')".to_string());
        }
        if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let phrase = fts_phrase(s);
            let rare = s.chars().count() >= 3
                && {
                    let mut probe = conn.prepare_cached(
                    "SELECT count(*) FROM (SELECT 1 FROM uploads_fts WHERE uploads_fts MATCH ?1 LIMIT ?2)",
                )?;
                    probe.query_row(params![phrase, FTS_PROBE], |r| r.get::<_, i64>(0))? < FTS_PROBE
                };
            if rare {
                args.push(phrase);
                clauses.push(format!(
                    "id IN (SELECT rowid FROM uploads_fts WHERE uploads_fts MATCH ?{})",
                    args.len()
                ));
            } else {
                args.push(like_pattern(&s.to_lowercase()));
                let n = args.len();
                clauses.push(format!(
                    "(fold(file_name) LIKE ?{n} ESCAPE '\\' OR fold(url) LIKE ?{n} ESCAPE '\\')"
                ));
            }
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        Ok((sql, args))
    }

    /// A page of records (at most 10,000; `limit` 0: all), newest first unless asked otherwise.
    pub fn list(&self, q: &ListQuery) -> Result<Vec<Record>> {
        let conn = self.conn();
        let (filter, mut args) = Self::filter(&conn, q)?;
        let order = q.sort.order_by();
        let n = args.len();
        let sql = format!(
            "SELECT {COLUMNS} FROM uploads{filter} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
            n + 1,
            n + 2
        );
        // `limit` 0 lists all (the CLI's `--limit 0`).
        args.push(match q.limit {
            0 => "-1".to_string(),
            n => n.min(10_000).to_string(),
        });
        args.push(q.offset.to_string());
        let mut st = conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args.iter()), from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The ids of records `offset..offset + limit` of a query, in its order, without the
    /// 10,000-row cap of [`Album::list`] (`limit` 0 means all): "select all" and Shift-click
    /// ranges in the album, without sending whole records.
    pub fn ids(&self, q: &ListQuery) -> Result<Vec<i64>> {
        let conn = self.conn();
        let (filter, mut args) = Self::filter(&conn, q)?;
        let n = args.len();
        let sql = format!(
            "SELECT id FROM uploads{filter} ORDER BY {} LIMIT ?{} OFFSET ?{}",
            q.sort.order_by(),
            n + 1,
            n + 2
        );
        args.push(if q.limit == 0 {
            "-1".into()
        } else {
            q.limit.to_string()
        });
        args.push(q.offset.to_string());
        let mut st = conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many records match (for paging).
    pub fn count(&self, q: &ListQuery) -> Result<u64> {
        let conn = self.conn();
        let (filter, args) = Self::filter(&conn, q)?;
        let mut st = conn.prepare_cached(&format!("SELECT COUNT(*) FROM uploads{filter}"))?;
        Ok(st.query_row(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))? as u64)
    }

    /// The names of the configs that have records, with their counts.
    pub fn configs(&self) -> Result<Vec<(String, u64)>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT config_name, COUNT(*) FROM uploads GROUP BY config_name ORDER BY config_name",
        )?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Give every record of config `from` the name `to` (a renamed config), in one transaction.
    /// Returns how many records changed.
    pub fn rename_config(&self, from: &str, to: &str) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE uploads SET config_name = ?2 WHERE config_name = ?1",
            [from, to],
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// Put records in one mirror group: the group one of them is in already, else a new one.
    /// Returns the group.
    pub fn link_mirrors(&self, ids: &[i64]) -> Result<String> {
        let mut conn = self.conn();
        // Read, then written: the write lock first, so another writer makes this wait (busy
        // timeout) instead of failing at the first write (a deferred reader cannot upgrade).
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut existing = None;
        for id in ids {
            let g: Option<String> = tx
                .query_row(
                    "SELECT mirror_group FROM uploads WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            if g.is_some() {
                existing = g;
                break;
            }
        }
        let group = existing.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        for id in ids {
            tx.execute(
                "UPDATE uploads SET mirror_group = ?1 WHERE id = ?2",
                params![group, id],
            )?;
        }
        tx.commit()?;
        Ok(group)
    }

    /// The other records of the upload record `id` belongs to (the same image on the other
    /// hosts it was sent to), oldest first.
    pub fn mirrors_of(&self, id: i64) -> Result<Vec<Record>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM uploads
             WHERE mirror_group = (SELECT mirror_group FROM uploads WHERE id = ?1) AND id != ?1
             ORDER BY id"
        ))?;
        let rows = st.query_map([id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Remove a record. Returns whether it existed.
    pub fn delete(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .execute("DELETE FROM uploads WHERE id = ?1", [id])?
            > 0)
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let current: usize =
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(Error::Storage(msg!(
            "the album was written by a newer Pixdrop (schema {current}, this one knows {}); update Pixdrop",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn rec(name: &str, config: &str, t: i64) -> NewRecord {
        NewRecord {
            host_kind: "smms".into(),
            config_name: config.into(),
            file_name: name.into(),
            stored_name: name.into(),
            url: format!("https://i.example/{name}"),
            delete_handle: Some(format!("h-{name}")),
            size: 10,
            width: Some(1),
            height: Some(2),
            sha256: Some(format!("sha-{name}")),
            created_at: t,
            sent_sha256: None,
            origin_url: None,
        }
    }

    #[test]
    fn insert_get_delete() {
        let a = Album::open_in_memory().unwrap();
        let id = a.insert(&rec("a.png", "c1", 1)).unwrap();
        let r = a.get(id).unwrap().unwrap();
        assert_eq!(r.file_name, "a.png");
        assert_eq!(r.delete_handle.as_deref(), Some("h-a.png"));
        assert!(a.delete(id).unwrap());
        assert!(!a.delete(id).unwrap());
        assert!(a.get(id).unwrap().is_none());
    }

    #[test]
    fn listing_sorts_filters_searches_and_pages() {
        let a = Album::open_in_memory().unwrap();
        a.insert(&rec("Beach.png", "c1", 10)).unwrap();
        a.insert(&rec("cat_1.jpg", "c2", 30)).unwrap();
        a.insert(&rec("apple.gif", "c1", 20)).unwrap();
        a.insert(&rec("100%.png", "c1", 5)).unwrap();
        let names = |q: ListQuery| {
            a.list(&q)
                .unwrap()
                .into_iter()
                .map(|r| r.file_name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(ListQuery::default()),
            ["cat_1.jpg", "apple.gif", "Beach.png", "100%.png"]
        );
        assert_eq!(
            names(ListQuery {
                sort: Sort::Oldest,
                ..Default::default()
            })[0],
            "100%.png"
        );
        assert_eq!(
            names(ListQuery {
                sort: Sort::Name,
                ..Default::default()
            }),
            ["100%.png", "apple.gif", "Beach.png", "cat_1.jpg"]
        );
        assert_eq!(
            names(ListQuery {
                search: Some("BEACH".into()),
                ..Default::default()
            }),
            ["Beach.png"]
        );
        assert_eq!(
            names(ListQuery {
                search: Some("i.example/apple".into()),
                ..Default::default()
            }),
            ["apple.gif"]
        );
        // LIKE wildcards are literal text.
        assert_eq!(
            names(ListQuery {
                search: Some("%".into()),
                ..Default::default()
            }),
            ["100%.png"]
        );
        assert_eq!(
            names(ListQuery {
                search: Some("t_1".into()),
                ..Default::default()
            }),
            ["cat_1.jpg"]
        );
        assert_eq!(
            names(ListQuery {
                config: Some("c2".into()),
                ..Default::default()
            }),
            ["cat_1.jpg"]
        );
        let q = ListQuery {
            config: Some("c1".into()),
            search: Some("png".into()),
            ..Default::default()
        };
        assert_eq!(names(q.clone()), ["Beach.png", "100%.png"]);
        assert_eq!(a.count(&q).unwrap(), 2);
        assert_eq!(
            names(ListQuery {
                limit: 2,
                offset: 1,
                ..Default::default()
            }),
            ["apple.gif", "Beach.png"]
        );
        assert_eq!(
            a.configs().unwrap(),
            vec![("c1".to_string(), 3), ("c2".to_string(), 1)]
        );
    }

    #[test]
    fn ids_follow_the_query_without_a_cap() {
        let a = Album::open_in_memory().unwrap();
        let many: Vec<NewRecord> = (0..10_050)
            .map(|i| {
                rec(
                    &format!("f{i:05}.png"),
                    if i % 2 == 0 { "even" } else { "odd" },
                    i,
                )
            })
            .collect();
        a.insert_many(&many).unwrap();
        let all = a
            .ids(&ListQuery {
                limit: 0,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(all.len(), 10_050, "no 10,000 cap");
        let newest = a
            .list(&ListQuery {
                limit: 3,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            all[..3],
            newest.iter().map(|r| r.id).collect::<Vec<_>>()[..]
        );
        let q = ListQuery {
            config: Some("odd".into()),
            sort: Sort::Oldest,
            offset: 1,
            limit: 2,
            ..Default::default()
        };
        let names: Vec<String> = a
            .ids(&q)
            .unwrap()
            .into_iter()
            .map(|id| a.get(id).unwrap().unwrap().file_name)
            .collect();
        assert_eq!(names, ["f00003.png", "f00005.png"]);
    }

    #[test]
    fn index_follows_inserts_deletes_and_odd_text() {
        let a = Album::open_in_memory().unwrap();
        let id = a.insert(&rec("say \"cheese\".png", "c1", 1)).unwrap();
        a.insert(&rec("截图 2026.png", "c1", 2)).unwrap();
        a.insert(&rec("a-b OR c*.png", "c1", 3)).unwrap();
        let find = |s: &str| {
            a.list(&ListQuery {
                search: Some(s.into()),
                ..Default::default()
            })
            .unwrap()
            .len()
        };
        assert_eq!(find("\"cheese\""), 1);
        assert_eq!(find("截图 2"), 1);
        assert_eq!(find("截图"), 1, "two characters: the LIKE path");
        assert_eq!(find("b OR c*"), 1);
        assert_eq!(find("CHEESE"), 1);
        assert_eq!(find("NEAR("), 0);
        a.insert(&rec("Über Straße.png", "c1", 4)).unwrap();
        assert_eq!(find("über"), 1, "Unicode case, index path");
        assert_eq!(find("üb"), 1, "Unicode case, LIKE path");
        assert_eq!(find("ÜBER STRASSE"), 0, "folding is not transliteration");
        assert_eq!(find("STRAßE"), 1);
        a.delete(id).unwrap();
        assert_eq!(find("cheese"), 0);
        assert_eq!(
            a.count(&ListQuery {
                search: Some(".png".into()),
                ..Default::default()
            })
            .unwrap(),
            3
        );
    }

    #[test]
    fn common_and_rare_texts_give_the_same_answers() {
        let a = Album::open_in_memory().unwrap();
        let many: Vec<NewRecord> = (0..(FTS_PROBE + 100))
            .map(|i| rec(&format!("shot-{i:05}.png"), "c1", i))
            .collect();
        a.insert_many(&many).unwrap();
        a.insert(&rec("rare-one.png", "c1", 1)).unwrap();
        // "shot" matches more than the probe allows: the newest-first walk answers.
        let q = ListQuery {
            search: Some("SHOT".into()),
            limit: 3,
            ..Default::default()
        };
        let names: Vec<_> = a
            .list(&q)
            .unwrap()
            .into_iter()
            .map(|r| r.file_name)
            .collect();
        assert_eq!(
            names,
            ["shot-02099.png", "shot-02098.png", "shot-02097.png"]
        );
        assert_eq!(a.count(&q).unwrap(), FTS_PROBE as u64 + 100);
        let q = ListQuery {
            search: Some("rare".into()),
            ..Default::default()
        };
        assert_eq!(a.list(&q).unwrap()[0].file_name, "rare-one.png");
        assert_eq!(a.count(&q).unwrap(), 1);
    }

    #[test]
    fn duplicates_are_per_config() {
        let a = Album::open_in_memory().unwrap();
        a.insert(&rec("a.png", "c1", 1)).unwrap();
        assert!(a.find_duplicate("c1", "sha-a.png").unwrap().is_some());
        assert!(a.find_duplicate("c2", "sha-a.png").unwrap().is_none());
        assert!(a.has_url("c1", "https://i.example/a.png").unwrap());
        assert!(!a.has_url("c2", "https://i.example/a.png").unwrap());
    }

    #[test]
    fn a_rewritten_record_is_known_by_the_hosts_own_link_too() {
        let a = Album::open_in_memory().unwrap();
        let mut r = rec("b.png", "c1", 1);
        r.origin_url = Some(std::mem::replace(
            &mut r.url,
            "https://cdn.example/b.png".into(),
        ));
        a.insert(&r).unwrap();
        // A host's history lists its own link: the import must not add the upload again.
        assert!(a.has_url_anywhere("https://i.example/b.png").unwrap());
        assert!(a.has_url("c1", "https://i.example/b.png").unwrap());
        assert!(a.has_url_anywhere("https://cdn.example/b.png").unwrap());
        assert!(!a.has_url_anywhere("https://i.example/other.png").unwrap());
    }

    #[test]
    fn file_album_is_wal_migrated_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("album.db");
        {
            let a = Album::open(&p).unwrap();
            a.insert(&rec("a.png", "c1", 1)).unwrap();
            assert_eq!(a.schema_version().unwrap() as usize, MIGRATIONS.len());
        }
        let a = Album::open(&p).unwrap();
        let mode: String = a
            .conn()
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(a.count(&ListQuery::default()).unwrap(), 1);
        assert_eq!(a.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn closing_leaves_the_log_for_the_next_one_to_append_to() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("album.db");
        let wal = dir.path().join("album.db-wal");
        {
            let a = Album::open(&p).unwrap();
            a.insert(&rec("a.png", "c1", 1)).unwrap();
        }
        // Without the setting, the close would have copied the log in and removed it.
        assert!(std::fs::metadata(&wal)
            .map(|m| m.len() > 0)
            .unwrap_or(false));
        // A plain SQLite reader (a backup tool, `sqlite3`) sees the record through the log.
        let plain = rusqlite::Connection::open(&p).unwrap();
        let n: i64 = plain
            .query_row("SELECT count(*) FROM uploads", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        drop(plain);
        let a = Album::open(&p).unwrap();
        a.insert(&rec("b.png", "c1", 2)).unwrap();
        assert_eq!(a.count(&ListQuery::default()).unwrap(), 2);
    }

    #[test]
    fn a_long_log_is_folded_in_and_emptied_a_short_one_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("album.db");
        let wal = dir.path().join("album.db-wal");
        let len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        let a = Album::open(&p).unwrap();
        for i in 0..40 {
            a.insert(&rec(&format!("{i}.png"), "c1", i)).unwrap();
        }
        let grown = len();
        assert!(grown > 0);
        assert!(!a.fold_log(grown).unwrap(), "not past the limit: left");
        assert_eq!(len(), grown);
        // A reader elsewhere (the app) with its snapshot open keeps the fold from finishing.
        let reader = rusqlite::Connection::open(&p).unwrap();
        reader
            .execute_batch("BEGIN; SELECT count(*) FROM uploads;")
            .unwrap();
        let asked = std::time::Instant::now();
        assert!(
            !a.fold_log(0).unwrap(),
            "a reader in the way: the log stays"
        );
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(5),
            "waited {:?} for the reader (the album's own busy timeout is 10 s)",
            asked.elapsed()
        );
        reader.execute_batch("COMMIT").unwrap();
        assert!(a.fold_log(0).unwrap());
        assert_eq!(len(), 0, "emptied");
        drop(a);
        let again = Album::open(&p).unwrap();
        assert_eq!(again.count(&ListQuery::default()).unwrap(), 40);
        assert_eq!(again.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn ids_are_never_given_out_twice() {
        let a = Album::open_in_memory().unwrap();
        let first = a.insert(&rec("a.png", "c1", 1)).unwrap();
        let newest = a.insert(&rec("b.png", "c1", 2)).unwrap();
        assert!(a.delete(newest).unwrap());
        let next = a.insert(&rec("c.png", "c1", 3)).unwrap();
        assert!(next > newest, "id {next} after deleting {newest}");
        assert!(a.delete(next).unwrap());
        a.insert_many(&[rec("d.png", "c1", 4)]).unwrap();
        let ids = a
            .ids(&ListQuery {
                limit: 0,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(ids.len(), 2);
        assert!(ids.iter().all(|&id| id == first || id > next), "{ids:?}");
    }

    #[test]
    fn an_album_of_schema_2_keeps_its_ids_and_index() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("album.db");
        {
            // An album as Pixdrop wrote it before ids were AUTOINCREMENT.
            let mut conn = Connection::open(&p).unwrap();
            for (i, sql) in MIGRATIONS[..2].iter().enumerate() {
                conn.execute_batch(sql).unwrap();
                conn.pragma_update(None, "user_version", (i + 1) as i64)
                    .unwrap();
            }
            let tx = conn.transaction().unwrap();
            for (id, name) in [(3, "three.png"), (7, "seven.png"), (9, "nine.png")] {
                tx.execute(
                    "INSERT INTO uploads (id, host_kind, config_name, file_name, stored_name, url, created_at)
                     VALUES (?1, 'smms', 'c1', ?2, ?2, 'https://i.example/' || ?2, ?1)",
                    params![id, name],
                )
                .unwrap();
            }
            tx.commit().unwrap();
            conn.execute("DELETE FROM uploads WHERE id = 7", [])
                .unwrap();
        }
        let a = Album::open(&p).unwrap();
        assert_eq!(a.schema_version().unwrap() as usize, MIGRATIONS.len());
        assert_eq!(a.get(3).unwrap().unwrap().file_name, "three.png");
        assert_eq!(a.get(9).unwrap().unwrap().file_name, "nine.png");
        let found = |text: &str| {
            a.list(&ListQuery {
                search: Some(text.into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
        };
        assert_eq!(found("nine"), [9]);
        assert_eq!(found("seven"), Vec::<i64>::new());
        assert!(a.delete(9).unwrap());
        let new = a.insert(&rec("ten.png", "c1", 10)).unwrap();
        assert_eq!(new, 10, "9 was the highest id and is not given out again");
        assert_eq!(found("ten.png"), [10]);
        assert_eq!(found("nine"), Vec::<i64>::new());
        assert_eq!(a.integrity_check().unwrap(), "ok");
    }

    #[test]
    fn newer_album_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("album.db");
        Connection::open(&p)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Album::open(&p).err().unwrap().to_string();
        assert!(err.contains("newer Pixdrop"), "{err}");
    }
}
