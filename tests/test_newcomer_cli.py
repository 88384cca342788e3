"""The first ten minutes on the command line (issue 15): help and tables that read well in a
pipe, --version, queries with a leading minus, no database made by accident, empty ingests
refused, and the packaging a newcomer meets (ruff clean, Makefile's clean-db, skip summary)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from despatchbox.cli import app, leading_minus_queries

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command, its output going to pipes (not a terminal)."""
    full_env = os.environ | {"PYTHONPATH": str(ROOT / "src")} | (env or {})
    full_env.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-c", "from despatchbox.cli import main; main()", *args],
                          capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300)


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("despatchbox ") and result.stdout.strip() != "despatchbox"


def test_help_in_a_pipe_has_no_type_placeholders_and_whole_sentences():
    result = run_cli("check", "--help")
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout and "╭" not in result.stdout
    # the docstring's sentence is re-wrapped as one paragraph, not cut where the source line ended
    flat = " ".join(result.stdout.split())
    assert "Speeches with and without a resolved person, unknown speaker ids, debates with and without a department." \
        in flat
    bare = run_cli()
    assert "Usage: despatchbox" in bare.stdout + bare.stderr and "serve" in bare.stdout + bare.stderr


def test_check_table_in_a_pipe_is_not_cut_at_80_columns(sample_url):
    result = run_cli("check", env={"DESPATCHBOX_DATABASE_URL": sample_url})
    assert result.returncode == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "contributions" in line)
    assert len(header) > 80
    for column in ("kind", "contributions", "with person", "as printed", "procedural", "unresolved id",
                   "debates", "with department", "share"):
        assert column in header, column


def test_search_with_a_leading_minus_needs_no_double_dash(sample_url):
    env = {"DESPATCHBOX_DATABASE_URL": sample_url}
    result = run_cli("search", "-scotland crime", "--json", "--limit", "50", env=env)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    with_dash = json.loads(run_cli("search", "--json", "--limit", "50", "--", "-scotland crime", env=env).stdout)
    assert hits == with_dash and hits["total"] > 0


#: what a command loads only to do its work: --help, --version and a mistyped option load none of it
_LOADED_FOR_WORK = ("sqlalchemy", "alembic", "tantivy", "lxml", "fastapi", "jinja2", "numpy", "psycopg",
                    "despatchbox.store.search.service", "despatchbox.pipeline.run", "despatchbox.web.app")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["search", "--help"], ["db", "copy", "--help"],
                                  ["alerts", "add", "--help"], ["ingest", "--no-such-option"]])
def test_help_and_version_load_nothing_a_command_needs_only_to_run(args):
    probe = ("import sys\nfrom despatchbox.cli import main\nsys.argv = ['despatchbox', *sys.argv[1:]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print('LOADED', [m for m in {_LOADED_FOR_WORK!r} if m in sys.modules])")
    full_env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=full_env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "LOADED []"


def test_leading_minus_rewrite_leaves_options_alone():
    assert leading_minus_queries(["search", "-scotland crime", "--json"]) == \
        ["search", "--json", "--", "-scotland crime"]
    assert leading_minus_queries(["search", "--json", "--", "-x"]) == ["search", "--json", "--", "-x"]
    assert leading_minus_queries(["search", "-h"]) == ["search", "-h"]
    assert leading_minus_queries(["stats", "-x"]) == ["stats", "-x"]


@pytest.mark.parametrize("command", [["stats"], ["check"], ["search", "crime"], ["export", "debates"],
                                     ["alerts", "list"], ["serve"]])
