import NNGCore

/// Values given on the command line (`--set x=[[1,2],[3,4]]`) or in a feed file
/// (`{"x": [[1, 2], [3, 4]], "y": 3}`): nested arrays of numbers, read into tensors.
public enum FeedValues {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// One value: a number or a nested array of numbers, of the given element type.
    public static func tensor(from text: String, dtype: DType) throws(ParseError) -> Tensor {
        var reader = FeedReader(text)
        let value = try reader.readValue()
        try reader.expectEnd()
        return try tensor(from: value, dtype: dtype)
    }

    /// A JSON object mapping names to values.
    public static func tensors(fromJSONObject text: String, dtype: DType) throws(ParseError) -> [(String, Tensor)] {
        var reader = FeedReader(text)
        guard case .object(let members) = try reader.readValue() else {
            throw ParseError(description: "a feed file must hold a JSON object of names to nested arrays")
        }
        try reader.expectEnd()
        var out: [(String, Tensor)] = []
        for (name, value) in members {
            do { out.append((name, try tensor(from: value, dtype: dtype))) }
            catch { throw ParseError(description: "'\(name)': \(error.description)") }
        }
        return out
    }

    static func tensor(from value: FeedValue, dtype: DType) throws(ParseError) -> Tensor {
        var shape: [Int] = []
        var values: [Double] = []
        try flatten(value, depth: 0, shape: &shape, into: &values)
        return Tensor(shape: shape, values: values, dtype: dtype)
    }

    /// Appends the numbers of `value` row-major, fixing the shape on first sight of
    /// each depth and refusing ragged nesting.
    private static func flatten(_ value: FeedValue, depth: Int, shape: inout [Int], into values: inout [Double]) throws(ParseError) {
        switch value {
        case .number(let x):
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
        case .object:
            throw ParseError(description: "expected a number or a list of numbers, found an object")
        }
    }
}

indirect enum FeedValue {
    case number(Double)
    case array([FeedValue])
    case object([(String, FeedValue)])
}

/// A small reader for the JSON subset that feeds need (numbers, arrays, objects with
/// string keys), also accepting `nan`, `inf` and `-inf`. Nesting is limited so
/// that no input can overflow the stack.
struct FeedReader {
    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private var found: String {
        i < bytes.count ? "'\(String(decoding: [bytes[i]], as: UTF8.self))' at character \(i + 1)" : "the end"
    }

    mutating func expectEnd() throws(FeedValues.ParseError) {
        skipSpace()
        if i < bytes.count { throw .init(description: "unexpected \(found) after the value") }
    }

    mutating func readValue() throws(FeedValues.ParseError) -> FeedValue {
        skipSpace()
        guard i < bytes.count else { throw .init(description: "expected a value, found the end") }
        switch bytes[i] {
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "{"): return try readObject()
        default: return .number(try readNumber())
        }
    }

    private mutating func enter() throws(FeedValues.ParseError) {
        depth += 1
        if depth > 64 { throw .init(description: "arrays nested more than 64 deep") }
    }

    private mutating func readArray() throws(FeedValues.ParseError) -> FeedValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var items: [FeedValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            items.append(try readValue())
            skipSpace()
            guard i < bytes.count else { throw .init(description: "unclosed '['") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw .init(description: "expected ',' or ']', found \(found)")
        }
    }

    private mutating func readObject() throws(FeedValues.ParseError) -> FeedValue {
        try enter()
        defer { depth -= 1 }
        i += 1
        var members: [(String, FeedValue)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            let key = try readString()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw .init(description: "expected ':' after \"\(key)\", found \(found)") }
            i += 1
            members.append((key, try readValue()))
            skipSpace()
            guard i < bytes.count else { throw .init(description: "unclosed '{'") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw .init(description: "expected ',' or '}', found \(found)")
        }
    }

    private mutating func readString() throws(FeedValues.ParseError) -> String {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw .init(description: "expected a quoted name, found \(found)") }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count { i += 1 }
            out.append(bytes[i])
            i += 1
        }
        guard i < bytes.count else { throw .init(description: "unterminated string") }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func readNumber() throws(FeedValues.ParseError) -> Double {
        let start = i
        let allowed = Set("+-.0123456789eEinfaINFA".utf8)
        while i < bytes.count, allowed.contains(bytes[i]) { i += 1 }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        switch text.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: break
        }
        guard !text.isEmpty, let x = Double(text) else {
            throw .init(description: text.isEmpty ? "expected a number, found \(found)" : "'\(text)' is not a number")
        }
        return x
    }
}
