"""The report of a fund run: its fund section (balance, depletion, recovery, actors, risk).

:func:`write_fund_report` reads a fund's run directory (``manifest.json`` of kind
``fund``, ``fund_*.csv``, ``verdict.json`` where ``riskcalc decide`` wrote one) and
writes ``report.html`` (self-contained) and ``figures/fund_balance.png|svg`` there.
Nothing is computed that the run's tables do not hold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from riskcalc.errors import ModelError
from riskcalc.files import atomic_write, read_json
from riskcalc.report.labels import Labels, get_labels
from riskcalc.report.render import EmbeddedFigure, Section, Table, html_page

__all__ = ["write_fund_report", "fund_tables", "fund_summary_sentences", "is_fund_run"]


def is_fund_run(run_dir: str | Path) -> bool:
    """True when `run_dir` holds a fund run (``manifest.json`` of kind ``fund``)."""
    try:
        manifest = read_json(Path(run_dir) / "manifest.json", "run manifest")
    except ModelError:
        return False
    return isinstance(manifest, dict) and manifest.get("kind") == "fund"


def _read(directory: Path) -> tuple[dict, dict[str, pd.DataFrame]]:
    manifest = read_json(directory / "manifest.json", "run manifest")
    if not isinstance(manifest, dict) or manifest.get("kind") != "fund":
        raise ValueError("manifest.json is not a fund run's (kind = fund)")
    tables = {name: pd.read_csv(directory / f"{name}.csv")
              for name in ("fund_balance", "fund_depletion", "fund_recovery", "fund_actors",
                           "fund_interventions", "fund_summary")}
    return manifest, tables


def fund_summary_sentences(manifest: Mapping, tables: Mapping[str, pd.DataFrame],
                           words: Labels, min_balance: float) -> list[str]:
    """Plain-words sentences of the fund's key figures."""
    cur = manifest["fund"].get("currency", "SEK")
    k = dict(zip(tables["fund_summary"]["measure"], tables["fund_summary"]["value"],
                 strict=True))
    interventions = tables["fund_interventions"]
    worst = interventions.loc[interventions["cvar_share"].fillna(-math.inf).idxmax()]
    sentences = [
        words["s_fund_depleted"].format(floor=words.money(min_balance, cur),
                                        years=manifest["fund"]["years"],
                                        p=words.percent(k["prob_depleted"])),
        words["s_fund_recovery"].format(share=words.percent(k["expected_recovery"]),
                                        balance=words.money(k["mean_final_balance"], cur),
                                        p05=words.money(k["p05_final_balance"], cur)),
        words["s_fund_society"].format(mean=words.money(k["npv_society_mean"], cur),
                                       p05=words.money(k["npv_society_p05"], cur),
                                       p95=words.money(k["npv_society_p95"], cur)),
        words["s_fund_cvar"].format(tail=words.percent(1 - k["cvar_level"], digits=0),
                                    cvar=words.money(k["cvar_loss"], cur),
                                    name=worst["intervention"],
                                    share=words.percent(worst["cvar_share"])),
    ]
    if not k["max_share_ok"]:
        sentences.append(words["s_fund_max_share"].format(share=words.percent(
            float(manifest["fund"].get("max_share", 1.0)), digits=0)))
    return sentences


def fund_tables(manifest: Mapping, tables: Mapping[str, pd.DataFrame],
                words: Labels) -> list[Table]:
    """The fund section's tables as text cells."""
    cur = manifest["fund"].get("currency", "SEK")

    def m(value: float) -> str:
        return words.money(value, cur)

    p = words.percent
    balance = tables["fund_balance"]
    out = [Table(words["fund_balance"],
                 [words["year"], words["mean"], words["p05"], words["median"], words["p95"],
                  words["prob_depleted"]],
                 [[str(int(r.year)), m(r.mean), m(r.p05), m(r.p50), m(r.p95),
                   p(r.prob_depleted)] for r in balance.itertuples()],
                 key="fund_balance")]
    rows = [[r.intervention, r.borrower, str(int(r.start_year)), words[f"rule_{r.rule}"],
             m(r.lent_mean), m(r.repaid_mean), p(r.recovered_mean), m(r.npv_society_mean),
             p(r.cvar_share)] for r in tables["fund_interventions"].itertuples()]
    out.append(Table(words["fund_interventions"],
                     [words["intervention"], words["borrower"], words["start_year"],
                      words["repayment_rule"], words["lent"], words["repaid"],
                      words["recovered"], f"{words['npv']} ({words['society']})",
                      words["cvar_share"]], rows, caption=words["cap_fund_interventions"],
                     key="fund_interventions", align="lllrrrrrr"))
    out.append(Table(words["fund_actors"],
                     [words["actor"], words["before_loans"], words["loans_repayments"],
                      words["after_loans"], words["interval"], words["prob_loss"]],
                     [[str(r.label), m(r.mean_before), m(r.mean_loans_repayments),
                       m(r.mean_after), f"{m(r.p05_after)} – {m(r.p95_after)}",
                       p(r.prob_loss_after)] for r in tables["fund_actors"].itertuples()],
                     caption=words["cap_fund_actors"], key="fund_actors"))
    depletion = tables["fund_depletion"]
    shown = depletion[(depletion["probability"] > 0) | (depletion["year"].astype(str) == "never")]
    out.append(Table(words["fund_depletion"], [words["year"], words["probability"]],
                     [[words["never_depleted"] if str(r.year) == "never" else str(r.year),
                       p(r.probability)] for r in shown.itertuples()],
                     key="fund_depletion"))
    out.append(Table(words["fund_recovery"],
                     [words["year"], words["lent"], words["repaid"], words["recovered"],
                      words["interval"]],
                     [[str(int(r.year)), m(r.lent_mean), m(r.repaid_mean), p(r.recovered_mean),
                       f"{p(r.recovered_p05)} – {p(r.recovered_p95)}"]
                      for r in tables["fund_recovery"].itertuples()], key="fund_recovery"))
    return out


