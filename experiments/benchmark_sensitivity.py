"""Time the full Sobol' study of the labour-market model beside plain SALib, in one run.

    python experiments/benchmark_sensitivity.py                  # N = 2^14, second order
    python experiments/benchmark_sensitivity.py --n 4096 --salib-outputs 1   # quick look
    python experiments/benchmark_sensitivity.py --no-plain --jobs-scaling 1,2 --baseline DIR

Workload: models/labour_market.toml (13 uncertain inputs), N = 2^14, second order
(N (2D + 2) = 458,752 evaluations), 100 bootstrap resamples, every actor's NPV,
society's NPV and ROI (10 outputs).

* riskcalc ``sobol_analysis`` end to end: SALib's Sobol' design, inverse CDFs,
  evaluation by the engine (one worker), indices and intervals of every output.
* with ``--jobs-scaling 1,2``: ``sobol_analysis`` in a fresh process (each step's
  seconds) and the whole ``riskcalc sobol`` command, for each number of jobs,
  beside a baseline tree (``--baseline DIR``) in the same run; the rows of one
  repeat run back to back, and each figure is the best of ``--repeats``.
* the plain route on the same design: the inverse CDFs of every row, the same
  evaluation, and ``SALib.analyze.sobol.analyze`` per output with the same
  bootstrap seed, timed on ``--salib-outputs`` outputs and extrapolated to all.
  The indices of both routes are compared (they agree to rounding).

:func:`benchmark_sobol` returns the figures; :func:`render` writes them as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import riskcalc  # noqa: E402
from riskcalc.engine.sampling import design_inputs, from_unit_cube  # noqa: E402
from riskcalc.engine.simulation import evaluate_points  # noqa: E402
from riskcalc.sensitivity import sobol_analysis, sobol_design  # noqa: E402

MODEL = HERE.parent / "models" / "labour_market.toml"


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    value = func(*args, **kwargs)
    return value, time.perf_counter() - start


def benchmark_sobol(n: int = 2**14, *, second_order: bool = True, seed: int = 2026,
                    num_resamples: int = 100, salib_outputs: int = 2, n_jobs: int = 1,
                    plain: bool = True) -> dict[str, float]:
    """Seconds of the full riskcalc study and of the plain SALib route on the same design.

    Parameters
    ----------
    n : int
        N, base points (a power of two).
    second_order : bool
    seed : int
    num_resamples : int
        Bootstrap resamples, for both routes.
    salib_outputs : int
        Outputs SALib analyses (1-2: about 17 s each at N = 2^14); the rest is
        extrapolated.
    n_jobs : int
        Workers of the evaluation.
    plain : bool
        Also time the plain route.

    Returns
    -------
    dict of str to float
        ``riskcalc_total`` and its parts (``riskcalc_design`` ...), and with
        `plain`: ``plain_design``, ``plain_inverse_cdf``, ``plain_evaluate``,
        ``salib_per_output``, ``salib_analyse`` (all outputs, extrapolated),
        ``plain_total`` and ``max_abs_diff`` (largest difference of any index or
        interval between the routes on the analysed outputs).
    """
    from SALib.analyze import sobol as salib_sobol

    model = riskcalc.load_model(MODEL)
    figures: dict[str, float] = {"n": n, "cores": os.cpu_count() or 1}
    result, figures["riskcalc_total"] = _timed(
        sobol_analysis, model, n, second_order=second_order, seed=seed,
        num_resamples=num_resamples, n_jobs=n_jobs)
    for key, seconds in result.timings.items():
        figures[f"riskcalc_{key.removesuffix('_s')}"] = seconds
    figures["n_evaluations"] = result.n_evaluations
    figures["n_outputs"] = len(result.outputs)
    if not plain:
        return figures

    design_seed, boot_seed = np.random.SeedSequence(seed).spawn(2)
    inputs = design_inputs(model)
    unit, figures["plain_design"] = _timed(sobol_design, len(inputs), n,
                                           second_order=second_order, seed=design_seed)
    points, figures["plain_inverse_cdf"] = _timed(from_unit_cube, model, unit, inputs)
    values, figures["plain_evaluate"] = _timed(evaluate_points, model, points, n_jobs=n_jobs)
    problem = {"num_vars": len(inputs), "names": inputs, "bounds": [[0, 1]] * len(inputs)}
    varying = [o for o, constant in zip(result.outputs, result.indices.constant, strict=True)
               if not constant]
    analysed = varying[:salib_outputs]
    keys = ("S1", "S1_conf", "ST", "ST_conf") + (("S2", "S2_conf") if second_order else ())
    seconds, worst = 0.0, 0.0
    for output in analysed:
        reference, took = _timed(salib_sobol.analyze, problem, values[output],
                                 calc_second_order=second_order, num_resamples=num_resamples,
                                 seed=boot_seed)
        seconds += took
        o = result.outputs.index(output)
        for key in keys:
            diff = np.abs(getattr(result.indices, key)[o] - reference[key])
            worst = max(worst, float(np.nanmax(diff)))
    figures["salib_per_output"] = seconds / len(analysed)
    figures["salib_analyse"] = figures["salib_per_output"] * figures["n_outputs"]
    figures["salib_outputs_timed"] = len(analysed)
    figures["plain_total"] = (figures["plain_design"] + figures["plain_inverse_cdf"]
                              + figures["plain_evaluate"] + figures["salib_analyse"])
    figures["max_abs_diff"] = worst
    return figures


#: Run in a fresh process with a tree first on the path: one timed ``sobol_analysis``.
_IN_PROCESS = """
import json, sys, time
sys.path.insert(0, {root!r})
import riskcalc
from riskcalc.sensitivity.sobol import sobol_analysis
model = riskcalc.load_model({model!r})
sobol_analysis(model, 64, second_order=True, seed=1, n_jobs={jobs})  # load the kernel
start, cpu = time.perf_counter(), time.process_time()
result = sobol_analysis(model, {n}, second_order=True, seed=2026, n_jobs={jobs})
wall = time.perf_counter() - start
print(json.dumps({{**result.timings, "wall_s": wall,
                  "cores_busy": (time.process_time() - cpu) / wall}}))
