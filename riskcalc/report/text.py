"""The report's sentences: the plain-words summary, the methods paragraph, the notes."""

from __future__ import annotations

import math

import pandas as pd

from riskcalc.report.labels import Labels
from riskcalc.report.run import OPTIONAL_TABLES, RunData, stat
from riskcalc.report.tables import criterion_name

__all__ = ["summary_sentences", "methods_paragraphs", "report_notes"]


def summary_sentences(run: RunData, words: Labels) -> list[str]:
    """Plain words: society's return, who pays and gains, loss, payback, capital, verdict."""
    cur, years = run.currency, run.years
    # A board's plain facts first (who pays, who gains, each one's chance of a net loss,
    # the hump and when it is repaid), policy or not; then society's return and payback.
    sentences: list[str] = []
    medians = {a: stat(run, f"npv_{a}", "p50") for a in run.actors}

    def who(keys: list[str]) -> str:
        return "; ".join(f"{run.actor_labels[k]} "
                         f"({words['s_median_of'].format(value=words.money(medians[k], cur))})"
                         for k in keys)

    payers = sorted((a for a, m in medians.items() if m < 0), key=medians.get)
    gainers = sorted((a for a, m in medians.items() if m > 0), key=medians.get, reverse=True)
    sentences.append(words["s_pays"].format(actors=who(payers)) if payers
                     else words["s_nobody_pays"])
    if gainers:
        sentences.append(words["s_gains"].format(actors=who(gainers)))
    payer = run.payer
    sentences.append(words["s_loss_each"].format(actors="; ".join(
        f"{run.actor_labels[a]} {words.percent(stat(run, f'npv_{a}', 'prob_negative'))}"
        for a in run.actors)
        + f"; {words['society'].lower()} "
        + words.percent(stat(run, "npv_society", "prob_negative"))))
    if payer is not None:
        sentences.append(words["s_capital"].format(
            payer=run.actor_labels[payer],
            payer_p50=words.money(stat(run, f"hump_{payer}", "p50"), cur),
            payer_p95=words.money(stat(run, f"hump_{payer}", "p95"), cur),
            society_p50=words.money(stat(run, "hump_society", "p50"), cur),
            society_p95=words.money(stat(run, "hump_society", "p95"), cur)))
        repaid = _repaid_year(run, payer)
        sentences.append(
            words["s_repaid"].format(payer=run.actor_labels[payer], year=repaid)
            if repaid is not None
            else words["s_not_repaid"].format(payer=run.actor_labels[payer], years=years))
    sentences.append(words["s_return"].format(
        years=years, mean=words.money(stat(run, "npv_society", "mean"), cur),
        p05=words.money(stat(run, "npv_society", "p05"), cur),
        p95=words.money(stat(run, "npv_society", "p95"), cur),
        roi=_ratio(stat(run, "roi", "mean"), words)))
    if run.payback is not None:
        table = run.payback[run.payback["year"].astype(str) != "never"]
        by_year = pd.Series(table["prob_by_year"].to_numpy(float),
                            index=table["year"].astype(int))
        never_row = run.payback.loc[run.payback["year"].astype(str) == "never", "prob_in_year"]
        never = (float(never_row.iloc[0]) if len(never_row)
                 else 1.0 - (by_year.iloc[-1] if len(by_year) else 0.0))
        half = by_year[by_year >= 0.5]
        if len(half):
            mark = 5 if 5 in by_year.index else int(by_year.index[-1])
            sentences.append(words["s_payback"].format(
                median=int(half.index[0]), year=mark, p_by=words.percent(by_year[mark]),
                years=years, p_never=words.percent(never)))
        else:
            sentences.append(words["s_payback_rare"].format(years=years,
                                                            p_paid=words.percent(1 - never)))
    if "claim" in run.extras and len(run.extras["claim"]):
        claim = run.extras["claim"].iloc[0]
        sentences.append(words["s_claim"].format(
            year=int(claim["year"]), multiple=words.number(claim["multiple"]),
            probability=words.percent(claim["probability"]),
            **{k: words.fixed(claim[k], 1) for k in ("p05", "p50", "p95")}))
    if "breakeven" in run.extras and run.model is not None:
        for _, row in run.extras["breakeven"].iterrows():
            if row["parameter"] in run.model.breakeven and row["breakeven"] == row["breakeven"]:
                sentences.append(words["s_breakeven"].format(
                    parameter=row["parameter"], value=words.number(row["breakeven"]),
                    base=words.number(row["base"])))
    if run.verdict is not None:
        criteria = run.verdict.get("criteria") or []
        failed = [criterion_name(c, words) for c in criteria if not c.get("passed")]
        decision = str(run.verdict.get("decision", "?"))
        decision = words.get(decision, decision)
        sentences.append(
            words["s_verdict_fail"].format(decision=decision, failed=len(failed),
                                           n=len(criteria), names=", ".join(failed))
            if failed else words["s_verdict_pass"].format(decision=decision, n=len(criteria)))
    if "contract_summary" in run.extras:
        sentences.append(_contract_sentence(run, words))
    return sentences


