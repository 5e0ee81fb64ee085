"""Saves screenshots of console pages from headless Chromium, for docs/img.

usage: console_screens.py BASE_URL OUT_DIR PATH=FILE.png...
The window is a fixed 1000 x 1400 so the pictures are the same from run to run except
for what the pages themselves say (a reference, the random words)."""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

base, out = sys.argv[1], sys.argv[2]
o = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1000,1400", "--hide-scrollbars", "--force-device-scale-factor=1"):
    o.add_argument(a)
o.accept_insecure_certs = True
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
try:
    for spec in sys.argv[3:]:
        path, name = spec.rsplit("=", 1)
        d.get(base + path)
        d.save_screenshot(os.path.join(out, name))
        print("saved %s (%s)" % (name, path))
finally:
    d.quit()
