import NNGCore

/// One operation as every phase sees it: its name in the language, how it is written, its
/// parameters (in positional order, with their kinds and defaults) and its flags. Lowering
/// (argument matching, defaults, attribute checks), the printer, diagnostics (`sourceName`)
/// and the C backend's comments all read these definitions instead of switching over `Op`.
/// A class: every phase asks a node for its definition, and passing one around is one reference.
/// Each family of operations has its file in this folder; `Op.form` (Op.swift) maps an `Op`
/// back to its definition and attribute values.
public final class OpDefinition: Sendable {
    public enum Syntax: Sendable, Equatable {
        /// `name(args)`: callable by name.
        case call
        /// `a op b` (the name is the operator, or `matmul` for `@`).
        case infix(String)
        /// `op x`.
        case prefix(String)
        /// Declarations and constants: written by the printer, never called.
        case leaf
    }

    /// The inputs gradients flow into; the others are held fixed (conditions, masks, the operands
    /// of piecewise-constant operations).
    public enum GradientInputs: Sendable {
        case all, none
        case only([Int])
    }

    public let name: String
    /// The name as a word, where `name` is an operator (`multiply` for `*`): C comments.
    public let word: String
    public let syntax: Syntax
    public let parameters: [OpParameter]
    public let flags: OpFlags
    public let gradientInputs: GradientInputs
    /// The result type from the operands' types and the attributes (`inferType`), with the
    /// element types and the number of operands already checked.
    let type: TypeRule
    /// The contribution of the adjoint to one differentiable operand (`differentiate`); nil
    /// when no gradient flows (or, for `scan`, when the pass handles it: Autodiff/ScanRule).
    let vjp: VJPRule?
    /// The operation from its attribute values (already checked and normalised by lowering).
    let build: @Sendable (Attributes) -> Op
    /// The number of operands, when it is fixed: one per tensor parameter. `concat` takes a
    /// list, and a `variadic` operation's rule checks its operands itself.
    let arity: Int?

    init(_ name: String, _ syntax: Syntax, _ parameters: [OpParameter], word: String? = nil, flags: OpFlags = [],
         gradientInputs: GradientInputs = .all, variadic: Bool = false, type: @escaping TypeRule, vjp: VJPRule? = nil,
         build: @escaping @Sendable (Attributes) -> Op) {
        let fixed = !variadic && !parameters.contains { $0.kind == .tensors }
        self.arity = fixed ? parameters.filter { $0.kind == .tensor }.count : nil
        self.attributeParameters = parameters.filter { !$0.kind.isTensor }
        self.attributeNames = attributeParameters.map(\.name)
        self.name = name
        self.word = word ?? name
        self.syntax = syntax
        self.parameters = parameters
        self.flags = flags
        self.gradientInputs = gradientInputs
        self.type = type
        self.vjp = vjp
        self.build = build
    }

    /// An operation called by name.
    convenience init(_ name: String, _ parameters: [OpParameter], flags: OpFlags = [], gradientInputs: GradientInputs = .all,
         type: @escaping TypeRule, vjp: VJPRule? = nil, build: @escaping @Sendable (Attributes) -> Op) {
        self.init(name, .call, parameters, flags: flags, gradientInputs: gradientInputs, type: type, vjp: vjp, build: build)
    }


    /// The number of leading parameters a call must give.
    public var requiredCount: Int { parameters.prefix { $0.defaultValue == .required }.count }

    /// The parameters that are attributes (not tensors), in order: `Op.form` lists their values
    /// in this order.
    public let attributeParameters: [OpParameter]
    /// Their names (`Attributes` of an `Op` share this array).
    let attributeNames: [String]
}

public struct OpFlags: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// One output element from the same-index elements of its (broadcast) operands: the C
    /// backend fuses chains of these into one loop.
    public static let elementwise = OpFlags(rawValue: 1)
    /// Draws random numbers (keyed by its `stream`).
    public static let random = OpFlags(rawValue: 2)
    /// Its value is its first operand's storage, reinterpreted (no copy in the C backend).
    public static let alias = OpFlags(rawValue: 4)
}

public struct OpParameter: Sendable {
    public enum Kind: Sendable, Equatable {
        /// An expression lowered to a node.
        case tensor
        /// A list of tensor expressions (`concat([a, b])`).
        case tensors
        case int, number, bool
        /// One axis of the first operand; negative counts from the end.
        case axis
        /// Axes of the first operand (one integer or a list), normalised and sorted.
        case axes
        /// A permutation of the first operand's axes (negative entries count from the end).
        case permutation
        /// A shape: positive integers and symbols.
        case shape
        /// A shape in which one dimension may be `-1`, inferred from the first operand.
        case reshapeTarget
        /// Two integers `[h, w]`.
        case pair
        /// The key of a random operation's numbers.
        case stream

        var isTensor: Bool { self == .tensor || self == .tensors }
    }

    public enum Default: Sendable, Equatable {
        case required
        case int(Int), number(Double), bool(Bool)
        /// Every axis of the first operand.
        case allAxes
        /// The first operand's axes reversed.
        case reversedAxes
        /// The value given to another parameter (`stride` defaults to `size`).
        case sameAs(String)
        /// The operation's index among the graph's random operations (Lowering+Calls).
        case position

        /// The default as a value, when it is one.
        var attributeValue: AttributeValue? {
            switch self {
            case .int(let v): return .int(v)
            case .number(let v): return .number(v)
            case .bool(let v): return .bool(v)
            case .required, .allAxes, .reversedAxes, .sameAs, .position: return nil
            }
        }
    }

