#!/usr/bin/env python3
"""Extracts sample_keys.json from the ENS fact base (shared/reference/ens-facts.md).

For every event of section "c. Per-event payloads": the ids of its samples (s1, s2, ...) with
their status letter (R, I, P, G), and for every key of `data` listed in the event's tree, the
samples that carry it. Paths are dotted from `data`; array items add `[]`
(`data.earningActivityReference[].name`). Sub-objects collapsed to a shared shape
(`→ CustomerIdentifiers {...}`) list no per-sample keys, so their inner keys are not recorded.

Run from the repository root when the fact base changes:
    python3 schemas/tests/data/extract_sample_keys.py ../shared/reference/ens-facts.md \
        > schemas/tests/data/sample_keys.json
"""
import json
import re
import sys

def main(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    events = {}
    event = None
    in_tree = False
    stack = []  # (indent, path)
    for line in lines:
        heading = re.match(r"^### (\S+)\s*$", line)
        if heading:
            event = {"samples": {}, "keys": {}}
            events[heading.group(1)] = event
            in_tree = False
            continue
        if line.startswith("## "):
            event = None
            continue
        if event is None:
            continue
        sample = re.match(r"^\* (s\d+) — (\w) — ", line)
        if sample and not in_tree:
            event["samples"][sample.group(1)] = sample.group(2)
            continue
        if line.startswith("```text"):
            in_tree = True
            stack = []
            continue
        if line.startswith("```"):
            in_tree = False
            continue
        if not in_tree:
            continue
        entry = re.match(r"^(\s*)(\[\] \(items\)|[^\s:]+): .*?\[((?:s\d+,?)+)\]", line)
        if not entry:
            continue
        indent = len(entry.group(1))
        key = entry.group(2)
        tags = entry.group(3).split(",")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else ""
        if key == "[] (items)":
            path = parent + "[]"
        elif parent:
            path = parent + "." + key
        else:
            path = key
        event["keys"][path] = tags
        stack.append((indent, path))
    json.dump({"source": "shared/reference/ens-facts.md, section c (per-event payload trees)",
               "events": {name: e for name, e in sorted(events.items()) if e["keys"]}},
              sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")

if __name__ == "__main__":
    main(sys.argv[1])
