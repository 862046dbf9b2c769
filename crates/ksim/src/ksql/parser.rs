//! A recursive-descent parser for the part of ksqlDB's grammar (`SqlBase.g4`) the
//! simulator runs, with its syntax errors: `line 1:8: Syntax Error` followed by
//! `SyntaxErrorValidator`'s detail (`Unknown statement 'SELEC'` / `Did you mean 'SELECT'?`,
//! `Expecting 'FROM'`, `Syntax error at or near 'X' at line 1:8`).

use super::ast::*;
use super::lexer::{tokenize, Token, TokenKind};
use super::value::{SqlType, Value};

/// A syntax error: where, and the detail under `Syntax Error`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ParseError {
    pub(crate) line: usize,
    /// From 1, as ksqlDB prints it.
    pub(crate) column: usize,
    pub(crate) detail: String,
    /// Valid ksqlDB that Kafka Playground does not simulate (no `Syntax Error` heading).
    pub(crate) unsupported: bool,
}

impl ParseError {
    /// The text the CLI prints (`ParsingException.getUnloggedDetails`).
    pub(crate) fn render(&self) -> String {
        if self.unsupported {
            self.detail.clone()
        } else if self.detail.is_empty() {
            format!("line {}:{}: Syntax Error", self.line, self.column)
        } else {
            format!("line {}:{}: Syntax Error\n{}", self.line, self.column, self.detail)
        }
    }
}

/// The statements `SyntaxErrorValidator` suggests when the first word is unknown.
const COMMANDS: &[&str] = &[
    "SELECT",
    "CREATE",
    "INSERT",
    "DESCRIBE",
    "PRINT",
    "EXPLAIN",
    "SHOW",
    "LIST",
    "TERMINATE",
    "PAUSE",
    "RESUME",
    "DROP",
    "SET",
    "DEFINE",
    "UNDEFINE",
    "UNSET",
    "ASSERT",
    "ALTER",
];

/// Words that cannot name a column or source without back-quotes.
const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "EMIT", "CHANGES", "LIMIT", "AND", "OR", "NOT", "AS", "ON",
    "JOIN", "LEFT", "INNER", "WITH", "WINDOW", "CREATE", "INSERT", "INTO", "VALUES", "CASE", "WHEN", "THEN", "ELSE",
    "END", "IS", "NULL", "LIKE", "BETWEEN", "IN", "TRUE", "FALSE", "CAST",
];

/// The most hopping windows one record may fall into (size / advance), so one record
/// cannot make the simulator update millions of windows.
const HOPS_MAX: u64 = 1000;

/// Nesting bound for expressions, so hostile input cannot exhaust the stack.
const DEPTH_MAX: usize = 64;

