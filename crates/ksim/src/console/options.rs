//! Command-line options as Kafka's tools parse them (jopt-simple): long options with a
//! separate or `=` argument, unique-prefix abbreviations, `--` ending the options, and
//! jopt-simple's exception texts; plus its two-column help layout.

use super::{Console, Outcome};
use crate::vec_map::VecMap;

/// One option a tool accepts.
pub(crate) struct OptSpec {
    pub(crate) name: &'static str,
    /// `Some("String: topic")` when the option takes an argument (shown in the help).
    pub(crate) arg: Option<&'static str>,
    pub(crate) help: &'static str,
}

/// The parsed command line.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    values: VecMap<&'static str, Vec<String>>,
    /// Words that are not options (after `--`, or stray values).
    pub(crate) positionals: Vec<String>,
    /// True when `--` was given: words after it are positionals.
    pub(crate) saw_double_dash: bool,
}

impl Parsed {
    pub(crate) fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The last value given for `name` (jopt-simple's `valueOf`).
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(|v| v.last()).map(String::as_str)
    }

    /// Every value given for a repeatable option, in order.
    pub(crate) fn values(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }
}

/// A parse failure: jopt-simple's exception class and message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OptError {
    pub(crate) exception: &'static str,
    pub(crate) message: String,
}

fn find<'a>(specs: &'a [OptSpec], name: &str) -> Result<&'a OptSpec, OptError> {
    if let Some(exact) = specs.iter().find(|s| s.name == name) {
        return Ok(exact);
    }
    let matches: Vec<&OptSpec> = specs.iter().filter(|s| s.name.starts_with(name)).collect();
    match matches.as_slice() {
        [one] if !name.is_empty() => Ok(one),
        [] | [_] => Err(OptError {
            exception: "joptsimple.UnrecognizedOptionException",
            message: format!("{name} is not a recognized option"),
        }),
        _ => {
            let names: Vec<String> = matches.iter().map(|s| s.name.to_string()).collect();
            Err(OptError {
                exception: "joptsimple.OptionException",
                message: format!(
                    "Option '{name}' cannot be resolved: it is an ambiguous abbreviation of {}",
                    names.join(", ")
                ),
            })
        }
    }
}

pub(crate) fn parse(specs: &[OptSpec], args: &[String]) -> Result<Parsed, OptError> {
    let mut parsed = Parsed::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if parsed.saw_double_dash {
            parsed.positionals.push(arg.clone());
            continue;
        }
        if arg == "--" {
            parsed.saw_double_dash = true;
            continue;
        }
        let Some(body) = arg.strip_prefix("--").or_else(|| {
            arg.strip_prefix('-').filter(|b| !b.is_empty() && !b.starts_with(|c: char| c.is_ascii_digit()))
        }) else {
            parsed.positionals.push(arg.clone());
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let spec = find(specs, name)?;
        let value = match (spec.arg, inline) {
            (None, None) => String::new(),
            (None, Some(_)) => {
                return Err(OptError {
                    exception: "joptsimple.OptionException",
                    message: format!("Option ['{}'] does not take an argument", spec.name),
                })
            }
            (Some(_), Some(v)) => v,
            (Some(_), None) => match iter.next() {
                Some(v) => v.clone(),
                None => {
                    return Err(OptError {
                        exception: "joptsimple.OptionMissingRequiredArgumentException",
                        message: format!("Option ['{}'] requires an argument", spec.name),
                    })
                }
            },
        };
        parsed.values.entry(spec.name).or_default().push(value);
    }
    Ok(parsed)
}

/// Width of jopt-simple's option column and of a whole help line.
const OPTION_COLUMN: usize = 41;
const DESCRIPTION_COLUMN: usize = 39;

/// Greedy word wrap to `width` columns (an empty text is one empty line).
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `CommandLineUtils.printUsageAndExit`: the message, then the help, on stderr; status 1.
pub(crate) fn print_usage(con: &mut Console, specs: &[OptSpec], message: &str) -> Outcome {
    con.err(message.to_string());
    for line in help(specs) {
        con.err(line);
    }
    Outcome::Done(1)
}

/// `--help`: what the tool does (when it says), then the help, on stdout; status 0.
pub(crate) fn print_help(con: &mut Console, specs: &[OptSpec], about: Option<&str>) -> Outcome {
    if let Some(about) = about {
        con.out(about.to_string());
    }
    for line in help(specs) {
        con.out(line);
    }
    Outcome::Done(0)
}

/// jopt-simple's `BuiltinHelpFormatter` layout: `Option` and `Description` columns.
pub(crate) fn help(specs: &[OptSpec]) -> Vec<String> {
    let row = |left: &str, right: &str| format!("{left:<w$}{right}", w = OPTION_COLUMN).trim_end().to_string();
    let mut out = vec![row("Option", "Description"), row("------", "-----------")];
    let mut sorted: Vec<&OptSpec> = specs.iter().collect();
    crate::sort::sort_by_key(&mut sorted, |s| s.name);
    for spec in sorted {
        let left_text = match spec.arg {
            Some(a) => format!("--{} <{a}>", spec.name),
            None => format!("--{}", spec.name),
        };
        let left = wrap(&left_text, OPTION_COLUMN - 2);
        let right = wrap(spec.help, DESCRIPTION_COLUMN);
        for i in 0..left.len().max(right.len()) {
            let l = left.get(i).map_or(String::new(), |s| if i == 0 { s.clone() } else { format!("  {s}") });
            out.push(row(&l, right.get(i).map_or("", String::as_str)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[OptSpec] = &[
        OptSpec { name: "topic", arg: Some("String: topic"), help: "The topic." },
        OptSpec { name: "from-beginning", arg: None, help: "Start with the earliest message." },
        OptSpec { name: "property", arg: Some("String: prop"), help: "A property." },
        OptSpec { name: "partition", arg: Some("Integer: partition"), help: "A partition." },
    ];

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn values_flags_repeats_and_abbreviations() {
        let p = parse(SPECS, &args("--topic=t --from --property a=1 --property b=2")).unwrap();
        assert_eq!(p.value("topic"), Some("t"));
        assert!(p.has("from-beginning"));
        assert_eq!(p.values("property"), ["a=1", "b=2"]);
    }

    #[test]
    fn double_dash_ends_the_options() {
        let p = parse(SPECS, &args("--topic t -- from-beginning")).unwrap();
        assert!(!p.has("from-beginning"));
        assert!(p.saw_double_dash);
        assert_eq!(p.positionals, ["from-beginning"]);
    }

    #[test]
    fn errors_use_jopt_simple_wording() {
        assert_eq!(parse(SPECS, &args("--zookeeper x")).unwrap_err().message, "zookeeper is not a recognized option");
        assert_eq!(parse(SPECS, &args("--topic")).unwrap_err().message, "Option ['topic'] requires an argument");
        assert!(parse(SPECS, &args("--p x")).unwrap_err().message.contains("ambiguous"));
    }

    #[test]
    fn help_has_two_columns() {
        let h = help(SPECS);
        assert_eq!(h[0], "Option                                   Description");
        assert!(h.iter().any(|l| l.starts_with("--topic <String: topic>") && l.ends_with("The topic.")));
    }
}
