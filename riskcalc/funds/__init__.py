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

from riskcalc.funds.contracts import contract_tables, evaluate_contract, irr
from riskcalc.funds.result import FUND_FILES, FundResult
from riskcalc.funds.simulation import repayments, simulate_fund
from riskcalc.funds.spec import Fund, Intervention, Repayment, is_fund_file, load_fund

__all__ = ["Fund", "Intervention", "Repayment", "FundResult", "FUND_FILES", "load_fund",
           "is_fund_file", "simulate_fund", "repayments", "evaluate_contract",
           "contract_tables", "irr"]
