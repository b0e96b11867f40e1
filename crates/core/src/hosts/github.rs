//! A GitHub repository (kind `github`), or any host with GitHub's contents API (GitHub
//! Enterprise, Gitea, Forgejo).
//!
//! `PUT {api_url}/repos/{repo}/contents/{path}` with the file in base64 and a commit message
//! naming Pixdrop. A file already at that path (HTTP 422) with the same bytes (its git blob SHA
//! is ours) is a success with its link; with other bytes, a clear error. The delete handle is
//! `{blob sha} {path}`: GitHub deletes only the version we uploaded (a file changed since then is
//! refused by GitHub, 409, and said so). Rate limits are read from `x-ratelimit-*`.

use crate::{msg, Msg};
use async_trait::async_trait;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

use super::http::{Http, HttpAnswer};
use super::{
    body_excerpt, storage, Deletes, FieldKind, FieldSpec, Host, Kind, Payload, Progress, Uploaded,
};
use crate::error::{Error, Result};
use crate::host_config::HostConfig;

pub const DEFAULT_API: &str = "https://api.github.com";

pub const KIND: Kind = Kind {
    kind: "github",
    label: "GitHub repository",
    fields: &[
        FieldSpec::new("repo", "Repository", FieldKind::Text, "The repository as owner/name, e.g. me/images.").required("me/images"),
        FieldSpec::new("branch", "Branch", FieldKind::Text, "The branch files are committed to.").default("main"),
        FieldSpec::new("token", "Token", FieldKind::Secret, "A personal access token that may write the repository's contents (fine-grained: Contents read and write; classic: repo or public_repo).").required("ghp_example"),
        FieldSpec::new("path", "Folder", FieldKind::Text, "The folder in the repository, with placeholders such as img/{Y}/{m}. Empty: the top folder.").example("img/{Y}"),
        FieldSpec::new("custom_url", "Custom URL", FieldKind::Url, "A prefix for links instead of GitHub's raw address, e.g. https://cdn.jsdelivr.net/gh/me/images@main.").example("https://cdn.jsdelivr.net/gh/me/images@main"),
        FieldSpec::new("api_url", "API URL", FieldKind::Url, "The API's address: GitHub's, a GitHub Enterprise server's (https://host/api/v3), or a Gitea/Forgejo server's (https://host/api/v1).").default(DEFAULT_API),
    ],
    build: |cfg| Ok(Box::new(GitHub::from_config(cfg)?)),
};

#[derive(Debug, Deserialize)]
struct Settings {
    repo: String,
    branch: String,
    token: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    custom_url: String,
    api_url: String,
}

#[derive(Debug)]
pub struct GitHub {
    repo: String,
    branch: String,
    token: String,
    /// The upload path template: the folder, then the file's name.
    template: String,
    custom_url: String,
    api: String,
    /// Uploads and deletes are commits to one branch: they take turns.
    commits: tokio::sync::Mutex<()>,
}

/// Git's name for a file's content: SHA-1 of `blob {len}\0` and the bytes.
pub fn blob_sha(bytes: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex::encode(h.finalize())
}

impl GitHub {
    pub fn from_config(cfg: &HostConfig) -> Result<Self> {
        let s: Settings = super::settings_of(cfg)?;
        let repo = s.repo.trim().trim_matches('/').to_string();
        let parts: Vec<&str> = repo.split('/').collect();
        if parts.len() != 2
            || parts
                .iter()
                .any(|p| p.is_empty() || p.contains(char::is_whitespace))
        {
            return Err(Error::Input(msg!(
                "Repository (repo) must be owner/name, e.g. me/images, not {:?}",
                s.repo
            )));
        }
        let template = storage::folder_template(&s.path);
        crate::rename::check_path_template(&template)?;
        Ok(GitHub {
            repo,
            branch: s.branch,
            token: s.token,
            template,
            custom_url: s.custom_url,
            api: s.api_url.trim_end_matches('/').to_string(),
            commits: tokio::sync::Mutex::new(()),
        })
    }

    fn contents_url(&self, path: &str) -> String {
        format!(
            "{}/repos/{}/contents/{}",
            self.api,
            self.repo,
            storage::encode_key(path)
        )
    }

    fn request(&self, http: &Http, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        http.client
            .request(method, url)
            .header("authorization", format!("token {}", self.token))
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
    }

