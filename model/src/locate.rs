//! Finds the line and column of each key, value and list item of a YAML front matter,
//! because `serde_yaml` values carry no positions. The positions come from the marks of a
//! YAML parser (saphyr-parser) reading the same text, never from searching the text, so
//! flow lists (`[a, b]`), quoted keys and block scalars are placed exactly.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, Span};

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
    /// Keys written a second time in the same mapping, where they were repeated.
    repeated: HashMap<String, Position>,
    /// The first alias (`*name`) written, if any: content never needs one, and aliases are
    /// how a small file expands into a huge one ("billion laughs").
    first_alias: Option<Position>,
    first_line: usize,
}

/// A collection being read, with the path of its children's parent.
enum Frame {
    Mapping {
        path: String,
        /// The key just read, waiting for its value.
        key: Option<(String, Position)>,
    },
    Sequence {
        path: String,
        next: usize,
    },
    /// A mapping or list used as a key: nothing inside is located.
    Ignored,
}

fn child_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl KeyLocator {
    /// Reads `yaml`, whose first line is line `first_line` of the file. A syntax error
    /// stops the reading; what came before it is located (serde_yaml reports the error).
    pub fn new(yaml: &str, first_line: usize) -> Self {
        let mut locator = KeyLocator {
            entries: HashMap::new(),
            repeated: HashMap::new(),
            first_alias: None,
            first_line,
        };
        let mut stack: Vec<Frame> = Vec::new();
        for result in Parser::new_from_str(yaml) {
            let Ok((event, span)) = result else { break };
            let at = locator.position(&span);
            if matches!(event, Event::Alias(..)) && locator.first_alias.is_none() {
                locator.first_alias = Some(at);
            }
            let opens = match &event {
                Event::MappingStart(..) => Some(true),
                Event::SequenceStart(..) => Some(false),
                Event::Scalar(..) | Event::Alias(..) => None,
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    continue;
                }
                _ => continue,
            };
            // Which place this node takes: a key, a value, a list item, or the root.
            let path = match stack.last_mut() {
                None => Some(String::new()),
                Some(Frame::Ignored) => None,
                Some(Frame::Mapping { path, key }) => match key.take() {
                    None => {
                        if let Event::Scalar(text, ..) = &event {
                            *key = Some((child_path(path, text), at));
                            continue;
                        }
                        None
                    }
                    Some((child, key_at)) => {
                        if locator.entries.contains_key(&child) {
                            locator.repeated.entry(child.clone()).or_insert(key_at);
                        } else {
                            locator.entries.insert(
                                child.clone(),
                                Entry {
                                    key: key_at,
                                    value: at,
                                },
                            );
                        }
                        Some(child)
                    }
                },
                Some(Frame::Sequence { path, next }) => {
                    let child = format!("{path}[{next}]");
                    *next += 1;
                    locator
                        .entries
                        .insert(child.clone(), Entry { key: at, value: at });
                    Some(child)
                }
            };
            match (opens, path) {
                (Some(true), Some(path)) => stack.push(Frame::Mapping { path, key: None }),
                (Some(false), Some(path)) => stack.push(Frame::Sequence { path, next: 0 }),
                (Some(_), None) => stack.push(Frame::Ignored),
                (None, _) => {}
            }
        }
        locator
    }

    fn position(&self, span: &Span) -> Position {
        Position {
            line: self.first_line + span.start.line().saturating_sub(1),
            column: span.start.col() + 1,
        }
    }

    /// Where the key at `path` is written, if it is.
    pub fn key(&self, path: &str) -> Option<Position> {
        self.entries.get(path).map(|e| e.key)
    }

    /// Where the value at `path` starts (a list item: where the item starts).
    pub fn value(&self, path: &str) -> Option<Position> {
        self.entries.get(path).map(|e| e.value)
    }

    /// Where the first alias (`*name`) is written, if any.
    pub fn first_alias(&self) -> Option<Position> {
        self.first_alias
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
    fn finds_flow_list_items_in_characters() {
        let loc = KeyLocator::new(YAML, 2);
        // "tags: [まちづくり, " is 14 characters before 子育て.
        assert_eq!(
            loc.value("tags[1]"),
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
    fn a_flow_item_is_placed_by_the_parser_not_by_searching_its_text() {
        // `gan` also stands inside the key; a text search would find it there first.
        let loc = KeyLocator::new("organizers: [gan, organ]\n", 2);
        assert_eq!(
            loc.value("organizers[0]"),
            Some(Position {
                line: 2,
                column: 14
            })
        );
        assert_eq!(
            loc.value("organizers[1]"),
            Some(Position {
                line: 2,
                column: 19
            })
        );
    }

    #[test]
    fn quoted_keys_and_repeated_keys() {
        let loc = KeyLocator::new("\"name\": x\nrole: a\nrole: b\n", 2);
        assert_eq!(loc.value("name"), Some(Position { line: 2, column: 9 }));
        assert_eq!(loc.repeated("role"), Some(Position { line: 4, column: 1 }));
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
