//! Importing ShareX custom uploaders (.sxcu) and PicGo data folders, then using what came in.

use std::io::Write;
use std::time::Duration;

use pixdrop_core::import::{picgo, sxcu};
use pixdrop_core::{
    Engine, EngineOptions, Input, LinkFormat, ListQuery, Paths, Sort, UploadOptions,
};
use pixdrop_standin::{tiny_png, StandIn};
use serde_json::{json, Value};

const KEY: &str = "sharex-key-0123456789";

fn engine(dir: &tempfile::TempDir) -> Engine {
    Engine::open(Paths::in_dir(dir.path().join("data")))
        .unwrap()
        .with_options(EngineOptions {
            backoff: Duration::from_millis(20),
            ..Default::default()
        })
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

async fn upload(
    engine: &Engine,
    dir: &tempfile::TempDir,
    config: &str,
    name: &str,
    seed: u64,
) -> pixdrop_core::Result<pixdrop_core::Done> {
    let p = dir.path().join(name);
    std::fs::write(&p, tiny_png(seed)).unwrap();
    let opts = UploadOptions {
        host: Some(config.into()),
        ..Default::default()
    };
    engine
        .upload_all(vec![Input::Path(p)], opts)
        .await
        .pop()
        .unwrap()
        .result
}

#[tokio::test]
async fn sxcu_multipart_uploader_uploads_and_deletes() {
    let host = StandIn::start(KEY);
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir);
    let base = host.base_url();
    // As ShareX 13+ exports it (Destination settings → Custom uploaders → Export).
    let file = write(
        &dir,
        "nested.sxcu",
        &serde_json::to_string_pretty(&json!({
            "Version": "16.1.0",
            "Name": "My host",
            "DestinationType": "ImageUploader, FileUploader",
            "RequestMethod": "POST",
            "RequestURL": format!("{base}/custom/nested"),
            "Parameters": {"album": "shots"},
            "Headers": {"X-Api-Key": KEY},
            "Body": "MultipartFormData",
            "Arguments": {"title": "{filename}"},
            "FileFormName": "upload",
            "URL": "{json:data.links[0].url}",
            "ThumbnailURL": "{json:data.links[0].url}",
            "DeletionURL": "{json:data.delete_url}",
            "ErrorMessage": "{json:message}"
        }))
        .unwrap(),
    );
    let cfg = sxcu::import(engine.config(), &file, None, false).unwrap();
    assert_eq!(cfg.name, "My host");
    assert_eq!(cfg.kind, "custom");
    let done = upload(&engine, &dir, "My host", "shot.png", 1)
        .await
        .unwrap();
    assert_eq!(done.record.url, host.url_of("shot.png"));
    let req = host.custom_requests().pop().unwrap();
    assert_eq!(req.query.get("album").map(String::as_str), Some("shots"));
    assert_eq!(req.file_field.as_deref(), Some("upload"));
    assert_eq!(
        req.fields.get("title").map(String::as_str),
        Some("shot.png")
    );
    let r = engine.delete(&[done.record.id], true).await;
    assert!(r[0].1.is_ok(), "{:?}", r[0].1);
    assert!(host.stored()[0].deleted);

    // The same file again: the name is taken, nothing is added.
    let e = sxcu::import(engine.config(), &file, None, false).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(engine.config().load().unwrap().hosts.len(), 1);
    // Under another name it is fine.
    sxcu::import(engine.config(), &file, Some("second"), true).unwrap();
    assert_eq!(
        engine.config().load().unwrap().default_host.as_deref(),
        Some("second")
    );
}

