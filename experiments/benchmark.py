"""Measure riskcalc's speed beside its baselines and this machine's limit, in one run.

    python experiments/benchmark.py            # N = 1,000,000; writes reports/benchmark.md
    python experiments/benchmark.py --n 200000 --repeats 1 --out /tmp/bench.md   # quick look

Every figure is the best of ``--repeats`` timed runs after a warm-up (the
minimum is the least disturbed by other work on the machine).  Workload: the
reference labour-market model (13 uncertain parameters, 8 actors, 20 years).

* riskcalc ``simulate`` with one worker and with all cores, as threads (the
  default) and as worker processes (sampling, engine, per-scenario table,
  bands; no file writing);
* the engine alone on the same drawn chunks: the fused kernel beside the
  straightforward numpy path it must match (the largest difference is printed);
* the same model written as plain vectorised numpy, and as a plain
  one-scenario-at-a-time Python loop computing the same outputs (every actor's
  NPV, NPV by cost kind, ROI, payback year, investment humps), timed on a
  subsample;
* the machine's limit for this workload: the random-number draws the model
  needs (on one core, and shared over all cores) plus writing the per-scenario
  table once at this machine's memory bandwidth.  No implementation can beat
  that bound;
* peak memory of ``riskcalc run --n 10,000,000`` (streamed to Parquet), with one
  worker and with all cores;
* the full Sobol' study of issue 4 beside plain SALib on the same design
  (``benchmark_sensitivity.py``);
* the engine's GIL share per chunk and its thread scaling (``gil_share.py``): per
  chunk, the time in the nogil kernel and the Python-level time that holds the GIL,
  the measured 1 → 2 thread speed-up and Amdahl's projection to 16 cores, for this
  tree and the baseline tree;
* the whole process a user starts, side by side with its own engine (issue 15):
  ``riskcalc run --n N`` (every table, Parquet, no report) and ``riskcalc report``
  on it, each also with the code of a baseline tree (``--baseline DIR``, e.g. an
  older checkout) in the same run;
* the report (issue 15): ``riskcalc report`` on one run of ``--report-n`` scenarios
  (default 1,000,000), this tree and the baseline tree taking turns on copies of the
  same run directory, wall-clock and CPU seconds; and the report's part of
  ``riskcalc run`` (the run with its report less the run with ``--no-report``);
* start-up and the first run (issue 15): ``riskcalc --help`` and ``riskcalc check``
  (wall and CPU seconds), and ``riskcalc run`` in a fresh copy of each tree (no
  ``__pycache__``, so no compiled bytecode and no numba cache, as in a fresh clone):
  the first run, the run right after it, and a warm run once any background
  compile has finished.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchmark_sensitivity import benchmark_sobol, jobs_scaling, render_jobs  # noqa: E402
from benchmark_sensitivity import render as render_sobol  # noqa: E402
from plain_labour_market import plain_loop, plain_sample, plain_vectorised  # noqa: E402

import riskcalc  # noqa: E402
from riskcalc.engine.compiled import CompiledModel, output_columns  # noqa: E402
from riskcalc.engine.resources import reuse_freed_memory  # noqa: E402
from riskcalc.engine.sampling import sample_parameters  # noqa: E402

# The in-process figures (the engine's) are taken under the memory settings of the
# command line (riskcalc.cli.main): no huge-page advice, glibc keeping freed blocks.
# Without them a 4 M `simulate` in memory took twice as long, for costs the command does
# not pay.  Neither setting passes to the child processes (each tree's command line).
np._core.multiarray._set_madvise_hugepage(False)
reuse_freed_memory()

MODEL = HERE.parent / "models" / "labour_market.toml"


def best_of(repeats: int, func, *args, **kwargs) -> float:
    """Smallest wall-clock time of `repeats` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times)


