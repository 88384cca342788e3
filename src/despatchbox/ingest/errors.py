"""Errors raised by the parsers: always carry the file and, when known, the line."""
from __future__ import annotations

from pathlib import Path


class SourceFileError(Exception):
    """A source file that cannot be read as what it claims to be."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        """Pickled as its parts (a file prepared in another process reports its error here)."""
        return type(self), (self.path, self.message, self.line)
