// ONNXFold.swift — the shape operators of an ONNX graph computed on constants.
//
// Exporters that do not fold constants themselves leave weight rearrangements in the graph
// (PyTorch without constant folding slices an LSTM's gate blocks and concatenates them in
// ONNX's order, then unsqueezes the direction axis). `load onnx` computes those here, on
// row-major arrays: Unsqueeze, Squeeze, Concat, Slice (positive or negative steps),
// Transpose, Reshape (0 copies a dimension, -1 takes the rest) and Gather.

import ONNXFormat
import Tensor

enum ONNXFold {
    /// The result of `node` (one of the operators above) on constant `inputs`.
    static func apply(_ node: Onnx_NodeProto, _ inputs: [ONNXArray], opset: Int64) throws -> ONNXArray {
        func fail(_ message: String) -> ONNXImport.Failure { ONNXImport.Failure(message: message) }
        func attr(_ name: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == name } }
        func ints(_ k: Int, _ what: String) throws -> [Int64] {
            guard k < inputs.count, let v = inputs[k].ints else { throw fail("its \(what) must be constant integers") }
            return v
        }
        guard let x = inputs.first else { throw fail("it has no input") }
        let rank = x.dims.count
        func axis(_ a: Int64, rank r: Int) throws -> Int {
            let n = Int(a < 0 ? a + Int64(r) : a)
            guard n >= 0, n < r else { throw fail("its axis \(a) does not exist for rank \(r)") }
            return n
        }
        switch node.opType {
        case "Unsqueeze":
            let axes = inputs.count > 1 ? try ints(1, "axes") : (attr("axes")?.ints ?? [])
            let outRank = rank + axes.count
            let positions = Set(try axes.map { try axis($0, rank: outRank) })
            var dims: [Int] = [], source = x.dims.makeIterator()
            for k in 0..<outRank { dims.append(positions.contains(k) ? 1 : source.next()!) }
            return ONNXArray(dims: dims, values: x.values)
        case "Squeeze":
            let given = inputs.count > 1 ? try ints(1, "axes") : attr("axes")?.ints
            let axes = try given.map { try Set($0.map { try axis($0, rank: rank) }) } ?? Set(x.dims.indices.filter { x.dims[$0] == 1 })
            return ONNXArray(dims: x.dims.enumerated().filter { !axes.contains($0.offset) }.map(\.element), values: x.values)
        case "Reshape":
            let target = try ints(1, "shape")
            var dims = target.enumerated().map { k, t in t == 0 && k < rank ? x.dims[k] : Int(t) }
            if let free = dims.firstIndex(of: -1) {
                let known = dims.enumerated().filter { $0.offset != free }.reduce(1) { MemorySize.mul($0, $1.element) }
                guard known > 0, x.count % known == 0 else { throw fail("it cannot reshape \(x.dims) to \(target)") }
                dims[free] = x.count / known
            }
            guard dims.allSatisfy({ $0 >= 0 }), dims.reduce(1, MemorySize.mul) == x.count else { throw fail("it cannot reshape \(x.dims) to \(target)") }
            return ONNXArray(dims: dims, values: x.values)
        case "Transpose":
            let perm = attr("perm")?.ints.map { Int($0) } ?? Array((0..<rank).reversed())
            guard perm.sorted() == Array(0..<rank) else { throw fail("its permutation \(perm) does not fit rank \(rank)") }
            let dims = perm.map { x.dims[$0] }
            let sourceStrides = strides(x.dims)
            return gathered(x, dims: dims) { index in zip(index, perm).reduce(0) { $0 + $1.0 * sourceStrides[$1.1] } }
        case "Concat":
            let a = try axis(attr("axis")?.i ?? 0, rank: rank)
            for other in inputs where other.dims.count != rank || other.dims.enumerated().contains(where: { $0.offset != a && $0.element != x.dims[$0.offset] }) {
                throw fail("it concatenates \(x.dims) with \(other.dims) along axis \(a)")
            }
            let outer = x.dims[..<a].reduce(1, *)
            var dims = x.dims
            dims[a] = inputs.reduce(0) { $0 + $1.dims[a] }
            let chunks = inputs.map { (values: $0, inner: $0.dims[a...].reduce(1, *)) }
            if inputs.allSatisfy({ $0.ints != nil }) {
                var out: [Int64] = []
                for o in 0..<outer { for c in chunks { out += c.values.ints![(o * c.inner)..<((o + 1) * c.inner)] } }
                return ONNXArray(dims: dims, values: .ints(out))
            }
            var out: [Float] = []
            for o in 0..<outer { for c in chunks { let f = c.values.floats; out += f[(o * c.inner)..<((o + 1) * c.inner)] } }
            return ONNXArray(dims: dims, values: .floats(out))
        case "Slice":
            var starts: [Int64], ends: [Int64], axes: [Int64], steps: [Int64]
            if opset >= 10 || inputs.count > 1 {
                starts = try ints(1, "starts")
                ends = try ints(2, "ends")
                axes = inputs.count > 3 ? try ints(3, "axes") : Array(0..<Int64(starts.count))
                steps = inputs.count > 4 ? try ints(4, "steps") : [Int64](repeating: 1, count: starts.count)
            } else {
                starts = attr("starts")?.ints ?? []
                ends = attr("ends")?.ints ?? []
                axes = attr("axes")?.ints ?? Array(0..<Int64(starts.count))
                steps = [Int64](repeating: 1, count: starts.count)
            }
            var begin = [Int](repeating: 0, count: rank), step = [Int](repeating: 1, count: rank), dims = x.dims
            for k in 0..<starts.count {
                let a = try axis(axes[k], rank: rank), n = Int64(x.dims[a]), s = steps[k]
                guard s != 0 else { throw fail("its step is 0") }
                func clamp(_ v: Int64, _ low: Int64, _ high: Int64) -> Int64 { Swift.min(Swift.max(v < 0 ? v + n : v, low), high) }
                let b = s > 0 ? clamp(starts[k], 0, n) : clamp(starts[k], -1, n - 1)
                let e = s > 0 ? clamp(ends[k], 0, n) : clamp(ends[k], -1, n - 1)
                let count = s > 0 ? Swift.max(0, (e - b + s - 1) / s) : Swift.max(0, (b - e - s - 1) / -s)
                (begin[a], step[a], dims[a]) = (Int(b), Int(s), Int(count))
            }
            let sourceStrides = strides(x.dims)
            return gathered(x, dims: dims) { index in
                index.enumerated().reduce(0) { $0 + (begin[$1.offset] + $1.element * step[$1.offset]) * sourceStrides[$1.offset] }
            }
        case "Gather":
            let a = try axis(attr("axis")?.i ?? 0, rank: rank)
            let picks = try ints(1, "indices").map { Int($0 < 0 ? $0 + Int64(x.dims[a]) : $0) }
            guard picks.allSatisfy({ $0 >= 0 && $0 < x.dims[a] }) else { throw fail("its indices are outside 0..<\(x.dims[a])") }
            let indexDims = inputs[1].dims
            let dims = Array(x.dims[..<a]) + indexDims + Array(x.dims[(a + 1)...])
            let sourceStrides = strides(x.dims)
            return gathered(x, dims: dims) { index in
                let before = index[..<a], picked = index[a..<(a + indexDims.count)], after = index[(a + indexDims.count)...]
                let flat = zip(picked, strides(indexDims)).reduce(0) { $0 + $1.0 * $1.1 }
                var offset = picks[flat] * sourceStrides[a]
                for (k, i) in before.enumerated() { offset += i * sourceStrides[k] }
                for (k, i) in after.enumerated() { offset += i * sourceStrides[a + 1 + k] }
                return offset
            }
        default:
            throw fail("SeqLang cannot compute \(node.opType) on constants")
        }
    }

    private static func strides(_ dims: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: dims.count)
        for k in stride(from: dims.count - 2, through: 0, by: -1) { s[k] = s[k + 1] * dims[k + 1] }
        return s
    }

    /// An array of `dims` whose element at each multi-index comes from `x` at `source(index)`.
    private static func gathered(_ x: ONNXArray, dims: [Int], _ source: ([Int]) -> Int) -> ONNXArray {
        let count = dims.reduce(1, *)
        var offsets: [Int] = []
        offsets.reserveCapacity(count)
        var index = [Int](repeating: 0, count: dims.count)
        for _ in 0..<count {
            offsets.append(source(index))
            var k = dims.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < dims[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        switch x.values {
        case .floats(let f): return ONNXArray(dims: dims, values: .floats(offsets.map { f[$0] }))
        case .ints(let i): return ONNXArray(dims: dims, values: .ints(offsets.map { i[$0] }))
        }
    }
}
