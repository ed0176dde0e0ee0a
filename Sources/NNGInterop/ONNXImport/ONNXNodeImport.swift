import NNGCore
import NNGIR

// The supported ONNX operators, each as IR operations. Anything else is refused by name.

extension ONNXGraphReader {
    mutating func importNode(_ node: Onnx_NodeProto) throws {
        let label = node.name.isEmpty ? (node.output.first ?? "?") : node.name
        func fail(_ why: String) -> ONNXImporter.Failure {
            ONNXImporter.Failure(description: "ONNX node '\(label)' (\(node.opType)): \(why)")
        }
        func tensor(_ k: Int) throws -> NodeID {
            guard k < node.input.count, case .node(let id)? = values[node.input[k]] else { throw fail("input \(k) is not a tensor the importer knows") }
            return id
        }
        func dims(_ k: Int) throws -> [Dim] {
            guard k < node.input.count, case .dims(let d)? = values[node.input[k]] else { throw fail("input \(k) must be a constant or computed shape") }
            return d
        }
        func ints(_ k: Int) throws -> [Int] {
            let d = try dims(k)
            guard d.allSatisfy({ $0.value != nil }) else { throw fail("input \(k) must be constant") }
            return d.map { $0.value! }
        }
        let attributes = Dictionary(node.attribute.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func int(_ name: String, _ fallback: Int) -> Int { attributes[name].map { Int($0.i) } ?? fallback }
        func intList(_ name: String) -> [Int]? { attributes[name].map { $0.ints.map { Int($0) } } }
        if node.opType == "Scan" {
            return try importScan(node, operands: node.input.indices.map(tensor), attributes: attributes, fail: fail)
        }
        let name = uniqueName(node.output.first ?? node.opType)
        func add(_ op: Op, _ inputs: [NodeID], named: String? = nil) throws -> NodeID {
            do { return try graph.add(op, inputs, name: named) } catch { throw fail("\(error)") }
        }
        func rank(_ id: NodeID) -> Int { graph[id].type.shape.rank }
        func axis(_ a: Int, _ r: Int) -> Int { a < 0 ? a + r : a }

        let unary: [String: UnaryOp] = ["Neg": .negate, "Exp": .exp, "Log": .log, "Sqrt": .sqrt, "Abs": .abs, "Sin": .sin,
                                        "Cos": .cos, "Tanh": .tanh, "Sigmoid": .sigmoid, "Relu": .relu, "Softplus": .softplus,
                                        "Sign": .sign, "Erf": .erf, "Softsign": .softsign]
        let binary: [String: BinaryOp] = ["Add": .add, "Sub": .subtract, "Mul": .multiply, "Div": .divide, "Pow": .power,
                                          "Max": .maximum, "Min": .minimum]
        var result: ImportedValue
        if let u = unary[node.opType] {
            result = .node(try add(.unary(u), [try tensor(0)], named: name))
        } else if let b = binary[node.opType] {
            if case .dims(let a)? = values[node.input[0]], node.opType == "Mul", case .dims(let c)? = values[node.input[1]], a.count == 1, c.count == 1 {
                result = .dims([a[0].monomial.multiplied(by: c[0].monomial).flatMap(Dim.init) ?? a[0]])   // size arithmetic of exported shapes
            } else {
                result = .node(try add(.binary(b), [try tensor(0), try tensor(1)], named: name))
            }
        } else {
            switch node.opType {
            case "Identity", "Dropout":
                guard let v = values[node.input[0]] else { throw fail("unknown input") }
                result = v
            case "LeakyRelu":
                let alpha = attributes["alpha"].map { Double($0.f) } ?? 0.01
                result = .node(try add(.unary(.leakyRelu(alpha: alpha)), [try tensor(0)], named: name))
            case "MatMul":
                result = .node(try add(.matmul, [try tensor(0), try tensor(1)], named: name))
            case "Gemm":                                               // alpha·A'·B' + beta·C
                var a = try tensor(0), b = try tensor(1)
                if int("transA", 0) == 1 { a = try add(.transpose([1, 0]), [a]) }
                if int("transB", 0) == 1 { b = try add(.transpose([1, 0]), [b]) }
                var y = try add(.matmul, [a, b])
                let alpha = attributes["alpha"].map { Double($0.f) } ?? 1, beta = attributes["beta"].map { Double($0.f) } ?? 1
                if alpha != 1 { y = try add(.binary(.multiply), [y, graph.addConstant([alpha])]) }
                if node.input.count > 2, !node.input[2].isEmpty {
                    var c = try tensor(2)
                    if beta != 1 { c = try add(.binary(.multiply), [c, graph.addConstant([beta])]) }
                    y = try add(.binary(.add), [y, c])
                }
                graph.nodes[y].name = name
                result = .node(y)
            case "Slice":                                              // one or more axes, step 1
                var x = try tensor(0)
                let starts = try ints(1), ends = try ints(2)
                let axes = try node.input.count > 3 ? ints(3) : Array(starts.indices)
                guard try node.input.count <= 4 || ints(4).allSatisfy({ $0 == 1 }) else { throw fail("only step 1 has an nngc form") }
                for (k, a) in axes.enumerated() {
                    let ax = axis(a, rank(x)), size = graph[x].type.shape.dims[ax]
                    func clamp(_ i: Int) throws -> Int {
                        guard let n = size.value else { if i >= 0 && i < Int(Int32.max) { return i }; throw fail("a slice of a symbolic axis must have explicit bounds") }
                        return min(max(i < 0 ? i + n : i, 0), n)
                    }
                    x = try add(.slice(axis: ax, start: try clamp(starts[k]), end: try clamp(ends[k])), [x])
                }
                graph.nodes[x].name = name
                result = .node(x)
            case "Pad":                                                // constant zeros
                var x = try tensor(0)
                let pads = try ints(1), r = rank(x)
                guard (attributes["mode"].map { String(decoding: $0.s, as: UTF8.self) } ?? "constant") == "constant",
                      node.input.count < 3 || node.input[2].isEmpty, pads.count == 2 * r, pads.allSatisfy({ $0 >= 0 }) else {
                    throw fail("only zero padding by non-negative amounts has an nngc form")
                }
                for a in 0..<r where pads[a] != 0 || pads[r + a] != 0 {
                    x = try add(.pad(axis: a, before: pads[a], after: pads[r + a]), [x])
                }
                graph.nodes[x].name = name
                result = .node(x)
            // Booleans are 0/1 numbers of the graph's type (nngc has no boolean tensors).
            case "Greater":                                            // step(a − b)
                let d = try add(.binary(.subtract), [try tensor(0), try tensor(1)])
                result = .node(try add(.unary(.step), [d], named: name))
            case "Equal":                                              // 1 − |sign(a − b)|
                let d = try add(.unary(.abs), [try add(.unary(.sign), [try add(.binary(.subtract), [try tensor(0), try tensor(1)])])])
                result = .node(try add(.binary(.subtract), [graph.addConstant([1]), d], named: name))
            case "Not":
                result = .node(try add(.binary(.subtract), [graph.addConstant([1]), try tensor(0)], named: name))
            case "Cast":
                let to = int("to", 0)
                guard to == Onnx_TensorProto.DataType.float.rawValue || to == Onnx_TensorProto.DataType.double.rawValue
                        || to == Onnx_TensorProto.DataType.bool.rawValue else { throw fail("only casts to float, double or bool have an nngc form") }
                result = .node(try tensor(0))
            case "Where":
                result = .node(try add(.select, [try tensor(0), try tensor(1), try tensor(2)], named: name))
            case "Transpose":
                let x = try tensor(0)
                result = .node(try add(.transpose(intList("perm") ?? Array((0..<rank(x)).reversed())), [x], named: name))
            case "Reshape":
                let x = try tensor(0)
                result = .node(try add(.reshape(try reshapeTarget(graph[x].type.shape.dims, try dims(1), fail)), [x], named: name))
            case "Flatten":
                let x = try tensor(0), d = graph[x].type.shape.dims
                let k = axis(int("axis", 1), d.count)
                let target = [Monomial(Array(d[..<k])), Monomial(Array(d[k...]))].map { $0.flatMap(Dim.init) ?? .known(1) }
                result = .node(try add(.reshape(target), [x], named: name))
            case "Unsqueeze", "Squeeze":
                let x = try tensor(0), d = graph[x].type.shape.dims
                let axes = try (node.input.count > 1 ? ints(1) : intList("axes") ?? [])
                var target = d
                if node.opType == "Unsqueeze" {
                    let r = d.count + axes.count
                    for a in axes.map({ axis($0, r) }).sorted() { target.insert(.known(1), at: a) }
                } else {
                    let drop = Set((axes.isEmpty ? d.indices.filter { d[$0] == .known(1) } : axes).map { axis($0, d.count) })
                    target = d.indices.filter { !drop.contains($0) }.map { d[$0] }
                }
                result = .node(try add(.reshape(target), [x], named: name))
            case "Expand":
                let x = try tensor(0), source = graph[x].type.shape.dims, by = try dims(1)
                let r = max(source.count, by.count)
                let target = (0..<r).map { i -> Dim in
                    let s = i - (r - source.count) >= 0 ? source[i - (r - source.count)] : .known(1)
                    let t = i - (r - by.count) >= 0 ? by[i - (r - by.count)] : .known(1)
                    return t == .known(1) ? s : t
                }
                result = .node(try add(.broadcast(target), [x], named: name))
            case "Shape":
                let d = graph[try tensor(0)].type.shape.dims
                let start = axis(int("start", 0), d.count), end = attributes["end"] == nil ? d.count : axis(int("end", d.count), d.count)
                result = .dims(Array(d[start..<end]))
            case "Concat":
                if node.input.allSatisfy({ if case .dims? = values[$0] { true } else { false } }) {
                    result = .dims(try node.input.indices.flatMap { try dims($0) })
                } else {
                    let xs = try node.input.indices.map { try tensor($0) }
                    result = .node(try add(.concat(axis: axis(int("axis", 0), rank(xs[0]))), xs, named: name))
                }
            case "Softmax", "LogSoftmax":
                let x = try tensor(0), a = axis(int("axis", -1), rank(x))
                result = .node(try add(node.opType == "Softmax" ? .softmax(axis: a) : .logSoftmax(axis: a), [x], named: name))
            case "ReduceSum", "ReduceMean", "ReduceMax", "ReduceLogSumExp":
                let x = try tensor(0)
                let given = try (node.input.count > 1 && !node.input[1].isEmpty ? ints(1) : intList("axes") ?? [])
                let axes = given.isEmpty ? Array(0..<rank(x)) : Array(Set(given.map { axis($0, rank(x)) })).sorted()
                let op: ReduceOp = ["ReduceSum": .sum, "ReduceMean": .mean, "ReduceMax": .max][node.opType] ?? .logsumexp
                result = .node(try add(.reduce(op, axes: axes, keepdims: int("keepdims", 1) == 1), [x], named: name))
            case "Conv":
                let strides = intList("strides") ?? [1, 1], pads = intList("pads") ?? [0, 0, 0, 0]
                guard int("group", 1) == 1, (intList("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }),
                      Set(strides).count == 1, Set(pads).count == 1 else {
                    throw fail("only Conv with one group, no dilation, equal strides and equal pads has an nngc form")
                }
                var y = try add(.conv2d(stride: strides[0], padding: pads[0]), [try tensor(0), try tensor(1)])
                if node.input.count > 2, !node.input[2].isEmpty {
                    let bias = try tensor(2)
                    let column = try add(.reshape([graph[bias].type.shape.dims[0], .known(1), .known(1)]), [bias])
                    y = try add(.binary(.add), [y, column])
                }
                graph.nodes[y].name = name
                result = .node(y)
            case "MaxPool", "AveragePool":
                let kernel = intList("kernel_shape") ?? [], strides = intList("strides") ?? kernel
                guard kernel.count == 2, Set(kernel).count == 1, Set(strides).count == 1,
                      (intList("pads") ?? [0]).allSatisfy({ $0 == 0 }), int("ceil_mode", 0) == 0 else {
                    throw fail("only square windows with equal strides, no padding and floor mode have an nngc form")
                }
                result = .node(try add(.pool(node.opType == "MaxPool" ? .max : .average, size: kernel[0], stride: strides[0]),
                                       [try tensor(0)], named: name))
            case "Constant":
                guard let t = attributes["value"]?.t else { throw fail("only Constant with a tensor value is read") }
                if t.dataType == Int32(Onnx_TensorProto.DataType.int64.rawValue) {
                    result = .dims(try Self.int64s(of: t).map { .known($0) })
                } else {
                    result = .node(graph.addConstant(try Self.doubles(of: t), shape: Shape(t.dims.map { Int($0) }), name: name))
                }
            default:
                throw ONNXImporter.Failure(description: "unsupported ONNX operator '\(node.opType)' (node '\(label)')")
            }
        }
        for output in node.output.prefix(1) { values[output] = result }
    }

    /// ONNX Reshape's target: 0 copies the input's size, −1 takes what is left.
    private func reshapeTarget(_ source: [Dim], _ target: [Dim], _ fail: (String) -> ONNXImporter.Failure) throws -> [Dim] {
        var dims = target.enumerated().map { i, d in d == .known(0) && i < source.count ? source[i] : d }
        if let free = dims.firstIndex(of: .known(-1)) {
            var rest = Monomial()
            for (i, d) in dims.enumerated() where i != free { rest = rest.multiplied(by: d.monomial) ?? rest }
            guard let total = Monomial(source), let left = total.divided(by: rest), let dim = Dim(left) else {
                throw fail("cannot infer the -1 of reshape to \(target)")
            }
            dims[free] = dim
        }
        return dims
    }
}
