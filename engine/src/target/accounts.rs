//! The demo target's user accounts: a rule rather than a table, so a thousand users cost nothing.
//!
//! `testuser` and `user1`..`user1000`, all with password `password123`. Kept behind [`Accounts`]
//! so a users file can later replace the rule without touching the routes.

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
    _private: (),
}

impl Accounts {
    /// The built-in accounts.
    pub fn builtin() -> Self {
        Accounts::default()
    }

    pub fn find<'a>(&self, username: &'a str) -> Option<Account<'a>> {
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
        self.find(username).filter(|_| password == DEMO_PASSWORD)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule() {
        let accounts = Accounts::builtin();
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
}
