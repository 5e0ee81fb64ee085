"""Loads console pages in headless Chromium as a signed-in person and runs axe-core.

usage: console_browser.py BASE_URL AXE_JS SESSION_COOKIE PATH...
An empty SESSION_COOKIE loads the pages signed out.  Prints one ok/FAIL line per page
and exits 1 when any page has a serious or critical axe-core violation, a
Content-Security-Policy report, or a JavaScript error in the console."""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

base, axe_path, session = sys.argv[1], sys.argv[2], sys.argv[3]
paths = sys.argv[4:]
axe = open(axe_path, encoding="utf-8").read()
o = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
    o.add_argument(a)
o.accept_insecure_certs = True
o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
fails = 0
try:
    d.get(base + "/assets/wardwatch.css")
    if session:
        d.add_cookie({"name": "__Host-ww_session", "value": session, "path": "/",
                      "secure": True, "httpOnly": True, "sameSite": "Strict"})
    for path in paths:
        d.get_log("browser")  # drop what earlier pages logged
        d.get(base + path)
        d.execute_script(axe)
        res = d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
            "v => [v.id, v.impact, v.nodes.length])));")
        bad = [v for v in res if v[1] in ("serious", "critical")]
        logs = [l["message"] for l in d.get_log("browser")
                if "Content Security Policy" in l.get("message", "")
                or l.get("level") == "SEVERE" and "favicon" not in l.get("message", "")]
        ok = not bad and not logs
        print(("ok   " if ok else "FAIL ") + "browser %s (%s): axe-core %s, console %s" %
              (path, d.title, bad or "clean", logs or "clean"))
        fails += 0 if ok else 1
finally:
    d.quit()
sys.exit(1 if fails else 0)
