//! JSON lines: one JSON value per line, each checked when loaded, kept as its text.

use super::{Fields, ParseError};

/// Reads JSON-lines `text` into `fields`: one row per non-blank line, holding the line's text.
pub fn read(text: &str, fields: &mut Fields) -> Result<(), ParseError> {
    fields.take_header(0);
    fields.set_width(1);
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        // Checked once here, so a scenario can parse any row it reads without a surprise.
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(line) {
            return Err(ParseError {
                line: i + 1,
                column: e.column().max(1),
                message: format!("not valid JSON: {}", strip_position(&e.to_string())),
            });
        }
        fields.push_str(line);
        fields.end_field();
        fields.end_row();
    }
    Ok(())
}

/// serde_json ends its messages with " at line L column C"; ours names the file's own line.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_line_and_errors_by_line_and_column() {
        let mut fields = Fields::default();
        read("{\"u\":\"a\"}\r\n\n  \n[1,2]\n", &mut fields).unwrap();
        assert_eq!(fields.rows(), 2);
        assert_eq!(fields.row(0).collect::<Vec<_>>(), ["{\"u\":\"a\"}"]);
        assert_eq!(fields.row(1).collect::<Vec<_>>(), ["[1,2]"]);

        let mut fields = Fields::default();
        let e = read("{\"u\":1}\n{\"u\": tru}\n", &mut fields).unwrap_err();
        assert_eq!((e.line, e.column), (2, 10), "{}", e.message);
        assert!(e.message.starts_with("not valid JSON: "), "{}", e.message);
    }
}
