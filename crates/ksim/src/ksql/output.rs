//! The ksqlDB CLI's text layouts: `Table` (the `Message`, SHOW and DESCRIBE tables, columns
//! padded to their widest cell, `-` rules no wider than the terminal) and `TabularRow` (the
//! `+-----+` grid of query results, every cell `width / columns - 2` wide, wrapped).

/// The simulated terminal's width; the CLI sizes query grids and rules by it.
pub(crate) const TERMINAL_WIDTH: usize = 80;
/// `TabularRow.MIN_CELL_WIDTH`.
const MIN_CELL_WIDTH: usize = 5;

/// `Table.print`: optional header lines, the column headings, a rule, the rows, a rule,
/// then footer lines.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>], footer: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    if !headers.is_empty() {
        let widths: Vec<usize> = (0..headers.len())
            .map(|i| {
                let cells = rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.lines().map(|l| l.chars().count()).max().unwrap_or(0));
                cells.chain(std::iter::once(headers[i].chars().count())).max().unwrap_or(0)
            })
            .collect();
        let separator_length = widths.iter().map(|w| w + 3).sum::<usize>() - 1;
        let row = |cells: Vec<&str>| {
            let padded: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| format!("{:<w$}", cells.get(i).copied().unwrap_or(""), w = *w))
                .collect();
            format!(" {} ", padded.join(" | "))
        };
        let rule = "-".repeat(separator_length.min(TERMINAL_WIDTH));
        lines.push(row(headers.to_vec()));
        lines.push(rule.clone());
        for r in rows {
            lines.push(row(r.iter().map(String::as_str).collect()));
        }
        lines.push(rule);
    }
    lines.extend(footer.iter().map(|s| s.to_string()));
    lines
}

/// A one-cell `Message` table (`CommandStatusTableBuilder`: the message's first line).
pub(crate) fn message(text: &str) -> Vec<String> {
    let first = text.split('\n').next().unwrap_or_default().to_string();
    table(&["Message"], &[vec![first]], &[])
}

fn cell_width(columns: usize) -> usize {
    TERMINAL_WIDTH.checked_div(columns).map_or(MIN_CELL_WIDTH, |w| w.saturating_sub(2).max(MIN_CELL_WIDTH))
}

fn separating_line(columns: usize) -> String {
    let width = cell_width(columns);
    let mut s = String::from("+");
    for _ in 0..columns {
        s.push_str(&"-".repeat(width));
        s.push('+');
    }
    s
}

/// `TabularRow.createHeader`: the rule, the column names, the rule.
pub(crate) fn grid_header(names: &[String]) -> Vec<String> {
    if names.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![separating_line(names.len())];
    lines.extend(grid_lines(names));
    lines.push(separating_line(names.len()));
    lines
}

/// `TabularRow.createRow` with wrapping on: each value cut into cell-wide pieces.
pub(crate) fn grid_row(values: &[String]) -> Vec<String> {
    grid_lines(values)
}

fn grid_lines(values: &[String]) -> Vec<String> {
    if values.is_empty() {
        return vec![String::new()];
    }
    let width = cell_width(values.len());
    let pieces: Vec<Vec<String>> = values
        .iter()
        .map(|v| {
            let chars: Vec<char> = v.chars().collect();
            if chars.is_empty() {
                vec![String::new()]
            } else {
                chars.chunks(width).map(|c| c.iter().collect()).collect()
            }
        })
        .collect();
    let height = pieces.iter().map(Vec::len).max().unwrap_or(1);
    (0..height)
        .map(|row| {
            let mut line = String::from("|");
            for column in &pieces {
                let piece = column.get(row).map_or("", String::as_str);
                line.push_str(&format!("{piece:<width$}|"));
            }
            line
        })
        .collect()
}

/// `String.format("%-20s : %s", label, value)`, the DESCRIBE EXTENDED / EXPLAIN layout.
pub(crate) fn labelled(label: &str, value: &str) -> String {
    format!("{label:<20} : {value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_table_as_the_cli_prints_it() {
        assert_eq!(
            message("Stream created"),
            vec![" Message        ", "----------------", " Stream created ", "----------------"]
        );
    }

    #[test]
    fn listing_pads_columns_and_prints_footers() {
        let lines = table(&["Query ID", "Status"], &[vec!["CSAS_A_1".into(), "RUNNING:1".into()]], &["footer"]);
        assert_eq!(
            lines,
            vec![
                " Query ID | Status    ",
                "----------------------",
                " CSAS_A_1 | RUNNING:1 ",
                "----------------------",
                "footer"
            ]
        );
    }

    #[test]
    fn grid_cells_are_a_share_of_the_terminal_and_wrap() {
        let header = grid_header(&["PATIENT".into(), "BPM".into()]);
        assert_eq!(header[0], format!("+{}+{}+", "-".repeat(38), "-".repeat(38)));
        assert_eq!(header[1], format!("|{:<38}|{:<38}|", "PATIENT", "BPM"));
        let long = "x".repeat(50);
        let rows = grid_row(&[long, "1".into()]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1], format!("|{:<38}|{:<38}|", "x".repeat(12), ""));
    }
}
