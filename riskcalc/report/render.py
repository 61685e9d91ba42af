"""The report's page template and the rendering of its tables as HTML, Markdown and LaTeX.

Tables are text already (numbers formatted for people by :mod:`riskcalc.report`); this
module only lays them out.  A cell may hold a second line (an interval), written after
``"\\n"``: small below the first in HTML and LaTeX, in parentheses in Markdown.  The
HTML page is self-contained: CSS inline, figures as ``data:`` PNG, no script, nothing
fetched from a network.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Table", "EmbeddedFigure", "Section", "PAGE_CSS", "html_page", "html_table",
           "html_figure", "markdown_table", "latex_tables", "md_text"]


@dataclass(frozen=True)
class Table:
    """A table of text cells.

    Attributes
    ----------
    title : str
    header : sequence of str
    rows : sequence of sequence of str
    caption : str
    key : str
        Identifier (``"actors"``, ``"table43"`` ...), also the LaTeX label's suffix.
    total : bool
        The last row is a total (set in bold).
    align : str
        One letter per column, ``l`` or ``r``; default the first left, the rest right.
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""
    key: str = ""
    total: bool = False
    align: str = ""

    @property
    def alignment(self) -> str:
        """The column alignment, ``align`` or the default."""
        return self.align or "l" + "r" * (len(self.header) - 1)


@dataclass(frozen=True)
class EmbeddedFigure:
    """A figure's PNG file, embedded in the page, with the name of its files under
    ``figures/``; the file is read when the page is written."""

    name: str
    title: str
    caption: str
    png: Path

    @property
    def png_base64(self) -> str:
        return base64.b64encode(Path(self.png).read_bytes()).decode("ascii")


@dataclass(frozen=True)
class Section:
    """A heading with paragraphs, figures and tables below it."""

    heading: str
    figures: Sequence[EmbeddedFigure] = ()
    tables: Sequence[Table] = ()
    paragraphs: Sequence[str] = ()
    css_class: str = ""


PAGE_CSS = """
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1180px;margin:1.5em auto;
 padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}
h2{border-bottom:2px solid #4575b4;padding-bottom:.2em;margin-top:1.8em}
h3{margin-bottom:.3em}.sub{color:#555;margin-top:0}
.summary{background:#f3f6fb;border-left:5px solid #4575b4;padding:.2em 1.2em .6em}
.summary h2{border:none;margin-top:.6em}.summary li{margin:.35em 0}
.verdict-APPROVE{border-left-color:#1a9850}.verdict-REJECT{border-left-color:#d73027}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}
figcaption,.caption{color:#555;font-size:.9em}
.table{overflow-x:auto}table{border-collapse:collapse;font-size:.88em;margin:.4em 0}
th,td{padding:.3em .55em;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap;
 vertical-align:top}
th.l,td.l{text-align:left;white-space:normal}th:first-child,td:first-child{min-width:9em}
thead th{background:#eef2f8}tr.total td{font-weight:bold}
.iv{color:#666;font-size:.82em;font-weight:normal}
.notes{color:#555;font-size:.85em}.methods{font-size:.92em}
"""


def _html_cell(text: str) -> str:
    first, _, second = text.partition("\n")
    extra = f'<br><span class="iv">{html.escape(second)}</span>' if second else ""
    return html.escape(first) + extra


