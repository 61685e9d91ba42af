"""Where per-scenario columns go while a run is under way, and how they are read back.

A run produces one value per scenario for every input and output column.
Depending on its size and where its workers run, the columns go to

* an array in this process (sequential and threaded runs);
* a file in shared memory that worker processes map (process pools on one
  machine), so that millions of rows never travel through pipes;
* Parquet files, one per chunk, written by the workers (a streamed run: memory
  stays bounded at any number of scenarios); a streamed run whose chunks run in
  this process also holds some columns in memory, up to a budget, so that the
  tables computed after the run do not read them back from disk;
* back to the caller through the pool (a Dask cluster, whose workers share
  neither memory nor, necessarily, a disk with this process).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Destination", "ParquetColumns", "part_name", "parquet_options", "write_scenarios"]


def parquet_options(columns: Mapping[str, np.ndarray]) -> dict:
    """How a table of per-scenario columns is written to Parquet.

    Every column stays float64, 8 bytes a scenario when its values vary.  Simulated
    doubles do not compress: on a chunk of the labour-market model snappy saved 0 %
    of the varying columns, zstd 7 % (at twice the time to write), zstd on
    byte-stream-split columns 16 % (and slower to read back, which every table
    does once), so varying columns are stored plain and uncompressed.  Columns
    whose value is the same in every scenario of the chunk (a fixed parameter, a
    hump that is always 0) are dictionary-encoded and cost next to nothing;
    dictionary encoding of varying columns only costs time (four times slower
    writes, larger files).  No min/max statistics: every chunk is a random sample
    spanning its columns' whole range, so they could never skip one, and they
    cost a third of the writing's CPU time.  Each column is handed to the writer in
    one batch, not in batches of 1,024 values (a fifth less CPU time to write a
    chunk; the pages are the same, at most 1 MiB).
    """
    constant = [name for name, values in columns.items()
                if len(values) and (values == values[0]).all()]
    rows = max((len(values) for values in columns.values()), default=0)
    return {"compression": "none", "use_dictionary": constant, "write_statistics": False,
            "write_batch_size": max(rows, 1)}


def write_scenarios(path: str | Path, columns: Mapping[str, np.ndarray]) -> None:
    """Write per-scenario columns to the Parquet file `path`, as :func:`parquet_options` says.

    Every field is required (not nullable): a scenario's value is a number (NaN
    included), never missing, and without definition levels a part of the
    labour-market model is a third faster to write (8.7 against 12.8 ms for 65,536
    scenarios) and to read back.  float64 columns go to Arrow without a copy.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    def arrow(values: np.ndarray) -> pa.Array:
        if values.dtype == np.float64 and values.flags.c_contiguous:
            return pa.Array.from_buffers(pa.float64(), len(values), [None, pa.py_buffer(values)])
        return pa.array(values)

    arrays = {name: np.asarray(values) for name, values in columns.items()}
    fields = {name: arrow(values) for name, values in arrays.items()}
    schema = pa.schema([pa.field(name, a.type, nullable=False) for name, a in fields.items()])
    pq.write_table(pa.Table.from_arrays(list(fields.values()), schema=schema), path,
                   **parquet_options(arrays))


def part_name(chunk: int) -> str:
    """File name of chunk `chunk` in a streamed run; names sort in chunk order."""
    return f"part-{chunk:06d}.parquet"


def _shared_memory_dir() -> str:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else tempfile.gettempdir()


