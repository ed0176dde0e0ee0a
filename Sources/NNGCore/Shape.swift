/// One dimension of a shape: a concrete size, or a symbol bound at run time.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
    case known(Int)
    case symbol(String)

    public var description: String {
        switch self {
        case .known(let n): return String(n)
        case .symbol(let s): return s
        }
    }

    public var value: Int? {
        if case .known(let n) = self { return n }
        return nil
    }
}

extension Dim: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .known(value) }
    public init(stringLiteral value: String) { self = .symbol(value) }
}

/// A (possibly symbolic) shape. `[]` is a scalar.
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var dims: [Dim]

    public init(_ dims: [Dim]) { self.dims = dims }
    public init(_ sizes: [Int]) { self.dims = sizes.map { .known($0) } }
    public init(arrayLiteral elements: Dim...) { self.dims = elements }

    public static let scalar = Shape([Dim]())

    public var rank: Int { dims.count }
    public var isScalar: Bool { dims.isEmpty }

    /// The concrete sizes, or nil when a dimension is symbolic.
    public var concrete: [Int]? {
        var out: [Int] = []
        for d in dims {
            guard let v = d.value else { return nil }
            out.append(v)
        }
        return out
    }

    /// The element count when every dimension is concrete.
    public var elementCount: Int? { concrete.map { $0.reduce(1, *) } }

    public var symbols: [String] {
        dims.compactMap { if case .symbol(let s) = $0 { return s } else { return nil } }
    }

    public subscript(i: Int) -> Dim {
        get { dims[i] }
        set { dims[i] = newValue }
    }

    public var description: String { "[" + dims.map(\.description).joined(separator: ", ") + "]" }

    /// Replaces symbols by their bound sizes.
    public func resolved(_ bindings: [String: Int]) -> Shape {
        Shape(dims.map { d in
            if case .symbol(let s) = d, let v = bindings[s] { return .known(v) }
            return d
        })
    }
}

/// A tensor type: element type and shape, printed as `f32[B, 8]`.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var dtype: DType
    public var shape: Shape

    public init(_ dtype: DType, _ shape: Shape) {
        self.dtype = dtype
        self.shape = shape
    }

    public var description: String { "\(dtype)\(shape)" }
}
