"""The first run does not wait for numba: numpy while the kernel's cache is cold, same numbers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MODELS, REPO

from riskcalc.engine.kernel_cache import ENV

#: Runs a multi-chunk simulation (band histograms included) and reports which path ran.
SCRIPT = f"""
import json, sys
import numpy as np
import riskcalc
from riskcalc.engine import kernel_cache
kernel_cache.NUMPY_BLOCKS_FIRST = 0  # as a large run would have reached it by now
result = riskcalc.simulate(riskcalc.load_model({str(MODELS / "labour_market.toml")!r}),
                           2 * 65536 + 100, seed=7, n_jobs=2)
np.save(sys.argv[1], np.stack([result.outputs[c] for c in result.outputs]))
np.save(sys.argv[2], result.yearly.select_dtypes("number").to_numpy(dtype=float))
kernel = sys.modules.get("riskcalc.engine.kernel")
print(json.dumps({{"numba": "numba" in sys.modules,
                  "kernel": bool(kernel and kernel.finish_block.signatures),
                  "package": riskcalc.__file__}}))
"""


def fresh_copy(tmp_path: Path) -> Path:
    """The package alone, as a fresh clone has it: no __pycache__, so no numba cache."""
    root = tmp_path / "clone"
    shutil.copytree(REPO / "riskcalc", root / "riskcalc",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def run(root: Path, out: Path, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != ENV}
    environment.update(PYTHONPATH=str(root), **env)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(out / "outputs.npy"),
                           str(out / "bands.npy")], capture_output=True, text=True,
                          cwd=root, env=environment, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_cold_cache_runs_numpy_and_the_compiled_kernel_next_time_with_the_same_bits(tmp_path):
    import numpy as np

    root = fresh_copy(tmp_path)
    cache = tmp_path / "numba-cache"  # as where the package's folder is read-only
    env = {"NUMBA_CACHE_DIR": str(cache)}
    cold, warm = tmp_path / "cold", tmp_path / "warm"
    cold.mkdir()
    warm.mkdir()
    first = run(root, cold, **env)
    assert first["package"].startswith(str(root))
    assert not first["kernel"]
    # The cold run started a background compile; this one waits for its lock, then
    # finds the kernel cached (or compiles it, had the other not started yet).
    subprocess.run([sys.executable, "-m", "riskcalc.engine.kernel_cache"], cwd=root, check=True,
                   env={**os.environ, "PYTHONPATH": str(root), **env}, capture_output=True)
    assert list(cache.rglob("kernel.finish_block-*.nbc"))
    second = run(root, warm, **env)
    assert second["kernel"]
    for name in ("outputs.npy", "bands.npy"):
        np.testing.assert_array_equal(np.load(cold / name), np.load(warm / name), err_msg=name)


def test_riskcalc_kernel_numpy_never_imports_numba(tmp_path):
    used = run(REPO, tmp_path, **{ENV: "numpy"})
    assert not used["numba"] and not used["kernel"]


def test_a_bad_riskcalc_kernel_value_is_refused_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "riskcalc", "run",
                           str(MODELS / "labour_market.toml"), "--n", "100", "--no-report",
                           "--out", str(tmp_path / "run")], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, ENV: "fast"})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and f"{ENV}='fast'" in done.stderr
    assert "auto, numba, numpy" in done.stderr


#: Says whether a run of `blocks` blocks (one chunk, one thread) used the kernel.
SIZED = f"""
import json, sys
import riskcalc
from riskcalc.engine import kernel_cache
from riskcalc.engine.compiled import BLOCK_SIZE
kernel_cache.NUMPY_BLOCKS_FIRST = 2
riskcalc.simulate(riskcalc.load_model({str(MODELS / "labour_market.toml")!r}),
                  int(sys.argv[1]) * BLOCK_SIZE, seed=7, chunk_size=65536)
kernel = sys.modules.get("riskcalc.engine.kernel")
print(json.dumps(bool(kernel and kernel.finish_block.signatures)))
"""


@pytest.mark.slow
def test_a_run_known_to_pass_the_numpy_first_blocks_loads_the_kernel_at_once():
    # Its one chunk would otherwise run on numpy (the first blocks of a process);
    # a run below the threshold still never loads the kernel.
    env = {k: v for k, v in os.environ.items() if k != ENV}
    subprocess.run([sys.executable, "-m", "riskcalc.engine.kernel_cache"], cwd=REPO, env=env,
                   check=True, capture_output=True)  # the kernel cached, as after a first run

    def kernel_used(blocks: int) -> bool:
        done = subprocess.run([sys.executable, "-c", SIZED, str(blocks)], cwd=REPO, env=env,
                              capture_output=True, text=True, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert kernel_used(2)
    assert not kernel_used(1)


#: Computes a small run's tables (one pass and value of information) in a fresh process;
#: says whether numba was imported and whether the tables' reductions were loaded.
TABLES = f"""
import json, sys
import riskcalc
from riskcalc.decision.tables import risk_tables
if sys.argv[1] == "engine":  # as a large run leaves it: the engine's kernel loaded
    from riskcalc.engine import kernel
    kernel.load()
