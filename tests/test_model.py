"""Tests for riskcalc.model: loading model files and refusing bad ones with one-line messages.

Every bad file is the small valid model :data:`BASE` with one thing changed, written
to ``tmp_path``; each refusal must name the file, the key and what was wrong.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from pathlib import Path

import pytest

from riskcalc.errors import ModelError
from riskcalc.model.loader import load_model, model_from_dict

REPO = Path(__file__).resolve().parents[1]
LABOUR_MARKET = REPO / "models" / "labour_market.toml"
MODEL_FILES = sorted((REPO / "models").glob("*.toml"))  # not models/policies/

#: A small valid model: three actors, five parameters, two derived values, three
#: flows and one transfer.  Each snippet a test edits occurs exactly once.
BASE = """\
[model]
name = "Small test model"
currency = "SEK"
years = 5
discount_rate = "rate"
investment = "cost"

[actors]
office = "The office"
council = { label = "The council", kind = "budget" }
production = { label = "Production value", kind = "production" }

[parameters]
people = 100
share = { pert = [0.2, 0.4, 0.6], base = 0.45 }
cost = { pert = [900.0, 1000.0, 1300.0], unit = "SEK" }
saving = { lognormal = { p05 = 10.0, p95 = 40.0 } }
rate = { uniform = [0.01, 0.05] }

[derived]
in_work = "people * share"
savings = "in_work * saving"

[[flow]]
actor = "office"
kind = "real"
cost = "cost"
when = "year == 1"

[[flow]]
actor = "council"
kind = "financial"
revenue = "savings"

[[flow]]
actor = "production"
kind = "production"
revenue = "in_work * 50"

