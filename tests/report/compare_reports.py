#!/usr/bin/env python3
"""Compares two JSON reports for equality, ignoring what differs from run to run.

Usage: compare_reports.py UNSHARDED.json MERGED.json
Ignored: cells[].step_time_ms, cells[].wall_seconds and cells[].first_divergent_op.seconds
(timings). Everything else, the
plan included, must be equal. Exit 0 when equal; 1 with a unified diff otherwise.
"""
import difflib
import json
import sys


def normalized(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    for cell in report.get("cells", []):
        cell["step_time_ms"] = "<timing>"
        cell["wall_seconds"] = "<timing>"
        if isinstance(cell.get("first_divergent_op"), dict):
            cell["first_divergent_op"]["seconds"] = "<timing>"
    return json.dumps(report, indent=2, ensure_ascii=False).splitlines()


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    a, b = normalized(argv[1]), normalized(argv[2])
    if a == b:
        print(f"{argv[2]} equals {argv[1]} (timings aside): {len(a)} lines")
        return 0
    sys.stdout.writelines(line + "\n" for line in difflib.unified_diff(a, b, argv[1], argv[2]))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
