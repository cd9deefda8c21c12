"""The visitor sketch's estimate, counted by rank, equals the register-by-register formula
(insights read one estimate per day, so it has to be quick)."""

from __future__ import annotations

import math

from services.domain.hll import REGISTERS, HyperLogLog


def reference(sketch: HyperLogLog) -> int:
    m = REGISTERS
    raw = 0.7213 / (1 + 1.079 / m) * m * m / sum(2.0 ** -r for r in sketch.registers)
    zeros = sketch.registers.count(0)
    return round(m * math.log(m / zeros)) if raw <= 2.5 * m and zeros else round(raw)


def test_the_estimate_matches_the_formula_small_and_large() -> None:
    for size in (0, 1, 10, 1_000, 30_000, 120_000):
        sketch = HyperLogLog().update(f"visitor-{i}" for i in range(size))
        assert sketch.estimate() == reference(sketch), size
    assert HyperLogLog().update(f"v{i}" for i in range(1_000)).estimate() in range(990, 1011)
