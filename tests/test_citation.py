"""Citing the tool and a run: CITATION.cff, and the manifest's versions and commit."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import tomllib

import pytest
from conftest import REPO, linear_model_dict

from riskcalc import model_from_dict, simulate


def test_citation_file_names_the_tool_its_version_and_licence():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert cff["title"].startswith("riskcalc") and cff["authors"]
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == project["license"]["text"]


def test_every_manifest_records_numba_and_the_checkout_commit(tmp_path):
    model = model_from_dict(linear_model_dict(), source="linear")
    simulate(model, 100, seed=1).write(tmp_path)
    versions = json.loads((tmp_path / "manifest.json").read_text())["versions"]
    assert versions["numba"] == importlib.metadata.version("numba")
    if not (REPO / ".git").exists():
        pytest.skip("not run from a git checkout: no commit to record")
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert versions["riskcalc_commit"].removesuffix("-modified") == head
