"""Will it fit?  Memory and disk a run needs, checked before it starts.

A run that cannot fit is refused with the number that would fit, instead of
failing hours later or exhausting the machine.  The estimates are of the
per-scenario tables (8 bytes a value), which dominate; the machine's figures
are what the operating system reports as available now, less a margin.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from riskcalc.errors import ResourceError

__all__ = ["available_memory", "available_disk", "check_fits", "size", "worker_threads",
           "hold_budget", "reuse_freed_memory", "MAX_SCENARIOS", "HEADROOM", "HOLD_BYTES"]

#: Largest number of scenarios or design points accepted at all (2**40, about 1.1e12).
MAX_SCENARIOS = 2**40
#: Share of the available memory or disk a run may plan to use.
HEADROOM = 0.8
#: Most bytes of per-scenario columns a streamed run holds in memory as well, so that
#: the tables after it need not read them back: every output of 4 M scenarios of the
#: labour-market model (0.7 GiB) and some of its inputs.
HOLD_BYTES = 2**30


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


def hold_budget() -> int:
    """Bytes of columns a streamed run may hold in memory: :data:`HOLD_BYTES`, or a
    quarter of the memory available now where that is less."""
    return int(min(HOLD_BYTES, available_memory() / 4))


def reuse_freed_memory() -> bool:
    """Have glibc's allocator keep large freed blocks for reuse (Linux); True if it took.

    A run's tables allocate and free column-sized arrays (32 MB at 4 M scenarios)
    hundreds of times.  By default glibc gives each block over 32 MB, and every
    block allocated by a thread other than the main one, back to the system when it
    is freed, so the next one is faulted in again page by page: 4 million page
    faults and 13 s of system time in a 10 M run (21.7 s in all).  With one arena,
    blocks of up to 1 GiB taken from the heap and a heap trimmed only above 2 GiB
    free, the same run took 490,000 faults, 3.5 s of system time and 16.8 s in all.
    Process-wide, so only the command line calls it, before any thread starts.  Where
    the environment sets glibc's own malloc options (``MALLOC_ARENA_MAX``,
    ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or ``GLIBC_TUNABLES``), they
    stand and this does nothing (False): e.g. ``MALLOC_ARENA_MAX=16`` on a machine
    where one arena would make many threads wait for each other.
    """
    import ctypes

    if not sys.platform.startswith("linux") or any(
            name in os.environ for name in ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_",
                                            "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        # mallopt's parameters (malloc.h): M_ARENA_MAX, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD.
        return all(libc.mallopt(param, value) == 1
                   for param, value in ((-8, 1), (-3, 2**30), (-1, 2**31)))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False


def worker_threads(n_jobs: int) -> int:
    """Threads for `n_jobs` in joblib's sense: -1 every core, -2 all but one, ...; at least 1."""
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, n_jobs)
