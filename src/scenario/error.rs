//! Errors in scenario files and overrides, with their position.

use std::fmt;

/// Where a bad value came from: a file position, or a command-line override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file name, or `--set` for a command-line override.
    pub source: String,
    /// 1-based line and column in the file, when known.
    pub position: Option<(usize, usize)>,
}

impl Origin {
    /// An origin inside a file's text at byte offset `offset`.
    pub fn in_text(source: &str, text: &str, offset: usize) -> Origin {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Origin {
            source: source.to_string(),
            position: Some((line, column)),
        }
    }

    /// An origin at byte offset `offset` of a text whose lines `lines`
    /// indexes: in O(log lines), for files with many positions to report.
    pub fn in_lines(source: &str, lines: &LineIndex<'_>, offset: usize) -> Origin {
        Origin {
            source: source.to_string(),
            position: Some(lines.position(offset)),
        }
    }

    /// An origin with no position (a command-line override, or a whole file).
    pub fn whole(source: &str) -> Origin {
        Origin {
            source: source.to_string(),
            position: None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.source),
            None => f.write_str(&self.source),
        }
    }
}

/// Where each line of a text starts, so that a byte offset becomes a line
/// and column without scanning the text from its start (which made
/// reading a file with 100,000 interventions take over a minute).
#[derive(Clone, Debug)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// Indexes `text` (one pass).
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The 1-based line and column (in characters) of byte offset `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |l| l.chars().count());
        (line, column + 1)
    }
}

/// One problem found in a scenario: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub origin: Origin,
    /// What is wrong and what is allowed, in one sentence.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Every problem found in one scenario (at least one).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The problems, in the order of the file.
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// An error with a single problem.
    pub fn one(origin: Origin, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            problems: vec![Problem {
                origin,
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let text = "a = 1\n[run]\nsteps = -1\n";
        let offset = text.find("-1").unwrap();
        let origin = Origin::in_text("s.toml", text, offset);
        assert_eq!(origin.position, Some((3, 9)));
        assert_eq!(origin.to_string(), "s.toml:3:9");
        // the index agrees everywhere, line ends and multi-byte characters included
        let text = "é = 1\n\n[run]\n  steps = \"ü\"\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                assert_eq!(
                    Origin::in_lines("s", &index, offset),
                    Origin::in_text("s", text, offset),
                    "offset {offset}"
                );
            }
        }
    }
}
