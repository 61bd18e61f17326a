"""Record the current model source in a posterior whose behaviour it still reproduces.

    python calibration/scripts/restamp.py calibration/fitted/baseline

After a change that keeps every number (refactoring, speed work), a calibrated run notes on
every start that the source changed and pays a reference run to check the fingerprint. This
checks the fingerprint once and, if the current code reproduces it, stores the new source
hash (calibration/provenance.py, `restamp`). A posterior whose fingerprint differs is refused:
refit it (docs/CALIBRATION.md, "Refit").
"""

from __future__ import annotations

import sys

from smartregion.calibration.provenance import restamp


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: restamp.py POSTERIOR_DIR", file=sys.stderr)
        return 2
    status = restamp(argv[0])
    print(status.note or f"{argv[0]}: {status.words}")
    return 0 if status.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
