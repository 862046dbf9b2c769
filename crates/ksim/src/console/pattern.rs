//! The subset of Java regular expressions that `--topic` patterns use: literals, `.`,
//! `[...]` classes, `*`, `+`, `?`, `|` and `\` escapes, matched against the whole name
//! (as `Pattern.matches` does). A backtracking matcher with a step bound.

/// Steps after which a pathological pattern counts as not matching.
const STEPS_MAX: u32 = 100_000;

#[derive(Clone, Debug)]
enum Atom {
    Any,
    Char(char),
    Class { negated: bool, ranges: Vec<(char, char)> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Repeat {
    One,
    ZeroOrOne,
    ZeroOrMore,
    OneOrMore,
}

fn parse_branch(text: &str) -> Result<Vec<(Atom, Repeat)>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(Atom, Repeat)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let atom = match chars[i] {
            '.' => Atom::Any,
            '\\' => {
                i += 1;
                Atom::Char(*chars.get(i).ok_or("Unexpected internal error near index 1")?)
            }
            '[' => {
                let mut j = i + 1;
                let negated = chars.get(j) == Some(&'^');
                if negated {
                    j += 1;
                }
                let mut ranges = Vec::new();
                while j < chars.len() && chars[j] != ']' {
                    let lo = chars[j];
                    if chars.get(j + 1) == Some(&'-') && chars.get(j + 2).is_some_and(|c| *c != ']') {
                        ranges.push((lo, chars[j + 2]));
                        j += 3;
                    } else {
                        ranges.push((lo, lo));
                        j += 1;
                    }
                }
                if j >= chars.len() {
                    return Err(format!("Unclosed character class near index {}", chars.len() - 1));
                }
                i = j;
                Atom::Class { negated, ranges }
            }
            '*' | '+' | '?' => return Err(format!("Dangling meta character '{}' near index {i}", chars[i])),
            '(' | ')' | '{' | '}' | '^' | '$' => {
                return Err(format!(
                "Unsupported pattern character '{}' (Kafka Playground matches a subset of Java regular expressions)",
                chars[i]
            ))
            }
            c => Atom::Char(c),
        };
        i += 1;
        let repeat = match chars.get(i) {
            Some('*') => Repeat::ZeroOrMore,
            Some('+') => Repeat::OneOrMore,
            Some('?') => Repeat::ZeroOrOne,
            _ => Repeat::One,
        };
        if repeat != Repeat::One {
            i += 1;
        }
        out.push((atom, repeat));
    }
    Ok(out)
}

fn atom_matches(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Any => true,
        Atom::Char(x) => *x == c,
        Atom::Class { negated, ranges } => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated,
    }
}

fn match_here(branch: &[(Atom, Repeat)], text: &[char], steps: &mut u32) -> bool {
    *steps += 1;
    if *steps > STEPS_MAX {
        return false;
    }
    let Some(((atom, repeat), rest)) = branch.split_first() else {
        return text.is_empty();
    };
    match repeat {
        Repeat::One => text.first().is_some_and(|c| atom_matches(atom, *c)) && match_here(rest, &text[1..], steps),
        Repeat::ZeroOrOne => {
            (text.first().is_some_and(|c| atom_matches(atom, *c)) && match_here(rest, &text[1..], steps))
                || match_here(rest, text, steps)
        }
        Repeat::ZeroOrMore | Repeat::OneOrMore => {
            let min = usize::from(*repeat == Repeat::OneOrMore);
            let run = text.iter().take_while(|c| atom_matches(atom, **c)).count();
            (min..=run).rev().any(|n| match_here(rest, &text[n..], steps))
        }
    }
}

/// A compiled `--topic` pattern.
#[derive(Clone)]
pub(crate) struct TopicPattern {
    branches: Vec<Vec<(Atom, Repeat)>>,
}

impl TopicPattern {
    pub(crate) fn new(text: &str) -> Result<TopicPattern, String> {
        let branches = text.split('|').map(parse_branch).collect::<Result<_, _>>()?;
        Ok(TopicPattern { branches })
    }

    pub(crate) fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        let mut steps = 0;
        self.branches.iter().any(|b| match_here(b, &chars, &mut steps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(p: &str, t: &str) -> bool {
        TopicPattern::new(p).unwrap().matches(t)
    }

    #[test]
    fn whole_name_matching_like_java() {
        assert!(m("heart-rate-measures", "heart-rate-measures"));
        assert!(!m("heart", "heart-rate-measures"));
        assert!(m("heart.*", "heart-rate-measures"));
        assert!(m("icu-[0-9]+", "icu-12"));
        assert!(!m("icu-[0-9]+", "icu-"));
        assert!(m("a|b", "b"));
        assert!(m("icu\\.vitals", "icu.vitals"));
        assert!(!m("icu\\.vitals", "icu-vitals"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(TopicPattern::new("*x").is_err());
        assert!(TopicPattern::new("[abc").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(p in ".{0,40}", t in ".{0,40}") {
            if let Ok(pattern) = TopicPattern::new(&p) {
                let _ = pattern.matches(&t);
            }
        }
    }
}
