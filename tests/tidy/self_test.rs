//! The tidy rules checked against themselves: each rule, run on small in-memory files that
//! break it and files that keep it, so that no rule can pass by checking nothing.

use super::*;

fn lines(found: Vec<Violation>) -> Vec<usize> {
    found.iter().map(|v| v.line).collect()
}

#[test]
fn module_doc_must_come_first() {
    assert!(check_module_doc("a.rs", "//! Doc.\nfn f() {}\n").is_empty());
    for bad in [
        "fn f() {}\n",
        "\n//! Doc.\n",
        "#![allow(dead_code)]\n//! Doc.\n",
        "/// Item doc.\n",
        "",
    ] {
        assert_eq!(
            lines(check_module_doc("a.rs", bad)),
            [1],
            "{bad:?} must fail"
        );
    }
}

#[test]
fn length_allows_exactly_the_limit() {
    assert!(check_length("a.rs", &"x\n".repeat(LINES_MAX)).is_empty());
    assert_eq!(
        lines(check_length("a.rs", &"x\n".repeat(LINES_MAX + 1))),
        [LINES_MAX + 1]
    );
}

#[test]
fn crates_are_caught_outside_their_homes_in_code_and_manifests() {
    let sql = crate_home("rusqlite");
    let code = "//! Doc.\nuse rusqlite::Connection;\nfn f(c: &rusqlite::Connection) {}\n";
    assert_eq!(
        lines(check_crate_home("crates/engine/src/x.rs", code, sql)),
        [2, 3]
    );
    assert!(check_crate_home("crates/store/src/x.rs", code, sql).is_empty());
    assert!(check_crate_home("crates/relay/src/db.rs", code, sql).is_empty());
    let words_only =
        "//! Uses rusqlite.\nconst S: &str = \"rusqlite::x\"; // rusqlite::y\nlet rusqlite = 1;\n";
    assert!(
        check_crate_home("crates/core/src/x.rs", words_only, sql).is_empty(),
        "comments, strings, plain names"
    );

    let manifest = "[package]\nname = \"x\"\n\n[dependencies]\nserde.workspace = true\nrusqlite.workspace = true\n\n[dev-dependencies.rusqlite]\nversion = \"0.37\"\n[dependencies]\ndb = { package = \"rusqlite\", version = \"1\" }\n";
    assert_eq!(
        lines(check_crate_home("crates/engine/Cargo.toml", manifest, sql)),
        [6, 8, 11]
    );

    let http = crate_home("reqwest");
    let client = "//! Doc.\nlet c = reqwest::Client::new();\n";
    assert_eq!(
        lines(check_crate_home("crates/engine/src/x.rs", client, http)),
        [2]
    );
    assert!(check_crate_home("crates/sim/src/x.rs", client, http).is_empty());

    let tauri = crate_home("tauri");
    let shell = "//! Doc.\nuse tauri;\n#[tauri::command]\nfn main() { tauri_build::build() }\nuse tauri_plugin_shell::ShellExt;\n";
    assert_eq!(
        lines(check_crate_home("crates/engine/src/x.rs", shell, tauri)),
        [2, 3, 4, 5]
    );
    assert!(check_crate_home("src-tauri/src/main.rs", shell, tauri).is_empty());
    let deps = "[build-dependencies]\ntauri-build.workspace = true\n[dependencies]\ntauri = { workspace = true }\n";
    assert_eq!(
        lines(check_crate_home("crates/print/Cargo.toml", deps, tauri)),
        [2, 4]
    );
    let other = "[dependencies]\ntauri-like = \"1\"\n[package]\ntauri = 1\n";
    assert!(check_crate_home("crates/print/Cargo.toml", other, tauri).is_empty());
}

#[test]
fn floats_are_caught_in_money_crates_only() {
    let code = "//! Doc.\nlet a: f64 = 1.0;\nlet b = 2.5f32;\nlet c = v.as_f64();\nlet d = 1_f64;\nlet fine = xf64 + f640;\n";
    assert_eq!(
        lines(check_floats("crates/core/src/x.rs", code)),
        [2, 3, 4, 5]
    );
    for dir in NO_FLOAT_DIRS {
        assert!(
            !check_floats(&format!("{dir}src/x.rs"), code).is_empty(),
            "{dir}"
        );
    }
    assert!(
        check_floats("crates/sim/src/x.rs", code).is_empty(),
        "sim may use floats"
    );
    let prose = "//! Never an f64.\n/// Not f32 either.\nconst S: &str = \"f64\";\n";
    assert!(check_floats("crates/core/src/x.rs", prose).is_empty());
}

#[test]
fn skipped_and_panicking_tests_are_caught() {
    let code = "//! Doc.\n#[test]\n#[ignore]\nfn a() {}\n#[ignore = \"slow\"]\n#[should_panic(expected = \"x\")]\n#[cfg_attr(ci, ignore)]\n";
    assert_eq!(
        lines(check_test_attributes("tests/x.rs", code)),
        [3, 5, 6, 7]
    );
    let fine =
        "//! Doc.\n// #[ignore] is banned\nlet s = \"#[should_panic]\";\nfn ignore_case() {}\n";
    assert!(check_test_attributes("tests/x.rs", fine).is_empty());
}

#[test]
fn debugging_and_placeholder_macros_are_caught() {
    let code = "//! Doc.\nlet x = dbg!(1);\nfn f() { todo!() }\nfn g() { unimplemented! (\"x\") }\nlet y = std::dbg!(2);\n";
    assert_eq!(
        lines(check_macros("crates/vault/src/x.rs", code)),
        [2, 3, 4, 5]
    );
    let fine = "//! Doc.\n// todo!() later\nlet s = \"dbg!(x)\";\nlet todo = 1;\nlet c = '!'; let t = todo != 1;\n";
    assert!(check_macros("crates/vault/src/x.rs", fine).is_empty());
}

#[test]
fn code_only_blanks_comments_and_literals_but_keeps_lines() {
    // Upper-case letters mark what must disappear; the code itself is lower-case.
    let source = "a /* X\n/* Y */ Y */ b // C\nlet s = \"Q\\\"\nQ\"; let t = r#\"Z\"Z\"#;\n\
                  let c = '\"'; let l: &'a str = b\"K\"; ('\\u{1F511}', 'É', '\\'', 'W');\n";
    let code = code_only(source);
    assert_eq!(
        code.lines().count(),
        source.lines().count(),
        "line numbers must survive"
    );
    assert!(
        !code.chars().any(|c| c.is_uppercase()),
        "literals and comments must go: {code:?}"
    );
    for kept in [
        "a",
        "b",
        "let s",
        "let t = r#\"",
        "\"#;",
        "let c",
        "&'a str",
        "let l",
        "(",
        ");",
    ] {
        assert!(code.contains(kept), "{kept:?} should be kept in {code:?}");
    }
}
