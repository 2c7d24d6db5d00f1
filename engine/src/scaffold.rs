//! `horde new --lang LANG NAME`: writes a scenario project that builds with `./build` and runs
//! against `horde demo-target` as it is. The project is seed 0 (the scenario under
//! `scripts/authenticated-user*`, which the conformance test checks in every language), the
//! SDK of its language and the WIT contract, and the toolchain recipes of `scripts/build`;
//! all of them are embedded in the binary from the repository, so a project is in step with
//! the horde that made it.

use std::fmt;
use std::path::{Path, PathBuf};

/// The languages `horde new` scaffolds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    C,
    Zig,
    Js,
    Python,
    Go,
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Rust => "Rust",
            Lang::C => "C",
            Lang::Zig => "Zig",
            Lang::Js => "JavaScript",
            Lang::Python => "Python",
            Lang::Go => "Go",
        })
    }
}

/// One file of a project: where it goes and what it holds (`{{name}}` and the other
/// placeholders not yet filled in).
struct Template {
    path: &'static str,
    text: &'static str,
}

macro_rules! repo_file {
    ($path:literal) => {
        include_str!(concat!("../../", $path))
    };
}

const WIT: Template = Template {
    path: "sdk/wit/scenario.wit",
    text: repo_file!("sdk/wit/scenario.wit"),
};

const COMMON: [Template; 3] = [
    Template {
        path: "build",
        text: repo_file!("sdk/templates/build"),
    },
    Template {
        path: "build-langs",
        text: repo_file!("scripts/build-langs"),
    },
    Template {
        path: "README.md",
        text: repo_file!("sdk/templates/README.md"),
    },
];

const RUST: [Template; 11] = [
    Template {
        path: "Cargo.toml",
        text: repo_file!("sdk/templates/rust/Cargo.toml"),
    },
    Template {
        path: "src/lib.rs",
        text: repo_file!("scripts/authenticated-user/src/lib.rs"),
    },
    Template {
        path: "sdk/rust/Cargo.toml",
        text: repo_file!("sdk/rust/Cargo.toml"),
    },
    Template {
        path: "sdk/rust/src/lib.rs",
        text: repo_file!("sdk/rust/src/lib.rs"),
    },
    Template {
        path: "sdk/rust/src/ctx.rs",
        text: repo_file!("sdk/rust/src/ctx.rs"),
    },
    Template {
        path: "sdk/rust/src/http.rs",
        text: repo_file!("sdk/rust/src/http.rs"),
    },
    Template {
        path: "sdk/rust/src/macros.rs",
        text: repo_file!("sdk/rust/src/macros.rs"),
    },
    Template {
        path: "sdk/rust/src/think.rs",
        text: repo_file!("sdk/rust/src/think.rs"),
    },
    Template {
        path: "sdk/rust/src/metrics.rs",
        text: repo_file!("sdk/rust/src/metrics.rs"),
    },
    Template {
        path: "sdk/rust/src/data.rs",
        text: repo_file!("sdk/rust/src/data.rs"),
    },
    Template {
        path: "sdk/rust/src/shared.rs",
        text: repo_file!("sdk/rust/src/shared.rs"),
    },
];

const C_SDK: [Template; 2] = [
    Template {
        path: "sdk/c/horde.h",
        text: repo_file!("sdk/c/horde.h"),
    },
    Template {
        path: "sdk/c/horde.c",
        text: repo_file!("sdk/c/horde.c"),
    },
];

const C: Template = Template {
    path: "scenario.c",
    text: repo_file!("scripts/authenticated-user-c/scenario.c"),
};

const ZIG: [Template; 2] = [
    Template {
        path: "scenario.zig",
        text: repo_file!("scripts/authenticated-user-zig/scenario.zig"),
    },
    Template {
        path: "sdk/zig/horde.zig",
        text: repo_file!("sdk/zig/horde.zig"),
    },
];

const PYTHON: [Template; 6] = [
    Template {
        path: "scenario.py",
        text: repo_file!("scripts/authenticated-user-python/scenario.py"),
    },
    Template {
        path: "sdk/python/horde/__init__.py",
        text: repo_file!("sdk/python/horde/__init__.py"),
    },
    Template {
        path: "sdk/python/horde/_component.py",
        text: repo_file!("sdk/python/horde/_component.py"),
    },
    Template {
        path: "sdk/python/horde/data.py",
        text: repo_file!("sdk/python/horde/data.py"),
    },
    Template {
        path: "sdk/python/horde/shared.py",
        text: repo_file!("sdk/python/horde/shared.py"),
    },
    Template {
        path: "sdk/python/horde/metrics.py",
        text: repo_file!("sdk/python/horde/metrics.py"),
    },
];

const JS: [Template; 2] = [
    Template {
        path: "scenario.js",
        text: repo_file!("scripts/authenticated-user-js/scenario.js"),
    },
    Template {
        path: "sdk/js/horde.js",
        text: repo_file!("sdk/js/horde.js"),
    },
];

