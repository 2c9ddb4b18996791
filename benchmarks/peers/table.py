#!/usr/bin/env python3
"""Turns benchmarks/peers.sh's JSON lines (one per tool) into the markdown table.

Each input line: {"tool", "seconds": {measurement: s}, "max_rss_kb"}; stexplain's lines come from
`stexplain bench explain --json` / `bench lrp --json`, already mapped to the same names by peers.sh.
Ratio = peer seconds / stexplain seconds (> 1: stexplain faster).
"""
import json
import os
import sys

ROWS = ["forward", "gradcam", "gradcam++", "guided-backprop", "saliency", "occlusion", "lrp epsilon-alpha2-beta1",
        "spatial/temporal split", "end to end (gradcam)"]
PEERS = ["torch", "pytorch-grad-cam", "captum", "zennit"]

results = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        record = json.loads(line)
        entry = results.setdefault(record["tool"], {"seconds": {}, "max_rss_kb": 0})
        entry["seconds"].update(record["seconds"])
        entry["max_rss_kb"] = max(entry["max_rss_kb"], record.get("max_rss_kb", 0))

ours = results.get("stexplain", {"seconds": {}})["seconds"]
header = ["measurement", "stexplain s"] + [f"{p} s (ratio)" for p in PEERS]
print("| " + " | ".join(header) + " |")
print("|" + "---|" * len(header))
for row in ROWS:
    if row not in ours and not any(row in results.get(p, {"seconds": {}})["seconds"] for p in PEERS):
        continue
    cells = [row, f"{ours[row]:.3f}" if row in ours else "—"]
    for peer in PEERS:
        value = results.get(peer, {"seconds": {}})["seconds"].get(row)
        if value is None:
            cells.append("—")
        elif row in ours:
            cells.append(f"{value:.3f} ({value / ours[row]:.1f}×)")
        else:
            cells.append(f"{value:.3f}")
    print("| " + " | ".join(cells) + " |")
# Peak memory per process, from the /usr/bin/time files beside the JSON lines (KB): the LRP
# processes (stexplain bench lrp, zennit) run on LRP_INPUT, the others on INPUT.
directory = os.path.dirname(os.path.abspath(sys.argv[1]))


def megabytes(name):
    path = os.path.join(directory, name + ".rss")
    return f"{int(open(path).read().split()[-1]) / 1024:.0f}" if os.path.exists(path) else "—"


for label, names in [("peak memory, MB (ru_maxrss)", ["stexplain-explain", "torch", "pytorch-grad-cam", "captum", None]),
                     ("peak memory, MB, LRP process", ["stexplain-lrp", None, None, None, "zennit"])]:
    print("| " + " | ".join([label] + [megabytes(n) if n else "—" for n in names]) + " |")
