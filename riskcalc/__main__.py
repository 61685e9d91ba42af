"""``python -m riskcalc`` is the same as the ``riskcalc`` command."""

from riskcalc.cli import main

# Guarded: worker processes started by spawn (Dask's nannies) import this module again.
if __name__ == "__main__":
    raise SystemExit(main())
