//! A client of the office pages' API, as a signed-in browser talks to it: the session
//! cookie, and the header every changing request carries.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::DEMO_PASSWORD;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A signed-in office page: its cookie, and the header pages send.
pub struct Page {
    pub base: String,
    pub cookie: String,
    pub http: reqwest::Client,
}

/// An HTTP client that also trusts the certificate in `ANJU_OFFICE_CA` (a PEM file), for
/// an office serving HTTPS with its own certificate (`scripts/run`).
pub fn http_client() -> Result<reqwest::Client, BoxError> {
    let mut builder = reqwest::Client::builder();
    if let Some(path) = std::env::var_os("ANJU_OFFICE_CA") {
        let pem = std::fs::read(path)?;
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    Ok(builder.build()?)
}

impl Page {
    pub async fn sign_in(base: &str, name: &str) -> Result<Self, BoxError> {
        let http = http_client()?;
        let response = http
            .post(format!("{base}/api/office/login"))
            .header("X-Anju-Office", "1")
            .json(&json!({"name": name, "password": DEMO_PASSWORD}))
            .send()
            .await?;
        assert_eq!(response.status(), StatusCode::OK, "{name} signs in");
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .ok_or("a session cookie")?
            .to_string();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
        let cookie = set_cookie.split(';').next().unwrap_or_default().to_string();
        Ok(Self {
            base: base.to_string(),
            cookie,
            http,
        })
    }

    /// A request to `path` with the session cookie.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("Cookie", &self.cookie)
    }

    pub async fn get(&self, path: &str) -> Result<(StatusCode, Value), reqwest::Error> {
        status_and_json(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn bytes(&self, path: &str) -> Result<(StatusCode, Vec<u8>), reqwest::Error> {
        let response = self.request(reqwest::Method::GET, path).send().await?;
        Ok((response.status(), response.bytes().await?.to_vec()))
    }

    pub async fn post(
        &self,
        path: &str,
        body: Value,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        status_and_json(
            self.request(reqwest::Method::POST, path)
                .header("X-Anju-Office", "1")
                .json(&body),
        )
        .await
    }

    pub async fn upload(
        &self,
        path: &str,
        bytes: Vec<u8>,
        name: &str,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        status_and_json(
            self.request(reqwest::Method::POST, path)
                .header("X-Anju-Office", "1")
                .header("X-File-Name", name)
                .body(bytes),
        )
        .await
    }
}

/// Send `request`; its status and its JSON body (`null` when the body is not JSON).
pub async fn status_and_json(
    request: reqwest::RequestBuilder,
) -> Result<(StatusCode, Value), reqwest::Error> {
    let response = request.send().await?;
    let status = response.status();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}