#[tokio::test]
async fn sxcu_binary_body_and_regex_or_response_links() {
    let host = StandIn::start(KEY);
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir);
    let base = host.base_url();
    let file = write(
        &dir,
        "raw.sxcu",
        &json!({
            "Version": "15.0.0",
            "RequestMethod": "PUT",
            "RequestURL": format!("{base}/custom/text"),
            "Parameters": {"name": "{filename}"},
            "Headers": {"X-Api-Key": KEY},
            "Body": "Binary",
            "URL": "{regex:(https?://\\S+)|1}"
        })
        .to_string(),
    );
    // No Name: named by the request URL's domain, as ShareX does.
    let cfg = sxcu::import(engine.config(), &file, None, false).unwrap();
    assert_eq!(cfg.name, "127.0.0.1");
    let done = upload(&engine, &dir, "127.0.0.1", "raw.png", 2)
        .await
        .unwrap();
    assert_eq!(done.record.url, host.url_of("raw.png"));
    let req = host.custom_requests().pop().unwrap();
    assert_eq!(
        (req.method.as_str(), req.content_type.as_str()),
        ("PUT", "image/png")
    );

    let file = write(
        &dir,
        "text.sxcu",
        &json!({"Name": "plain", "RequestURL": format!("{base}/custom/text"), "Headers": {"X-Api-Key": KEY},
                "Body": "MultipartFormData", "FileFormName": "file"})
        .to_string(),
    );
    sxcu::import(engine.config(), &file, None, false).unwrap();
    let done = upload(&engine, &dir, "plain", "text.png", 3).await.unwrap();
    assert_eq!(done.record.url, host.url_of("text.png"));
}

#[test]
fn sxcu_files_that_need_more_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir);
    let ok = json!({"Name": "x", "RequestURL": "https://x.example/up", "Body": "MultipartFormData", "FileFormName": "f", "URL": "{json:url}"});
    let with = |k: &str, v: Value| {
        let mut o = ok.clone();
        o[k] = v;
        o.to_string()
    };
    let cases = [
        ("{\n  \"Name\": \"x\",\n  \"RequestURL\": \"https://x\"\n  \"Body\": \"Binary\"\n}".to_string(), "line 4 column 3"),
        (with("Body", json!("XML")), "Body XML is not supported"),
        (with("Body", json!("JSON")), "Body JSON is not supported"),
        (with("Body", json!("None")), "sends no file"),
        (with("URL", json!("{xml:/r/url}")), "{xml} is not supported"),
        (with("Arguments", json!({"t": "{inputbox:Title}"})), "{inputbox} is not supported"),
        (with("URL", json!("{json:url")), "without }"),
        (with("DestinationType", json!("TextUploader, URLShortener")), "is for TextUploader, URLShortener only"),
        (with("RequestMethod", json!("GET")), "RequestMethod GET cannot carry a file"),
        (with("FileFormName", json!("")), "FileFormName is empty"),
        (with("RequestURL", json!("ftp://x")), "is not an http(s) URL"),
        (with("OutputURL", json!("x")), "OutputURL is not supported"),
        (json!({"RequestType": "POST", "RequestURL": "https://x", "FileFormName": "f", "URL": "$json:url$"}).to_string(), "ShareX's old format"),
        // The pre-13 placeholder syntax in a file that is otherwise in the new format.
        (with("URL", json!("$json:data.url$")), "URL uses ShareX's pre-13 syntax ($json:data.url$)"),
        (with("DeletionURL", json!("https://x/del/$json:data.hash$")), "DeletionURL uses ShareX's pre-13 syntax"),
        (with("Headers", json!({"Authorization": "$prompt:Token$"})), "Headers.Authorization uses ShareX's pre-13 syntax"),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let file = write(&dir, &format!("bad{i}.sxcu"), text);
        let e = sxcu::import(engine.config(), &file, None, false).unwrap_err();
        assert!(e.to_string().contains(needle), "{text}: {e}");
        assert!(e.to_string().contains(&format!("bad{i}.sxcu")), "{e}");
    }
    assert!(engine.config().load().unwrap().hosts.is_empty());
    assert!(!engine.paths().config_file().exists());
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

