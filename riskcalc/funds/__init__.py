"""Social-investment funds: a portfolio of interventions, loans, repayments, the balance.

A fund file (:func:`load_fund`) names the fund's capital, its interventions (each a
model file, a start year, a scale, a borrower and a repayment rule) and the board's
rules; :func:`simulate_fund` runs every intervention in one joint simulation and
returns a :class:`FundResult` (balance by year, depletion, recovery, each actor's
net with the repayments, each intervention's share of the fund's CVaR).
Outcome contracts (social impact bonds) declared in a model's ``[contract]``
(validated by :mod:`riskcalc.model.contract`) are evaluated by
:mod:`riskcalc.funds.contracts`: they are the other way a municipality finances the
investment hump, and share the fund's questions (who puts up the capital, what comes
back, who carries the risk), so they live beside it.
"""

from riskcalc.lazy import lazy_api

#: Name → defining module, imported on first use (PEP 562): importing this package
#: (as every submodule import does) costs nothing until its API is used.
_API = {
    "contract_tables": "riskcalc.funds.contracts",
    "evaluate_contract": "riskcalc.funds.contracts",
    "irr": "riskcalc.funds.contracts",
    "FUND_FILES": "riskcalc.funds.result",
    "FundResult": "riskcalc.funds.result",
    "repayments": "riskcalc.funds.simulation",
    "simulate_fund": "riskcalc.funds.simulation",
    "Fund": "riskcalc.funds.spec",
    "Intervention": "riskcalc.funds.spec",
    "Repayment": "riskcalc.funds.spec",
    "is_fund_file": "riskcalc.funds.spec",
    "load_fund": "riskcalc.funds.spec",
}

__all__ = ["Fund", "Intervention", "Repayment", "FundResult", "FUND_FILES", "load_fund",
           "is_fund_file", "simulate_fund", "repayments", "evaluate_contract",
           "contract_tables", "irr"]


__getattr__, __dir__ = lazy_api(__name__, _API)
