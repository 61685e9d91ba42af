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

from riskcalc.lazy import lazy_api

#: Name → defining module, imported on first use (PEP 562): importing this package
#: (as every submodule import does) costs nothing until its API is used.
_API = {
    "SimulationResult": "riskcalc.results.result",
    "IncomeStatement": "riskcalc.results.statement",
    "income_statement": "riskcalc.results.statement",
}

__all__ = ["IncomeStatement", "SimulationResult", "income_statement"]


__getattr__, __dir__ = lazy_api(__name__, _API)
