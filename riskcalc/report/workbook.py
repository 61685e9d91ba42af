"""results.xlsx: a run's tables as one Excel workbook, one sheet each, for analysts.

Sheets, where the run directory has their data: the base-case income statement (the
seed's table 4.2, computed from the model), the per-actor summary, every output's
summary, the yearly bands, payback, scenario classes, redistribution, acceptability,
value of information, break-even, and the sensitivity tables (Sobol', tornado, Morris).
Numbers are written as numbers (never as text) with their unit in the column header;
a column whose unit differs between rows (an NPV in the currency, ROI as a ratio) says
so and a ``unit`` column names each row's unit.  Text cells are made safe with
:func:`riskcalc.files.spreadsheet_safe`, so a label such as ``=HYPERLINK(...)`` is shown
as text and never runs as a formula.  Written with openpyxl (write-only mode).

The workbook carries a digest of its sheets (and of this module) as a custom document
property; a workbook that already holds the very sheets a run directory gives is left
as it is (``riskcalc report`` after ``riskcalc run`` writes it once, not twice).
"""

from __future__ import annotations

import hashlib
import math
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from riskcalc.files import atomic_write, spreadsheet_safe
from riskcalc.model.objects import Model

__all__ = ["write_workbook", "workbook_sheets", "WORKBOOK"]

#: File name of the workbook in a run directory.
WORKBOOK = "results.xlsx"
#: Custom document property holding the digest of the sheets a workbook was written from.
_DIGEST = "riskcalc_sheets_sha256"

#: Tables of a run directory shown as sheets, in this order (sheet name, file stem).
_SHEETS = (("Outputs", "summary"), ("Yearly bands", "yearly"), ("Payback", "payback"),
           ("Payback within", "payback_within"), ("Classes", "classes"),
           ("Redistribution", "redistribution"), ("Compensation", "compensation_matrix"),
           ("Acceptability", "acceptability"), ("Value of information", "voi"),
           ("Break-even", "breakeven"), ("Claim", "claim"), ("Actor kinds", "actor_kinds"),
           ("Convergence", "convergence"), ("Precision", "precision"), ("Sobol", "sobol"),
           ("Tornado", "tornado"), ("Morris", "morris"))

#: Columns whose values are in the unit of the row's output (currency for an NPV).
_OUTPUT_UNIT = {"mean", "std", "se_mean", "p05", "p25", "p50", "p75", "p95", "var_95", "se_var_95",
                "cvar_95", "se_cvar_95", "output_at_low", "output_at_high", "swing",
                "base_output", "mu", "mu_star", "sigma", "mu_star_conf", "lower", "upper",
                "se_p05"}
#: Columns that are always amounts of money.
_MONEY = {"hump_p50", "hump_p95", "expected_net", "se_expected_net", "transfer",
          "expected_net_after", "value", "se", "net_benefit", "investment"}
#: Columns that are shares (0-1).
_SHARE = {"prob_negative", "se_prob_loss", "prob_loss", "probability", "se_probability",
          "prob_net_loser", "se_prob_net_loser", "prob_net_loser_after", "prob_in_year",
          "prob_by_year", "prob_within", "se_prob_within", "share_of_evpi", "S1", "S1_conf",
          "ST", "ST_conf", "p_loss", "se_p_loss"}


def _output_unit(output: str, currency: str) -> str:
    if output.startswith(("npv_", "hump_", "theoretical_", "mean_npv_")):
        return currency
    if output == "roi" or output.startswith("roi"):
        return "ratio (NPV / investment)"
    if output.startswith("payback"):
        return "years"
    return ""


def _unit(column: str, currency: str) -> str:
    """The unit of a column that has one unit in every row ('' where none)."""
    if column in _MONEY or column.startswith(("mean_npv_", "npv_")):
        return currency
    if column in _SHARE or column.startswith("prob"):
        return "share 0-1"
    if column in ("mean_roi", "required_return"):
        return "ratio (NPV / investment)"
    return ""