"""


def jobs_scaling(n: int, jobs: list[int], repeats: int, baseline: Path | None) -> list[dict]:
    """Seconds of the Sobol' study with each number of jobs, this tree beside `baseline`.

    For each tree and number of jobs: ``sobol_analysis`` in a fresh process after a
    small warm-up (its steps' seconds, and the cores it kept busy: CPU seconds of
    all its threads over wall seconds, the best of the repeats being the largest
    figure), and the whole ``riskcalc sobol --n N
    --second-order --jobs J`` process.  The rows of one repeat run back to back
    (the machine is shared: ratios within a repeat are what to compare); each
    figure is the best over `repeats`.
    """
    trees = {"this tree": HERE.parent, **({"baseline": baseline} if baseline else {})}
    best: dict[tuple[str, int], dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            for name, root in trees.items():
                model = str(root / "models" / "labour_market.toml")
                for j in jobs:
                    code = _IN_PROCESS.format(root=str(root), model=model, jobs=j, n=n)
                    done = subprocess.run([sys.executable, "-c", code], check=True,
                                          capture_output=True, text=True)
                    figures = json.loads(done.stdout.strip().splitlines()[-1])
                    command = [sys.executable, "-c",
                               f"import sys; sys.path.insert(0, {str(root)!r}); "
                               "from riskcalc.cli import main; sys.exit(main())",
                               "sobol", model, "--n", str(n), "--second-order", "--seed", "1",
                               "--jobs", str(j), "--quiet", "--out", f"{tmp}/out"]
                    start = time.perf_counter()
                    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                    figures["process_s"] = time.perf_counter() - start
                    row = best.setdefault((name, j), {})
                    for key, value in figures.items():
                        pick = max if key == "cores_busy" else min
                        row[key] = pick(row.get(key, value), value)
    return [{"tree": name, "jobs": j, **best[name, j]} for name in trees for j in jobs]


def render_jobs(rows: list[dict], n: int) -> str:
    """The scaling rows as a Markdown table, with the speed-ups from the fewest jobs."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"`riskcalc sobol models/labour_market.toml --n {n} --second-order --jobs J`: "
             f"{os.cpu_count()} cores, load average {load:.1f} at the end (shared machine; "
             "best of the repeats, rows of a repeat back to back).",
             "", "| tree | jobs | design | inverse CDFs | evaluation | indices | "
             "`sobol_analysis` | speed-up | cores busy | whole process | speed-up |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    first = {}
    for r in rows:
        base = first.setdefault(r["tree"], r)
        lines.append(
            f"| {r['tree']} | {r['jobs']} | {r['design_s']:.3f} | {r['inverse_cdf_s']:.2f} | "
            f"{r['evaluate_s']:.2f} | {r['analyse_s']:.2f} | {r['total_s']:.2f} | "
            f"{base['total_s'] / r['total_s']:.2f}× | {r['cores_busy']:.2f} | "
            f"{r['process_s']:.2f} | "
            f"{base['process_s'] / r['process_s']:.2f}× |")
    return "\n".join(lines)


