"""Will it fit?  Memory and disk a run needs, checked before it starts.

A run that cannot fit is refused with the number that would fit, instead of
failing hours later or exhausting the machine.  The estimates are of the
per-scenario tables (8 bytes a value), which dominate; the machine's figures
are what the operating system reports as available now, less a margin.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from riskcalc.errors import ResourceError

__all__ = ["available_memory", "available_disk", "check_fits", "size", "worker_threads",
           "MAX_SCENARIOS",
           "HEADROOM"]

#: Largest number of scenarios or design points accepted at all (2**40, about 1.1e12).
MAX_SCENARIOS = 2**40
#: Share of the available memory or disk a run may plan to use.
HEADROOM = 0.8


def available_memory() -> int:
    """Bytes of memory available to a new allocation (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 2**63  # unknown: do not refuse on a guess


def available_disk(path: str | Path) -> int:
    """Free bytes on the file system that holds `path` (or its nearest existing parent)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def size(nbytes: float) -> str:
    """Bytes for people: ``size(1.44e14) == "131.0 TiB"``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(nbytes) < 1024 or unit == "PiB":
            return f"{nbytes:,.0f} {unit}" if unit == "B" else f"{nbytes:,.1f} {unit}"
        nbytes /= 1024
    raise AssertionError  # unreachable


def check_fits(count: int, *, memory_per_item: float, disk_per_item: float = 0.0,
               disk_at: str | Path | None = None, what: str = "--n",
               unit: str = "scenarios") -> None:
    """Refuse `count` items when their tables would not fit in memory (or on disk).

    Parameters
    ----------
    count : int
        Scenarios, design points or trajectories asked for.
    memory_per_item, disk_per_item : float
        Bytes each item needs in memory and on disk.
    disk_at : str or Path, optional
        Where the disk bytes go (a run directory); required with `disk_per_item`.
    what : str
        The option or argument that set `count`, for the message (``"--n"``).
    unit : str
        What an item is, for the message.

    Raises
    ------
    ResourceError
        One line: what was asked, what it needs, what is available, and the
        largest count that fits.
    """
    if count > MAX_SCENARIOS:
        raise ResourceError(f"{what} {count:,}: more {unit} than riskcalc runs at once; "
                            f"give at most {MAX_SCENARIOS:,}")
    checks = [("memory", memory_per_item, available_memory(), "")]
    if disk_per_item and disk_at is not None:
        checks.append(("disk space", disk_per_item, available_disk(disk_at), f" at {disk_at}"))
    for kind, per_item, available, where in checks:
        usable = HEADROOM * available
        if per_item > 0 and count * per_item > usable:
            fit = int(usable // per_item)
            raise ResourceError(
                f"{what} {count:,}: the {unit} need about {size(count * per_item)} of {kind}"
                f"{where}, and {size(available)} is available; at most {fit:,} {unit} fit"
                + (f" (give {what} {fit:,} or less)" if what.startswith("--") else ""))


def worker_threads(n_jobs: int) -> int:
    """Threads for `n_jobs` in joblib's sense: -1 every core, -2 all but one, ...; at least 1."""
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, n_jobs)
