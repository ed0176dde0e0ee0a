#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NNGCore
import NNGIR
import RealModule

/// C's `pow` (powf in f32): unlike `Real.pow`, a negative base with a whole exponent works
/// (`(-2)^2 = 4`), as in the C backend.
@inline(__always)
func cPow<T: NNGFloat>(_ a: T, _ b: T) -> T {
    if T.self == Float.self {
        return unsafeBitCast(powf(unsafeBitCast(a, to: Float.self), unsafeBitCast(b, to: Float.self)), to: T.self)
    }
    return unsafeBitCast(pow(unsafeBitCast(a, to: Double.self), unsafeBitCast(b, to: Double.self)), to: T.self)
}

/// Elementwise operations. The formulas are the contract between backends:
/// - sigmoid(x)  = x ≥ 0 ? 1/(1+e) : e/(1+e) with e = exp(-|x|)
/// - softplus(x) = max(x, 0) + log1p(exp(-|x|))
/// - gelu(x)     = 0.5·x·(1 + erf(x·0.70710678118654752))   (x·Φ(x), exact)
/// - relu(x)     = x < 0 ? 0 : x           (NaN passes through)
/// - leaky_relu  = x > 0 ? x : alpha·x
/// - step(x)     = x > 0 ? 1 : 0;  sign(x) = x > 0 ? 1 : x < 0 ? -1 : x  (so ±0 and NaN pass through)
/// - maximum(a, b) = (a ≥ b or a is NaN) ? a : b; minimum(a, b) = (a ≤ b or a is NaN) ? a : b
/// - power = C pow
enum Elementwise {
    @inline(__always)
    static func sigmoid<T: NNGFloat>(_ x: T) -> T {
        let e = T.exp(-abs(x))
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }

    @inline(__always)
    static func softplus<T: NNGFloat>(_ x: T) -> T {
        (x > 0 ? x : 0) + T.log(onePlus: T.exp(-abs(x)))
    }

    static func unaryFunction<T: NNGFloat>(_ op: UnaryOp, _: T.Type) -> (T) -> T {
        switch op {
        case .negate: return { -$0 }
        case .exp: return { T.exp($0) }
        case .log: return { T.log($0) }
        case .sqrt: return { $0.squareRoot() }
        case .abs: return { abs($0) }
        case .sin: return { T.sin($0) }
        case .cos: return { T.cos($0) }
        case .tanh: return { T.tanh($0) }
        case .sigmoid: return { sigmoid($0) }
        case .relu: return { $0 < 0 ? 0 : $0 }
        case .gelu:
            let c = T(0.70710678118654752440)
            return { x in T(0.5) * x * (1 + T.erf(x * c)) }
        case .softplus: return { softplus($0) }
        case .step: return { $0 > 0 ? 1 : 0 }
        case .sign: return { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
        case .leakyRelu(let alpha):
            let a = T(alpha)
            return { $0 > 0 ? $0 : a * $0 }
        case .erf: return { T.erf($0) }
        }
    }

    static func unary<T: NNGFloat>(_ op: UnaryOp, _ x: Buf<T>) -> Buf<T> {
        let f = unaryFunction(op, T.self)
        return Buf(shape: x.shape, data: x.data.map(f))
    }

    static func binaryFunction<T: NNGFloat>(_ op: BinaryOp, _: T.Type) -> (T, T) -> T {
        switch op {
        case .add: return { $0 + $1 }
        case .subtract: return { $0 - $1 }
        case .multiply: return { $0 * $1 }
        case .divide: return { $0 / $1 }
        case .power: return { cPow($0, $1) }
        case .maximum: return { a, b in (a >= b || a.isNaN) ? a : b }
        case .minimum: return { a, b in (a <= b || a.isNaN) ? a : b }
        }
    }

    static func binary<T: NNGFloat>(_ op: BinaryOp, _ a: Buf<T>, _ b: Buf<T>) throws(KernelError) -> Buf<T> {
        try zipBroadcast(a, b, name: op.rawValue, binaryFunction(op, T.self))
    }

    /// Applies `f` to the NumPy broadcast of `a` and `b`.
    static func zipBroadcast<T: NNGFloat>(_ a: Buf<T>, _ b: Buf<T>, name: String,
                                          _ f: (T, T) -> T) throws(KernelError) -> Buf<T> {
        if a.shape == b.shape {
            var out = [T](repeating: 0, count: a.count)
            for i in 0..<a.count { out[i] = f(a.data[i], b.data[i]) }
            return Buf(shape: a.shape, data: out)
        }
        guard let shape = ShapeMath.broadcast(a.shape, b.shape) else {
            throw KernelError("cannot broadcast \(ShapeMath.describe(a.shape)) and \(ShapeMath.describe(b.shape)) in \(name)")
        }
        let n = ShapeMath.count(shape)
        var out = [T](repeating: 0, count: n)
        if b.count == 1, a.shape == shape {
            let y = b.data[0]
            for i in 0..<n { out[i] = f(a.data[i], y) }
        } else if a.count == 1, b.shape == shape {
            let x = a.data[0]
            for i in 0..<n { out[i] = f(x, b.data[i]) }
        } else {
            let ia = ShapeMath.broadcastIndex(from: a.shape, to: shape)
            let ib = ShapeMath.broadcastIndex(from: b.shape, to: shape)
            for i in 0..<n { out[i] = f(a.data[ia[i]], b.data[ib[i]]) }
        }
        return Buf(shape: shape, data: out)
    }

    /// where(c, a, b): a where c ≠ 0, else b; all three broadcast.
    static func select<T: NNGFloat>(_ c: Buf<T>, _ a: Buf<T>, _ b: Buf<T>) throws(KernelError) -> Buf<T> {
        guard let ab = ShapeMath.broadcast(a.shape, b.shape), let shape = ShapeMath.broadcast(c.shape, ab) else {
            throw KernelError("cannot broadcast \(ShapeMath.describe(c.shape)), \(ShapeMath.describe(a.shape)) and \(ShapeMath.describe(b.shape)) in where")
        }
        let ic = ShapeMath.broadcastIndex(from: c.shape, to: shape)
        let ia = ShapeMath.broadcastIndex(from: a.shape, to: shape)
        let ib = ShapeMath.broadcastIndex(from: b.shape, to: shape)
        var out = [T](repeating: 0, count: ic.count)
        for i in 0..<ic.count { out[i] = c.data[ic[i]] != 0 ? a.data[ia[i]] : b.data[ib[i]] }
        return Buf(shape: shape, data: out)
    }
}