    /// The link of `path`: under the custom URL when there is one, else the raw address the API
    /// gave (GitHub's form when it gave none).
    fn link(&self, path: &str, download_url: Option<&str>) -> String {
        if !self.custom_url.is_empty() {
            return storage::link(&self.custom_url, path);
        }
        match download_url {
            Some(u) => u.to_string(),
            None => format!(
                "https://raw.githubusercontent.com/{}/{}/{}",
                self.repo,
                self.branch,
                storage::encode_key(path)
            ),
        }
    }

    fn failure(&self, answer: &HttpAnswer, what: &Msg) -> Error {
        let message = serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| body_excerpt(&answer.body, 200));
        let used_up = answer.header_num("x-ratelimit-remaining") == Some(0);
        let secondary = message.to_ascii_lowercase().contains("rate limit");
        if answer.status == 429 || (answer.status == 403 && (used_up || secondary)) {
            let reset = answer
                .header_num("x-ratelimit-reset")
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
            let wait = answer
                .retry_after
                .or_else(|| reset.and_then(|r| (r - chrono::Utc::now()).to_std().ok()));
            let short = wait.filter(|d| d.as_secs() <= 60);
            return Error::RateLimited {
                message: match wait {
                    Some(d) if used_up => msg!(
                        "GitHub's API limit for this token is used up; it resets in {} min",
                        d.as_secs().div_ceil(60).max(1)
                    ),
                    Some(d) => msg!("GitHub asks to slow down for {} s: {message}", d.as_secs()),
                    None => msg!("GitHub asks to slow down: {message}"),
                },
                retry_after: short,
                retry: short.is_some(),
            };
        }
        match answer.status {
            401 => Error::token(format!("{message} (HTTP 401)")),
            403 => Error::Auth(msg!(
                "the token may not write to {}: {message} (HTTP 403)",
                self.repo
            )),
            404 => Error::Config(msg!(
                "{} (or its branch {}) does not exist, or the token cannot see it (HTTP 404)",
                self.repo,
                self.branch
            )),
            413 => Error::TooLarge(msg!(
                "{} refused the file as too large: {message}",
                self.api
            )),
            s if answer.is_html() || s >= 500 => answer.failure(what),
            s => Error::Refused(msg!("GitHub refused {what}: {message} (HTTP {s})")),
        }
    }

    /// The file at `path` on the branch: its blob SHA and raw address, when there is one.
    async fn existing(&self, http: &Http, path: &str) -> Result<Option<(String, Option<String>)>> {
        let req = self
            .request(http, reqwest::Method::GET, &self.contents_url(path))
            .query(&[("ref", self.branch.as_str())]);
        let answer = http.send(req).await?;
        if answer.status == 404 {
            return Ok(None);
        }
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("looking up the file")));
        }
        let v = answer.json()?;
        Ok(v.get("sha").and_then(Value::as_str).map(|sha| {
            (
                sha.to_string(),
                v.get("download_url")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        }))
    }

    /// What an upload of `path` with git blob `sha` gives.
    fn uploaded(
        &self,
        path: String,
        sha: &str,
        download: Option<&str>,
        repeated: bool,
    ) -> Uploaded {
        Uploaded {
            url: self.link(&path, download),
            delete_handle: Some(handle(sha, &self.repo, &self.branch, &path)),
            stored_name: Some(path),
            repeated,
            ..Default::default()
        }
    }
}

/// How often a commit that lost a race with another commit to the branch (HTTP 409) is tried
/// again.
const COMMIT_TRIES: u32 = 4;

