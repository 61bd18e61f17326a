"""Quarters as labels ('2018Q4') and as absolute integers (year * 4 + quarter - 1)."""

from __future__ import annotations

import re

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(label: str) -> int:
    """'2018Q4' -> 8075 (an absolute quarter number); raises ValueError with the allowed form."""
    m = _QUARTER.match(str(label).strip())
    if not m:
        raise ValueError(f"'{label}' is not a quarter; write it like 2026Q1")
    return int(m.group(1)) * 4 + int(m.group(2)) - 1


def format_quarter(q: int) -> str:
    return f"{q // 4}Q{q % 4 + 1}"

