//! The command line, read by hand (as the other Malipo binaries do): `--db PATH`, one command,
//! and the command's options. Every option is checked against the command that takes it, so a
//! typo is an error rather than a silently ignored flag.

use std::path::PathBuf;

use crate::error::CliError;

/// The usage text printed by `--help` and after a usage error.
pub const USAGE: &str = "\
usage: malipo-cli --db PATH COMMAND [OPTIONS]

commands (each prints one JSON document on stdout, except export-csv):
  payments [--from MS] [--to MS] [--limit N]   the ledger, newest first, with allocations
  attempts [--pending]                          payment attempts the till raised
  unmatched [--limit N]                         money waiting to be placed
  inbox [--outcome O] [--limit N]               provider events as received
  audit [--entity E --id ID] [--limit N]        the audit log, newest first (who did what, when)
  export-csv [--from MS] [--to MS]              transactions as CSV
  import --provider P --kind K --body FILE [--header 'Name: value']… [--currency C]
                                                store a provider event as the relay would, then process it
  retry --inbox ID [--currency C]               re-process a problem (error) inbox event
  check                                         verify the ledger invariants

The Paystack secret for signature checks is read from MALIPO_PAYSTACK_SECRET.";

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub db: PathBuf,
    pub command: Command,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Payments {
        from: Option<i64>,
        to: Option<i64>,
        limit: Option<i64>,
    },
    Attempts {
        pending: bool,
    },
    Unmatched {
        limit: Option<i64>,
    },
    Inbox {
        outcome: Option<String>,
        limit: Option<i64>,
    },
    Audit {
        /// `(entity, id)`, e.g. `("unmatched", "3")`; both or neither.
        entity: Option<(String, String)>,
        limit: Option<i64>,
    },
    ExportCsv {
        from: Option<i64>,
        to: Option<i64>,
    },
    Import(ImportArgs),
    Retry {
        inbox_id: i64,
        currency: Option<String>,
    },
    Check,
    Help,
}

/// `import`'s options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportArgs {
    pub provider: String,
    pub kind: String,
    pub body: PathBuf,
    /// `Name: value` as given.
    pub headers: Vec<String>,
    pub currency: Option<String>,
}

/// Options that take a value.
const VALUE_OPTIONS: &[&str] = &[
    "db", "from", "to", "limit", "outcome", "provider", "kind", "body", "header", "currency",
    "inbox", "entity", "id",
];
/// Options that are switches.
const SWITCHES: &[&str] = &["pending", "help"];

/// The options of one command line, in order.
#[derive(Debug, Default)]
struct Options {
    values: Vec<(String, String)>,
    switches: Vec<String>,
}

impl Options {
    fn take(&mut self, name: &str) -> Vec<String> {
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.values)
            .into_iter()
            .partition(|(n, _)| n == name);
        self.values = kept;
        taken.into_iter().map(|(_, v)| v).collect()
    }

    fn one(&mut self, name: &str) -> Result<Option<String>, CliError> {
        let mut all = self.take(name);
        match all.len() {
            0 => Ok(None),
            1 => Ok(all.pop()),
            _ => Err(usage(format!("--{name} was given more than once"))),
        }
    }

    fn required(&mut self, name: &str, command: &str) -> Result<String, CliError> {
        self.one(name)?
            .ok_or_else(|| usage(format!("{command} needs --{name}")))
    }

    fn number(&mut self, name: &str) -> Result<Option<i64>, CliError> {
        self.one(name)?
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| usage(format!("--{name} must be a whole number, not {v:?}")))
            })
            .transpose()
    }

    fn switch(&mut self, name: &str) -> bool {
        let before = self.switches.len();
        self.switches.retain(|s| s != name);
        self.switches.len() != before
    }

    /// Fails on any option the command did not take.
    fn done(self, command: &str) -> Result<(), CliError> {
        let leftover = self
            .values
            .into_iter()
            .map(|(n, _)| n)
            .chain(self.switches)
            .next();
        match leftover {
            Some(name) => Err(usage(format!("{command} does not take --{name}"))),
            None => Ok(()),
        }
    }
}

fn usage(message: String) -> CliError {
    CliError::Usage(message)
}

