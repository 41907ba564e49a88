//! Just enough of the W3C WebDriver protocol to drive the real field app through
//! tauri-driver and WebKitWebDriver: sessions, elements, clicks, keys, pointer actions,
//! scripts and screenshots.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The key W3C uses for element references.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn trace_retry(error: &reqwest::Error) {
    if std::env::var_os("ANJU_WD_TRACE").is_some() {
        eprintln!("webdriver: new session not yet: {error}");
    }
}

pub struct WebDriver {
    client: reqwest::Client,
    base: String,
    session: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(pub String);

impl Element {
    fn json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

async fn answer(response: reqwest::Response, what: &str) -> Result<Value, BoxError> {
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() {
        return Err(format!("WebDriver {what}: {status}: {}", body["value"]).into());
    }
    Ok(body["value"].clone())
}

impl WebDriver {
    /// Start a session of the app at `application` through the driver at `base`.
    pub async fn start(base: &str, application: &str) -> Result<Self, BoxError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        let caps = json!({
            "capabilities": {
                "alwaysMatch": { "tauri:options": { "application": application } }
            }
        });
        let start = Instant::now();
        let response = loop {
            match client
                .post(format!("{base}/session"))
                .json(&caps)
                .send()
                .await
            {
                Ok(response) => break response,
                Err(error) if start.elapsed() < Duration::from_secs(30) => {
                    trace_retry(&error);
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(error) => return Err(error.into()),
            }
        };
        let value = answer(response, "new session").await?;
        if std::env::var_os("ANJU_WD_TRACE").is_some() {
            eprintln!("webdriver session: {value}");
        }
        let session = value["sessionId"]
            .as_str()
            .ok_or("no session id in the answer")?
            .to_string();
        Ok(Self {
            client,
            base: base.to_string(),
            session,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, BoxError> {
        if std::env::var_os("ANJU_WD_TRACE").is_some() {
            eprintln!("webdriver POST {path}");
        }
        let response = self.client.post(self.url(path)).json(&body).send().await?;
        answer(response, path).await
    }

    async fn get(&self, path: &str) -> Result<Value, BoxError> {
        let response = self.client.get(self.url(path)).send().await?;
        answer(response, path).await
    }

    pub async fn quit(&self) -> Result<(), BoxError> {
        let response = self.client.delete(self.url("")).send().await?;
        answer(response, "delete session").await.map(|_| ())
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, BoxError> {
        let value = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await?;
        Ok(value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_string()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The first element matching `css`, waiting up to `timeout` for it to appear.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element, BoxError> {
        let start = Instant::now();
        loop {
            if let Some(element) = self.find_all(css).await?.into_iter().next() {
                return Ok(element);
            }
            if start.elapsed() > timeout {
                return Err(format!("no element {css} after {timeout:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Wait until `script` (a function body) returns something truthy; returns it.
    pub async fn wait_until(
        &self,
        what: &str,
        script: &str,
        args: Vec<Value>,
        timeout: Duration,
    ) -> Result<Value, BoxError> {
        let start = Instant::now();
        loop {
            let value = self.execute(script, args.clone()).await?;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return Ok(value);
            }
            if start.elapsed() > timeout {
                return Err(format!("{what}: not so after {timeout:?} (last: {value})").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Wait until the app shows the screen `route` (`document.body.dataset.route`).
    pub async fn wait_route(&self, route: &str, timeout: Duration) -> Result<(), BoxError> {
        self.wait_until(
            &format!("screen {route}"),
            "return document.body.dataset.route === arguments[0];",
            vec![json!(route)],
            timeout,
        )
        .await
        .map(|_| ())
    }

    pub async fn click(&self, element: &Element) -> Result<(), BoxError> {
        self.post(&format!("/element/{}/click", element.0), json!({}))
            .await
            .map(|_| ())
    }

    /// Click the element matching `css`. A toast or an opening popup may lie over it for a
    /// moment, or a sheet still sliding up may carry it out of reach, as for a person's
    /// finger: then try again shortly.
    pub async fn click_css(&self, css: &str, timeout: Duration) -> Result<(), BoxError> {
        let element = self.wait_for(css, timeout).await?;
        let start = Instant::now();
        loop {
            self.scroll_into_view(&element).await?;
            match self.click(&element).await {
                Err(error)
                    if (error.to_string().contains("intercepted")
                        || error.to_string().contains("not interactable"))
                        && start.elapsed() < Duration::from_secs(5) =>
                {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                other => return other,
            }
        }
    }

    pub async fn scroll_into_view(&self, element: &Element) -> Result<(), BoxError> {
        self.execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![element.json()],
        )
        .await
        .map(|_| ())
    }

    pub async fn send_keys(&self, element: &Element, text: &str) -> Result<(), BoxError> {
        self.post(
            &format!("/element/{}/value", element.0),
            json!({ "text": text }),
        )
        .await
        .map(|_| ())
    }

    /// Replace the text of the input matching `css` by typing `text` into it.
    pub async fn type_into(
        &self,
        css: &str,
        text: &str,
        timeout: Duration,
    ) -> Result<(), BoxError> {
        let element = self.wait_for(css, timeout).await?;
        self.scroll_into_view(&element).await?;
        // WebDriver's clear fires only `change`; a Vue v-model listens to `input`.
        self.execute(
            "const e = arguments[0]; e.focus(); e.value = '';
             e.dispatchEvent(new Event('input', {bubbles: true})); return 1;",
            vec![element.json()],
        )
        .await?;
        self.send_keys(&element, text).await
    }

    pub async fn text(&self, element: &Element) -> Result<String, BoxError> {
        Ok(self
            .get(&format!("/element/{}/text", element.0))
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value, BoxError> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// Run an async script: its last argument is the callback to call with the result.
    pub async fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value, BoxError> {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    /// Call one of the app's commands through its IPC, as the front end does.
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Value, BoxError> {
        let value = self
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
                   .then(v => done({ok: v}), e => done({err: e}));",
                vec![json!(command), args],
            )
            .await?;
        if let Some(error) = value.get("err") {
            return Err(format!("{command}: {error}").into());
        }
        Ok(value["ok"].clone())
    }

    /// A pointer drag through `points` (element-relative CSS pixels) on `element`.
    pub async fn drag(&self, element: &Element, points: &[(i64, i64)]) -> Result<(), BoxError> {
        let mut actions = Vec::new();
        for (index, (x, y)) in points.iter().enumerate() {
            actions.push(json!({
                "type": "pointerMove", "duration": if index == 0 { 0 } else { 16 },
                "origin": element.json(), "x": x, "y": y
            }));
            if index == 0 {
                actions.push(json!({"type": "pointerDown", "button": 0}));
            }
        }
        actions.push(json!({"type": "pointerUp", "button": 0}));
        self.post(
            "/actions",
            json!({"actions": [{
                "type": "pointer", "id": "finger", "parameters": {"pointerType": "mouse"},
                "actions": actions
            }]}),
        )
        .await?;
        Ok(())
    }

    /// A PNG of the window. WebKit takes it at the next frame it paints, and an idle page
    /// paints none: a tiny style change every 150 ms makes one.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BoxError> {
        let shot = self.get("/screenshot");
        tokio::pin!(shot);
        let value = loop {
            tokio::select! {
                value = &mut shot => break value?,
                () = tokio::time::sleep(Duration::from_millis(150)) => {
                    let _ = self
                        .execute(
                            "const s = document.body.style;
                             s.opacity = s.opacity === '0.999' ? '' : '0.999'; return 1;",
                            vec![],
                        )
                        .await;
                }
            }
        };
        let text = value.as_str().ok_or("no screenshot data")?;
        Ok(base64::engine::general_purpose::STANDARD.decode(text)?)
    }
}