    public enum Printing: Sendable {
        /// `name = value`.
        case keyword
        /// The value alone, in its position.
        case positional
        /// `name = value`, only when it is not the default.
        case unlessDefault
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: Default
    public let printing: Printing

    public init(_ name: String, _ kind: Kind, _ defaultValue: Default = .required, printing: Printing = .keyword) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.printing = printing
    }

    static func tensor(_ name: String) -> OpParameter { OpParameter(name, .tensor) }
}

/// The value of one attribute of an operation.
public enum AttributeValue: Hashable, Sendable {
    case int(Int), number(Double), bool(Bool), ints([Int]), dims([Dim])

    /// As written in the language.
    public var source: String {
        switch self {
        case .int(let v): return String(v)
        case .number(let v): return formatNumber(v)
        case .bool(let v): return v ? "true" : "false"
        case .ints(let vs): return intList(vs)
        case .dims(let ds): return Shape(ds).description
        }
    }
}

/// The attribute values of one call, by parameter name, as lowering resolved them.
///
/// A few pairs searched in order, not a dictionary: type rules and VJPs read them for every node
/// a graph gets, and an operation has at most four.
public struct Attributes: Sendable {
    // Parallel arrays; from a definition, `names` is the definition's own (nothing is allocated).
    private var names: [String] = []
    private var values: [AttributeValue] = []

    init() {}

    /// The values of `definition`'s attribute parameters, in their order (`Op.form`).
    init(_ definition: OpDefinition, _ values: [AttributeValue]) {
        names = definition.attributeNames
        self.values = values
    }

    subscript(_ name: String) -> AttributeValue? {
        get { names.firstIndex(of: name).map { values[$0] } }
        set {
            switch (names.firstIndex(of: name), newValue) {
            case (let i?, let v?): values[i] = v
            case (let i?, nil): names.remove(at: i); values.remove(at: i)
            case (nil, let v?): names.append(name); values.append(v)
            case (nil, nil): break
            }
        }
    }

    // A definition asks only for the attributes it declares, which lowering always resolves:
    // a missing or mistyped one is a bug in the definition.
    func int(_ n: String) -> Int {
        guard case .int(let v) = self[n] else { preconditionFailure("attribute '\(n)' is not an integer") }
        return v
    }
    func number(_ n: String) -> Double {
        guard case .number(let v) = self[n] else { preconditionFailure("attribute '\(n)' is not a number") }
        return v
    }
    func bool(_ n: String) -> Bool {
        guard case .bool(let v) = self[n] else { preconditionFailure("attribute '\(n)' is not a boolean") }
        return v
    }
    func ints(_ n: String) -> [Int] {
        guard case .ints(let v) = self[n] else { preconditionFailure("attribute '\(n)' is not a list of integers") }
        return v
    }
    func dims(_ n: String) -> [Dim] {
        guard case .dims(let v) = self[n] else { preconditionFailure("attribute '\(n)' is not a shape") }
        return v
    }
    func stream(_ n: String = "stream") -> UInt64 { UInt64(int(n)) }
}

/// Every operation definition, by family.
enum OpRegistry {
    static let all: [OpDefinition] = LeafOps.all + ElementwiseOps.all + ReductionOps.all + MovementOps.all
        + MatmulOps.all + ConvolutionOps.all + PoolingOps.all + RandomOps.all + LossOps.all + LoopOps.all

    /// The operations callable by name.
    static let callable: [String: OpDefinition] = {
        var t: [String: OpDefinition] = [:]
        for d in all where d.syntax == .call {
            precondition(t[d.name] == nil, "two operations are called '\(d.name)'")
            t[d.name] = d
        }
        return t
    }()
}

/// Every name callable in the language: the operations, `grad`, `scan` (Lowering+Scan) and
/// `linspace` (which makes a constant, Lowering+Linspace.swift).
public let operationNames: Set<String> = Set(OpRegistry.callable.keys).union(["grad", "scan", "linspace"])

/// Declarations and constants.
enum LeafOps {
    static let input = OpDefinition("input", .leaf, [], type: { q throws(ShapeError) in
        guard case .input(let name) = q.op else { preconditionFailure() }
        throw ShapeError("the type of input '\(name)' is declared, not inferred")
    }) { _ in preconditionFailure("inputs are declared") }

    static let param = OpDefinition("param", .leaf, [], type: { q throws(ShapeError) in
        guard case .param(let name, _) = q.op else { preconditionFailure() }
        throw ShapeError("the type of parameter '\(name)' is declared, not inferred")
    }) { _ in preconditionFailure("params are declared") }

    static let constant = OpDefinition("constant", .leaf, [], type: { q throws(ShapeError) in
        guard case .constant(let values) = q.op else { preconditionFailure() }
        guard values.count == 1 else {
            throw ShapeError("the shape of a constant of \(values.count) values is declared, not inferred")
        }
        return q.result(.scalar)
    }) { _ in preconditionFailure("constants are literals") }
    static let all = [input, param, constant]
}

extension Op {
    public var definition: OpDefinition { form.definition }

    /// The name of the operation in the language, as used in diagnostics.
    public var sourceName: String { definition.name }

    /// Whether the operation draws random numbers.
    public var isRandom: Bool { definition.flags.contains(.random) }

    /// `name[attribute=value, …]`: the operation and its attributes in one token (C comments).
    public var summary: String {
        let (d, values) = form
        let attrs = zip(d.attributeParameters, values).map { "\($0.name)=\($1.source)" }
        return attrs.isEmpty ? d.word : "\(d.word)[\(attrs.joined(separator: ", "))]"
    }
}
