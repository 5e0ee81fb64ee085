"""The console end to end in headless Chromium (see console_e2e.sh).

usage: console_e2e.py BASE AXE_JS SYSLOG_PORT PASSWORD_FILE TOTP_FILE SRC DB WW [SHOTS_DIR]

Every step is done the way a person does it: pages opened by their links, forms filled
in and buttons pressed.  The JSON API is read only to wait for the server and to check
what a page cannot show."""
import json
import os
import socket
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, axe_path, syslog_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
password = open(sys.argv[4]).read()
totp_secret = open(sys.argv[5]).read().strip()
src, db, ww = sys.argv[6], sys.argv[7], sys.argv[8]
shots = sys.argv[9] if len(sys.argv) > 9 and sys.argv[9] else None
axe = open(axe_path, encoding="utf-8").read()

fails = 0
visited = []


def check(name, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + name + (" (%s)" % detail if detail and not ok else ""))
    fails += 0 if ok else 1
    return ok


o = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1280,1600"):
    o.add_argument(a)
o.accept_insecure_certs = True
o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
d.set_page_load_timeout(60)


def audit_page(label):
    """axe-core on the page shown, no script of a hostile value ran, no CSP report."""
    d.execute_script(axe)
    res = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map("
        "v => [v.id, v.impact, v.nodes.length])));")
    bad = [v for v in res if v[1] in ("serious", "critical")]
    csp = [l["message"] for l in d.get_log("browser") if "Content Security Policy" in l.get("message", "")]
    pwned = "pwned" in d.title or d.execute_script("return window.__pwned === true")
    check("axe-core, CSP and escaping on %s (%s)" % (label, d.title), not bad and not csp and not pwned,
          "axe %s csp %s pwned %s" % (bad, csp[:2], pwned))
    visited.append(label)


def shot(name):
    if shots:
        os.makedirs(shots, exist_ok=True)
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(os.path.join(shots, name + ".png"))


def go(path, label=None):
    d.get(base + path)
    audit_page(label or path)


def api(path):
    """GET an API path with the browser's session (same origin)."""
    txt = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text()).then(done, e => done('ERR ' + e));",
        path)
    try:
        return json.loads(txt)
    except ValueError:
        return {"_text": txt}


def send(lines):
    s = socket.create_connection(("127.0.0.1", syslog_port))
    s.sendall(b"".join(l.encode() + b"\n" for l in lines))
    s.close()


def wait_for(what, fn, timeout=60):
    t = time.time() + timeout
    while time.time() < t:
        v = fn()
        if v:
            return v
        time.sleep(0.3)
    check("waited for " + what, False, "timed out")
    return None


def totp():
    return subprocess.run(["oathtool", "--totp", "-b", totp_secret], capture_output=True,
                          text=True).stdout.strip()


def button(text):
    for b in d.find_elements(By.CSS_SELECTOR, "button, input[type=submit]"):
        if b.text.strip() == text or (b.get_attribute("value") or "") == text:
            return b
    raise AssertionError("no button %r on %s" % (text, d.current_url))


def link(text):
    return d.find_element(By.PARTIAL_LINK_TEXT, text)


def group_checkbox(rule_title, host):
    """The checkbox of the group row that names the rule and the host."""
    for row in d.find_elements(By.CSS_SELECTOR, "tr"):
        t = row.text
        if rule_title in t and host in t:
            return row.find_element(By.CSS_SELECTOR, "input[type=checkbox]")
    raise AssertionError("no group %s on %s" % (rule_title, host))