/// A PicGo 2.3+ data folder: data.json with config lists, picgo.db with the gallery.
fn picgo_gui_folder(dir: &std::path::Path, standin: &str) {
    let data = json!({
        "picBed": {"uploader": "smms", "current": "smms", "smms": {"token": "tok-b", "_configName": "Work"},
                   "alistplist": {"url": "https://alist.example"}, "proxy": ""},
        "uploader": {
            "smms": {"configList": [
                {"token": "tok-a", "backupDomain": "smms.app", "_id": "id-a", "_configName": "Default", "_createdAt": 1, "_updatedAt": 1},
                {"token": "tok-b", "backupDomain": standin, "_id": "id-b", "_configName": "Work", "_createdAt": 2, "_updatedAt": 2}
            ], "defaultId": "id-b"},
            "web-uploader": {"configList": [
                {"url": "https://img.example.com/api/upload", "paramName": "image", "jsonPath": "data.url",
                 "customHeader": "{\"Authorization\":\"Bearer xyz\"}", "customBody": "{\"album\":\"1\"}",
                 "_id": "id-w", "_configName": "Default"}
            ], "defaultId": "id-w"},
            "alistplist": {"configList": [{"url": "https://alist.example", "token": "gh", "_id": "id-g", "_configName": "Default"}], "defaultId": "id-g"},
            "qiniu": {"configList": [{"accessKey": "a", "_id": "id-q", "_configName": "Broken?"}], "defaultId": "id-q"}
        },
        "settings": {"pasteStyle": "HTML", "customLink": "<img src=\"$url\"/>", "server": {"port": 36677, "host": "127.0.0.1", "enable": true},
                     "urlRewrite": {"rules": [
                         {"match": "^https://img\\.example\\.com/(.+)$", "replace": "https://cdn.example.com/$1"},
                         {"match": "HTTP://", "replace": "https://", "enable": false, "global": true, "ignoreCase": true},
                         {"match": "^https://(?=raw)", "replace": "https://cdn/"}
                     ]}},
        "picgoPlugins": {"picgo-plugin-web-uploader": true},
        "uploaded": [
            {"fileName": "old.png", "imgUrl": "https://i.example/old.png", "type": "smms", "width": 10, "height": 20},
            {"fileName": "both.png", "imgUrl": "https://i.example/both.png", "type": "smms", "id": "x1"}
        ]
    });
    std::fs::write(
        dir.join("data.json"),
        serde_json::to_string_pretty(&data).unwrap(),
    )
    .unwrap();
    let db = json!({
        "uploaded": [
            {"fileName": "both.png", "width": 1, "height": 1, "extname": ".png", "imgUrl": "https://i.example/both.png",
             "type": "smms", "hash": "h1", "id": "x1", "createdAt": 1_700_000_000_000i64, "updatedAt": 1_700_000_000_000i64},
            {"fileName": "gh.jpg", "width": 640, "height": 480, "extname": ".jpg", "imgUrl": "https://raw.example/me/img/gh.jpg",
             "type": "alistplist", "id": "x2", "createdAt": 1_700_000_100_000i64, "updatedAt": 1_700_000_100_000i64},
            {"fileName": "web.png", "width": 5, "height": 5, "extname": ".png", "imgUrl": "https://cdn.example.com/web.png",
             "originImgUrl": "https://img.example.com/web.png", "type": "web-uploader", "id": "x3", "createdAt": 1_700_000_200_000i64, "updatedAt": 1_700_000_200_000i64}
        ],
        "__uploaded_KEY__": {"x1": 1, "x2": 1, "x3": 1}
    });
    std::fs::write(dir.join("picgo.db"), gzip(&db.to_string())).unwrap();
}

