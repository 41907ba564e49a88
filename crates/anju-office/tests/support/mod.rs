//! An office serving its APIs on loopback, for the tests of `server.rs`, `openapi.rs` and
//! `read_api.rs`: sign-in, pull, push and blob helpers, a device's finding, the OpenAPI
//! document, and a check at the end that no
//! request got a 5xx and the database is whole.

// Each test file uses part of it.
#![allow(dead_code)]

use anju_core::model::{Finding, FindingState};
use anju_core::wire::{
    HEADER_BLOB_LENGTH, HEADER_BLOB_OFFSET, PullResponse, PushRecord, PushResponse, RecordBody,
};
use anju_office::assign::{Target, assign};
use anju_office::db::OfficeDb;
use anju_office::users::add_user;
use chrono::{NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

pub struct Office {
    pub url: String,
    pub dir: tempfile::TempDir,
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<()>>,
    pub http: reqwest::Client,
}

/// A finding a device records on a household (an open one, due 2017-09-30).
pub fn finding(household: Uuid, description: &str) -> PushRecord {
    let body = RecordBody::Finding(Finding {
        id: Uuid::now_v7(),
        household_id: household,
        submission_id: None,
        item: Some("move_in_road".into()),
        description: description.into(),
        deadline: NaiveDate::from_ymd_opt(2017, 9, 30).unwrap(),
        state: FindingState::Open,
    });
    PushRecord {
        content_sha256: body.content_sha256().unwrap(),
        body,
    }
}

impl Office {
    /// The OpenAPI document as the office serves it.
    pub async fn openapi(&self) -> Value {
        self.http
            .get(format!("{}/api/openapi.json", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn start() -> Self {
        let dir = anju_office::testing::data_dir();
        {
            let mut db = OfficeDb::create(dir.path()).unwrap();
            anju_office::demo::load(&mut db).unwrap();
            anju_office::demo::load_users(&mut db).unwrap();
            add_user(
                &db,
                "wang",
                anju_core::wire::Role::Inspector,
                Some(anju_core::model::Department::Housing),
                None,
                "anju-demo",
            )
            .unwrap();
            assign(&mut db, "wang", &Target::Township("马头镇".into())).unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let data = dir.path().to_path_buf();
        let task = tokio::spawn(async move {
            anju_office::app::serve(listener, data, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Self {
            url,
            dir,
            stop: Some(stop),
            task: Some(task),
            http: reqwest::Client::new(),
        }
    }

    pub fn db(&self) -> OfficeDb {
        OfficeDb::open(self.dir.path()).unwrap()
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.url)
    }

    pub async fn login(&self, user: &str) -> String {
        let response = self
            .http
            .post(self.at("/login"))
            .json(&json!({"user": user, "password": "anju-demo", "device_id": Uuid::now_v7()}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn pull(&self, token: &str, cursor: i64, limit: u32) -> PullResponse {
        let response = self
            .http
            .get(self.at(&format!("/pull?cursor={cursor}&limit={limit}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn push(&self, token: &str, records: &[PushRecord]) -> (StatusCode, PushResponse) {
        let response = self
            .http
            .post(self.at("/push"))
            .bearer_auth(token)
            .json(&json!({"device_id": Uuid::now_v7(), "device_time": Utc::now(), "records": records}))
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn put_blob(
        &self,
        token: &str,
        sha: &str,
        offset: u64,
        length: u64,
        bytes: &[u8],
    ) -> reqwest::Response {
        self.http
            .put(self.at(&format!("/blobs/{sha}")))
            .bearer_auth(token)
            .header(HEADER_BLOB_OFFSET, offset)
            .header(HEADER_BLOB_LENGTH, length)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap()
    }

    pub async fn metrics(&self, token: &str) -> Value {
        self.http
            .get(self.at("/metrics"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Stop the server and check that nothing got a 5xx.
    pub async fn finish(mut self, token: &str) {
        let metrics = self.metrics(token).await;
        assert_eq!(metrics["responses_5xx"], 0, "{metrics}");
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        let problems = self.db().integrity_problems().unwrap();
        assert!(problems.is_empty(), "{problems:?}");
    }
}
