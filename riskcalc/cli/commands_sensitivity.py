"""``riskcalc sobol``, ``riskcalc morris`` and ``riskcalc tornado``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from riskcalc.cli.common import (
    DEFAULT_SEED,
    EXIT_OK,
    SEED_HELP,
    add_engine_options,
    engine_kwargs,
    hold,
    load,
    positive_int,
    seed,
    share,
)
from riskcalc.errors import ModelError, did_you_mean
from riskcalc.files import atomic_write
from riskcalc.format import money, number
from riskcalc.model.objects import Model
from riskcalc.sensitivity import (
    MorrisResult,
    SobolResult,
    TornadoResult,
    morris_analysis,
    read_groups,
    sobol_analysis,
    tornado_analysis,
)

__all__ = ["register", "render_sobol", "render_morris", "render_tornado"]


def _common(parser: argparse.ArgumentParser, *, groups: bool = True) -> None:
    parser.add_argument("model", type=Path, help="model file (TOML)")
    parser.add_argument("--outputs", nargs="+", metavar="OUTPUT", default=None,
                        help="outputs to analyse: npv_<actor>, npv_society, roi, ... (an actor "
                             "key stands for its NPV); default every actor, society and ROI")
    if groups:
        parser.add_argument("--groups", type=Path, default=None, metavar="FILE",
                            help='TOML file with [groups] name = ["parameter", ...]; '
                                 "parameters not listed form their own group")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output directory (default reports/<model file name>/)")
    parser.add_argument("--figures", action="store_true", help="also write PNG figures")
    add_engine_options(parser)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``sobol``, ``morris`` and ``tornado`` commands."""
    sobol = commands.add_parser(
        "sobol", help="Sobol' indices (S1, ST, S2) of every actor's NPV, society's and ROI")
    _common(sobol)
    sobol.add_argument("--n", type=positive_int, default=4096,
                       help="base points N of the Sobol' design, a power of two (default 4096); "
                            "evaluations N(D+2), or N(2D+2) with --second-order")
    sobol.add_argument("--second-order", action="store_true",
                       help="also estimate second-order indices S2")
    sobol.add_argument("--seed", type=seed, default=DEFAULT_SEED, help=SEED_HELP)
    sobol.add_argument("--resamples", type=positive_int, default=100,
                       help="bootstrap resamples of the intervals (default 100)")
    sobol.add_argument("--conf-level", type=share, default=0.95,
                       help="level of the intervals (default 0.95)")
    sobol.add_argument("--convergence", action="store_true",
                       help="also report the indices at N/8, N/4 and N/2 "
                            "(sobol_convergence.csv; no extra evaluations)")
    sobol.set_defaults(handler=_sobol)

    morris = commands.add_parser(
        "morris", help="Morris screening (mu*, sigma): which of many inputs matter")
    _common(morris)
    morris.add_argument("--n", type=positive_int, default=100,
                        help="trajectories (default 100); evaluations n(D+1)")
    morris.add_argument("--levels", type=positive_int, default=4,
                        help="grid levels, an even number (default 4)")
    morris.add_argument("--seed", type=seed, default=DEFAULT_SEED, help=SEED_HELP)
    morris.set_defaults(handler=_morris)

    tornado = commands.add_parser(
        "tornado", help="swing each input from P10 to P90, the others at base case; "
                        "and a spider sweep over its percentiles")
    _common(tornado, groups=False)
    tornado.add_argument("--actor", default=None, metavar="KEY",
                         help="actor whose table is printed beside society's (default: the "
                              "one with the most negative base-case NPV); all are in the CSV")
    tornado.add_argument("--low", type=share, default=0.1,
                         help="low quantile (default 0.1)")
    tornado.add_argument("--high", type=share, default=0.9,
                         help="high quantile (default 0.9)")
    tornado.set_defaults(handler=_tornado)


def _out_dir(args: argparse.Namespace, model: Model) -> Path:
    return hold(args.out or Path("reports") / model.slug)


def _warn(warnings: tuple[str, ...], quiet: bool) -> None:
    if not quiet:
        for line in warnings:
            print(f"riskcalc: warning: {line}", file=sys.stderr)


def _save(out: Path, name: str, draw: Callable[[], object]) -> str:
    """Draw a figure (the function returns its Axes) and write it as PNG, atomically."""
    figure = draw().figure
    atomic_write(out / name, lambda p: figure.savefig(p, format="png", dpi=150))
    return name


def _short(output: str) -> str:
    return output.removeprefix("npv_")


