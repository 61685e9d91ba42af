"""What a run gives back: the result object, its summaries and the income statement.

Modules
-------
result
    ``SimulationResult``: per-scenario table, summaries, yearly bands, payback, and
    the run directory it is written to.
statement
    The socio-economic income statement at base-case values (the seed's table 4.2).
actor_kinds
    Each actor's NPV split by cost kind, per scenario and per year (``actor_kind_split``).
"""

from riskcalc.results.result import SimulationResult
from riskcalc.results.statement import IncomeStatement, income_statement

__all__ = ["IncomeStatement", "SimulationResult", "income_statement"]
