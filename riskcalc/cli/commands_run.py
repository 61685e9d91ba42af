"""``riskcalc run``."""

from __future__ import annotations

import argparse
import sys
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
)
from riskcalc.decision.convergence import (
    DEFAULT_TARGETS,
    parse_target,
    precision_table,
    run_to_precision,
)
from riskcalc.decision.tables import risk_tables
from riskcalc.engine.simulation import correlation_effect, simulate
from riskcalc.files import atomic_write
from riskcalc.format import money, percent
from riskcalc.model.objects import Model
from riskcalc.results.result import SimulationResult

__all__ = ["register", "render_run"]

def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``run`` command."""
    run = commands.add_parser("run", help="run the Monte Carlo simulation and write results")
    run.add_argument("model", type=Path, help="model file (TOML)")
    run.add_argument("--n", type=positive_int, default=20_000,
                     help="number of scenarios (default 20000)")
    run.add_argument("--seed", type=seed, default=DEFAULT_SEED, help=SEED_HELP)
    run.add_argument("--out", type=Path, default=None,
                     help="run directory (default reports/<model file name>/)")
    run.add_argument("--no-report", dest="report", action="store_false",
                     help="skip report.html, figures/, summary.md and tables.tex (written by "
                          "default; `riskcalc report` writes them later)")
    run.add_argument("--report", dest="report", action="store_true", default=True,
                     help=argparse.SUPPRESS)  # the default; kept for scripts that say it
    run.add_argument("--lang", choices=("en", "sv"), default="en",
                     help="language of the report (default en)")
    run.add_argument("--precision", action="append", default=None, metavar="[OUTPUT.]STAT=BOUND",
                     help="keep adding chunks of scenarios (from --n on) until the 95 %% "
                          "interval of each statistic is this narrow: STAT is mean, p_loss or "
                          "p05; BOUND a share of the estimate (1%%), percentage points (0.5pp) "
                          "or a number; OUTPUT society (default), an actor or roi. Repeat for "
                          "several, e.g. --precision mean=1%% --precision p_loss=0.5pp")
    run.add_argument("--max-n", type=positive_int, default=10_000_000,
                     help="with --precision: never more scenarios than this (default 10000000)")
    add_by_kind_option(run)
    add_engine_options(run)
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    model = load(args.model)
    out = hold(args.out or Path("reports") / model.slug)
    engine = engine_kwargs(args)
    if args.precision:
        targets = [parse_target(t) for t in args.precision]
        result, precision = run_to_precision(
            model, targets, n=args.n, max_n=args.max_n, seed=args.seed, out_dir=out,
            on_round=None if args.quiet else _print_round, **engine)
        if not precision["met"].all():
            print(f"riskcalc: warning: --max-n {args.max_n:,} reached before every precision "
                  "held; see precision.csv", file=sys.stderr)
    else:
        result = simulate(model, args.n, seed=args.seed, out_dir=out, **engine)
        precision = None
    result.tables.update(risk_tables(result, n_jobs=engine["n_jobs"]))
    if precision is None:
        npv = [f"npv_{k}" for k in (*model.actor_keys, "society")]
        precision = precision_table(result, DEFAULT_TARGETS, outputs=npv,
                                    convergence=result.tables["convergence"])
    result.tables["precision"] = precision
    if model.correlations is not None:
        engine.pop("progress")
        result.tables["correlation_effect"] = correlation_effect(result, **engine)
    contract = None
    if model.contract is not None:
        from riskcalc.funds.contracts import contract_tables, evaluate_contract

        contract = evaluate_contract(model, result.parameters, result.outputs)
        result.tables.update(contract_tables(model, contract))
    if model.claim is not None:
        from riskcalc.results.accumulated import claim_table

        result.tables["claim"] = claim_table(model, result.parameters)
    if model.breakeven:
        from riskcalc.decision.breakeven import declared_breakeven  # scipy.optimize

        result.tables["breakeven"] = declared_breakeven(model, seed=result.seed)
    # Every file of this run is written before the manifest, which lists them all: a
    # later run into the same directory removes them with the rest of this one.
    also = []
    if contract is not None:
        frame = pd.DataFrame(contract)
        atomic_write(out / "contract_scenarios.parquet",
                     lambda p: frame.to_parquet(p, index=False))
        also.append("contract_scenarios.parquet")
    if args.by_kind:
        also += write_actor_kinds(result, out, engine)
    result.write(out, also=tuple(also))
    # The report writes results.xlsx too; without it, the workbook is written alone.
    # Features a run does not use are imported only when used (scipy.optimize for a
    # break-even, the report's modules): the command starts faster.
    from riskcalc.report import write_report
    from riskcalc.report.workbook import write_workbook

    report = write_report(out, args.lang, model=model) if args.report else None
    if report is None:
        write_workbook(out, model)
    if not args.quiet:
        print(render_run(model, result, out))
        if contract is not None:
            print(render_contract(model, result.tables["contract"],
                                  result.tables["contract_summary"]))
        if report is not None:
            print(f"\nReport: {report}")
    return EXIT_OK


def add_by_kind_option(parser: argparse.ArgumentParser) -> None:
    """``--by-kind``, shared by ``run`` and ``decide``."""
    parser.add_argument("--by-kind", action="store_true",
                        help="also split each actor's NPV by cost kind (real, financial, "
                             "production), per scenario and per year: actor_kinds.csv, "
                             "actor_kinds_yearly.csv, actor_kinds.parquet (one more simulation)")


def write_actor_kinds(result: SimulationResult, out: Path, engine: dict) -> list[str]:
    """Simulate the actor x cost-kind split of `result`'s scenarios (one more simulation)
    and write its files into `out`; returns their names for the run's manifest."""
    from riskcalc.results.actor_kinds import actor_kind_split

    kinds = {k: v for k, v in engine.items() if k in ("n_jobs", "backend", "scheduler")}
    split = actor_kind_split(result.model, result.n, seed=result.seed,
                             chunk_size=result.chunk_size, **kinds)
    return [path.name for path in split.write(out)]


