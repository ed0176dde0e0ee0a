import Foundation
import NNGCore
import NNGIR

/// What an ONNX name stands for while reading: a tensor of the graph, or a shape (integers or
/// sizes, from initializers and `Shape`, used by Reshape and Expand).
enum ImportedValue {
    case node(NodeID)
    case dims([Dim])
}

/// Reads one ONNX graph into an IR graph, node by node (ONNXNodeImport.swift maps each).
struct ONNXGraphReader {
    let proto: Onnx_GraphProto
    var graph: Graph
    var params: [String: Tensor] = [:]
    var values: [String: ImportedValue] = [:]
    private var usedNames: Set<String> = []
    /// A loop's body: its float initializers are constants (a body has no params of its own).
    private let isLoopBody: Bool

    init(_ proto: Onnx_GraphProto, name: String) {
        self.proto = proto
        let isDouble = (proto.input.map { $0.type.tensorType.elemType } + proto.initializer.map(\.dataType))
            .contains(Int32(Onnx_TensorProto.DataType.double.rawValue))
        graph = Graph(name: ONNXGraphReader.identifier(name, fallback: "model"), dtype: isDouble ? .f64 : .f32)
        isLoopBody = false
    }

    /// The reader of a loop's body graph, in the element type of the graph around it.
    init(loopBody proto: Onnx_GraphProto, name: String, dtype: DType) {
        self.proto = proto
        graph = Graph(name: name, dtype: dtype)
        isLoopBody = true
    }

    /// An input of the IR graph for the ONNX value `onnxName`, of `type` (a loop body's inputs
    /// take their types from the loop's operands).
    mutating func defineInput(_ onnxName: String, _ type: TensorType) {
        let name = uniqueName(onnxName)
        values[onnxName] = .node(graph.append(Node(op: .input(name), inputs: [], type: type, name: name)))
    }

    mutating func read() throws {
        // Graph outputs keep their names: taken first, so no inner value gets them.
        for output in proto.output { usedNames.insert(Self.identifier(output.name, fallback: "output")) }
        for t in proto.initializer { try addInitializer(t) }
        // A loop body's inputs are defined by its loop (ONNXScanImport), from the loop's operands.
        for input in proto.input where !isLoopBody && values[input.name] == nil { try addInput(input) }
        for node in proto.node { try importNode(node) }
        for output in proto.output {
            guard case .node(let id)? = values[output.name] else {
                throw ONNXImporter.Failure(description: "graph output '\(output.name)' is not a tensor the graph computes")
            }
            graph.outputs.append((Self.identifier(output.name, fallback: "output"), id))
        }
    }

    /// `text` when it is a valid .nng name, else a cleaned-up form (`/fc1/Gemm_output_0` → `fc1_Gemm_output_0`).
    static func identifier(_ text: String, fallback: String) -> String {
        var s = String(text.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }.filter { $0.isASCII })
        while s.hasPrefix("_") { s.removeFirst() }
        if s.isEmpty { s = fallback }
        if s.first!.isNumber { s = fallback + "_" + s }
        let reserved: Set<String> = ["graph", "input", "param", "output", "fn", "return", "train", "true", "false"]
        return reserved.contains(s) || operationNames.contains(s) ? s + "_" : s
    }

    mutating func uniqueName(_ text: String) -> String {
        let base = Self.identifier(text, fallback: "v")
        var name = base, k = 2
        while usedNames.contains(name) { name = "\(base)_\(k)"; k += 1 }
        usedNames.insert(name)
        return name
    }

    private mutating func addInitializer(_ t: Onnx_TensorProto) throws {
        let shape = t.dims.map { Int($0) }
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .float?, .double?:
            let name = uniqueName(t.name)
            let values = try Self.doubles(of: t)
            if isLoopBody {
                self.values[t.name] = .node(graph.addConstant(values, shape: Shape(shape), name: name))
                return
            }
            let id = graph.append(Node(op: .param(name, .zeros), inputs: [], type: TensorType(graph.dtype, Shape(shape)), name: name))
            params[name] = Tensor(shape: shape, values: values, dtype: graph.dtype)
            self.values[t.name] = .node(id)
        case .int64?:
            values[t.name] = .dims(try Self.int64s(of: t).map { .known($0) })
        default:
            throw ONNXImporter.Failure(description: "initializer '\(t.name)' has element type \(t.dataType); only float, double and int64 are read")
        }
    }

    private mutating func addInput(_ input: Onnx_ValueInfoProto) throws {
        let dims = input.type.tensorType.shape.dim.map { d -> Dim in
            if case .dimValue(let n)? = d.value { return .known(Int(n)) }
            if case .dimParam(let p)? = d.value { return Self.symbolicDim(p) }
            return .symbol("N")
        }
        let name = uniqueName(input.name)
        values[input.name] = .node(graph.append(Node(op: .input(name), inputs: [], type: TensorType(graph.dtype, Shape(dims)), name: name)))
    }

    /// `B` → the symbol B; `L*L` → the product; anything else a symbol made of its letters.
    static func symbolicDim(_ text: String) -> Dim {
        let factors = text.split(separator: "*").map { $0.trimmingCharacters(in: .whitespaces) }
        var m = Monomial()
        for f in factors {
            if let n = Int(f) { m.coefficient *= n } else { m.symbols[identifier(f, fallback: "N"), default: 0] += 1 }
        }
        return Dim(m) ?? .symbol(identifier(text, fallback: "N"))
    }

    static func doubles(of t: Onnx_TensorProto) throws -> [Double] {
        let count = t.dims.reduce(1) { $0 * Int($1) }
        if !t.rawData.isEmpty {
            if t.dataType == Int32(Onnx_TensorProto.DataType.float.rawValue) {
                return t.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }.map(Double.init)
            }
            return t.rawData.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        }
        let values = t.floatData.isEmpty ? t.doubleData : t.floatData.map(Double.init)
        guard values.count == count else { throw ONNXImporter.Failure(description: "initializer '\(t.name)' holds \(values.count) values for \(count) elements") }
        return values
    }

    static func int64s(of t: Onnx_TensorProto) throws -> [Int] {
        if !t.rawData.isEmpty { return t.rawData.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }.map { Int($0) } }
        return t.int64Data.map { Int($0) }
    }
}
