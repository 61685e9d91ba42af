"""What every sensitivity result records about itself, and the order its files are written in.

A result directory is complete when its JSON manifest is there: the manifest is
removed first and written last, each file atomically, so a crash part-way
never leaves tables that a manifest vouches for.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from riskcalc.files import atomic_write, write_json
from riskcalc.model.objects import Model
from riskcalc.results.result import package_versions

__all__ = ["build_manifest", "write_with_manifest"]


def build_manifest(method: str, model: Model, entries: Mapping[str, Any],
             timings: Mapping[str, float]) -> dict[str, Any]:
    """A result's manifest: method and model first, then `entries`, then versions and time.

    Parameters
    ----------
    method : str
        ``"sobol"``, ``"morris"`` or ``"tornado"``.
    model : Model
        Named with its source file and SHA-256, so a reader can tell which model it was.
    entries : mapping
        What the method needs to be reproduced (design, seed, inputs, outputs, ...).
    timings : mapping of str to float
        Seconds per stage.

    Returns
    -------
    dict
        JSON-ready.
    """
    return {
        "method": method,
        "model": {"name": model.name, "source": model.source, "sha256": model.sha256},
        **entries,
        "versions": package_versions(),
        "timings": dict(timings),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


def write_with_manifest(out_dir: str | Path, files: Mapping[str, Callable[[Path], Any]],
                        manifest_name: str, manifest: Callable[[], Any]) -> Path:
    """Write `files` into `out_dir`, each atomically, and the manifest last.

    Parameters
    ----------
    out_dir : str or Path
        Created when missing.
    files : mapping of str to callable
        File name → a function that writes the whole file at the path it is given.
    manifest_name : str
        E.g. ``"sobol.json"``; removed before the other files are written.
    manifest : callable
        Returns the manifest's data; called after the other files are written.

    Returns
    -------
    Path
        `out_dir`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / manifest_name).unlink(missing_ok=True)
    for name, write in files.items():
        atomic_write(out / name, write)
    write_json(out / manifest_name, manifest())
    return out
