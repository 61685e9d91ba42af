"""``riskcalc fund``: a social-investment fund's joint simulation, tables and report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskcalc.cli.common import (
    DEFAULT_SEED,
    EXIT_OK,
    SEED_HELP,
    add_engine_options,
    engine_kwargs,
    hold,
    positive_int,
    seed,
)
from riskcalc.format import money, percent
from riskcalc.funds.result import FundResult
from riskcalc.funds.simulation import simulate_fund
from riskcalc.funds.spec import Fund, load_fund
from riskcalc.report.fund import write_fund_report
from riskcalc.report.labels import LANGUAGES

__all__ = ["register", "render_fund", "run_fund"]


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``fund`` command."""
    fund = commands.add_parser(
        "fund", help="simulate a social-investment fund: balance, depletion, repayments",
        description="Run every intervention of a fund file in one joint simulation and write "
                    "fund_balance.csv, fund_depletion.csv, fund_recovery.csv, fund_actors.csv, "
                    "fund_interventions.csv, fund_summary.csv, fund_scenarios.parquet, "
                    "report.html and figures/ into the run directory.")
    fund.add_argument("fund", type=Path, help="fund file (TOML)")
    add_fund_options(fund)
    fund.set_defaults(handler=_fund)


def add_fund_options(parser: argparse.ArgumentParser) -> None:
    """Options of a fund run (also used by ``riskcalc decide`` on a fund)."""
    parser.add_argument("--n", type=positive_int, default=20_000,
                        help="number of scenarios (default 20000)")
    parser.add_argument("--seed", type=seed, default=DEFAULT_SEED, help=SEED_HELP)
    parser.add_argument("--out", type=Path, default=None,
                        help="run directory (default reports/<file name>/)")
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of the report (default en)")
    add_engine_options(parser)


def run_fund(fund: Fund, args: argparse.Namespace) -> FundResult:
    """Simulate a fund with the command's options (no progress bar: chunks are few)."""
    for i in fund.interventions:
        for warning in i.model.warnings:
            print(f"riskcalc: warning: {warning}", file=sys.stderr)
    kwargs = engine_kwargs(args)
    kwargs.pop("progress")
    return simulate_fund(fund, args.n, seed=args.seed, **kwargs)


def _fund(args: argparse.Namespace) -> int:
    fund = load_fund(args.fund)
    out = hold(args.out or Path("reports") / fund.slug)
    result = run_fund(fund, args)
    out = result.write(out)
    write_fund_report(out, args.lang)
    if not args.quiet:
        print(render_fund(result))
        print(f"\nWrote {out}/ (fund_balance.csv, fund_depletion.csv, fund_recovery.csv, "
              "fund_actors.csv, fund_interventions.csv, fund_summary.csv, "
              "fund_scenarios.parquet, report.html, figures/)")
    return EXIT_OK


def render_fund(result: FundResult) -> str:
    """What ``riskcalc fund`` prints: key figures, the balance and the interventions."""
    f, cur = result.fund, result.fund.currency
    k = result.key_figures()
    lines = [f"{f.name} ({f.source})",
             f"{result.n:,} scenarios, seed {result.seed}; capital {money(f.capital, cur)}, "
             f"{f.years} years, lowest balance allowed {money(f.min_balance, cur)}", "",
             f"P(depleted within {f.years} years): {percent(k['prob_depleted'])}",
             f"Expected recovery: {percent(k['expected_recovery'])} of "
             f"{money(k['mean_lent'], cur)} lent (mean)",
             f"Final balance: mean {money(k['mean_final_balance'], cur)}, "
             f"P5 {money(k['p05_final_balance'], cur)}",
             f"Fund's CVaR {100 * f.cvar_level:g} % of its loss: {money(k['cvar_loss'], cur)}",
             f"Society's NPV of the portfolio: mean {money(k['npv_society_mean'], cur)} "
             f"(P5 {money(k['npv_society_p05'], cur)}, P95 {money(k['npv_society_p95'], cur)})",
             ""]
    balance = result.balance()
    table = balance.assign(**{c: [money(v, cur) for v in balance[c]]
                              for c in ("mean", "p05", "p50", "p95")},
                           prob_depleted=[percent(p) for p in balance["prob_depleted"]])
    lines.append(table.to_string(index=False))
    inter = result.interventions()
    shown = inter[["intervention", "rule", "lent_mean", "repaid_mean", "cvar_share",
                   "max_share_ok"]].copy()
    for c in ("lent_mean", "repaid_mean"):
        shown[c] = [money(v, cur) for v in shown[c]]
    shown["cvar_share"] = [percent(v) for v in shown["cvar_share"]]
    lines += ["", shown.to_string(index=False)]
    if not k["max_share_ok"]:
        lines.append(f"\nBoard rule broken: an intervention takes more than "
                     f"{percent(f.max_share, digits=0)} of the capital available.")
    return "\n".join(lines)
