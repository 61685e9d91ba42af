"""``python -m riskcalc`` is the same as the ``riskcalc`` command."""

from riskcalc.cli import main

raise SystemExit(main())
