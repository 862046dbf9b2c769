//! The Connect panel's model: per connector of the running Kafka Connect workers its type,
//! class, connector and task state, where its data flows, a source's offset or a sink's
//! consumer lag (from its `connect-NAME` group), and a table sink's rows.

use ksim::{ClusterView, ConnectorView};

use super::groups::total_lag;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectorModel {
    pub name: String,
    /// `source` or `sink`.
    pub kind: String,
    pub class: String,
    /// The connector's state (`RUNNING`, `PAUSED`, `STOPPED`).
    pub state: String,
    /// The task's state, `—` once the connector is stopped.
    pub task_state: String,
    /// CSS class of the task badge: `running`, `paused`, `failed` or `stopped`.
    pub state_class: &'static str,
    /// `source → connect-test` or `connect-test → sink`.
    pub flow: String,
    /// `source offset 12` for a source, `lag 3 (group connect-x)` for a sink.
    pub progress: String,
    pub progress_tooltip: String,
    /// `2 records sent` / `2 records written`.
    pub records: String,
    pub table: Option<TableModel>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableModel {
    pub caption: String,
    /// The key column first, then the row's fields.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One model per connector, in creation order; empty when no worker runs.
pub fn connectors(view: &ClusterView) -> Vec<ConnectorModel> {
    view.connectors.iter().map(|c| connector(view, c)).collect()
}

fn connector(view: &ClusterView, c: &ConnectorView) -> ConnectorModel {
    let task_state = c.task_state.clone().unwrap_or_else(|| "—".to_owned());
    let state_class = match (c.task_state.as_deref(), c.state.as_str()) {
        (Some("FAILED"), _) => "failed",
        (_, "STOPPED") | (None, _) => "stopped",
        (_, "PAUSED") | (Some("PAUSED"), _) => "paused",
        _ => "running",
    };
    let (flow, progress, progress_tooltip, records) = if c.kind == "source" {
        (
            format!("source → {}", c.topic),
            c.source_offset.map_or("not read yet".to_owned(), |o| format!("source offset {o}")),
            "Where the source task has read to (a file's byte position): stored in offset.storage.file.filename, so a restarted worker goes on from there".to_owned(),
            format!("{} sent", plural(c.records, "record")),
        )
    } else {
        let group = c.group.clone().unwrap_or_default();
        // Before its first commit (every offset.flush.interval.ms) a group has no lag yet.
        let lag = view
            .groups
            .iter()
            .find(|g| g.group_id == group && g.partitions.iter().any(|p| p.lag.is_some()))
            .map(total_lag);
        (
            format!("{} → sink", c.topic),
            lag.map_or(format!("group {group}: no commit yet"), |l| format!("lag {l} (group {group})")),
            "The sink task's consumer group: log end minus its committed offsets (committed every offset.flush.interval.ms)".to_owned(),
            format!("{} written", plural(c.records, "record")),
        )
    };
    let table = c.table.as_ref().map(|t| TableModel {
        caption: format!("Table {} ({})", t.name, plural(t.rows.len() as u64, "row")),
        columns: std::iter::once("key".to_owned()).chain(t.columns.iter().cloned()).collect(),
        rows: t
            .rows
            .iter()
            .map(|(key, values)| std::iter::once(key.clone()).chain(values.iter().cloned()).collect())
            .collect(),
    });
    ConnectorModel {
        name: c.name.clone(),
        kind: c.kind.clone(),
        class: c.class.clone(),
        state: c.state.clone(),
        task_state,
        state_class,
        flow,
        progress,
        progress_tooltip,
        records,
        table,
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksim::{GroupPartitionView, GroupView, TableView};

    fn view() -> ClusterView {
        ClusterView {
            connectors: vec![
                ConnectorView {
                    name: "local-file-source".to_owned(),
                    kind: "source".to_owned(),
                    class: "FileStreamSource".to_owned(),
                    worker_id: "127.0.1.1:8083".to_owned(),
                    state: "RUNNING".to_owned(),
                    task_state: Some("RUNNING".to_owned()),
                    topic: "connect-test".to_owned(),
                    source_offset: Some(8),
                    group: None,
                    records: 2,
                    table: None,
                },
                ConnectorView {
                    name: "vitals-table".to_owned(),
                    kind: "sink".to_owned(),
                    class: "TableSink".to_owned(),
                    worker_id: "127.0.1.1:8083".to_owned(),
                    state: "PAUSED".to_owned(),
                    task_state: Some("PAUSED".to_owned()),
                    topic: "heart-rate-measures".to_owned(),
                    source_offset: None,
                    group: Some("connect-vitals-table".to_owned()),
                    records: 1,
                    table: Some(TableView {
                        name: "latest_vitals".to_owned(),
                        columns: vec!["device_id".to_owned(), "heart_rate".to_owned()],
                        rows: vec![("icu-bed-1".to_owned(), vec!["icu-bed-1".to_owned(), "82".to_owned()])],
                    }),
                },
            ],
            groups: vec![GroupView {
                group_id: "connect-vitals-table".to_owned(),
                partitions: vec![GroupPartitionView {
                    topic: "heart-rate-measures".to_owned(),
                    partition: 0,
                    committed: Some(4),
                    log_end_offset: 7,
                    lag: Some(3),
                    owner: None,
                    position: None,
                }],
                ..GroupView::default()
            }],
            ..ClusterView::default()
        }
    }

    #[test]
    fn sources_show_their_offset_and_sinks_their_group_lag() {
        let models = connectors(&view());
        assert_eq!(models.len(), 2);
        assert_eq!(models[0].flow, "source → connect-test");
        assert_eq!(models[0].progress, "source offset 8");
        assert_eq!(models[0].records, "2 records sent");
        assert_eq!(models[0].state_class, "running");
        assert_eq!(models[1].flow, "heart-rate-measures → sink");
        assert_eq!(models[1].progress, "lag 3 (group connect-vitals-table)");
        assert_eq!(models[1].records, "1 record written");
        assert_eq!(models[1].state_class, "paused");
    }

    #[test]
    fn a_table_sink_shows_its_rows_with_the_key_first() {
        let models = connectors(&view());
        let table = models[1].table.clone().unwrap_or_else(|| panic!("a table"));
        assert_eq!(table.caption, "Table latest_vitals (1 row)");
        assert_eq!(table.columns, vec!["key", "device_id", "heart_rate"]);
        assert_eq!(table.rows, vec![vec!["icu-bed-1", "icu-bed-1", "82"]]);
    }

    #[test]
    fn a_sink_before_its_first_commit_has_no_lag_yet() {
        let mut v = view();
        v.groups[0].partitions[0].lag = None;
        assert_eq!(connectors(&v)[1].progress, "group connect-vitals-table: no commit yet");
    }

    #[test]
    fn no_worker_no_connectors() {
        assert!(connectors(&ClusterView::default()).is_empty());
    }
}
