//! How an artifact's JSON is laid out on disk.
//!
//! Fully pretty-printed JSON is pleasant to diff until a file holds 1,500
//! packages per host: then most of its bytes are indentation, and every
//! reader (our own `assess`, `jq`, a reviewer's editor) pays for them.
//! A record-per-line layout keeps the outer structure pretty, so `git diff`
//! and `grep` still show one package, finding or host item per line, and
//! writes each record below a chosen depth compactly.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

/// The layout of one artifact file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every object and array broken over lines (small artifacts: plans).
    Pretty,
    /// Containers nested up to `depth` levels deep (the document itself is
    /// level 1) put each member on its own line; anything deeper is written
    /// compactly on that line.
    RecordPerLine { depth: usize },
}

/// Writes `value` in `layout`, followed by a newline, to `writer`.
pub fn write<T: Serialize + ?Sized>(
    writer: &mut dyn Write,
    value: &T,
    layout: Layout,
) -> io::Result<()> {
    let pretty_depth = match layout {
        Layout::Pretty => usize::MAX,
        Layout::RecordPerLine { depth } => depth,
    };
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut *writer, LayeredFormatter::new(pretty_depth));
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    writer.write_all(b"\n")
}

/// A `serde_json` formatter that indents like the pretty printer down to
/// `pretty_depth` and writes compactly below it.
struct LayeredFormatter {
    /// How many containers enclose the value being written.
    depth: usize,
    pretty_depth: usize,
    /// Whether the innermost open container has had a member yet, so its
    /// closing bracket goes on a line of its own (`[]` and `{}` stay whole).
    has_members: bool,
}

const INDENT: &[u8] = b"  ";

impl LayeredFormatter {
    fn new(pretty_depth: usize) -> Self {
        LayeredFormatter { depth: 0, pretty_depth, has_members: false }
    }

    fn is_pretty(&self) -> bool {
        self.depth <= self.pretty_depth
    }

    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_members = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, writer: &mut W, bracket: &[u8]) -> io::Result<()> {
        if self.is_pretty() && self.has_members {
            newline_and_indent(writer, self.depth - 1)?;
        }
        self.depth -= 1;
        writer.write_all(bracket)
    }

    fn member<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if !first {
            writer.write_all(b",")?;
        }
        if self.is_pretty() {
            newline_and_indent(writer, self.depth)?;
        }
        Ok(())
    }
}

fn newline_and_indent<W: ?Sized + Write>(writer: &mut W, levels: usize) -> io::Result<()> {
    writer.write_all(b"\n")?;
    for _ in 0..levels {
        writer.write_all(INDENT)?;
    }
    Ok(())
}

impl Formatter for LayeredFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.member(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_members = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.member(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        if self.is_pretty() {
            writer.write_all(b": ")
        } else {
            CompactFormatter.begin_object_value(writer)
        }
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_members = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn to_vec(value: &serde_json::Value, layout: Layout) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        write(&mut bytes, value, layout)?;
        Ok(bytes)
    }

    /// Keys come out sorted (`serde_json` without `preserve_order`).
    fn sample() -> serde_json::Value {
        json!({
            "meta": {"kind": "inventory", "inputs": []},
            "hosts": [
                {"name": "web1", "facts": {"packages": [
                    {"name": "bash", "version": "5.2"},
                    {"name": "openssl", "version": "3.0.17"}
                ], "disks": {}}}
            ]
        })
    }

    #[test]
    fn pretty_layout_matches_serde_json_pretty_printer() {
        let value = sample();
        let expected = serde_json::to_string_pretty(&value).unwrap() + "\n";

        let written = to_vec(&value, Layout::Pretty).unwrap();

        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }

    #[test]
    fn records_below_the_depth_are_one_line_each() {
        let written = to_vec(&sample(), Layout::RecordPerLine { depth: 5 }).unwrap();

        let text = String::from_utf8(written).unwrap();
        let expected = r#"{
  "hosts": [
    {
      "facts": {
        "disks": {},
        "packages": [
          {"name":"bash","version":"5.2"},
          {"name":"openssl","version":"3.0.17"}
        ]
      },
      "name": "web1"
    }
  ],
  "meta": {
    "inputs": [],
    "kind": "inventory"
  }
}
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn every_layout_reads_back_as_the_same_value() {
        let value = sample();

        for depth in 0..8 {
            let written = to_vec(&value, Layout::RecordPerLine { depth }).unwrap();
            let read: serde_json::Value = serde_json::from_slice(&written).unwrap();
            assert_eq!(read, value, "depth {depth}");
        }
    }

    #[test]
    fn depth_zero_is_compact_json() {
        let value = sample();

        let written = to_vec(&value, Layout::RecordPerLine { depth: 0 }).unwrap();

        assert_eq!(written, format!("{}\n", serde_json::to_string(&value).unwrap()).into_bytes());
    }
}
