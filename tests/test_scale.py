"""Scale: Dask, streamed runs, bounded memory, progress and interrupted runs."""

from __future__ import annotations

import fcntl
import json
import os
import platform
import pty
import signal
import struct
import subprocess
import sys
import termios
import time

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS

from riskcalc import simulate
from riskcalc.engine.compiled import output_columns
from riskcalc.results.result import INCOMPLETE

SEED = 20261128
LABOUR_MARKET = str(MODELS / "labour_market.toml")


def test_output_columns_are_unique(labour_market):
    columns = output_columns(labour_market)
    assert len(columns) == len(set(columns))
    assert "npv_production" in columns and "npv_kind_production" in columns


def test_dask_cluster_gives_bit_identical_results(labour_market):
    pytest.importorskip("distributed")
    kwargs = dict(seed=SEED, chunk_size=3000)
    threads = simulate(labour_market, 10_000, n_jobs=2, **kwargs)
    dask = simulate(labour_market, 10_000, n_jobs=-1, backend="dask", scheduler="local:2",
                    **kwargs)
    for name in threads.outputs:
        np.testing.assert_array_equal(threads.outputs[name], dask.outputs[name], err_msg=name)
    np.testing.assert_array_equal(threads.bands, dask.bands)


def test_a_streamed_run_equals_the_in_memory_run(labour_market, tmp_path):
    memory = simulate(labour_market, 9000, seed=SEED, chunk_size=4000)
    streamed = simulate(labour_market, 9000, seed=SEED, chunk_size=4000, n_jobs=2,
                        out_dir=tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run" / "scenarios.parquet").iterdir()) == [
        "part-000000.parquet", "part-000001.parquet", "part-000002.parquet"]
    for name in memory.outputs:
        np.testing.assert_array_equal(memory.outputs[name], streamed.outputs[name])
    pd.testing.assert_frame_equal(memory.summary(), streamed.summary())
    assert (tmp_path / "run" / INCOMPLETE).exists()  # until the summaries are written
    streamed.write(tmp_path / "run")
    assert not (tmp_path / "run" / INCOMPLETE).exists()
    assert len(pd.read_parquet(tmp_path / "run" / "scenarios.parquet")) == 9000