def _headline(outputs: tuple[str, ...]) -> str:
    """The output printed in detail and drawn: society's NPV when analysed, else the first."""
    return "npv_society" if "npv_society" in outputs else outputs[0]


# -- sobol -----------------------------------------------------------------------------------


def _sobol(args: argparse.Namespace) -> int:
    model = load(args.model)
    groups = read_groups(args.groups, model) if args.groups else None
    result = sobol_analysis(model, args.n, second_order=args.second_order, seed=args.seed,
                            outputs=args.outputs, groups=groups, num_resamples=args.resamples,
                            conf_level=args.conf_level, convergence=args.convergence,
                            **engine_kwargs(args))
    out = result.write(_out_dir(args, model))
    written = ["sobol.csv", *(["sobol_s2.csv"] if result.second_order else []), "sobol.tex",
               *(["sobol_convergence.csv"] if result.convergence is not None else [])]
    if args.figures:
        from riskcalc.report.plots.sensitivity import plot_sobol_heatmap, plot_sobol_indices

        first = _headline(result.outputs)
        written += [_save(out, "sobol.png", lambda: plot_sobol_indices(result, output=first)),
                    _save(out, "sobol_heatmap.png", lambda: plot_sobol_heatmap(result))]
    written.append("sobol.json")
    if not args.quiet:
        print(render_sobol(result, out, written))
    _warn(result.warnings, args.quiet)
    return EXIT_OK


def _pm(value: float, conf: float) -> str:
    return f"{value:6.3f} ± {conf:.3f}"


def render_sobol(result: SobolResult, out: Path, written: list[str]) -> str:
    """The text `riskcalc sobol` prints: one output in detail, ST of every output."""
    ix = result.indices
    level = f"{100 * ix.conf_level:.0f} %"
    lines = [result.model.name,
             f"Sobol' indices: N = {result.n:,}, {result.n_evaluations:,} evaluations, "
             f"seed {result.seed}, {level} bootstrap intervals ({ix.num_resamples} resamples), "
             f"{result.timings['total_s']:.2f} s\n"]
    first = _headline(result.outputs)
    o = result.outputs.index(first)
    order = sorted(range(len(result.inputs)), key=lambda j: -ix.ST[o, j])
    detail = pd.DataFrame({"parameter": [result.inputs[j] for j in order],
                           "S1": [_pm(ix.S1[o, j], ix.S1_conf[o, j]) for j in order],
                           "ST": [_pm(ix.ST[o, j], ix.ST_conf[o, j]) for j in order]})
    lines += [f"{first}: first-order (S1) and total (ST) index, share of its variance",
              detail.to_string(index=False),
              f"sum of S1: {_pm(ix.S1_sum[o], ix.S1_sum_conf[o])}\n"]
    if len(result.outputs) > 1:
        matrix = result.matrix("ST").iloc[order]
        matrix.columns = [_short(c) for c in matrix.columns]
        lines += ["Total index ST per output (rows sorted by " + first + "):",
                  matrix.to_string(float_format=lambda v: f"{v:.2f}")]
    if result.second_order:
        s2 = result.second_order_table
        s2 = s2[s2["output"] == first].nlargest(5, "S2")
        lines += [f"\nLargest second-order indices S2 of {first}:",
                  s2.drop(columns="output").to_string(index=False, float_format=lambda v:
                                                       f"{v:.3f}")]
    if result.convergence is not None:
        conv = result.convergence.groupby("N", sort=True)[["S1_conf", "ST_conf"]].max()
        lines += ["\nConvergence: widest interval half-width at each N (all outputs)",
                  conv.to_string(float_format=lambda v: f"{v:.3f}")]
    lines.append(f"\nWrote {out}/ ({', '.join(written)})")
    return "\n".join(lines)


# -- morris ----------------------------------------------------------------------------------


def _morris(args: argparse.Namespace) -> int:
    model = load(args.model)
    groups = read_groups(args.groups, model) if args.groups else None
    result = morris_analysis(model, args.n, num_levels=args.levels, seed=args.seed,
                             outputs=args.outputs, groups=groups, **engine_kwargs(args))
    out = result.write(_out_dir(args, model))
    written = ["morris.csv"]
    if args.figures:
        from riskcalc.report.plots.sensitivity import plot_morris

        first = _headline(result.outputs)
        written.append(_save(out, "morris.png", lambda: plot_morris(result, output=first)))
    written.append("morris.json")
    if not args.quiet:
        print(render_morris(result, out, written))
    _warn(result.warnings, args.quiet)
    return EXIT_OK


