//! The statements and expressions of ksqlDB's grammar that the simulator runs.

use super::value::{SqlType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceKind {
    Stream,
    Table,
}

impl SourceKind {
    /// `STREAM` / `TABLE`, as in messages.
    pub(crate) fn upper(self) -> &'static str {
        match self {
            SourceKind::Stream => "STREAM",
            SourceKind::Table => "TABLE",
        }
    }

    pub(crate) fn lower(self) -> &'static str {
        match self {
            SourceKind::Stream => "stream",
            SourceKind::Table => "table",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Value,
    /// `KEY` on a stream column.
    Key,
    /// `PRIMARY KEY` on a table column.
    PrimaryKey,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ColumnDef {
    pub(crate) name: String,
    pub(crate) ty: SqlType,
    pub(crate) key: KeyKind,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Statement {
    CreateSource {
        kind: SourceKind,
        name: String,
        if_not_exists: bool,
        columns: Vec<ColumnDef>,
        props: Vec<(String, Value)>,
    },
    CreateAsSelect {
        kind: SourceKind,
        name: String,
        if_not_exists: bool,
        props: Vec<(String, Value)>,
        query: Query,
    },
    /// `INSERT INTO s SELECT …`: a persistent query writing into an existing stream.
    InsertSelect {
        target: String,
        query: Query,
    },
    InsertValues {
        target: String,
        columns: Option<Vec<String>>,
        values: Vec<Expr>,
    },
    Select(Query),
    Show(ShowWhat),
    Describe {
        name: String,
        extended: bool,
    },
    Drop {
        kind: SourceKind,
        name: String,
        if_exists: bool,
        delete_topic: bool,
    },
    /// `TERMINATE id;` (None: `TERMINATE ALL;`).
    Terminate(Option<String>),
    Explain(String),
    Set {
        name: String,
        value: String,
    },
    Unset(String),
    Print {
        topic: String,
        from_beginning: bool,
        limit: Option<u64>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShowWhat {
    Streams,
    Tables,
    Queries,
    Topics,
    Properties,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Query {
    pub(crate) select: Vec<SelectItem>,
    pub(crate) from: SourceRef,
    pub(crate) join: Option<Join>,
    pub(crate) window: Option<WindowSpec>,
    pub(crate) filter: Option<Expr>,
    pub(crate) group_by: Vec<Expr>,
    pub(crate) having: Option<Expr>,
    pub(crate) emit_changes: bool,
    pub(crate) limit: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SourceRef {
    pub(crate) name: String,
    pub(crate) alias: Option<String>,
}

impl SourceRef {
    /// The name columns are qualified with: the alias, else the source's name.
    pub(crate) fn qualifier(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JoinKind {
    Inner,
    Left,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Join {
    pub(crate) kind: JoinKind,
    pub(crate) right: SourceRef,
    pub(crate) on: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SelectItem {
    Star,
    Expr { expr: Expr, alias: Option<String> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WindowSpec {
    Tumbling { size_ms: u64 },
    Hopping { size_ms: u64, advance_ms: u64 },
    Session { gap_ms: u64 },
}

impl WindowSpec {
    /// ksqlDB's `WindowType` name (DESCRIBE's `(Window type: TUMBLING)`).
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            WindowSpec::Tumbling { .. } => "TUMBLING",
            WindowSpec::Hopping { .. } => "HOPPING",
            WindowSpec::Session { .. } => "SESSION",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulus,
    Concat,
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Literal(Value),
    Column {
        qualifier: Option<String>,
        name: String,
    },
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    Cast {
        expr: Box<Expr>,
        ty: SqlType,
    },
    /// A function call; `COUNT(*)` has no arguments and `star`.
    Call {
        name: String,
        args: Vec<Expr>,
        star: bool,
    },
    /// The i-th aggregate of a query, after planning replaced its call.
    Aggregate(usize),
}

impl Expr {
    /// Every sub-expression, this one first.
    pub(crate) fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::Literal(_) | Expr::Column { .. } | Expr::Aggregate(_) => {}
            Expr::Not(e) | Expr::Negate(e) | Expr::IsNull { expr: e, .. } | Expr::Cast { expr: e, .. } => e.walk(visit),
            Expr::Binary(_, a, b) | Expr::Like { expr: a, pattern: b, .. } => {
                a.walk(visit);
                b.walk(visit);
            }
            Expr::Between { expr, low, high, .. } => {
                expr.walk(visit);
                low.walk(visit);
                high.walk(visit);
            }
            Expr::InList { expr, list, .. } => {
                expr.walk(visit);
                list.iter().for_each(|e| e.walk(visit));
            }
            Expr::Case { operand, whens, otherwise } => {
                if let Some(o) = operand {
                    o.walk(visit);
                }
                for (w, t) in whens {
                    w.walk(visit);
                    t.walk(visit);
                }
                if let Some(o) = otherwise {
                    o.walk(visit);
                }
            }
            Expr::Call { args, .. } => args.iter().for_each(|e| e.walk(visit)),
        }
    }
}
