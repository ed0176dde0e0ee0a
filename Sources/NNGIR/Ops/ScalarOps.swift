#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NNGCore
import RealModule

// The scalar-op table: every unary and binary elementwise operation, one row each, with
// everything any phase needs to know about it side by side: its name in the language, its
// Swift evaluation (the interpreter's kernel and `Simplify`'s constant folding), its C template
// (the C backend's fused loops), whether constants fold, and its vector-Jacobian product.
// The formulas here are the contract between the backends: the interpreter and the generated
// C compute the same IEEE operations in the same order, so their results agree bit for bit.
// Adding an elementwise operation is adding a case and its row (docs/architecture.md).

public enum UnaryOp: Hashable, Sendable {
    case negate, exp, log, sqrt, abs, sin, cos, tanh
    case sigmoid, relu, gelu, softplus, step, sign
    case leakyRelu(alpha: Double)
    /// The error function; `erf(x)` in the language.
    case erf
    /// 1 − erf(x), accurate where erf(x) is close to −1 (gelu and its derivative in the
    /// negative tail use it); `erfc(x)` in the language.
    case erfc
    case softsign

    /// Every unary operation (those with a parameter at its default), in the order of the table.
    public static let all: [UnaryOp] = [.negate, .exp, .log, .sqrt, .abs, .sin, .cos, .tanh, .sigmoid, .relu,
                                        .gelu, .softplus, .step, .sign, .leakyRelu(alpha: 0.01), .erf, .erfc, .softsign]
}

public enum BinaryOp: String, Hashable, Sendable, CaseIterable {
    case add, subtract, multiply, divide, power, maximum, minimum
}

/// When `Simplify` may replace an operation on constants by its value: only when every backend
/// computes that value identically.
public enum Folding: Sendable {
    /// The result is exact in any precision (sign changes, comparisons): folded in Double.
    case exactly
    /// Correctly rounded IEEE operations: folded in the graph's element type.
    case rounded
    /// Folded in f64 graphs only.
    case inF64
    case never
}

/// What a C template may use: libm functions and literals in the graph's precision.
public struct CScalarContext {
    public let dtype: DType
    let literal: (Double) -> String

    public init(dtype: DType, literal: @escaping (Double) -> String) {
        self.dtype = dtype
        self.literal = literal
    }

    /// `name` of a libm function in the graph's precision (`exp` → `expf` in f32).
    public func fn(_ name: String) -> String { dtype == .f32 ? name + "f" : name }
    /// An exact literal of `v` in the graph's element type.
    public func lit(_ v: Double) -> String { literal(v) }
}

/// y = op(x) for one unary operation, computed in `T`.
public struct UnaryRule<T> {
    /// The name in the language (`-` for negation).
    public let name: String
    public let folds: Folding
    public let evaluate: (T) -> T
    /// The C expression of y from x, an identifier or a literal (so repeating it is free).
    public let c: (_ x: String, CScalarContext) -> String
    /// The contribution to ∂/∂x of adjoint g (x the operand, y the result); nil for a
    /// piecewise-constant operation (no gradient flows through it).
    let vjp: ((inout GradBuilder, _ x: NodeID, _ y: NodeID, _ g: NodeID) throws(DiagnosticsError) -> NodeID)?
}