def test_commands_refuse_to_create_a_database(tmp_path, command):
    result = run_cli(*command, env={"DESPATCHBOX_DATABASE_URL": ""}, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"no database at {tmp_path.resolve() / 'despatchbox.db'}" in " ".join(result.stderr.split())
    assert "despatchbox ingest" in result.stderr and "DESPATCHBOX_DATABASE_URL" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no despatchbox.db, no .schema-lock


def test_db_upgrade_may_create_the_database(tmp_path):
    result = run_cli("db", "upgrade", env={"DESPATCHBOX_DATABASE_URL": ""}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "despatchbox.db").exists()


def test_an_ingest_of_a_folder_with_no_parlparse_files_exits_non_zero(tmp_path, monkeypatch, fresh_url):
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    (empty / "notes.txt").write_text("not ParlParse\n")
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    result = CliRunner().invoke(app, ["ingest", str(empty)])
    assert result.exit_code == 1
    assert "no ParlParse files" in " ".join(result.output.split())


def test_make_clean_db_removes_every_file_beside_the_database(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    names = ["despatchbox.db", "despatchbox.db-wal", "despatchbox.db-shm", "despatchbox.db.ingest-lock",
             "despatchbox.db.schema-lock"]
    for name in names:
        (tmp_path / name).write_text("")
    subprocess.run(["make", "-s", "clean-db"], cwd=tmp_path, check=True, timeout=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile"]


def test_ruff_finds_nothing_in_src():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: it is in the test extra (pip install -e '.[test]')")
    result = subprocess.run([ruff, "check", "--no-cache", "src"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_packaging_sqlite_users_need_neither_psycopg_nor_httpx():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"])
    assert "psycopg" not in runtime
    assert "httpx" in runtime  # `despatchbox update` fetches with it
    assert any(d.startswith("psycopg") for d in project["optional-dependencies"]["postgres"])
    assert isinstance(project["license"], str)  # an SPDX expression, not the deprecated table
    lock = (ROOT / "requirements.lock").read_text()
    for dep in project["dependencies"]:
        name = dep.split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip().lower()
        assert f"\n{name}==" in lock.lower(), f"{name} is not pinned in requirements.lock"


def test_skip_summary_names_each_reason_once():
    from tests.conftest import BROWSER_SKIP, skip_summary

    class Report:
        def __init__(self, reason):
            self.longrepr = ("f.py", 1, f"Skipped: {reason}")

    lines = skip_summary([Report(BROWSER_SKIP), Report(BROWSER_SKIP), Report("PostgreSQL only")])
    assert lines == [f"   2 skipped — {BROWSER_SKIP}", "   1 skipped — PostgreSQL only"]


def test_browser_tests_skip_with_the_reason_when_chromium_is_missing():
    """Run pytest on a browser-marked test with Chromium 'missing' (the conftest hook pointed at
    a path that does not exist): it is skipped, the reason says what to install; required, it errors."""
    import tests.conftest as conftest

    assert conftest.browser_status() in (None, conftest.BROWSER_SKIP) or "Playwright" in conftest.browser_status()
    code = (
        "import tests.conftest as c, pathlib, pytest, sys\n"
        "c.CHROMIUM = pathlib.Path('/nonexistent/chromium')\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-rs', "
        "'tests/test_alerts_web.py::test_confirm_and_unsubscribe_in_chromium']))\n"
    )
    env = os.environ | {"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    env.pop("DESPATCHBOX_TEST_REQUIRE_BROWSER", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout and "install Debian's chromium" in result.stdout
    required = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                              env=env | {"DESPATCHBOX_TEST_REQUIRE_BROWSER": "1"}, timeout=300)
    assert required.returncode != 0
    assert "DESPATCHBOX_TEST_REQUIRE_BROWSER=1" in required.stdout + required.stderr


def test_skip_db_free_leaves_out_exactly_the_tests_that_use_no_database():
    """``--skip-db-free`` (what scripts/run-tests gives the PostgreSQL run when the SQLite run runs
    too) deselects the tests none of whose fixtures lead to ``db_backend``, keeps every other one, and
    says how many it left out; without it nothing is left out."""
    files = ["tests/test_quotes_core.py", "tests/test_ingest.py"]

    def collected(*extra: str) -> tuple[set[str], str]:
        result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                                 *extra, *files], cwd=ROOT, capture_output=True, text=True, timeout=300,
                                env=os.environ | {"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"})
        assert result.returncode == 0, result.stdout + result.stderr
        return {line for line in result.stdout.splitlines() if "::" in line}, result.stdout

    everything, _ = collected()
    kept, out = collected("--skip-db-free")
    left_out = everything - kept
    assert kept < everything and left_out
    assert {t.split("::")[0] for t in left_out} == {"tests/test_quotes_core.py"}     # pure functions
    assert {t.split("::")[0] for t in kept} == {"tests/test_ingest.py"}              # every one ingests
    assert f"{len(left_out)} tests that use no database" in out


def _mypy_let_off() -> list[str]:
    """The modules pyproject's [tool.mypy] overrides would let off (``ignore_errors``)."""
    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"].get("overrides", [])
    return [m for o in overrides if o.get("ignore_errors") for m in o["module"]]


def test_mypy_finds_nothing_in_the_package():
    """`mypy` with pyproject's settings checks the whole package, as CI runs it."""
    pytest.importorskip("mypy", reason="mypy is in the test extra (pip install -e '.[test]')")
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(ROOT / ".mypy_cache")], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_no_module_is_let_off_mypy():
    """No baseline of modules "not yet clean": the whole package is held to mypy."""
    assert _mypy_let_off() == []
