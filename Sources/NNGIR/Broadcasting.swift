import NNGCore

/// NumPy broadcasting over symbolic shapes.
///
/// Shapes are aligned at the trailing dimension. Two dimensions combine when they
/// are equal (the same size, or the same symbol), or when one of them is the
/// concrete size 1 (it stretches to the other, symbol or size). A symbol against a
/// concrete size other than 1, or two different symbols, is an error: the checker
/// cannot know that they agree (a symbol that turns out to be 1 at run time does
/// not stretch).
public func broadcastDims(_ a: Dim, _ b: Dim) -> Dim? {
    if a == b { return a }
    if a == .known(1) { return b }
    if b == .known(1) { return a }
    return nil
}

/// The broadcast shape of several shapes, or nil when they do not broadcast.
public func broadcastShapes(_ shapes: [Shape]) -> Shape? {
    let rank = shapes.map(\.rank).max() ?? 0
    var out = [Dim](repeating: .known(1), count: rank)
    for s in shapes {
        let offset = rank - s.rank
        for (i, d) in s.dims.enumerated() {
            guard let c = broadcastDims(out[offset + i], d) else { return nil }
            out[offset + i] = c
        }
    }
    return Shape(out)
}

/// Whether `shape` broadcasts to exactly `target`.
public func broadcasts(_ shape: Shape, to target: Shape) -> Bool {
    guard shape.rank <= target.rank else { return false }
    let offset = target.rank - shape.rank
    for (i, d) in shape.dims.enumerated() where d != .known(1) && d != target[offset + i] {
        return false
    }
    return true
}

/// A product of dimensions: an integer coefficient times a multiset of symbols.
/// Used to compare element counts of symbolic shapes (reshape) and to infer `-1`.
public struct Monomial: Hashable, Sendable, CustomStringConvertible {
    public var coefficient: Int
    /// Symbol -> exponent (always positive).
    public var symbols: [String: Int]

    public init(coefficient: Int = 1, symbols: [String: Int] = [:]) {
        self.coefficient = coefficient
        self.symbols = symbols
    }

    /// The product of the dimensions, or nil on overflow.
    public init?(_ dims: [Dim]) {
        var m = Monomial()
        for d in dims {
            switch d {
            case .known(let n):
                let (p, o) = m.coefficient.multipliedReportingOverflow(by: n)
                if o { return nil }
                m.coefficient = p
            case .symbol(let s):
                m.symbols[s, default: 0] += 1
            }
        }
        self = m
    }

    /// `self / other` when it is again a monomial with an integer coefficient.
    public func divided(by other: Monomial) -> Monomial? {
        guard other.coefficient != 0, coefficient % other.coefficient == 0 else { return nil }
        var syms = symbols
        for (s, e) in other.symbols {
            guard let have = syms[s], have >= e else { return nil }
            syms[s] = have == e ? nil : have - e
        }
        return Monomial(coefficient: coefficient / other.coefficient, symbols: syms)
    }

    /// The monomial as one dimension: an integer, or one symbol with coefficient 1.
    public var asDim: Dim? {
        if symbols.isEmpty { return coefficient > 0 ? .known(coefficient) : nil }
        if coefficient == 1, symbols.count == 1, let (s, e) = symbols.first, e == 1 { return .symbol(s) }
        return nil
    }

    public var description: String {
        var parts: [String] = []
        if coefficient != 1 || symbols.isEmpty { parts.append(String(coefficient)) }
        for s in symbols.keys.sorted() {
            let e = symbols[s]!
            parts.append(e == 1 ? s : "\(s)^\(e)")
        }
        return parts.joined(separator: "·")
    }
}
