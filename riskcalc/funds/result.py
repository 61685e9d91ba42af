"""A fund run's scenarios and yearly arrays, its tables and its run directory."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskcalc.files import atomic_write, write_csv, write_json
from riskcalc.funds import tables
from riskcalc.funds.spec import Fund
from riskcalc.results.result import package_versions

__all__ = ["FundResult", "FUND_FILES"]

#: CSV tables of a fund's run directory, by name (written as ``<name>.csv``).
FUND_FILES = ("fund_balance", "fund_depletion", "fund_recovery", "fund_actors",
              "fund_interventions", "fund_summary")


@dataclass
class FundResult:
    """A fund's joint simulation.

    Attributes
    ----------
    fund : Fund
    seed, n, chunk_size : int
    scenarios : dict of str to ndarray, shape (n,)
        Per scenario (SEK unless stated): ``lent_<i>``, ``repaid_<i>`` (within the
        fund's horizon), ``loss_<i>`` (lent − repaid), ``npv_society_<i>``,
        ``share_<i>`` (loan / capital available by its start year) for each
        intervention i; ``final_balance``, ``lowest_balance``, ``depletion_year``
        (first fund year below the lowest balance allowed; NaN: never),
        ``recovered`` (repaid / lent), ``fund_loss``, ``npv_society`` (the
        portfolio, at the fund's rate, to fund year 1), and ``before_<actor>`` /
        ``net_<actor>``: each actor's present value without and with the loans
        and repayments (``net_fund`` is the fund's own).
    yearly : dict of str to ndarray, shape (fund years, n)
        ``balance`` (end of year), ``lent`` and ``repaid`` in each fund year.
    tables : dict of str to DataFrame
        Further tables written as ``<name>.csv`` (a verdict's, say).
    """

    fund: Fund
    seed: int
    n: int
    chunk_size: int
    scenarios: dict[str, np.ndarray]
    yearly: dict[str, np.ndarray]
    timings: dict[str, float] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def balance(self) -> pd.DataFrame:
        """fund_balance: the balance by fund year and the probability of depletion by then."""
        return tables.balance_table(self.yearly["balance"],
                                    self.scenarios["depletion_year"])

    def depletion(self) -> pd.DataFrame:
        """fund_depletion: the distribution of the year the fund is first depleted."""
        return tables.depletion_table(self.scenarios["depletion_year"], self.fund.years)

    def recovery(self) -> pd.DataFrame:
        """fund_recovery: capital lent and recovered by each fund year."""
        return tables.recovery_table(self.yearly["lent"], self.yearly["repaid"])

    def actors(self) -> pd.DataFrame:
        """fund_actors: each actor's present value before and after loans and repayments."""
        return tables.actor_table(self.fund, self.scenarios)

    def interventions(self) -> pd.DataFrame:
        """fund_interventions: lent, repaid, society's NPV and share of the fund's CVaR."""
        return tables.intervention_table(self.fund, self.scenarios)

    def summary(self) -> pd.DataFrame:
        """fund_summary: the board's key figures, one row each (``measure, value``)."""
        return tables.summary_table(self.fund, self.scenarios)

    def key_figures(self) -> dict[str, float]:
        """:meth:`summary` as a dict."""
        frame = self.summary()
        return dict(zip(frame["measure"], frame["value"], strict=True))

    def manifest(self) -> dict[str, Any]:
        """Fund file and model hashes, seed, N, versions, timings."""
        f = self.fund
        return {
            "fund": {"name": f.name, "source": f.source, "sha256": f.sha256,
                     "currency": f.currency, "years": f.years, "shared": list(f.shared),
                     "capital": f.capital, "discount_rate": f.discount_rate,
                     "max_share": f.max_share, "min_balance": f.min_balance,
                     "cvar_level": f.cvar_level},
            "models": {i.name: {"source": i.model.source, "sha256": i.model.sha256,
                                "name": i.model.name} for i in f.interventions},
            "seed": self.seed, "n": self.n, "chunk_size": self.chunk_size,
            "seed_streams": ("SeedSequence(seed, spawn_key=(chunk, crc32(name))); name is "
                             "<intervention>/<parameter>, or the parameter for shared ones"),
            "environment": self.environment, "versions": package_versions(),
            "timings": self.timings,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }

    def write(self, out_dir: str | Path) -> Path:
        """Write the fund's run directory: fund_scenarios.parquet, the tables of
        :data:`FUND_FILES` as CSV, any further `tables`, and manifest.json last."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").unlink(missing_ok=True)
        frame = pd.DataFrame(self.scenarios)
        atomic_write(out / "fund_scenarios.parquet", lambda p: frame.to_parquet(p, index=False))
        frames = {"fund_balance": self.balance(), "fund_depletion": self.depletion(),
                  "fund_recovery": self.recovery(), "fund_actors": self.actors(),
                  "fund_interventions": self.interventions(), "fund_summary": self.summary(),
                  **self.tables}
        for name, table in frames.items():
            write_csv(out / f"{name}.csv", table)
        write_json(out / "manifest.json", {"kind": "fund", **self.manifest()})
        return out
