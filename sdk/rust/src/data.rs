//! Rows of the data sets given on the command line with `--data NAME=FILE` (CSV with a header
//! row, or JSON lines). The engine loads each set once and shares it; a read copies one row.
//!
//! The function says which row you get: [`unique`] (each row to at most one read in the whole
//! run: one account per VU), [`sequential`] (round-robin over all reads), [`random`], and
//! [`per_vu`] (the same row every time for a VU).
//!
//! ```no_run
//! use horde_sdk::prelude::*;
//!
//! #[derive(Default)]
//! struct Shopper {
//!     token: String,
//! }
//!
//! impl Shopper {
//!     fn on_start(&mut self) -> Result {
//!         // Run with: --data users=users.csv (columns username,password)
//!         let account = data::unique("users")?;
//!         let login = http::post("/api/auth/login")
//!             .json(&json!({ "username": account.get("username"), "password": account.get("password") }))
//!             .want_body()
//!             .send()?;
//!         self.token = login.json::<Value>()?["access_token"].as_str().unwrap_or_default().into();
//!         Ok(())
//!     }
//! }
//! # let _ = Shopper::on_start;
//! ```

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use crate::wit::horde::scenario::data as host;

pub use host::Mode;

/// Why a read got no row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataError {
    /// No data set of this name was given with `--data`.
    UnknownSet(String),
    /// A [`unique`] read found every row handed out already.
    Exhausted(String),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::UnknownSet(m) | DataError::Exhausted(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for DataError {}

impl From<host::DataError> for DataError {
    fn from(e: host::DataError) -> Self {
        match e {
            host::DataError::UnknownSet(m) => DataError::UnknownSet(m),
            host::DataError::Exhausted(m) => DataError::Exhausted(m),
        }
    }
}

/// One row of a data set.
///
/// ```no_run
/// let row = horde_sdk::data::sequential("products")?;
/// let sku = row.get("sku").unwrap_or("none");
/// # Ok::<(), horde_sdk::data::DataError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Row {
    index: u64,
    fields: Vec<String>,
    columns: Rc<[String]>,
}

impl Row {
    /// The row's position in its set, from 0 (a CSV header is not a row).
    ///
    /// ```no_run
    /// let n = horde_sdk::data::per_vu("users")?.index();
    /// # Ok::<(), horde_sdk::data::DataError>(())
    /// ```
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The value in the CSV column `column`; None for a column the header does not name (and
    /// for JSON lines, which have no columns: use [`Row::json`]).
    ///
    /// ```no_run
    /// let user = horde_sdk::data::unique("users")?;
    /// let name = user.get("username").unwrap_or_default();
    /// # Ok::<(), horde_sdk::data::DataError>(())
    /// ```
    pub fn get(&self, column: &str) -> Option<&str> {
        let i = self.columns.iter().position(|c| c == column)?;
        self.fields.get(i).map(String::as_str)
    }

    /// The fields in column order (for JSON lines, one field: the line's text).
    ///
    /// ```no_run
    /// for value in horde_sdk::data::random("words")?.fields() {
    ///     horde_sdk::info!("{value}");
    /// }
    /// # Ok::<(), horde_sdk::data::DataError>(())
    /// ```
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The row as a typed value: a JSON-lines row is parsed from its text; a CSV row is read
    /// as an object of its columns, every value a string.
    ///
    /// ```no_run
    /// use horde_sdk::Value;
    /// let account: Value = horde_sdk::data::unique("users")?.json()?;
    /// let name = account["username"].as_str().unwrap_or_default();
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        if self.columns.is_empty() {
            return serde_json::from_str(self.fields.first().map_or("null", String::as_str));
        }
        let object: serde_json::Map<String, serde_json::Value> = self
            .columns
            .iter()
            .zip(&self.fields)
            .map(|(c, v)| (c.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::from_value(serde_json::Value::Object(object))
    }
}

thread_local! {
    /// Column names per set, asked of the engine once per VU so a read copies only its row.
    static COLUMNS: RefCell<HashMap<String, Rc<[String]>>> = RefCell::new(HashMap::new());
}

fn columns(set: &str) -> Result<Rc<[String]>, DataError> {
    if let Some(columns) = COLUMNS.with(|c| c.borrow().get(set).cloned()) {
        return Ok(columns);
    }
    let info = host::describe(set)?;
    let columns: Rc<[String]> = info.columns.into();
    COLUMNS.with(|c| c.borrow_mut().insert(set.to_string(), columns.clone()));
    Ok(columns)
}

/// Reads one row of `set`, chosen by `mode`. The functions below name the mode for you.
///
/// ```no_run
/// use horde_sdk::data::{Mode, read};
/// let row = read("users", Mode::Sequential)?;
/// # Ok::<(), horde_sdk::data::DataError>(())
/// ```
pub fn read(set: &str, mode: Mode) -> Result<Row, DataError> {
    let columns = columns(set)?;
    let row = host::read(set, mode)?;
    Ok(Row {
        index: row.index,
        fields: row.fields,
        columns,
    })
}

/// The next row no read in this run has had: each row goes to at most one read. Read it once
/// in `on_start` and the VU holds a row (an account) no other VU holds. Fails with
/// [`DataError::Exhausted`] when every row is taken (with `--data-exhausted stop`, the VU
/// then stops instead of restarting).
///
/// ```no_run
/// let account = horde_sdk::data::unique("users")?;
/// # Ok::<(), horde_sdk::data::DataError>(())
/// ```
pub fn unique(set: &str) -> Result<Row, DataError> {
    read(set, Mode::Unique)
}

/// The next row round-robin across all reads of all VUs, wrapping at the end.
///
/// ```no_run
/// let product = horde_sdk::data::sequential("products")?;
/// # Ok::<(), horde_sdk::data::DataError>(())
/// ```
pub fn sequential(set: &str) -> Result<Row, DataError> {
    read(set, Mode::Sequential)
}

/// A uniformly random row, from the VU's seeded generator (`--seed` repeats it).
///
/// ```no_run
/// let query = horde_sdk::data::random("search-terms")?;
/// # Ok::<(), horde_sdk::data::DataError>(())
/// ```
pub fn random(set: &str) -> Result<Row, DataError> {
    read(set, Mode::Random)
}

/// Row (VU id - 1) modulo the set's length: the same row every time for a VU, also after it
/// restarts.
///
/// ```no_run
/// let tenant = horde_sdk::data::per_vu("tenants")?;
/// # Ok::<(), horde_sdk::data::DataError>(())
/// ```
pub fn per_vu(set: &str) -> Result<Row, DataError> {
    read(set, Mode::PerVu)
}

/// How many rows `set` has.
///
/// ```no_run
/// let n = horde_sdk::data::len("users")?;
/// # Ok::<(), horde_sdk::data::DataError>(())
/// ```
pub fn len(set: &str) -> Result<u64, DataError> {
    Ok(host::describe(set)?.rows)
}