#[tokio::test]
async fn picgo_folder_brings_configs_settings_and_album_once() {
    let host = StandIn::start("tok-b");
    let dir = tempfile::tempdir().unwrap();
    let picgo_dir = dir.path().join("picgo");
    std::fs::create_dir(&picgo_dir).unwrap();
    picgo_gui_folder(&picgo_dir, &host.base_url());
    let engine = engine(&dir);

    let r = picgo::import(engine.config(), engine.album(), &picgo_dir).unwrap();
    let added: Vec<(&str, &str)> = r
        .configs_added
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str()))
        .collect();
    assert_eq!(
        added,
        [
            ("Default", "smms"),
            ("Work", "smms"),
            ("Default (web-uploader)", "custom")
        ],
        "{r:?}"
    );
    assert_eq!(r.default_host.as_deref(), Some("Work"));
    assert_eq!(
        r.settings,
        [
            "link_format = html",
            "custom_link = <img src=\"$url\"/>",
            "url_rewrite += ^https://img\\.example\\.com/(.+)$ → https://cdn.example.com/$1",
            "url_rewrite += HTTP:// → https://"
        ]
    );
    // PicGo's rules in order, with their switches; one Pixdrop's expressions cannot take (a
    // look-ahead) is named with the reason instead of dropped without a word.
    let rules = engine.config().load().unwrap().settings.url_rewrite;
    assert_eq!(rules.len(), 2);
    assert!(rules[0].enabled && !rules[0].global && !rules[0].ignore_case);
    assert!(!rules[1].enabled && rules[1].global && rules[1].ignore_case);
    assert!(
        r.not_taken.iter().any(|n| n.contains("^https://(?=raw)")
            && n.contains("URL rewrite rule 3: its pattern is not a regular expression")),
        "{:?}",
        r.not_taken
    );
    assert_eq!(r.records_added, 4);
    let unknown: Vec<(&str, usize, usize)> = r
        .unknown_types
        .iter()
        .map(|u| (u.picgo_type.as_str(), u.configs, u.records))
        .collect();
    assert_eq!(unknown, [("alistplist", 1, 1)]);
    // A Qiniu config missing its secret is named, not half-imported.
    assert!(
        r.configs_skipped
            .iter()
            .any(|s| s.contains("qiniu “Broken?”") && s.contains("no secretKey")),
        "{:?}",
        r.configs_skipped
    );

    let config = engine.config().load().unwrap();
    assert_eq!(config.settings.link_format, LinkFormat::Html);
    let a = config.host("Default").unwrap();
    assert_eq!(a.settings["server"], "smms.app");
    let web = config.host("Default (web-uploader)").unwrap();
    assert_eq!(web.settings["field"], "image");
    assert_eq!(web.settings["json_path"], "data.url");
    assert_eq!(
        web.settings["headers"],
        json!({"Authorization": "Bearer xyz"})
    );
    assert_eq!(web.settings["body"], json!({"album": "1"}));

    let q = ListQuery {
        sort: Sort::Newest,
        ..Default::default()
    };
    let records = engine.album().list(&q).unwrap();
    let names: Vec<&str> = records.iter().map(|r| r.file_name.as_str()).collect();
    // A record without a time is placed just before now; the others keep PicGo's times.
    assert_eq!(names, ["old.png", "web.png", "gh.jpg", "both.png"]);
    let both = records.iter().find(|r| r.file_name == "both.png").unwrap();
    assert_eq!(
        (both.host_kind.as_str(), both.config_name.as_str()),
        ("smms", "Work")
    );
    assert_eq!(both.delete_handle.as_deref(), Some("h1"));
    assert_eq!(both.created_at, 1_700_000_000_000);
    let gh = records.iter().find(|r| r.file_name == "gh.jpg").unwrap();
    assert_eq!(
        (
            gh.host_kind.as_str(),
            gh.config_name.as_str(),
            gh.width,
            gh.height
        ),
        ("alistplist", "picgo-alistplist", Some(640), Some(480))
    );
    let web_rec = records.iter().find(|r| r.file_name == "web.png").unwrap();
    assert_eq!(
        (web_rec.host_kind.as_str(), web_rec.config_name.as_str()),
        ("custom", "Default (web-uploader)")
    );
    // The host's own link PicGo kept beside a rewritten one comes too.
    assert_eq!(web_rec.url, "https://cdn.example.com/web.png");
    assert_eq!(
        web_rec.origin_url.as_deref(),
        Some("https://img.example.com/web.png")
    );
    assert_eq!(both.origin_url, None);

    // Again: nothing new.
    let again = picgo::import(engine.config(), engine.album(), &picgo_dir).unwrap();
    assert!(again.configs_added.is_empty(), "{again:?}");
    assert_eq!(again.configs_present.len(), 3);
    assert_eq!((again.records_added, again.records_present), (0, 4));
    assert_eq!(engine.config().load().unwrap().hosts.len(), 3);
    assert_eq!(
        engine.config().load().unwrap().settings.url_rewrite.len(),
        2,
        "rules not added twice"
    );

    // The imported default works: its backupDomain is the stand-in.
    let done = upload(&engine, &dir, "Work", "after.png", 9).await.unwrap();
    assert_eq!(done.record.url, host.url_of("after.png"));
}