def render_contract(model: Model, table: pd.DataFrame, summary: pd.DataFrame) -> str:
    """The outcome contract's lines of ``riskcalc run``."""
    c, cur = model.contract, model.currency
    k = dict(zip(summary["measure"], summary["value"], strict=True))
    rows = table.set_index("output")
    lines = [f"\nOutcome contract{': ' + c.label if c.label else ''} (capital "
             f"{money(c.capital, cur)}, paid by {c.payer}, capped at {money(c.most_paid, cur)}):",
             f"  investor's NPV: mean {money(rows.loc['npv_investor', 'mean'], cur)}, "
             f"P(investor loss) {percent(k['prob_investor_loss'])}",
             f"  investor's IRR: P5 {percent(k['irr_p05'])}, median {percent(k['irr_p50'])}, "
             f"P95 {percent(k['irr_p95'])} ({int(k['n_no_irr']):,} scenarios without an IRR)",
             f"  paid: mean {money(rows.loc['contract_paid', 'mean'], cur)} "
             f"({rows.loc['contract_multiple', 'mean']:.2f} x capital); payer's NPV after "
             f"payments: mean {money(rows.loc['npv_payer_after', 'mean'], cur)}",
             f"  P(payment metric met) {percent(k['prob_metric_met'])}"]
    if k["prob_goal_met"] == k["prob_goal_met"]:
        lines.append(f"  P(social goal met while no payment metric is) "
                     f"{percent(k['prob_mismatch'])}")
    return "\n".join(lines)


def _print_round(result: SimulationResult, table: pd.DataFrame) -> None:
    unmet = table[~table["met"]]
    status = ("every precision holds" if unmet.empty else "not yet: " + ", ".join(
        f"{r.output}.{r.statistic} ±{r.half_width:.3g} > ±{r.bound:.3g}"
        for r in unmet.itertuples()))
    print(f"{result.n:,} scenarios: {status}", file=sys.stderr)