const GO: [Template; 8] = [
    Template {
        path: "main.go",
        text: repo_file!("scripts/authenticated-user-go/main.go"),
    },
    Template {
        path: "go.mod",
        text: repo_file!("scripts/authenticated-user-go/go.mod"),
    },
    Template {
        path: "sdk/go/go.mod",
        text: repo_file!("sdk/go/go.mod"),
    },
    Template {
        path: "sdk/go/horde.go",
        text: repo_file!("sdk/go/horde.go"),
    },
    Template {
        path: "sdk/go/abi.go",
        text: repo_file!("sdk/go/abi.go"),
    },
    Template {
        path: "sdk/go/data.go",
        text: repo_file!("sdk/go/data.go"),
    },
    Template {
        path: "sdk/go/shared.go",
        text: repo_file!("sdk/go/shared.go"),
    },
    Template {
        path: "sdk/go/metrics.go",
        text: repo_file!("sdk/go/metrics.go"),
    },
];

impl Lang {
    /// The files of a project in this language, besides the common ones.
    fn templates(self) -> Vec<&'static Template> {
        match self {
            Lang::Rust => RUST.iter().collect(),
            Lang::C => C_SDK.iter().chain([&C]).collect(),
            Lang::Zig => C_SDK.iter().chain(ZIG.iter()).collect(),
            Lang::Python => PYTHON.iter().collect(),
            Lang::Js => JS.iter().collect(),
            Lang::Go => GO.iter().collect(),
        }
    }

    /// The builder in `build-langs` that the project's `build` calls.
    fn builder(self) -> &'static str {
        match self {
            Lang::Rust => "build_rust_crate",
            Lang::C => "build_c",
            Lang::Zig => "build_zig",
            Lang::Python => "build_python",
            Lang::Js => "build_js",
            Lang::Go => "build_go",
        }
    }

    /// The file the author edits.
    fn source(self) -> &'static str {
        match self {
            Lang::Rust => "src/lib.rs",
            Lang::C => "scenario.c",
            Lang::Zig => "scenario.zig",
            Lang::Python => "scenario.py",
            Lang::Js => "scenario.js",
            Lang::Go => "main.go",
        }
    }
}

/// Why a project could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "{0:?} is not a valid scenario name: use lower-case letters, digits and dashes, starting with a letter (like checkout-flow)"
    )]
    Name(String),
    #[error("{0} already exists; pick another name or remove it")]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

/// Fills a template: `{{name}}`, `{{lang}}`, `{{build}}`, `{{source}}`; renames the seed-0
/// scenario (`"authenticated-user"` in its sources, `module authenticated-user` in Go) to the
/// project's name; points Go's `replace` at the SDK inside the project.
fn fill(text: &str, lang: Lang, name: &str) -> String {
    text.replace("module authenticated-user\n", &format!("module {name}\n"))
        .replace("=> ../../sdk/go", "=> ./sdk/go")
        .replace("{{name}}", name)
        .replace("{{lang}}", &lang.to_string())
        .replace("{{build}}", lang.builder())
        .replace("{{source}}", lang.source())
        .replace("\"authenticated-user\"", &format!("\"{name}\""))
}

/// Writes the project `NAME` in `parent` and returns its directory.
pub fn create(parent: &Path, lang: Lang, name: &str) -> Result<PathBuf, ScaffoldError> {
    if !valid_name(name) {
        return Err(ScaffoldError::Name(name.to_string()));
    }
    let dir = parent.join(name);
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir));
    }
    let files = COMMON.iter().chain([&WIT]).chain(lang.templates());
    for template in files {
        let path = dir.join(template.path);
        let write = |path: &Path| -> std::io::Result<()> {
            std::fs::create_dir_all(path.parent().expect("a file inside the project"))?;
            std::fs::write(path, fill(template.text, lang, name))?;
            if template.path == "build" {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
            }
            Ok(())
        };
        write(&path).map_err(|source| ScaffoldError::Write { path, source })?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for good in ["checkout", "checkout-flow", "a1"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", "Checkout", "1st", "a b", "../x", "x-", "x_y"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    /// Every file of the Python and JavaScript SDKs goes into their projects (`horde new`).
    #[test]
    fn projects_hold_every_file_of_their_sdk() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for (dir, templates) in [("sdk/python/horde", &PYTHON[..]), ("sdk/js", &JS[..])] {
            for file in std::fs::read_dir(root.join(dir)).unwrap() {
                let file = file.unwrap();
                if !file.file_type().unwrap().is_file() {
                    continue;
                }
                let path = format!("{dir}/{}", file.file_name().to_string_lossy());
                assert!(
                    templates.iter().any(|t| t.path == path),
                    "{path} is not in the project's templates"
                );
            }
        }
    }

    #[test]
    fn a_project_holds_its_sdk_the_wit_and_a_build_script() {
        let dir = tempfile::tempdir().unwrap();
        let project = create(dir.path(), Lang::Python, "checkout").unwrap();
        let scenario = std::fs::read_to_string(project.join("scenario.py")).unwrap();
        assert!(scenario.contains("name = \"checkout\""), "{scenario}");
        let build = std::fs::read_to_string(project.join("build")).unwrap();
        assert!(
            build.contains("build_python \"$root\" \"checkout\""),
            "{build}"
        );
        assert!(!build.contains("{{"), "{build}");
        assert!(project.join("sdk/python/horde/__init__.py").exists());
        assert_eq!(
            std::fs::read_to_string(project.join("sdk/wit/scenario.wit")).unwrap(),
            WIT.text
        );
        assert!(matches!(
            create(dir.path(), Lang::C, "checkout"),
            Err(ScaffoldError::Exists(_))
        ));
    }
}
