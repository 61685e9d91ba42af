"""The command line starts fast: `--help` and `check` import none of the heavy libraries."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest
from conftest import MODELS, REPO

from riskcalc.cli import COMMANDS

#: Each takes from a tenth of a second to a second to import.
HEAVY = ("pandas", "scipy.special", "scipy.stats", "scipy.optimize", "matplotlib", "numba",
         "joblib", "pyarrow", "openpyxl", "riskcalc.engine.kernel")


def imported_after(*argv: str) -> set[str]:
    """The heavy modules a fresh interpreter has imported after `riskcalc argv`."""
    code = ("import json, sys\nfrom riskcalc.cli import main\n"
            f"try:\n    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_library():
    assert imported_after("--help") == set()


def test_a_mistyped_command_imports_no_heavy_library():
    assert imported_after("rnu") == set()


@pytest.mark.parametrize("json", [False, True])
def test_check_imports_no_heavy_library(json):
    # Its tables are printed without pandas; the labour market draws from no
    # distribution that needs scipy.special.
    argv = ["check", str(MODELS / "labour_market.toml"), *(["--json"] if json else [])]
    assert imported_after(*argv) == set()


def test_check_of_a_model_drawing_from_beta_imports_only_scipy_special(tmp_path):
    model = tmp_path / "beta.toml"
    text = (MODELS / "labour_market.toml").read_text(encoding="utf-8")
    model.write_text(text.replace("[parameters]", "[parameters]\nshare = { beta = [2.0, 5.0] }",
                                  1), encoding="utf-8")
    assert imported_after("check", str(model)) == {"scipy.special"}


def test_check_prints_the_tables_as_pandas_would(capsys):
    import pandas as pd

    from riskcalc import income_statement, load_model
    from riskcalc.cli import main

    assert main(["check", str(MODELS / "labour_market.toml")]) == 0
    out = capsys.readouterr().out
    statement = income_statement(load_model(MODELS / "labour_market.toml"))
    table = statement.table.drop(columns="label")
    for column in table.columns:
        table[column] = [f"{v:,.0f}" if v == v else "" for v in table[column]]
    table["NPV 20 y"] = [f"{statement.npv[k]:,.0f}" for k in table.index]
    assert table.to_string() in out
    assert statement.outcomes.map(lambda v: f"{v:,.2f}").to_string() in out
    assert isinstance(statement.table, pd.DataFrame)


def test_a_run_imports_only_what_its_model_and_options_use(tmp_path):
    # No break-even declared: no scipy.optimize; no report: no matplotlib; a run this
    # small is done on the numpy path before loading the kernel would pay off.
    used = imported_after("run", str(MODELS / "labour_market.toml"), "--n", "20000", "--quiet",
                          "--no-report", "--out", str(tmp_path / "run"))
    assert not used & {"scipy.optimize", "scipy.stats", "matplotlib", "numba"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_command_listing_matches_each_modules_own_parser(name):
    module, text = COMMANDS[name]
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    importlib.import_module(f"riskcalc.cli.{module}").register(commands)
    helps = {action.dest: action.help for action in commands._choices_actions}
    assert helps[name] == text
    assert set(helps) == {n for n, (m, _) in COMMANDS.items() if m == module}


def test_every_command_module_is_listed():
    modules = {p.stem for p in (REPO / "riskcalc" / "cli").glob("commands_*.py")}
    assert modules == {module for module, _ in COMMANDS.values()}


@pytest.mark.parametrize("package", ["riskcalc", "riskcalc.engine", "riskcalc.model",
                                     "riskcalc.results", "riskcalc.decision",
                                     "riskcalc.sensitivity", "riskcalc.funds"])
def test_every_name_a_package_exports_resolves_on_first_use(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_a_simulation_in_memory_imports_no_pandas():
    # The engine's modules import pandas only where a table is made (a DataFrame).
    code = ("import sys, riskcalc; from riskcalc.engine.simulation import simulate; "
            f"simulate(riskcalc.load_model({str(MODELS / 'labour_market.toml')!r}), 5000, seed=1); "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "False"


def test_the_command_exits_with_mains_code_leaving_its_objects_to_the_system(monkeypatch):
    import gc

    import riskcalc.cli as cli

    monkeypatch.setattr(cli, "main", lambda: 3)
    try:
        with pytest.raises(SystemExit) as done:
            cli.command_line()
        assert done.value.code == 3
        # Frozen, the collector does not walk them again at exit.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_installed_command_and_python_m_run_the_same_entry_point():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "riskcalc"]
    assert script.value == "riskcalc.cli:command_line"
    done = subprocess.run([sys.executable, "-m", "riskcalc", "rnu"], capture_output=True,
                          text=True, cwd=REPO)
    assert done.returncode == 2 and "riskcalc: error" in done.stderr
