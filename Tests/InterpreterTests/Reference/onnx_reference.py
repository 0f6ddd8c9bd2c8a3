"""onnx_reference.py — the ONNX side of ONNXTests: runs SeqLang's exports in ONNX Runtime, and
writes graphs in the shape torch.onnx.export gives Embedding -> LSTM/GRU -> Linear models.

    python3 onnx_reference.py check MODEL.onnx CASE.json
        checks the model (onnx.checker, full), runs it in ONNX Runtime on CASE's input and
        compares with CASE's expected outputs (SeqLang's); exit 1 if any differs by more than
        1e-5. CASE: {"input_name", "input" (nested lists), "expected" (flat), "shape"}.

    python3 onnx_reference.py torch FOLDER
        writes torch_lstm.onnx, torch_gru.onnx, torch_bilstm.onnx and unsupported.onnx, and
        torch_expected.json with each model's inputs and the outputs ONNX Runtime computes.

The torch-shaped graphs follow what the TorchScript exporter (torch.onnx.export, opset 17,
constant folding on, dynamic batch and sequence axes) writes for

    class Model(nn.Module):                      # torch_lstm.onnx
        emb = nn.Embedding(V, D); lstm = nn.LSTM(D, H, num_layers=2, batch_first=True)
        fc = nn.Linear(H, C)
        def forward(self, x): out, _ = self.lstm(self.emb(x)); return self.fc(out[:, -1, :])

    (torch_gru.onnx: nn.GRU(D, H, batch_first=True), fc(h_n[-1]);
     torch_bilstm.onnx: float input, nn.LSTM(F, H, bidirectional=True, batch_first=True) and
     fc applied at every step)

node for node: Gather for the embedding; zero initial states from Shape -> Gather ->
Unsqueeze -> Concat -> ConstantOfShape, sliced per layer; Transpose to time-major; one LSTM /
GRU node per layer with weights already in ONNX's gate order (initializers named
`onnx::LSTM_<n>` / `onnx::GRU_<n>`); Squeeze of the direction axis, or Transpose + Reshape
for two directions; Transpose back; Gather(axis 1, index -1) for out[:, -1, :]; Gemm
(transB = 1) for a Linear on vectors, MatMul (weight `onnx::MatMul_<n>`, transposed) then
Add(bias, product) at every step. Node and value names are the exporter's scoped names
(`/lstm/LSTM`, `/lstm/LSTM_output_0`). Weights: numpy, seed 20261201.
"""

import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED = 20261201


def check(model_path, case_path):
    import onnxruntime as ort

    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    case = json.load(open(case_path))
    dtype = np.int64 if case["input_name"] == "tokens" else np.float32
    x = np.array(case["input"], dtype=dtype)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {case["input_name"]: x})
    want = np.array(case["expected"], dtype=np.float64).reshape(case["shape"])
    if list(got.shape) != case["shape"]:
        print(f"shape {list(got.shape)} from ONNX Runtime, {case['shape']} from SeqLang")
        return 1
    diff = float(np.max(np.abs(got.astype(np.float64) - want)))
    print(f"max |onnxruntime - seqlang| = {diff:.3g}")
    return 0 if diff <= 1e-5 else 1


