"""``despatchbox check``: attribution completeness on the real sample."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from despatchbox.cli import app
from despatchbox.store.queries.check import attribution_report


def test_every_speaker_id_in_the_sample_resolves(sample_engine):
    with sample_engine.connect() as conn:
        report = attribution_report(conn)
    assert report["unknown_speaker_ids"] == []
    assert report["unknown_voter_ids"] == []
    for kind, counts in report["by_kind"].items():
        assert counts["unresolved_speaker_id"] == 0, kind
        assert counts["contributions"] == (counts["with_person"] + counts["unattributed_as_printed"]
                                           + counts["procedural"]), kind
    # "Hon. Members", "Several hon. Members", "Noble Lords": kept, shown as printed
    assert report["by_kind"]["debates"]["unattributed_as_printed"] > 0
    assert report["by_kind"]["lordspages"]["unattributed_as_printed"] == 4


def test_debates_without_department_are_listed(sample_engine):
    with sample_engine.connect() as conn:
        report = attribution_report(conn)
    listed = report["debates_without_department"]
    total_without = sum(c.get("debates_without_department", 0) for c in report["by_kind"].values())
    assert len(listed) == total_without
    for kind in ("wrans", "wms", "lordswms", "lordswrans", "westminhall"):
        assert report["by_kind"][kind]["debates_without_department"] == 0, kind


def test_check_cli_lists_unknown_ids_never_drops_them(fresh_url, monkeypatch, tmp_path):
    """A speaker id no members file knows is kept and reported by `despatchbox check`."""
    from .conftest import SAMPLE
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    source = (SAMPLE / "scrapedxml" / "westminhall" / "westminster2009-10-28a.xml").read_bytes()
    target = b'speakerid="uk.org.publicwhip/member/'
    first = source.index(target)
    end = source.index(b'"', first + len(target))
    broken = source[:first] + b'speakerid="uk.org.publicwhip/member/99999999' + source[end:]
    path = tmp_path / "westminster2009-10-28a.xml"
    path.write_bytes(broken)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(SAMPLE / "members"), str(path)]).exit_code == 0
    result = runner.invoke(app, ["check", "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    ids = {e["speaker_id"]: e["references"] for e in report["unknown_speaker_ids"]}
    assert ids == {"uk.org.publicwhip/member/99999999": 1}
    assert report["by_kind"]["westminhall"]["unresolved_speaker_id"] == 1
    assert runner.invoke(app, ["check", "--strict"]).exit_code == 1
