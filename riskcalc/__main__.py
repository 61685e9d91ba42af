"""``python -m riskcalc`` is the same as the ``riskcalc`` command."""

from riskcalc.cli import command_line

# Guarded: worker processes started by spawn (Dask's nannies) import this module again.
if __name__ == "__main__":
    command_line()