@dataclass(frozen=True)
class Destination:
    """Where the chunks of one run store their columns (see the module docstring).

    Attributes
    ----------
    columns : tuple of str
    n : int
        Scenarios in the run.
    kind : {"array", "shared", "parquet", "return"}
    path : str or None
        The shared-memory file, or the directory of Parquet parts.
    array : ndarray or None
        The (columns × n) table of an ``"array"`` destination, or the
        (held × n) table of a ``"parquet"`` one.
    held : tuple of str
        Columns of a ``"parquet"`` destination also held in `array`: only where
        every chunk stores in this process (the table is not sent to workers).
    """

    columns: tuple[str, ...]
    n: int
    kind: str
    path: str | None = None
    array: np.ndarray | None = None
    held: tuple[str, ...] = ()

    @classmethod
    def create(cls, columns: Sequence[str], n: int, kind: str,
               directory: str | Path | None = None, *, hold: Sequence[str] = ()
               ) -> Destination:
        """Allocate a destination of the given kind (a table, a file or a directory);
        a ``"parquet"`` one also holds the columns `hold` in memory."""
        columns = tuple(columns)
        if kind == "array":
            return cls(columns, n, kind, array=np.empty((len(columns), n)))
        if kind == "shared":
            handle, path = tempfile.mkstemp(prefix="riskcalc-", dir=_shared_memory_dir())
            os.close(handle)
            np.memmap(path, dtype=float, mode="w+", shape=(len(columns), n)).flush()
            return cls(columns, n, kind, path=path)
        if kind == "parquet":
            Path(directory).mkdir(parents=True, exist_ok=True)
            hold = set(hold)
            held = tuple(name for name in columns if name in hold)
            # np.empty commits no memory: pages are taken as chunks fill them.
            return cls(columns, n, kind, path=str(directory), held=held,
                       array=np.empty((len(held), n)) if held else None)
        if kind == "return":
            return cls(columns, n, kind)
        raise ValueError(f"unknown destination kind {kind!r}")

    def table(self) -> np.ndarray:
        """The (columns × n) table of an array or shared-memory destination."""
        if self.array is not None:
            return self.array
        return np.memmap(self.path, dtype=float, mode="r+", shape=(len(self.columns), self.n))

    @property
    def _rows(self) -> tuple[str, ...]:
        """The columns of this process's table (`array`), in its row order: all of an
        array destination's, the held ones of a ``"parquet"`` one, else none."""
        return {"array": self.columns, "parquet": self.held}.get(self.kind, ())

    def chunk_table(self, start: int, size: int, outputs: Sequence[str]
                    ) -> np.ndarray | None:
        """The (rows × size) slice of this process's table whose last rows are the
        columns `outputs`, for a chunk to write them in place: an array destination's
        table, or a ``"parquet"`` one's held table when it holds every output; else
        None."""
        if not outputs or self._rows[-len(outputs):] != tuple(outputs):
            return None
        return self.array[:, start:start + size]

    def store(self, chunk: int, start: int, size: int, values: Mapping[str, np.ndarray]
              ) -> dict[str, np.ndarray] | None:
        """Store the columns of chunk `chunk` (`size` scenarios from `start`); returns
        them only for a ``"return"`` destination.

        For an in-process table, the columns that `values` lacks are the ones
        written in place through :meth:`chunk_table`.
        """
        if self.kind == "return":
            return {name: np.asarray(values[name]) for name in self.columns}
        if self.kind == "parquet":
            self._fill(start, size, values)
            held = {name: self.array[i, start:start + size] for i, name in enumerate(self.held)}
            write_scenarios(Path(self.path) / part_name(chunk),
                            {name: held[name] if name in held else values[name]
                             for name in self.columns})
            return None
        if self.kind == "shared":
            # Written, not mapped: the kernel then fills new pages of the shared file in
            # one pass instead of taking a page fault per 4 KiB (twice as fast here).
            handle = os.open(self.path, os.O_WRONLY)
            try:
                for i, name in enumerate(self.columns):
                    column = np.ascontiguousarray(values[name], dtype=float)
                    os.pwrite(handle, memoryview(column).cast("B"), (i * self.n + start) * 8)
            finally:
                os.close(handle)
            return None
        self._fill(start, size, values)
        return None

    def _fill(self, start: int, size: int, values: Mapping[str, np.ndarray]) -> None:
        """Copy the columns of `values` that this process's table has into its rows."""
        for i, name in enumerate(self._rows):
            if name in values:
                self.array[i, start:start + size] = values[name]

    def held_columns(self) -> dict[str, np.ndarray]:
        """The held columns of a ``"parquet"`` destination, read-only, by name."""
        held = {}
        for i, name in enumerate(self.held):
            column = self.array[i]
            column.flags.writeable = False  # every reader shares it
            held[name] = column
        return held

    def release(self) -> None:
        """Drop the shared-memory file's name (mappings stay valid)."""
        if self.kind == "shared" and self.path and os.path.exists(self.path):
            os.unlink(self.path)

    def columns_view(self, names: Sequence[str]) -> Mapping[str, np.ndarray]:
        """Read access to some columns once the run is complete."""
        if self.kind == "parquet":
            return ParquetColumns(self.path, tuple(names), held=self.held_columns())
        table = self.table()
        return {name: table[self.columns.index(name)] for name in names}


