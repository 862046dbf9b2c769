//! ksqlDB's metastore: the streams and tables the server knows (`DataSource`: name, kind,
//! Kafka topic, key and value formats, columns with the key ones first, window type) and
//! the statement that created each one.

use super::ast::{SourceKind, WindowSpec};
use super::serde::{ColumnSpec, Format};
use super::value::SqlType;
use crate::vec_map::VecMap;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) ty: SqlType,
    pub(crate) key: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DataSource {
    pub(crate) kind: SourceKind,
    pub(crate) name: String,
    pub(crate) topic: String,
    pub(crate) key_format: Format,
    pub(crate) value_format: Format,
    /// Key columns first, as ksqlDB orders a schema.
    pub(crate) columns: Vec<Column>,
    pub(crate) window: Option<WindowSpec>,
    /// The statement that created it, for `DESCRIBE EXTENDED`.
    pub(crate) statement: String,
}

impl DataSource {
    pub(crate) fn key_columns(&self) -> Vec<ColumnSpec> {
        self.columns.iter().filter(|c| c.key).map(|c| (c.name.clone(), c.ty)).collect()
    }

    pub(crate) fn value_columns(&self) -> Vec<ColumnSpec> {
        self.columns.iter().filter(|c| !c.key).map(|c| (c.name.clone(), c.ty)).collect()
    }

    /// `SHOW STREAMS`' and `SHOW TABLES`' row.
    pub(crate) fn listing_row(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.topic.clone(),
            self.key_format.name().to_string(),
            self.value_format.name().to_string(),
            self.window.is_some().to_string(),
        ]
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct MetaStore {
    sources: VecMap<String, DataSource>,
}

impl MetaStore {
    pub(crate) fn get(&self, name: &str) -> Option<&DataSource> {
        self.sources.get(name)
    }

    pub(crate) fn add(&mut self, source: DataSource) {
        self.sources.insert(source.name.clone(), source);
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<DataSource> {
        self.sources.remove(name)
    }

    /// Sources of one kind, sorted by name as the listings are.
    pub(crate) fn of_kind(&self, kind: SourceKind) -> impl Iterator<Item = &DataSource> {
        self.sources.values().filter(move |s| s.kind == kind)
    }
}
