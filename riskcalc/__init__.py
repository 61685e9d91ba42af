"""riskcalc: Monte Carlo risk and sensitivity analysis of social investments.

Who pays, who gains, how much, when, and how sure: per actor, over 1-20 years.

>>> import riskcalc
>>> model = riskcalc.load_model("models/labour_market.toml")
>>> result = riskcalc.simulate(model, n=20_000, seed=1)
>>> result.summary()  # doctest: +SKIP
"""

from riskcalc.lazy import lazy_api

#: Name → defining module, imported on first use (PEP 562): importing this package
#: (as every submodule import does) costs nothing until its API is used.
_API = {
    "Discovery": "riskcalc.discovery.discover",
    "discover": "riskcalc.discovery.discover",
    "simulate": "riskcalc.engine.simulation",
    "DistributionError": "riskcalc.errors",
    "ExpressionError": "riskcalc.errors",
    "ModelError": "riskcalc.errors",
    "evaluate_contract": "riskcalc.funds.contracts",
    "FundResult": "riskcalc.funds.result",
    "simulate_fund": "riskcalc.funds.simulation",
    "Fund": "riskcalc.funds.spec",
    "load_fund": "riskcalc.funds.spec",
    "load_model": "riskcalc.model.loader",
    "model_from_dict": "riskcalc.model.loader",
    "Model": "riskcalc.model.objects",
    "accumulated": "riskcalc.results.accumulated",
    "SimulationResult": "riskcalc.results.result",
    "IncomeStatement": "riskcalc.results.statement",
    "income_statement": "riskcalc.results.statement",
}

__all__ = [
    "Discovery",
    "DistributionError",
    "ExpressionError",
    "Fund",
    "FundResult",
    "IncomeStatement",
    "Model",
    "ModelError",
    "SimulationResult",
    "accumulated",
    "discover",
    "evaluate_contract",
    "income_statement",
    "load_fund",
    "load_model",
    "model_from_dict",
    "simulate",
    "simulate_fund",
]

__version__ = "0.1.0"


__getattr__, __dir__ = lazy_api(__name__, _API)
