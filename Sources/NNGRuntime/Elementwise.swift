#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NNGCore
import NNGIR
import RealModule

/// Elementwise operations: the unary and binary ones evaluate the rows of the scalar-op table
/// (NNGIR's Ops/ScalarOps.swift), which the C backend renders from the same rows.
enum Elementwise {
    static func unary<T: NNGFloat>(_ op: UnaryOp, _ x: Buf<T>) -> Buf<T> {
        let f = op.rule(T.self).evaluate
        return Buf(shape: x.shape, data: x.data.map(f))
    }

    static func binary<T: NNGFloat>(_ op: BinaryOp, _ a: Buf<T>, _ b: Buf<T>) throws(KernelError) -> Buf<T> {
        try zipBroadcast(a, b, name: op.rawValue, op.rule(T.self).evaluate)
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
