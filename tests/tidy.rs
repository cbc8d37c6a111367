//! The tidy test: repository-wide rules that `cargo test` enforces, so that review never has
//! to (after rust-analyzer's `xtask/src/tidy.rs` and TigerBeetle's `src/tidy.zig`).
//!
//! It walks the Rust sources under `crates/`, `src-tauri/` and `tests/` (skipping `target/`,
//! `node_modules/` and `ui/`) and each rule is its own `#[test]`, failing with every offending
//! `path:line`. The rules and their allow-lists are the tables just below; change a rule there,
//! with its reason, rather than working around it in a crate.
//!
//! Content rules look at code only: comments and the insides of string and character literals
//! are blanked first (line numbers kept), so a doc comment may say "never use f64" and this
//! file may spell out the tokens it bans. The `self_test` module plants a violation of each
//! rule in a small in-memory file, so no rule can pass by checking nothing.

use std::fmt;
use std::path::{Path, PathBuf};

#[path = "tidy/read.rs"]
mod read;
#[path = "tidy/self_test.rs"]
mod self_test;

use read::{code_only, crate_paths, manifest_dependencies, name_matches, words};

/// Where the walk starts, relative to the repository root.
const WALK_ROOTS: &[&str] = &["crates", "src-tauri", "tests"];

/// Directory names the walk never enters: build output, JavaScript, the UI. Hidden
/// directories (`.git`, `.cargo`) are skipped too.
const SKIP_DIRS: &[&str] = &["target", "node_modules", "ui"];

/// A walk that finds fewer Rust files than this has gone wrong (wrong root, renamed folder).
const RUST_FILES_MIN: usize = 40;

/// The longest a Rust file may be, in lines. Longer files get split by concern.
const LINES_MAX: usize = 600;

/// Crates that only some parts of the repository may use, and why. A path is allowed when it
/// starts with one of the prefixes. Checked in `.rs` code (as a path: `name::`, `use name`,
/// `extern crate name`) and in `Cargo.toml` dependency tables (under the dashed name).
const CRATE_HOMES: &[CrateHome] = &[
    CrateHome {
        // SQL lives in store; the relay server keeps its own event database. malipo-cli's
        // tests corrupt a database by hand to prove `check` catches it (a dev-dependency in its
        // manifest, used only under crates/cli/tests/).
        name: "rusqlite",
        rust_names: &["rusqlite"],
        manifest_names: &["rusqlite"],
        allowed: &[
            "crates/store/",
            "crates/relay/",
            "crates/cli/tests/",
            "crates/cli/Cargo.toml",
        ],
    },
    CrateHome {
        // HTTP happens in the provider clients, the relay, the till's relay client, the
        // receipt senders, the simulators (which call webhooks back, as the providers do), and
        // the training rig (the customer's phone and card, played against the simulators).
        name: "reqwest",
        rust_names: &["reqwest"],
        manifest_names: &["reqwest"],
        allowed: &[
            "crates/providers/",
            "crates/relay/",
            "crates/sync/",
            "crates/notify/",
            "crates/sim/",
            "crates/training/",
            // The scenario tests play the customer at the Paystack checkout over HTTP.
            "tests/scenarios/",
            "tests/Cargo.toml",
        ],
    },
    CrateHome {
        // Only the desktop shell depends on Tauri, so every other crate tests fast.
        name: "tauri",
        rust_names: &["tauri", "tauri_build", "tauri_plugin_"],
        manifest_names: &["tauri", "tauri-build", "tauri-plugin-"],
        allowed: &["src-tauri/"],
    },
];

/// Crates that handle money, where `f32`/`f64` may not appear (as a type, a literal suffix
/// such as `1.5f64`, or a name such as `as_f64`): money is integer minor units.
const NO_FLOAT_DIRS: &[&str] = &[
    "crates/core/",
    "crates/store/",
    "crates/engine/",
    "crates/print/",
    "crates/providers/",
    "crates/cli/",
];

/// Macros that must not be committed: debugging output and placeholders.
const BANNED_MACROS: &[&str] = &["dbg", "todo", "unimplemented"];

/// Test attributes that must not be committed: a skipped test is a hidden failure, and a
/// panic is not an error type (assert on the returned `Err` instead).
const BANNED_TEST_ATTRIBUTES: &[&str] = &["ignore", "should_panic"];

/// A crate that only some paths may use. Names ending in `_` or `-` are prefixes.
struct CrateHome {
    /// What the rule is called in failures and in `crate_home`.
    name: &'static str,
    rust_names: &'static [&'static str],
    manifest_names: &'static [&'static str],
    allowed: &'static [&'static str],
}