def render_morris(result: MorrisResult, out: Path, written: list[str]) -> str:
    """The text `riskcalc morris` prints: one output in detail, the top inputs of each."""
    table = result.table
    first = _headline(result.outputs)
    rows = table[table["output"] == first].sort_values("mu_star", ascending=False)
    lines = [result.model.name,
             f"Morris screening: {result.trajectories} trajectories, {result.num_levels} "
             f"levels, {result.n_evaluations:,} evaluations, seed {result.seed}, "
             f"{result.timings['total_s']:.2f} s\n",
             f"{first}: mu* (mean absolute elementary effect), sigma (its spread)",
             _readable(rows.drop(columns="output"), first, result.model.currency)]
    if len(result.outputs) > 1:
        lines.append("\nMost influential inputs (largest mu*) per output:")
        for output in result.outputs:
            rows = table[(table["output"] == output) & (table["mu_star"] > 0)]
            top = rows.nlargest(3, "mu_star")["parameter"]
            lines.append(f"  {_short(output):<22} {', '.join(top) or '(does not vary)'}")
    lines.append(f"\nWrote {out}/ ({', '.join(written)})")
    return "\n".join(lines)


def _readable(rows: pd.DataFrame, output: str, currency: str) -> str:
    """A table of effects as text: money for an NPV output, plain numbers otherwise."""
    fmt = ((lambda v: money(v, currency)) if output.startswith("npv_")
           else (lambda v: number(v)))
    shown = rows.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = [fmt(v) for v in shown[column]]
    return shown.to_string(index=False)


# -- tornado ---------------------------------------------------------------------------------


def _tornado(args: argparse.Namespace) -> int:
    model = load(args.model)
    if args.actor is not None and args.actor not in model.actor_keys:
        raise ModelError(f"{args.model}: --actor: unknown actor {args.actor!r}; "
                         f"{did_you_mean(args.actor, model.actor_keys)}")
    outputs = args.outputs
    if outputs is not None and args.actor is not None:
        outputs = [*outputs, f"npv_{args.actor}"]
    result = tornado_analysis(model, outputs=outputs, low=args.low, high=args.high,
                              **engine_kwargs(args))
    out = result.write(_out_dir(args, model))
    written = ["tornado.csv", "spider.csv"]
    actor = args.actor or result.worst_actor
    if args.figures:
        from riskcalc.report.plots.sensitivity import plot_spider, plot_tornado

        for output in dict.fromkeys(o for o in ("npv_society", f"npv_{actor}")
                                    if o in result.outputs):
            written.append(_save(out, f"tornado_{_short(output)}.png",
                                 lambda o=output: plot_tornado(result, output=o)))
            written.append(_save(out, f"spider_{_short(output)}.png",
                                 lambda o=output: plot_spider(result, output=o)))
    written.append("tornado.json")
    if not args.quiet:
        print(render_tornado(result, out, written, actor))
    _warn(result.warnings, args.quiet)
    return EXIT_OK


def render_tornado(result: TornadoResult, out: Path, written: list[str],
                   actor: str | None) -> str:
    """The text `riskcalc tornado` prints: society's swings and one actor's."""
    cur = result.model.currency
    lines = [result.model.name,
             f"Tornado: each input from its P{100 * result.low:.0f} to its "
             f"P{100 * result.high:.0f}, the others at base case "
             f"({result.n_evaluations} evaluations)"]
    shown = [o for o in dict.fromkeys(("npv_society", f"npv_{actor}")) if o in result.outputs]
    for output in shown or list(result.outputs[:1]):
        rows = result.for_output(output)
        still = int((rows["swing"] == 0).sum())
        rows = rows[rows["swing"] > 0]
        fmt = (lambda v: money(v, cur)) if output.startswith("npv_") else (lambda v: f"{v:.3f}")
        frame = pd.DataFrame({
            "parameter": rows["parameter"],
            "low value": [number(v) for v in rows["low_value"]],
            "high value": [number(v) for v in rows["high_value"]],
            "at low": [fmt(v) for v in rows["output_at_low"]],
            "at high": [fmt(v) for v in rows["output_at_high"]],
            "swing": [fmt(v) for v in rows["swing"]]})
        lines.append(f"\n{output}: base case {fmt(result.base[output])}")
        if len(frame):
            lines.append(frame.to_string(index=False))
        if still:
            lines.append(f"({still} of {len(result.inputs)} inputs do not move it)")
    lines.append(f"\nWrote {out}/ ({', '.join(written)})")
    return "\n".join(lines)