/// Reads the command line (without the program name).
pub fn parse(argv: impl IntoIterator<Item = String>) -> Result<Args, CliError> {
    let mut options = Options::default();
    let mut positional = Vec::new();
    let mut argv = argv.into_iter();
    while let Some(arg) = argv.next() {
        let Some(flag) = arg.strip_prefix("--") else {
            positional.push(arg);
            continue;
        };
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (flag.to_owned(), None),
        };
        if SWITCHES.contains(&name.as_str()) && inline.is_none() {
            options.switches.push(name);
        } else if VALUE_OPTIONS.contains(&name.as_str()) {
            let value = match inline {
                Some(v) => v,
                None => argv
                    .next()
                    .ok_or_else(|| usage(format!("--{name} needs a value")))?,
            };
            options.values.push((name, value));
        } else {
            return Err(usage(format!("unknown option --{name}")));
        }
    }
    if options.switch("help") || positional.first().is_some_and(|p| p == "help") {
        return Ok(Args {
            db: PathBuf::new(),
            command: Command::Help,
        });
    }
    let db = options
        .one("db")?
        .map(PathBuf::from)
        .ok_or_else(|| usage("give the till's database file with --db PATH".into()))?;
    let name = match positional.as_slice() {
        [] => return Err(usage("no command given".into())),
        [one] => one.clone(),
        [_, extra, ..] => return Err(usage(format!("unexpected argument {extra:?}"))),
    };
    let command = command(&name, &mut options)?;
    options.done(&name)?;
    Ok(Args { db, command })
}

fn command(name: &str, o: &mut Options) -> Result<Command, CliError> {
    Ok(match name {
        "payments" => Command::Payments {
            from: o.number("from")?,
            to: o.number("to")?,
            limit: o.number("limit")?,
        },
        "attempts" => Command::Attempts {
            pending: o.switch("pending"),
        },
        "unmatched" => Command::Unmatched {
            limit: o.number("limit")?,
        },
        "inbox" => Command::Inbox {
            outcome: o.one("outcome")?,
            limit: o.number("limit")?,
        },
        "audit" => {
            Command::Audit {
                entity: match (o.one("entity")?, o.one("id")?) {
                    (Some(e), Some(id)) => Some((e, id)),
                    (None, None) => None,
                    _ => return Err(usage(
                        "audit takes --entity and --id together (e.g. --entity unmatched --id 3)"
                            .into(),
                    )),
                },
                limit: o.number("limit")?,
            }
        }
        "export-csv" => Command::ExportCsv {
            from: o.number("from")?,
            to: o.number("to")?,
        },
        "import" => Command::Import(ImportArgs {
            provider: o.required("provider", name)?,
            kind: o.required("kind", name)?,
            body: PathBuf::from(o.required("body", name)?),
            headers: o.take("header"),
            currency: o.one("currency")?,
        }),
        "retry" => Command::Retry {
            inbox_id: o
                .number("inbox")?
                .ok_or_else(|| usage("retry needs --inbox ID".into()))?,
            currency: o.one("currency")?,
        },
        "check" => Command::Check,
        other => return Err(usage(format!("unknown command {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(s: &[&str]) -> Result<Args, CliError> {
        parse(s.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn options_go_anywhere_and_repeat_where_allowed() {
        let a = args(&[
            "import",
            "--kind=stk",
            "--db",
            "x.db",
            "--provider",
            "daraja",
            "--body",
            "b.json",
            "--header",
            "A: 1",
            "--header",
            "B: 2",
        ])
        .unwrap();
        assert_eq!(a.db, PathBuf::from("x.db"));
        let Command::Import(i) = a.command else {
            panic!("not an import")
        };
        assert_eq!(i.kind, "stk");
        assert_eq!(i.headers, vec!["A: 1", "B: 2"]);
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for bad in [
            &["--db", "x", "payments", "--kind", "stk"][..],
            &["--db", "x", "payments", "--limit", "ten"],
            &["--db", "x", "frobnicate"],
            &["payments"],
            &["--db", "x"],
            &["--db", "x", "import", "--provider", "daraja"],
            &["--db", "x", "check", "--nope"],
            &["--db", "x", "payments", "--from", "1", "--from", "2"],
            &["--db", "x", "audit", "--entity", "sale"],
            &["--db", "x", "audit", "--id", "3"],
        ] {
            assert!(matches!(args(bad), Err(CliError::Usage(_))), "{bad:?}");
        }
    }

    #[test]
    fn audit_takes_an_entity_with_its_id() {
        let a = args(&["--db", "x", "audit", "--entity", "unmatched", "--id", "3"]).unwrap();
        assert_eq!(
            a.command,
            Command::Audit {
                entity: Some(("unmatched".into(), "3".into())),
                limit: None
            }
        );
        let a = args(&["--db", "x", "audit", "--limit", "5"]).unwrap();
        assert_eq!(
            a.command,
            Command::Audit {
                entity: None,
                limit: Some(5)
            }
        );
    }

    #[test]
    fn help_needs_no_database() {
        assert_eq!(args(&["--help"]).unwrap().command, Command::Help);
    }
}
