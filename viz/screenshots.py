"""The dashboard screenshots in docs/ (README and docs/DASHBOARD.md show them), taken from a
real server in headless chromium:

    python -m smartregion.viz.screenshots docs        # about 5 minutes at full population

English pages unless the name says Dutch; the page's default replications (20); one new
fieldlab in Groningen, so that the page shows what a lever adds.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .served import CHROMIUM, FLAGS, serve, wait_shown

HD, FULL_HD, NARROW = {"width": 1280, "height": 720}, {"width": 1920, "height": 1080}, {"width": 1024, "height": 720}


def nudge(pg, lever: str, key: str = "ArrowRight") -> None:
    before = pg.locator("[data-testid=status]").get_attribute("data-wanted")
    pg.locator(f"[data-lever={lever}] [role=slider]").focus()
    pg.keyboard.press(key)
    wait_shown(pg, before)


def top(pg) -> None:
    """Scroll every scrolled box of the page back to its top (the page scrolls inside Solara's
    layout, not the window) and take the focus off the last slider moved."""
    pg.evaluate("""() => { document.activeElement && document.activeElement.blur();
        document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; }); }""")
    pg.mouse.move(0, 0)
    pg.wait_for_timeout(300)


def take(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []

    def shot(pg, name: str, locator=None) -> None:
        path = out / f"dashboard_{name}.png"
        (locator or pg).screenshot(path=str(path))
        saved.append(path)

    with serve() as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(viewport=FULL_HD)
        pg.set_default_timeout(600_000)
        pg.goto(url + "?lang=en")
        wait_shown(pg)
        nudge(pg, "fieldlabs")
        for size, tag in ((FULL_HD, "1920"), (HD, "1280")):
            pg.set_viewport_size(size)
            top(pg)
            shot(pg, f"levers_{tag}")
            pg.locator("[data-testid=map-table]").scroll_into_view_if_needed()
            shot(pg, f"map_table_{tag}")
        pg.set_viewport_size(NARROW)  # below 1280 px the sidebar folds away behind a button
        top(pg)
        shot(pg, "controls_1024")
        pg.set_viewport_size(FULL_HD)
        top(pg)
        pg.locator(".sr-comparison [data-comparison=scenario]").click()
        pg.locator(".sr-title", has_text="against no policy").wait_for()
        top(pg)
        shot(pg, "scenario_1920")
        pg.locator(".sr-comparison [data-comparison=levers]").click()
        pg.get_by_role("tab", name="Compare scenarios").click()
        pg.locator("[data-testid=compare-status][data-ready='1']").wait_for(state="attached")
        shot(pg, "compare_1920")
        pg.get_by_role("tab", name="Explorer").click()
        pg.locator("[data-testid=headline]").wait_for()
        pg.get_by_text("Upload or paste a scenario YAML").click()
        pg.get_by_label("Paste YAML").fill("name: typo\npolicies:\n  - {type: fieldlabz, start: 2026Q1, end: 2030Q4, "
                                           "budget_eur: 1}\n")
        pg.get_by_role("button", name="Use pasted YAML").click()
        error = pg.locator(".sr-load-error")
        error.wait_for()
        shot(pg, "bad_yaml", pg.locator(".v-card", has=error))

        # Dutch, the default: a fresh page, the glossary open.
        nl = browser.new_page(viewport=FULL_HD)
        nl.set_default_timeout(600_000)
        nl.goto(url)
        wait_shown(nl)
        nudge(nl, "fieldlabs")
        nl.get_by_text("Woordenlijst").click()
        nl.locator("[data-testid=glossary]").wait_for()
        top(nl)
        shot(nl, "dutch_1920")

        # Single run: twelve quarters stepped, without Mesa's developer controls (no dev=1).
        sr = browser.new_page(viewport={"width": 1500, "height": 1250})
        sr.set_default_timeout(600_000)
        sr.goto(url + "?lang=en")
        wait_shown(sr)
        sr.get_by_role("tab", name="Single run").click()
        step = sr.get_by_role("button", name="Step")
        step.wait_for()
        for n in range(1, 13):
            step.click()
            sr.get_by_text(f"Step: {n}", exact=True).wait_for()
        sr.get_by_text("Stage changes this quarter:").wait_for()
        sr.wait_for_timeout(1500)
        top(sr)
        shot(sr, "single_run")
        browser.close()
    return saved


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Take the dashboard screenshots shown in docs/.")
    ap.add_argument("out", type=Path, help="folder for the PNG files (docs/)")
    args = ap.parse_args(argv)
    for path in take(args.out):
        print(path)


if __name__ == "__main__":
    main()