#[test]
fn picgo_core_config_with_comments_and_single_entries() {
    let dir = tempfile::tempdir().unwrap();
    let core = dir.path().join(".picgo");
    std::fs::create_dir(&core).unwrap();
    std::fs::write(
        core.join("config.json"),
        "{\n  // written by hand\n  \"picBed\": {\n    \"current\": \"smms\",\n    \"smms\": {\"token\": \"tok\"},\n    \"web-uploader\": {\"url\": \"https://up.example/api\", \"paramName\": \"file\", \"jsonPath\": \"\", \"customHeader\": \"not json\"}\n  },\n  \"picgoPlugins\": {}\n}\n",
    )
    .unwrap();
    let engine = engine(&dir);
    let r = picgo::import(engine.config(), engine.album(), &core).unwrap();
    assert_eq!(r.configs_added.len(), 1, "{r:?}");
    assert_eq!(r.configs_added[0].kind, "smms");
    assert_eq!(r.default_host.as_deref(), Some("Default"));
    assert_eq!(r.configs_skipped.len(), 1);
    assert!(
        r.configs_skipped[0].contains("customHeader is not valid JSON"),
        "{r:?}"
    );
    assert_eq!(r.records_added, 0);

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let e = picgo::import(engine.config(), engine.album(), &empty).unwrap_err();
    assert!(e.to_string().contains("holds no PicGo data"), "{e}");
    std::fs::write(empty.join("picgo.db"), b"{not gzip").unwrap();
    let e = picgo::import(engine.config(), engine.album(), &empty).unwrap_err();
    assert!(
        e.to_string()
            .contains("not a gzip-compressed PicGo gallery"),
        "{e}"
    );
}

