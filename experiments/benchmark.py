"""Measure riskcalc's speed beside its baselines and this machine's limit, in one run.

    python experiments/benchmark.py            # N = 1,000,000; writes reports/benchmark.md
    python experiments/benchmark.py --n 200000 --repeats 1 --out /tmp/bench.md   # quick look

Every figure is the best of ``--repeats`` timed runs after a warm-up (the
minimum is the least disturbed by other work on the machine).  Workload: the
reference labour-market model (13 uncertain parameters, 8 actors, 20 years).

* riskcalc ``simulate`` with one worker and with all cores (sampling, engine,
  per-scenario table, bands; no file writing);
* the same model written as plain vectorised numpy, and as a plain
  one-scenario-at-a-time Python loop (timed on a subsample);
* the machine's limit for this workload: the random-number draws the model
  needs (on all cores) plus writing the per-scenario table once at this
  machine's memory bandwidth.  No implementation can beat that bound.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from plain_labour_market import plain_loop, plain_sample, plain_vectorised  # noqa: E402

import riskcalc  # noqa: E402
from riskcalc.engine import output_columns  # noqa: E402

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


def run(n: int, repeats: int, loop_n: int) -> dict[str, float]:
    model = riskcalc.load_model(MODEL)
    cores = os.cpu_count() or 1
    figures: dict[str, float] = {"n": n, "cores": cores}
    riskcalc.simulate(model, 200_000, seed=1, n_jobs=-1)  # start the workers once
    figures["riskcalc_1"] = best_of(repeats, riskcalc.simulate, model, n, seed=1, n_jobs=1)
    figures["riskcalc_all"] = best_of(repeats, riskcalc.simulate, model, n, seed=1, n_jobs=-1)

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
    figures["limit_draws"] = random_draw_seconds(model, n, repeats) / cores
    figures["limit_table"] = table_bytes / bandwidth
    figures["limit"] = figures["limit_draws"] + figures["limit_table"]
    return figures


def render(f: dict[str, float]) -> str:
    n = int(f["n"])

    def rate(seconds: float) -> str:
        return f"{n / seconds:,.0f}"

    rows = [
        ("riskcalc, 1 worker", f["riskcalc_1"]),
        (f"riskcalc, all cores ({int(f['cores'])})", f["riskcalc_all"]),
        ("plain vectorised numpy, 1 core", f["plain_vectorised"]),
        ("plain Python loop, 1 core (extrapolated)", f["plain_loop"]),
        ("machine limit (draws on all cores + table at memory bandwidth)", f["limit"]),
    ]
    lines = [
        f"Workload: models/labour_market.toml, N = {n:,} scenarios, 20 years, 8 actors.",
        f"Machine: {platform.processor() or platform.machine()}, {int(f['cores'])} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}; "
        f"memory bandwidth {f['bandwidth_gb_s']:.1f} GB/s.",
        "",
        "| what | seconds | scenarios / s |",
        "|---|---:|---:|",
        *[f"| {name} | {sec:.3f} | {rate(sec)} |" for name, sec in rows],
        "",
        f"- scaling 1 → {int(f['cores'])} cores: {f['riskcalc_1'] / f['riskcalc_all']:.2f}×",
        f"- riskcalc (all cores) vs plain loop: {f['plain_loop'] / f['riskcalc_all']:.0f}×; "
        f"vs plain vectorised: {f['plain_vectorised'] / f['riskcalc_all']:.1f}×",
        f"- share of the machine limit reached: {f['limit'] / f['riskcalc_all']:.0%} "
        f"(limit: draws {f['limit_draws']:.3f} s + table {f['limit_table']:.3f} s)",
        f"- largest relative difference from the plain vectorised model on the same draws: "
        f"{f['max_rel_diff']:.1e}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-n", type=int, default=20_000,
                        help="scenarios timed for the plain loop")
    parser.add_argument("--out", type=Path, default=HERE.parent / "reports" / "benchmark.md")
    args = parser.parse_args(argv)
    text = render(run(args.n, args.repeats, args.loop_n))
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    args.out.write_text(f"# riskcalc benchmark\n\nMeasured {stamp} by "
                        f"`python experiments/benchmark.py`.\n\n{text}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
