#!/usr/bin/env python3
"""Independent numpy forward pass of a 2-layer LSTM, written to a safetensors file for LSTMNumpyReferenceTests.

  lstm_reference.py PATH    writes the reference file to PATH

Seed: SEED = 20261125 (numpy.random.default_rng). Sizes: T = 7 steps, B = 3 sequences,
I = 5 input features, H = 10 hidden units, 2 layers, valid lengths [7, 4, 1] (the metadata
"lengths"), nonzero initial states.

Tensors (float32, little-endian; PyTorch nn.LSTM names and layouts, gate order i, f, g, o):
  weight_ih_l{k} [4H, I or H]   weight_hh_l{k} [4H, H]   bias_ih_l{k} [4H]   bias_hh_l{k} [4H]
  input  [T, B, I]        time-major
  h0, c0 [2, B, H]        initial state per layer
  output_l0 [T, B, H]     layer 0's outputs (layer 1's input)
  output [T, B, H]        layer 1's outputs; zero where t >= length
  h_n, c_n [2, B, H]      final state per layer = state at each sequence's last valid step
The forward pass runs in float64 on the float32 values and is stored rounded to float32.
The safetensors file is written by hand (recurrent_reference.write): 8-byte little-endian
header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {...}}, then
the raw data.
"""
import sys

import numpy as np

from recurrent_reference import write  # the hand-written safetensors file, beside this script

SEED = 20261125
T, B, I, H, LAYERS = 7, 3, 5, 10, 2
LENGTHS = [7, 4, 1]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_layer(x, w_ih, w_hh, b_ih, b_hh, h, c, lengths):
    """x [T, B, In] -> outputs [T, B, H], final h, c [B, H]. Gate blocks of 4H: i, f, g, o."""
    steps, batch, _ = x.shape
    hidden = w_hh.shape[1]
    h, c = h.copy(), c.copy()
    out = np.zeros((steps, batch, hidden))
    for t in range(steps):
        a = x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh          # [B, 4H]
        i = sigmoid(a[:, 0 * hidden:1 * hidden])
        f = sigmoid(a[:, 1 * hidden:2 * hidden])
        g = np.tanh(a[:, 2 * hidden:3 * hidden])
        o = sigmoid(a[:, 3 * hidden:4 * hidden])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        live = (t < np.asarray(lengths))[:, None]             # [B, 1]
        c = np.where(live, c_new, c)
        h = np.where(live, h_new, h)
        out[t] = np.where(live, h_new, 0.0)
    return out, h, c


def main(path):
    rng = np.random.default_rng(SEED)

    def uniform(*shape, scale=0.6):
        return rng.uniform(-scale, scale, size=shape).astype("<f4")

    tensors = {}
    for k in range(LAYERS):
        size = I if k == 0 else H
        tensors[f"weight_ih_l{k}"] = uniform(4 * H, size)
        tensors[f"weight_hh_l{k}"] = uniform(4 * H, H)
        tensors[f"bias_ih_l{k}"] = uniform(4 * H)
        tensors[f"bias_hh_l{k}"] = uniform(4 * H)
    tensors["input"] = uniform(T, B, I, scale=1.5)
    tensors["h0"] = uniform(LAYERS, B, H, scale=0.8)
    tensors["c0"] = uniform(LAYERS, B, H, scale=1.5)

    x = tensors["input"].astype(np.float64)
    h_n, c_n = [], []
    for k in range(LAYERS):
        p = {n: tensors[f"{n}_l{k}"].astype(np.float64) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        x, h, c = lstm_layer(x, p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"],
                             tensors["h0"][k].astype(np.float64), tensors["c0"][k].astype(np.float64), LENGTHS)
        if k == 0:
            tensors["output_l0"] = x.astype("<f4")
        h_n.append(h)
        c_n.append(c)
    tensors["output"] = x.astype("<f4")
    tensors["h_n"] = np.stack(h_n).astype("<f4")
    tensors["c_n"] = np.stack(c_n).astype("<f4")

    write(path, tensors, {"seed": str(SEED), "lengths": ",".join(map(str, LENGTHS)),
                          "layers": str(LAYERS), "generator": "Tests/TensorTests/Reference/lstm_reference.py"})

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: lstm_reference.py PATH")
    main(sys.argv[1])
