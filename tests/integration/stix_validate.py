#!/usr/bin/env python3
"""Validates STIX 2.1 bundles against the OASIS JSON Schemas (../shared/data/stix2-schemas):
the bundle against common/bundle.json and each object against the schema of its type.
Usage: stix_validate.py SCHEMAS_DIR FILE...   Exit 0 valid, 1 invalid, 77 no validator."""
import json
import os
import sys

try:
    import jsonschema
    from referencing import Registry, Resource
except ImportError:
    print("skip: python3-jsonschema is not installed")
    sys.exit(77)


def main():
    root = sys.argv[1]
    resources = []
    by_name = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".json"):
                with open(os.path.join(d, f)) as fh:
                    s = json.load(fh)
                resources.append((s["$id"], Resource.from_contents(s)))
                by_name[os.path.relpath(os.path.join(d, f), root)] = s
    reg = Registry().with_resources(resources)
    bad = 0
    for path in sys.argv[2:]:
        with open(path) as fh:
            doc = json.load(fh)
        checks = [("common/bundle.json", doc)]
        for o in doc.get("objects", []):
            for kind in ("sdos", "sros", "common"):
                name = "%s/%s.json" % (kind, o.get("type"))
                if name in by_name:
                    checks.append((name, o))
                    break
            else:
                print("%s: %s: no schema for this type" % (path, o.get("type")))
                bad += 1
        for name, inst in checks:
            v = jsonschema.Draft202012Validator(by_name[name], registry=reg)
            for e in v.iter_errors(inst):
                print("%s: %s %s: %s" % (path, name, inst.get("id", ""), e.message))
                bad += 1
    sys.exit(1 if bad else 0)


main()
