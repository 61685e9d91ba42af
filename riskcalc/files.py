"""Writing outputs so that a crash never leaves a file that looks complete."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "write_json"]


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> Path:
    """Write a file through a temporary name and rename it into place.

    Parameters
    ----------
    path : str or Path
        Final location.
    write : callable
        Called with the temporary path; must write the whole file there.

    Returns
    -------
    Path
        `path`, which either holds the complete new file or is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_json(path: str | Path, data: Any) -> Path:
    """Write `data` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
