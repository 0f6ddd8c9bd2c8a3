#!/usr/bin/env python3
"""Weight files in PyTorch's and Keras' layouts, and their outputs by numpy, for InterchangeTests.

  interchange_reference.py DIR    writes the files below into DIR

Seed: SEED = 20261201 (numpy.random.default_rng). One model, V = 12 symbols, D = 5 embedding
features, H = 6 hidden units in 2 stacked LSTM layers, C = 3 classes, inputs of T = 7 ids:
ids -> embedding -> LSTM -> LSTM (last step) -> dense softmax.

  torch_lstm.safetensors   PyTorch 2.x names and layouts, as safetensors.torch.save_file
                           writes a state_dict (names sorted, float32):
                           embedding.weight [V, D]; encoder.rnn.weight_ih_l{k} [4H, D or H],
                           weight_hh_l{k} [4H, H], bias_ih_l{k}, bias_hh_l{k} [4H] (one nn.LSTM,
                           num_layers=2, gates i, f, g, o); head.weight [C, H], head.bias [C]
  torch_wide.safetensors   the same with an LSTM of 8 inputs: the embedding does not fit it
  keras_lstm.weights.h5    Keras 3 layout (saving_lib's H5IOStore, Keras 3.0-3.6), written by h5py:
                           layers/embedding/vars/0 [V, D]; layers/lstm/cell/vars/0 kernel [D, 4H],
                           1 recurrent_kernel [H, 4H], 2 bias [4H] (gates i, f, c, o); the same
                           under layers/lstm_1; layers/dense/vars/0 kernel [H, C], 1 bias [C];
                           optimizer/vars/0 (ignored by a loader)
  keras_lstm.keras         the Keras 3 archive: config.json, metadata.json, model.weights.h5
  torch_gru.safetensors    embed.weight [V, D]; gru.weight_ih_l0 [3H, D], weight_hh_l0 [3H, H],
                           bias_ih_l0, bias_hh_l0 [3H] (nn.GRU, gates r, z, n); fc.weight [C, H], fc.bias
  torch_bilstm.safetensors embedding.weight; lstm.…_l0 and lstm.…_l0_reverse (nn.LSTM,
                           bidirectional=True); fc.weight [C, 2H], fc.bias: the classifier reads
                           (forward h_n, backward h_n) concatenated
  keras_gru.weights.h5     layers/embedding/vars/0; layers/gru/cell/vars/0 kernel [D, 3H],
                           1 recurrent [H, 3H], 2 bias [2, 3H] (reset_after=True, gates z, r, h);
                           layers/dense/vars/0, 1
  keras_bilstm.weights.h5  layers/embedding/vars/0; layers/bidirectional/forward_layer/cell/vars/0-2
                           and backward_layer/cell/vars/0-2 (LSTM cells); layers/dense/vars/0 [2H, C], 1
  torch_rnn.safetensors    embedding.weight; rnn.weight_ih_l0 [H, D], weight_hh_l0 [H, H], bias_ih_l0,
                           bias_hh_l0 [H] (nn.RNN, tanh); out.weight [C, H] without a bias
                           (nn.Linear(bias=False))
  keras_rnn.weights.h5     layers/embedding/vars/0; layers/simple_rnn/cell/vars/0 kernel [D, H],
                           1 recurrent [H, H], 2 bias [H]; layers/dense/vars/0, 1
  torch_batchnorm.safetensors  torch_lstm's tensors and bn.running_mean [H]: no SeqLang layer
  keras_external_link.weights.h5  keras_lstm's datasets, and layers/dense/vars/0 an external link
                           to secret.h5 (which a loader must not follow)
  keras_external_data.weights.h5  keras_lstm's datasets, layers/dense/vars/0 stored in the
                           external raw file secret.bin (likewise)
  npy_f64.npy              [3, 4] float64, row-major         } numpy.save, for read_npy;
  npy_fortran_i4.npy       [2, 3] big-endian int32, column-major } their values are
  npy_bool.npy             [4] bool                           } "npy" in expected.json
  expected.json            {"inputs": [[ids], ...], "torch_lstm": [[probabilities], ...],
                            "keras_lstm": [[probabilities], ...], likewise "torch_gru",
                            "torch_bilstm", "keras_gru", "keras_bilstm", "torch_rnn",
                            "keras_rnn"; "npy": {file: nested list},
                            "stats": numpy's sum, mean, std (ddof 0), min, max of npy_f64
                            over all values and per axis}

Each framework's forward pass is written in its own layout (PyTorch: W x + b_ih + W_hh h +
b_hh; Keras: x K + h U + b), in float64 on the float32 values, so the expected outputs test
the conversion, not only the copy.
"""
import json
import os
import struct
import sys
import zipfile