class Graph:
    """Builds a graph with the exporter's scoped names."""

    def __init__(self):
        self.nodes, self.inits, self.counts, self.numbered = [], [], {}, 100

    def name(self, scope, op):
        key = (scope, op)
        k = self.counts.get(key, 0)
        self.counts[key] = k + 1
        return f"{scope}/{op}" + (f"_{k}" if k else "")

    def op(self, scope, op, inputs, outputs=1, **attrs):
        n = self.name(scope, op)
        outs = [f"{n}_output_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=n, **attrs))
        return outs if outputs > 1 else outs[0]

    def const(self, scope, value):
        return self.op(scope, "Constant", [], value=numpy_helper.from_array(np.array(value, dtype=np.int64)))

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def folded(self, op, array):
        self.numbered += 1
        return self.init(f"onnx::{op}_{self.numbered}", array)


def onnx_gates(w, h, order):
    """PyTorch's gate blocks (rows) in ONNX's order."""
    return np.concatenate([w[k * h:(k + 1) * h] for k in order], axis=0)


LSTM_ORDER, GRU_ORDER = [0, 3, 1, 2], [1, 0, 2]


def recurrent_weights(rng, kind, inp, h, directions):
    gates, order = (4, LSTM_ORDER) if kind == "LSTM" else (3, GRU_ORDER)
    ws, rs, bs = [], [], []
    bound = 1 / np.sqrt(h)
    for _ in range(directions):
        w_ih = rng.uniform(-bound, bound, (gates * h, inp))
        w_hh = rng.uniform(-bound, bound, (gates * h, h))
        b_ih = rng.uniform(-bound, bound, gates * h)
        b_hh = rng.uniform(-bound, bound, gates * h)
        ws.append(onnx_gates(w_ih, h, order))
        rs.append(onnx_gates(w_hh, h, order))
        bs.append(np.concatenate([onnx_gates(b_ih, h, order), onnx_gates(b_hh, h, order)]))
    return np.stack(ws), np.stack(rs), np.stack(bs)


def zero_states(g, scope, x, layers_dirs, h, count):
    """nn.LSTM/GRU's h0 (and c0): zeros [layers·dirs, batch, H] with the batch read at run time."""
    shape = g.op(scope, "Shape", [x])
    batch = g.op(scope, "Gather", [shape, g.const(scope, 0)], axis=0)
    unsq = g.op(scope, "Unsqueeze", [batch, g.const(scope, [0])])
    dims = g.op(scope, "Concat", [g.const(scope, [layers_dirs]), unsq, g.const(scope, [h])], axis=0)
    zero = numpy_helper.from_array(np.array([0], dtype=np.float32))
    return [g.op(scope, "ConstantOfShape", [dims], value=zero) for _ in range(count)]


def state_slice(g, scope, state, start, end):
    return g.op(scope, "Slice", [state, g.const(scope, [start]), g.const(scope, [end]), g.const(scope, [0])])


def model_of(g, inputs, output, out_dims):
    graph = helper.make_graph(g.nodes, "main_graph", inputs,
                              [helper.make_tensor_value_info(output, TensorProto.FLOAT, out_dims)], g.inits)
    model = helper.make_model(graph, producer_name="pytorch", producer_version="2.5.1",
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def torch_lstm(rng, V=11, D=5, H=6, C=3):
    g = Graph()
    x = "input_ids"
    emb = g.init("emb.weight", rng.normal(0, 1, (V, D)))
    e = g.op("/emb", "Gather", [emb, x])
    h0, c0 = zero_states(g, "/lstm", e, 2, H, 2)
    flow = g.op("/lstm", "Transpose", [e], perm=[1, 0, 2])
    for layer in range(2):
        w, r, b = recurrent_weights(rng, "LSTM", D if layer == 0 else H, H, 1)
        hi = state_slice(g, "/lstm", h0, layer, layer + 1)
        ci = state_slice(g, "/lstm", c0, layer, layer + 1)
        y, _, _ = g.op("/lstm", "LSTM", [flow, g.folded("LSTM", w), g.folded("LSTM", r), g.folded("LSTM", b), "", hi, ci],
                       outputs=3, hidden_size=H)
        flow = g.op("/lstm", "Squeeze", [y, g.const("/lstm", [1])])
    out = g.op("/lstm", "Transpose", [flow], perm=[1, 0, 2])
    last = g.op("", "Gather", [out, g.const("", -1)], axis=1)
    fc_w = g.init("fc.weight", rng.uniform(-0.4, 0.4, (C, H)))
    fc_b = g.init("fc.bias", rng.uniform(-0.4, 0.4, C))
    g.nodes.append(helper.make_node("Gemm", [last, fc_w, fc_b], ["logits"], name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1))
    inputs = [helper.make_tensor_value_info(x, TensorProto.INT64, ["batch", "sequence"])]
    return model_of(g, inputs, "logits", ["batch", C])


def torch_gru(rng, V=9, D=4, H=5, C=2):
    g = Graph()
    x = "input_ids"
    emb = g.init("emb.weight", rng.normal(0, 1, (V, D)))
    e = g.op("/emb", "Gather", [emb, x])
    (h0,) = zero_states(g, "/gru", e, 1, H, 1)
    flow = g.op("/gru", "Transpose", [e], perm=[1, 0, 2])
    w, r, b = recurrent_weights(rng, "GRU", D, H, 1)
    _, h_n = g.op("/gru", "GRU", [flow, g.folded("GRU", w), g.folded("GRU", r), g.folded("GRU", b), "", h0],
                  outputs=2, hidden_size=H, linear_before_reset=1)
    last = g.op("", "Gather", [h_n, g.const("", -1)], axis=0)
    fc_w = g.init("fc.weight", rng.uniform(-0.4, 0.4, (C, H)))
    fc_b = g.init("fc.bias", rng.uniform(-0.4, 0.4, C))
    g.nodes.append(helper.make_node("Gemm", [last, fc_w, fc_b], ["logits"], name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1))
    inputs = [helper.make_tensor_value_info(x, TensorProto.INT64, ["batch", "sequence"])]
    return model_of(g, inputs, "logits", ["batch", C])


def torch_bilstm(rng, F=3, H=4, C=3):
    g = Graph()
    x = "features"
    h0, c0 = zero_states(g, "/lstm", x, 2, H, 2)
    flow = g.op("/lstm", "Transpose", [x], perm=[1, 0, 2])
    w, r, b = recurrent_weights(rng, "LSTM", F, H, 2)
    y, _, _ = g.op("/lstm", "LSTM", [flow, g.folded("LSTM", w), g.folded("LSTM", r), g.folded("LSTM", b), "", h0, c0],
                   outputs=3, hidden_size=H, direction="bidirectional")
    moved = g.op("/lstm", "Transpose", [y], perm=[0, 2, 1, 3])
    merged = g.op("/lstm", "Reshape", [moved, g.const("/lstm", [0, 0, -1])])
    out = g.op("/lstm", "Transpose", [merged], perm=[1, 0, 2])
    fc_w = rng.uniform(-0.4, 0.4, (C, 2 * H))
    product = g.op("/fc", "MatMul", [out, g.folded("MatMul", fc_w.T)])
    fc_b = g.init("fc.bias", rng.uniform(-0.4, 0.4, C))
    g.nodes.append(helper.make_node("Add", [fc_b, product], ["logits"], name="/fc/Add"))
    inputs = [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["batch", "sequence", F])]
    return model_of(g, inputs, "logits", ["batch", "sequence", C])


def unsupported(rng, V=6, D=4):
    g = Graph()
    emb = g.init("emb.weight", rng.normal(0, 1, (V, D)))
    e = g.op("/emb", "Gather", [emb, "input_ids"])
    scale = g.init("norm.weight", np.ones(D))
    shift = g.init("norm.bias", np.zeros(D))
    g.nodes.append(helper.make_node("LayerNormalization", [e, scale, shift], ["normed"], name="/norm/LayerNormalization", axis=-1))
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])]
    return model_of(g, inputs, "normed", ["batch", "sequence", D])


def torch_files(folder):
    import onnxruntime as ort

    rng = np.random.default_rng(SEED)
    expected = {"seed": SEED}
    for name, build, make_input in [
        ("torch_lstm", torch_lstm, lambda: rng.integers(0, 11, (3, 7))),
        ("torch_gru", torch_gru, lambda: rng.integers(0, 9, (2, 5))),
        ("torch_bilstm", torch_bilstm, lambda: rng.normal(0, 1, (2, 4, 3))),
    ]:
        model = build(rng)
        path = f"{folder}/{name}.onnx"
        onnx.save(model, path)
        x = make_input()
        feed = x.astype(np.int64) if x.dtype.kind == "i" else x.astype(np.float32)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        (y,) = session.run(None, {model.graph.input[0].name: feed})
        expected[name] = {"input": feed.tolist(), "output": y.astype(np.float64).ravel().tolist(), "shape": list(y.shape)}
    onnx.save(unsupported(rng), f"{folder}/unsupported.onnx")
    json.dump(expected, open(f"{folder}/torch_expected.json", "w"))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 3 and sys.argv[1] == "torch":
        sys.exit(torch_files(sys.argv[2]))
    print(__doc__)
    sys.exit(2)
