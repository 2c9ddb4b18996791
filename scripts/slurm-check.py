#!/usr/bin/env python3
"""Helpers of scripts/slurm-check.sh (standard library only).

  slurm-check.py same ONE.json MERGED.json
      The two JSON files hold the same numbers up to the order of summation (1e-9 relative), and
      the same everything else; keys about time (seconds, per_second) are left out. Prints how
      many numbers it compared.
  slurm-check.py manifest DIR
      Splits DIR/inputs.npy and DIR/labels.npy of `stexplain data` into one .npy per sample
      (batch axis of 1 kept) and writes DIR/manifest.csv ('path,label') for `--manifest`.
"""
import ast
import json
import math
import re
import struct
import sys

TIMING = re.compile(r"seconds|per_second", re.IGNORECASE)


def same(one_path, merged_path):
    compared = 0

    def walk(a, b, where):
        nonlocal compared
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(k for k in a.keys() | b.keys() if not TIMING.search(k)):
                if key not in a or key not in b:
                    sys.exit(f"{where}.{key} is in only one of the two")
                walk(a[key], b[key], f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                sys.exit(f"{where}: {len(a)} entries in one process's, {len(b)} merged")
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{where}[{i}]")
        elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
            compared += 1
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                sys.exit(f"{where}: {a} in one process's, {b} merged")
        elif a != b:
            sys.exit(f"{where}: {a!r} in one process's, {b!r} merged")

    with open(one_path) as one, open(merged_path) as merged:
        walk(json.load(one), json.load(merged), merged_path.rsplit("/", 1)[-1])
    print(compared)


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"{path}: not a .npy file")
    size = 2 if data[6] == 1 else 4
    length = int.from_bytes(data[8:8 + size], "little")
    header = ast.literal_eval(data[8 + size:8 + size + length].decode("latin1"))
    if header["descr"] != "<f4" or header["fortran_order"]:
        sys.exit(f"{path}: expected little-endian float32 in C order")
    return header["shape"], data[8 + size + length:]


def write_npy(path, shape, body):
    text = repr({"descr": "<f4", "fortran_order": False, "shape": tuple(shape)})
    text += " " * (63 - (10 + len(text)) % 64) + "\n"  # the header ends on a multiple of 64
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1") + body)


def manifest(folder):
    shape, inputs = read_npy(f"{folder}/inputs.npy")
    _, labels = read_npy(f"{folder}/labels.npy")
    count, step = shape[0], len(inputs) // shape[0]
    with open(f"{folder}/manifest.csv", "w") as f:
        f.write("path,label\n")
        for i in range(count):
            write_npy(f"{folder}/{i:05d}.npy", (1,) + tuple(shape[1:]), inputs[i * step:(i + 1) * step])
            f.write(f"{i:05d}.npy,{int(struct.unpack_from('<f', labels, 4 * i)[0])}\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "same":
        same(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "manifest":
        manifest(sys.argv[2])
    else:
        sys.exit(__doc__)
