#!/usr/bin/env python3
"""Independent numpy versions of PyTorch's nn.GRU, nn.RNN and nn.LSTM (num_layers, bidirectional,
packed sequences), for RecurrentNumpyReferenceTests and the model-file test in InterpreterTests.

  recurrent_reference.py known PATH          writes the known answers to PATH (safetensors)
  recurrent_reference.py model FILE IDS      runs a SeqLang model file (safetensors, PyTorch
                                             names) on IDS (a JSON list of equally long id
                                             lists) and prints its outputs as JSON

Seed: SEED = 20261201 (numpy.random.default_rng). Known answers, for each case below:
  {case}.weight_ih_l{k}[_reverse] …   the weights, PyTorch names and layouts
  {case}.input [T, B, I]   {case}.h0 [layers·dirs, B, H] (LSTM also c0)
  {case}.output [T, B, dirs·H]  zero where t >= length;  {case}.h_n [layers·dirs, B, H] (LSTM c_n)
Cases (T = 6, B = 3, lengths 6, 3, 1, metadata "lengths"):
  gru       I 4, H 5, 2 layers, bidirectional       rnn_tanh  I 4, H 6, 1 layer
  rnn_relu  I 4, H 5, 2 layers, bidirectional       lstm      I 4, H 5, 2 layers, bidirectional
Gate orders as PyTorch: GRU (r, z, n) with n = tanh(W_in x + b_in + r * (W_hn h + b_hn));
LSTM (i, f, g, o). The backward direction of each sequence starts at its own last real step,
as with torch.nn.utils.rnn.pack_padded_sequence. Everything runs in float64 on the float32
values and is stored as float32. The safetensors file is written by hand: 8-byte little-endian
header length, a JSON header, the raw data.
"""
import json
import struct
import sys

import numpy as np

SEED = 20261201
T, B = 6, 3
LENGTHS = [6, 3, 1]
CASES = [("gru", "gru", 4, 5, 2, True), ("rnn_tanh", "rnn_tanh", 4, 6, 1, False),
         ("rnn_relu", "rnn_relu", 4, 5, 2, True), ("lstm", "lstm", 4, 5, 2, True)]
GATES = {"gru": 3, "rnn_tanh": 1, "rnn_relu": 1, "lstm": 4}


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def cell_step(mode, x, state, w_ih, w_hh, b_ih, b_hh):
    """One step for rows x [B, In] from state (h,) or (h, c); returns the new state."""
    h = state[0]
    H = w_hh.shape[1]
    if mode == "gru":
        gx = x @ w_ih.T + b_ih
        gh = h @ w_hh.T + b_hh
        r = sigmoid(gx[:, :H] + gh[:, :H])
        z = sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
        n = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
        return ((1 - z) * n + z * h,)
    if mode in ("rnn_tanh", "rnn_relu"):
        a = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
        return (np.tanh(a) if mode == "rnn_tanh" else np.maximum(a, 0),)
    a = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
    g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c = f * state[1] + i * g
    return (o * np.tanh(c), c)


def direction(mode, x, lengths, p, state, reverse):
    """One direction over x [T, B, In]: outputs [T, B, H] and the final state. Sequence b is read
    over its first lengths[b] steps (backwards from its last when `reverse`)."""
    steps, batch, _ = x.shape
    H = p[1].shape[1]
    out = np.zeros((steps, batch, H))
    final = [s.copy() for s in state]
    for b in range(batch):
        s = tuple(v[b:b + 1] for v in state)
        order = range(lengths[b] - 1, -1, -1) if reverse else range(lengths[b])
        for t in order:
            s = cell_step(mode, x[t, b:b + 1], s, *p)
            out[t, b] = s[0][0]
        for k, v in enumerate(s):
            final[k][b] = v[0]
    return out, final


def stack(mode, x, lengths, params, layers, bidirectional, state0):
    """nn.GRU/RNN/LSTM(num_layers=layers, bidirectional=...) on a padded batch.
    params(k, suffix) -> (w_ih, w_hh, b_ih, b_hh); state0[j] per (layer, direction)."""
    finals = []
    for k in range(layers):
        outs = []
        for d, suffix in enumerate(["", "_reverse"] if bidirectional else [""]):
            j = k * (2 if bidirectional else 1) + d
            y, final = direction(mode, x, lengths, params(k, suffix), state0[j], reverse=d == 1)
            outs.append(y)
            finals.append(final)
        x = np.concatenate(outs, axis=2)
    return x, finals


