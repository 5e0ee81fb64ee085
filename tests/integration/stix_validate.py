#!/usr/bin/env python3
"""Validates a STIX 2.1 bundle against the OASIS JSON schemas (../shared/data/stix2-schemas).

usage: stix_validate.py SCHEMAS_DIR [--refs-outside-ok] BUNDLE.json...

--refs-outside-ok: a *_ref may name an object that is not in the bundle (STIX allows
it; a sighting exported alone names an indicator its receiver already holds).

Checks, each failure named with the object's index, type and the schema's message:
  - the bundle itself against common/bundle.json, with its `objects` items checked one by
    one below (bundle.json's list of object schemas leaves out incident, note, grouping
    and extension-definition, and its fallback for other types is a oneOf of core.json
    and cyber-observable-core.json that every SDO satisfies twice, so a bundle holding an
    incident can never pass it as written);
  - every object against the schema of its type (sdos/, sros/, observables/, common/),
    and custom x- types against core.json (objects with `created`) or
    cyber-observable-core.json (observables);
  - every *_ref and *_refs value names an object in the bundle;
  - ids are unique;
  - every top-level custom property (x_...) is declared by an extension-definition in
    the bundle whose id the object lists in `extensions` as a
    toplevel-property-extension.
Exit 0 when valid, 1 when not, 77 when jsonschema is not installed (a skip)."""
import copy
import json
import pathlib
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    print("skip: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)


def load_schemas(root):
    schemas = {}
    for p in root.rglob("*.json"):
        d = json.loads(p.read_text())
        schemas[str(p.relative_to(root))] = d
    return schemas


def make_validator(schema, schemas):
    try:
        from referencing import Registry, Resource

        reg = Registry()
        for d in schemas.values():
            reg = reg.with_resource(d["$id"], Resource.from_contents(d))
        return Draft202012Validator(schema, registry=reg)
    except ImportError:
        # Debian's python3-jsonschema (4.10) predates `referencing`.
        store = {d["$id"]: d for d in schemas.values()}
        base = schema.get("$id", "")
        resolver = jsonschema.RefResolver(base, schema, store=store)
        return Draft202012Validator(schema, resolver=resolver)


def main():
    args = sys.argv[1:]
    outside_ok = "--refs-outside-ok" in args
    args = [a for a in args if a != "--refs-outside-ok"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(args[0])
    schemas = load_schemas(root)
    rc = 0
    for f in args[1:]:
        r = check_bundle(schemas, json.load(open(f, encoding="utf-8")), outside_ok)
        print("%s: %s" % (f, "ok" if r == 0 else "invalid"))
        rc = rc or r
    return rc


def check_bundle(schemas, doc, outside_ok):
    errors = []

    env = copy.deepcopy(schemas["common/bundle.json"])
    env["properties"]["objects"]["items"] = {"type": "object"}
    for e in make_validator(env, schemas).iter_errors(doc):
        errors.append("bundle: %s" % e.message[:300])

    objects = doc.get("objects", [])
    by_id = {}
    for i, o in enumerate(objects):
        oid = o.get("id")
        if oid in by_id:
            errors.append("objects[%d]: id %s used twice" % (i, oid))
        by_id[oid] = o

    validators = {}
    for i, o in enumerate(objects):
        t = o.get("type", "")
        key = None
        for folder in ("sdos", "sros", "observables", "common"):
            if "%s/%s.json" % (folder, t) in schemas:
                key = "%s/%s.json" % (folder, t)
                break
        if key is None:
            if not t.startswith("x-"):
                errors.append("objects[%d]: type %r has no schema and is not x-" % (i, t))
                continue
            key = "common/core.json" if "created" in o else "common/cyber-observable-core.json"
        if key not in validators:
            validators[key] = make_validator(schemas[key], schemas)
        for e in validators[key].iter_errors(o):
            errors.append("objects[%d] (%s, %s): %s" % (i, t, key, e.message[:300]))

    def refs(v):
        if isinstance(v, str):
            return [v]
        if isinstance(v, list):
            return [x for x in v if isinstance(x, str)]
        return []

    declared = {}
    for o in objects:
        if o.get("type") == "extension-definition":
            declared[o["id"]] = set(o.get("extension_properties", []))
    for i, o in enumerate(objects):
        for k, v in o.items():
            if k.endswith("_ref") or k.endswith("_refs"):
                for r in refs(v):
                    if r not in by_id and not outside_ok:
                        errors.append("objects[%d] (%s): %s names %s, not in the bundle"
                                      % (i, o.get("type"), k, r))
            if k.startswith("x_"):
                ok = False
                for ext, body in (o.get("extensions") or {}).items():
                    if (ext in declared and k in declared[ext]
                            and body.get("extension_type") == "toplevel-property-extension"):
                        ok = True
                if not ok:
                    errors.append("objects[%d] (%s): %s is not declared by an extension"
                                  % (i, o.get("type"), k))
    for e in errors[:50]:
        print(e)
    if errors:
        print("%d problem(s)" % len(errors))
        return 1
    print("ok: %d objects" % len(objects))
    return 0


if __name__ == "__main__":
    sys.exit(main())
