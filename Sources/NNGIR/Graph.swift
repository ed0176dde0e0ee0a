import NNGCore

public typealias NodeID = Int

/// One SSA value: an operation applied to earlier nodes.
public struct Node: Hashable, Sendable {
    public var op: Op
    public var inputs: [NodeID]
    public var type: TensorType
    /// The user's name for this value, when it has one (printers use it).
    public var name: String?
    /// Where the value was written in the source (diagnostics at run time use it).
    public var range: SourceRange

    public init(op: Op, inputs: [NodeID], type: TensorType, name: String? = nil, range: SourceRange = .none) {
        self.op = op
        self.inputs = inputs
        self.type = type
        self.name = name
        self.range = range
    }
}

/// A typed dataflow graph in SSA form. Nodes are stored in a topological order:
/// every input of node i has an id smaller than i.
public struct Graph: Sendable {
    public var name: String
    public var dtype: DType
    public var nodes: [Node] = []
    /// Outputs by name, in declaration order.
    public var outputs: [(name: String, node: NodeID)] = []
    /// The file the graph came from, for diagnostics.
    public var file: SourceFile?
    /// The node of each name the graph's body defines, aliases included (`d = c` maps d to
    /// c's node, which keeps the name c): what `--wrt d` refers to, as `grad(L, d)` does. Set by
    /// the lowering; passes only append nodes in place, and rewrites that renumber nodes build
    /// a new graph without it.
    public var valueNames: [String: NodeID] = [:]
    /// Sizes fixed before checking (LoweringOptions.sizes) that the graph uses.
    public var sizes: [String: Int] = [:]
    /// An input's type as written (`f32[B, L*L]`), when fixed sizes changed it (for messages).
    public var declaredInputTypes: [String: String] = [:]

    public init(name: String, dtype: DType, file: SourceFile? = nil) {
        self.name = name
        self.dtype = dtype
        self.file = file
    }

    public subscript(id: NodeID) -> Node {
        get { nodes[id] }
        set { nodes[id] = newValue }
    }

    /// Appends a node whose type is already known and returns its id.
    @discardableResult
    public mutating func append(_ node: Node) -> NodeID {
        precondition(node.inputs.allSatisfy { $0 < nodes.count }, "graph nodes must be added in topological order")
        nodes.append(node)
        return nodes.count - 1
    }

    /// Input nodes (name, id) in declaration order.
    public var inputs: [(name: String, node: NodeID)] {
        nodes.indices.compactMap { i in
            if case .input(let n) = nodes[i].op { return (n, i) }
            return nil
        }
    }

    /// Parameter nodes (name, id) in declaration order.
    public var params: [(name: String, node: NodeID)] {
        nodes.indices.compactMap { i in
            if case .param(let n, _) = nodes[i].op { return (n, i) }
            return nil
        }
    }

    /// The node named `name` among inputs, params and named values.
    public func node(named name: String) -> NodeID? {
        nodes.indices.last { nodes[$0].name == name }
    }

    public func output(named name: String) -> NodeID? {
        outputs.first { $0.name == name }?.node
    }

    /// Every symbol that appears in some node's shape.
    public var symbols: [String] {
        var seen: [String] = []
        for n in nodes { for s in n.type.shape.symbols where !seen.contains(s) { seen.append(s) } }
        return seen
    }

    /// Number of trainable scalars (every parameter shape is concrete).
    public var parameterCount: Int {
        params.reduce(0) { $0 + (nodes[$1.node].type.shape.elementCount ?? 0) }
    }
}
