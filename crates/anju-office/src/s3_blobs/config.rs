//! Where the bucket is and how to sign in to it: an `s3://bucket/prefix` URL and the
//! usual AWS variables of the environment.

use object_store::path::Path;

/// The bucket, the folder in it, and the endpoint with its credentials.
#[derive(Clone)]
pub struct S3Config {
    pub bucket: String,
    /// The folder in the bucket the office's objects live under; empty for the root.
    pub prefix: String,
    /// `http://127.0.0.1:3900` for a Garage on the same machine.
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// The secret stays out of logs.
impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum S3ConfigError {
    #[error(
        "“{0}”不是对象存储地址，应为 s3://存储桶/前缀 / '{0}' is not an object store address: expected s3://bucket/prefix"
    )]
    NotS3Url(String),
    #[error("“{0}”没有存储桶名称 / '{0}' names no bucket: expected s3://bucket/prefix")]
    NoBucket(String),
    #[error("前缀“{prefix}”无效 / the prefix '{prefix}' is not valid: {reason}")]
    BadPrefix { prefix: String, reason: String },
    #[error(
        "缺少环境变量 {0}（对象存储需要它）/ the environment variable {0} is missing (the object store needs it)"
    )]
    Missing(&'static str),
    #[error(
        "对象存储端点“{0}”应以 http:// 或 https:// 开头 / the object store endpoint '{0}' should start with http:// or https://"
    )]
    BadEndpoint(String),
    #[error("无法连接对象存储 / cannot set up the object store client: {0}")]
    Client(String),
}

/// The variables read, in the order they are looked for.
pub const ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL", "ANJU_S3_ENDPOINT"];
pub const REGION_VAR: &str = "AWS_REGION";
pub const ACCESS_KEY_VAR: &str = "AWS_ACCESS_KEY_ID";
pub const SECRET_KEY_VAR: &str = "AWS_SECRET_ACCESS_KEY";
/// Garage's region unless told otherwise.
pub const DEFAULT_REGION: &str = "garage";

impl S3Config {
    /// `s3://bucket/prefix` and the process's environment.
    pub fn from_url_and_env(url: &str) -> Result<Self, S3ConfigError> {
        Self::from_url_and_vars(url, |name| std::env::var(name).ok())
    }

    /// The same with the variables from `var` (tests give their own).
    pub fn from_url_and_vars(
        url: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, S3ConfigError> {
        let (bucket, prefix) = parse_url(url)?;
        // An empty variable is as good as none: say it is missing rather than fail later.
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let endpoint =
            ENDPOINT_VARS
                .iter()
                .find_map(|name| var(name))
                .ok_or(S3ConfigError::Missing(
                    "AWS_ENDPOINT_URL / ANJU_S3_ENDPOINT",
                ))?;
        let endpoint = endpoint.trim().trim_end_matches('/').to_string();
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(S3ConfigError::BadEndpoint(endpoint));
        }
        Ok(Self {
            bucket,
            prefix,
            endpoint,
            region: var(REGION_VAR).unwrap_or_else(|| DEFAULT_REGION.to_string()),
            access_key_id: var(ACCESS_KEY_VAR).ok_or(S3ConfigError::Missing(ACCESS_KEY_VAR))?,
            secret_access_key: var(SECRET_KEY_VAR).ok_or(S3ConfigError::Missing(SECRET_KEY_VAR))?,
        })
    }

    /// The prefix as an object path (checked: no empty or `.` segments).
    pub(crate) fn prefix_path(&self) -> Result<Path, S3ConfigError> {
        Path::parse(&self.prefix).map_err(|e| S3ConfigError::BadPrefix {
            prefix: self.prefix.clone(),
            reason: e.to_string(),
        })
    }
}

/// `s3://bucket/some/prefix/` → ("bucket", "some/prefix").
fn parse_url(url: &str) -> Result<(String, String), S3ConfigError> {
    let rest = url
        .trim()
        .strip_prefix("s3://")
        .ok_or_else(|| S3ConfigError::NotS3Url(url.to_string()))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    // S3 bucket names: 3 to 63 of lower-case letters, digits, dots and hyphens.
    let good_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if bucket.is_empty() {
        return Err(S3ConfigError::NoBucket(url.to_string()));
    }
    if !good_bucket {
        return Err(S3ConfigError::NotS3Url(url.to_string()));
    }
    let prefix = prefix.trim_matches('/').to_string();
    Path::parse(&prefix).map_err(|e| S3ConfigError::BadPrefix {
        prefix: prefix.clone(),
        reason: e.to_string(),
    })?;
    Ok((bucket.to_string(), prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn a_url_and_the_environment_make_a_config() {
        let config = S3Config::from_url_and_vars(
            "s3://anju/office/photos/",
            vars(&[
                ("ANJU_S3_ENDPOINT", "http://127.0.0.1:3900/"),
                ("AWS_ACCESS_KEY_ID", "GK1"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ]),
        )
        .unwrap();
        assert_eq!(config.bucket, "anju");
        assert_eq!(config.prefix, "office/photos");
        assert_eq!(config.endpoint, "http://127.0.0.1:3900");
        assert_eq!(config.region, "garage");
        assert!(!format!("{config:?}").contains("secret\""));
        let root = S3Config::from_url_and_vars(
            "s3://anju",
            vars(&[
                ("AWS_ENDPOINT_URL", "https://s3.example.org"),
                ("ANJU_S3_ENDPOINT", "http://ignored"),
                ("AWS_REGION", "cn-1"),
                ("AWS_ACCESS_KEY_ID", "GK1"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
            ]),
        )
        .unwrap();
        assert_eq!(
            (
                root.prefix.as_str(),
                root.endpoint.as_str(),
                root.region.as_str()
            ),
            ("", "https://s3.example.org", "cn-1")
        );
    }

    #[test]
    fn what_is_missing_is_named_in_both_languages() {
        let no_secret = S3Config::from_url_and_vars(
            "s3://anju/p",
            vars(&[
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:3900"),
                ("AWS_ACCESS_KEY_ID", "GK1"),
                ("AWS_SECRET_ACCESS_KEY", " "),
            ]),
        )
        .unwrap_err();
        let text = no_secret.to_string();
        assert!(
            text.contains("缺少环境变量 AWS_SECRET_ACCESS_KEY"),
            "{text}"
        );
        assert!(text.contains("AWS_SECRET_ACCESS_KEY is missing"), "{text}");
        let no_endpoint = S3Config::from_url_and_vars("s3://anju/p", vars(&[])).unwrap_err();
        assert!(
            no_endpoint
                .to_string()
                .contains("AWS_ENDPOINT_URL / ANJU_S3_ENDPOINT"),
            "{no_endpoint}"
        );
        for bad in [
            "/srv/blobs",
            "http://anju/p",
            "s3://",
            "s3://A_B/p",
            "s3://anju/a//b",
        ] {
            assert!(
                S3Config::from_url_and_vars(bad, vars(&[])).is_err(),
                "{bad} was taken"
            );
        }
        let bad_endpoint = S3Config::from_url_and_vars(
            "s3://anju",
            vars(&[
                ("AWS_ENDPOINT_URL", "127.0.0.1:3900"),
                ("AWS_ACCESS_KEY_ID", "GK1"),
                ("AWS_SECRET_ACCESS_KEY", "s"),
            ]),
        )
        .unwrap_err();
        assert!(matches!(bad_endpoint, S3ConfigError::BadEndpoint(_)));
    }
}
