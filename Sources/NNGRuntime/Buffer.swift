import NNGCore

/// A concrete value during interpretation: row-major elements of the graph's
/// element type and their shape.
struct Buf<T: NNGFloat> {
    var shape: [Int]
    var data: [T]

    init(shape: [Int], data: [T]) {
        self.shape = shape
        self.data = data
    }

    var count: Int { data.count }
    var rank: Int { shape.count }

    var tensor: Tensor { Tensor(shape: shape, storage: T.wrap(data)) }
}

/// A failure inside a kernel; the interpreter attaches the node's source range.
struct KernelError: Error {
    var message: String
    /// The diagnostic when the failure has a place of its own (an operation inside a scan's
    /// body): the interpreter reports it instead of one at the failing node.
    var located: Diagnostic?
    init(_ message: String) { self.message = message }
    init(located: Diagnostic) {
        self.message = located.message
        self.located = located
    }
}

/// Shape arithmetic shared by the kernels.
enum ShapeMath {
    /// Row-major strides of a shape.
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            s[d] = acc
            acc *= shape[d]
        }
        return s
    }

    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The element count, or nil when a dimension is negative or the count is absurdly large
    /// (more than `Int32.max` elements: BLAS indexes with 32-bit integers).
    static func checkedCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o, p <= Int(Int32.max) else { return nil }
            n = p
        }
        return n
    }

    /// NumPy broadcast of two shapes, or nil when they are incompatible.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Whether `shape` broadcasts to `target` (aligned at the trailing dimension).
    static func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
        guard shape.count <= target.count else { return false }
        let off = target.count - shape.count
        for i in 0..<shape.count where shape[i] != 1 && shape[i] != target[i + off] { return false }
        return true
    }

    /// For every element of `shape` (row-major), the offset Σ index[d]·strides[d].
    static func offsets(shape: [Int], strides st: [Int]) -> [Int] {
        let n = count(shape)
        let r = shape.count
        if n == 0 { return [] }
        if r == 0 { return [0] }
        return [Int](unsafeUninitializedCapacity: n) { buf, initialized in
            var idx = [Int](repeating: 0, count: r)
            var off = 0
            for k in 0..<n {
                buf[k] = off
                var d = r - 1
                while d >= 0 {
                    idx[d] += 1
                    off += st[d]
                    if idx[d] < shape[d] { break }
                    off -= st[d] * shape[d]
                    idx[d] = 0
                    d -= 1
                }
            }
            initialized = n
        }
    }

    /// For every element of `outShape`, the flat index of the element of a tensor of shape
    /// `inShape` that broadcasting maps onto it. `inShape` must broadcast to `outShape`.
    static func broadcastIndex(from inShape: [Int], to outShape: [Int]) -> [Int] {
        let inStrides = strides(inShape)
        let off = outShape.count - inShape.count
        var st = [Int](repeating: 0, count: outShape.count)
        for i in 0..<inShape.count where inShape[i] != 1 { st[i + off] = inStrides[i] }
        return offsets(shape: outShape, strides: st)
    }

    static func describe(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

/// A number as a user would write it: `7`, `2.5`.
func formatNumber(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}
