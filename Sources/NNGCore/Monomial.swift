/// A product of dimensions: an integer coefficient times a multiset of symbols (`2·B`, `L²`).
/// It is the canonical form of a symbolic dimension (Dim.product), compares element counts of
/// symbolic shapes (reshape) and infers `-1`.
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
            guard let p = m.multiplied(by: d.monomial) else { return nil }
            m = p
        }
        self = m
    }

    /// `self · other`, or nil on overflow.
    public func multiplied(by other: Monomial) -> Monomial? {
        let (c, o) = coefficient.multipliedReportingOverflow(by: other.coefficient)
        if o { return nil }
        var syms = symbols
        for (s, e) in other.symbols {
            let (sum, o2) = syms[s, default: 0].addingReportingOverflow(e)
            if o2 { return nil }
            syms[s] = sum
        }
        return Monomial(coefficient: c, symbols: syms)
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

    /// The monomial as one dimension: an integer, one symbol, or a product (nil when not positive).
    public var asDim: Dim? { Dim(self) }

    /// The value with every symbol bound, or nil when one is unbound or it overflows.
    public func evaluated(_ bindings: [String: Int]) -> Int? {
        var v = coefficient
        for (s, e) in symbols {
            guard let b = bindings[s] else { return nil }
            for _ in 0..<e {
                let (p, o) = v.multipliedReportingOverflow(by: b)
                if o { return nil }
                v = p
            }
        }
        return v
    }

    /// As written in a type: `2*B`, `L*L`, `B^5` (symbols sorted; an exponent above 3 as `^`).
    public var sourceText: String {
        var parts: [String] = []
        if coefficient != 1 || symbols.isEmpty { parts.append(String(coefficient)) }
        for s in symbols.keys.sorted() {
            let e = symbols[s]!
            parts += e > 3 ? ["\(s)^\(e)"] : Array(repeating: s, count: e)
        }
        return parts.joined(separator: "*")
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