/// PicGo's and PicList's object-storage, WebDAV, SFTP and local configs come over as the storage
/// kinds, paths translated; what has no place in Pixdrop is named, never dropped silently.
#[tokio::test]
async fn picgo_storage_configs_become_storage_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let picgo_dir = dir.path().join("picgo");
    std::fs::create_dir(&picgo_dir).unwrap();
    let list = |v: Value| json!({"configList": [v], "defaultId": v["_id"]});
    let data = json!({
        "picBed": {"uploader": "aws-s3", "current": "aws-s3"},
        "uploader": {
            "aliyun": list(json!({"_id": "1", "_configName": "oss", "accessKeyId": "AKID", "accessKeySecret": "SEC",
                "bucket": "pics", "area": "oss-cn-beijing", "path": "img/", "customUrl": "", "options": "?x-oss-process=style/w"})),
            "tcyun": {"configList": [
                {"_id": "2", "_configName": "cos", "secretId": "SID", "secretKey": "SK", "bucket": "pics-1250000000",
                 "appId": "1250000000", "area": "ap-shanghai", "path": "/blog/", "customUrl": "https://cdn.example.com", "version": "v5"},
                {"_id": "3", "_configName": "cos-old", "secretId": "SID", "secretKey": "SK", "bucket": "pics", "area": "sh", "version": "v4"}
            ], "defaultId": "2"},
            "qiniu": list(json!({"_id": "4", "_configName": "kodo", "accessKey": "QAK", "secretKey": "QSK", "bucket": "b",
                "url": "https://q.example.com", "area": "z2", "options": "", "path": ""})),
            "aws-s3": list(json!({"_id": "5", "_configName": "b2", "accessKeyID": "K", "secretAccessKey": "S",
                "bucketName": "bk", "uploadPath": "{year}/{month}/{md5}.{extName}", "endpoint": "s3.us-west-000.backblazeb2.com",
                "urlPrefix": "https://img.example.com/", "acl": "public-read"})),
            "aws-s3-plist": {"configList": [
                {"_id": "6", "_configName": "minio", "accessKeyID": "K", "secretAccessKey": "S", "bucketName": "bk",
                 "uploadPath": "/{fullName}", "endpoint": "http://127.0.0.1:9000", "urlPrefix": "http://127.0.0.1:9000",
                 "pathStyleAccess": true, "region": "us-east-1"},
                {"_id": "7", "_configName": "sha1", "accessKeyID": "K", "secretAccessKey": "S", "bucketName": "bk",
                 "uploadPath": "{sha1}.{extName}"}
            ], "defaultId": "6"},
            "webdavplist": list(json!({"_id": "8", "_configName": "nextcloud", "host": "https://cloud.example.com/",
                "sslEnabled": true, "username": "me", "password": "pw", "path": "/remote.php/dav/files/me/img",
                "webpath": "img", "customUrl": "https://i.example.com", "authType": "digest"})),
            "sftpplist": list(json!({"_id": "9", "_configName": "vps", "host": "vps.example.com", "port": 2222,
                "username": "me", "privateKey": "/home/me/.ssh/id_ed25519", "uploadPath": "/var/www/img/",
                "customUrl": "https://img.example.com", "webPath": "img", "fileMode": "0640", "dirMode": "0755"})),
            "local": list(json!({"_id": "10", "_configName": "folder", "path": "/srv/img", "customUrl": "https://l.example.com",
                "webPath": "pics"})),
        }
    });
    std::fs::write(picgo_dir.join("data.json"), data.to_string()).unwrap();
    let engine = engine(&dir);
    let r = picgo::import(engine.config(), engine.album(), &picgo_dir).unwrap();
    let added: Vec<_> = r
        .configs_added
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str()))
        .collect();
    for want in [
        ("oss", "s3"),
        ("cos", "s3"),
        ("kodo", "s3"),
        ("b2", "s3"),
        ("minio", "s3"),
        ("nextcloud", "webdav"),
        ("vps", "sftp"),
        ("folder", "local"),
    ] {
        assert!(added.contains(&want), "{want:?} not in {added:?}");
    }
    // What cannot be translated is named, config by config.
    let skipped = r.configs_skipped.join("\n");
    assert!(
        skipped.contains("cos-old") && skipped.contains("v4"),
        "{skipped}"
    );
    assert!(skipped.contains("{sha1}"), "{skipped}");
    let not_taken = r.not_taken.join("\n");
    assert!(
        not_taken.contains("oss: options \"?x-oss-process=style/w\""),
        "{not_taken}"
    );
    assert!(
        not_taken.contains("nextcloud: authType \"digest\""),
        "{not_taken}"
    );
    assert!(not_taken.contains("vps: dirMode"), "{not_taken}");
    assert!(r.unknown_types.is_empty(), "{:?}", r.unknown_types);
    assert_eq!(r.default_host.as_deref(), Some("b2"));

    let config = engine.config().load().unwrap();
    let get = |name: &str| {
        config
            .hosts
            .iter()
            .find(|h| h.name == name)
            .unwrap()
            .settings
            .clone()
    };
    let oss = get("oss");
    assert_eq!(oss["endpoint"], "https://oss-cn-beijing.aliyuncs.com");
    assert_eq!(oss["region"], "cn-beijing");
    assert_eq!(oss["upload_path"], "img/{filename}.{ext}");
    let cos = get("cos");
    assert_eq!(cos["endpoint"], "https://cos.ap-shanghai.myqcloud.com");
    assert_eq!(cos["upload_path"], "blog/{filename}.{ext}");
    assert_eq!(cos["url_prefix"], "https://cdn.example.com");
    let kodo = get("kodo");
    assert_eq!(kodo["endpoint"], "https://s3.cn-south-1.qiniucs.com");
    assert_eq!(kodo["url_prefix"], "https://q.example.com");
    let b2 = get("b2");
    assert_eq!(b2["upload_path"], "{Y}/{m}/{md5}.{ext}");
    assert_eq!(b2["acl"], "public-read");
    let minio = get("minio");
    assert_eq!(minio["path_style"], true);
    assert_eq!(minio["upload_path"], "{filename}.{ext}");
    // PicList adds the bucket to a path-style prefix.
    assert_eq!(minio["url_prefix"], "http://127.0.0.1:9000/bk");
    let nc = get("nextcloud");
    assert_eq!(
        nc["url"],
        "https://cloud.example.com/remote.php/dav/files/me/img"
    );
    assert_eq!(nc["url_prefix"], "https://i.example.com/img");
    let vps = get("vps");
    assert_eq!(vps["port"], 2222);
    assert_eq!(vps["path"], "/var/www/img");
    assert_eq!(vps["url_prefix"], "https://img.example.com/img");
    assert_eq!(vps["file_mode"], "0640");
    assert_eq!(vps["private_key"], "/home/me/.ssh/id_ed25519");
    let folder = get("folder");
    assert_eq!(folder["url_prefix"], "https://l.example.com/pics");
    // Every imported config builds.
    for h in &config.hosts {
        pixdrop_core::hosts::build(h).unwrap();
    }
    // Importing again adds nothing.
    let again = picgo::import(engine.config(), engine.album(), &picgo_dir).unwrap();
    assert!(again.configs_added.is_empty(), "{:?}", again.configs_added);
}
