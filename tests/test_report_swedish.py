"""The Swedish report is entirely Swedish: words, numbers, tables and figures.

One run directory with everything a report can show (the run, a policy verdict with
switching values, classes, redistribution, acceptability, Sobol' indices, a tornado)
is made with the command line as an analyst would, reported with ``--lang sv``, and
every text the reader sees (the HTML page, summary.md, tables.tex and the text of
every figure) is searched for

* English words: every word of the English vocabulary (riskcalc.report.labels) that
  the Swedish one does not also use, and the small words English sentences are made of;
* English number formats: a decimal point (``329.3``), thousands grouped by commas
  (``20,000``), a hyphen as minus sign (``-4``), ``n/a``, and the English units
  ``MSEK``/``kSEK``/``GSEK``.

A section another issue adds to the report is covered when its words go through
labels.py and its numbers through the Labels' formatters (``words.money``,
``words.percent``, ``words.number``, ``words.integer``).
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest
from conftest import MODELS

from riskcalc.cli import main
from riskcalc.report.labels import get_labels

#: Small words of English sentences; a Swedish text has none of them.
ENGLISH_GLUE = {
    "the", "and", "of", "to", "at", "by", "or", "with", "for", "not", "yes", "is", "are",
    "within", "throughout", "above", "below", "between", "range", "binding", "owner",
    "loss", "gain", "net", "mean", "year", "years", "never", "payback", "capital", "need",
    "expected", "shortfall", "worst", "probability", "percentage", "points", "investment",
    "value", "society", "scenarios", "written", "file", "files", "switch", "approve",
    "reject", "total", "others", "region's", "office", "municipality", "production",
}


class _Text(HTMLParser):
    """The text a browser shows, and the alt texts of images."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


def _svg_text(svg: str) -> str:
    # matplotlib draws text as paths and writes each string in a comment before it.
    return "\n".join(html.unescape(t.strip()) for t in re.findall(r"<!-- (.*?) -->", svg, re.S))


def _tokens(text: str) -> set[str]:
    """Words of a text, lower case; identifiers (with _ or digits) and file names are not."""
    text = re.sub(r"\{[^}]*\}|\S+\.(png|svg|csv|json|toml|md|tex)\b", " ", text)
    return {w.lower() for w in re.findall(r"(?<![\w.])[^\W\d_]+(?!\w|\.\w)", text)
            if len(w) > 1}


def english_words() -> set[str]:
    """Words of the English vocabulary that Swedish does not share, and English glue."""
    english = set().union(*map(_tokens, get_labels("en").values()))
    swedish = set().union(*map(_tokens, get_labels("sv").values()))
    return (english | ENGLISH_GLUE) - swedish


def english_numbers(text: str) -> list[str]:
    """Numbers written the English way.

    A Swedish decimal can look like an English thousands group ("1,234"), so a comma
    group counts as English only where Swedish would not write it: more than one
    group, an integer part of two or more digits, or a group of "000".
    """
    text = re.sub(r"\b(tabell|table) \d+\.\d+", " ", text)  # the seed's table numbers
    found = re.findall(r"(?<![\d.])\d+\.\d+", text)
    for match in re.finditer(r"(?<![\d,])(\d{1,3})((?:,\d{3})+)(?![\d,])", text):
        head, groups = match.groups()
        if groups.count(",") > 1 or len(head) > 1 or groups == ",000":
            found.append(match.group())
    found += re.findall(r"(?<![\w\-–])-\d", text)
    found += re.findall(r"\bn/a\b|\b[kMG]SEK\b", text)
    return found


