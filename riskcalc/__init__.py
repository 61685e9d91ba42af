"""riskcalc: Monte Carlo risk and sensitivity analysis of social investments.

Who pays, who gains, how much, when, and how sure: per actor, over 1-20 years.

>>> import riskcalc
>>> model = riskcalc.load_model("models/labour_market.toml")
>>> result = riskcalc.simulate(model, n=20_000, seed=1)
>>> result.summary()  # doctest: +SKIP
"""

import importlib

#: The public API, name → defining module: imported on first use (PEP 562), so that
#: `riskcalc --help` and `riskcalc check` do not pay for pandas, scipy.stats, numba ...
_API = {
    "Discovery": "riskcalc.discovery.discover",
    "discover": "riskcalc.discovery.discover",
    "DistributionError": "riskcalc.errors",
    "ExpressionError": "riskcalc.errors",
    "Fund": "riskcalc.funds.spec",
    "FundResult": "riskcalc.funds.result",
    "IncomeStatement": "riskcalc.results.statement",
    "Model": "riskcalc.model.objects",
    "ModelError": "riskcalc.errors",
    "SimulationResult": "riskcalc.results.result",
    "accumulated": "riskcalc.results.accumulated",
    "income_statement": "riskcalc.results.statement",
    "load_fund": "riskcalc.funds.spec",
    "load_model": "riskcalc.model.loader",
    "model_from_dict": "riskcalc.model.loader",
    "simulate": "riskcalc.engine.simulation",
    "simulate_fund": "riskcalc.funds.simulation",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> object:
    if name not in _API:
        raise AttributeError(f"module 'riskcalc' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})


__version__ = "0.1.0"
