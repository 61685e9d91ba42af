"""The report of a run: one self-contained HTML page, a Markdown summary and LaTeX tables.

:func:`write_report` reads a run directory (``manifest.json``, ``summary.csv``,
``yearly.csv``, ``payback.csv``, ``scenarios.parquet`` and, where other commands
wrote them, ``classes.csv``, ``sobol.csv``, ``tornado.csv``, ``acceptability.csv``,
``redistribution.csv``, ``verdict.json``) and the model file the manifest names, and
writes into the same directory

* ``report.html``: plain-words summary, figures (embedded PNG), the seed's tables
  4.2 and 4.3, sensitivity, verdict and a methods paragraph; no network needed to view;
* ``figures/*.png`` and ``figures/*.svg``: every figure, for papers and slides;
* ``summary.md``: the summary and per-actor table, for pasting into documents;
* ``tables.tex``: the per-actor summary and table 4.3 layout, for papers.

Nothing here computes what the API does not: numbers are read from the run's files,
the base-case statement comes from :func:`riskcalc.income_statement`.

Modules: :mod:`~riskcalc.report.run` reads the run directory, :mod:`~.tables`,
:mod:`~.text` and :mod:`~.figures` make the pieces, :mod:`~.render` lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from riskcalc.files import atomic_write
from riskcalc.model.objects import Model
from riskcalc.report.actor_kinds import actor_kinds_section
from riskcalc.report.convergence import convergence_section
from riskcalc.report.discovery import discovery_section
from riskcalc.report.figures import report_figures
from riskcalc.report.inputs import inputs_section
from riskcalc.report.labels import Labels, get_labels
from riskcalc.report.render import (
    EmbeddedFigure,
    Section,
    Table,
    html_page,
    latex_tables,
    markdown_table,
    md_text,
)
from riskcalc.report.run import TABLE_43_YEARS, RunData, read_run
from riskcalc.report.tables import report_tables
from riskcalc.report.text import methods_paragraphs, report_notes, summary_sentences
from riskcalc.report.workbook import write_workbook

__all__ = ["RunData", "read_run", "write_report", "html_report", "markdown_summary",
           "TABLE_43_YEARS"]


def write_report(run_dir: str | Path, lang: str = "en", *,
                 model: Model | str | Path | None = None) -> Path:
    """Write report.html, summary.md, tables.tex, results.xlsx and figures/ into a run directory.

    Parameters
    ----------
    run_dir : str or Path
        A run directory written by ``riskcalc run`` (``SimulationResult.write``).
    lang : {"en", "sv"}
        Language of the labels and text.
    model : Model, str or Path, optional
        The model of the run; default the file recorded in manifest.json.

    Returns
    -------
    Path
        The HTML report, ``run_dir/report.html``.
    """
    from riskcalc.report.plots.background import figures_in_background

    words = get_labels(lang)
    run = read_run(run_dir, model=model)
    run.lang = lang
    out = run.directory
    # Each figure's files are written by a child process while the next is drawn, and
    # the rest while the last are written; leaving the block waits for them (the page
    # embeds the PNGs).  The slowest figure to write (convergence, three panels) first.
    with figures_in_background():
        extra = extra_sections(run, words)
        figures = report_figures(run, words)
        tables = report_tables(run, words)
        summary = summary_sentences(run, words)
        methods = methods_paragraphs(run, words)
        notes = report_notes(run, words)
        markdown = markdown_summary(run, words, summary, tables, methods)
        atomic_write(out / "summary.md", lambda p: p.write_text(markdown, encoding="utf-8"))
        latex = latex_tables([t for t in tables if t.key in ("actors", "table43")],
                             preamble="\n".join([words["tex_header"], *methods]))
        atomic_write(out / "tables.tex", lambda p: p.write_text(latex, encoding="utf-8"))
        write_workbook(out, run.model)  # again: sensitivity tables may have come since the run
    page = html_report(run, words, lang, summary, figures, tables, methods, notes, extra=extra)
    atomic_write(out / "report.html", lambda p: p.write_text(page, encoding="utf-8"))
    return out / "report.html"


def html_report(run: RunData, words: Labels, lang: str, summary: list[str],
                figures: list[EmbeddedFigure], tables: list[Table], methods: list[str],
                notes: list[str], *, extra: list[Section] | None = None) -> str:
    """The HTML page: summary, then sections in the order a reader needs them.

    `extra` are the sections of :func:`extra_sections` (made here when not given).
    """
    m = run.manifest
    fig = {f.name: f for f in figures}
    tab = {t.key: t for t in tables}

    def section(heading: str, figure_names: Sequence[str] = (),
                table_keys: Sequence[str] = ()) -> Section:
        return Section(heading, [fig[n] for n in figure_names if n in fig],
                       [tab[k] for k in table_keys if k in tab])

    title = run.title or words["report_title"]
    version = m.get("versions", {}).get("riskcalc", "?")
    return html_page(
        title=title, lang=lang, document_title=f"{words['report_title']}: {title}",
        subtitle=words["s_run"].format(n=words.integer(m.get("n", 0)), seed=m.get("seed", "?"),
                                       created=m.get("created", "?")),
        summary_heading=words["summary"], summary=summary,
        verdict=str((run.verdict or {}).get("decision", "")),
        sections=[
            section(words["key_figures"], (), ["actors"]),
            section(words["verdict"], (), ["verdict", "switching"]),
            section(words["society_distribution"], ["society_npv"], ["classes", "class_means"]),
            section(words["actor_positions"], ["actor_npv"]),
            section(words["fan_charts"], ["cumulative_net"], ["payback"]),
            section(words["statements"], (), ["table42", "table43"]),
            section(words["sensitivity"], ["sobol", "sobol_heatmap", "tornado", "spider",
                                           "acceptability"]),
            section(words["redistribution"], (), ["redistribution"]),
            section(words["investor_section"], (), ["contract"]),
            *(extra_sections(run, words) if extra is None else extra),
            Section(words["methods"], paragraphs=methods, css_class="methods"),
        ],
        footer=[*notes, words["generated"].format(version=version)])


def extra_sections(run: RunData, words: Labels) -> list[Section]:
    """The model's inputs, and sections from the run directory's actor_kinds.csv,
    convergence.csv and discovery.json where present."""
    names = {f"npv_{a}": run.actor_labels[a] for a in run.actors}
    names["npv_society"] = words["society"]
    sections = (inputs_section(run.model, words),
                actor_kinds_section(run.directory, words, currency=run.currency, names=names),
                convergence_section(run.directory, words, currency=run.currency, names=names),
                discovery_section(run.directory, words))
    return [s for s in sections if s is not None]


def markdown_summary(run: RunData, words: Labels, summary: list[str],
                     tables: list[Table], methods: list[str]) -> str:
    """summary.md: the summary, the per-actor table, verdict, table 4.3 and methods."""
    title = run.title or words["report_title"]
    keep = [t for t in tables if t.key in ("actors", "verdict", "table43")]
    return "\n".join([f"# {md_text(title)}", "", f"## {words['summary']}", "",
                      *(f"- {md_text(s)}" for s in summary), "",
                      *(markdown_table(t) for t in keep),
                      f"## {words['methods']}", "", *map(md_text, methods), ""])
