"""The native part of the cocreate package (Rust, PyO3)."""

from typing import Any, Callable, List, Optional, Tuple

__version__: str

class ScenarioError(ValueError):
    """Input cocreate cannot use, or a run that would not fit in memory or
    time; the message is the command line's, positions included."""

class CocreateError(RuntimeError):
    """A command failed for another reason than its input."""

class NativeScenario:
    """A scenario, checked and resolved."""

    @staticmethod
    def load(path: str) -> "NativeScenario": ...
    @staticmethod
    def from_toml(text: str, source: str, stem: str) -> "NativeScenario": ...
    @staticmethod
    def from_json(text: str, stem: str) -> "NativeScenario": ...
    def with_values(self, assignments: List[str]) -> "NativeScenario": ...
    def check(self) -> None: ...
    def to_toml(self) -> str: ...
    def to_json(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...

def execute(args: List[str], progress: Optional[Callable[[int, int], Any]] = None) -> None:
    """Runs a cocreate command in this process, as the command line would."""

def read_table(path: str) -> Tuple[List[str], List[Any]]:
    """A CSV file's header and its columns (numpy arrays, or lists of str)."""

def parameters() -> List[Tuple[str, str, str, str, bool, str]]:
    """Every parameter: key, section, default, allowed, integer, meaning."""

def run_figures() -> List[str]:
    """The per-replication figures, in the order of ``runs.csv``'s columns."""