/// Parses one or more statements, each ended by `;`.
pub(crate) fn parse(text: &str) -> Result<Vec<Statement>, ParseError> {
    let tokens = tokenize(text).map_err(|e| ParseError {
        line: e.line,
        column: e.column + 1,
        detail: e.message,
        unsupported: false,
    })?;
    let mut p = Parser { tokens, at: 0, depth: 0 };
    let mut statements = Vec::new();
    while !p.at_eof() {
        if p.eat_symbol(";") {
            continue;
        }
        statements.push(p.statement()?);
        if !p.eat_symbol(";") {
            return Err(p.unexpected_expecting(&["';'"]));
        }
    }
    Ok(statements)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The token list always ends with Eof, and `at` never passes it.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &TokenKind {
        &self.tokens[(self.at + ahead).min(self.tokens.len() - 1)].kind
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if t.kind != TokenKind::Eof {
            self.at += 1;
        }
        t
    }

    fn at_eof(&self) -> bool {
        self.peek().kind == TokenKind::Eof
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Word(w) if w == word)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.is_word(word) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        if self.peek().kind == TokenKind::Symbol(symbol_static(symbol)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ParseError> {
        if self.eat_word(word) {
            Ok(())
        } else {
            Err(self.unexpected_expecting(&[&format!("'{word}'")]))
        }
    }

    fn expect_symbol(&mut self, symbol: &str) -> Result<(), ParseError> {
        if self.eat_symbol(symbol) {
            Ok(())
        } else {
            Err(self.unexpected_expecting(&[&format!("'{symbol}'")]))
        }
    }

    fn error_here(&self, detail: String) -> ParseError {
        let t = self.peek();
        ParseError { line: t.line, column: t.column + 1, detail, unsupported: false }
    }

    /// Valid ksqlDB the simulator does not run: said plainly, not as a syntax error.
    fn unsupported_here(&self, detail: String) -> ParseError {
        ParseError { unsupported: true, ..self.error_here(detail) }
    }

    /// ANTLR's `mismatched input` as `SyntaxErrorValidator` words it.
    fn unexpected_expecting(&self, expected: &[&str]) -> ParseError {
        let t = self.peek();
        if t.kind == TokenKind::Eof && expected.contains(&"')'") {
            return self.error_here("Syntax error at or near \";\"\n'}', ']', or ')' is missing".to_string());
        }
        if let TokenKind::Word(w) = &t.kind {
            if RESERVED.contains(&w.as_str()) && expected.iter().any(|e| e.contains("identifier")) {
                return self.error_here(format!("\"{}\" is a reserved keyword and it can't be used as an identifier. You can use it as an identifier by escaping it as `{}` ", t.text, t.text));
            }
        }
        let list = if expected.len() == 1 { expected[0].to_string() } else { format!("{{{}}}", expected.join(", ")) };
        self.error_here(format!("Expecting {list}"))
    }

    /// Whether more `(` than `)` came before this point.
    fn open_parentheses(&self) -> bool {
        let seen = &self.tokens[..self.at];
        let count = |s: &str| seen.iter().filter(|t| t.kind == TokenKind::Symbol(symbol_static(s))).count();
        count("(") > count(")")
    }

    fn near(&self) -> ParseError {
        let t = self.peek();
        self.error_here(format!("Syntax error at or near '{}' at line {}:{}", t.text, t.line, t.column + 1))
    }

    /// An identifier: an unreserved word (uppercased) or a back-quoted name.
    fn identifier(&mut self) -> Result<String, ParseError> {
        match &self.peek().kind {
            TokenKind::Word(w) if !RESERVED.contains(&w.as_str()) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            TokenKind::Quoted(q) => {
                let q = q.clone();
                self.at += 1;
                Ok(q)
            }
            _ => Err(self.unexpected_expecting(&["an identifier"])),
        }
    }

    fn statement(&mut self) -> Result<Statement, ParseError> {
        let first = self.peek().clone();
        let TokenKind::Word(word) = &first.kind else {
            return Err(self.near());
        };
        match word.as_str() {
            "CREATE" => self.create(),
            "SELECT" => Ok(Statement::Select(self.query()?)),
            "INSERT" => self.insert(),
            "SHOW" | "LIST" => self.show(),
            "DESCRIBE" if matches!(self.peek_at(1), TokenKind::Word(w) if w == "STREAMS" || w == "TABLES" || w == "FUNCTION" || w == "CONNECTOR") =>
            {
                self.advance();
                Err(self.unsupported_here(format!(
                    "DESCRIBE {} is not simulated in Kafka Playground; use DESCRIBE <name> [EXTENDED].",
                    self.peek().text
                )))
            }
            "DESCRIBE" => {
                self.advance();
                let name = self.identifier()?;
                let extended = self.eat_word("EXTENDED");
                Ok(Statement::Describe { name, extended })
            }
            "DROP" => self.drop(),
            "TERMINATE" => {
                self.advance();
                if self.eat_word("ALL") {
                    Ok(Statement::Terminate(None))
                } else {
                    Ok(Statement::Terminate(Some(self.identifier()?)))
                }
            }
            "EXPLAIN" => {
                self.advance();
                Ok(Statement::Explain(self.identifier()?))
            }
            "SET" => {
                self.advance();
                let name = self.string()?;
                self.expect_symbol("=")?;
                let value = self.string()?;
                Ok(Statement::Set { name, value })
            }
            "UNSET" => {
                self.advance();
                Ok(Statement::Unset(self.string()?))
            }
            "PRINT" => self.print(),
            _ => {
                let suggestion = COMMANDS.iter().min_by_key(|c| levenshtein(c, word)).copied().unwrap_or("SELECT");
                Err(self.error_here(format!("Unknown statement '{}'\nDid you mean '{suggestion}'?", first.text)))
            }
        }
    }

    fn string(&mut self) -> Result<String, ParseError> {
        match &self.peek().kind {
            TokenKind::Str(s) => {
                let s = s.clone();
                self.at += 1;
                Ok(s)
            }
            _ => Err(self.unexpected_expecting(&["STRING"])),
        }
    }

    fn integer(&mut self) -> Result<u64, ParseError> {
        match &self.peek().kind {
            TokenKind::Integer(n) => match n.parse::<u64>() {
                Ok(v) => {
                    self.at += 1;
                    Ok(v)
                }
                Err(_) => Err(self.error_here(format!("Invalid numeric literal: {n}"))),
            },
            _ => Err(self.unexpected_expecting(&["INTEGER_VALUE"])),
        }
    }

    fn create(&mut self) -> Result<Statement, ParseError> {
        self.expect_word("CREATE")?;
        if self.is_word("SOURCE") {
            return Err(self.unsupported_here("CREATE SOURCE STREAM/TABLE is not simulated in Kafka Playground; use CREATE STREAM/TABLE, and CREATE TABLE … AS SELECT for a queryable table.".to_string()));
        }
        if self.eat_word("OR") {
            return Err(self.unsupported_here(
                "CREATE OR REPLACE is not simulated in Kafka Playground; DROP the source and create it again."
                    .to_string(),
            ));
        }
        let kind = if self.eat_word("STREAM") {
            SourceKind::Stream
        } else if self.eat_word("TABLE") {
            SourceKind::Table
        } else {
            return Err(self.unexpected_expecting(&["'STREAM'", "'TABLE'"]));
        };
        let if_not_exists = if self.eat_word("IF") {
            self.expect_word("NOT")?;
            self.expect_word("EXISTS")?;
            true
        } else {
            false
        };
        let name = self.identifier()?;
        if self.peek().kind == TokenKind::Symbol("(") {
            let columns = self.column_defs()?;
            let props = self.with_props()?;
            return Ok(Statement::CreateSource { kind, name, if_not_exists, columns, props });
        }
        let props = self.with_props()?;
        self.expect_word("AS")?;
        if !self.is_word("SELECT") {
            return Err(self.unexpected_expecting(&["'SELECT'"]));
        }
        let query = self.query()?;
        Ok(Statement::CreateAsSelect { kind, name, if_not_exists, props, query })
    }

    fn column_defs(&mut self) -> Result<Vec<ColumnDef>, ParseError> {
        self.expect_symbol("(")?;
        let mut columns = Vec::new();
        loop {
            let name = self.identifier()?;
            let ty = self.sql_type()?;
            let key = if self.eat_word("PRIMARY") {
                self.expect_word("KEY")?;
                KeyKind::PrimaryKey
            } else if self.eat_word("KEY") {
                KeyKind::Key
            } else {
                KeyKind::Value
            };
            columns.push(ColumnDef { name, ty, key });
            if self.eat_symbol(")") {
                return Ok(columns);
            }
            if !self.eat_symbol(",") {
                return Err(self.unexpected_expecting(&["','", "')'"]));
            }
        }
    }

    fn sql_type(&mut self) -> Result<SqlType, ParseError> {
        let t = self.peek().clone();
        let TokenKind::Word(w) = &t.kind else {
            return Err(self.unexpected_expecting(&["a type"]));
        };
        match SqlType::parse(w) {
            Some(ty) => {
                self.at += 1;
                Ok(ty)
            }
            None if matches!(
                w.as_str(),
                "ARRAY" | "MAP" | "STRUCT" | "DECIMAL" | "TIMESTAMP" | "DATE" | "TIME" | "BYTES"
            ) =>
            {
                Err(self.unsupported_here(format!(
                    "Type {w} is not simulated in Kafka Playground; use BOOLEAN, INT, BIGINT, DOUBLE or VARCHAR."
                )))
            }
            None => Err(self.error_here(format!("Unknown type: {}", t.text))),
        }
    }

    fn with_props(&mut self) -> Result<Vec<(String, Value)>, ParseError> {
        let mut props = Vec::new();
        if !self.eat_word("WITH") {
            return Ok(props);
        }
        self.expect_symbol("(")?;
        loop {
            let name = self.identifier()?;
            self.expect_symbol("=")?;
            let value = match self.advance().kind {
                TokenKind::Str(s) => Value::String(s),
                TokenKind::Integer(n) => Value::Bigint(n.parse().unwrap_or(i64::MAX)),
                TokenKind::Word(w) if w == "TRUE" || w == "FALSE" => Value::Boolean(w == "TRUE"),
                _ => {
                    self.at -= 1;
                    return Err(self.unexpected_expecting(&["STRING", "INTEGER_VALUE"]));
                }
            };
            props.push((name, value));
            if self.eat_symbol(")") {
                return Ok(props);
            }
            if !self.eat_symbol(",") {
                return Err(self.unexpected_expecting(&["','", "')'"]));
            }
        }
    }

    fn insert(&mut self) -> Result<Statement, ParseError> {
        self.expect_word("INSERT")?;
        self.expect_word("INTO")?;
        let target = self.identifier()?;
        let columns = if self.eat_symbol("(") {
            let mut names = vec![self.identifier()?];
            while self.eat_symbol(",") {
                names.push(self.identifier()?);
            }
            self.expect_symbol(")")?;
            Some(names)
        } else {
            None
        };
        if self.is_word("SELECT") {
            if columns.is_some() {
                return Err(self.near());
            }
            return Ok(Statement::InsertSelect { target, query: self.query()? });
        }
        self.expect_word("VALUES")?;
        self.expect_symbol("(")?;
        let mut values = vec![self.expr()?];
        while self.eat_symbol(",") {
            values.push(self.expr()?);
        }
        self.expect_symbol(")")?;
        Ok(Statement::InsertValues { target, columns, values })
    }

    fn show(&mut self) -> Result<Statement, ParseError> {
        self.advance();
        let what = match &self.peek().kind {
            TokenKind::Word(w) => match w.as_str() {
                "STREAMS" => ShowWhat::Streams,
                "TABLES" => ShowWhat::Tables,
                "QUERIES" => ShowWhat::Queries,
                "TOPICS" => ShowWhat::Topics,
                "PROPERTIES" => ShowWhat::Properties,
                _ => return Err(self.near()),
            },
            _ => return Err(self.near()),
        };
        self.at += 1;
        if self.is_word("EXTENDED") {
            return Err(self.unsupported_here(
                "SHOW … EXTENDED is not simulated in Kafka Playground; use DESCRIBE <name> EXTENDED.".to_string(),
            ));
        }
        Ok(Statement::Show(what))
    }

    fn drop(&mut self) -> Result<Statement, ParseError> {
        self.expect_word("DROP")?;
        let kind = if self.eat_word("STREAM") {
            SourceKind::Stream
        } else if self.eat_word("TABLE") {
            SourceKind::Table
        } else {
            return Err(self.unexpected_expecting(&["'STREAM'", "'TABLE'"]));
        };
        let if_exists = if self.eat_word("IF") {
            self.expect_word("EXISTS")?;
            true
        } else {
            false
        };
        let name = self.identifier()?;
        let delete_topic = if self.eat_word("DELETE") {
            self.expect_word("TOPIC")?;
            true
        } else {
            false
        };
        Ok(Statement::Drop { kind, name, if_exists, delete_topic })
    }

    fn print(&mut self) -> Result<Statement, ParseError> {
        self.expect_word("PRINT")?;
        let topic = match self.advance().kind {
            TokenKind::Str(s) | TokenKind::Quoted(s) => s,
            TokenKind::Word(w) => w,
            _ => {
                self.at -= 1;
                return Err(self.unexpected_expecting(&["STRING", "an identifier"]));
            }
        };
        let from_beginning = if self.eat_word("FROM") {
            self.expect_word("BEGINNING")?;
            true
        } else {
            false
        };
        let limit = if self.eat_word("LIMIT") { Some(self.integer()?) } else { None };
        Ok(Statement::Print { topic, from_beginning, limit })
    }

    fn query(&mut self) -> Result<Query, ParseError> {
        self.expect_word("SELECT")?;
        let mut select = Vec::new();
        loop {
            if self.eat_symbol("*") {
                select.push(SelectItem::Star);
            } else {
                let expr = self.expr()?;
                // `AS` is optional before an alias.
                let aliased = self.eat_word("AS")
                    || matches!(&self.peek().kind, TokenKind::Word(w) if !RESERVED.contains(&w.as_str()))
                    || matches!(self.peek().kind, TokenKind::Quoted(_));
                let alias = if aliased { Some(self.identifier()?) } else { None };
                select.push(SelectItem::Expr { expr, alias });
            }
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_word("FROM")?;
        let from = self.source_ref()?;
        let join = if self.is_word("JOIN") || self.is_word("INNER") || self.is_word("LEFT") {
            let kind = if self.eat_word("LEFT") {
                self.eat_word("OUTER");
                JoinKind::Left
            } else {
                self.eat_word("INNER");
                JoinKind::Inner
            };
            self.expect_word("JOIN")?;
            let right = self.source_ref()?;
            if self.is_word("WITHIN") {
                return Err(self.unsupported_here(
                    "Stream-stream joins (WITHIN) are not simulated in Kafka Playground; join a stream with a table."
                        .to_string(),
                ));
            }
            self.expect_word("ON")?;
            let on = self.expr()?;
            Some(Join { kind, right, on })
        } else if self.is_word("FULL") || self.is_word("RIGHT") {
            return Err(self.unsupported_here(format!(
                "{} joins are not simulated in Kafka Playground; use JOIN or LEFT JOIN.",
                self.peek().text
            )));
        } else {
            None
        };
        let window = if self.eat_word("WINDOW") { Some(self.window()?) } else { None };
        let filter = if self.eat_word("WHERE") { Some(self.expr()?) } else { None };
        let mut group_by = Vec::new();
        if self.eat_word("GROUP") {
            self.expect_word("BY")?;
            group_by.push(self.expr()?);
            while self.eat_symbol(",") {
                group_by.push(self.expr()?);
            }
        }
        let having = if self.eat_word("HAVING") { Some(self.expr()?) } else { None };
        let emit_changes = if self.eat_word("EMIT") {
            if !self.eat_word("CHANGES") && !self.eat_word("FINAL") {
                return Err(self.unexpected_expecting(&["'CHANGES'", "'FINAL'"]));
            }
            true
        } else {
            false
        };
        let limit = if self.eat_word("LIMIT") { Some(self.integer()?) } else { None };
        Ok(Query { select, from, join, window, filter, group_by, having, emit_changes, limit })
    }

    fn source_ref(&mut self) -> Result<SourceRef, ParseError> {
        let name = self.identifier()?;
        let clause = |w: &str| matches!(w, "WINDOW" | "LEFT" | "INNER" | "FULL" | "RIGHT" | "JOIN");
        let aliased = self.eat_word("AS")
            || matches!(&self.peek().kind, TokenKind::Word(w) if !RESERVED.contains(&w.as_str()) && !clause(w));
        let alias = if aliased { Some(self.identifier()?) } else { None };
        Ok(SourceRef { name, alias })
    }

    fn window(&mut self) -> Result<WindowSpec, ParseError> {
        let spec = if self.eat_word("TUMBLING") {
            self.expect_symbol("(")?;
            self.expect_word("SIZE")?;
            let size_ms = self.duration()?;
            if size_ms == 0 {
                return Err(self.error_here("Size of a window must be greater than zero.".to_string()));
            }
            WindowSpec::Tumbling { size_ms }
        } else if self.eat_word("HOPPING") {
            self.expect_symbol("(")?;
            self.expect_word("SIZE")?;
            let size_ms = self.duration()?;
            self.expect_symbol(",")?;
            self.expect_word("ADVANCE")?;
            self.expect_word("BY")?;
            let advance_ms = self.duration()?;
            if advance_ms == 0 || advance_ms > size_ms {
                return Err(self.error_here(format!("Window advance must be at least 1ms and at most the size: size {size_ms} ms, advance {advance_ms} ms")));
            }
            if size_ms / advance_ms > HOPS_MAX {
                return Err(self.unsupported_here(format!("A record would fall into more than {HOPS_MAX} hopping windows; Kafka Playground refuses windows that overlap this much.")));
            }
            WindowSpec::Hopping { size_ms, advance_ms }
        } else if self.eat_word("SESSION") {
            self.expect_symbol("(")?;
            let gap_ms = self.duration()?;
            WindowSpec::Session { gap_ms }
        } else {
            return Err(self.unexpected_expecting(&["'TUMBLING'", "'HOPPING'", "'SESSION'"]));
        };
        if self.eat_symbol(",") && (self.eat_word("GRACE") || self.eat_word("RETENTION")) {
            self.eat_word("PERIOD");
            self.duration()?;
        }
        self.expect_symbol(")")?;
        Ok(spec)
    }

    fn duration(&mut self) -> Result<u64, ParseError> {
        let n = self.integer()?;
        let unit_ms: u64 = match &self.peek().kind {
            TokenKind::Word(w) => match w.trim_end_matches('S') {
                "MILLISECOND" => 1,
                "SECOND" => 1000,
                "MINUTE" => 60_000,
                "HOUR" => 3_600_000,
                "DAY" => 86_400_000,
                _ => return Err(self.near()),
            },
            _ => return Err(self.unexpected_expecting(&["a time unit"])),
        };
        self.at += 1;
        n.checked_mul(unit_ms).ok_or_else(|| self.error_here("Window size too large".to_string()))
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > DEPTH_MAX {
            return Err(self.error_here("Expression nested too deeply".to_string()));
        }
        let e = self.or();
        self.depth -= 1;
        e
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.and()?;
        while self.eat_word("OR") {
            left = Expr::Binary(BinaryOp::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.not()?;
        while self.eat_word("AND") {
            left = Expr::Binary(BinaryOp::And, Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.eat_word("NOT") {
            self.depth += 1;
            if self.depth > DEPTH_MAX {
                return Err(self.error_here("Expression nested too deeply".to_string()));
            }
            let e = self.not().map(|e| Expr::Not(Box::new(e)));
            self.depth -= 1;
            return e;
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, ParseError> {
        let left = self.additive()?;
        let op = match &self.peek().kind {
            TokenKind::Symbol("=") => Some(BinaryOp::Eq),
            TokenKind::Symbol("!=") | TokenKind::Symbol("<>") => Some(BinaryOp::NotEq),
            TokenKind::Symbol("<") => Some(BinaryOp::Lt),
            TokenKind::Symbol("<=") => Some(BinaryOp::LtEq),
            TokenKind::Symbol(">") => Some(BinaryOp::Gt),
            TokenKind::Symbol(">=") => Some(BinaryOp::GtEq),
            _ => None,
        };
        if let Some(op) = op {
            self.at += 1;
            let right = self.additive()?;
            return Ok(Expr::Binary(op, Box::new(left), Box::new(right)));
        }
        if self.eat_word("IS") {
            let negated = self.eat_word("NOT");
            self.expect_word("NULL")?;
            return Ok(Expr::IsNull { expr: Box::new(left), negated });
        }
        let negated = self.is_word("NOT")
            && matches!(self.peek_at(1), TokenKind::Word(w) if w == "LIKE" || w == "BETWEEN" || w == "IN");
        if negated {
            self.at += 1;
        }
        if self.eat_word("LIKE") {
            let pattern = self.additive()?;
            return Ok(Expr::Like { expr: Box::new(left), pattern: Box::new(pattern), negated });
        }
        if self.eat_word("BETWEEN") {
            let low = self.additive()?;
            self.expect_word("AND")?;
            let high = self.additive()?;
            return Ok(Expr::Between { expr: Box::new(left), low: Box::new(low), high: Box::new(high), negated });
        }
        if self.eat_word("IN") {
            self.expect_symbol("(")?;
            let mut list = vec![self.expr()?];
            while self.eat_symbol(",") {
                list.push(self.expr()?);
            }
            self.expect_symbol(")")?;
            return Ok(Expr::InList { expr: Box::new(left), list, negated });
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek().kind {
                TokenKind::Symbol("+") => BinaryOp::Add,
                TokenKind::Symbol("-") => BinaryOp::Subtract,
                TokenKind::Symbol("||") => BinaryOp::Concat,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.multiplicative()?));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek().kind {
                TokenKind::Symbol("*") => BinaryOp::Multiply,
                TokenKind::Symbol("/") => BinaryOp::Divide,
                TokenKind::Symbol("%") => BinaryOp::Modulus,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat_symbol("-") {
            self.depth += 1;
            if self.depth > DEPTH_MAX {
                return Err(self.error_here("Expression nested too deeply".to_string()));
            }
            let e = self.unary().map(|e| match e {
                Expr::Literal(Value::Integer(n)) => Expr::Literal(Value::Integer(-n)),
                Expr::Literal(Value::Bigint(n)) => Expr::Literal(Value::Bigint(-n)),
                Expr::Literal(Value::Double(d)) => Expr::Literal(Value::Double(-d)),
                other => Expr::Negate(Box::new(other)),
            });
            self.depth -= 1;
            return e;
        }
        self.eat_symbol("+");
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek().clone();
        match &t.kind {
            TokenKind::Symbol("(") => {
                self.at += 1;
                let e = self.expr()?;
                self.expect_symbol(")")?;
                Ok(e)
            }
            TokenKind::Str(s) => {
                self.at += 1;
                Ok(Expr::Literal(Value::String(s.clone())))
            }
            TokenKind::Integer(n) => {
                self.at += 1;
                Ok(Expr::Literal(match n.parse::<i32>() {
                    Ok(v) => Value::Integer(v),
                    Err(_) => match n.parse::<i64>() {
                        Ok(v) => Value::Bigint(v),
                        Err(_) => return Err(self.error_here(format!("Invalid numeric literal: {n}"))),
                    },
                }))
            }
            TokenKind::Decimal(n) => {
                self.at += 1;
                Ok(Expr::Literal(Value::Double(n.parse().unwrap_or(0.0))))
            }
            TokenKind::Word(w) if w == "NULL" => {
                self.at += 1;
                Ok(Expr::Literal(Value::Null))
            }
            TokenKind::Word(w) if w == "TRUE" || w == "FALSE" => {
                self.at += 1;
                Ok(Expr::Literal(Value::Boolean(w == "TRUE")))
            }
            TokenKind::Word(w) if w == "CASE" => {
                self.at += 1;
                self.case()
            }
            TokenKind::Word(w) if w == "CAST" => {
                self.at += 1;
                self.expect_symbol("(")?;
                let expr = self.expr()?;
                self.expect_word("AS")?;
                let ty = self.sql_type()?;
                self.expect_symbol(")")?;
                Ok(Expr::Cast { expr: Box::new(expr), ty })
            }
            TokenKind::Word(_) | TokenKind::Quoted(_) => {
                let first = self.identifier()?;
                if self.eat_symbol("(") {
                    return self.call(first);
                }
                if self.eat_symbol(".") {
                    let name = self.identifier()?;
                    return Ok(Expr::Column { qualifier: Some(first), name });
                }
                Ok(Expr::Column { qualifier: None, name: first })
            }
            TokenKind::Eof if self.open_parentheses() => {
                Err(self.error_here("Syntax error at or near \";\"\n'}', ']', or ')' is missing".to_string()))
            }
            _ => Err(self.near()),
        }
    }

    fn call(&mut self, name: String) -> Result<Expr, ParseError> {
        if self.eat_symbol("*") {
            self.expect_symbol(")")?;
            return Ok(Expr::Call { name, args: Vec::new(), star: true });
        }
        let mut args = Vec::new();
        if !self.eat_symbol(")") {
            args.push(self.expr()?);
            while self.eat_symbol(",") {
                args.push(self.expr()?);
            }
            self.expect_symbol(")")?;
        }
        Ok(Expr::Call { name, args, star: false })
    }

    fn case(&mut self) -> Result<Expr, ParseError> {
        let operand = if self.is_word("WHEN") { None } else { Some(Box::new(self.expr()?)) };
        let mut whens = Vec::new();
        while self.eat_word("WHEN") {
            let when = self.expr()?;
            self.expect_word("THEN")?;
            whens.push((when, self.expr()?));
        }
        if whens.is_empty() {
            return Err(self.unexpected_expecting(&["'WHEN'"]));
        }
        let otherwise = if self.eat_word("ELSE") { Some(Box::new(self.expr()?)) } else { None };
        self.expect_word("END")?;
        Ok(Expr::Case { operand, whens, otherwise })
    }
}

/// The lexer's symbols are `&'static str`; this finds the one equal to `s`.
fn symbol_static(s: &str) -> &'static str {
    const ALL: &[&str] = &[
        "<>", "!=", "<=", ">=", "||", "=>", "(", ")", ",", ";", ".", "*", "=", "<", ">", "+", "-", "/", "%", "[", "]",
    ];
    ALL.iter().find(|x| **x == s).copied().unwrap_or("")
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Statement {
        let mut s = parse(text).unwrap();
        assert_eq!(s.len(), 1);
        s.remove(0)
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().render()
    }

    #[test]
    fn create_stream_with_key_and_properties() {
        let s = one("CREATE STREAM heart_rate (patient VARCHAR KEY, bpm INT) WITH (kafka_topic='heart-rate-measures', value_format='JSON', partitions=1);");
        let Statement::CreateSource { kind, name, columns, props, .. } = s else { panic!("{s:?}") };
        assert_eq!((kind, name.as_str()), (SourceKind::Stream, "HEART_RATE"));
        assert_eq!(columns[0], ColumnDef { name: "PATIENT".into(), ty: SqlType::String, key: KeyKind::Key });
        assert_eq!(columns[1].ty, SqlType::Integer);
        assert_eq!(props[0], ("KAFKA_TOPIC".to_string(), Value::String("heart-rate-measures".into())));
        assert_eq!(props[2], ("PARTITIONS".to_string(), Value::Bigint(1)));
    }

    #[test]
    fn ctas_with_window_group_by_and_aggregates() {
        let s = one("CREATE TABLE c AS SELECT case_id, COUNT(*) AS n, LATEST_BY_OFFSET(activity) last FROM ev WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY case_id EMIT CHANGES;");
        let Statement::CreateAsSelect { query, .. } = s else { panic!() };
        assert_eq!(query.window, Some(WindowSpec::Tumbling { size_ms: 60_000 }));
        assert_eq!(query.group_by.len(), 1);
        assert!(query.emit_changes);
        assert!(
            matches!(&query.select[1], SelectItem::Expr { expr: Expr::Call { star: true, .. }, alias: Some(a) } if a == "N")
        );
        assert!(matches!(&query.select[2], SelectItem::Expr { alias: Some(a), .. } if a == "LAST"));
    }

    #[test]
    fn precedence_and_predicates() {
        let Statement::Select(q) = one("SELECT * FROM s WHERE a + 2 * 3 > 7 AND NOT b LIKE 'x%' OR c BETWEEN 1 AND 2;")
        else {
            panic!()
        };
        let Some(Expr::Binary(BinaryOp::Or, left, _)) = q.filter else { panic!() };
        let Expr::Binary(BinaryOp::And, gt, not) = *left else { panic!() };
        assert!(matches!(*not, Expr::Not(_)));
        let Expr::Binary(BinaryOp::Gt, sum, _) = *gt else { panic!() };
        assert!(
            matches!(*sum, Expr::Binary(BinaryOp::Add, _, ref product) if matches!(**product, Expr::Binary(BinaryOp::Multiply, ..)))
        );
    }

    #[test]
    fn joins_case_cast_and_several_statements() {
        let all = parse("SELECT r.id, CASE WHEN t.level > 2 THEN 'slow' ELSE 'ok' END AS s, CAST(r.n AS DOUBLE) FROM r JOIN t ON r.zone = t.zone EMIT CHANGES; SHOW STREAMS;").unwrap();
        assert_eq!(all.len(), 2);
        let Statement::Select(q) = &all[0] else { panic!() };
        assert_eq!(q.join.as_ref().map(|j| j.right.name.as_str()), Some("T"));
        assert_eq!(all[1], Statement::Show(ShowWhat::Streams));
    }

    #[test]
    fn insert_into_select_and_values() {
        assert!(
            matches!(one("INSERT INTO all_hr SELECT * FROM hr EMIT CHANGES;"), Statement::InsertSelect { target, .. } if target == "ALL_HR")
        );
        assert!(
            matches!(one("INSERT INTO hr (a) VALUES (1);"), Statement::InsertValues { values, .. } if values.len() == 1)
        );
    }

    #[test]
    fn syntax_errors_read_as_ksqldb_writes_them() {
        assert_eq!(
            error("SELEC * FROM s;"),
            "line 1:1: Syntax Error\nUnknown statement 'SELEC'\nDid you mean 'SELECT'?"
        );
        assert_eq!(error("SELECT * s;"), "line 1:10: Syntax Error\nExpecting 'FROM'");
        assert_eq!(error("SELECT * FROM s"), "line 1:16: Syntax Error\nExpecting ';'");
        assert_eq!(error("SELECT COUNT(x FROM s;"), "line 1:16: Syntax Error\nExpecting ')'");
        assert_eq!(error("SELECT * FROM s WHERE (a = 1;"), "line 1:29: Syntax Error\nExpecting ')'");
        assert_eq!(error("CREATE STREAM s (from INT);"), "line 1:18: Syntax Error\n\"from\" is a reserved keyword and it can't be used as an identifier. You can use it as an identifier by escaping it as `from` ");
        assert!(error("SELECT 'open FROM s;").starts_with("line 1:8: Syntax Error\ntoken recognition error"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("SELECT {}1{} FROM s;", "(".repeat(5000), ")".repeat(5000));
        assert!(error(&text).contains("nested too deeply"));
        let text = format!("SELECT {}1 FROM s;", "NOT ".repeat(5000));
        assert!(error(&text).contains("nested too deeply"));
    }
}