def memory_bandwidth(repeats: int) -> float:
    """Bytes per second of a large numpy copy (read + write counted once each)."""
    src = np.ones(64 * 2**20 // 8 * 8)  # 512 MiB
    dst = np.empty_like(src)
    np.copyto(dst, src)
    seconds = best_of(repeats, np.copyto, dst, src)
    return 2 * src.nbytes / seconds


def random_draw_seconds(model: riskcalc.Model, n: int, repeats: int) -> float:
    """One core's time to draw the model's parameters for n scenarios with numpy."""
    rng = np.random.default_rng(1)
    dists = [p.distribution for p in model.parameters.values() if p.is_uncertain]

    def draw() -> None:
        for start in range(0, n, 65_536):
            for dist in dists:
                dist.sample(rng, min(65_536, n - start))

    return best_of(repeats, draw)


def engine_alone(model: riskcalc.Model, n: int, repeats: int) -> dict[str, float]:
    """Seconds of the fused kernel and of the numpy path for n scenarios, on the same chunks.

    Times a sample of chunks and scales to n; also returns the largest relative
    difference between the two paths' outputs (0.0: the same bits).
    """
    chunks = [sample_parameters(model, 1, k, 65_536) for k in range(4)]
    scenarios = 65_536 * len(chunks)
    figures, outputs = {}, {}
    for name, fused in (("engine_fused", True), ("engine_numpy", False)):
        compiled = CompiledModel(model, fused=fused)
        outputs[name] = [compiled.evaluate(chunk).outputs for chunk in chunks]
        figures[name] = best_of(repeats, lambda c=compiled: [c.evaluate(k) for k in chunks]
                                ) * n / scenarios
    figures["engine_max_diff"] = max(
        float(np.nanmax(np.abs(a[k] - b[k]) / np.maximum(np.abs(b[k]), 1e-300)))
        for a, b in zip(outputs["engine_fused"], outputs["engine_numpy"], strict=True)
        for k in a)
    return figures


def peak_memory_of(command: list[str]) -> tuple[float, float]:
    """Run a command; return (seconds, peak resident memory in GiB of it and its children).

    Polls /proc every 20 ms and sums the resident memory of the process tree, so
    worker processes count too.
    """

    def tree_rss(pid: int) -> int:
        total, stack = 0, [pid]
        while stack:
            current = stack.pop()
            try:
                status = Path(f"/proc/{current}/status").read_text()
                children = Path(f"/proc/{current}/task/{current}/children").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            stack += [int(c) for c in children.split()]
        return total

    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.02)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    return time.perf_counter() - start, peak / 2**30


def run(n: int, repeats: int, loop_n: int, memory_n: int) -> dict[str, float]:
    model = riskcalc.load_model(MODEL)
    cores = os.cpu_count() or 1
    figures: dict[str, float] = {"n": n, "cores": cores, "memory_n": memory_n}
    riskcalc.simulate(model, 200_000, seed=1, n_jobs=-1)  # compile, start the threads once
    riskcalc.simulate(model, 200_000, seed=1, n_jobs=-1, backend="loky")  # and the workers
    figures["riskcalc_1"] = best_of(repeats, riskcalc.simulate, model, n, seed=1, n_jobs=1)
    figures["riskcalc_all"] = best_of(repeats, riskcalc.simulate, model, n, seed=1, n_jobs=-1)
    figures["riskcalc_loky"] = best_of(repeats, riskcalc.simulate, model, n, seed=1, n_jobs=-1,
                                       backend="loky")
    figures.update(engine_alone(model, n, repeats))
    with tempfile.TemporaryDirectory() as tmp:
        figures["riskcalc_stream"] = best_of(repeats, riskcalc.simulate, model, n, seed=1,
                                             n_jobs=-1, out_dir=Path(tmp) / "run")

    rng = np.random.default_rng(2)
    plain_n = min(n, 200_000)

    def plain() -> None:
        plain_vectorised(plain_sample(rng, plain_n))

    figures["plain_vectorised"] = best_of(repeats, plain) * n / plain_n
    figures["plain_loop"] = best_of(1, plain_loop, rng, loop_n) * n / loop_n

    # Correctness of the fast path on the same draws.
    result = riskcalc.simulate(model, min(n, 100_000), seed=3)
    expected = plain_vectorised(result.parameters)
    figures["max_rel_diff"] = max(
        float(np.max(np.abs(result.outputs[k] - expected[k]) / np.abs(expected[k]).max()))
        for k in ("npv_society", "npv_municipality", "roi"))

    bandwidth = memory_bandwidth(repeats)
    table_bytes = n * (len(model.parameters) + len(output_columns(model))) * 8
    figures["bandwidth_gb_s"] = bandwidth / 1e9
    draws_one_core = random_draw_seconds(model, n, repeats)
    figures["limit_table"] = table_bytes / bandwidth
    figures["limit_1"] = draws_one_core + figures["limit_table"]
    figures["limit_all"] = draws_one_core / cores + figures["limit_table"]

    if memory_n:
        with tempfile.TemporaryDirectory() as tmp:
            command = [sys.executable, "-m", "riskcalc", "run", str(MODEL), "--n",
                       str(memory_n), "--seed", "1", "--quiet", "--out", f"{tmp}/run"]
            figures["memory_s_1"], figures["memory_gib_1"] = peak_memory_of(command)
            figures["memory_s_all"], figures["memory_gib_all"] = peak_memory_of(
                [*command, "--jobs", "-1"])
    return figures


