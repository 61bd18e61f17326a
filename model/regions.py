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
