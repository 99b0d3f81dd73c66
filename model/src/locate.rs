//! Finds the line and column of each key (and block-list item) in a YAML front matter,
//! because `serde_yaml` values carry no positions.
//!
//! It understands the block style that the content contract uses (nested maps by
//! indentation, `- item` lists, `|` and `>` block scalars, comments). Flow collections
//! (`[a, b]`) are located by their key, and their items by searching the key's line.

use std::collections::HashMap;

/// A 1-based position in the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Position,
    value: Position,
}

/// Positions of the keys of one front matter, by path (`name`, `links.website`, `tags[2]`).
#[derive(Debug, Default, Clone)]
pub struct KeyLocator {
    entries: HashMap<String, Entry>,
    /// Keys written a second time at the same level, where they were repeated.
    repeated: HashMap<String, Position>,
    lines: Vec<String>,
    first_line: usize,
}

impl KeyLocator {
    /// Scans `yaml`, whose first line is line `first_line` of the file.
    pub fn new(yaml: &str, first_line: usize) -> Self {
        let mut locator = KeyLocator {
            entries: HashMap::new(),
            repeated: HashMap::new(),
            lines: yaml.lines().map(str::to_owned).collect(),
            first_line,
        };
        // (indent, path) of the keys that enclose the current line.
        let mut stack: Vec<(usize, String)> = Vec::new();
        let mut item_counts: HashMap<String, usize> = HashMap::new();
        let mut block_scalar_indent: Option<usize> = None;

        for (index, raw) in yaml.lines().enumerate() {
            let line_no = first_line + index;
            let trimmed = raw.trim_start();
            let indent = raw.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(scalar_indent) = block_scalar_indent {
                if indent > scalar_indent {
                    continue;
                }
                block_scalar_indent = None;
            }

            if let Some(rest) =
                trimmed
                    .strip_prefix("- ")
                    .or(if trimmed == "-" { Some("") } else { None })
            {
                // A list item belongs to the nearest key above with a smaller or equal indent.
                while stack.last().is_some_and(|(i, _)| *i > indent) {
                    stack.pop();
                }
                if let Some((_, parent)) = stack.last() {
                    let count = item_counts.entry(parent.clone()).or_insert(0);
                    let path = format!("{parent}[{count}]");
                    *count += 1;
                    let column = indent + 3 + (rest.len() - rest.trim_start().len());
                    let position = Position {
                        line: line_no,
                        column,
                    };
                    locator.entries.insert(
                        path,
                        Entry {
                            key: position,
                            value: position,
                        },
                    );
                }
                continue;
            }

            let Some((key, after_colon)) = split_key(trimmed) else {
                continue;
            };
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            let path = match stack.last() {
                Some((_, parent)) => format!("{parent}.{key}"),
                None => key.to_owned(),
            };
            let key_pos = Position {
                line: line_no,
                column: indent + 1,
            };
            let value_text = after_colon.trim_start();
            let value_pos = if value_text.is_empty() || value_text.starts_with('#') {
                key_pos
            } else {
                let value_offset = raw.len() - value_text.len();
                Position {
                    line: line_no,
                    column: char_column(raw, value_offset),
                }
            };
            if value_text.starts_with('|') || value_text.starts_with('>') {
                block_scalar_indent = Some(indent);
            }
            if locator.entries.contains_key(&path) {
                locator.repeated.entry(path.clone()).or_insert(key_pos);
            } else {
                locator.entries.insert(
                    path.clone(),
                    Entry {
                        key: key_pos,
                        value: value_pos,
                    },
                );
            }
            stack.push((indent, path));
        }
        locator
    }

    /// Where the key at `path` is written, if it is.
    pub fn key(&self, path: &str) -> Option<Position> {
        self.entries.get(path).map(|e| e.key)
    }

    /// Where the value at `path` starts; for an item of a flow list (`[a, b]`) that the
    /// scan could not see, where `item_text` stands on its key's line.
    pub fn value(&self, path: &str) -> Option<Position> {
        if let Some(entry) = self.entries.get(path) {
            return Some(entry.value);
        }
        let (parent, _) = path.rsplit_once('[')?;
        self.entries.get(parent).map(|e| e.value)
    }

