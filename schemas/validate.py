#!/usr/bin/env python3
"""Validates the golden encoded samples against the JSON Schemas.

Usage: validate.py PROJECT_DIR

Every tests/golden/events/<Type>.v<N>.json must validate against
schemas/events/<Type>.v<N>.schema.json, every schema must have a sample, and
tests/golden/commit.json must validate against schemas/commit.schema.json
with each of its events validating against its own schema. Prints
"N passed, N failed" and exits non-zero on any failure.
"""
import json
import pathlib
import sys

import jsonschema


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    root = pathlib.Path(sys.argv[1])
    schemas = {p.name[: -len(".schema.json")]: load(p) for p in (root / "schemas" / "events").glob("*.schema.json")}
    passed, failed = 0, 0

    def check(instance, schema, what):
        nonlocal passed, failed
        try:
            jsonschema.validate(instance, schema, cls=jsonschema.Draft202012Validator)
            passed += 1
        except jsonschema.ValidationError as e:
            failed += 1
            print(f"FAIL {what}: {e.message}")

    for name, schema in sorted(schemas.items()):
        jsonschema.Draft202012Validator.check_schema(schema)
        sample = root / "tests" / "golden" / "events" / f"{name}.json"
        if not sample.exists():
            failed += 1
            print(f"FAIL {name}: no golden sample")
            continue
        check(load(sample), schema, name)

    commit = load(root / "tests" / "golden" / "commit.json")
    check(commit, load(root / "schemas" / "commit.schema.json"), "commit")
    for event in commit.get("events", []):
        key = f"{event.get('type')}.v{event.get('schema')}"
        if key not in schemas:
            failed += 1
            print(f"FAIL commit event {key}: no schema")
            continue
        check(event, schemas[key], f"commit event {key}")

    # The schemas reject what they should: a sample with a field removed.
    sample = load(root / "tests" / "golden" / "events" / "OrderCreated.v1.json")
    del sample["data"]["price_cents"]
    try:
        jsonschema.validate(sample, schemas["OrderCreated.v1"], cls=jsonschema.Draft202012Validator)
        failed += 1
        print("FAIL OrderCreated schema accepts a sample without price_cents")
    except jsonschema.ValidationError:
        passed += 1

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
