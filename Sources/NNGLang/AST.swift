import NNGCore

/// A name as written in the source, with where it was written.
public struct Identifier: Hashable, Sendable {
    public var name: String
    public var range: SourceRange
    public init(_ name: String, _ range: SourceRange) {
        self.name = name
        self.range = range
    }
}

public enum UnaryOperator: String, Sendable { case negate = "-" }

public enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", matmul = "@", power = "^"
}

/// An expression of the language; `range` covers all of it.
public indirect enum ExprKind: Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case name(String)
    case call(callee: Identifier, arguments: [Argument])
    case list([Expr])
    case unary(UnaryOperator, Expr)
    /// `operatorRange` is the operator token (diagnostics point at it).
    case binary(BinaryOperator, Expr, Expr, operatorRange: SourceRange)
}

public struct Expr: Sendable {
    public var kind: ExprKind
    public var range: SourceRange
    public init(_ kind: ExprKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// Whether the name `name` occurs in the expression (through operators and parentheses).
    public func mentions(_ name: String) -> Bool {
        switch kind {
        case .name(let n): return n == name
        case .unary(_, let x): return x.mentions(name)
        case .binary(_, let a, let b, _): return a.mentions(name) || b.mentions(name)
        default: return false
        }
    }
}

/// A call argument: positional (`label == nil`) or keyword.
public struct Argument: Sendable {
    public var label: Identifier?
    public var value: Expr
    public init(label: Identifier?, value: Expr) {
        self.label = label
        self.value = value
    }
}

public enum DimExpr: Sendable {
    case size(Int, SourceRange)
    case symbol(Identifier)
    /// Dimension arithmetic such as `L*L` or `8*(L/2)` (extension); the checker evaluates it.
    case arithmetic(Expr)

    public var range: SourceRange {
        switch self {
        case .size(_, let r): return r
        case .symbol(let id): return id.range
        case .arithmetic(let e): return e.range
        }
    }

    /// Whether the dimension mentions the symbol `name`.
    public func mentions(_ name: String) -> Bool {
        switch self {
        case .size: return false
        case .symbol(let id): return id.name == name
        case .arithmetic(let e): return e.mentions(name)
        }
    }
}

/// A written type such as `f32[B, 8]`.
public struct TypeExpr: Sendable {
    public var dtype: DType
    public var dims: [DimExpr]
    public var range: SourceRange
    public init(dtype: DType, dims: [DimExpr], range: SourceRange) {
        self.dtype = dtype
        self.dims = dims
        self.range = range
    }
}

public enum StatementKind: Sendable {
    case input(Identifier, TypeExpr)
    case param(Identifier, TypeExpr, initializer: Expr)
    case assign(Identifier, TypeExpr?, Expr)
    case output([Identifier])
}

public struct Statement: Sendable {
    public var kind: StatementKind
    public var range: SourceRange
    public init(_ kind: StatementKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}

public struct GraphDecl: Sendable {
    public var name: Identifier
    public var statements: [Statement]
    public var range: SourceRange
    public init(name: Identifier, statements: [Statement], range: SourceRange) {
        self.name = name
        self.statements = statements
        self.range = range
    }
}

/// `name [: type] = expr` inside a `fn` body.
public struct Binding: Sendable {
    public var name: Identifier
    public var type: TypeExpr?
    public var value: Expr
    public init(name: Identifier, type: TypeExpr?, value: Expr) {
        self.name = name
        self.type = type
        self.value = value
    }
}

public struct FnDecl: Sendable {
    public var name: Identifier
    public var parameters: [Identifier]
    public var body: [Binding]
    public var result: Expr
    public var range: SourceRange
    public init(name: Identifier, parameters: [Identifier], body: [Binding], result: Expr, range: SourceRange) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.result = result
        self.range = range
    }
}

public struct TrainEntry: Sendable {
    public var key: Identifier
    public var value: Expr
    public init(key: Identifier, value: Expr) {
        self.key = key
        self.value = value
    }
}

public struct TrainDecl: Sendable {
    public var name: Identifier?
    public var entries: [TrainEntry]
    public var range: SourceRange
    public init(name: Identifier?, entries: [TrainEntry], range: SourceRange) {
        self.name = name
        self.entries = entries
        self.range = range
    }
}

/// A whole parsed `.nng` file, declarations in source order.
public struct Module: Sendable {
    public var file: SourceFile
    public var graphs: [GraphDecl] = []
    public var functions: [FnDecl] = []
    public var trains: [TrainDecl] = []
    public init(file: SourceFile) { self.file = file }
}
