"""How much of each engine chunk holds the GIL, and what that allows on many cores.

    python experiments/gil_share.py                  # this tree, JSON on stdout
    python experiments/gil_share.py --tree DIR       # another riskcalc tree (a baseline)

The engine's threads scale only as far as the part of each chunk that holds the
GIL allows.  A chunk of the labour-market model (65,536 scenarios) is evaluated
in blocks of ``BLOCK_SIZE`` scenarios; each block runs the model's expressions
with numpy (Python code between numpy calls holds the GIL; numpy's loops over
a block release it) and then the fused kernel (numba, ``nogil``).  Measured here,
on one thread, on the same drawn chunks:

* ``chunk_ms``: one chunk, ``CompiledModel.evaluate``;
* ``kernel_ms``: of which inside the nogil kernel (``kernel.finish_block``);
* ``fixed_us``: the time of one block of 16 scenarios.  What a block costs
  whatever its size is Python-level work (the expression tree, numpy's call
  overhead, building the kernel's arguments), which holds the GIL; numpy's
  loops over 16 values add next to nothing.  ``gil_ms = fixed_us`` times the
  chunk's blocks estimates the GIL-holding time per chunk, and ``gil_share =
  gil_ms / chunk_ms``;
* ``threads_s``: the same chunks on 1 and 2 threads (each thread its own
  ``CompiledModel``, as the engine does), best of the repeats.

From these: Amdahl's speed-up ``1 / (s + (1 - s) / p)`` for p = 2 and 16 cores
with s the GIL share, and the Karp–Flatt serial fraction of the measured
1 → 2 thread speed-up (which also counts memory bandwidth and other load).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(repeats: int = 5, chunks: int = 8) -> dict[str, float]:
    """The figures described in the module docstring, for the riskcalc on sys.path."""
    import numpy as np

    import riskcalc
    from riskcalc.engine import compiled, kernel
    from riskcalc.engine.sampling import sample_parameters

    model = riskcalc.load_model(Path(riskcalc.__file__).parent.parent / "models"
                                / "labour_market.toml")
    size = compiled.DEFAULT_CHUNK_SIZE
    drawn = [sample_parameters(model, 1, k, size) for k in range(chunks)]
    engine = compiled.CompiledModel(model, fused=True)  # the kernel, also while it is cold
    engine.evaluate(drawn[0])  # load the kernel

    in_kernel = [0.0]
    finish = kernel.finish_block

    def timed_finish(*args):
        start = time.perf_counter()
        finish(*args)
        in_kernel[0] += time.perf_counter() - start

    def one_thread(blocks_of: int, scenarios: int) -> tuple[float, float]:
        """Seconds per block, and of it in the kernel, at `blocks_of` scenarios."""
        block_size = compiled.BLOCK_SIZE
        compiled.BLOCK_SIZE = blocks_of
        kernel.finish_block = timed_finish
        try:
            parts = [{k: v[:scenarios] for k, v in chunk.items()} for chunk in drawn]
            in_kernel[0] = 0.0
            start = time.perf_counter()
            for part in parts:
                engine.evaluate(part)
            elapsed = time.perf_counter() - start
        finally:
            compiled.BLOCK_SIZE = block_size
            kernel.finish_block = finish
        blocks = len(parts) * (scenarios // blocks_of)
        return elapsed / blocks, in_kernel[0] / blocks

    def threaded(pool: ThreadPoolExecutor) -> float:
        def run(chunk):
            compiled.CompiledModel(model, fused=True).evaluate(chunk)

        start = time.perf_counter()
        list(pool.map(run, drawn))
        return time.perf_counter() - start

    block = compiled.BLOCK_SIZE
    blocks_per_chunk = size // block
    # Each figure is the best of the repeats; the four are measured in turn within a
    # repeat, so that a busy moment of the (shared) machine hits all of them alike.
    per_block = kernel_block = fixed = one = two = np.inf
    with ThreadPoolExecutor(1) as single, ThreadPoolExecutor(2) as double:
        threaded(single), threaded(double)  # start the threads
        for _ in range(repeats):
            whole = one_thread(block, size)
            if whole[0] < per_block:
                per_block, kernel_block = whole
            fixed = min(fixed, one_thread(16, 16 * 64)[0])
            one = min(one, threaded(single))
            two = min(two, threaded(double))
    share = fixed / per_block
    speedup = one / two
    serial = (1 / speedup - 1 / 2) / (1 - 1 / 2)  # Karp–Flatt
    return {
        "block_size": block, "blocks_per_chunk": blocks_per_chunk,
        "chunk_ms": per_block * blocks_per_chunk * 1e3,
        "kernel_ms": kernel_block * blocks_per_chunk * 1e3,
        "fixed_us": fixed * 1e6, "gil_ms": fixed * blocks_per_chunk * 1e3,
        "gil_share": share,
        "threads_1_s": one, "threads_2_s": two, "speedup_2": speedup,
        "amdahl_2": 1 / (share + (1 - share) / 2), "amdahl_16": 1 / (share + (1 - share) / 16),
        "karp_flatt": serial, "karp_flatt_16": 1 / (serial + (1 - serial) / 16),
        "scenarios_per_s_1": chunks * size / one, "cores": os.cpu_count() or 1,
        "load": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE.parent,
                        help="the riskcalc source tree to measure (default: this one)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.tree.resolve()))
    print(json.dumps(measure(args.repeats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