import h5py
import numpy as np

SEED = 20261201
V, D, H, C, T = 12, 5, 6, 3, 7
INPUTS = [[1, 4, 2, 11, 0, 7, 3], [5, 5, 9, 2, 8, 1, 10], [0, 0, 0, 6, 2, 4, 11]]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def write_safetensors(path, tensors):
    """safetensors by hand: 8-byte little-endian header length, JSON header, raw float32 data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def torch_lstm_run(x, w_ih, w_hh, b_ih, b_hh):
    """One nn.LSTM level over x [T, In]: its outputs [T, H] (gates i, f, g, o)."""
    h, c, out = np.zeros(H), np.zeros(H), []
    for t in range(len(x)):
        a = w_ih @ x[t] + w_hh @ h + b_ih + b_hh
        i, f, g, o = sigmoid(a[0:H]), sigmoid(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sigmoid(a[3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        out.append(h)
    return np.array(out)


def torch_gru_forward(p, ids):
    """nn.GRU: r, z, n blocks; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h = (1 - z) n + z h."""
    x = p["embed.weight"][ids].astype(np.float64)
    w_ih, w_hh, b_ih, b_hh = (p[f"gru.{n}_l0"].astype(np.float64) for n in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
    h = np.zeros(H)
    for t in range(len(ids)):
        gx, gh = w_ih @ x[t] + b_ih, w_hh @ h + b_hh
        r = sigmoid(gx[0:H] + gh[0:H])
        z = sigmoid(gx[H:2 * H] + gh[H:2 * H])
        n = np.tanh(gx[2 * H:] + r * gh[2 * H:])
        h = (1 - z) * n + z * h
    return softmax(p["fc.weight"] @ h + p["fc.bias"])


def torch_bilstm_forward(p, ids):
    x = p["embedding.weight"][ids].astype(np.float64)
    names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    forward = torch_lstm_run(x, *(p[f"lstm.{n}_l0"].astype(np.float64) for n in names))
    backward = torch_lstm_run(x[::-1], *(p[f"lstm.{n}_l0_reverse"].astype(np.float64) for n in names))
    return softmax(p["fc.weight"] @ np.concatenate([forward[-1], backward[-1]]) + p["fc.bias"])


def keras_lstm_run(x, k, u, b):
    """One Keras LSTM over x [T, In]: its outputs [T, H] (x K + h U + b, gates i, f, c, o)."""
    h, c, out = np.zeros(H), np.zeros(H), []
    for t in range(len(x)):
        z = x[t] @ k + h @ u + b
        i, f, cc, o = sigmoid(z[0:H]), sigmoid(z[H:2 * H]), np.tanh(z[2 * H:3 * H]), sigmoid(z[3 * H:])
        c = f * c + i * cc
        h = o * np.tanh(c)
        out.append(h)
    return np.array(out)


def keras_gru_forward(v, ids):
    """Keras GRU, reset_after=True: blocks z, r, h; hh = tanh(x K_h + b_in_h + r * (h U_h + b_rec_h)); h = z h + (1 - z) hh."""
    x = v["layers/embedding/vars/0"][ids].astype(np.float64)
    k, u, b = (v[f"layers/gru/cell/vars/{n}"].astype(np.float64) for n in range(3))
    h = np.zeros(H)
    for t in range(len(ids)):
        xs, rec = x[t] @ k + b[0], h @ u + b[1]
        z = sigmoid(xs[0:H] + rec[0:H])
        r = sigmoid(xs[H:2 * H] + rec[H:2 * H])
        hh = np.tanh(xs[2 * H:] + r * rec[2 * H:])
        h = z * h + (1 - z) * hh
    return softmax(h @ v["layers/dense/vars/0"] + v["layers/dense/vars/1"])


def keras_bilstm_forward(v, ids):
    """Bidirectional(LSTM(H)), merge_mode="concat": (forward's last h, backward's last h)."""
    x = v["layers/embedding/vars/0"][ids].astype(np.float64)
    cell = lambda d: [v[f"layers/bidirectional/{d}/cell/vars/{n}"].astype(np.float64) for n in range(3)]
    forward = keras_lstm_run(x, *cell("forward_layer"))
    backward = keras_lstm_run(x[::-1], *cell("backward_layer"))
    return softmax(np.concatenate([forward[-1], backward[-1]]) @ v["layers/dense/vars/0"] + v["layers/dense/vars/1"])


def torch_rnn_forward(p, ids):
    """nn.RNN: h = tanh(W_ih x + b_ih + W_hh h + b_hh); the Linear has no bias."""
    x = p["embedding.weight"][ids].astype(np.float64)
    h = np.zeros(H)
    for t in range(len(ids)):
        h = np.tanh(p["rnn.weight_ih_l0"] @ x[t] + p["rnn.bias_ih_l0"] + p["rnn.weight_hh_l0"] @ h + p["rnn.bias_hh_l0"])
    return softmax(p["out.weight"] @ h)


def keras_rnn_forward(v, ids):
    """Keras SimpleRNN: h = tanh(x K + h U + b)."""
    x = v["layers/embedding/vars/0"][ids].astype(np.float64)
    k, u, b = (v[f"layers/simple_rnn/cell/vars/{n}"].astype(np.float64) for n in range(3))
    h = np.zeros(H)
    for t in range(len(ids)):
        h = np.tanh(x[t] @ k + h @ u + b)
    return softmax(h @ v["layers/dense/vars/0"] + v["layers/dense/vars/1"])


def write_h5(path, tensors):
    with h5py.File(path, "w") as f:
        for name, value in tensors.items():
            f[name] = value


def torch_forward(p, ids, layers):
    """PyTorch layout: gates = W_ih x + b_ih + W_hh h + b_hh, blocks i, f, g, o."""
    x = p["embedding.weight"][ids].astype(np.float64)
    for k in range(layers):
        x = torch_lstm_run(x, *(p[f"encoder.rnn.{n}_l{k}"].astype(np.float64) for n in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]))
    return softmax(p["head.weight"] @ x[-1] + p["head.bias"])


def keras_forward(v, ids):
    """Keras layout: gates = x K + h U + b, blocks i, f, c, o; Dense y = h K + b."""
    x = v["layers/embedding/vars/0"][ids].astype(np.float64)
    for layer in ["lstm", "lstm_1"]:
        x = keras_lstm_run(x, *(v[f"layers/{layer}/cell/vars/{n}"].astype(np.float64) for n in range(3)))
    return softmax(x[-1] @ v["layers/dense/vars/0"] + v["layers/dense/vars/1"])


def main(out):
    rng = np.random.default_rng(SEED)
    f32 = lambda *shape: rng.uniform(-0.6, 0.6, size=shape).astype(np.float32)

    torch = {"embedding.weight": f32(V, D), "head.weight": f32(C, H), "head.bias": f32(C)}
    for k in range(2):
        torch[f"encoder.rnn.weight_ih_l{k}"] = f32(4 * H, D if k == 0 else H)
        torch[f"encoder.rnn.weight_hh_l{k}"] = f32(4 * H, H)
        torch[f"encoder.rnn.bias_ih_l{k}"] = f32(4 * H)
        torch[f"encoder.rnn.bias_hh_l{k}"] = f32(4 * H)
    write_safetensors(os.path.join(out, "torch_lstm.safetensors"), torch)
    wide = dict(torch)
    wide["encoder.rnn.weight_ih_l0"] = f32(4 * H, 8)
    write_safetensors(os.path.join(out, "torch_wide.safetensors"), wide)

    keras = {"layers/embedding/vars/0": f32(V, D), "layers/dense/vars/0": f32(H, C), "layers/dense/vars/1": f32(C)}
    for layer, inputs in [("lstm", D), ("lstm_1", H)]:
        keras[f"layers/{layer}/cell/vars/0"] = f32(inputs, 4 * H)
        keras[f"layers/{layer}/cell/vars/1"] = f32(H, 4 * H)
        keras[f"layers/{layer}/cell/vars/2"] = f32(4 * H)
    h5_path = os.path.join(out, "keras_lstm.weights.h5")
    with h5py.File(h5_path, "w") as f:
        for name, value in keras.items():
            f[name] = value
        for empty in ["layers/input_layer/vars", "layers/lstm/vars", "layers/lstm_1/vars", "vars"]:
            f.require_group(empty)
        f["optimizer/vars/0"] = np.array(3, dtype=np.int64)

    def layer(cls, name, **config):
        return {"module": "keras.layers", "class_name": cls, "config": dict(name=name, **config), "registered_name": None}
    config = {"module": "keras", "class_name": "Sequential", "registered_name": None,
              "config": {"name": "sequential", "layers": [
                  layer("InputLayer", "input_layer", batch_shape=[None, T], dtype="int32"),
                  layer("Embedding", "embedding", input_dim=V, output_dim=D),
                  layer("LSTM", "lstm", units=H, return_sequences=True),
                  layer("LSTM", "lstm_1", units=H),
                  layer("Dense", "dense", units=C, activation="softmax")]}}
    with zipfile.ZipFile(os.path.join(out, "keras_lstm.keras"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.6.0", "date_saved": "2026-12-01@00:00:00"}))
        z.writestr("config.json", json.dumps(config))
        with open(h5_path, "rb") as f:
            z.writestr("model.weights.h5", f.read())

    arrays = {"npy_f64.npy": rng.normal(size=(3, 4)),
              "npy_fortran_i4.npy": np.asfortranarray(np.arange(-3, 3, dtype=">i4").reshape(2, 3)),
              "npy_bool.npy": np.array([True, False, False, True])}
    for name, a in arrays.items():
        np.save(os.path.join(out, name), a)
    a = arrays["npy_f64.npy"].astype(np.float32).astype(np.float64)
    stats = {}
    for f in ["sum", "mean", "std", "min", "max"]:
        fn = getattr(np, f)
        stats[f] = {"all": float(fn(a)), "row": fn(a, axis=0).tolist(), "column": fn(a, axis=1).tolist()}

    gru = {"embed.weight": f32(V, D), "gru.weight_ih_l0": f32(3 * H, D), "gru.weight_hh_l0": f32(3 * H, H),
           "gru.bias_ih_l0": f32(3 * H), "gru.bias_hh_l0": f32(3 * H), "fc.weight": f32(C, H), "fc.bias": f32(C)}
    write_safetensors(os.path.join(out, "torch_gru.safetensors"), gru)
    bilstm = {"embedding.weight": f32(V, D), "fc.weight": f32(C, 2 * H), "fc.bias": f32(C)}
    for suffix in ["_l0", "_l0_reverse"]:
        bilstm[f"lstm.weight_ih{suffix}"] = f32(4 * H, D)
        bilstm[f"lstm.weight_hh{suffix}"] = f32(4 * H, H)
        bilstm[f"lstm.bias_ih{suffix}"] = f32(4 * H)
        bilstm[f"lstm.bias_hh{suffix}"] = f32(4 * H)
    write_safetensors(os.path.join(out, "torch_bilstm.safetensors"), bilstm)
    kgru = {"layers/embedding/vars/0": f32(V, D), "layers/gru/cell/vars/0": f32(D, 3 * H),
            "layers/gru/cell/vars/1": f32(H, 3 * H), "layers/gru/cell/vars/2": f32(2, 3 * H),
            "layers/dense/vars/0": f32(H, C), "layers/dense/vars/1": f32(C)}
    write_h5(os.path.join(out, "keras_gru.weights.h5"), kgru)
    kbi = {"layers/embedding/vars/0": f32(V, D), "layers/dense/vars/0": f32(2 * H, C), "layers/dense/vars/1": f32(C)}
    for d in ["forward_layer", "backward_layer"]:
        kbi[f"layers/bidirectional/{d}/cell/vars/0"] = f32(D, 4 * H)
        kbi[f"layers/bidirectional/{d}/cell/vars/1"] = f32(H, 4 * H)
        kbi[f"layers/bidirectional/{d}/cell/vars/2"] = f32(4 * H)
    write_h5(os.path.join(out, "keras_bilstm.weights.h5"), kbi)

    rnn = {"embedding.weight": f32(V, D), "rnn.weight_ih_l0": f32(H, D), "rnn.weight_hh_l0": f32(H, H),
           "rnn.bias_ih_l0": f32(H), "rnn.bias_hh_l0": f32(H), "out.weight": f32(C, H)}
    write_safetensors(os.path.join(out, "torch_rnn.safetensors"), rnn)
    krnn = {"layers/embedding/vars/0": f32(V, D), "layers/simple_rnn/cell/vars/0": f32(D, H),
            "layers/simple_rnn/cell/vars/1": f32(H, H), "layers/simple_rnn/cell/vars/2": f32(H),
            "layers/dense/vars/0": f32(H, C), "layers/dense/vars/1": f32(C)}
    write_h5(os.path.join(out, "keras_rnn.weights.h5"), krnn)
    write_safetensors(os.path.join(out, "torch_batchnorm.safetensors"), dict(torch, **{"bn.running_mean": f32(H)}))

    with h5py.File(os.path.join(out, "secret.h5"), "w") as f:
        f["data"] = keras["layers/dense/vars/0"]
    keras["layers/dense/vars/0"].tofile(os.path.join(out, "secret.bin"))
    for name, external in [("keras_external_link.weights.h5", "link"), ("keras_external_data.weights.h5", "data")]:
        with h5py.File(os.path.join(out, name), "w") as f:
            for key, value in keras.items():
                if key != "layers/dense/vars/0":
                    f[key] = value
            if external == "link":
                f["layers/dense/vars/0"] = h5py.ExternalLink("secret.h5", "/data")
            else:
                a = keras["layers/dense/vars/0"]
                f.create_dataset("layers/dense/vars/0", shape=a.shape, dtype=a.dtype, external=[("secret.bin", 0, a.nbytes)])

    expected = {"seed": SEED, "inputs": INPUTS,
                "torch_rnn": [torch_rnn_forward(rnn, ids).tolist() for ids in INPUTS],
                "keras_rnn": [keras_rnn_forward(krnn, ids).tolist() for ids in INPUTS],
                "torch_gru": [torch_gru_forward(gru, ids).tolist() for ids in INPUTS],
                "torch_bilstm": [torch_bilstm_forward(bilstm, ids).tolist() for ids in INPUTS],
                "keras_gru": [keras_gru_forward(kgru, ids).tolist() for ids in INPUTS],
                "keras_bilstm": [keras_bilstm_forward(kbi, ids).tolist() for ids in INPUTS],
                "npy": {name: a.astype(np.float64).tolist() for name, a in arrays.items()}, "stats": stats,
                "torch_lstm": [torch_forward(torch, ids, 2).tolist() for ids in INPUTS],
                "keras_lstm": [keras_forward(keras, ids).tolist() for ids in INPUTS]}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f)


if __name__ == "__main__":
    main(sys.argv[1])
