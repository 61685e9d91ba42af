"""Reading inputs safely; writing outputs so that a crash never leaves a file that looks whole.

Every file riskcalc reads that a person hands it (model, policy, groups, data
files, a run directory's JSON and CSV) goes through :func:`read_bytes`: only a
regular file, at most a documented size, never a device or a pipe, which could
be read without end or block forever.  Every CSV it writes goes through
:func:`write_csv`, whose text cells are made safe for spreadsheets.
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from riskcalc.errors import ModelError, ResourceError

__all__ = ["atomic_write", "write_json", "write_csv", "to_csv", "read_bytes", "read_text",
           "read_toml", "read_json", "check_nesting", "spreadsheet_safe", "spreadsheet_safe_frame",
           "MAX_TOML_BYTES", "MAX_DATA_BYTES", "MAX_NESTING", "directory_lock", "LOCK"]

#: Largest model, policy or groups file read (bytes).  A model of the largest
#: size riskcalc holds (see riskcalc.model.loader.MAX_PARAMETERS) is far smaller.
MAX_TOML_BYTES = 4 * 2**20
#: Largest data file (CSV, JSON of a run directory, tables a model refers to) read.
MAX_DATA_BYTES = 256 * 2**20
#: Deepest nesting of arrays and tables accepted in a TOML or JSON input.
MAX_NESTING = 32

#: Characters that make a spreadsheet read a text cell as a formula (or DDE).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_bytes(path: str | Path, what: str = "input file", *,
               limit: int = MAX_DATA_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    The file is opened without blocking (a FIFO would otherwise wait for a writer
    forever) and checked to be a regular file before anything is read; at most
    ``limit + 1`` bytes are read, so a file that grows while read cannot exhaust memory.

    Parameters
    ----------
    path : str or Path
    what : str
        What the file is, for the message ("model file", "policy file").
    limit : int
        Largest size accepted (bytes).

    Raises
    ------
    ModelError
        One line naming the file, what was wrong and what would be right.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = ("a directory" if stat.S_ISDIR(info.st_mode) else
                    "a pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else
                    "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                    else "a socket" if stat.S_ISSOCK(info.st_mode) else "not a file")
            raise ModelError(f"{path}: {kind}, not a regular file; give the {what} as a "
                             "regular file")
        if info.st_size > limit:
            raise ModelError(f"{path}: {info.st_size:,} bytes, more than the {limit:,} bytes a "
                             f"{what} may have")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ModelError(f"{path}: more than the {limit:,} bytes a {what} may have")
        return b"".join(chunks)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    finally:
        os.close(fd)


def read_text(path: str | Path, what: str = "input file", *,
              limit: int = MAX_DATA_BYTES) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a byte-order mark is dropped)."""
    raw = read_bytes(path, what, limit=limit)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def read_toml(path: str | Path, what: str = "TOML file", *,
              limit: int = MAX_TOML_BYTES) -> tuple[dict[str, Any], bytes]:
    """Parse a TOML file read by :func:`read_bytes`; returns the data and the raw bytes.

    Arrays and tables nested deeper than :data:`MAX_NESTING` are refused (the
    parser itself would overflow Python's recursion somewhere past 400).
    """
    raw = read_bytes(path, what, limit=limit)
    try:
        text = raw.decode("utf-8-sig")  # a BOM is common from Windows editors
    except UnicodeDecodeError as exc:
        raise ModelError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{path}: TOML syntax error: {exc}") from exc
    except RecursionError:
        raise ModelError(f"{path}: arrays or tables nested too deep; at most {MAX_NESTING} "
                         "levels") from None
    check_nesting(data, str(path))
    return data, raw


def read_json(path: str | Path, what: str = "JSON file", *,
              limit: int = MAX_DATA_BYTES) -> Any:
    """Parse a JSON file read by :func:`read_text`, nested at most :data:`MAX_NESTING` deep."""
    text = read_text(path, what, limit=limit)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ModelError(f"{path}: not valid JSON ({exc}); the {what} is damaged") from exc
    except RecursionError:
        raise ModelError(f"{path}: nested too deep; at most {MAX_NESTING} levels") from None
    check_nesting(data, str(path))
    return data


def check_nesting(data: Any, source: str, limit: int = MAX_NESTING) -> None:
    """Refuse arrays and tables nested deeper than `limit` (walked without recursion)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise ModelError(f"{source}: arrays or tables nested {depth} levels deep; at most "
                             f"{limit}")
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made plain text; others as they are.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (OWASP's advice against CSV injection): ``"=HYPERLINK(...)"``
    becomes ``"'=HYPERLINK(...)"``.  Numbers are not text and stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell and column name made safe by
    :func:`spreadsheet_safe`."""
    import pandas as pd  # here: start-up of commands that write no CSV stays light

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(c) for c in safe.columns]
    if safe.index.dtype == object:
        safe.index = safe.index.map(spreadsheet_safe)
    return safe


def to_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write `frame` as CSV at `path` (in place), with text cells safe for spreadsheets."""
    spreadsheet_safe_frame(frame).to_csv(path, index=index)


def write_csv(path: str | Path, frame: pd.DataFrame, *, index: bool = False) -> Path:
    """Write `frame` as CSV, atomically, with text cells safe for spreadsheets."""
    return atomic_write(path, lambda tmp: to_csv(frame, tmp, index=index))


#: The lock file of a run directory (see :func:`directory_lock`).
LOCK = ".riskcalc.lock"


@contextmanager
def directory_lock(directory: str | Path) -> Iterator[Path]:
    """Hold a directory for one riskcalc command: a second at once is refused.

    An advisory lock (``flock``) on ``directory/.riskcalc.lock``; the operating
    system releases it when the process ends, however it ends (``kill -9``
    included), so a killed run never leaves a directory locked.

    Raises
    ------
    ResourceError
        When another process holds the directory, with its process id.
    """
    import fcntl

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise ResourceError(f"{directory}: another riskcalc command (process {holder}) is "
                                "writing this run directory; wait for it to finish or give "
                                "another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield directory
    finally:
        os.close(fd)  # releases the lock


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

    Raises
    ------
    OSError
        As raised while writing, with `path` as its file name (a full disk says
        which file it could not write).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        if exc.filename is None or str(exc.filename) == str(tmp):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_json(path: str | Path, data: Any) -> Path:
    """Write `data` as indented JSON, atomically."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
