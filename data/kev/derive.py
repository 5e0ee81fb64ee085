#!/usr/bin/env python3
"""Derives data/kev/known_exploited_vulnerabilities.json from CISA's full catalog.

Keeps the catalog's own structure (so `wardwatch feeds import` reads either file) but
only the fields wardwatch uses, one entry per line.  Usage:
    python3 data/kev/derive.py FULL_CATALOG.json > data/kev/known_exploited_vulnerabilities.json
"""
import json
import sys

KEEP = ("cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "dueDate",
        "knownRansomwareCampaignUse")

def main(path):
    with open(path, encoding="utf-8") as f:
        cat = json.load(f)
    out = sys.stdout
    out.write("{\"title\": %s,\n \"catalogVersion\": %s,\n \"dateReleased\": %s,\n \"count\": %d,\n"
              " \"vulnerabilities\": [\n" % (json.dumps(cat.get("title", "")),
                                            json.dumps(cat.get("catalogVersion", "")),
                                            json.dumps(cat.get("dateReleased", "")),
                                            len(cat["vulnerabilities"])))
    vs = cat["vulnerabilities"]
    for i, v in enumerate(vs):
        e = {k: v[k] for k in KEEP if k in v}
        out.write("  " + json.dumps(e, ensure_ascii=False, separators=(",", ":")))
        out.write(",\n" if i + 1 < len(vs) else "\n")
    out.write(" ]\n}\n")

if __name__ == "__main__":
    main(sys.argv[1])
