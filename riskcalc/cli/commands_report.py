"""``riskcalc report``: the HTML report, Markdown summary and LaTeX tables of a run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from riskcalc.cli.common import EXIT_BAD_INPUT, EXIT_OK, hold
from riskcalc.errors import ModelError
from riskcalc.report import write_report
from riskcalc.report.fund import is_fund_run, write_fund_report
from riskcalc.report.labels import LANGUAGES

__all__ = ["register"]


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    report = commands.add_parser(
        "report", help="write report.html, summary.md, tables.tex and figures/ of a run",
        description="Write RUN_DIR/report.html (self-contained: figures embedded, no network "
                    "needed), RUN_DIR/summary.md, RUN_DIR/tables.tex and every figure as PNG "
                    "and SVG under RUN_DIR/figures/.")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR",
                        help="run directory written by `riskcalc run`")
    report.add_argument("--lang", choices=LANGUAGES, default="en",
                        help="language of the report (default en)")
    report.add_argument("--model", type=Path, default=None,
                        help="model file of the run (default: the one named in manifest.json)")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    hold(args.run_dir)  # not while a run writes it
    if is_fund_run(args.run_dir):
        path = write_fund_report(args.run_dir, args.lang)
        print(f"Wrote {path}\n      {path.parent / 'figures'}/ (PNG and SVG)")
        return EXIT_OK
    try:
        path = write_report(args.run_dir, args.lang, model=args.model)
    except ModelError:
        raise  # the model file's own one-line message, printed by main()
    except (ValueError, KeyError) as exc:  # a run directory whose files do not parse
        detail = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"riskcalc: error: {args.run_dir}: not a readable run directory ({detail})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    out = path.parent
    print(f"Wrote {path}\n      {out / 'summary.md'}\n      {out / 'tables.tex'}\n"
          f"      {out / 'figures'}/ (PNG and SVG)")
    return EXIT_OK