#[async_trait]
impl Host for GitHub {
    fn kind(&self) -> &'static str {
        "github"
    }

    fn max_size(&self) -> Option<u64> {
        // The contents API takes files up to 100 MB; GitHub warns above 50 MB.
        Some(50 * 1024 * 1024)
    }

    async fn upload(
        &self,
        http: &Http,
        file: &Payload,
        progress: Option<Progress>,
    ) -> Result<Uploaded> {
        let path = storage::key_for(&self.template, file)?;
        let name = path.rsplit('/').next().unwrap_or(&path);
        let body = json!({
            "message": format!("Upload {name} with Pixdrop"),
            "content": base64::engine::general_purpose::STANDARD.encode(&file.bytes),
            "branch": self.branch,
        });
        let ours = blob_sha(&file.bytes);
        // Each upload is a commit on the branch: one at a time, or GitHub refuses all but one.
        let _turn = self.commits.lock().await;
        let mut tries = 0;
        let answer = loop {
            tries += 1;
            let req = self
                .request(http, reqwest::Method::PUT, &self.contents_url(&path))
                .json(&body);
            let answer = http.send(req).await?;
            // 409: another commit moved the branch meanwhile (another program's upload).
            if answer.status == 409 && tries < COMMIT_TRIES {
                tokio::time::sleep(std::time::Duration::from_millis(250 * u64::from(tries))).await;
                continue;
            }
            break answer;
        };
        if let Some(p) = &progress {
            let total = file.bytes.len() as u64;
            p(total, total);
        }
        if answer.ok() {
            let v = answer.json()?;
            let content = v.get("content").cloned().unwrap_or(Value::Null);
            let sha = content.get("sha").and_then(Value::as_str).unwrap_or(&ours);
            let download = content.get("download_url").and_then(Value::as_str);
            return Ok(self.uploaded(path.clone(), sha, download, false));
        }
        // 422: a file is there already (the API wants its sha to replace it). Ours, or not?
        if answer.status == 422 {
            if let Some((sha, download)) = self.existing(http, &path).await? {
                if sha == ours {
                    return Ok(self.uploaded(path, &sha, download.as_deref(), true));
                }
                return Err(Error::Refused(msg!(
                    "{path} already exists in {} with other content; nothing was replaced (rename the file, or put {{md5}} or {{timestamp}} in the folder)",
                    self.repo
                )));
            }
        }
        Err(self.failure(&answer, &msg!("the upload")))
    }

    async fn check(&self, http: &Http) -> Result<Msg> {
        let url = format!("{}/repos/{}", self.api, self.repo);
        let answer = http
            .send(self.request(http, reqwest::Method::GET, &url))
            .await?;
        if !answer.ok() {
            return Err(self.failure(&answer, &msg!("reading the repository")));
        }
        let v = answer.json()?;
        if v.pointer("/permissions/push").and_then(Value::as_bool) == Some(false) {
            return Err(Error::Auth(msg!(
                "the token can read {} but may not write to it",
                self.repo
            )));
        }
        Ok(match answer.header_num("x-ratelimit-remaining") {
            Some(n) => msg!(
                "the token can write to {} ({n} API requests left this hour)",
                self.repo
            ),
            None => msg!("the token can write to {}", self.repo),
        })
    }

    fn deleter(&self) -> Option<&dyn Deletes> {
        Some(self)
    }
}

#[async_trait]
impl Deletes for GitHub {
    async fn delete(&self, http: &Http, handle: &str) -> Result<()> {
        let (sha, _, _, path) = parse_handle(handle).ok_or_else(|| {
            Error::Unsupported(msg!(
                "this record keeps no file SHA and path ({handle:?}), so it can only be removed from the album"
            ))
        })?;
        let name = path.rsplit('/').next().unwrap_or(path);
        let body = json!({
            "message": format!("Delete {name} with Pixdrop"),
            "sha": sha,
            "branch": self.branch,
        });
        let _turn = self.commits.lock().await;
        let req = self
            .request(http, reqwest::Method::DELETE, &self.contents_url(path))
            .json(&body);
        let answer = http.send(req).await?;
        match answer.status {
            s if (200..300).contains(&s) => Ok(()),
            // Gone already (deleted on GitHub): what was asked is done.
            404 if self.existing(http, path).await?.is_none() => Ok(()),
            409 | 422 => Err(Error::Refused(msg!(
                "{path} in {} is no longer the file Pixdrop uploaded (it changed since); nothing was deleted",
                self.repo
            ))),
            _ => Err(self.failure(&answer, &msg!("deleting {path}"))),
        }
    }

    /// The handle names a file in this config's repository and branch.
    fn names(&self, handle: &str) -> bool {
        parse_handle(handle).is_some_and(|(_, repo, branch, _)| {
            repo.eq_ignore_ascii_case(&self.repo) && branch == self.branch
        })
    }
}

/// A delete handle: the file's blob SHA, repository, branch and path (the SHA, the repository
/// and the branch hold no spaces; the path may).
fn handle(sha: &str, repo: &str, branch: &str, path: &str) -> String {
    format!("{sha} {repo} {branch} {path}")
}

fn parse_handle(handle: &str) -> Option<(&str, &str, &str, &str)> {
    let mut parts = handle.trim().splitn(4, ' ');
    let (sha, repo, branch, path) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()) && !path.is_empty())
        .then_some((sha, repo, branch, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_sha_is_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_sha(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }
}
