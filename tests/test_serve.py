"""The hardened settings (shipped config and `joiningforces serve` agree), the command-line backup,
and crafted backup files that must give a plain message, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from joiningforces.access import Actor
from joiningforces.notebook import Notebook
from joiningforces.serve import HARDENED, streamlit_command
from joiningforces.storage import ImportProblem, Store

ROOT = Path(__file__).resolve().parents[1]
SMALL = (ROOT / "tests" / "data" / "small.toml").read_text(encoding="utf-8")


def test_the_shipped_config_and_serve_apply_the_same_hardening():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    for key, value in HARDENED.items():
        section, name = key.split(".")
        assert str(config[section][name]).lower() == value.lower(), key
    command = streamlit_command()
    assert command[4] == str(ROOT / "app.py")
    assert "--server.address=127.0.0.1" in command and "--client.showErrorDetails=none" in command
    assert "--server.address=0.0.0.0" in streamlit_command("0.0.0.0")


def test_backup_export_and_import_on_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with Store(url) as store:
        Notebook(store, Actor.notebook("k" * 32)).start(SMALL, partnership="Riverside", respondent="Sam")
    out = tmp_path / "backup.json"
    run = [sys.executable, "-m", "joiningforces.cli", "backup"]
    done = subprocess.run([*run, "export", str(out), "--database", url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["assessments"][0]["respondent"] == "Sam"
    other = f"sqlite:///{tmp_path / 'b.db'}"
    done = subprocess.run([*run, "import", str(out), "--database", other], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Imported 1 assessment" in done.stdout, done.stderr
    with Store(other) as store:  # it keeps its owner: still that notebook's, nobody else's
        assert [s.respondent for s in Notebook(store, Actor.notebook("k" * 32)).assessments()] == ["Sam"]
        assert Notebook(store, Actor.local()).assessments() == []
    out.write_text('{"format": "joiningforces-notebook", "schema_version": 3, "assessments": [{"id": 5}]}')
    done = subprocess.run([*run, "import", str(out), "--database", other], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Nothing was imported" in done.stderr and "Traceback" not in done.stderr


CRAFTED = [
    {"rubrics": [{"hash": ["x"], "text": "x"}]},
    {"rubrics": "many"},
    {"assessments": [{"id": "a" * 32, "link_digest": "b" * 64, "belongs_to": "local", "partnership": 5}]},
    {"assessments": [{"id": "a" * 32, "link_digest": "b" * 64, "belongs_to": "local", "partnership": "P",
                      "rubric_hash": {"x": 1}}]},
    {"assessments": [{"id": "a" * 32, "link_digest": "b" * 64, "belongs_to": ["local"], "partnership": "P"}]},
    {"assessments": [{"id": "a" * 32, "link_digest": 7, "belongs_to": "local"}]},
    {"assessments": ["not a table"]},
    {"actions": [{"id": "x" * 32, "principle_id": "trust", "status": "open", "due": 20250101, "partnership": "P",
                  "text": "t", "belongs_to": "local", "created": "2025-01-01T00:00:00", "updated": "x"}]},
    {"actions": [{"id": "x" * 32, "principle_id": ["trust"], "status": "open"}]},
    {"actions": [{"id": "x" * 32, "principle_id": "trust", "status": ["open"]}]},
]


@pytest.mark.parametrize("crafted", CRAFTED)
def test_a_crafted_backup_with_wrong_types_gives_a_plain_message(tmp_path, crafted):
    with Store(f"sqlite:///{tmp_path / 'c.db'}") as store:
        doc = {"format": "joiningforces-notebook", "schema_version": 3, **crafted}
        with pytest.raises(ImportProblem) as problem:
            store.import_notebook(json.dumps(doc))
        assert "Nothing was imported" in str(problem.value)


def test_a_backup_with_too_many_entries_is_refused_before_anything_is_written(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'd.db'}") as store:
        doc = {"format": "joiningforces-notebook", "schema_version": 3,
               "assessments": [{"answers": {str(i): 1 for i in range(60_000)}}]}
        with pytest.raises(ImportProblem, match="too many entries"):
            store.import_notebook(json.dumps(doc))
