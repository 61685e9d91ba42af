"""``riskcalc decide``: a fund board's verdict on a model under a policy file."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

from riskcalc.cli.commands_fund import run_fund
from riskcalc.cli.commands_run import add_by_kind_option, write_actor_kinds
from riskcalc.cli.common import (
    DEFAULT_SEED,
    EXIT_BAD_INPUT,
    EXIT_OK,
    SEED_HELP,
    add_engine_options,
    engine_kwargs,
    hold,
    load,
    positive_int,
    seed,
)
from riskcalc.decision.breakeven import breakeven_table
from riskcalc.decision.criteria import as_shown
from riskcalc.decision.policy import load_policy
from riskcalc.decision.tables import risk_tables
from riskcalc.decision.verdict import CriterionResult, Verdict, evaluate_policy
from riskcalc.engine.simulation import simulate
from riskcalc.files import write_json
from riskcalc.format import money, percent
from riskcalc.funds.policy import (
    FUND_CRITERIA,
    FundVerdict,
    evaluate_fund_policy,
    load_fund_policy,
)
from riskcalc.funds.spec import is_fund_file, load_fund
from riskcalc.report.fund import write_fund_report
from riskcalc.report.workbook import write_workbook
from riskcalc.results.result import SimulationResult, mark_incomplete

__all__ = ["register", "render_verdict", "write_decision", "EXIT_OK", "EXIT_REJECT",
           "EXIT_BAD_INPUT"]

#: Exit code of a verdict to reject; EXIT_OK (0) approves, EXIT_BAD_INPUT (2) is bad input.
EXIT_REJECT = 1


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``decide`` command."""
    decide = commands.add_parser(
        "decide", help="approve or reject under a fund board's policy (exit 0 / 1)",
        description="Run the model, measure every criterion of the policy on the owner's "
                    "outcomes and print APPROVE (exit 0) or REJECT (exit 1); bad input exits 2.")
    decide.add_argument("model", type=Path,
                        help="model file (TOML), or a fund file (with a fund policy)")
    decide.add_argument("--policy", type=Path, required=True, help="policy file (TOML)")
    decide.add_argument("--n", type=positive_int, default=20_000,
                        help="number of scenarios (default 20000)")
    decide.add_argument("--seed", type=seed, default=DEFAULT_SEED, help=SEED_HELP)
    decide.add_argument("--top", type=int, default=5,
                        help="switching values for this many parameters (default 5, 0: none)")
    decide.add_argument("--out", type=Path, default=None,
                        help="run directory (default reports/<model file name>/)")
    decide.add_argument("--json", action="store_true", help="print verdict.json to stdout")
    add_by_kind_option(decide)
    add_engine_options(decide)
    decide.set_defaults(handler=_decide)


def _decide(args: argparse.Namespace) -> int:
    if is_fund_file(args.model):
        return _decide_fund(args)
    model = load(args.model)
    policy = load_policy(args.policy)
    policy.check(model)  # bad owners or class outputs stop before any simulation
    out = hold(args.out or Path("reports") / model.slug)
    engine = engine_kwargs(args)
    result = simulate(model, args.n, seed=args.seed, **engine)
    verdict = evaluate_policy(policy, result, top=max(args.top, 0))
    out = write_decision(result, verdict, out, top=max(args.top, 0),
                         by_kind=engine if args.by_kind else None)
    if args.json:
        print(json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False, default=str))
    elif not args.quiet:
        print(render_verdict(verdict))
        print(f"\nWrote {out}/ (verdict.json, breakeven.csv, risk.csv, classes.csv, "
              "redistribution.csv, compensation_matrix.csv, acceptability.csv, "
              "payback_within.csv, voi.csv and the run's files)")
    return EXIT_OK if verdict.approve else EXIT_REJECT


def _decide_fund(args: argparse.Namespace) -> int:
    """A fund file under a fund policy (max_prob_depleted, min_expected_recovery, ...)."""
    fund = load_fund(args.model)
    policy = load_fund_policy(args.policy)
    out = hold(args.out or Path("reports") / fund.slug)
    result = run_fund(fund, args)
    verdict = evaluate_fund_policy(policy, result)
    result.tables["verdict"] = pd.DataFrame(verdict.to_dict()["criteria"])
    out = result.write(out)
    write_json(out / "verdict.json", verdict.to_dict())
    write_fund_report(out, "en")
    if args.json:
        print(json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False, default=str))
    elif not args.quiet:
        print(render_fund_verdict(verdict, fund.currency))
        print(f"\nWrote {out}/ (verdict.json, verdict.csv, report.html and the fund's files)")
    return EXIT_OK if verdict.approve else EXIT_REJECT


def render_fund_verdict(verdict: FundVerdict, currency: str) -> str:
    """The text ``riskcalc decide`` prints for a fund."""
    failed = sum(not c.passed for c in verdict.criteria)
    lines = [f"VERDICT: {verdict.decision}" + (f" ({failed} of {len(verdict.criteria)} "
                                               "criteria fail)" if failed else
                                               f" (all {len(verdict.criteria)} criteria met)"),
             f"Policy: {verdict.policy.name} ({verdict.policy.source})",
             f"Run:    {verdict.n:,} scenarios, seed {verdict.seed}", ""]
    rows = []
    for c in verdict.criteria:
        unit = FUND_CRITERIA[c.key][1]

        def shown(x: float, unit: str = unit) -> str:
            return money(x, currency) if unit == "currency" else percent(x)
        rows.append({"criterion": FUND_CRITERIA[c.key][2] + (" ≤" if c.sense == "max" else " ≥"),
                     "measured": shown(c.measured), "threshold": shown(c.threshold),
                     "MC s.e.": shown(c.se),
                     "result": ("pass" if c.passed else "FAIL")
                     + (" (too close to call)" if c.too_close else "")})
    lines.append(pd.DataFrame(rows).to_string(index=False))
    return "\n".join(lines)