/// One broken rule at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    path: String,
    line: usize,
    message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// The entry of `CRATE_HOMES` called `name`.
fn crate_home(name: &str) -> &'static CrateHome {
    CRATE_HOMES
        .iter()
        .find(|home| home.name == name)
        .unwrap_or_else(|| panic!("no crate home called {name:?} in CRATE_HOMES"))
}

fn violation(path: &str, line: usize, message: impl Into<String>) -> Violation {
    Violation {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// The rules: pure functions from (path relative to the root, contents) to violations.
// ---------------------------------------------------------------------------------------------

/// A Rust file starts with a `//!` doc comment: no blank line, attribute or code before it.
fn check_module_doc(path: &str, contents: &str) -> Vec<Violation> {
    if contents.starts_with("//!") {
        return Vec::new();
    }
    vec![violation(
        path,
        1,
        "the file must start with a `//!` comment saying what it is for (first line, before \
         any attribute)",
    )]
}

/// A Rust file has at most `LINES_MAX` lines.
fn check_length(path: &str, contents: &str) -> Vec<Violation> {
    let lines = contents.lines().count();
    if lines <= LINES_MAX {
        return Vec::new();
    }
    vec![violation(
        path,
        LINES_MAX + 1,
        format!("{lines} lines, more than {LINES_MAX}: split it by concern"),
    )]
}

/// A crate is used, in Rust code or as a dependency, only where `home` allows it.
fn check_crate_home(path: &str, contents: &str, home: &CrateHome) -> Vec<Violation> {
    if home.allowed.iter().any(|prefix| path.starts_with(prefix)) {
        return Vec::new();
    }
    let mut found = Vec::new();
    if path.ends_with("Cargo.toml") {
        for (line, name) in manifest_dependencies(contents) {
            if home.manifest_names.iter().any(|n| name_matches(&name, n)) {
                let message = format!("depends on `{name}`, allowed only in {:?}", home.allowed);
                found.push(violation(path, line, message));
            }
        }
    } else {
        for (index, text) in code_only(contents).lines().enumerate() {
            for name in crate_paths(text) {
                if home.rust_names.iter().any(|n| name_matches(&name, n)) {
                    let message = format!("uses `{name}`, allowed only in {:?}", home.allowed);
                    found.push(violation(path, index + 1, message));
                }
            }
        }
    }
    found
}

/// No `f32`/`f64` in the crates that handle money.
fn check_floats(path: &str, contents: &str) -> Vec<Violation> {
    if !NO_FLOAT_DIRS.iter().any(|prefix| path.starts_with(prefix)) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (index, text) in code_only(contents).lines().enumerate() {
        for word in words(text) {
            let float = word.text.ends_with("f32") || word.text.ends_with("f64");
            // `f64` itself, a literal such as `1.5f64`, or a name such as `as_f64`; not `xf64`.
            let head = &word.text[..word.text.len().saturating_sub(3)];
            if float
                && (head.is_empty() || head.ends_with(|c: char| c.is_ascii_digit() || c == '_'))
            {
                let message = format!(
                    "`{}`: money is integer minor units, never a float",
                    word.text
                );
                found.push(violation(path, index + 1, message));
            }
        }
    }
    found
}

/// No `#[ignore]` or `#[should_panic]`, written directly or through `cfg_attr`.
fn check_test_attributes(path: &str, contents: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (index, text) in code_only(contents).lines().enumerate() {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for attribute in BANNED_TEST_ATTRIBUTES {
            let direct = compact.contains(&format!("#[{attribute}"));
            let via_cfg_attr =
                compact.contains("cfg_attr(") && words(text).iter().any(|w| w.text == *attribute);
            if direct || via_cfg_attr {
                let message = format!("`#[{attribute}]`: tests run, every time, or are removed");
                found.push(violation(path, index + 1, message));
            }
        }
    }
    found
}

/// No `dbg!`, `todo!` or `unimplemented!`.
fn check_macros(path: &str, contents: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (index, text) in code_only(contents).lines().enumerate() {
        for word in words(text) {
            let rest = text[word.end..].trim_start();
            let is_call = rest.starts_with('!') && !rest.starts_with("!=");
            if is_call && BANNED_MACROS.contains(&word.text) {
                let message = format!("`{}!` must not be committed", word.text);
                found.push(violation(path, index + 1, message));
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Walking the repository and reporting.
// ---------------------------------------------------------------------------------------------

fn repository_root() -> PathBuf {
    // This package lives in `<root>/tests`.
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Every file under the walk roots whose name ends with `suffix`, as (relative path with `/`
/// separators, contents), sorted by path.
fn files_ending_with(suffix: &str) -> Vec<(String, String)> {
    let root = repository_root();
    let mut pending: Vec<PathBuf> = WALK_ROOTS.iter().map(|r| root.join(r)).collect();
    let mut found = Vec::new();
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !SKIP_DIRS.contains(&name) && !name.starts_with('.') {
                    pending.push(path);
                }
            } else if name.ends_with(suffix) {
                let relative = path.strip_prefix(&root).expect("walked under the root");
                let relative: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect();
                let contents = std::fs::read_to_string(&path)
                    .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
                found.push((relative.join("/"), contents));
            }
        }
    }
    found.sort();
    found
}

fn rust_files() -> Vec<(String, String)> {
    files_ending_with(".rs")
}

/// Rust files and `Cargo.toml` manifests, for the rules that cover dependencies too.
fn rust_files_and_manifests() -> Vec<(String, String)> {
    let mut files = rust_files();
    files.extend(files_ending_with("Cargo.toml"));
    files
}

/// Applies `check` to every file and fails with every violation, one per line.
fn assert_clean(
    rule: &str,
    files: &[(String, String)],
    check: impl Fn(&str, &str) -> Vec<Violation>,
) {
    let found: Vec<Violation> = files
        .iter()
        .flat_map(|(path, contents)| check(path, contents))
        .collect();
    if !found.is_empty() {
        let list: Vec<String> = found.iter().map(|v| format!("  {v}")).collect();
        panic!(
            "tidy: {rule}: {} violation(s):\n{}\n",
            found.len(),
            list.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// One test per rule.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_walk_finds_the_sources() {
    let files = rust_files();
    let paths: Vec<&str> = files.iter().map(|(path, _)| path.as_str()).collect();
    assert!(
        files.len() >= RUST_FILES_MIN,
        "the walk found {} Rust files, fewer than {RUST_FILES_MIN}: the rules would check \
         almost nothing (roots {WALK_ROOTS:?} under {})",
        files.len(),
        repository_root().display()
    );
    for expected in ["tests/tidy.rs", "crates/core/src/lib.rs"] {
        assert!(paths.contains(&expected), "the walk missed {expected}");
    }
    for root in WALK_ROOTS {
        assert!(
            paths.iter().any(|p| p.starts_with(&format!("{root}/"))),
            "the walk found no Rust file under {root}/"
        );
    }
    let manifests = files_ending_with("Cargo.toml");
    assert!(
        manifests.iter().any(|(p, _)| p == "crates/core/Cargo.toml")
            && manifests.iter().any(|(p, _)| p == "tests/Cargo.toml"),
        "the walk must find the crates' manifests, or the dependency rules check nothing"
    );
    assert!(
        !paths
            .iter()
            .any(|p| p.split('/').any(|part| SKIP_DIRS.contains(&part))),
        "the walk entered a skipped directory"
    );
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    assert_clean("module docs", &rust_files(), check_module_doc);
}

#[test]
fn no_rust_file_is_too_long() {
    assert_clean("file length", &rust_files(), check_length);
}

#[test]
fn sqlite_is_used_only_by_store_and_relay() {
    assert_clean("rusqlite", &rust_files_and_manifests(), |p, c| {
        check_crate_home(p, c, crate_home("rusqlite"))
    });
}

#[test]
fn http_clients_live_only_in_providers_relay_and_sim() {
    assert_clean("reqwest", &rust_files_and_manifests(), |p, c| {
        check_crate_home(p, c, crate_home("reqwest"))
    });
}

#[test]
fn only_the_desktop_shell_depends_on_tauri() {
    assert_clean("tauri", &rust_files_and_manifests(), |p, c| {
        check_crate_home(p, c, crate_home("tauri"))
    });
}

#[test]
fn money_crates_use_no_floats() {
    assert_clean("floats in money crates", &rust_files(), check_floats);
}

#[test]
fn no_test_is_skipped_or_expects_a_panic() {
    assert_clean(
        "ignored or should-panic tests",
        &rust_files(),
        check_test_attributes,
    );
}

#[test]
fn no_debugging_or_placeholder_macros() {
    assert_clean("dbg/todo/unimplemented", &rust_files(), check_macros);
}
