#!/usr/bin/env python3
"""Independent safetensors reader and writer for SafeTensorsTests, using only json + numpy.

  safetensors_reference.py write PATH   writes the reference file described below
  safetensors_reference.py check PATH   reads a file SeqLang wrote and checks its contents;
                                        exits non-zero, saying why, on any mismatch

Reference contents (both directions):
  "dense0.weight"  float32 [2, 3] = [[1.5, -2.25, 3.0], [0.1, 1e-8, -7.0]]
  "dense0.bias"    float32 [2]    = [0.5, -0.5]
  "scalar"         float32 []     = 42.0
  "empty"          float32 [0, 4] (no data)
  metadata {"format": "seqlang-weights", "version": "1", "note": "caf\u00e9 \"quoted\""}
The writer puts the tensors in a different order from the data and pads the header with
spaces, as the format allows.
"""
import json
import struct
import sys

import numpy as np

EXPECTED = {
    "dense0.weight": np.array([[1.5, -2.25, 3.0], [0.1, 1e-8, -7.0]], dtype="<f4"),
    "dense0.bias": np.array([0.5, -0.5], dtype="<f4"),
    "scalar": np.array(42.0, dtype="<f4"),
    "empty": np.zeros((0, 4), dtype="<f4"),
}
METADATA = {"format": "seqlang-weights", "version": "1", "note": "caf\u00e9 \"quoted\""}


def write(path):
    # Data order: bias, scalar, weight, empty (header lists them in another order).
    order = ["dense0.bias", "scalar", "dense0.weight", "empty"]
    header, blobs, offset = {"__metadata__": METADATA}, [], 0
    for name in order:
        raw = EXPECTED[name].tobytes()
        header[name] = {"dtype": "F32", "shape": list(EXPECTED[name].shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    # Reverse the key order so header order differs from data order.
    text = json.dumps(dict(reversed(list(header.items()))), ensure_ascii=True).encode()
    text += b" " * (13 - len(text) % 8 + 8)  # pad with spaces (deliberately not to a multiple of 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def check(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    meta = header.pop("__metadata__", {})
    if meta != METADATA:
        sys.exit(f"metadata mismatch: {meta!r} != {METADATA!r}")
    if set(header) != set(EXPECTED):
        sys.exit(f"tensor names mismatch: {sorted(header)} != {sorted(EXPECTED)}")
    for name, info in header.items():
        if info["dtype"] != "F32":
            sys.exit(f"{name}: dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        got = np.frombuffer(data[begin:end], dtype="<f4").reshape(info["shape"])
        want = EXPECTED[name]
        if got.shape != want.shape or got.tobytes() != want.tobytes():
            sys.exit(f"{name}: got {got!r}, expected {want!r}")
    print("ok")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    (write if sys.argv[1] == "write" else check)(sys.argv[2])