def html_table(table: Table, *, heading: bool = True) -> str:
    """A table as HTML (with its title as ``<h3>`` unless `heading` is false)."""
    left = [' class="l"' if a == "l" else "" for a in table.alignment]
    head = "".join(f"<th{a}>{html.escape(h)}</th>" for a, h in zip(left, table.header,
                                                                  strict=False))
    rows = []
    for i, row in enumerate(table.rows):
        total = ' class="total"' if table.total and i == len(table.rows) - 1 else ""
        rows.append(f"<tr{total}>" + "".join(f"<td{a}>{_html_cell(c)}</td>"
                                             for a, c in zip(left, row, strict=False))
                    + "</tr>")
    title = f"<h3>{html.escape(table.title)}</h3>" if heading else ""
    caption = f'<p class="caption">{html.escape(table.caption)}</p>' if table.caption else ""
    return (f'{title}{caption}<div class="table"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def html_figure(figure: EmbeddedFigure) -> str:
    """A figure as ``<figure>`` with the PNG inline and a caption naming its files."""
    return (f'<figure id="fig-{html.escape(figure.name)}"><img src="data:image/png;base64,'
            f'{figure.png_base64}" alt="{html.escape(figure.title)}"><figcaption>'
            f"{html.escape(figure.caption)} (figures/{html.escape(figure.name)}.png, .svg)"
            "</figcaption></figure>")


def html_page(*, title: str, lang: str, subtitle: str, summary_heading: str,
              summary: Sequence[str], sections: Sequence[Section], footer: Sequence[str],
              verdict: str = "", document_title: str = "") -> str:
    """The whole report page.

    Parameters
    ----------
    title, subtitle : str
        Shown at the top (the model's name; N, seed, date).
    lang : str
        The page's language (``<html lang>``).
    summary_heading : str
    summary : sequence of str
        Plain-words sentences, one bullet each.
    sections : sequence of Section
        Empty sections are left out; a section's single table whose title is the
        heading gets no second heading.
    footer : sequence of str
        Small print at the end (notes, "written by").
    verdict : str
        ``"APPROVE"`` or ``"REJECT"`` colours the summary's border.
    document_title : str
        The browser tab's title (default `title`).
    """
    parts = [f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(document_title or title)}</title>",
             f"<style>{PAGE_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>", f'<p class="sub">{html.escape(subtitle)}</p>',
             f'<section class="summary verdict-{html.escape(verdict)}">'
             f"<h2>{html.escape(summary_heading)}</h2><ul>",
             *(f"<li>{html.escape(s)}</li>" for s in summary), "</ul></section>"]
    for section in sections:
        if not (section.figures or section.tables or section.paragraphs):
            continue
        single = len(section.tables) == 1 and not section.figures
        body = [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        body += [html_figure(f) for f in section.figures]
        body += [html_table(t, heading=not (single and t.title == section.heading))
                 for t in section.tables]
        css = f' class="{html.escape(section.css_class)}"' if section.css_class else ""
        parts.append(f"<section{css}><h2>{html.escape(section.heading)}</h2>"
                     f"{''.join(body)}</section>")
    parts.append('<footer class="notes">' + "".join(f"<p>{html.escape(n)}</p>" for n in footer)
                 + "</footer></body></html>\n")
    return "\n".join(parts)


def md_text(text: str) -> str:
    """Text for Markdown that stays text: HTML (``<script>``, ``onerror=``) escaped, and
    brackets too, so that a model's names can neither run nor become links."""
    return html.escape(text, quote=False).replace("[", "\\[").replace("]", "\\]")


def _md_cell(text: str) -> str:
    first, _, second = text.partition("\n")
    return md_text(f"{first} ({second})" if second else first).replace("|", "\\|")


def markdown_table(table: Table) -> str:
    """A table as GitHub-flavoured Markdown, under a ``###`` title."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(_md_cell(c) for c in cells) + " |"

    align = "| :-- | " + " | ".join("--:" for _ in table.header[1:]) + " |"
    return "\n".join([f"### {md_text(table.title)}", "", line(table.header), align,
                      *(line(r) for r in table.rows), ""])


_TEX_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}", "−": "$-$", "–": "--", "∞": r"$\infty$"}


def _tex(text: str) -> str:
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def _tex_cell(text: str) -> str:
    first, _, second = text.partition("\n")
    if not second:
        return _tex(first)
    return (rf"\begin{{tabular}}[t]{{@{{}}r@{{}}}}{_tex(first)}\\"
            rf"\footnotesize {_tex(second)}\end{{tabular}}")


def latex_tables(tables: Sequence[Table], *, preamble: str = "") -> str:
    """Tables as LaTeX ``table`` floats with booktabs rules (``\\usepackage{booktabs}``).

    Each is labelled ``tab:riskcalc-<key>``; `preamble` is written first as comment lines
    (say there that the tables need ``\\usepackage{booktabs}``).
    """
    out = [f"% {line}" for line in preamble.splitlines()] + [""]
    for table in tables:
        cols = table.alignment
        body = [" & ".join(_tex_cell(c) for c in row) + r" \\" for row in table.rows]
        if table.total and len(body) > 1:
            body.insert(-1, r"\midrule")
        out += [r"\begin{table}[htbp]", r"\centering", r"\small",
                rf"\caption{{{_tex(table.title)}}}", rf"\label{{tab:riskcalc-{table.key}}}",
                rf"\begin{{tabular}}{{{cols}}}", r"\toprule",
                " & ".join(_tex(h) for h in table.header) + r" \\", r"\midrule",
                *body, r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return "\n".join(out)
