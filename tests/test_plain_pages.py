"""Reading float64 columns straight from plain Parquet pages: as Arrow reads them, or no answer."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from riskcalc.engine.plain_pages import read_plain_column
from riskcalc.engine.storage import ParquetColumns, write_scenarios

SPECIAL = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 5e-324, -1.7976931348623157e308])


def columns(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    varying = rng.normal(size=n) * 1e6
    varying[:SPECIAL.size] = SPECIAL
    return {"varying": varying, "constant": np.full(n, 459.0), "uniform": rng.random(n)}


def read_through_arrow(path, name: str) -> np.ndarray:
    return pq.read_table(path, columns=[name]).column(0).to_numpy()


def plain(path, name: str) -> np.ndarray | None:
    """The column read by read_plain_column, or None where it declines."""
    meta = pq.read_metadata(path)
    out = np.full(meta.num_rows, 7.0)
    with open(path, "rb", buffering=0) as file:
        chunk = meta.row_group(0).column(meta.schema.names.index(name))
        return out if read_plain_column(file, chunk, meta.num_rows, out) else None


def test_pages_of_a_scenario_file_read_as_arrow_reads_them_to_the_bit(tmp_path):
    # 50,000 rows: three pages of at most 20,000 rows behind their headers.
    data = columns(50_000, 1)
    write_scenarios(tmp_path / "part.parquet", data)
    for name in ("varying", "uniform"):
        assert plain(tmp_path / "part.parquet", name).tobytes() == data[name].tobytes()
    assert plain(tmp_path / "part.parquet", "constant") is None  # dictionary-encoded


def test_a_run_directory_reads_every_column_the_same_whichever_way_each_part_is_laid_out(
        tmp_path):
    # "mixed" is constant (so dictionary-encoded) in the second part only.
    parts = [columns(30_000, seed) for seed in (1, 2, 3)]
    parts[1]["varying"] = np.full(30_000, -2.5)
    for k, part in enumerate(parts):
        write_scenarios(tmp_path / f"part-{k:06d}.parquet", part)
    read = ParquetColumns(str(tmp_path), ("varying", "constant", "uniform"))
    for name in read.names:
        expected = np.concatenate([p[name] for p in parts])
        assert read[name].dtype == np.float64
        assert read[name].tobytes() == expected.tobytes(), name


@pytest.mark.parametrize("options", [
    {"compression": "snappy"},
    {"compression": "none", "use_dictionary": True},
    {"compression": "none", "use_dictionary": False, "data_page_version": "2.0"},
], ids=["snappy", "dictionary", "page-v2"])
def test_another_layout_gets_no_answer_and_arrow_reads_it(tmp_path, options):
    data = columns(30_000, 4)
    pq.write_table(pa.table(data), tmp_path / "other.parquet", **options)
    assert plain(tmp_path / "other.parquet", "varying") is None
    read = ParquetColumns(str(tmp_path / "other.parquet"), ("varying",))
    assert read["varying"].tobytes() == data["varying"].tobytes()


@pytest.mark.parametrize("options, required", [
    ({"write_statistics": True}, True), ({"write_page_checksum": True}, True), ({}, False),
], ids=["statistics", "checksums", "nullable"])
def test_plain_pages_with_more_in_their_headers_read_the_same(tmp_path, options, required):
    # Statistics and checksums lengthen each page header (skipped); a nullable column,
    # even without nulls, has definition levels before its values (no answer).
    data = columns(30_000, 5)
    schema = pa.schema([pa.field(name, pa.float64(), nullable=not required) for name in data])
    pq.write_table(pa.table(data, schema=schema), tmp_path / "other.parquet",
                   compression="none", use_dictionary=False, **options)
    answer = plain(tmp_path / "other.parquet", "varying")
    expected = read_through_arrow(tmp_path / "other.parquet", "varying")
    assert (answer.tobytes() == expected.tobytes()) if required else answer is None
    assert ParquetColumns(str(tmp_path / "other.parquet"),
                          ("varying",))["varying"].tobytes() == expected.tobytes()


def test_a_file_cut_short_gives_no_answer_never_wrong_values(tmp_path):
    data = columns(30_000, 6)
    write_scenarios(tmp_path / "part.parquet", data)
    meta = pq.read_metadata(tmp_path / "part.parquet")
    chunk = meta.row_group(0).column(meta.schema.names.index("varying"))
    whole = (tmp_path / "part.parquet").read_bytes()
    for cut in (chunk.data_page_offset + 10, chunk.data_page_offset + 100_000,
                chunk.data_page_offset + chunk.total_compressed_size - 1):
        (tmp_path / "cut.parquet").write_bytes(whole[:cut])
        out = np.empty(meta.num_rows)
        with open(tmp_path / "cut.parquet", "rb", buffering=0) as file:
            assert not read_plain_column(file, chunk, meta.num_rows, out)


@pytest.mark.parametrize("garbage", [b"\x1c" * 5000, b"\xff" * 300, b"\x00" * 64],
                         ids=["nested structs", "endless varint", "empty struct"])
def test_a_damaged_page_header_gets_no_answer(tmp_path, garbage):
    data = columns(30_000, 7)
    write_scenarios(tmp_path / "part.parquet", data)
    meta = pq.read_metadata(tmp_path / "part.parquet")
    chunk = meta.row_group(0).column(meta.schema.names.index("varying"))
    whole = bytearray((tmp_path / "part.parquet").read_bytes())
    start = chunk.data_page_offset
    whole[start:start + len(garbage)] = garbage
    (tmp_path / "bad.parquet").write_bytes(bytes(whole))
    out = np.empty(meta.num_rows)
    with open(tmp_path / "bad.parquet", "rb", buffering=0) as file:
        assert not read_plain_column(file, chunk, meta.num_rows, out)