@pytest.fixture(scope="module")
def swedish_report(tmp_path_factory) -> dict[str, str]:
    """Every text of a Swedish report on a run with every optional table: the run split
    by cost kind, a policy verdict, scenario discovery, Sobol' indices and a tornado."""
    out = tmp_path_factory.mktemp("sv") / "run"
    model = MODELS / "labour_market.toml"
    policy = MODELS / "policies" / "municipal_fund.toml"
    commands = [
        ["run", model, "--n", 4000, "--seed", 11, "--no-report", "--out", out,
         "--quiet"],
        ["decide", model, "--policy", policy, "--n", 4000, "--seed", 11, "--top", 2,
         "--by-kind", "--out", out, "--quiet"],
        ["discover", out, "--where", "npv_society < 3e8"],
        ["sobol", model, "--n", 64, "--seed", 5, "--resamples", 20, "--out", out],
        ["tornado", model, "--out", out],
        ["discover", out, "--where", "npv_society < 3e8", "--lang", "sv"],
        ["report", out, "--lang", "sv"],
    ]
    for argv in commands:
        assert main([str(a) for a in argv]) in (0, 1), argv  # decide: 1 is REJECT
    texts = {"report.html": _visible_text((out / "report.html").read_text(encoding="utf-8")),
             "summary.md": (out / "summary.md").read_text(encoding="utf-8"),
             "tables.tex": (out / "tables.tex").read_text(encoding="utf-8")}
    for svg in sorted((out / "figures").glob("*.svg")):
        texts[f"figures/{svg.name}"] = _svg_text(svg.read_text(encoding="utf-8"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # Version numbers, dates and hashes are not prose: take them out before looking.
    quoted = [str(v) for v in manifest.get("versions", {}).values()]
    quoted += [str(manifest.get(k, "")) for k in ("created", "git_commit", "seed_streams")]
    # The sampler is named as code (SALib.sample.sobol.sample(...)).
    quoted.append(str(json.loads((out / "sobol.json").read_text(encoding="utf-8"))["sampler"]))
    for name, text in texts.items():
        for value in filter(None, quoted):
            text = text.replace(value, " ")
        texts[name] = text
    return texts


def test_every_section_is_in_the_swedish_report(swedish_report):
    page = swedish_report["report.html"]
    for heading in ("Sammanfattning", "Nuvärde per aktör", "Beslut enligt policy",
                    "Vad som skulle ändra beslutet", "Scenarioklasser",
                    "Fördelning av samhällets nuvärde", "Nettoeffekt per aktör",
                    "Ackumulerad nettoeffekt per år", "Socioekonomiskt bokslut",
                    "Känslighet", "Omfördelning mellan aktörer", "Metod",
                    # Sections other issues added, through labels.py:
                    "Scenarioupptäckt", "Osäkra indata", "Nuvärde per aktör och kostnadslag",
                    "Konvergens"):
        assert heading in page
    figures = {name for name in swedish_report if name.startswith("figures/")}
    assert {f"figures/{n}.svg" for n in ("society_npv", "actor_npv", "cumulative_net",
                                         "sobol", "sobol_heatmap", "tornado",
                                         "acceptability")} <= figures


@pytest.mark.parametrize("part", ["report.html", "summary.md", "tables.tex", "figures"])
def test_swedish_report_has_no_english_word(swedish_report, part):
    english = english_words()
    found = {}
    for name, text in swedish_report.items():
        if name.startswith(part):
            if part == "tables.tex":  # LaTeX commands are not prose
                text = re.sub(r"\\[A-Za-z]+|\{tabular\}|\{table\}|\[htbp\]|tab:riskcalc-\S+",
                              " ", text)
            words = _tokens(text) & english
            if words:
                found[name] = sorted(words)
    assert not found


@pytest.mark.parametrize("part", ["report.html", "summary.md", "tables.tex", "figures"])
def test_swedish_report_writes_numbers_the_swedish_way(swedish_report, part):
    found = {name: english_numbers(text) for name, text in swedish_report.items()
             if name.startswith(part) and english_numbers(text)}
    assert not found


def test_swedish_numbers_group_thousands_with_a_space_and_use_a_decimal_comma(swedish_report):
    page = swedish_report["report.html"]
    assert "N = 4\u00a0000" in page
    assert re.search(r"\d,\d mnkr", page)
    assert re.search(r"\d,\d %", page)


def test_the_detectors_catch_english():
    assert english_numbers("N = 20,000; 329.3 MSEK; -4 mnkr; n/a; 1,234,567") == [
        "329.3", "20,000", "1,234,567", "-4", "MSEK", "n/a"]
    assert english_numbers("N = 20\u00a0000; 329,3 mnkr; −4 mnkr; 0,4125; 1,234; 2026-11-29") == []
    assert {"throughout", "owner", "loss"} <= _tokens(
        "no switch within the range: REJECT throughout; the owner's net loss") & english_words()
    assert not _tokens("Ägarens nettoförlust; AVSLÅ i hela intervallet") & english_words()