try:
    # ---- sign in with password and TOTP, through the form ----
    go("/login", "the sign-in page")
    shot("login")
    d.find_element(By.ID, "user").send_keys("rita")
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "totp").send_keys(totp())
    button("Sign in").click()
    check("signed in with password and TOTP: the overview opens", d.title.startswith("Overview"),
          d.current_url + " " + d.title + " " + d.page_source[-1500:])

    # ---- an attack arrives over syslog, with hostile values ----
    now = time.strftime("%b %e %H:%M:%S", time.gmtime())
    hostile_host = "<script>window.__pwned=true;document.title='pwned'</script>"
    send(open(os.path.join(src, "tests/data/sample/auth.log")).read().splitlines())
    send(["<38>%s %s app[1]: e2e-marker one" % (now, hostile_host),
          "<38>%s ward7-pc02 app[1]: e2e-marker \"><img src=x onerror=\"window.__pwned=true\"> two" % now,
          "<38>%s pacs-srv01 app[1]: e2e-marker three %s" % (now, "\u00e9\ufffd" + "A" * 3000)])
    groups = wait_for("the alerts to arrive", lambda: (lambda j: j if j.get("total_groups", j.get("groups_total", 0)) or len(j.get("groups", [])) >= 4 else None)(api("/api/v1/alerts")))
    go("/", "the overview with alerts")
    shot("overview")

    # ---- triage a group ----
    link("Alerts").click()
    audit_page("the alert groups")
    shot("alerts")
    body = d.find_element(By.TAG_NAME, "main").text
    check("the hostile host name is shown as text", hostile_host in body)
    group_checkbox("SSH Password Guessing", "pacs-gw01").click()
    d.find_element(By.ID, "reason").send_keys("Known pen test by the IT team")
    button("Acknowledge").click()
    audit_page("the alert groups after an acknowledgement")
    j = api("/api/v1/alerts?status=acknowledged")
    check("the group is acknowledged", "pacs-gw01" in json.dumps(j), json.dumps(j)[:300])

    # ---- one alert's page ----
    d.get(base + "/alerts?host=pacs-srv01")
    d.find_elements(By.CSS_SELECTOR, "main a[href*='group_rule']")[0].click()
    audit_page("one group's alerts")
    d.find_elements(By.CSS_SELECTOR, "main a[href^='/alerts/']")[0].click()
    audit_page("an alert's page")
    shot("alert")
    main = d.find_element(By.TAG_NAME, "main").text
    check("the alert's page shows its event and its asset from the register",
          "e2e-marker three" in main and "pacs" in main.lower(), main[:300])
    link("audit findings").click()
    audit_page("the asset's page from an alert")
    check("the alert's asset link opens the asset with its findings",
          "pacs-srv01" in d.find_element(By.TAG_NAME, "main").text)

    # ---- suppress with an expiry; the engine honours it ----
    d.get(base + "/alerts")
    group_checkbox("E2E marker seen", "ward7-pc02").click()
    d.find_element(By.ID, "reason").send_keys("Noisy test host, fix due next week")
    ex = d.find_element(By.ID, "expires_days")
    ex.clear()
    ex.send_keys("7")
    button("Suppress").click()
    audit_page("after suppressing")
    go("/suppressions", "the suppressions")
    shot("suppressions")
    main = d.find_element(By.TAG_NAME, "main").text
    check("the suppression is listed with its reason", "Noisy test host" in main, main[:300])

    def count(host):
        j = api("/api/v1/alerts?view=alerts&status=all&rule=E2E&host=" + host)
        return j.get("total", j.get("total_alerts", len(j.get("alerts", []))))
    before_sup, before_other = count("ward7-pc02"), count("fin-pc14")
    send(["<38>%s ward7-pc02 app[1]: e2e-marker again" % now,
          "<38>%s fin-pc14 app[1]: e2e-marker unrelated" % now])
    wait_for("the unrelated new event to alert", lambda: count("fin-pc14") > before_other)
    check("the suppressed group raised no new alert, the unrelated event did",
          count("ward7-pc02") == before_sup and count("fin-pc14") == before_other + 1,
          "%s -> %s" % (before_sup, count("ward7-pc02")))

    # ---- escalate to an incident, and export it ----
    d.get(base + "/alerts?view=alerts&host=pacs-srv01")
    audit_page("single alerts")
    for cb in d.find_elements(By.CSS_SELECTOR, "main input[type=checkbox]"):
        cb.click()
    button("Escalate to incident").click()
    audit_page("the new incident")
    shot("incident")
    main = d.find_element(By.TAG_NAME, "main").text
    check("escalating opens an incident with the alert on its timeline",
          "INC-" in d.title + main and "pacs-srv01" in main, d.title + " " + main[:200])
    j = api("/api/v1/alerts?view=alerts&status=escalated&host=pacs-srv01")
    check("the escalated alert left the open list (status escalated)",
          "pacs-srv01" in json.dumps(j), json.dumps(j)[:200])
    exp = [a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "main a[href$='export.json'], main a[href$='export.stix.json']")]
    check("the incident links its JSON and STIX exports", len(exp) == 2, str(exp))
    for h in exp:
        j = api(h.replace(base, ""))
        check("export %s is JSON" % h.rsplit("/", 1)[-1], "_text" not in j, str(j)[:200])
        if h.endswith("stix.json"):
            check("the STIX export is a bundle with an incident",
                  j.get("type") == "bundle" and any(o.get("type") == "incident" for o in j.get("objects", [])))

    # ---- a member of staff reports a concern; it arrives in triage ----
    session = d.get_cookie("__Host-ww_session")
    d.delete_all_cookies()
    go("/report", "the report form")
    shot("report")
    d.find_element(By.XPATH, "//label[contains(., 'I clicked a link or typed my password')]").click()
    d.find_element(By.XPATH, "//label[contains(., 'I typed my password or other details')]").click()
    button("Send report").click()
    audit_page("the advice after a report")
    shot("report-advice")
    main = d.find_element(By.TAG_NAME, "main").text
    check("the advice tells them to change their password", "password" in main.lower(), main[:300])
    d.get(base + "/assets/wardwatch.css")
    d.add_cookie({"name": "__Host-ww_session", "value": session["value"], "path": "/",
                  "secure": True, "httpOnly": True, "sameSite": "Strict"})
    go("/alerts", "the alert groups with a staff report")
    check("the staff report is in triage", "Staff report" in d.find_element(By.TAG_NAME, "main").text)

    # ---- a fire-break planned from an alert's page ----
    d.get(base + "/alerts?view=alerts&status=all&host=pacs-srv01")
    d.find_elements(By.CSS_SELECTOR, "main a[href^='/alerts/']")[0].click()
    link("Plan a fire-break for this host").click()
    audit_page("the fire-break plan form")
    check("the plan form has the host filled in",
          d.find_element(By.ID, "host").get_attribute("value") == "10.30.0.5",
          d.find_element(By.ID, "host").get_attribute("value"))
    d.find_element(By.ID, "reason").send_keys("PACS server alerting; isolate while we look")
    d.find_element(By.XPATH, "//button[starts-with(normalize-space(.), 'Make the')]").click()
    audit_page("the fire-break plan")
    shot("firebreak-plan")
    main = d.find_element(By.TAG_NAME, "main").text
    check("the plan shows what it cuts and what keeps working",
          "10.30.0.5" in main and ("keep" in main.lower() or "clinical" in main.lower()), main[:300])
    go("/firebreaks", "the fire-break map")
    shot("firebreaks")
    go("/estate", "the estate")
    shot("estate")
    go("/board", "the board report")
    shot("board")
    go("/cyberalerts", "the cyber alerts")
finally:
    d.quit()
print("%d pages checked: %s" % (len(visited), ", ".join(visited)))
sys.exit(1 if fails else 0)