def _verdict_table(verdict: Mapping, words: Labels, cur: str) -> Table:
    rows = []
    for c in verdict["criteria"]:
        def shown(x: float, c: Mapping = c) -> str:
            return words.money(x, cur) if c["unit"] == "currency" else words.percent(x)
        rows.append([words[f"fund_criterion_{c['criterion']}"], shown(c["measured"]),
                     ("≤ " if c["sense"] == "max" else "≥ ") + shown(c["threshold"]),
                     words["yes"] if c["passed"] else words["no"]])
    return Table(f"{words['verdict']}: {words[verdict['decision']]}",
                 [words["criterion"], words["measured"], words["threshold"], words["passed"]],
                 rows, key="verdict")


def write_fund_report(run_dir: str | Path, lang: str = "en") -> Path:
    """Write report.html and figures/fund_balance.png|svg of a fund's run directory.

    Returns
    -------
    Path
        ``run_dir/report.html``.
    """
    from riskcalc.report.plots.common import save_figure
    from riskcalc.report.plots.funds import balance_fan

    words = get_labels(lang)
    directory = Path(run_dir)
    manifest, tables = _read(directory)
    fund = manifest["fund"]
    cur = fund.get("currency", "SEK")
    floor = float(fund.get("min_balance", 0.0))
    ax = balance_fan(tables["fund_balance"], min_balance=floor, labels=words, currency=cur)
    paths = save_figure(ax.figure, directory / "figures", "fund_balance")
    figure = EmbeddedFigure("fund_balance", words["fund_balance"], words["cap_fund_balance"],
                            paths["png"])
    made = {t.key: t for t in fund_tables(manifest, tables, words)}
    verdict_path = directory / "verdict.json"
    verdict = None
    if verdict_path.is_file():
        verdict = read_json(verdict_path, "verdict file")
        made["verdict"] = _verdict_table(verdict, words, cur)
    version = manifest.get("versions", {}).get("riskcalc", "?")
    methods = words["m_fund"].format(
        n=words.integer(manifest["n"]), seed=manifest["seed"], name=fund["name"],
        source=fund["source"],
        years=fund["years"], version=version,
        shared=", ".join(fund.get("shared", [])) or words["none_shared"],
        rate=(fund.get("discount_rate", 0) if isinstance(fund.get("discount_rate"), str)
              else words.percent(float(fund.get("discount_rate", 0)))))
    page = html_page(
        title=fund["name"], lang=lang,
        document_title=f"{words['fund_report_title']}: {fund['name']}",
        subtitle=words["s_run"].format(n=words.integer(manifest["n"]), seed=manifest["seed"],
                                       created=manifest.get("created", "?")),
        summary_heading=words["summary"],
        summary=fund_summary_sentences(manifest, tables, words, floor),
        verdict=str((verdict or {}).get("decision", "")),
        sections=[
            Section(words["verdict"], tables=[made[k] for k in ("verdict",) if k in made]),
            Section(words["fund_section"], [figure],
                    [made["fund_balance"], made["fund_depletion"], made["fund_recovery"]]),
            Section(words["fund_interventions"], tables=[made["fund_interventions"]]),
            Section(words["fund_actors"], tables=[made["fund_actors"]]),
            Section(words["methods"], paragraphs=[methods], css_class="methods"),
        ],
        footer=[words["generated"].format(version=version)])
    out = directory / "report.html"
    atomic_write(out, lambda p: p.write_text(page, encoding="utf-8"))
    return out
