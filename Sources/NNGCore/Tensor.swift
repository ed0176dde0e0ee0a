import RealModule

/// The element storage of a tensor: one flat row-major array of its element type.
public enum TensorStorage: Hashable, Sendable {
    case f32([Float])
    case f64([Double])
}

/// A concrete, row-major tensor value.
public struct Tensor: Hashable, Sendable {
    public var shape: [Int]
    public var storage: TensorStorage

    public init(shape: [Int], storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of `dtype` from double values (rounded to f32 where needed).
    public init(shape: [Int], values: [Double], dtype: DType) {
        precondition(values.count == shape.reduce(1, *), "tensor value count does not match its shape")
        self.shape = shape
        switch dtype {
        case .f32: storage = .f32(values.map { Float($0) })
        case .f64: storage = .f64(values)
        }
    }

    public init<T: NNGFloat>(shape: [Int], elements: [T]) {
        precondition(elements.count == shape.reduce(1, *), "tensor element count does not match its shape")
        self.shape = shape
        self.storage = T.wrap(elements)
    }

    public static func scalar(_ value: Double, dtype: DType) -> Tensor {
        Tensor(shape: [], values: [value], dtype: dtype)
    }

    public static func zeros(_ shape: [Int], dtype: DType) -> Tensor {
        Tensor(shape: shape, values: [Double](repeating: 0, count: shape.reduce(1, *)), dtype: dtype)
    }

    public var dtype: DType {
        switch storage {
        case .f32: return .f32
        case .f64: return .f64
        }
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// Every element widened to Double.
    public var doubles: [Double] {
        switch storage {
        case .f32(let a): return a.map(Double.init)
        case .f64(let a): return a
        }
    }

    /// The elements as `T` (converting when the storage has the other type).
    public func elements<T: NNGFloat>(as _: T.Type = T.self) -> [T] {
        if let direct = T.unwrap(storage) { return direct }
        return doubles.map { T($0) }
    }

    /// The same values in another element type.
    public func converted(to dtype: DType) -> Tensor {
        dtype == self.dtype ? self : Tensor(shape: shape, values: doubles, dtype: dtype)
    }

    public var scalarValue: Double? { count == 1 ? doubles[0] : nil }
}

/// The element types the runtime computes in: Float and Double.
public protocol NNGFloat: Real, BinaryFloatingPoint, Sendable where Self.RawSignificand: FixedWidthInteger {
    static var dtype: DType { get }
    static func wrap(_ elements: [Self]) -> TensorStorage
    static func unwrap(_ storage: TensorStorage) -> [Self]?
}

extension Float: NNGFloat {
    public static var dtype: DType { .f32 }
    public static func wrap(_ elements: [Float]) -> TensorStorage { .f32(elements) }
    public static func unwrap(_ storage: TensorStorage) -> [Float]? {
        if case .f32(let a) = storage { return a }
        return nil
    }
}

extension Double: NNGFloat {
    public static var dtype: DType { .f64 }
    public static func wrap(_ elements: [Double]) -> TensorStorage { .f64(elements) }
    public static func unwrap(_ storage: TensorStorage) -> [Double]? {
        if case .f64(let a) = storage { return a }
        return nil
    }
}