def _contract_sentence(run: RunData, words: Labels) -> str:
    """The outcome contract in one sentence: capital, P(investor loss), IRR, mismatch."""
    frame = run.extras["contract_summary"]
    k = dict(zip(frame["measure"], frame["value"], strict=True))
    return words["s_contract"].format(
        capital=words.money(k["capital"], run.currency),
        p=words.percent(k["prob_investor_loss"]), irr=words.percent(k["irr_p50"]),
        mismatch=words.percent(k["prob_mismatch"]))


def _repaid_year(run: RunData, actor: str) -> int | None:
    """The first year, after its deepest point, that an actor's median cumulative net is
    back at zero or above (yearly.csv); None if not within the horizon."""
    bands, _ = run.bands()
    band = bands.get(actor)
    if band is None or not len(band):
        return None
    band = band.sort_values("year")
    median = band["p50"].to_numpy(dtype=float)
    low = int(median.argmin())
    after = [int(y) for y, m in zip(band["year"].iloc[low:], median[low:], strict=True)
             if m >= 0]
    return after[0] if after else None


def _ratio(value: float, words: Labels) -> str:
    """14.3, or 0.14 where one decimal would say too little."""
    if not math.isfinite(value):
        return words.not_available
    return words.number(round(value, 1 if abs(value) >= 1 else 2), digits=6)


def methods_paragraphs(run: RunData, words: Labels) -> list[str]:
    """A methods paragraph to cite: N, seed, sampling, estimators, versions, model hash."""
    m = run.manifest
    versions = m.get("versions", {})
    model = m.get("model", {})
    band = m.get("band_method", "exact")
    text = [
        words["m_sim"].format(
            n=words.integer(m.get('n', 0)), model=run.title or "?",
            source=model.get("source", "?"), sha=model.get("sha256", "?"), years=run.years,
            version=versions.get("riskcalc", "?"), python=versions.get("python", "?"),
            numpy=versions.get("numpy", "?"), scipy=versions.get("scipy", "?"),
            pandas=versions.get("pandas", "?"), salib=versions.get("SALib", "?"),
            numba=versions.get("numba", "?")),
        words["m_sampling"].format(seed=m.get("seed", "?"),
                                   chunk=words.integer(m.get('chunk_size', 0)),
                                   streams=m.get("seed_streams", "?")),
        words["m_estimators"].format(band_method=words.get(f"band_{band}", band)),
    ]
    if versions.get("riskcalc_commit"):
        text.insert(1, words["m_commit"].format(commit=versions["riskcalc_commit"]))
    if m.get("n_nonfinite"):
        text.append(words["m_nonfinite"].format(count=m["n_nonfinite"]))
    sobol = run.sidecars.get("sobol")
    if sobol is not None:
        estimators = sobol.get("estimators") or {}
        text.append(words["m_sobol"].format(
            n=words.integer(sobol.get('n', 0)),
            evaluations=words.integer(sobol.get('n_evaluations', 0)),
            sampler=sobol.get("sampler", "?"), seed=sobol.get("seed", "?"),
            s1=estimators.get("S1", "?"), st=estimators.get("ST", "?"),
            level=words.percent(float(sobol.get("conf_level", math.nan)), digits=0),
            conf=estimators.get("conf", "?"), resamples=sobol.get("num_resamples", "?")))
    elif "sobol" in run.extras:
        text.append(words["m_sobol_plain"])
    tornado = run.sidecars.get("tornado")
    if tornado is not None:
        text.append(words["m_tornado"].format(
            low=words.percent(float(tornado.get("low_quantile", math.nan)), digits=0),
            high=words.percent(float(tornado.get("high_quantile", math.nan)), digits=0)))
    return [" ".join(text)]


def report_notes(run: RunData, words: Labels) -> list[str]:
    """What could not be read or found, and which optional tables the run lacks."""
    notes = []
    for note in run.notes:
        kind, *args = note
        if kind == "unreadable":
            notes.append(words["unreadable"].format(name=args[0], error=args[1]))
        else:
            notes.append(words[kind].format(source=args[0]))
    absent = [f"{n}.csv" for n in OPTIONAL_TABLES if n not in run.extras]
    if run.verdict is None:
        absent.append("verdict.json")
    if absent:
        notes.append(words["absent"].format(names=", ".join(absent)))
    return notes
