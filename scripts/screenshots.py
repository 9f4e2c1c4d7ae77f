"""Screenshots of a served demo, for the README (run by scripts/screenshots.sh).

Signs in with Chromium as one demo account per role and saves, into --out:
home-<role>.png (each role's home), trail.png, process-map.png (skipped with a message while
the map page does not exist) and phone-menu.png (a 375 px wide page with the menu folded).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

CHROMIUM = Path(os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}
# Who shows the trail, the map and the phone: a quality lead reads them all.
READER_ROLE = "quality_lead"
PHONE_ROLE = "process_owner"


def read_logins(path: Path) -> dict[str, tuple[str, str]]:
    """role → (username, password): the first demo account of each role in `qms demo`'s file."""
    by_role: dict[str, tuple[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            username, password, role = parts
            by_role.setdefault(role, (username, password))
    return by_role


def sign_in(browser: Any, base: str, login: tuple[str, str], viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="es-CO", viewport=viewport, device_scale_factor=1)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", login[0])
    page.fill("input[name=password]", login[1])
    with page.expect_navigation():
        page.locator("form[action$='/login'] [type=submit]").click()
    if "/login" in page.url:
        raise SystemExit(f"!! {login[0]} could not sign in")
    return page


def shoot(
    page: Any, base: str, path: str, target: Path, *, missing_ok: bool = False, full: bool = True
) -> bool:
    response = page.goto(f"{base}{path}", wait_until="networkidle")
    status = response.status if response is not None else 0
    if missing_ok and status == 404:
        print(f"-- {path} answers 404 (not built yet): {target.name} skipped")
        return False
    if status >= 400:
        raise SystemExit(f"!! {path} answered {status}")
    page.screenshot(path=str(target), full_page=full)
    print(f"   {target}")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the served demo, e.g. http://127.0.0.1:8000")
    parser.add_argument("--logins", required=True, type=Path, help="<instance>/demo-logins.txt")
    parser.add_argument("--out", required=True, type=Path, help="folder for the PNG files")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"!! {CHROMIUM} not found (apt-get install chromium)", file=sys.stderr)
        return 1
    logins = read_logins(args.logins)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"==> screenshots into {args.out}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for role, login in logins.items():
                page = sign_in(browser, args.base, login, DESKTOP)
                shoot(page, args.base, "/dashboard", args.out / f"home-{role}.png")
                page.context.close()
            page = sign_in(browser, args.base, logins[READER_ROLE], DESKTOP)
            # The first screen of the versions' trail (signatures): its newest events are the
            # script's own sign-ins, and the whole of it is pages long.
            trail = "/trail/?object_type=document_version"
            shoot(page, args.base, trail, args.out / "trail.png", full=False)
            shoot(page, args.base, "/processes/map", args.out / "process-map.png", missing_ok=True)
            page.context.close()
            page = sign_in(browser, args.base, logins[PHONE_ROLE], PHONE)
            page.goto(f"{args.base}/dashboard", wait_until="networkidle")
            if page.locator("#mainnav").is_visible():
                raise SystemExit("!! at 375 px the main menu should be folded")
            # The top of the page as a phone shows it: the menu button, not the menu.
            page.screenshot(path=str(args.out / "phone-menu.png"))
            print(f"   {args.out / 'phone-menu.png'}")
            page.context.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
