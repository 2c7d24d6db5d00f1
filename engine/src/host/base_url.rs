//! `--host`: the base URL a request path such as `/api/orders` is joined to.

use http::uri::{Authority, PathAndQuery, Scheme, Uri};

/// The `--host` a path such as `/api/orders` is joined to.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    scheme: Scheme,
    authority: Authority,
    /// The base's own path without a trailing slash ("" for `http://h:8080/`).
    prefix: String,
}

impl BaseUrl {
    /// Parses `--host`; the message says what is wrong and what is expected.
    pub fn parse(host: &str) -> Result<Self, String> {
        let uri: Uri = host.parse().map_err(|e| {
            format!("--host {host:?} is not a valid URL ({e}); expected e.g. http://127.0.0.1:8080")
        })?;
        let scheme = uri
            .scheme()
            .cloned()
            .ok_or_else(|| format!("--host {host:?} has no scheme; expected e.g. http://{host}"))?;
        if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
            return Err(format!(
                "--host {host:?} uses scheme {scheme}; horde speaks http:// and https://"
            ));
        }
        let authority = uri.authority().cloned().ok_or_else(|| {
            format!("--host {host:?} has no host name; expected e.g. http://127.0.0.1:8080")
        })?;
        if uri.query().is_some() {
            return Err(format!(
                "--host {host:?} has a query string; give only scheme, host, port and an optional path"
            ));
        }
        let prefix = uri.path().trim_end_matches('/').to_string();
        Ok(Self {
            scheme,
            authority,
            prefix,
        })
    }

    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// Joins a path (starting with `/`) to the base.
    pub fn join(&self, path: String) -> Result<Uri, String> {
        let path_and_query = if self.prefix.is_empty() {
            PathAndQuery::try_from(path)
        } else {
            PathAndQuery::try_from(format!("{}{}", self.prefix, path))
        }
        .map_err(|e| format!("invalid path: {e}"))?;
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
            .map_err(|e| format!("invalid URL: {e}"))
    }
}
