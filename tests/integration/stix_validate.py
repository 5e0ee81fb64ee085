#!/usr/bin/env python3
"""Validates STIX 2.1 bundles against the OASIS JSON Schemas (../shared/data/stix2-schemas):
the bundle against common/bundle.json and each object against the schema of its type.
Usage: stix_validate.py SCHEMAS_DIR FILE...   Exit 0 valid, 1 invalid, 77 no validator."""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("skip: python3-jsonschema is not installed")
    sys.exit(77)
try:  # jsonschema 4.18 and later
    from referencing import Registry, Resource
except ImportError:  # Debian 12's 4.10: the older resolver
    Registry = None


def main():
    root = sys.argv[1]
    resources = []
    store = {}
    by_name = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".json"):
                with open(os.path.join(d, f)) as fh:
                    s = json.load(fh)
                store[s["$id"]] = s
                if Registry:
                    resources.append((s["$id"], Resource.from_contents(s)))
                by_name[os.path.relpath(os.path.join(d, f), root)] = s
    reg = Registry().with_resources(resources) if Registry else None
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
            schema = by_name[name]
            if reg is not None:
                v = jsonschema.Draft202012Validator(schema, registry=reg)
            else:
                res = jsonschema.RefResolver(schema["$id"], schema, store=store)
                v = jsonschema.Draft202012Validator(schema, resolver=res)
            for e in v.iter_errors(inst):
                print("%s: %s %s: %s" % (path, name, inst.get("id", ""), e.message))
                bad += 1
    sys.exit(1 if bad else 0)


try:
    main()
except Exception as e:  # noqa: BLE001
    if Registry is not None:
        raise
    # jsonschema before 4.18 cannot follow every reference of these schemas.
    print("skip: this jsonschema cannot resolve the STIX schemas: %s" % e)
    sys.exit(77)
