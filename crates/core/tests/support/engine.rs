//! An engine in a folder of its own, and what the host tests do with it: add and change configs,
//! upload bytes as a file, count records, delete on the host.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use pixdrop_core::config::HostConfig;
use pixdrop_core::{Engine, EngineOptions, Error, Input, ListQuery, Paths, UploadOptions};
use serde_json::Value;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
}

pub fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(Paths::in_dir(dir.path().join("data")))
        .unwrap()
        .with_options(EngineOptions {
            backoff: Duration::from_millis(20),
            ..Default::default()
        });
    Env { dir, engine }
}

impl Env {
    pub fn add(&self, name: &str, kind: &str, settings: Value) -> Result<(), Error> {
        let Value::Object(m) = settings else { panic!() };
        let settings: BTreeMap<String, Value> = m.into_iter().collect();
        self.engine.config().update(|c| {
            c.add_host(
                HostConfig {
                    name: name.into(),
                    kind: kind.into(),
                    settings,
                },
                false,
            )
        })
    }

    pub fn set(&self, name: &str, key: &str, value: Value) {
        self.engine
            .config()
            .update(|c| {
                let h = c.hosts.iter_mut().find(|h| h.name == name).unwrap();
                h.settings.insert(key.into(), value);
                Ok(())
            })
            .unwrap();
    }

    pub fn host(&self, name: &str) -> HostConfig {
        let c = self.engine.config().load().unwrap();
        c.hosts.into_iter().find(|h| h.name == name).unwrap()
    }

    pub async fn upload_bytes(
        &self,
        config: &str,
        name: &str,
        bytes: &[u8],
    ) -> Result<pixdrop_core::Done, Error> {
        let sub = self
            .dir
            .path()
            .join(format!("in-{}", rand::random::<u32>()));
        std::fs::create_dir_all(&sub).unwrap();
        let p = sub.join(name);
        std::fs::write(&p, bytes).unwrap();
        let opts = UploadOptions {
            host: Some(config.into()),
            ..Default::default()
        };
        self.engine
            .upload_all(vec![Input::Path(p)], opts)
            .await
            .pop()
            .unwrap()
            .result
    }

    pub fn records(&self) -> usize {
        self.engine.album().count(&ListQuery::default()).unwrap() as usize
    }

    pub async fn delete_remote(&self, id: i64) -> Result<(), Error> {
        self.engine.delete(&[id], true).await.remove(0).1
    }
}