def _with_units(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """`frame` with each numeric column's unit in its header, and a ``unit`` column
    where the unit follows the row's output."""
    frame = frame.copy()
    per_row = "output" in frame and any(c in _OUTPUT_UNIT for c in frame.columns)
    row_units = [_output_unit(str(o), currency) for o in frame["output"]] if per_row else []
    shared = set(row_units).pop() if len(set(row_units)) == 1 else "unit of the row"
    if per_row and shared == "unit of the row":
        frame.insert(frame.columns.get_loc("output") + 1, "unit", row_units)
    names = {}
    for column in frame.columns:
        unit = ""
        if per_row and column in _OUTPUT_UNIT:
            unit = shared
        elif pd.api.types.is_numeric_dtype(frame[column]):
            unit = _unit(str(column), currency)
        names[column] = f"{column} ({unit})" if unit else str(column)
    return frame.rename(columns=names)


def _actor_sheet(summary: pd.DataFrame, labels: Mapping[str, str],
                 currency: str) -> pd.DataFrame:
    """One row per actor and society: NPV statistics, loss probability, capital need."""
    rows = []
    for output, row in summary.iterrows():
        if not str(output).startswith("npv_"):
            continue
        key = str(output)[4:]
        entry = {"actor": key, "label": labels.get(key, "Society" if key == "society" else key),
                 f"mean NPV ({currency})": row.get("mean"),
                 f"median NPV ({currency})": row.get("p50"),
                 f"P5 NPV ({currency})": row.get("p05"),
                 f"P95 NPV ({currency})": row.get("p95"),
                 f"standard error of the mean ({currency})": row.get("se_mean"),
                 "probability of a net loss (share 0-1)": row.get("prob_negative")}
        if "cvar_95" in row:
            entry[f"mean net in the worst 5 % ({currency})"] = -row["cvar_95"]
        hump = summary.loc[f"hump_{key}"] if f"hump_{key}" in summary.index else None
        if hump is not None:
            entry[f"capital need P50 ({currency})"] = hump.get("p50")
            entry[f"capital need P95 ({currency})"] = hump.get("p95")
        rows.append(entry)
    return pd.DataFrame(rows)


def _statement_sheet(model: Model) -> pd.DataFrame:
    from riskcalc.results.statement import income_statement

    statement = income_statement(model)
    cur = model.currency
    table = statement.table
    frame = pd.DataFrame({"actor": list(table.index), "label": list(table["label"])})
    for column in [c for c in table.columns if c != "label"]:
        frame[f"{column}, year {statement.year} ({cur})"] = table[column].to_numpy()
    frame[f"NPV over {model.years} years ({cur})"] = [statement.npv.get(k) for k in table.index]
    return frame


def workbook_sheets(run_dir: str | Path, model: Model | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of results.xlsx, as DataFrames with units in their headers.

    Parameters
    ----------
    run_dir : str or Path
        A run directory (summary.csv, yearly.csv, ... and whatever other commands wrote).
    model : Model, optional
        The run's model: the income statement sheet and the actors' labels need it.

    Returns
    -------
    dict of str to DataFrame
        Sheet name → table, in the workbook's order.
    """
    directory = Path(run_dir)
    currency = model.currency if model is not None else "SEK"
    labels = {a.key: a.label for a in model.actors} if model is not None else {}
    sheets: dict[str, pd.DataFrame] = {}
    if model is not None:
        sheets["Income statement"] = _statement_sheet(model)
    summary_path = directory / "summary.csv"
    if summary_path.is_file():
        summary = pd.read_csv(summary_path).set_index("output")
        sheets["Actors"] = _actor_sheet(summary, labels, currency)
    for sheet, stem in _SHEETS:
        path = directory / f"{stem}.csv"
        if path.is_file():
            frame = pd.read_csv(path)
            if stem == "yearly":
                frame = frame.rename(columns={c: f"{c} cumulative discounted net"
                                              for c in ("p05", "p50", "p95", "mean")})
                sheets[sheet] = _with_units(frame, currency).rename(columns={
                    c: f"{c} ({currency})" for c in frame.columns if "cumulative" in c})
            elif stem == "compensation_matrix":  # amounts between actors
                sheets[sheet] = frame.rename(columns={
                    c: f"{c} ({currency})" for c in frame.columns[1:]})
            else:
                sheets[sheet] = _with_units(frame, currency)
    return sheets


def _cell(value: Any) -> Any:
    """A value as a cell: numbers stay numbers (non-finite: empty), text is made safe."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            return None
    if isinstance(value, bool | int | float):
        return value
    return spreadsheet_safe(str(value))


def write_workbook(run_dir: str | Path, model: Model | None = None) -> Path:
    """Write ``run_dir/results.xlsx`` (atomically) from the run directory's tables.

    Left as it is when it already holds these sheets (its digest says so).

    Parameters
    ----------
    run_dir : str or Path
    model : Model, optional
        The run's model, for the income statement and the actors' labels.

    Returns
    -------
    Path
        The workbook.
    """
    sheets = workbook_sheets(run_dir, model)
    path = Path(run_dir) / WORKBOOK
    digest = _digest(sheets)
    if _written_digest(path) == digest:
        return path  # it holds these very sheets: no table changed since it was written

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Font

    def write(tmp: Path) -> None:
        book = Workbook(write_only=True)
        book.custom_doc_props.append(StringProperty(name=_DIGEST, value=digest))
        bold = Font(bold=True)
        for name, frame in sheets.items():
            sheet = book.create_sheet(title=name[:31])
            sheet.freeze_panes = "A2"
            header = []
            for column in frame.columns:
                cell = WriteOnlyCell(sheet, value=_cell(str(column)))
                cell.font = bold
                header.append(cell)
            sheet.append(header)
            for row in frame.itertuples(index=False):
                sheet.append([_cell(v) for v in row])
        book.save(tmp)

    return atomic_write(path, write)


def _digest(sheets: Mapping[str, pd.DataFrame]) -> str:
    """SHA-256 of the sheets' names and values and of the code that writes them."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name, frame in sheets.items():
        digest.update(f"\0{name}\0".encode())
        digest.update(frame.to_csv(index=False).encode())
    return digest.hexdigest()


def _written_digest(path: Path) -> str | None:
    """The digest a workbook was written with (its custom property), if it has one.

    Read from the file's ``docProps/custom.xml`` with zipfile: no openpyxl import,
    no parsing of the sheets.
    """
    try:
        with zipfile.ZipFile(path) as book:
            props = book.read("docProps/custom.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(rf'name="{_DIGEST}"[^>]*>\s*<vt:lpwstr>([0-9a-f]{{64}})</vt:lpwstr>',
                      props)
    return found.group(1) if found else None