def known(path):
    rng = np.random.default_rng(SEED)

    def uniform(*shape, scale=0.6):
        return rng.uniform(-scale, scale, size=shape).astype("<f4")

    tensors = {}
    for case, mode, I, H, layers, bidi in CASES:
        dirs = 2 if bidi else 1
        G = GATES[mode] * H
        for k in range(layers):
            size = I if k == 0 else dirs * H
            for suffix in ["", "_reverse"][:dirs]:
                tensors[f"{case}.weight_ih_l{k}{suffix}"] = uniform(G, size)
                tensors[f"{case}.weight_hh_l{k}{suffix}"] = uniform(G, H)
                tensors[f"{case}.bias_ih_l{k}{suffix}"] = uniform(G)
                tensors[f"{case}.bias_hh_l{k}{suffix}"] = uniform(G)
        tensors[f"{case}.input"] = uniform(T, B, I, scale=1.5)
        tensors[f"{case}.h0"] = uniform(layers * dirs, B, H, scale=0.8)
        if mode == "lstm":
            tensors[f"{case}.c0"] = uniform(layers * dirs, B, H, scale=1.5)

        def params(k, suffix, case=case):
            return tuple(tensors[f"{case}.{n}_l{k}{suffix}"].astype(np.float64)
                         for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        state0 = []
        for j in range(layers * dirs):
            s = [tensors[f"{case}.h0"][j].astype(np.float64)]
            if mode == "lstm":
                s.append(tensors[f"{case}.c0"][j].astype(np.float64))
            state0.append(s)
        y, finals = stack(mode, tensors[f"{case}.input"].astype(np.float64), LENGTHS, params, layers, bidi, state0)
        tensors[f"{case}.output"] = y.astype("<f4")
        tensors[f"{case}.h_n"] = np.stack([f[0] for f in finals]).astype("<f4")
        if mode == "lstm":
            tensors[f"{case}.c_n"] = np.stack([f[1] for f in finals]).astype("<f4")
    write(path, tensors, {"seed": str(SEED), "lengths": ",".join(map(str, LENGTHS)),
                          "generator": "Tests/TensorTests/Reference/recurrent_reference.py"})


def write(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        tensors[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(h["shape"]).astype(np.float64)
    return tensors, meta


def run_model(path, ids):
    """A SeqLang model file as PyTorch would run it: nn.Embedding, nn.GRU/LSTM/RNN (batch_first
    ids, every sequence full length), nn.Linear with its activation; dropout is off."""
    w, meta = read(path)
    arch = json.loads(meta["architecture"])
    ids = np.asarray(ids)
    batch, steps = ids.shape
    x = None
    for layer in arch["layers"]:
        kind, name = layer["kind"], layer["name"]
        if kind == "embedding":
            x = np.transpose(w[name + ".weight"][ids], (1, 0, 2))        # [T, B, D]
        elif kind in ("lstm", "gru", "rnn"):
            mode = kind if kind != "rnn" else ("rnn_relu" if layer["activation"] == "relu" else "rnn_tanh")
            bidi, layers, H = layer["bidirectional"], layer["stack"], layer["units"]
            dirs = 2 if bidi else 1
            state0 = [[np.zeros((batch, H))] * (2 if kind == "lstm" else 1) for _ in range(layers * dirs)]
            params = lambda k, s, name=name: tuple(w[f"{name}.{n}_l{k}{s}"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
            y, finals = stack(mode, x, [steps] * batch, params, layers, bidi, state0)
            # `last`: h_n of the top layer, forward next to backward (h_n[-2], h_n[-1]).
            x = np.concatenate([f[0] for f in finals[-dirs:]], axis=1) if layer["last"] else y
        elif kind == "dense":
            z = x @ w[name + ".weight"].T + w[name + ".bias"]
            act = layer["activation"]
            if act == "softmax":
                e = np.exp(z - z.max(axis=-1, keepdims=True))
                z = e / e.sum(axis=-1, keepdims=True)
            elif act == "sigmoid":
                z = sigmoid(z)
            elif act == "tanh":
                z = np.tanh(z)
            elif act == "relu":
                z = np.maximum(z, 0)
            x = z
    if x.ndim == 3:
        x = np.transpose(x, (1, 0, 2))                                   # batch-major [B, T, C]
    print(json.dumps(x.tolist()))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "known":
        known(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "model":
        run_model(sys.argv[2], json.loads(sys.argv[3]))
    else:
        sys.exit(__doc__)
