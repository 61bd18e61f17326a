"""`run.py dashboard`: serve the Solara dashboard (viz/app.py).

Binds to 127.0.0.1 unless --host says otherwise: the dashboard runs models on request and
reads uploaded YAML, so it is not offered to the network by accident.
"""

from __future__ import annotations

import argparse
import socket

from .common import UserError


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("dashboard", help="interactive scenario explorer in the browser (Solara)",
                              description="Start the dashboard: pick a scenario or move policy levers and see "
                                          "how regions respond against the counterfactual, with uncertainty.")
    p.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0: every interface)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port}: not a port; allowed: 1 to 65535")
    with socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET) as probe:
        try:  # solara would report a busy port after a screenful of start-up output
            probe.bind((args.host, args.port))
        except OSError as e:
            raise UserError(f"--host {args.host} --port {args.port}: cannot listen there ({e.strerror}); allowed: "
                            "a free port on an address of this machine") from None
    try:
        from solara.__main__ import run as solara_run
    except ModuleNotFoundError as e:
        raise UserError(f"the dashboard needs solara ({e}); allowed: pip install 'smartregion[dashboard]'") from None
    from smartregion.viz.assets import AssetError, ensure

    try:
        ensure()
    except AssetError as e:
        raise UserError(str(e)) from None
    print(f"smartregion dashboard on http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    # solara's own command line, in this process: production mode (no file watching, no
    # reloads), no browser opened on the server's machine, no version check over the network.
    solara_run.main(["smartregion.viz.app", "--host", args.host, "--port", str(args.port), "--production", "--no-open",
                     "--no-check-version", "--log-level", "warning"], standalone_mode=False)
    return 0
