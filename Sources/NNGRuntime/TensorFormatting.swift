import NNGCore

/// Text and JSON renderings of tensor values for the command line.
public enum TensorFormatting {
    /// A scalar as a number, otherwise nested brackets, row-major:
    /// `[[1, 2], [3, 4]]`. Each element is printed in the shortest form that
    /// reads back as the same value of the tensor's element type.
    public static func text(_ t: Tensor) -> String {
        let items = elementTexts(t)
        return nest(items, shape: t.shape, open: "[", close: "]")
    }

    /// The same layout as a JSON value (a scalar as a number).
    public static func json(_ t: Tensor) -> JSONValue {
        let values = t.doubles
        var index = 0
        func build(_ depth: Int) -> JSONValue {
            if depth == t.shape.count {
                defer { index += 1 }
                return .number(t.dtype == .f32 ? Double(formatValue(Float(values[index]))) ?? values[index] : values[index])
            }
            return .array((0..<t.shape[depth]).map { _ in build(depth + 1) })
        }
        return build(0)
    }

    static func elementTexts(_ t: Tensor) -> [String] {
        switch t.storage {
        case .f32(let a): return a.map(formatValue)
        case .f64(let a): return a.map(formatValue)
        }
    }

    private static func nest(_ items: [String], shape: [Int], open: String, close: String) -> String {
        if shape.isEmpty { return items.first ?? "" }
        var index = 0
        func build(_ depth: Int) -> String {
            if depth == shape.count {
                defer { index += 1 }
                return items[index]
            }
            return open + (0..<shape[depth]).map { _ in build(depth + 1) }.joined(separator: ", ") + close
        }
        return build(0)
    }
}
