/// One dimension of a shape: a concrete size, a symbol bound at run time, or a product of
/// symbols with an integer coefficient (`2*B`, `L*L`). `Dim(_: Monomial)` keeps the form
/// canonical, so equal dimensions compare equal.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
    case known(Int)
    case symbol(String)
    /// Never a plain integer or a single symbol (those are `.known` and `.symbol`).
    case product(Monomial)

    /// The canonical dimension of a positive monomial; nil when the coefficient is not positive.
    public init?(_ m: Monomial) {
        guard m.coefficient > 0 else { return nil }
        if m.symbols.isEmpty {
            self = .known(m.coefficient)
        } else if m.coefficient == 1, m.symbols.count == 1, let (s, e) = m.symbols.first, e == 1 {
            self = .symbol(s)
        } else {
            self = .product(m)
        }
    }

    public var description: String {
        switch self {
        case .known(let n): return String(n)
        case .symbol(let s): return s
        case .product(let m): return m.sourceText
        }
    }

    public var value: Int? {
        if case .known(let n) = self { return n }
        return nil
    }

    /// The dimension as a product.
    public var monomial: Monomial {
        switch self {
        case .known(let n): return Monomial(coefficient: n)
        case .symbol(let s): return Monomial(symbols: [s: 1])
        case .product(let m): return m
        }
    }

    /// The symbols it mentions, sorted.
    public var symbols: [String] {
        switch self {
        case .known: return []
        case .symbol(let s): return [s]
        case .product(let m): return m.symbols.keys.sorted()
        }
    }

    /// The size once every symbol it mentions is bound (itself when something is unbound).
    public func resolved(_ bindings: [String: Int]) -> Dim {
        switch self {
        case .known: return self
        case .symbol(let s): return bindings[s].map { .known($0) } ?? self
        case .product(let m): return m.evaluated(bindings).map { .known($0) } ?? self
        }
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
        var seen: [String] = []
        for d in dims { for s in d.symbols where !seen.contains(s) { seen.append(s) } }
        return seen
    }

    public subscript(i: Int) -> Dim {
        get { dims[i] }
        set { dims[i] = newValue }
    }

    public var description: String { "[" + dims.map(\.description).joined(separator: ", ") + "]" }

    /// Replaces symbols by their bound sizes.
    public func resolved(_ bindings: [String: Int]) -> Shape {
        Shape(dims.map { $0.resolved(bindings) })
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