def _cli(tree: Path | None, *args: str) -> list[str]:
    """The command line of riskcalc from `tree` (None: this checkout)."""
    root = tree or HERE.parent
    # `python -m` would put the working directory first on the path: name the tree.
    # What the installed `riskcalc` calls: command_line where the tree has it.
    code = (f"import sys; sys.path.insert(0, {str(root)!r}); import riskcalc.cli as cli; "
            "sys.exit(cli.command_line() if hasattr(cli, 'command_line') else cli.main())")
    return [sys.executable, "-c", code, *args]


def whole_process(sizes: list[int], repeats: int, baseline: Path | None) -> list[dict]:
    """Seconds and peak memory of `riskcalc run` beside `simulate` in memory, per N.

    Each row: N, engine seconds (``simulate`` in memory, all cores, best of
    `repeats`), and for this tree and the baseline the whole process's seconds
    (best of `repeats`) and peak GiB, and ``riskcalc report`` on the run.
    """
    model = riskcalc.load_model(MODEL)
    rows = []
    trees = {"new": None, **({"baseline": baseline} if baseline else {})}
    def model_of(tree: Path | None) -> str:  # each tree reads its own model file
        return str((tree or HERE.parent) / "models" / "labour_market.toml")

    for tree in trees.values():  # compile each tree's kernel into its cache first
        subprocess.run(_cli(tree, "run", model_of(tree), "--n", "100000", "--quiet", "--out",
                            f"{tempfile.gettempdir()}/riskcalc-warm"), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for n in sizes:
        row: dict = {"n": n, "engine": best_of(repeats, riskcalc.simulate, model, n, seed=1,
                                                n_jobs=-1)}
        for name, tree in trees.items():
            with tempfile.TemporaryDirectory() as tmp:
                run_args = ["run", model_of(tree), "--n", str(n), "--seed", "1", "--quiet",
                            "--out", f"{tmp}/run", "--jobs", "-1"]
                if name == "new":  # the default command, report.html and results.xlsx too
                    row["new_default_s"] = min(peak_memory_of(_cli(tree, *run_args))[0]
                                               for _ in range(repeats))
                if _writes_report(tree):
                    run_args.append("--no-report")
                timed = [peak_memory_of(_cli(tree, *run_args)) for _ in range(repeats)]
                row[f"{name}_s"] = min(t for t, _ in timed)
                row[f"{name}_gib"] = max(g for _, g in timed)
                row[f"{name}_report_s"] = min(
                    peak_memory_of(_cli(tree, "report", f"{tmp}/run"))[0]
                    for _ in range(repeats))
        rows.append(row)
    return rows


def _writes_report(tree: Path | None) -> bool:
    """Whether `tree`'s ``run`` writes the report by default (and so has --no-report)."""
    cli = (tree or HERE.parent) / "riskcalc" / "cli"
    return cli.is_dir() and any("--no-report" in f.read_text() for f in cli.glob("*.py"))


def startup(repeats: int, baseline: Path | None) -> dict[str, float]:
    """Best-of wall and CPU seconds of `riskcalc --help` and `riskcalc check`
    (this tree, baseline), alternating the trees."""
    figures: dict[str, float] = {}
    trees = {"new": None, **({"baseline": baseline} if baseline else {})}
    for _ in range(max(repeats, 5)):
        for name, tree in trees.items():
            model = str((tree or HERE.parent) / "models" / "labour_market.toml")
            for what, args in (("help", ["--help"]), ("check", ["check", model])):
                wall, cpu = timed_child(_cli(tree, *args))
                for key, value in ((f"{name}_{what}", wall), (f"{name}_{what}_cpu", cpu)):
                    figures[key] = min(figures.get(key, np.inf), value)
    return figures


def fresh_copy(tree: Path, into: Path) -> Path:
    """The package and models of `tree` as a fresh clone has them: no __pycache__."""
    for folder in ("riskcalc", "models"):
        shutil.copytree(tree / folder, into / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return into


def first_run(sizes: list[int], repeats: int, baseline: Path | None) -> list[dict]:
    """Seconds of `riskcalc run --no-report` in a fresh copy of each tree, per N.

    Each row: N, and per tree the best of `repeats` fresh copies of its first run,
    the run right after it, and a warm run (after this tree's background compile
    of the kernel, if it has one, has finished).
    """
    rows = []
    trees = {"new": HERE.parent, **({"baseline": baseline} if baseline else {})}
    for n in sizes:
        row: dict = {"n": n}
        for _ in range(repeats):
            for name, tree in trees.items():
                with tempfile.TemporaryDirectory() as tmp:
                    clone = fresh_copy(tree, Path(tmp) / "clone")
                    args = ["run", str(clone / "models" / "labour_market.toml"), "--n", str(n),
                            "--seed", "1", "--quiet", "--no-report", "--out", f"{tmp}/run"]
                    times = {"first": timed_child(_cli(clone, *args))[0],
                             "second": timed_child(_cli(clone, *args))[0]}
                    if (clone / "riskcalc" / "engine" / "kernel_cache.py").exists():
                        # Waits for the background compile's lock (or compiles).
                        subprocess.run([sys.executable, "-m", "riskcalc.engine.kernel_cache"],
                                       cwd=clone, check=True, stdout=subprocess.DEVNULL)
                    times["warm"] = timed_child(_cli(clone, *args))[0]
                for what, seconds in times.items():
                    key = f"{name}_{what}"
                    row[key] = min(row.get(key, np.inf), seconds)
        rows.append(row)
    return rows


def render_first_run(rows: list[dict], start: dict[str, float]) -> str:
    base = "baseline_first" in rows[0]
    lines = ["`riskcalc --help` and `riskcalc check` (labour market): best of at least five, "
             "the trees alternating; wall seconds, and the CPU seconds of the process "
             "(less disturbed by other work on the machine).", "",
             "| start-up | this tree | CPU | baseline | CPU |", "|---|---:|---:|---:|---:|"]
    for what, label in (("help", "`riskcalc --help`"),
                        ("check", "`riskcalc check` (labour market)")):
        lines.append(f"| {label} | {start[f'new_{what}']:.2f} s | "
                     f"{start[f'new_{what}_cpu']:.2f} s | "
                     f"{start.get(f'baseline_{what}', np.nan):.2f} s | "
                     f"{start.get(f'baseline_{what}_cpu', np.nan):.2f} s |")
    lines += ["", "`riskcalc run MODEL --n N --no-report` in a fresh copy of each tree (no "
              "`__pycache__`: no bytecode, no numba cache, as in a fresh clone): the first "
              "run, the one right after it, and a warm one (this tree: after its background "
              "compile has finished). Best of the repeats, each in a new copy.", "",
              "| N | first | second | warm | first − warm |"
              + (" baseline first | second | warm | first − warm |" if base else ""),
              "|---:|---:|---:|---:|---:|" + ("---:|---:|---:|---:|" if base else "")]
    for r in rows:
        line = (f"| {r['n']:,} | {r['new_first']:.1f} s | {r['new_second']:.1f} s | "
                f"{r['new_warm']:.1f} s | {r['new_first'] - r['new_warm']:+.1f} s |")
        if base:
            line += (f" {r['baseline_first']:.1f} s | {r['baseline_second']:.1f} s | "
                     f"{r['baseline_warm']:.1f} s | "
                     f"{r['baseline_first'] - r['baseline_warm']:+.1f} s |")
        lines.append(line)
    return "\n".join(lines)


def timed_child(command: list[str]) -> tuple[float, float]:
    """Run a command; return its (wall-clock, CPU) seconds, CPU being user + system time
    of it and its children (steadier than wall-clock on a loaded machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def report_speed(n: int, repeats: int, baseline: Path | None) -> dict[str, float]:
    """Seconds of `riskcalc report` on one run of n scenarios, this tree beside the baseline.

    One run directory (this tree's ``run --no-report``) is copied for each tree, so both
    read the same files; the trees take turns, and each figure is the best of
    `repeats` after a warm-up round.  Also the report's part of ``riskcalc run`` in
    each tree: ``run`` with its report less ``run --no-report`` (best of `repeats` each).
    """
    trees = {"new": None, **({"baseline": baseline} if baseline else {})}
    figures: dict[str, float] = {"n": n}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "run"
        subprocess.run(_cli(None, "run", str(MODEL), "--n", str(n), "--seed", "1", "--quiet",
                            "--no-report", "--out", str(source)), check=True,
                       stdout=subprocess.DEVNULL)
        for name in trees:
            shutil.copytree(source, Path(tmp) / name)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for _ in range(repeats + 1):  # the first round warms the page cache and fonts
            for name, tree in trees.items():
                times[name].append(timed_child(_cli(tree, "report", str(Path(tmp) / name))))
        for name, measured in times.items():
            for i, kind in enumerate(("wall", "cpu")):
                figures[f"{name}_{kind}"] = min(t[i] for t in measured[1:])
        runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for _ in range(repeats):
            for name, tree in trees.items():
                model = str((tree or HERE.parent) / "models" / "labour_market.toml")
                for flag in ("--report", "--no-report"):
                    runs.setdefault((name, flag), []).append(timed_child(_cli(
                        tree, "run", model, "--n", str(n), "--seed", "1", "--quiet", flag,
                        "--out", f"{tmp}/again-{name}")))
        for (name, flag), measured in runs.items():
            for i, kind in enumerate(("wall", "cpu")):
                figures[f"{name}_run{flag[1:].replace('-', '_')}_{kind}"] = min(
                    t[i] for t in measured)
    return figures


def render_report_speed(f: dict[str, float]) -> str:
    trees = ["new"] + (["baseline"] if "baseline_wall" in f else [])
    head = "| | " + " | ".join(f"{'this tree' if t == 'new' else 'baseline'} {kind}"
                                for t in trees for kind in ("wall-clock", "CPU")) + " |"
    rows = [("`riskcalc report`", ""), ("`riskcalc run` with its report", "_run_report"),
            ("`riskcalc run --no-report`", "_run_no_report")]
    lines = [f"`riskcalc report RUN_DIR` on a run of {int(f['n']):,} scenarios (labour market), "
             "the trees taking turns on copies of one run directory; best of the repeats "
             "after a warm-up round. CPU: user + system seconds of the process and its "
             "children. The report's part of `run` is the difference of the two runs.", "",
             head, "|---|" + "---:|" * (2 * len(trees))]
    for label, key in rows:
        lines.append(f"| {label} | " + " | ".join(
            f"{f[f'{t}{key}_{kind}']:.2f} s" for t in trees for kind in ("wall", "cpu")) + " |")
    lines.append("| the report's part of `run` | " + " | ".join(
        f"{f[f'{t}_run_report_{kind}'] - f[f'{t}_run_no_report_{kind}']:.2f} s"
        for t in trees for kind in ("wall", "cpu")) + " |")
    return "\n".join(lines)


def render_process(rows: list[dict]) -> str:
    cores = os.cpu_count() or 1
    base = "baseline_s" in rows[0]
    head = ("| N | engine (`simulate` in memory) | `riskcalc run --no-report` | ratio "
            "| M scenarios/s | peak GiB | `riskcalc run` (default: with the report) | ratio |")
    rule = "|---:|---:|---:|---:|---:|---:|---:|---:|"
    if base:
        head += " baseline `run` | baseline ratio | baseline GiB |"
        rule += "---:|---:|---:|"
    lines = [f"All {cores} cores (the default now). `riskcalc run` is the whole process a user "
             "starts: imports, simulation streamed to Parquet, every table; `--no-report` "
             "leaves out report.html and its figures (the baseline's run too, where it "
             "writes a report by default).",
             "", head, rule]
    for r in rows:
        line = (f"| {r['n']:,} | {r['engine']:.1f} s | {r['new_s']:.1f} s | "
                f"{r['new_s'] / r['engine']:.1f}× | {r['n'] / r['new_s'] / 1e6:.2f} | "
                f"{r['new_gib']:.2f} | {r['new_default_s']:.1f} s | "
                f"{r['new_default_s'] / r['engine']:.1f}× |")
        if base:
            line += (f" {r['baseline_s']:.1f} s | {r['baseline_s'] / r['engine']:.1f}× | "
                     f"{r['baseline_gib']:.2f} |")
        lines.append(line)
    lines += ["", "| `riskcalc report` on the run | " + " | ".join(
        f"N = {r['n']:,}: {r['new_report_s']:.1f} s"
        + (f" (baseline {r['baseline_report_s']:.1f} s)" if base else "") for r in rows) + " |",
        "|---|" + "---|" * len(rows)]
    return "\n".join(lines)


def engine_gil(repeats: int, baseline: Path | None,
               others: dict[str, Path] | None = None) -> list[dict]:
    """``gil_share.py``'s figures for this tree, the baseline and `others` (name → tree),
    each in its own process.

    The trees take turns `repeats` times (the machine is shared); for each tree the
    run with the smallest GIL share is kept.
    """
    trees = {"this tree": HERE.parent, **({"baseline": baseline} if baseline else {}),
             **(others or {})}
    best: dict[str, dict] = {}
    for _ in range(max(1, repeats)):
        for name, tree in trees.items():
            done = subprocess.run([sys.executable, str(HERE / "gil_share.py"), "--tree",
                                   str(tree), "--repeats", "5"],
                                  check=True, capture_output=True, text=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            if name not in best or figures["gil_share"] < best[name]["gil_share"]:
                best[name] = figures
    return [{"tree": name, **best[name]} for name in trees]


def render_gil(rows: list[dict]) -> str:
    cores = rows[0]["cores"]
    lines = [
        "Labour-market model, chunks of 65,536 scenarios drawn once, evaluated in memory "
        "on one thread (`experiments/gil_share.py`). GIL time per chunk: the cost of a "
        "16-scenario block (Python-level work, which holds the GIL) times the chunk's "
        "blocks. Amdahl: 1 / (s + (1 - s) / p) with s the GIL share. Karp–Flatt: the serial "
        f"fraction that the measured 1 → 2 thread speed-up implies ({cores} cores, shared; "
        "it also counts memory bandwidth and the other load).",
        "",
        "| tree | chunk (ms) | in nogil kernel | GIL held | GIL share | 1 → 2 threads, "
        "measured | Amdahl 2 | Amdahl 16 | Karp–Flatt fraction | → 16 cores | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        # Below 1×, the second thread found no free core: no serial fraction follows.
        karp = ((f"{r['karp_flatt']:.1%} | {r['karp_flatt_16']:.1f}×")
                if 1 <= r["speedup_2"] <= 2 else "— | —")
        lines.append(
            f"| {r['tree']} | {r['chunk_ms']:.1f} | {r['kernel_ms']:.1f} | {r['gil_ms']:.1f} "
            f"({r['fixed_us']:.0f} µs × {r['blocks_per_chunk']}) | {r['gil_share']:.1%} | "
            f"{r['speedup_2']:.2f}× | {r['amdahl_2']:.2f}× | {r['amdahl_16']:.1f}× | "
            f"{karp} | {r['load']:.1f} |")
    return "\n".join(lines)


def render(f: dict[str, float]) -> str:
    n = int(f["n"])

    def rate(seconds: float) -> str:
        return f"{n / seconds:,.0f}"

    cores = int(f["cores"])
    rows = [
        ("riskcalc `simulate`, 1 worker", f["riskcalc_1"]),
        (f"riskcalc `simulate`, all cores ({cores} threads, the default)", f["riskcalc_all"]),
        (f"riskcalc `simulate`, all cores ({cores} worker processes, loky)", f["riskcalc_loky"]),
        (f"riskcalc `simulate` streamed to Parquet, all cores ({cores})", f["riskcalc_stream"]),
        ("engine alone, fused kernel, 1 core", f["engine_fused"]),
        ("engine alone, straightforward numpy path, 1 core", f["engine_numpy"]),
        ("plain vectorised numpy, 1 core", f["plain_vectorised"]),
        ("plain Python loop, 1 core (extrapolated)", f["plain_loop"]),
        ("machine limit, 1 core (draws + table at memory bandwidth)", f["limit_1"]),
        (f"machine limit, all cores ({cores})", f["limit_all"]),
    ]
    lines = [
        f"Workload: models/labour_market.toml, N = {n:,} scenarios, 13 uncertain inputs, "
        "20 years, 8 actors. Best of the repeats after a warm-up.",
        f"Machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; memory bandwidth {f['bandwidth_gb_s']:.1f} GB/s.",
        "",
        "| what | seconds | scenarios / s |",
        "|---|---:|---:|",
        *[f"| {name} | {sec:.3f} | {rate(sec)} |" for name, sec in rows],
        "",
        f"- scaling 1 → {cores} cores: {f['riskcalc_1'] / f['riskcalc_all']:.2f}× with threads, "
        f"{f['riskcalc_1'] / f['riskcalc_loky']:.2f}× with worker processes",
        f"- the fused kernel vs the numpy path on the same chunks: "
        f"{f['engine_numpy'] / f['engine_fused']:.1f}× faster; largest relative difference "
        f"of any output: {f['engine_max_diff']:.1e}",
        f"- riskcalc (all cores) vs plain loop: {f['plain_loop'] / f['riskcalc_all']:.0f}×; "
        f"vs plain vectorised numpy: {f['plain_vectorised'] / f['riskcalc_all']:.1f}×",
        f"- share of the machine limit reached (limit seconds / riskcalc seconds): "
        f"{f['limit_1'] / f['riskcalc_all']:.0%} of the one-core limit, "
        f"{f['limit_all'] / f['riskcalc_all']:.0%} of the all-core limit "
        f"(table at memory bandwidth {f['limit_table']:.3f} s)",
        f"- largest relative difference from the plain vectorised model on the same draws: "
        f"{f['max_rel_diff']:.1e}",
    ]
    if f.get("memory_n"):
        m = int(f["memory_n"])
        lines += [
            f"- `riskcalc run --n {m:,}` (streamed to Parquet, risk tables, summaries): "
            f"peak memory {f['memory_gib_1']:.2f} GiB in {f['memory_s_1']:.0f} s with 1 worker, "
            f"{f['memory_gib_all']:.2f} GiB (all processes) in {f['memory_s_all']:.0f} s "
            f"with {cores}",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-n", type=int, default=20_000,
                        help="scenarios timed for the plain loop")
    parser.add_argument("--memory-n", type=int, default=10_000_000,
                        help="scenarios of the peak-memory run (0: skip)")
    parser.add_argument("--sobol-n", type=int, default=2**14,
                        help="base points of the Sobol' study (0: skip)")
    parser.add_argument("--process-n", default="4000000,10000000",
                        help="comma-separated N of the whole-process rows (empty: skip)")
    parser.add_argument("--first-run-n", default="20000,1000000",
                        help="comma-separated N of the first-run rows (empty: skip them and "
                             "the start-up rows)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a riskcalc source tree to time beside this one (e.g. an "
                             "older checkout)")
    parser.add_argument("--report-n", type=int, default=1_000_000,
                        help="scenarios of the run `riskcalc report` is timed on (0: skip)")
    parser.add_argument("--gil", action="store_true",
                        help="only the engine's GIL share and thread scaling (with --baseline); "
                             "printed, written only with --out")
    parser.add_argument("--gil-tree", action="append", default=[], metavar="NAME=DIR",
                        help="another tree for the GIL rows (e.g. a colleague's branch)")
    parser.add_argument("--skip-engine", action="store_true",
                        help="only the whole-process, start-up and first-run rows")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the report (default reports/benchmark.md, "
                             "except with --gil)")
    args = parser.parse_args(argv)
    others = {name: Path(tree) for name, tree in (t.split("=", 1) for t in args.gil_tree)}
    sections = []
    if args.gil:
        sections.append("## Engine: GIL share per chunk and thread scaling\n\n"
                        + render_gil(engine_gil(args.repeats, args.baseline, others)))
    if not args.skip_engine and not args.gil:
        sections.append(render(run(args.n, args.repeats, args.loop_n, args.memory_n)))
    if args.process_n and not args.gil:
        sizes = [int(x) for x in args.process_n.split(",")]
        sections.append("## The whole process, beside its engine\n\n" + render_process(
            whole_process(sizes, args.repeats, args.baseline)))
    if args.first_run_n and not args.gil:
        sizes = [int(x) for x in args.first_run_n.split(",")]
        sections.append("## Start-up and the first run in a fresh clone\n\n" + render_first_run(
            first_run(sizes, args.repeats, args.baseline), startup(args.repeats, args.baseline)))
    if args.report_n and not args.gil:
        sections.append("## The report\n\n" + render_report_speed(
            report_speed(args.report_n, args.repeats, args.baseline)))
    if args.sobol_n and not args.skip_engine and not args.gil:
        sections.append("## Sensitivity: the full Sobol' study\n\n"
                        + render_sobol(benchmark_sobol(args.sobol_n)))
    if not args.gil and not args.skip_engine:
        sections.append("## Engine: GIL share per chunk and thread scaling\n\n"
                        + render_gil(engine_gil(args.repeats, args.baseline, others)))
        if args.sobol_n:
            sections.append("## Sensitivity: `riskcalc sobol` with 1 and all jobs\n\n"
                            + render_jobs(jobs_scaling(args.sobol_n, [1, os.cpu_count() or 1],
                                                       args.repeats, args.baseline),
                                          args.sobol_n))
    text = "\n\n".join(sections)
    print(text)
    if args.out is None and args.gil:
        return 0
    args.out = args.out or HERE.parent / "reports" / "benchmark.md"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    args.out.write_text(f"# riskcalc benchmark\n\nMeasured {stamp} by "
                        f"`python experiments/benchmark.py`.\n\n## Monte Carlo engine\n\n"
                        f"{text}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
