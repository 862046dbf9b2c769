//! ksqlDB's lexer (`SqlBase.g4`'s tokens): identifiers (unquoted ones uppercased, back-quoted
//! ones kept as typed), string literals in single quotes (`''` escapes a quote), numbers,
//! operators and `--` comments, each token with its line and column for error messages.

/// A token and where it starts: line from 1, column from 0 (ANTLR's `charPositionInLine`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    /// The text as typed, for error messages (`mismatched input 'X'`).
    pub(crate) text: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind {
    /// An unquoted word, uppercased: a keyword or an identifier, decided by the parser.
    Word(String),
    /// A back-quoted identifier, case kept.
    Quoted(String),
    Str(String),
    Integer(String),
    Decimal(String),
    Symbol(&'static str),
    Eof,
}

/// Longest first, so `<=` wins over `<`.
const SYMBOLS: &[&str] =
    &["<>", "!=", "<=", ">=", "||", "=>", "(", ")", ",", ";", ".", "*", "=", "<", ">", "+", "-", "/", "%", "[", "]"];

/// A lexing error: the position and ANTLR's `token recognition error` text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LexError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, LexError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut column) = (0usize, 1usize, 0usize);
    // Advances over `n` characters, keeping line and column right.
    let step = |i: &mut usize, line: &mut usize, column: &mut usize, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *column = 0;
            } else {
                *column += 1;
            }
            *i += 1;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            step(&mut i, &mut line, &mut column, 1);
            continue;
        }
        if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                step(&mut i, &mut line, &mut column, 1);
            }
            continue;
        }
        let (start_line, start_column, start) = (line, column, i);
        let kind = if c.is_ascii_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_' || chars[j] == '@') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            step(&mut i, &mut line, &mut column, j - start);
            TokenKind::Word(word.to_ascii_uppercase())
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let decimal = chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(char::is_ascii_digit);
            if decimal {
                j += 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let number: String = chars[i..j].iter().collect();
            step(&mut i, &mut line, &mut column, j - start);
            if decimal {
                TokenKind::Decimal(number)
            } else {
                TokenKind::Integer(number)
            }
        } else if c == '\'' || c == '`' || c == '"' {
            let mut j = i + 1;
            let mut value = String::new();
            loop {
                match chars.get(j) {
                    None => {
                        return Err(LexError {
                            line: start_line,
                            column: start_column,
                            message: format!("token recognition error at: '{}'", chars[i..].iter().collect::<String>()),
                        })
                    }
                    Some(&q) if q == c && chars.get(j + 1) == Some(&c) => {
                        value.push(c);
                        j += 2;
                    }
                    Some(&q) if q == c => {
                        j += 1;
                        break;
                    }
                    Some(&other) => {
                        value.push(other);
                        j += 1;
                    }
                }
            }
            step(&mut i, &mut line, &mut column, j - start);
            if c == '\'' {
                TokenKind::Str(value)
            } else {
                TokenKind::Quoted(value)
            }
        } else if let Some(symbol) =
            SYMBOLS.iter().find(|s| s.chars().enumerate().all(|(k, sc)| chars.get(i + k) == Some(&sc)))
        {
            step(&mut i, &mut line, &mut column, symbol.chars().count());
            TokenKind::Symbol(symbol)
        } else {
            return Err(LexError { line, column, message: format!("token recognition error at: '{c}'") });
        };
        let text: String = chars[start..i].iter().collect();
        tokens.push(Token { kind, text, line: start_line, column: start_column });
    }
    tokens.push(Token { kind: TokenKind::Eof, text: "<EOF>".to_string(), line, column });
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        tokenize(text).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn words_are_uppercased_quoted_identifiers_are_not() {
        assert_eq!(
            kinds("select `Bpm` from hr;"),
            vec![
                TokenKind::Word("SELECT".into()),
                TokenKind::Quoted("Bpm".into()),
                TokenKind::Word("FROM".into()),
                TokenKind::Word("HR".into()),
                TokenKind::Symbol(";"),
                TokenKind::Eof
            ]
        );
    }

    #[test]
    fn strings_numbers_operators_and_comments() {
        assert_eq!(
            kinds("'it''s' 12 1.5 <= <> -- comment\n>"),
            vec![
                TokenKind::Str("it's".into()),
                TokenKind::Integer("12".into()),
                TokenKind::Decimal("1.5".into()),
                TokenKind::Symbol("<="),
                TokenKind::Symbol("<>"),
                TokenKind::Symbol(">"),
                TokenKind::Eof
            ]
        );
    }

    #[test]
    fn positions_count_lines_and_columns() {
        let tokens = tokenize("SELECT\n  x").unwrap();
        assert_eq!((tokens[1].line, tokens[1].column), (2, 2));
    }

    #[test]
    fn an_unclosed_string_and_a_stray_character_are_errors() {
        assert!(tokenize("'abc").is_err());
        let e = tokenize("a # b").unwrap_err();
        assert_eq!((e.line, e.column, e.message.as_str()), (1, 2, "token recognition error at: '#'"));
    }
}