def write_decision(result: SimulationResult, verdict: Verdict, out_dir: Path, *,
                   top: int = 5, by_kind: dict | None = None) -> Path:
    """Write the run directory of a decision: the run, its risk tables, breakeven.csv
    and verdict.json.  The directory is marked incomplete first (the previous run's
    files removed) and its manifest, listing verdict.json too, written last.  With
    `by_kind` (the engine's options), the actor x cost-kind split is written too."""
    out = mark_incomplete(out_dir)
    also = ["verdict.json", *(write_actor_kinds(result, out, by_kind) if by_kind else [])]
    owner = verdict.policy.owner_group
    table = (breakeven_table(result, target="npv_society" if owner is None else list(owner),
                             k=top) if top > 0 and result.model.uncertain_parameters
             else pd.DataFrame(columns=["parameter"]))
    flips = {s.values.parameter: s for s in verdict.switches}
    table["verdict_switch"] = [flips[p].values.first if p in flips else math.nan
                               for p in table["parameter"]]
    table["verdict_note"] = [flips[p].describe() if p in flips else ""
                             for p in table["parameter"]]
    write_json(out / "verdict.json", verdict.to_dict())
    result.tables.update(risk_tables(result, owner=verdict.policy.owner_group,
                                     classes=verdict.policy.classes))
    result.tables["breakeven"] = table
    result.write(out, also=tuple(also))
    write_workbook(out, result.model)
    return out


def _value(c: CriterionResult, x: float, cur: str, *, margin: bool = False) -> str:
    unit = c.criterion.unit
    if unit == "probability":
        return f"{100 * x:+.1f} pp" if margin else percent(x)
    if unit == "currency":
        return ("+" if margin and x >= 0 else "") + money(x, cur)
    return f"{x:+.3g}" if margin else f"{x:.3g}"


def render_verdict(verdict: Verdict) -> str:
    """The text ``riskcalc decide`` prints."""
    model, policy, cur = verdict.model, verdict.policy, verdict.model.currency
    failed = sum(not c.passed for c in verdict.criteria)
    head = (f"VERDICT: {verdict.decision}" + (f" ({failed} of {len(verdict.criteria)} "
                                              "criteria fail)" if failed else
                                              f" (all {len(verdict.criteria)} criteria met)"))
    lines = [head,
             f"Policy: {policy.name} ({policy.source})",
             f"Model:  {model.name} ({model.source})",
             f"Owner:  {' + '.join(policy.owner)}; expected NPV "
             f"{money(verdict.owner_mean_npv, cur)}, P(net loss) "
             f"{percent(verdict.owner_prob_loss)}",
             f"Run:    {verdict.n:,} scenarios, seed {verdict.seed}"
             + (f" ({verdict.n - verdict.n_used:,} with non-finite outputs left out)"
                if verdict.n_used < verdict.n else ""), ""]
    rows = []
    for c in verdict.criteria:
        sense, measured, threshold = as_shown(c.criterion.key, c.criterion.sense, c.measured,
                                              c.criterion.threshold)
        sign = "≤" if sense == "max" else "≥"
        rows.append({"criterion": f"{c.criterion.label()} {sign}",
                     "measured": _value(c, measured, cur),
                     "threshold": _value(c, threshold, cur),
                     "margin": _value(c, c.margin, cur, margin=True),
                     "MC s.e.": _value(c, c.se, cur),
                     "result": ("pass" if c.passed else "FAIL")
                     + (" (too close to call)" if c.too_close else "")})
    lines.append(pd.DataFrame(rows).to_string(index=False))
    if verdict.too_close:
        lines.append(f"\nToo close to call at N = {verdict.n:,} (margin within 2 standard "
                     f"errors): {', '.join(verdict.too_close)}; rerun with a larger --n.")
    if verdict.switches:
        n = verdict.switches[0].values.n
        lines.append(f"\nWhat would flip the verdict: each parameter fixed at one value in "
                     f"every scenario, the others as sampled ({n:,} common random numbers, "
                     f"seed {verdict.seed}):")
        for s in verdict.switches:
            lines.append(f"  {s.describe()}  [Spearman {s.spearman:+.2f} with the owner's NPV]")
    spec = policy.classes
    t = spec.thresholds
    lines.append(f"\nOutcome classes on {spec.output} (very_bad < {t[0]:g} ≤ bad < {t[1]:g} ≤ "
                 f"half_good < {t[2]:g} ≤ good): probability and mean NPV in each")
    table = pd.DataFrame({
        "class": verdict.classes["class"],
        "probability": [percent(p) for p in verdict.classes["probability"]],
        "owner": [money(x, cur) for x in verdict.classes["mean_npv_owner"]],
        "society": [money(x, cur) for x in verdict.classes["mean_npv_society"]]})
    lines.append(table.to_string(index=False))
    lines.append(f"\nExpected value of perfect information of the owner's decision: "
                 f"{money(verdict.evpi, cur)} (MC s.e. {money(verdict.evpi_se, cur)})")
    return "\n".join(lines)