    /// Like [`KeyLocator::value`], but for a flow-list item also finds `item_text` on the line.
    pub fn item(&self, path: &str, item_text: &str) -> Option<Position> {
        if let Some(entry) = self.entries.get(path) {
            return Some(entry.value);
        }
        let (parent, _) = path.rsplit_once('[')?;
        let entry = self.entries.get(parent)?;
        let line = self
            .lines
            .get(entry.value.line.checked_sub(self.first_line)?)?;
        if !item_text.is_empty()
            && let Some(offset) = line.find(item_text)
        {
            return Some(Position {
                line: entry.value.line,
                column: char_column(line, offset),
            });
        }
        Some(entry.value)
    }

    /// Where a key that is written twice is written the second time.
    pub fn repeated(&self, path: &str) -> Option<Position> {
        self.repeated.get(path).copied()
    }

    /// The position of the first line of the front matter, for problems with no key.
    pub fn start(&self) -> Position {
        Position {
            line: self.first_line,
            column: 1,
        }
    }
}

/// Splits `key: value` (or `key:`); a key may be quoted. Returns `None` for anything else.
fn split_key(trimmed: &str) -> Option<(&str, &str)> {
    let (key, rest) = if let Some(quoted) = trimmed
        .strip_prefix('"')
        .or_else(|| trimmed.strip_prefix('\''))
    {
        let quote = trimmed.as_bytes()[0] as char;
        let end = quoted.find(quote)?;
        (&quoted[..end], quoted[end + 1..].strip_prefix(':')?)
    } else {
        let colon = trimmed.find(':')?;
        let key = &trimmed[..colon];
        if key.is_empty() || key.contains(['{', '[', ',', '#', '"', '\'']) {
            return None;
        }
        (key.trim_end(), &trimmed[colon + 1..])
    };
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    Some((key, rest))
}

/// The 1-based column (in characters, as editors count) of a byte offset in a line.
fn char_column(line: &str, byte_offset: usize) -> usize {
    line.get(..byte_offset)
        .map_or(byte_offset, |prefix| prefix.chars().count())
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "name: 山田 花子\nlinks:\n  website: https://example.org\n  x: http://x.com\ninterests:\n  - 防災\n  - 観光\ntags: [まちづくり, 子育て]\nbio: |\n  key: not a key\nrole: 企画\n";

    #[test]
    fn finds_top_level_and_nested_keys() {
        let loc = KeyLocator::new(YAML, 2);
        assert_eq!(loc.key("name"), Some(Position { line: 2, column: 1 }));
        assert_eq!(loc.value("name"), Some(Position { line: 2, column: 7 }));
        assert_eq!(loc.key("links.x"), Some(Position { line: 5, column: 3 }));
        assert_eq!(loc.value("links.x"), Some(Position { line: 5, column: 6 }));
    }

    #[test]
    fn finds_block_list_items() {
        let loc = KeyLocator::new(YAML, 2);
        assert_eq!(
            loc.value("interests[1]"),
            Some(Position { line: 8, column: 5 })
        );
    }

    #[test]
    fn finds_flow_list_items_by_text_in_characters() {
        let loc = KeyLocator::new(YAML, 2);
        // "tags: [まちづくり, " is 14 characters before 子育て.
        assert_eq!(
            loc.item("tags[1]", "子育て"),
            Some(Position {
                line: 9,
                column: 15
            })
        );
    }

    #[test]
    fn skips_block_scalars() {
        let loc = KeyLocator::new(YAML, 2);
        assert_eq!(loc.key("bio.key"), None);
        assert_eq!(loc.key("key"), None);
        assert_eq!(
            loc.key("role"),
            Some(Position {
                line: 12,
                column: 1
            })
        );
    }

    #[test]
    fn lists_at_the_same_indent_as_their_key() {
        let loc = KeyLocator::new("organizers:\n- a\n- b\n", 2);
        assert_eq!(
            loc.value("organizers[1]"),
            Some(Position { line: 4, column: 3 })
        );
    }
}
