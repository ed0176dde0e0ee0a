import NNGCore

/// Values given on the command line (`--set x=[[1,2],[3,4]]`) or in a feed file
/// (`{"x": [[1, 2], [3, 4]], "y": 3}`): JSON numbers and nested arrays, read into tensors.
/// Non-finite values may be written `nan`, `inf`, `-inf`, or as the strings `"NaN"`,
/// `"Infinity"`, `"-Infinity"` that `--format json` prints.
public enum FeedValues {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// One value: a number or a nested array of numbers, of the given element type.
    public static func tensor(from text: String, dtype: DType) throws(ParseError) -> Tensor {
        try tensor(from: try parse(text), dtype: dtype)
    }

    /// A JSON object mapping names to values.
    public static func tensors(fromJSONObject text: String, dtype: DType) throws(ParseError) -> [(String, Tensor)] {
        guard case .object(let members) = try parse(text) else {
            throw ParseError(description: "a feed file must hold a JSON object of names to nested arrays")
        }
        var out: [(String, Tensor)] = []
        for (name, value) in members {
            do { out.append((name, try tensor(from: value, dtype: dtype))) }
            catch { throw ParseError(description: "'\(name)': \(error.description)") }
        }
        return out
    }

    private static func parse(_ text: String) throws(ParseError) -> JSONValue {
        do { return try JSONParser.parse(text, nonFiniteWords: true) }
        catch { throw ParseError(description: error.description) }
    }

    static func tensor(from value: JSONValue, dtype: DType) throws(ParseError) -> Tensor {
        var shape: [Int] = []
        var values: [Double] = []
        try flatten(value, depth: 0, shape: &shape, into: &values)
        return Tensor(shape: shape, values: values, dtype: dtype)
    }

    /// Appends the numbers of `value` row-major, fixing the shape on first sight of
    /// each depth and refusing ragged nesting.
    private static func flatten(_ value: JSONValue, depth: Int, shape: inout [Int], into values: inout [Double]) throws(ParseError) {
        switch value {
        case .number, .string:
            guard let x = number(value) else { throw ParseError(description: "expected a number or a list of numbers, found \(value.serialized())") }
            if depth < shape.count { throw ParseError(description: "ragged array: a number where a list of \(shape[depth]) was expected") }
            values.append(x)
        case .array(let items):
            if depth == shape.count {
                if !values.isEmpty { throw ParseError(description: "ragged array: a list where a number was expected") }
                if items.isEmpty { throw ParseError(description: "empty list: tensors need at least one element per axis") }
                shape.append(items.count)
            } else if shape[depth] != items.count {
                throw ParseError(description: "ragged array: a list of \(items.count) where \(shape[depth]) were expected")
            }
            for item in items { try flatten(item, depth: depth + 1, shape: &shape, into: &values) }
        case .object, .bool, .null:
            throw ParseError(description: "expected a number or a list of numbers, found \(value.serialized())")
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .number(let x): return x
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }
}
