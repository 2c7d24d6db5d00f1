//! The demo target's user accounts: a rule, so a thousand users cost nothing, plus the accounts
//! of a users file (`--users-file`), so a scenario can log in with a data set of its own.
//!
//! The rule: `testuser` and `user1`..`user1000`, all with password `password123`. A listed
//! account with one of those names replaces it.

use std::collections::HashMap;
use std::sync::Arc;

/// The password of every built-in account.
pub const DEMO_PASSWORD: &str = "password123";

/// Highest `userN` that exists.
const NUMBERED_USERS: u64 = 1000;

/// A known user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account<'a> {
    pub username: &'a str,
    /// `userN` has id N; `testuser` takes the next free id.
    pub id: u64,
}

impl Account<'_> {
    pub fn email(&self) -> String {
        format!("{}@demo.horde.test", self.username)
    }
}

/// The account store.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    /// Listed accounts: username -> (password, id). Shared, since the target clones its config.
    listed: Arc<HashMap<String, (String, u64)>>,
}

impl Accounts {
    /// The built-in accounts and `users` (username, password); listed accounts get ids after
    /// the built-in ones, in the order given.
    pub fn with_users(users: &[(String, String)]) -> Self {
        let first_id = NUMBERED_USERS + 2;
        let listed = users
            .iter()
            .enumerate()
            .map(|(i, (name, password))| (name.clone(), (password.clone(), first_id + i as u64)))
            .collect();
        Accounts {
            listed: Arc::new(listed),
        }
    }

    pub fn find<'a>(&self, username: &'a str) -> Option<Account<'a>> {
        self.find_with_password(username)
            .map(|(account, _)| account)
    }

    /// The account and its password.
    fn find_with_password<'a>(&self, username: &'a str) -> Option<(Account<'a>, &str)> {
        if let Some((password, id)) = self.listed.get(username) {
            return Some((Account { username, id: *id }, password));
        }
        self.find_builtin(username)
            .map(|account| (account, DEMO_PASSWORD))
    }

    fn find_builtin<'a>(&self, username: &'a str) -> Option<Account<'a>> {
        if username == "testuser" {
            return Some(Account {
                username,
                id: NUMBERED_USERS + 1,
            });
        }
        let digits = username.strip_prefix("user")?;
        // "user007" would parse to 7; reject it so every account has one spelling.
        if digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = digits.parse().ok()?;
        (1..=NUMBERED_USERS)
            .contains(&n)
            .then_some(Account { username, id: n })
    }

    /// The account when the password is right. Not constant-time: this is a demo target.
    pub fn authenticate<'a>(&self, username: &'a str, password: &str) -> Option<Account<'a>> {
        self.find_with_password(username)
            .filter(|(_, expected)| password == *expected)
            .map(|(account, _)| account)
    }
}

/// Reads a users file: CSV with a header row naming (at least) `username` and `password`, the
/// same file a scenario can read as a data set (`--data users=FILE`).
pub fn read_users_file(path: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let set = crate::data::DataSet::load("users", path).map_err(|e| {
        e.to_string()
            .replacen("--data users: ", "--users-file: ", 1)
    })?;
    let column = |name: &str| {
        set.columns().iter().position(|c| c == name).ok_or_else(|| {
            format!(
                "--users-file: {} has no {name:?} column; its header must name username and password",
                path.display()
            )
        })
    };
    let (user, password) = (column("username")?, column("password")?);
    Ok((0..set.rows())
        .map(|i| {
            let fields: Vec<&str> = set.row(i).collect();
            (fields[user].to_string(), fields[password].to_string())
        })
        .collect())
}

/// `n` generated accounts for `horde demo`: `demo-user-1` with password `demo-pass-1`, and so on.
pub fn demo_users(n: u32) -> Vec<(String, String)> {
    (1..=n)
        .map(|i| (format!("demo-user-{i}"), format!("demo-pass-{i}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let accounts = Accounts::default();
        assert_eq!(accounts.find("testuser").unwrap().id, 1001);
        assert_eq!(accounts.find("user1").unwrap().id, 1);
        assert_eq!(accounts.find("user1000").unwrap().id, 1000);
        for missing in [
            "user0", "user1001", "user01", "user", "user+1", "User1", "admin",
        ] {
            assert_eq!(accounts.find(missing), None, "{missing}");
        }
        assert!(accounts.authenticate("user42", "password123").is_some());
        assert!(accounts.authenticate("user42", "password124").is_none());
    }

    #[test]
    fn listed_accounts_join_the_rule() {
        let accounts = Accounts::with_users(&[
            ("shopper-1".into(), "s3cret".into()),
            ("user42".into(), "other".into()),
        ]);
        assert_eq!(
            accounts.authenticate("shopper-1", "s3cret").unwrap().id,
            1002
        );
        assert!(accounts.authenticate("shopper-1", "password123").is_none());
        assert!(accounts.authenticate("user42", "other").is_some());
        assert!(accounts.authenticate("user42", "password123").is_none());
        assert!(accounts.authenticate("user43", "password123").is_some());
        assert!(accounts.find("shopper-2").is_none());
    }

    #[test]
    fn users_files_need_both_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.csv");
        std::fs::write(&path, "id,username,password\n7,alice,pw-a\n8,bob,pw-b\n").unwrap();
        assert_eq!(
            read_users_file(&path).unwrap(),
            [
                ("alice".into(), "pw-a".into()),
                ("bob".into(), "pw-b".into())
            ]
        );
        std::fs::write(&path, "username,pass\nalice,pw\n").unwrap();
        let e = read_users_file(&path).unwrap_err();
        assert!(e.contains("has no \"password\" column"), "{e}");
        std::fs::write(&path, "username,password\nalice\n").unwrap();
        let e = read_users_file(&path).unwrap_err();
        assert!(
            e.starts_with("--users-file: ") && e.contains("line 2, column 6"),
            "{e}"
        );
    }
}