def render_run(model: Model, result: SimulationResult, out: Path) -> str:
    """The text `riskcalc run` prints: per-actor risk table, society, ROI, payback, classes."""
    cur = model.currency
    summary = result.tables.get("summary")
    summary = (result.summary() if summary is None else summary).set_index("output")
    risk = result.tables["risk"].set_index("output") if "risk" in result.tables else None
    lines = [f"{model.name}",
             f"{result.n:,} scenarios, seed {result.seed}, "
             f"{result.timings['simulate_s']:.2f} s\n",
             f"Net present value per actor over {model.years} years ({cur}):"]
    rows = []
    labels = {a.key: a.label for a in model.actors}
    for key in [*model.actor_keys, "society"]:
        s = summary.loc[f"npv_{key}"]
        row = {"actor": labels.get(key, "Society (total)"), "mean": money(s["mean"], cur),
               "median": money(s["p50"], cur), "P5": money(s["p05"], cur),
               "P95": money(s["p95"], cur), "P(loss)": percent(s["prob_negative"])}
        if risk is not None:  # expected shortfall is a loss counted positive: shown as a net
            row["net in worst 5 %"] = money(-risk.loc[f"npv_{key}", "cvar_95"], cur)
        rows.append(row)
    lines.append(pd.DataFrame(rows).to_string(index=False))
    if "theoretical_society" in summary.index:
        lines.append(f"Society's NPV on paper (before realisation): mean "
                     f"{money(summary.loc['theoretical_society', 'mean'], cur)}; realised "
                     f"{money(summary.loc['npv_society', 'mean'], cur)}")
    roi = summary.loc["roi"]
    lines.append(f"\nROI (society NPV / investment): mean {roi['mean']:.2f}, median "
                 f"{roi['p50']:.2f}, P5 {roi['p05']:.2f}, P95 {roi['p95']:.2f}; "
                 f"P(ROI < 0) {percent(roi['prob_negative'])}")
    payback = result.tables.get("payback")
    payback = result.payback() if payback is None else payback
    by_year = payback[payback["year"] != "never"].set_index("year")["prob_by_year"]
    marks = [y for y in (1, 2, 3, 5, 10, 20) if y <= model.years]
    lines.append("Society's payback: " + ", ".join(
        f"by year {y} {percent(by_year[y])}" for y in marks)
        + f", never within {model.years} y {percent(payback['prob_in_year'].iloc[-1])}")
    hump = summary.loc["hump_society"]
    lines.append(f"Investment hump (capital needed by society): median {money(hump['p50'], cur)},"
                 f" P95 {money(hump['p95'], cur)}")
    if "classes" in result.tables:
        classes = result.tables["classes"]
        lines.append(f"\nOutcome classes by {classes['output'].iloc[0]}: " + ", ".join(
            f"{row['class'].replace('_', '-')} {percent(row['probability'])}"
            for _, row in classes.iterrows()))
    if "regimes" in result.tables:
        regimes = result.tables["regimes"]
        lines.append("Declared regimes (weight, share drawn, mean society NPV): " + "; ".join(
            f"{row['regime']} {percent(row['weight'])}, {percent(row['probability'])}, "
            f"{money(row['mean_npv_society'], cur)}" for _, row in regimes.iterrows()))
    if "claim" in result.tables:
        claim = result.tables["claim"].iloc[0]
        lines.append(f"Claim{' (' + claim['source'] + ')' if claim['source'] else ''}: by "
                     f"year {claim['year']} society's accumulated effect is at least "
                     f"{claim['multiple']:g} × the investment; probability "
                     f"{percent(claim['probability'])} (multiple reached: median "
                     f"{claim['p50']:.1f}, P5-P95 {claim['p05']:.1f}-{claim['p95']:.1f})")
    if "breakeven" in result.tables:
        lines.append("Break-even (expected society NPV = 0): " + "; ".join(
            row["note"] for _, row in result.tables["breakeven"].iterrows()))
    if "correlation_effect" in result.tables:
        effect = result.tables["correlation_effect"].set_index("output")
        lines.append(f"The declared correlations change the spread (std) of society's NPV "
                     f"by a factor {effect.loc['npv_society', 'ratio']:.2f} "
                     "(correlation_effect.csv has every actor)")
    if result.n_nonfinite:
        lines.append(f"\nWARNING: {result.n_nonfinite} scenarios gave outputs that are not "
                     f"finite and are left out of the figures; first example's inputs: "
                     f"{result.nonfinite_example()}")
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    lines.append(f"\nWrote {out}/: {', '.join(written)}")
    return "\n".join(lines)