/// y = op(a, b) for one binary operation, computed in `T`.
public struct BinaryRule<T> {
    /// The name in the language: the operator of an infix operation, else the function.
    public let name: String
    /// Written `a + b` rather than `maximum(a, b)`.
    public let isInfix: Bool
    public let folds: Folding
    public let evaluate: (T, T) -> T
    public let c: (_ a: String, _ b: String, CScalarContext) -> String
    /// The contribution to ∂/∂(operand k) of adjoint g, at the shape of the (broadcast) result;
    /// autodiff sums it down to the operand's shape.
    let vjp: (inout GradBuilder, _ a: NodeID, _ b: NodeID, _ y: NodeID, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID
}

extension UnaryOp {
    // Specialised here for both element types: the interpreter (another module) would otherwise
    // call the generic rule and its closures through witness tables, once per element.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func rule<T: NNGFloat>(_: T.Type = Double.self) -> UnaryRule<T> {
        switch self {
        case .negate:
            return UnaryRule(name: "-", folds: .exactly, evaluate: { -$0 }, c: { x, _ in "-\(x)" },
                             vjp: { b, _, _, g throws(DiagnosticsError) in try b.neg(g) })
        case .exp:
            return UnaryRule(name: "exp", folds: .inF64, evaluate: { T.exp($0) }, c: { x, c in "\(c.fn("exp"))(\(x))" },
                             vjp: { b, _, y, g throws(DiagnosticsError) in try b.mul(g, y) })
        case .log:
            return UnaryRule(name: "log", folds: .inF64, evaluate: { T.log($0) }, c: { x, c in "\(c.fn("log"))(\(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in try b.div(g, x) })
        case .sqrt:                                                         // g / (2y)
            return UnaryRule(name: "sqrt", folds: .rounded, evaluate: { $0.squareRoot() }, c: { x, c in "\(c.fn("sqrt"))(\(x))" },
                             vjp: { b, _, y, g throws(DiagnosticsError) in try b.div(g, b.scale(y, 2)) })
        case .abs:
            return UnaryRule(name: "abs", folds: .exactly, evaluate: { Swift.abs($0) }, c: { x, c in "\(c.fn("fabs"))(\(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in try b.mul(g, b.unary(.sign, x)) })
        case .sin:
            return UnaryRule(name: "sin", folds: .never, evaluate: { T.sin($0) }, c: { x, c in "\(c.fn("sin"))(\(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in try b.mul(g, b.unary(.cos, x)) })
        case .cos:
            return UnaryRule(name: "cos", folds: .never, evaluate: { T.cos($0) }, c: { x, c in "\(c.fn("cos"))(\(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in try b.neg(b.mul(g, b.unary(.sin, x))) })
        case .tanh:                                                         // g (1 - y²)
            return UnaryRule(name: "tanh", folds: .never, evaluate: genericTanh, c: { x, _ in "nngc_tanh(\(x))" },
                             vjp: { b, _, y, g throws(DiagnosticsError) in try b.mul(g, b.sub(b.scalar(1), b.mul(y, y))) })
        case .sigmoid:                                                      // g y (1 - y)
            return UnaryRule(name: "sigmoid", folds: .never, evaluate: stableSigmoid, c: { x, _ in "nngc_sigmoid(\(x))" },
                             vjp: { b, _, y, g throws(DiagnosticsError) in try b.mul(g, b.mul(y, b.sub(b.scalar(1), y))) })
        case .relu:
            return UnaryRule(name: "relu", folds: .exactly, evaluate: { $0 < 0 ? 0 : $0 }, c: { x, _ in "(\(x) < 0 ? 0 : \(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in try b.mul(g, b.unary(.step, x)) })
        case .gelu:                                                         // x·Φ(x); g (Φ(x) + x φ(x))
            // Φ(x) = erfc(−x/√2)/2: 1 + erf(x/√2) would cancel in the negative tail (gelu(−9)
            // would be −0, not −1.0e-18).
            let c = T(0.70710678118654752440)
            return UnaryRule(name: "gelu", folds: .never, evaluate: { x in T(0.5) * x * T.erfc(-x * c) },
                             c: { x, c in "\(c.lit(0.5)) * \(x) * \(c.fn("erfc"))(-\(x) * \(c.lit(0.70710678118654752440)))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in
                let cdf = try b.scale(b.unary(.erfc, b.scale(x, -0.70710678118654752440)), 0.5)
                let pdf = try b.scale(b.unary(.exp, b.scale(b.mul(x, x), -0.5)), 0.39894228040143267794)
                return try b.mul(g, b.add(cdf, b.mul(x, pdf)))
            })
        case .softplus:
            return UnaryRule(name: "softplus", folds: .never, evaluate: stableSoftplus, c: { x, _ in "nngc_softplus(\(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in try b.mul(g, b.unary(.sigmoid, x)) })
        case .step:
            return UnaryRule(name: "step", folds: .exactly, evaluate: { $0 > 0 ? 1 : 0 }, c: { x, _ in "(\(x) > 0 ? 1 : 0)" },
                             vjp: nil)
        case .sign:                                                         // ±0 and NaN pass through
            return UnaryRule(name: "sign", folds: .exactly, evaluate: { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) },
                             c: { x, _ in "(\(x) > 0 ? 1 : (\(x) < 0 ? -1 : \(x)))" }, vjp: nil)
        case .leakyRelu(let alpha):                                         // g (alpha + (1-alpha) step(x))
            let a = T(alpha)
            return UnaryRule(name: "leaky_relu", folds: .never, evaluate: { $0 > 0 ? $0 : a * $0 },
                             c: { x, c in "(\(x) > 0 ? \(x) : \(c.lit(alpha)) * \(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in
                try b.mul(g, b.add(b.scalar(alpha), b.scale(b.unary(.step, x), 1 - alpha)))
            })
        case .erf:                                                          // g 2/√π e^(-x²)
            return UnaryRule(name: "erf", folds: .never, evaluate: { T.erf($0) }, c: { x, c in "\(c.fn("erf"))(\(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in
                try b.mul(g, b.scale(b.unary(.exp, b.neg(b.mul(x, x))), 1.12837916709551257390))
            })
        case .erfc:                                                         // g (−2/√π) e^(-x²)
            return UnaryRule(name: "erfc", folds: .never, evaluate: { T.erfc($0) }, c: { x, c in "\(c.fn("erfc"))(\(x))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in
                try b.mul(g, b.scale(b.unary(.exp, b.neg(b.mul(x, x))), -1.12837916709551257390))
            })
        case .softsign:                                                     // x / (1 + |x|); g / (1 + |x|)²
            return UnaryRule(name: "softsign", folds: .rounded, evaluate: { $0 / (1 + Swift.abs($0)) },
                             c: { x, c in "(\(x) / (1 + \(c.fn("fabs"))(\(x))))" },
                             vjp: { b, x, _, g throws(DiagnosticsError) in
                let d = try b.add(b.scalar(1), b.unary(.abs, x))
                return try b.div(g, b.mul(d, d))
            })
        }
    }

    /// The name in the language (`-` for negation).
    public var sourceName: String { rule().name }

    /// The elementwise functions called by name with one tensor argument (and no parameter).
    public static let byName: [String: UnaryOp] = {
        var t: [String: UnaryOp] = [:]
        for u in all {
            switch u {
            case .negate, .leakyRelu: continue  // `-x`; a call with a parameter (Lowering+Calls)
            default: t[u.sourceName] = u
            }
        }
        return t
    }()
}

/// sigmoid(x) = x ≥ 0 ? 1/(1+e) : e/(1+e) with e = exp(-|x|) (no overflow for any x).
@inline(__always)
func stableSigmoid<T: NNGFloat>(_ x: T) -> T {
    let e = T.exp(-Swift.abs(x))
    return x >= 0 ? 1 / (1 + e) : e / (1 + e)
}

/// softplus(x) = max(x, 0) + log1p(exp(-|x|)).
@inline(__always)
func stableSoftplus<T: NNGFloat>(_ x: T) -> T {
    (x > 0 ? x : 0) + T.log(onePlus: T.exp(-Swift.abs(x)))
}

/// The C functions the templates call, defined once in every generated prelude (after `T`).
public func cScalarHelpers(_ c: CScalarContext) -> String {
    """
    NNGC_INLINE T nngc_sigmoid(T x) { T e = \(c.fn("exp"))(-\(c.fn("fabs"))(x)); return x >= 0 ? 1 / (1 + e) : e / (1 + e); }
    NNGC_INLINE T nngc_softplus(T x) { return (x > 0 ? x : 0) + \(c.fn("log1p"))(\(c.fn("exp"))(-\(c.fn("fabs"))(x))); }
    \(portableMathC(c))
    """
}

extension BinaryOp {
    // Specialised here for both element types: the interpreter (another module) would otherwise
    // call the generic rule and its closures through witness tables, once per element.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func rule<T: NNGFloat>(_: T.Type = Double.self) -> BinaryRule<T> {
        switch self {
        case .add:
            return BinaryRule(name: "+", isInfix: true, folds: .rounded, evaluate: { $0 + $1 }, c: { a, b, _ in "\(a) + \(b)" },
                              vjp: { _, _, _, _, g, _ throws(DiagnosticsError) in g })
        case .subtract:
            return BinaryRule(name: "-", isInfix: true, folds: .rounded, evaluate: { $0 - $1 }, c: { a, b, _ in "\(a) - \(b)" },
                              vjp: { b, _, _, _, g, k throws(DiagnosticsError) in k == 0 ? g : try b.neg(g) })
        case .multiply:
            return BinaryRule(name: "*", isInfix: true, folds: .rounded, evaluate: { $0 * $1 }, c: { a, b, _ in "\(a) * \(b)" },
                              vjp: { b, x, z, _, g, k throws(DiagnosticsError) in try b.mul(g, k == 0 ? z : x) })
        case .divide:                                                       // g/b, -g·y/b
            return BinaryRule(name: "/", isInfix: true, folds: .rounded, evaluate: { $0 / $1 }, c: { a, b, _ in "\(a) / \(b)" },
                              vjp: { b, _, z, y, g, k throws(DiagnosticsError) in
                k == 0 ? try b.div(g, z) : try b.neg(b.div(b.mul(g, y), z))
            })
        case .power:                                                        // g·b·a^(b-1), g·a^b·log(a)
            // A square is one multiplication (as fast as it gets, and vectorisable), on every backend.
            return BinaryRule(name: "^", isInfix: true, folds: .rounded, evaluate: { a, b in b == 2 ? a * a : cPow(a, b) },
                              c: { a, b, c in
                b == c.lit(2) ? "\(a) * \(a)" : "(\(b) == 2 ? \(a) * \(a) : \(c.fn("pow"))(\(a), \(b)))"
            },
                              vjp: { b, x, z, y, g, k throws(DiagnosticsError) in
                k == 0 ? try b.mul(g, b.mul(z, b.op(.binary(.power), x, b.sub(z, b.scalar(1)))))
                    : try b.mul(g, b.mul(y, b.unary(.log, x)))
            })
        case .maximum:                                                      // a wins ties and NaN
            return BinaryRule(name: "maximum", isInfix: false, folds: .rounded, evaluate: { a, b in (a >= b || a.isNaN) ? a : b },
                              c: { a, b, _ in "((\(a) >= \(b) || \(a) != \(a)) ? \(a) : \(b))" },
                              vjp: { b, x, z, _, g, k throws(DiagnosticsError) in
                let difference = try b.sub(z, x)
                return try chosenSide(&b, g, toB: difference, k)
            })
        case .minimum:
            return BinaryRule(name: "minimum", isInfix: false, folds: .rounded, evaluate: { a, b in (a <= b || a.isNaN) ? a : b },
                              c: { a, b, _ in "((\(a) <= \(b) || \(a) != \(a)) ? \(a) : \(b))" },
                              vjp: { b, x, z, _, g, k throws(DiagnosticsError) in
                let difference = try b.sub(x, z)
                return try chosenSide(&b, g, toB: difference, k)
            })
        }
    }

    /// The operator or function name in the language.
    public var sourceName: String { rule().name }

    /// Whether the operation is written infix (`a + b`) rather than as a call.
    public var isInfix: Bool { rule().isInfix }
}

/// g routed to the side maximum/minimum chose: operand b where step(difference) is 1, so
/// that ties go to a.
private func chosenSide(_ b: inout GradBuilder, _ g: NodeID, toB difference: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID {
    let toB = try b.unary(.step, difference)
    let mask = k == 0 ? try b.sub(b.scalar(1), toB) : toB
    return try b.mul(g, mask)
}

/// PortableMath's tanh in `T` (the same bits as the generated C's `nngc_tanh`).
@inline(__always)
func genericTanh<T: NNGFloat>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(portableTanh(unsafeBitCast(x, to: Float.self)), to: T.self) }
    return unsafeBitCast(portableTanh(unsafeBitCast(x, to: Double.self)), to: T.self)
}

/// C's `pow` (powf in f32): unlike `Real.pow`, a negative base with a whole exponent works
/// (`(-2)^2 = 4`), as in the C backend.
@inline(__always)
func cPow<T: NNGFloat>(_ a: T, _ b: T) -> T {
    if T.self == Float.self {
        return unsafeBitCast(powf(unsafeBitCast(a, to: Float.self), unsafeBitCast(b, to: Float.self)), to: T.self)
    }
    return unsafeBitCast(pow(unsafeBitCast(a, to: Double.self), unsafeBitCast(b, to: Double.self)), to: T.self)
}

extension Folding {
    /// The folded value of `evaluate` on constants, or nil when this operation does not fold.
    func fold(_ values: [Double], dtype: DType, f64: ([Double]) -> Double, f32: ([Float]) -> Float) -> Double? {
        switch self {
        case .never: return nil
        case .inF64: return dtype == .f64 ? f64(values) : nil
        case .exactly: return f64(values)
        case .rounded: return dtype == .f64 ? f64(values) : Double(f32(values.map { Float($0) }))
        }
    }
}

extension Op {
    /// The value of a unary or binary operation on constants (`values`, one per operand), when
    /// it folds in a graph of `dtype` (`Folding`).
    func folded(_ values: [Double], dtype: DType) -> Double? {
        switch self {
        case .unary(let u):
            return u.rule().folds.fold(values, dtype: dtype, f64: { u.rule(Double.self).evaluate($0[0]) },
                                       f32: { u.rule(Float.self).evaluate($0[0]) })
        case .binary(let op):
            return op.rule().folds.fold(values, dtype: dtype, f64: { op.rule(Double.self).evaluate($0[0], $0[1]) },
                                        f32: { op.rule(Float.self).evaluate($0[0], $0[1]) })
        default:
            return nil
        }
    }
}
