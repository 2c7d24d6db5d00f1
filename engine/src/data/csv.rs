//! A strict CSV reader (RFC 4180: a header row, commas, `"` quoting with `""` for a quote, LF
//! or CRLF line ends) that writes every field straight into a data set's shared text buffer,
//! and reports the first malformed spot by line and column.

use super::{Fields, ParseError};

/// Where the reader is, for error messages: 1-based line, and column in bytes from 1.
#[derive(Clone, Copy)]
struct Spot {
    line: usize,
    line_start: usize,
}

impl Spot {
    fn error(&self, at: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line,
            column: at - self.line_start + 1,
            message: message.into(),
        }
    }
}

/// Reads CSV `text` into `fields`: the header's names become the columns and every later
/// record a row, which must have as many fields as the header. Blank lines are skipped.
pub fn read(text: &str, fields: &mut Fields) -> Result<(), ParseError> {
    let bytes = text.as_bytes();
    let mut spot = Spot {
        line: 1,
        line_start: 0,
    };
    let mut pos = 0;
    let mut header: Option<Vec<String>> = None;
    let mut record_fields = 0usize;
    // Fields of the record being read go straight into `fields`; the header is read the same
    // way and moved out afterwards.
    while pos < bytes.len() {
        if record_fields == 0 && (bytes[pos] == b'\n' || bytes[pos..].starts_with(b"\r\n")) {
            pos += if bytes[pos] == b'\n' { 1 } else { 2 };
            spot.line += 1;
            spot.line_start = pos;
            continue;
        }
        let field_start = pos;
        if bytes[pos] == b'"' {
            // A quoted field: up to the closing quote, `""` standing for one quote. It may
            // span lines.
            let opening = spot;
            pos += 1;
            let mut copied_from = pos;
            loop {
                let Some(offset) = memchr_quote_or_newline(&bytes[pos..]) else {
                    return Err(opening.error(
                        field_start,
                        "a quoted field is never closed (a `\"` is missing)",
                    ));
                };
                pos += offset;
                if bytes[pos] == b'\n' {
                    pos += 1;
                    spot.line += 1;
                    spot.line_start = pos;
                    continue;
                }
                // A quote: doubled means one quote in the value, else the field ends.
                if bytes.get(pos + 1) == Some(&b'"') {
                    fields.push_str(&text[copied_from..pos + 1]);
                    pos += 2;
                    copied_from = pos;
                    continue;
                }
                fields.push_str(&text[copied_from..pos]);
                pos += 1;
                break;
            }
            match bytes.get(pos) {
                None | Some(b',') | Some(b'\n') => {}
                Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => {}
                Some(_) => {
                    return Err(spot.error(
                        pos,
                        "text after a quoted field's closing quote; a field is either quoted \
                         entirely or not at all",
                    ));
                }
            }
        } else {
            let end = bytes[pos..]
                .iter()
                .position(|&b| b == b',' || b == b'\n' || b == b'"')
                .map_or(bytes.len(), |n| pos + n);
            if bytes.get(end) == Some(&b'"') {
                return Err(spot.error(
                    end,
                    "a quote inside an unquoted field; quote the whole field and double the \
                     quote (\"a \"\"b\"\" c\")",
                ));
            }
            let value_end =
                if bytes.get(end) == Some(&b'\n') && end > pos && bytes[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
            fields.push_str(&text[pos..value_end]);
            pos = end;
        }
        fields.end_field();
        record_fields += 1;
        // Now at a comma, a line end or the end of the text.
        let record_ended = match bytes.get(pos) {
            Some(b',') => {
                pos += 1;
                // A trailing comma means one more, empty, field.
                if pos == bytes.len() || bytes[pos] == b'\n' || bytes[pos..].starts_with(b"\r\n") {
                    fields.end_field();
                    record_fields += 1;
                    true
                } else {
                    false
                }
            }
            _ => true,
        };
        if let Some(columns) = &header
            && record_fields > columns.len()
        {
            return Err(spot.error(
                field_start,
                format!("more fields than the header's {} columns", columns.len()),
            ));
        }
        if !record_ended {
            continue;
        }
        match &header {
            None => {
                let names = fields.take_header(record_fields);
                check_header(&names, &spot)?;
                header = Some(names);
            }
            Some(columns) => {
                if record_fields < columns.len() {
                    return Err(spot.error(
                        pos.min(bytes.len()),
                        format!(
                            "{record_fields} field(s), but the header has {} columns",
                            columns.len()
                        ),
                    ));
                }
                fields.end_row();
            }
        }
        record_fields = 0;
        if pos < bytes.len() {
            pos += if bytes[pos] == b'\n' { 1 } else { 2 };
            spot.line += 1;
            spot.line_start = pos;
        }
    }
    match header {
        None => Err(spot.error(
            pos,
            "the file is empty; a CSV data set starts with a header row",
        )),
        Some(_) => Ok(()),
    }
}

fn check_header(names: &[String], spot: &Spot) -> Result<(), ParseError> {
    for (i, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(spot.error(
                spot.line_start,
                format!("column {} of the header row has no name", i + 1),
            ));
        }
        if names[..i].contains(name) {
            return Err(spot.error(
                spot.line_start,
                format!("the header names column {name:?} twice"),
            ));
        }
    }
    Ok(())
}

/// The offset of the next `"` or `\n`.
fn memchr_quote_or_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'"' || b == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
        let mut fields = Fields::default();
        read(text, &mut fields).map_err(|e| format!("{}:{}: {}", e.line, e.column, e.message))?;
        let rows = (0..fields.rows())
            .map(|r| fields.row(r).map(str::to_string).collect())
            .collect();
        Ok((fields.columns().to_vec(), rows))
    }

    #[test]
    fn reads_quotes_crlf_and_blank_lines() {
        let (columns, rows) = parse(
            "username,password,note\r\nalice,pw1,\"says \"\"hi\"\", twice\"\r\n\nbob,,\"two\nlines\"\ncarol,pw3,\n",
        )
        .unwrap();
        assert_eq!(columns, ["username", "password", "note"]);
        assert_eq!(rows[0], ["alice", "pw1", "says \"hi\", twice"]);
        assert_eq!(rows[1], ["bob", "", "two\nlines"]);
        assert_eq!(rows[2], ["carol", "pw3", ""]);
        assert_eq!(rows.len(), 3);
        // No newline at the end of the file.
        let (_, rows) = parse("a,b\n1,2").unwrap();
        assert_eq!(rows, [["1", "2"]]);
    }

    #[test]
    fn names_the_line_and_column_of_the_first_problem() {
        let cases = [
            (
                "a,b\n1,2\n3\n",
                "3:2: 1 field(s), but the header has 2 columns",
            ),
            (
                "a,b\n1,2,3\n",
                "2:5: more fields than the header's 2 columns",
            ),
            ("a,b\n1,\"2\n3,4\n", "2:3: a quoted field is never closed"),
            ("a,b\n1,x\"y\n", "2:4: a quote inside an unquoted field"),
            (
                "a,b\n\"1\"x,2\n",
                "2:4: text after a quoted field's closing quote",
            ),
            (
                "a,,c\n1,2,3\n",
                "1:1: column 2 of the header row has no name",
            ),
            ("a,a\n1,2\n", "1:1: the header names column \"a\" twice"),
            ("", "1:1: the file is empty"),
        ];
        for (text, expected) in cases {
            let got = parse(text).unwrap_err();
            assert!(
                got.starts_with(expected),
                "{text:?}: got {got:?}, expected {expected:?}"
            );
        }
    }
}
