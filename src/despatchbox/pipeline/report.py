"""What an ingest reports: the files it loaded, kept or refused, and what it did besides
(:class:`IngestReport`); and what it says of its progress as it goes (:class:`Progress`, which the
command line shows as a bar)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..ingest.errors import SourceFileError

__all__ = ["IngestReport", "Progress"]


@dataclass
class IngestReport:
    loaded: list[str] = field(default_factory=list)           # files whose records are now current
    superseded: list[str] = field(default_factory=list)       # older versions: only their redirects kept
    unchanged: list[str] = field(default_factory=list)        # already held, same bytes
    repeated: list[str] = field(default_factory=list)         # divisionsonly: repeat the day files
    errors: list[SourceFileError] = field(default_factory=list)
    records: int = 0
    bytes: int = 0
    unresolved_speakers: dict[str, int] = field(default_factory=dict)
    reresolved: int = 0                                        # held speeches/votes a members change moved
    replaced: list[str] = field(default_factory=list)          # XML members files a JSON one replaced
    rebuilt_indexes_freed: int | None = None                   # bytes a rebuild after a large load gave back
    rebuild_seconds: float | None = None                       # … and the seconds it took
    rebuild_error: str | None = None                           # why that rebuild did not finish (the load stands)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"loaded": len(self.loaded), "superseded": len(self.superseded), "unchanged": len(self.unchanged),
                "skipped_repeats": len(self.repeated), "records": self.records,
                "errors": [{"path": e.path, "line": e.line, "message": e.message} for e in self.errors],
                "unresolved_speaker_ids": len(self.unresolved_speakers),
                "unresolved_speaker_references": sum(self.unresolved_speakers.values()),
                "reresolved": self.reresolved, "replaced_by_json": self.replaced,
                "indexes_rebuilt": self.rebuilt_indexes_freed is not None,
                "bytes_freed_by_rebuild": self.rebuilt_indexes_freed, "rebuild_seconds": self.rebuild_seconds,
                "rebuild_error": self.rebuild_error}


class Progress:
    """What the pipeline tells about its progress (the CLI shows a Rich bar)."""

    def start(self, total_files: int, total_bytes: int) -> None: ...
    def advance(self, path: Path, size: int, records: int) -> None: ...
    def finish(self) -> None: ...
    def stage(self, text: str) -> None: ...