class ParquetColumns(Mapping[str, np.ndarray]):
    """Columns of a Parquet dataset, each read from disk when asked for.

    Nothing is cached, so a loop over the columns of a run of any size needs
    memory for one column at a time, besides the columns the run held in memory
    (`held`), which are handed out as they are.  A read is single-threaded:
    callers that read several columns work on them in threads of their own.  A
    column stored plain (every varying column riskcalc writes) is read from its
    pages into one array (:mod:`riskcalc.engine.plain_pages`), any other through
    Arrow.

    Parameters
    ----------
    path : str
        A Parquet file or a directory of Parquet files (read in name order).
    names : tuple of str
        The columns this mapping offers.
    held : mapping of str to ndarray, optional
        Columns already in memory (read-only arrays, the same values as on disk).
    """

    def __init__(self, path: str, names: tuple[str, ...],
                 held: Mapping[str, np.ndarray] | None = None):
        self.path = path
        self.names = names
        self.held = {name: column for name, column in (held or {}).items() if name in names}
        self._parts: list[tuple[str, object]] | None = None

    def subset(self, names: Sequence[str]) -> ParquetColumns:
        """The same dataset offering only `names` (and holding only those)."""
        return ParquetColumns(self.path, tuple(names), held=self.held)

    def moved(self, path: str) -> ParquetColumns:
        """The same columns, once the dataset has been moved to `path`."""
        return ParquetColumns(path, self.names, held=self.held)

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self.held:
            return self.held[name]
        if name not in self.names:
            raise KeyError(name)
        import pyarrow.parquet as pq

        if self._parts is None:
            # Each part's footer is parsed once; the files are opened again for each
            # read, so a run of any number of parts holds no file open.  Arrow's
            # dataset scanner took twice as long per column (its thread pool for
            # small files), and opening with parsed footers costs little.
            root = Path(self.path)
            files = sorted(root.glob("*.parquet")) if root.is_dir() else [root]
            self._parts = [(str(f), pq.read_metadata(f)) for f in files]
        column = _read_plain(self._parts, name)
        if column is not None:
            return column
        columns = [_read_part(f, meta, name) for f, meta in self._parts]
        if len(columns) == 1:
            return columns[0]
        return np.concatenate(columns) if columns else np.empty(0)

    def __contains__(self, name: object) -> bool:  # Mapping's default reads the column
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _read_plain(parts: list[tuple[str, object]], name: str) -> np.ndarray | None:
    """Column `name` of every part, read from the files' plain pages into one array
    (:mod:`riskcalc.engine.plain_pages`); None where the first part's column is laid
    out otherwise (a constant column, another writer's file).  A later part laid out
    otherwise (a column constant in that chunk only) is read through Arrow."""
    from riskcalc.engine.plain_pages import read_plain_column

    out = np.empty(sum(meta.num_rows for _, meta in parts))
    start = 0
    for index, (path, meta) in enumerate(parts):
        part = out[start:start + meta.num_rows]
        names = meta.schema.names
        if not (meta.num_row_groups == 1 and name in names):
            done = False
        else:
            with open(path, "rb", buffering=0) as file:
                done = read_plain_column(file, meta.row_group(0).column(names.index(name)),
                                         meta.num_rows, part)
        if not done:
            if index == 0:
                return None
            part[:] = _read_part(path, meta, name)
        start += meta.num_rows
    return out


def _read_part(path: str, metadata: object, name: str) -> np.ndarray:
    """Column `name` of one Parquet file whose footer (`metadata`) is parsed already.

    Through the file reader that ``pyarrow.parquet.ParquetFile`` wraps, without
    the wrapper's set-up on every call: reading 12 columns of a 10 M run (153
    parts) took 0.72 s of CPU this way against 1.2-1.4 s through ParquetFile.
    Without pre-buffering, which reads ahead what one column does not need.  A
    pyarrow whose reader differs is read through ParquetFile (the same values).
    """
    global _LOW_LEVEL
    if _LOW_LEVEL:
        try:
            from pyarrow._parquet import ParquetReader

            reader = ParquetReader()
            reader.open(path, metadata=metadata, pre_buffer=False)
            table = reader.read_all(column_indices=[reader.column_name_idx(name)],
                                    use_threads=False)
            return table.column(0).to_numpy()
        except (ImportError, AttributeError, TypeError):
            _LOW_LEVEL = False
    import pyarrow.parquet as pq

    return (pq.ParquetFile(path, metadata=metadata, pre_buffer=False)
            .read(columns=[name], use_threads=False).column(0).to_numpy())


#: False once pyarrow's file reader turned out not to be the one :func:`_read_part` knows.
_LOW_LEVEL = True
