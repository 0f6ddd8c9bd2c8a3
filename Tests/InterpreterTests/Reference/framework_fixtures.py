#!/usr/bin/env python3
"""Weight files and ONNX graphs written by PyTorch and Keras themselves, and those frameworks'
own outputs, for FrameworkFileTests.

  framework_fixtures.py DIR      writes the files below into DIR (the committed copy is
                                 Tests/InterpreterTests/Fixtures/frameworks)

Needs torch, safetensors, onnx, onnxscript and keras 3 (with a backend: tensorflow-cpu); CI
has none of them and does not run this script: its output is committed, and the tests read
that. Run by hand after changing it, with the versions recorded in versions.json.

Seed: SEED = 20261201 (torch.manual_seed, keras.utils.set_random_seed, numpy
default_rng for the inputs). Every model: V = 20 symbols, D = 5 embedding features, H = 8
hidden units, C = 3 classes, inputs of T = 7 ids; ids -> embedding -> recurrent -> dense
softmax. Weights are the frameworks' own initialisation, so nothing is shaped by hand.

PyTorch (safetensors.torch.save_file(model.state_dict(), PATH)):
  torch_lstm.safetensors    nn.Embedding `emb`, nn.LSTM(5, 8, num_layers=2, batch_first) `rnn`,
                            nn.Linear `fc` on out[:, -1, :]         (SeqLang: lstm 8 layers 2 last)
  torch_gru.safetensors     nn.GRU(5, 8, batch_first), fc on h_n[-1]          (gru 8 last)
  torch_bilstm.safetensors  nn.LSTM(5, 8, bidirectional), fc on cat(h_n[0], h_n[1])
                                                                      (lstm 8 bidirectional last)
  torch_bigru.safetensors   nn.GRU(5, 8, bidirectional), likewise     (gru 8 bidirectional last)
  torch_lstm.onnx           torch_lstm by torch.onnx.export(dynamo=False) (the TorchScript
                            exporter), opset 17, input `tokens` int64 with dynamic axes
                            batch and time, output `probabilities`
  torch_bigru.onnx          torch_bigru by torch.onnx.export() (the default, dynamo=True),
                            opset 18, dynamic_shapes batch and time

Keras 3 (model.save(PATH.keras), model.save_weights(PATH.weights.h5)):
  keras_lstm.keras / .weights.h5    Embedding(20, 5), LSTM(8), Dense(3, softmax)  (lstm 8 last)
  keras_gru.keras / .weights.h5     GRU(8) (reset_after=True, the default)       (gru 8 last)
  keras_bilstm.keras / .weights.h5  Bidirectional(LSTM(8))            (lstm 8 bidirectional last)
  keras_bigru.keras / .weights.h5   Bidirectional(GRU(8))             (gru 8 bidirectional last)

  expected.json   {"seed", "inputs": [[ids] * 4], "<file stem>": [[probabilities] * 4], ...},
                  every output computed by the framework itself (torch in eval mode, Keras'
                  model.predict; the ONNX files by the torch module they came from)
  versions.json   python, torch, safetensors, onnx, onnxscript, keras, tensorflow
"""
import json
import os
import platform
import sys

import numpy as np

SEED = 20261201
V, D, H, C, T = 20, 5, 8, 3, 7


def inputs():
    return np.random.default_rng(SEED).integers(0, V, (4, T))


def torch_models(folder, ids, expected, versions):
    import safetensors
    import safetensors.torch
    import torch
    from torch import nn

    versions["torch"] = torch.__version__
    versions["safetensors"] = safetensors.__version__

    class Model(nn.Module):
        def __init__(self, cell, layers=1, bidirectional=False, read="out"):
            super().__init__()
            self.read, self.bidirectional = read, bidirectional
            self.emb = nn.Embedding(V, D)
            self.rnn = cell(D, H, num_layers=layers, batch_first=True, bidirectional=bidirectional)
            self.fc = nn.Linear(H * (2 if bidirectional else 1), C)

        def forward(self, tokens):
            out, state = self.rnn(self.emb(tokens))
            h_n = state[0] if isinstance(state, tuple) else state
            if self.bidirectional:
                features = torch.cat([h_n[-2], h_n[-1]], dim=1)
            elif self.read == "out":
                features = out[:, -1, :]
            else:
                features = h_n[-1]
            return torch.softmax(self.fc(features), dim=-1)

    x = torch.tensor(ids, dtype=torch.int64)
    models = {
        "torch_lstm": Model(nn.LSTM, layers=2, read="out"),
        "torch_gru": Model(nn.GRU, read="h_n"),
        "torch_bilstm": Model(nn.LSTM, bidirectional=True),
        "torch_bigru": Model(nn.GRU, bidirectional=True),
    }
    for name, model in models.items():
        model.eval()
        safetensors.torch.save_file(model.state_dict(), f"{folder}/{name}.safetensors")
        with torch.no_grad():
            expected[name] = model(x).double().tolist()

    import onnx
    import onnxscript
    versions["onnx"] = onnx.__version__
    versions["onnxscript"] = onnxscript.__version__
    with torch.no_grad():
        torch.onnx.export(models["torch_lstm"], (x,), f"{folder}/torch_lstm.onnx", dynamo=False,
                          opset_version=17, input_names=["tokens"], output_names=["probabilities"],
                          dynamic_axes={"tokens": {0: "batch", 1: "time"}, "probabilities": {0: "batch"}})
        batch, time = torch.export.Dim("batch", min=1), torch.export.Dim("time", min=2)
        program = torch.onnx.export(models["torch_bigru"], (x,), dynamo=True, opset_version=18,
                                    input_names=["tokens"], output_names=["probabilities"],
                                    dynamic_shapes={"tokens": {0: batch, 1: time}})
        program.save(f"{folder}/torch_bigru.onnx", external_data=False)
    expected["torch_lstm_onnx"] = expected["torch_lstm"]
    expected["torch_bigru_onnx"] = expected["torch_bigru"]


def keras_models(folder, ids, expected, versions):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras import layers

    versions["keras"] = keras.__version__
    versions["keras_backend"] = keras.backend.backend()
    if keras.backend.backend() == "tensorflow":
        import tensorflow
        versions["tensorflow"] = tensorflow.__version__

    recurrent = {
        "keras_lstm": lambda: layers.LSTM(H),
        "keras_gru": lambda: layers.GRU(H),
        "keras_bilstm": lambda: layers.Bidirectional(layers.LSTM(H)),
        "keras_bigru": lambda: layers.Bidirectional(layers.GRU(H)),
    }
    for name, make in recurrent.items():
        keras.utils.clear_session()
        keras.utils.set_random_seed(SEED)
        model = keras.Sequential([keras.Input((T,), dtype="int32"), layers.Embedding(V, D), make(),
                                  layers.Dense(C, activation="softmax")])
        model.save(f"{folder}/{name}.keras")
        model.save_weights(f"{folder}/{name}.weights.h5")
        expected[name] = np.asarray(model.predict(ids.astype("int32"), verbose=0), dtype=np.float64).tolist()


def main(folder):
    os.makedirs(folder, exist_ok=True)
    ids = inputs()
    expected = {"seed": SEED, "inputs": ids.tolist()}
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    import torch
    torch.manual_seed(SEED)
    torch_models(folder, ids, expected, versions)
    keras_models(folder, ids, expected, versions)
    with open(f"{folder}/expected.json", "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    with open(f"{folder}/versions.json", "w") as f:
        json.dump(versions, f, indent=1, sort_keys=True)
        f.write("\n")
    print(json.dumps(versions))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
