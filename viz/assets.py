"""Solara's browser code, installed from the npm registry where no CDN can be reached.

A Solara page loads its JavaScript and CSS (the Vuetify app, RequireJS, Font Awesome) through
the server's CDN proxy, which serves files from a local cache directory and fetches missing
ones from a public CDN. Machines without that CDN (this project's) get a blank page. So the
packages the page template names are fetched once with `npm pack` (the npm registry is
reachable) and unpacked into the cache, where the proxy finds them.

`python -m smartregion.viz.assets` installs what is missing; `run.py dashboard` and the dashboard tests
call `ensure()` before starting a server.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from solara.server import settings

TEMPLATE = Path(settings.__file__).parent / "templates" / "solara.html.j2"
_REF = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/")


class AssetError(Exception):
    """The browser code is missing and could not be installed; str is one line."""


def needed() -> set[tuple[str, str]]:
    """(npm package, version) pairs that Solara's page template loads from its CDN."""
    refs = set(_REF.findall(TEMPLATE.read_text()))
    fa = re.match(r"/((?:@[\w.-]+/)?[\w.-]+)@([\w.-]+)/", settings.assets.fontawesome_path)
    if fa:
        refs.add(fa.groups())
    return refs


def cache_dir() -> Path:
    return Path(settings.assets.proxy_cache_dir)


def missing() -> list[tuple[str, str]]:
    return sorted((p, v) for p, v in needed() if not (cache_dir() / f"{p}@{v}" / "package.json").exists())


def _install(package: str, version: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(f"Solara's browser code {package}@{version} is not in {cache_dir()} and npm is not "
                         "installed; allowed: install npm (apt-get install npm) and run python -m smartregion.viz.assets")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([npm, "pack", f"{package}@{version}", "--silent", "--pack-destination", tmp],
                              capture_output=True, text=True, timeout=300, check=False)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise AssetError(f"npm pack {package}@{version} failed: {last}")
        target = cache_dir() / f"{package}@{version}"
        staging = Path(tmp) / "unpacked"
        with tarfile.open(tarballs[0]) as tar:
            tar.extractall(staging, filter="data")  # refuses absolute paths, links out, devices
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(staging / "package", target)


def ensure(echo=print) -> None:
    """Install every missing package; AssetError if one cannot be installed."""
    for package, version in missing():
        echo(f"installing Solara's browser code {package}@{version} into {cache_dir()} (npm pack)")
        _install(package, version)


if __name__ == "__main__":
    try:
        ensure()
    except AssetError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"Solara's browser code is in {cache_dir()}")
