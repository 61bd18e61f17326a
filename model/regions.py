"""Fixed classifications: provinces, hub regions, sectors and size classes.

Everything that indexes a firm array (province, sector, size class) is defined here once,
so that population, network, mechanisms, scenario validation and the dashboard agree on codes
and order. Province codes are the two-letter codes used throughout the outputs.
"""

from __future__ import annotations

PROVINCES: tuple[str, ...] = ("GR", "FR", "DR", "OV", "GE", "UT", "NH", "FL", "ZH", "ZE", "NB", "LI")
PROVINCE_NAMES: dict[str, str] = {
    "GR": "Groningen", "FR": "Friesland", "DR": "Drenthe", "OV": "Overijssel",
    "GE": "Gelderland", "UT": "Utrecht", "NH": "Noord-Holland", "FL": "Flevoland",
    "ZH": "Zuid-Holland", "ZE": "Zeeland", "NB": "Noord-Brabant", "LI": "Limburg",
}
NATIONAL = "NL"
PROVINCE_INDEX: dict[str, int] = {p: i for i, p in enumerate(PROVINCES)}

# Land (or dike) borders; used for "neighbouring province" in the peer network and the
# fieldlab search radius. Friesland-Noord-Holland via the Afsluitdijk counts as a border.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "GR": ("FR", "DR"),
    "FR": ("GR", "DR", "OV", "FL", "NH"),
    "DR": ("GR", "FR", "OV"),
    "OV": ("FR", "DR", "GE", "FL"),
    "GE": ("OV", "FL", "UT", "ZH", "NB", "LI"),
    "UT": ("GE", "FL", "NH", "ZH"),
    "NH": ("FL", "UT", "ZH", "FR"),
    "FL": ("FR", "OV", "GE", "UT", "NH"),
    "ZH": ("NH", "UT", "GE", "NB", "ZE"),
    "ZE": ("ZH", "NB"),
    "NB": ("ZE", "ZH", "GE", "LI"),
    "LI": ("NB", "GE"),
}

# The five Smart Industry hubs (from 2018; brief section 6).
HUBS: dict[str, tuple[str, ...]] = {
    "noord": ("GR", "FR", "DR"),
    "oost": ("GE", "OV"),
    "zuid": ("NB", "LI", "ZE"),
    "zuid_holland": ("ZH",),
    "noordwest": ("NH", "FL", "UT"),
}

# Hotspots named in seed 000, as COROP areas (calibration/data/corop_regions.csv, column
# `hotspot`): Brainport Eindhoven (Zuidoost-Noord-Brabant), the Rotterdam maritime and process
# cluster (Groot-Rijnmond) and the Drechtsteden shipbuilders (Zuidoost-Zuid-Holland). Their peer
# networks are denser and their firms more visible (hotspot_* parameters).

# Tile-grid cartogram positions (column, row) for the map view: no boundary data ships.
TILE_GRID: dict[str, tuple[int, int]] = {
    "FR": (1, 0), "GR": (2, 0),
    "NH": (0, 1), "FL": (1, 1), "DR": (2, 1),
    "ZH": (0, 2), "UT": (1, 2), "OV": (2, 2),
    "ZE": (0, 3), "NB": (1, 3), "GE": (2, 3),
    "LI": (1, 4),
}

# Manufacturing branches (SBI 10-33 grouped as in CBS robot-use statistics).
SECTORS: tuple[str, ...] = (
    "food", "textiles", "wood_paper", "chemicals", "plastics",
    "metal", "electronics", "machinery", "transport", "other",
)
SECTOR_INDEX: dict[str, int] = {s: i for i, s in enumerate(SECTORS)}

# Size classes by number of workers; CBS publishes 2-10 and >=10, finer splits are assumptions
# documented in calibration/data/firm_size_classes.csv.
SIZE_CLASSES: tuple[str, ...] = ("2-9", "10-49", "50-249", "250+")
SIZE_INDEX: dict[str, int] = {s: i for i, s in enumerate(SIZE_CLASSES)}

STAGES: tuple[str, ...] = ("unaware", "aware", "experimenting", "adopted")
UNAWARE, AWARE, EXPERIMENTING, ADOPTED = range(4)


def neighbour_matrix():
    """12x12 boolean numpy matrix: True where two provinces share a border."""
    import numpy as np

    m = np.zeros((len(PROVINCES), len(PROVINCES)), dtype=bool)
    for p, ns in NEIGHBOURS.items():
        for n in ns:
            m[PROVINCE_INDEX[p], PROVINCE_INDEX[n]] = True
            m[PROVINCE_INDEX[n], PROVINCE_INDEX[p]] = True
    return m


# --- province names -------------------------------------------------------------------------
# Scenario files and the command line accept a province by code or by name, in any case, with
# or without spaces, hyphens and diacritics. Besides PROVINCE_NAMES: Fryslân, Friesland's official
# name since 1997 (CBS uses it), and the English names.
PROVINCE_ALIASES: dict[str, str] = {
    "Fryslân": "FR", "North Holland": "NH", "South Holland": "ZH", "North Brabant": "NB", "Guelders": "GE",
    "Zealand": "ZE",
}


def _folded(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in plain.lower() if c.isalnum())


_PROVINCE_LOOKUP: dict[str, str] = {
    **{_folded(c): c for c in PROVINCES},
    **{_folded(n): c for c, n in PROVINCE_NAMES.items()},
    **{_folded(n): c for n, c in PROVINCE_ALIASES.items()},
}


def province_code(text: str) -> str | None:
    """The province code for a code or a name ('li', 'Limburg', 'noord-brabant', 'Fryslan'),
    or None if it names no province."""
    return _PROVINCE_LOOKUP.get(_folded(text)) if isinstance(text, str) else None


def province_choices() -> list[str]:
    """Every code and name a province may be written as (for did-you-mean suggestions)."""
    return list(PROVINCES) + list(PROVINCE_NAMES.values()) + list(PROVINCE_ALIASES)


def province_mapping_text() -> str:
    """'GR Groningen, FR Friesland (Fryslân), ...': the codes and the names they stand for."""
    extra = {c: [n for n, a in PROVINCE_ALIASES.items() if a == c] for c in PROVINCES}
    return ", ".join(f"{c} {PROVINCE_NAMES[c]}" + (f" ({', '.join(extra[c])})" if extra[c] else "")
                     for c in PROVINCES)


def province_suggestion(text: str) -> str:
    """" (did you mean 'Limburg'?)" for the nearest code or name, compared without case and
    diacritics, or '' when nothing is close."""
    import difflib

    names = {_folded(n): n for n in province_choices()}
    close = difflib.get_close_matches(_folded(str(text)), list(names), n=1, cutoff=0.6)
    return f" (did you mean '{names[close[0]]}'?)" if close else ""
