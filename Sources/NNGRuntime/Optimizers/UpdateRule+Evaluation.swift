import Foundation
import NNGCore

/// The Swift evaluation of an `UpdateRule`, a whole array at a time: each statement is one pass
/// over the parameter's elements, each operation rounded to the element type as the C loop
/// rounds it.
extension UpdateRule {
    /// The per-step scalars in Double (rounded to the element type where they are used).
    func stepScalars(lr: Double, updateNumber: UInt64) -> [String: Double] {
        var out: [String: Double] = [:]
        for (name, value) in scalars { out[name] = value.evaluate(lr: lr, t: Double(updateNumber)) }
        return out
    }

    /// One update of one parameter: `arrays` holds `w`, `g` and the slots (all of one count);
    /// returns the new values of the stored arrays (`w` and the slots), by name.
    func apply<T: NNGFloat>(_ arrays: [String: [T]], scalars: [String: Double], firstUpdate: Bool) -> [String: [T]] {
        let count = arrays["w"]?.count ?? 0
        var locals: [String: [T]] = [:]
        func evaluate(_ e: Expr) -> Value<T> {
            switch e {
            case .element(let name): return .array(arrays[name] ?? [T](repeating: 0, count: count))
            case .local(let name): return .array(locals[name]!)
            case .constant(let v): return .scalar(T(v))
            case .scalar(let name): return .scalar(T(scalars[name]!))
            case .binary(let op, let a, let b): return Value.combine(evaluate(a), evaluate(b), op.apply)
            case .squareRoot(let a): return evaluate(a).map { $0.squareRoot() }
            case .atFirstUpdate(let first, let otherwise): return evaluate(firstUpdate ? first : otherwise)
            }
        }
        for (name, value) in statements { locals[name] = evaluate(value).elements(count) }
        var out: [String: [T]] = [:]
        for (array, local) in stores { out[array] = locals[local]! }
        return out
    }

    /// A scalar (a constant or a per-step value: one element, `isScalar`) or one value per
    /// element. A struct, not a generic enum with payloads: valgrind reports the Swift runtime's
    /// initialisation of such enum metadata as a use of uninitialised memory.
    struct Value<T: NNGFloat> {
        var values: [T]
        var isScalar: Bool

        static func scalar(_ s: T) -> Value { Value(values: [s], isScalar: true) }
        static func array(_ a: [T]) -> Value { Value(values: a, isScalar: false) }

        func elements(_ count: Int) -> [T] { isScalar ? [T](repeating: values[0], count: count) : values }

        func map(_ f: (T) -> T) -> Value { Value(values: values.map(f), isScalar: isScalar) }

        static func combine(_ a: Value, _ b: Value, _ f: (T, T) -> T) -> Value {
            switch (a.isScalar, b.isScalar) {
            case (true, true): return .scalar(f(a.values[0], b.values[0]))
            case (true, false): return .array(b.values.map { f(a.values[0], $0) })
            case (false, true): return .array(a.values.map { f($0, b.values[0]) })
            case (false, false): return .array(zip(a.values, b.values).map(f))
            }
        }
    }
}

extension UpdateRule.Operator {
    func apply<T: NNGFloat>(_ a: T, _ b: T) -> T {
        switch self {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        }
    }
}

extension UpdateRule.StepExpr {
    func evaluate(lr: Double, t: Double) -> Double {
        switch self {
        case .lr: return lr
        case .updateNumber: return t
        case .constant(let v): return v
        case .binary(let op, let a, let b): return op.apply(a.evaluate(lr: lr, t: t), b.evaluate(lr: lr, t: t))
        case .power(let a, let b): return Foundation.pow(a.evaluate(lr: lr, t: t), b.evaluate(lr: lr, t: t))
        case .squareRoot(let a): return a.evaluate(lr: lr, t: t).squareRoot()
        }
    }
}