def render(f: dict[str, float]) -> str:
    """The figures as a Markdown table and notes."""
    rows = [("design (SALib Sobol' sampler)", f["riskcalc_design"], f.get("plain_design")),
            ("inverse CDFs", f["riskcalc_inverse_cdf"], f.get("plain_inverse_cdf")),
            ("evaluation (engine, one worker)", f["riskcalc_evaluate"], f.get("plain_evaluate")),
            (f"indices + bootstrap, {int(f['n_outputs'])} outputs", f["riskcalc_analyse"],
             f.get("salib_analyse")),
            ("**total, end to end**", f["riskcalc_total"], f.get("plain_total"))]

    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    lines = [
        f"Workload: models/labour_market.toml, Sobol' N = {int(f['n']):,}, second order, "
        f"{int(f['n_evaluations']):,} evaluations, {int(f['n_outputs'])} outputs, "
        "100 bootstrap resamples.",
        f"Machine: {platform.processor() or platform.machine()}, {int(f['cores'])} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}.",
        "",
        "| step | riskcalc (s) | plain SALib route (s) |",
        "|---|---:|---:|",
        *[f"| {name} | {cell(ours)} | {cell(theirs)} |" for name, ours, theirs in rows],
    ]
    if "plain_total" in f:
        lines += [
            "",
            f"- SALib `analyze`: {f['salib_per_output']:.1f} s per output (timed on "
            f"{int(f['salib_outputs_timed'])}, extrapolated to {int(f['n_outputs'])}).",
            f"- speed-up end to end: {f['plain_total'] / f['riskcalc_total']:.0f}×; of the "
            f"analysis alone: {f['salib_analyse'] / f['riskcalc_analyse']:.0f}×.",
            f"- largest difference of any index or interval from SALib's on the same design "
            f"and resamples: {f['max_abs_diff']:.1e}.",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2**14)
    parser.add_argument("--salib-outputs", type=int, default=2,
                        help="outputs timed with plain SALib (the rest extrapolated)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-plain", action="store_true", help="time riskcalc only")
    parser.add_argument("--jobs-scaling", default="",
                        help="comma-separated numbers of jobs to time side by side (e.g. 1,2)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a riskcalc source tree to time beside this one")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.jobs_scaling:
        jobs = [int(j) for j in args.jobs_scaling.split(",")]
        print(render_jobs(jobs_scaling(args.n, jobs, args.repeats, args.baseline), args.n))
    else:
        print(render(benchmark_sobol(args.n, salib_outputs=args.salib_outputs,
                                     n_jobs=args.jobs, plain=not args.no_plain)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
