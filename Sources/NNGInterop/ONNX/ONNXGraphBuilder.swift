import Foundation
import NNGCore

/// Appends ONNX nodes and initializers to a graph under construction, naming every value it
/// makes uniquely. The export mappings talk to ONNX only through it.
struct ONNXGraphBuilder {
    /// The element type of the graph's floating-point values.
    let dtype: DType
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var taken: Set<String>
    private var cache: [String: String] = [:]

    init(dtype: DType, reservedNames: Set<String>) {
        self.dtype = dtype
        self.taken = reservedNames
    }

    var elementType: Onnx_TensorProto.DataType { dtype == .f32 ? .float : .double }

    /// `hint`, or `hint_2`, `hint_3`, … when taken.
    mutating func freshName(_ hint: String) -> String {
        var name = hint, k = 2
        while taken.contains(name) { name = "\(hint)_\(k)"; k += 1 }
        taken.insert(name)
        return name
    }

    /// Adds `opType(inputs)` and returns the name of its (first) output.
    @discardableResult
    mutating func node(_ opType: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = [],
                       output hint: String? = nil, outputs count: Int = 1, exactName: String? = nil) -> String {
        nodeOutputs(opType, inputs, attributes, output: hint, outputs: count, exactName: exactName)[0]
    }

    /// Adds `opType(inputs)` with `count` outputs and returns their names.
    mutating func nodeOutputs(_ opType: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = [],
                              output hint: String? = nil, outputs count: Int, exactName: String? = nil) -> [String] {
        let first = exactName ?? freshName(hint ?? opType.lowercased())
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = first
        node.input = inputs
        node.output = [first] + (1..<max(count, 1)).map { _ in freshName(first) }
        node.attribute = attributes
        nodes.append(node)
        return node.output
    }

    /// The nodes `make` adds, kept apart from the graph's: a subgraph's (a Scan's body). Names
    /// stay unique across the whole model, and the initializers it makes go to the main graph,
    /// whose values a subgraph sees.
    mutating func subgraph(_ make: (inout ONNXGraphBuilder) throws(DiagnosticsError) -> Void) throws(DiagnosticsError) -> [Onnx_NodeProto] {
        let outer = nodes
        nodes = []
        defer { nodes = outer }
        try make(&self)
        return nodes
    }

    /// An initializer of the graph's element type (shared when the same values recur).
    mutating func floats(_ values: [Double], shape: [Int], name hint: String = "const") -> String {
        let key = "f\(shape)\(values)"
        if values.count <= 16, let known = cache[key] { return known }
        let name = freshName(hint)
        initializers.append(Self.tensor(name: name, values: values, shape: shape, dtype: dtype))
        if values.count <= 16 { cache[key] = name }
        return name
    }

    /// A scalar of the graph's element type.
    mutating func scalar(_ value: Double) -> String { floats([value], shape: []) }

    /// A 1-D int64 initializer (shapes, axes, pads).
    mutating func int64s(_ values: [Int], name hint: String = "ints") -> String {
        let key = "i\(values)"
        if let known = cache[key] { return known }
        let name = freshName(hint)
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.dims = [Int64(values.count)]
        t.int64Data = values.map(Int64.init)
        initializers.append(t)
        cache[key] = name
        return name
    }

    /// A named initializer holding `tensor` (a param's value).
    mutating func initializer(name: String, tensor: Tensor) {
        initializers.append(Self.tensor(name: name, values: tensor.doubles, shape: tensor.shape, dtype: dtype))
    }

    /// Raw little-endian data: compact, and what every ONNX reader accepts.
    static func tensor(name: String, values: [Double], shape: [Int], dtype: DType) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = shape.map(Int64.init)
        switch dtype {
        case .f32:
            t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
            t.rawData = values.map { Float($0) }.withUnsafeBufferPointer { Data(buffer: $0) }
        case .f64:
            t.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
            t.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
        }
        return t
    }
}

/// Attribute constructors.
enum ONNXAttribute {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map(Int64.init)
        return a
    }

    static func graph(_ name: String, _ value: Onnx_GraphProto) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .graph
        a.g = value
        return a
    }

    static func float(_ name: String, _ value: Double) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = Float(value)
        return a
    }
}
