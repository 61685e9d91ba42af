"""riskcalc: Monte Carlo risk and sensitivity analysis of social investments.

Who pays, who gains, how much, when, and how sure: per actor, over 1-20 years.

>>> import riskcalc
>>> model = riskcalc.load_model("models/labour_market.toml")
>>> result = riskcalc.simulate(model, n=20_000, seed=1)
>>> result.summary()  # doctest: +SKIP
"""

from riskcalc.discovery.discover import Discovery, discover
from riskcalc.engine.simulation import simulate
from riskcalc.errors import DistributionError, ExpressionError, ModelError
from riskcalc.funds.result import FundResult
from riskcalc.funds.simulation import simulate_fund
from riskcalc.funds.spec import Fund, load_fund
from riskcalc.model.loader import load_model, model_from_dict
from riskcalc.model.objects import Model
from riskcalc.results.accumulated import accumulated
from riskcalc.results.result import SimulationResult
from riskcalc.results.statement import IncomeStatement, income_statement

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
    "income_statement",
    "load_fund",
    "load_model",
    "model_from_dict",
    "simulate",
    "simulate_fund",
]

__version__ = "0.1.0"
