"""``riskcalc discover``: PRIM boxes and a classification tree of a condition over a run."""

from __future__ import annotations

import argparse
from pathlib import Path

from riskcalc.cli.common import EXIT_OK, positive_int, share
from riskcalc.discovery.discover import discover
from riskcalc.report.discovery import box_sentences, discovery_figures
from riskcalc.report.labels import LANGUAGES, get_labels

__all__ = ["register"]


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``discover`` command."""
    p = commands.add_parser(
        "discover", help="where in the inputs a condition on the outputs lives (PRIM, CART)",
        description="Scenario discovery on a run directory: PRIM boxes (peeling trajectory, "
                    "limits and quasi-p-values) and a classification tree of a condition on "
                    "the run's outputs. Writes RUN_DIR/discovery.csv, RUN_DIR/discovery.json "
                    "and the figures discovery_tradeoff and discovery_boxes (PNG, SVG) under "
                    "RUN_DIR/figures/; `riskcalc report RUN_DIR` then adds a section.")
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR",
                   help="run directory written by `riskcalc run`")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--where", metavar="EXPR",
                      help="a condition on the run's columns in the model files' expression "
                           "language, e.g. \"npv_society < 0\" or \"npv_municipality < -5e6\"")
    what.add_argument("--class", dest="cls", metavar="NAME",
                      help="one of the run's outcome classes: very_bad, bad, half_good, good")
    p.add_argument("--boxes", type=positive_int, default=2,
                   help="most boxes, each found on the scenarios the earlier ones left "
                        "(default 2)")
    p.add_argument("--min-density", type=share, default=None, metavar="D",
                   help="choose the box of largest coverage with at least this density "
                        "(default: the box of largest coverage x density)")
    p.add_argument("--alpha", type=share, default=0.05,
                   help="share of a box's scenarios peeled off per step (default 0.05)")
    p.add_argument("--min-mass", type=share, default=0.05,
                   help="smallest box, as a share of the scenarios (default 0.05)")
    p.add_argument("--lang", choices=LANGUAGES, default="en",
                   help="language of the printed sentences and figures (default en)")
    p.set_defaults(handler=_discover)


def _discover(args: argparse.Namespace) -> int:
    result = discover(args.run_dir, where=args.where, cls=args.cls, n_boxes=args.boxes,
                      alpha=args.alpha, min_mass=args.min_mass, min_density=args.min_density)
    paths = result.write(args.run_dir)
    words = get_labels(args.lang)
    data = result.to_dict()
    figures = discovery_figures(data, words, args.run_dir / "figures")
    print("\n".join(box_sentences(data, words)))
    print(f"\nWrote {paths[0]}\n      {paths[1]}")
    for f in figures:
        print(f"      {args.run_dir / 'figures' / f.name}.png (and .svg)")
    return EXIT_OK
