#!/usr/bin/env python3
"""Validates schemas/examples with a real JSON Schema validator (draft 2020-12).

The Swift test OTPEventsTests/SchemaExampleTests checks the same examples with a small
validator of its own and against the decoder; this script is the outside opinion that
keeps that small validator honest. Not part of `make test`.

Needs: pip install jsonschema rfc3339-validator pyyaml
(rfc3339-validator makes `format: date-time` an assertion; without it jsonschema
silently ignores the format.)

Exit status 0 when every valid example passes, every invalid example fails at the
expected field and rule (schemas/examples/invalid/index.json), and every $ref in
schemas/asyncapi.yaml resolves.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent / "schemas"
EVENTS = ["otp.requested", "otp.submitted", "otp.sent", "otp.verified", "otp.failed"]


def load_schemas():
    schemas = {}
    for event in EVENTS:
        schema = json.loads((ROOT / f"{event}.schema.json").read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[event] = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
    try:
        import rfc3339_validator  # noqa: F401
    except ImportError:
        sys.exit("rfc3339-validator is not installed: format date-time would not be checked")
    return schemas


def document_verdict(raw):
    """(value, None) for a JSON document, or (None, rule) when the bytes are not one."""
    if not raw:
        return None, "emptyValue"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "invalidUTF8"
    try:
        return json.loads(text), None
    except json.JSONDecodeError:
        return None, "notJSON"


def verdicts(validator, value):
    """The set of (field, rule) the schema reports, in the decoder's terms."""
    found = set()
    for error in validator.iter_errors(value):
        path = list(error.absolute_path)
        if error.validator == "required" and not path:
            missing = error.message.split("'")[1]
            found.add((missing, "required"))
        elif not path:
            found.add((None, "notObject" if error.validator == "type" else error.validator))
        else:
            found.add((path[0], error.validator))
    return found


def event_of(name):
    return ".".join(name.split(".")[:2])


def main():
    schemas = load_schemas()
    failures = []
    valid = sorted((ROOT / "examples" / "valid").glob("*.json"))
    for path in valid:
        value, problem = document_verdict(path.read_bytes())
        errors = verdicts(schemas[event_of(path.name)], value) if problem is None else {(None, problem)}
        if errors:
            failures.append(f"valid/{path.name}: rejected with {sorted(errors, key=str)}")
    index = json.loads((ROOT / "examples" / "invalid" / "index.json").read_text())
    files = {p.name for p in (ROOT / "examples" / "invalid").glob("*.json")} - {"index.json"}
    for name in sorted(files ^ set(index)):
        failures.append(f"invalid/{name}: in the folder or in index.json but not both")
    for name, expected in sorted(index.items()):
        value, problem = document_verdict((ROOT / "examples" / "invalid" / name).read_bytes())
        errors = verdicts(schemas[expected["event"]], value) if problem is None else {(None, problem)}
        want = (expected["field"], expected["rule"])
        if want not in errors:
            failures.append(f"invalid/{name}: expected {want}, the schema says {sorted(errors, key=str)}")
    failures += check_asyncapi()
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(valid)} valid and {len(index)} invalid examples checked, {len(failures)} failures")
    return 1 if failures else 0


def check_asyncapi():
    document = yaml.safe_load((ROOT / "asyncapi.yaml").read_text())
    failures = []

    def resolve(ref):
        target, _, pointer = ref.partition("#")
        node = document if not target else json.loads((ROOT / target).read_text())
        for part in filter(None, pointer.split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def walk(node, where):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not resolve(ref):
                failures.append(f"asyncapi.yaml {where}: $ref {ref} does not resolve")
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for offset, child in enumerate(node):
                walk(child, f"{where}/{offset}")

    if document.get("asyncapi") != "3.0.0":
        failures.append("asyncapi.yaml: not an AsyncAPI 3.0.0 document")
    walk(document, "")
    return failures


if __name__ == "__main__":
    sys.exit(main())