risk_tables(riskcalc.simulate(riskcalc.load_model({str(MODELS / "labour_market.toml")!r}),
                              3000, seed=7))
reductions = sys.modules.get("riskcalc.engine.reductions")
print(json.dumps({{"numba": "numba" in sys.modules,
                  "reductions": bool(reductions and reductions.loaded())}}))
"""


def tables_used(loaded: str, **env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != ENV}
    environment.update(env)
    done = subprocess.run([sys.executable, "-c", TABLES, loaded], capture_output=True,
                          text=True, cwd=REPO, env=environment, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_tables_of_a_small_run_do_not_import_numba():
    assert tables_used("none") == {"numba": False, "reductions": False}
    assert tables_used("none", **{ENV: "numpy"}) == {"numba": False, "reductions": False}


@pytest.mark.slow
def test_the_tables_use_the_cached_reductions_where_the_engine_loaded_numba():
    env = {k: v for k, v in os.environ.items() if k != ENV}
    subprocess.run([sys.executable, "-m", "riskcalc.engine.kernel_cache"], cwd=REPO, env=env,
                   check=True, capture_output=True)  # both cached, as after a first run
    assert tables_used("engine") == {"numba": True, "reductions": True}
    assert tables_used("engine", **{ENV: "numpy"})["reductions"] is False


@pytest.mark.slow
def test_a_compile_of_the_reductions_keeps_neither_the_engine_nor_the_tables_waiting(tmp_path):
    # While another process compiles the reductions (holding their lock), a run loads
    # the cached kernel as usual and its tables use numpy.
    import fcntl

    from riskcalc.engine import kernel
    from riskcalc.engine.kernel_cache import TABLES_LOCK

    env = {k: v for k, v in os.environ.items() if k != ENV}
    subprocess.run([sys.executable, "-m", "riskcalc.engine.kernel_cache"], cwd=REPO, env=env,
                   check=True, capture_output=True)
    fd = os.open(os.path.join(kernel.cache_directory(), TABLES_LOCK), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        done = subprocess.run([sys.executable, "-c", SIZED, "2"], cwd=REPO, env=env,
                              capture_output=True, text=True, check=True)
        assert json.loads(done.stdout.strip().splitlines()[-1])  # the kernel
        assert tables_used("engine") == {"numba": True, "reductions": False}
    finally:
        os.close(fd)
    assert tables_used("engine")["reductions"]


LOWERED = """
from riskcalc.engine.kernel_cache import _only_idle_time
_only_idle_time()
print(open("/proc/self/autogroup").read(), end="", flush=True)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="no autogroup scheduling")
def test_the_background_compile_lowers_its_own_session_group_and_no_other():
    # With autogroup scheduling, nice ranks a process only within its session's group:
    # the compile (a session of its own) must lower its group, or it takes a whole core.
    # The file reads "/autogroup-<id> nice <n>", or nothing for a process in the kernel's
    # default group (a container whose processes never started a session, as in CI).
    def group(**popen: object) -> str:
        out = subprocess.run([sys.executable, "-c", LOWERED], capture_output=True, text=True,
                             check=True, cwd=REPO, **popen)
        return out.stdout

    assert group(start_new_session=True).split()[-1] == "19"
    # A process in its caller's session leaves the shared group as it was.
    assert group() == open("/proc/self/autogroup").read()


#: Loads the kernel in a fresh process, then compiles numba code of the user's own
#: that takes inner products; says what was imported when.
PROBE = """
import json, sys
import numba, numpy as np
from riskcalc.engine import kernel
kernel.load()
before = "scipy.linalg" in sys.modules
from numba.np import arraymath
@numba.njit
def inner(x):
    return np.dot(x, x), np.cov(x)
print(json.dumps({"scipy.linalg at load": before, "blas": arraymath._HAVE_BLAS,
                  "values": [float(v) for v in inner(np.arange(4.0))],
                  "scipy.linalg after dot": "scipy.linalg" in sys.modules}))
"""


@pytest.mark.slow
def test_loading_the_kernel_skips_scipy_linalg_and_leaves_numbas_linear_algebra_whole():
    env = {k: v for k, v in os.environ.items() if k != ENV}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env=env,
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "scipy.linalg at load": False, "blas": True, "values": pytest.approx([14.0, 5 / 3]),
        "scipy.linalg after dot": True}