[[transfer]]
from = "council"
to = "office"
amount = "cost / 2"
when = "year == 1"
"""


def variant(old: str, new: str, text: str = BASE) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} must occur exactly once in the model text"
    return text.replace(old, new)


def write_model(tmp_path: Path, text: str | bytes, name: str = "model.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def assert_model_error(tmp_path: Path, text: str | bytes, key: str | None,
                       pattern: str) -> str:
    """Load ``text`` from a file and check the refusal reads ``<file>: <key>: <pattern>``.

    ``key`` is literal text (None: the message has no key part); ``pattern`` a regex.
    Returns the message.
    """
    path = write_model(tmp_path, text, "bad_model.toml")
    prefix = re.escape(str(path)) + ": " + (re.escape(key) + ": " if key else "")
    with pytest.raises(ModelError, match="^" + prefix + pattern) as info:
        load_model(path)
    message = str(info.value)
    assert "\n" not in message, "a ModelError message must be one line"
    return message


# -- the valid model -------------------------------------------------------------------------


def test_small_valid_model_loads_with_every_part(tmp_path: Path) -> None:
    path = write_model(tmp_path, BASE)
    model = load_model(path)
    assert model.name == "Small test model"
    assert (model.currency, model.years) == ("SEK", 5)
    assert model.actor_keys == ("office", "council", "production")
    assert [a.kind for a in model.actors] == ["budget", "budget", "production"]
    assert model.actors[1].label == "The council"
    assert list(model.parameters) == ["people", "share", "cost", "saving", "rate"]
    assert model.uncertain_parameters == ("share", "cost", "saving", "rate")
    assert model.parameters["cost"].unit == "SEK"
    assert list(model.derived) == ["in_work", "savings"]
    assert [(f.actor, f.kind, f.sign) for f in model.flows] == [
        ("office", "real", -1), ("council", "financial", 1), ("production", "production", 1)]
    assert model.flows[0].when is not None and model.flows[1].when is None
    (transfer,) = model.transfers
    assert (transfer.payer, transfer.payee, transfer.kind) == ("council", "office", "financial")
    assert transfer.amount.names == {"cost"}
    ((first_year, rate),) = model.discount_schedule
    assert first_year == 1 and rate.names == {"rate"} and model.investment.names == {"cost"}
    assert model.source == str(path)
    assert model.slug == "model"


def test_derived_values_come_back_in_dependency_order(tmp_path: Path) -> None:
    text = variant('in_work = "people * share"\nsavings = "in_work * saving"\n',
                   'total = "savings + extra"\n'
                   'savings = "in_work * saving"\n'
                   'extra = "in_work * 2"\n'
                   'in_work = "people * share"\n')
    order = list(load_model(write_model(tmp_path, text)).derived)
    assert sorted(order) == ["extra", "in_work", "savings", "total"]
    assert order.index("in_work") < order.index("savings") < order.index("total")
    assert order.index("in_work") < order.index("extra") < order.index("total")


def test_base_case_uses_explicit_base_else_pert_mode_else_median(tmp_path: Path) -> None:
    text = variant("[derived]\n",
                   "tri = { triangular = [1.0, 2.0, 5.0] }\n"
                   "norm = { normal = [7.0, 2.0] }\n"
                   "disc = { discrete = { values = [1.0, 2.0, 3.0], weights = [0.2, 0.2, 0.6] } }\n"
                   "\n[derived]\n")
    model = load_model(write_model(tmp_path, text))
    assert model.base_case() == pytest.approx({
        "people": 100.0,                # fixed
        "share": 0.45,                  # explicit base (the PERT mode is 0.4)
        "cost": 1000.0,                 # PERT mode (its mean is 1033.3)
        "saving": math.sqrt(10 * 40),   # lognormal median (its mean is higher)
        "rate": 0.03,                   # uniform median
        "tri": 2.0,                     # triangular mode
        "norm": 7.0,                    # normal median
        "disc": 3.0,                    # weighted median of the discrete values
    })


def test_sha256_changes_when_the_file_changes_and_not_otherwise(tmp_path: Path) -> None:
    first = write_model(tmp_path, BASE, "first.toml")
    second = write_model(tmp_path, BASE, "second.toml")
    digest = load_model(first).sha256
    assert digest == hashlib.sha256(BASE.encode("utf-8")).hexdigest()
    assert load_model(first).sha256 == digest  # loading again
    assert load_model(second).sha256 == digest  # same bytes under another name
    first.write_text(BASE + "# a comment changes the bytes\n", encoding="utf-8")
    assert load_model(first).sha256 != digest
    first.write_text(variant("years = 5", "years = 6"), encoding="utf-8")
    assert load_model(first).sha256 != digest


def test_model_from_dict_of_labour_market_equals_load_model() -> None:
    data = tomllib.loads(LABOUR_MARKET.read_text(encoding="utf-8"))
    from_dict = model_from_dict(data, source="inline")
    from_file = load_model(LABOUR_MARKET)
    assert from_dict.parameters == from_file.parameters
    assert list(from_dict.parameters) == list(from_file.parameters)
    assert from_dict.actors == from_file.actors
    assert from_dict.flows == from_file.flows
    assert from_dict.transfers == from_file.transfers
    assert list(from_dict.derived.items()) == list(from_file.derived.items())
    assert (from_dict.name, from_dict.years, from_dict.currency) == (
        from_file.name, from_file.years, from_file.currency)
    assert from_dict.discount_schedule == from_file.discount_schedule
    assert from_dict.investment == from_file.investment
    assert from_dict.base_case() == from_file.base_case()
    assert (from_dict.source, from_file.source) == ("inline", str(LABOUR_MARKET))
    assert model_from_dict(data).sha256 == from_dict.sha256  # a hash of the content


def test_model_from_dict_names_its_source_in_errors() -> None:
    data = tomllib.loads(variant("years = 5", "years = 0"))
    with pytest.raises(ModelError, match=r"^inline: \[model\]\.years: expected a whole number"):
        model_from_dict(data, source="inline")


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.name)
def test_every_shipped_model_loads(path: Path) -> None:
    model = load_model(path)
    assert model.flows and model.actors and model.years >= 1
    assert model.source == str(path)


def test_labour_market_model_loads() -> None:
    model = load_model(LABOUR_MARKET)
    assert model.years == 20
    assert "production" in model.actor_keys
    assert "employed" in model.derived


# -- file-level errors -------------------------------------------------------------------------


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    line = BASE.splitlines().index("years = 5") + 1
    assert_model_error(tmp_path, variant("years = 5", "years = = 5"), None,
                       rf"TOML syntax error: .*\(at line {line}, column \d+\)$")


def test_key_declared_twice_in_one_table_is_a_toml_error_with_its_line(tmp_path: Path) -> None:
    line = BASE.splitlines().index("rate = { uniform = [0.01, 0.05] }") + 2
    text = variant("rate = { uniform = [0.01, 0.05] }\n",
                   "rate = { uniform = [0.01, 0.05] }\nrate = 0.03\n")
    assert_model_error(tmp_path, text, None,
                       rf"TOML syntax error: .*\(at line {line}, column \d+\)$")


def test_non_utf8_file_is_refused_with_the_byte_offset(tmp_path: Path) -> None:
    raw = variant('"The office"', '"Arbetsmarknadskontoret för åtgärder"').encode("latin-1")
    offset = next(i for i, b in enumerate(raw) if b >= 0x80)
    assert_model_error(tmp_path, raw, None, rf"not UTF-8 text \(byte {offset}\); save it as UTF-8$")


def test_utf8_file_with_byte_order_mark_loads(tmp_path: Path) -> None:
    path = write_model(tmp_path, b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_model(path).name == "Small test model"


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_path_is_a_model_error_naming_the_path(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "no_such_model.toml" if kind == "missing" else tmp_path
    reason = (r"cannot read the model file \(No such file or directory\)" if kind == "missing"
              else "a directory, not a regular file; give the model file as a regular file")
    with pytest.raises(ModelError, match="^" + re.escape(str(path)) + f": {reason}$"):
        load_model(path)


# -- structure: tables and keys -----------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "key", "suggestion"), [
    ("[parameters]", "[paramters]", "[paramters]", "parameters"),
    ("[derived]", "[derivd]", "[derivd]", "derived"),
    ("[actors]", "[actor]", "[actor]", "actors"),
])
def test_unknown_top_level_table_suggests_the_right_name(
        tmp_path: Path, old: str, new: str, key: str, suggestion: str) -> None:
    assert_model_error(tmp_path, variant(old, new), key,
                       rf"unknown table; did you mean '{suggestion}'\?$")


@pytest.mark.parametrize(("old", "new", "key", "suggestion"), [
    ("years = 5", "yaers = 5", "yaers", "years"),
    ('investment = "cost"', 'invest = "cost"', "invest", "investment"),
    ('currency = "SEK"', 'curency = "SEK"', "curency", "currency"),
])
def test_unknown_key_in_model_table_suggests_the_right_name(
        tmp_path: Path, old: str, new: str, key: str, suggestion: str) -> None:
    assert_model_error(tmp_path, variant(old, new), f"[model].{key}",
                       rf"unknown key; did you mean '{suggestion}'\?$")


@pytest.mark.parametrize(("line", "key", "hint"), [
    ('name = "Small test model"\n', "name", "give the model a name"),
    ("years = 5\n", "years", r"give the horizon in years, e\.g\. years = 20"),
    ('discount_rate = "rate"\n', "discount_rate", r"give a rate \(e\.g\. 0\.03\)"),
    ('investment = "cost"\n', "investment", "give the expression ROI is measured against"),
])
def test_missing_required_model_key_is_named(tmp_path: Path, line: str, key: str,
                                             hint: str) -> None:
    assert_model_error(tmp_path, variant(line, ""), f"[model].{key}", f"missing; {hint}")


@pytest.mark.parametrize("table", ["model", "actors", "parameters"])
def test_missing_required_table_is_named(tmp_path: Path, table: str) -> None:
    text, removed = re.subn(rf"^\[{table}\]\n.*?\n\n", "", BASE, flags=re.S | re.M)
    assert removed == 1
    assert_model_error(tmp_path, text, f"[{table}]", "missing table; every model needs one$")


@pytest.mark.parametrize("value", ["0", "-3", "201", "2.5", '"20"', "true"])
def test_years_must_be_a_whole_number_from_1_to_200(tmp_path: Path, value: str) -> None:
    shown = repr(tomllib.loads(f"v = {value}")["v"])
    assert_model_error(tmp_path, variant("years = 5", f"years = {value}"), "[model].years",
                       "expected a whole number of years from 1 to 200, got "
                       + re.escape(shown) + "$")


def test_model_with_no_flows_is_refused(tmp_path: Path) -> None:
    start, end = BASE.index("[[flow]]"), BASE.index("[[transfer]]")
    assert_model_error(tmp_path, BASE[:start] + BASE[end:], "[[flow]]",
                       r"a model needs at least one flow")


def test_empty_actors_table_is_refused(tmp_path: Path) -> None:
    start, end = BASE.index("[actors]\n"), BASE.index("[parameters]")
    assert_model_error(tmp_path, BASE[:start] + "[actors]\n\n" + BASE[end:], "[actors]",
                       "declare at least one actor$")


def test_flow_written_as_single_table_asks_for_array_of_tables(tmp_path: Path) -> None:
    assert_model_error(tmp_path, variant("[[transfer]]", "[transfer]"), "[[transfer]]",
                       r"write each transfer as a \[\[transfer\]\] table$")


# -- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "key", "unknown", "suggestion"), [
    ('"people * share"', '"peeple * share"', "[derived].in_work", "peeple", "people"),
    ('revenue = "savings"', 'revenue = "savigns"', "flow[2].revenue", "savigns", "savings"),
    ('cost = "cost"\nwhen = "year == 1"', 'cost = "cost"\nwhen = "yaer == 1"',
     "flow[1].when", "yaer", "year"),
    ('amount = "cost / 2"', 'amount = "csot / 2"', "transfer[1].amount", "csot", "cost"),
    ('discount_rate = "rate"', 'discount_rate = "rat"', "[model].discount_rate", "rat", "rate"),
])
def test_unknown_name_in_expression_suggests_a_declared_one(
        tmp_path: Path, old: str, new: str, key: str, unknown: str, suggestion: str) -> None:
    assert_model_error(tmp_path, variant(old, new), key,
                       rf"unknown name '{unknown}' in .*; did you mean '{suggestion}'\?$")


@pytest.mark.parametrize(("derived", "cycle"), [
    ('in_work = "savings / saving"\nsavings = "in_work * saving"\n',
     "in_work -> savings -> in_work"),
    ('in_work = "in_work + 1"\nsavings = "in_work * saving"\n', "in_work -> in_work"),
    ('in_work = "extra * 2"\nsavings = "in_work * saving"\nextra = "savings - 1"\n',
     "in_work -> extra -> savings -> in_work"),
])
def test_cycle_among_derived_values_is_shown(tmp_path: Path, derived: str, cycle: str) -> None:
    text = variant('in_work = "people * share"\nsavings = "in_work * saving"\n', derived)
    assert_model_error(tmp_path, text, "[derived].in_work",
                       "derived values refer to each other in a cycle: "
                       + re.escape(cycle) + "; break the cycle$")


def test_name_declared_as_parameter_and_derived_is_refused(tmp_path: Path) -> None:
    text = variant('savings = "in_work * saving"\n',
                   'savings = "in_work * saving"\nshare = "0.5"\n')
    assert_model_error(tmp_path, text, "[derived].share",
                       "'share' is already declared; each name may be declared once")


def test_year_is_provided_by_riskcalc_and_cannot_be_declared(tmp_path: Path) -> None:
    text = variant("[parameters]\n", "[parameters]\nyear = 1\n")
    assert_model_error(tmp_path, text, "[parameters].year",
                       "'year' is provided by riskcalc .*; choose another name$")


def test_a_model_without_parameters_is_refused(tmp_path: Path) -> None:
    data = tomllib.loads(BASE)
    data["parameters"] = {}
    with pytest.raises(ModelError, match=r"^small: \[parameters\]: declare at least one"):
        model_from_dict(data, source="small")


@pytest.mark.parametrize(("table", "name"), [
    ("parameters", "roi"), ("parameters", "npv_x"),
    ("parameters", "society"), ("parameters", "payback_year"), ("parameters", "hump_x"),
    ("derived", "roi"), ("derived", "npv_office"), ("actors", "society"),
])
def test_reserved_names_are_refused(tmp_path: Path, table: str, name: str) -> None:
    line = {"parameters": f"{name} = 1\n", "derived": f'{name} = "people * 2"\n',
            "actors": f'{name} = "Everyone"\n'}[table]
    text = variant(f"[{table}]\n", f"[{table}]\n{line}")
    assert_model_error(tmp_path, text, f"[{table}].{name}",
                       f"'{name}' is reserved for riskcalc's own outputs; choose another name$")


@pytest.mark.parametrize("name", ["lambda", "None", "exp"])
def test_parameter_name_unusable_in_expressions_is_refused_where_declared(
        tmp_path: Path, name: str) -> None:
    text = variant('"people * share"', f'"{name} * share"', variant("people = 100", f"{name} = 1"))
    assert_model_error(tmp_path, text, f"[parameters].{name}", f".*'{name}'")


def test_non_normalised_unicode_name_is_usable_or_refused_where_declared(tmp_path: Path) -> None:
    text = variant('"people * share"', '"ﬁx * share"', variant("people = 100", '"ﬁx" = 1'))
    path = write_model(tmp_path, text)
    try:
        load_model(path)
    except ModelError as exc:
        assert re.match(re.escape(str(path)) + r": \[parameters\]\.ﬁx: ", str(exc)), str(exc)


def test_key_with_newline_still_gives_a_one_line_message(tmp_path: Path) -> None:
    text = variant('office = "The office"', '"off\\nice" = "The office"')
    path = write_model(tmp_path, text)
    with pytest.raises(ModelError, match=re.escape(str(path)) + r": \[actors\]\.") as info:
        load_model(path)
    assert "\n" not in str(info.value)


# -- actors, flows and transfers ----------------------------------------------------------------


def test_flow_to_undeclared_actor_suggests_a_declared_one(tmp_path: Path) -> None:
    assert_model_error(tmp_path, variant('actor = "council"', 'actor = "councl"'),
                       "flow[2].actor", r"actor 'councl' is not declared in \[actors\]; "
                                        r"did you mean 'council'\?$")


@pytest.mark.parametrize(("old", "new", "key", "bad", "suggestion"), [
    ('from = "council"', 'from = "counsil"', "transfer[1].from", "counsil", "council"),
    ('to = "office"', 'to = "ofice"', "transfer[1].to", "ofice", "office"),
])
def test_transfer_between_undeclared_actors_suggests_a_declared_one(
        tmp_path: Path, old: str, new: str, key: str, bad: str, suggestion: str) -> None:
    assert_model_error(tmp_path, variant(old, new), key,
                       rf"actor '{bad}' is not declared in \[actors\]; "
                       rf"did you mean '{suggestion}'\?$")


def test_transfer_from_an_actor_to_itself_is_refused(tmp_path: Path) -> None:
    assert_model_error(tmp_path, variant('to = "office"', 'to = "council"'), "transfer[1]",
                       "from and to are both 'council'; a transfer moves money between two "
                       "different actors$")


@pytest.mark.parametrize(("old", "new", "key", "bad"), [
    ('kind = "real"', 'kind = "rael"', "flow[1].kind", "'rael'"),
    ('kind = "financial"', 'kind = "money"', "flow[2].kind", "'money'"),
    ('amount = "cost / 2"', 'amount = "cost / 2"\nkind = "cash"', "transfer[1].kind", "'cash'"),
])
def test_unknown_cost_kind_lists_the_valid_kinds(tmp_path: Path, old: str, new: str, key: str,
                                                 bad: str) -> None:
    assert_model_error(tmp_path, variant(old, new), key,
                       f"unknown cost kind {bad}; (did you mean 'real'\\? )?"
                       "expected one of: real, financial, production$")


def test_misspelt_cost_kind_suggests_the_right_one(tmp_path: Path) -> None:
    assert_model_error(tmp_path, variant('kind = "real"', 'kind = "rael"'), "flow[1].kind",
                       r"unknown cost kind 'rael'; did you mean 'real'\? expected one of")


def test_unknown_actor_kind_suggests_a_valid_kind(tmp_path: Path) -> None:
    assert_model_error(tmp_path, variant('kind = "budget"', 'kind = "budgte"'),
                       "[actors].council.kind",
                       r"unknown actor kind 'budgte'; did you mean 'budget'\?$")


@pytest.mark.parametrize("value", ["5", "1.5", "true"])
def test_non_text_actor_kind_is_a_model_error(tmp_path: Path, value: str) -> None:
    assert_model_error(tmp_path, variant('kind = "budget"', f"kind = {value}"),
                       "[actors].council.kind", "unknown actor kind .*; expected one of: "
                                                "budget, production$")


@pytest.mark.parametrize(("old", "new", "got"), [
    ('revenue = "savings"', 'revenue = "savings"\ncost = "1"', "revenue and cost"),
    ('revenue = "savings"\n', "", "neither"),
])
def test_flow_needs_exactly_one_of_revenue_or_cost(tmp_path: Path, old: str, new: str,
                                                   got: str) -> None:
    assert_model_error(tmp_path, variant(old, new), "flow[2]",
                       rf"give exactly one of revenue = \.\.\. or cost = \.\.\., got {got}$")


@pytest.mark.parametrize(("old", "new", "key"), [
    ('discount_rate = "rate"', 'discount_rate = "rate + year / 100"', "[model].discount_rate"),
    ('investment = "cost"', 'investment = "cost * year"', "[model].investment"),
    ('investment = "cost"', 'investment = "savings"', "[model].investment"),
])
def test_discount_rate_and_investment_may_not_depend_on_year(tmp_path: Path, old: str,
                                                              new: str, key: str) -> None:
    text = variant('in_work = "people * share"',
                   'in_work = "people * share * 0.9 ** (year - 1)"', variant(old, new))
    assert_model_error(tmp_path, text, key,
                       "may not depend on 'year'; it is one number per scenario")


# -- distributions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "name", "pattern"), [
    ("[0.2, 0.4, 0.6], base = 0.45", "[0.2, 0.7, 0.6]", "share",
     r"pert mode 0\.7 is outside \[min, max\] = \[0\.2, 0\.6\]$"),
    ("[0.01, 0.05]", "[0.05, 0.01]", "rate",
     r"uniform min 0\.05 is greater than max 0\.01; need min < max$"),
    ("{ uniform = [0.01, 0.05] }", "{ normal = [0.03, -0.01] }", "rate",
     r"normal sd must be > 0, got -0\.01$"),
    ("{ uniform = [0.01, 0.05] }",
     "{ discrete = { values = [0.01, 0.03], weights = [0.5, 0.4] } }", "rate",
     r"discrete weights must sum to 1 \(within 1e-9\), they sum to 0\.9$"),
    ("p05 = 10.0, p95 = 40.0", "p05 = 40.0, p95 = 10.0", "saving",
     r"lognormal interval low \(p05\) 40\.0 is greater than high \(p95\) 10\.0; "
     r"need low \(p05\) < high \(p95\)$"),
    ("p05 = 10.0, p95 = 40.0", "p05 = 10.0, p95 = 10.0", "saving",
     r"lognormal interval low \(p05\) and high \(p95\) are both 10\.0; use a fixed value "
     r"instead$"),
    ("{ uniform = [0.01, 0.05] }", "{ nromal = [0.03, 0.01] }", "rate",
     r"unknown distribution family 'nromal'; did you mean 'normal'\?"),
    ("[0.2, 0.4, 0.6], base = 0.45", "[0.2, 0.4, 0.6], base = 0.9", "share",
     r"pert base 0\.9 is outside the support \[0\.2, 0\.6\]$"),
], ids=["mode-outside", "min-gt-max", "negative-sd", "weights-sum", "lognormal-low-gt-high",
        "lognormal-low-eq-high", "family-typo", "base-outside"])
def test_bad_distribution_arguments_name_the_parameter(tmp_path: Path, old: str, new: str,
                                                       name: str, pattern: str) -> None:
    assert_model_error(tmp_path, variant(old, new), f"[parameters].{name}", ".*" + pattern)


# -- expressions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "pattern"), [
    ("people.real", r"attribute access \('people\.real'\) is not allowed in expressions"),
    ("people.__class__", r"attribute access \('people\.__class__'\) is not allowed"),
    ("__import__('os')", r"function '__import__' is not allowed; allowed functions: abs, "),
    ("eval('1')", r"function 'eval' is not allowed; allowed functions: abs, "),
    ("sum(people, 1)", r"function 'sum' is not allowed; allowed functions: "),
    ("lambda: people", r"'lambda' \('lambda: people'\) is not allowed in expressions"),
    ("'people'", r"""a string \("'people'"\) is not allowed in expressions; write a number or """
                 "a name$"),
    ("people[0]", r"indexing \('people\[0\]'\) is not allowed in expressions"),
], ids=["attribute", "dunder-attribute", "import", "eval", "sum", "lambda", "string",
        "indexing"])
def test_disallowed_expression_is_refused_with_its_key(tmp_path: Path, expression: str,
                                                       pattern: str) -> None:
    text = variant('"people * share"', f'"{expression}"')  # single quotes only inside
    assert_model_error(tmp_path, text, "[derived].in_work", pattern)