PEAK_RSS = """
import resource, sys
import riskcalc
import riskcalc.engine.simulation
riskcalc.engine.simulation.hold_budget = lambda: 0  # the columns held are bounded apart
model = riskcalc.load_model(sys.argv[1])
result = riskcalc.simulate(model, int(sys.argv[2]), seed=1, out_dir=sys.argv[3])
result.write(sys.argv[3])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_memory_of_a_streamed_run_does_not_grow_with_n(tmp_path):
    def peak_kib(n: int) -> int:
        # On numpy both: the larger run would otherwise load numba (about 90 MB), the
        # smaller not, whether or not the kernel is in numba's cache.
        out = subprocess.run([sys.executable, "-c", PEAK_RSS, LABOUR_MARKET, str(n),
                              str(tmp_path / str(n))], capture_output=True, text=True,
                             check=True, env={**os.environ, "RISKCALC_KERNEL": "numpy"})
        return int(out.stdout.split()[-1])

    small, large = peak_kib(200_000), peak_kib(800_000)
    assert large < 1.15 * small + 20_000, (small, large)


def test_a_streamed_run_holds_its_outputs_in_memory_when_they_all_fit(
        labour_market, tmp_path, monkeypatch):
    import riskcalc.engine.simulation as simulation

    n, outputs = 9000, output_columns(labour_market)
    inputs = list(labour_market.parameters)
    room = len(outputs) + 2
    monkeypatch.setattr(simulation, "hold_budget", lambda: room * 8 * n + 7)
    run = simulate(labour_market, n, seed=SEED, chunk_size=4000, n_jobs=2,
                   out_dir=tmp_path / "run")
    assert list(run.outputs.held) == outputs  # every output, then inputs as they fit
    assert list(run.parameters.held) == inputs[:2]
    on_disk = pd.read_parquet(tmp_path / "run" / "scenarios.parquet")
    for name in [*outputs, *inputs[:2]]:
        held = {**run.outputs.held, **run.parameters.held}[name]
        assert not held.flags.writeable  # shared by every reader
        np.testing.assert_array_equal(held, on_disk[name].to_numpy())
    # Outputs that do not all fit are not held at all.
    monkeypatch.setattr(simulation, "hold_budget", lambda: (len(outputs) - 1) * 8 * n)
    assert not simulate(labour_market, n, seed=SEED, chunk_size=4000,
                        out_dir=tmp_path / "small").outputs.held
    # Worker processes store their own chunks: nothing is held in this process.
    monkeypatch.setattr(simulation, "hold_budget", lambda: room * 8 * n)
    loky = simulate(labour_market, n, seed=SEED, chunk_size=4000, n_jobs=2, backend="loky",
                    out_dir=tmp_path / "loky")
    assert not loky.outputs.held


def test_a_pyarrow_whose_file_reader_differs_reads_the_same_columns(
        labour_market, tmp_path, monkeypatch):
    import pyarrow._parquet

    from riskcalc.engine import storage

    run = simulate(labour_market, 9000, seed=SEED, chunk_size=4000, out_dir=tmp_path / "run")
    path = str(tmp_path / "run" / "scenarios.parquet")
    names = (*labour_market.parameters, *output_columns(labour_market))
    fast = {name: storage.ParquetColumns(path, names)[name] for name in names}

    class OtherReader:  # a reader without the methods _read_part uses
        pass

    monkeypatch.setattr(pyarrow._parquet, "ParquetReader", OtherReader)
    monkeypatch.setattr(storage, "_LOW_LEVEL", True)
    slow = storage.ParquetColumns(path, names)
    for name in names:
        np.testing.assert_array_equal(slow[name], fast[name], err_msg=name)
    assert storage._LOW_LEVEL is False  # tried once, then ParquetFile for every read
    np.testing.assert_array_equal(fast["npv_society"], run.outputs["npv_society"])


def test_scenario_files_hold_required_float_columns_with_every_value_kept(
        labour_market, tmp_path):
    import pyarrow.parquet as pq

    from riskcalc.engine.storage import write_scenarios

    values = np.array([1.5, np.nan, np.inf, -np.inf, -0.0, 1e308])
    write_scenarios(tmp_path / "f.parquet", {"x": values, "k": np.full(6, 2.0),
                                             "i": np.arange(6)})
    table = pq.read_table(tmp_path / "f.parquet")
    assert [(f.name, str(f.type), f.nullable) for f in table.schema] == [
        ("x", "double", False), ("k", "double", False), ("i", "int64", False)]
    np.testing.assert_array_equal(table["x"].to_numpy(), values)  # NaN and signs kept
    assert np.signbit(table["x"].to_numpy()[4])
    # A run in memory and a streamed run write the same schema.
    simulate(labour_market, 5000, seed=SEED).write(tmp_path / "memory")
    simulate(labour_market, 5000, seed=SEED, chunk_size=4000,
             out_dir=tmp_path / "streamed").write(tmp_path / "streamed")
    files = [tmp_path / "memory" / "scenarios.parquet",  # one file; the streamed run's parts:
             next((tmp_path / "streamed" / "scenarios.parquet").glob("*.parquet"))]
    schemas = [pq.read_schema(f) for f in files]
    assert schemas[0].equals(schemas[1])
    assert not any(f.nullable for f in schemas[0])


def test_glibc_takes_the_allocator_settings_that_reuse_freed_memory():
    if not sys.platform.startswith("linux") or "glibc" not in " ".join(platform.libc_ver()):
        pytest.skip("mallopt is glibc's")
    code = "from riskcalc.engine.resources import reuse_freed_memory as f; print(f())"
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    def takes(**env: str) -> str:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**clean, **env}).stdout.strip()

    assert takes() == "True"
    assert takes(MALLOC_ARENA_MAX="4") == "False"  # the user's own setting stands


def run_in_terminal(args: list[str], timeout: float = 120) -> str:
    """Run the CLI with stderr on a pseudo-terminal; returns what the terminal showed."""
    leader, follower = pty.openpty()
    # A new pseudo-terminal is 0 columns wide; give it the size of a real one.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "riskcalc", *args], stdin=follower,
                               stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=10)
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


def test_a_long_run_shows_a_progress_bar_on_a_terminal(tmp_path):
    shown = run_in_terminal(["run", LABOUR_MARKET, "--n", "1000000", "--seed", "1", "--no-report",
                             "--out", str(tmp_path / "run")])
    assert "scenario/s" in shown and "1.00M/1.00M" in shown  # done, rate, time left


def test_quiet_runs_show_no_progress_bar(tmp_path):
    shown = run_in_terminal(["run", LABOUR_MARKET, "--n", "1000000", "--seed", "1", "--no-report",
                             "--quiet", "--out", str(tmp_path / "run")])
    assert "scenario/s" not in shown
    piped = subprocess.run([sys.executable, "-m", "riskcalc", "run", LABOUR_MARKET, "--n",
                            "1000000", "--seed", "1", "--no-report", "--out",
                            str(tmp_path / "piped")],
                           capture_output=True, text=True, check=True)
    assert "scenario/s" not in piped.stderr


def test_an_interrupted_run_is_recognisably_incomplete(tmp_path):
    out = tmp_path / "run"
    process = subprocess.Popen([sys.executable, "-m", "riskcalc", "run", LABOUR_MARKET,
                                "--n", "20000000", "--seed", "1", "--quiet", "--out",
                                str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(out.glob(".scenarios.parquet.partial-*/part-*")):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    assert process.returncode != 0
    names = {p.name for p in out.iterdir()}
    assert INCOMPLETE in names
    assert "manifest.json" not in names and "scenarios.parquet" not in names


def test_a_complete_run_directory_has_a_manifest_and_no_marker(tmp_path):
    out = tmp_path / "run"
    subprocess.run([sys.executable, "-m", "riskcalc", "run", LABOUR_MARKET, "--n", "5000",
                    "--seed", "1", "--no-report", "--quiet", "--out", str(out)], check=True)
    assert not (out / INCOMPLETE).exists()
    assert json.loads((out / "manifest.json").read_text())["n"] == 5000
