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
    }
}
