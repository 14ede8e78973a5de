#!/usr/bin/env python3
"""Validates JSON reports against docs/schemas/report.schema.json with python3-jsonschema.

Usage: validate_json.py SCHEMA REPORT.json [REPORT.json ...]
Exit 0 when every report is valid; 1 (printing each error with its path) otherwise.
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    bad = 0
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            instance = json.load(f)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{path}: {where}: {error.message}")
        bad += bool(errors)
        if not errors:
            print(f"{path}: valid against {argv[1]}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
