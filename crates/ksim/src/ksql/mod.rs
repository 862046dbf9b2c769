//! ksqlDB 0.29 as the course meets it: the SQL language (lexer, parser, expressions),
//! the metastore of streams and tables, persistent and transient queries over the
//! simulated cluster's topics, and the CLI's output formats. The `ksql` console tool
//! (`console/ksql.rs`) drives it.

pub(crate) mod ast;
pub(crate) mod compile;
pub(crate) mod expr;
pub(crate) mod lexer;
pub(crate) mod metastore;
pub(crate) mod output;
pub(crate) mod parser;
pub(crate) mod plan;
pub(crate) mod query;
pub(crate) mod serde;
pub(crate) mod value;
