import NNGCore

/// A strict JSON parser (RFC 8259) producing `JSONValue`, objects in document order.
public struct JSONParser {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    private let b: [UInt8]
    private var i = 0
    private var depth = 0
    /// Also accept the bare words `nan`, `inf`, `-inf` (and `NaN`, `Infinity`, `-Infinity`) as
    /// numbers: values typed on the command line may be non-finite.
    private var nonFiniteWords = false

    public static func parse(_ bytes: [UInt8], nonFiniteWords: Bool = false) throws(Failure) -> JSONValue {
        var p = JSONParser(bytes)
        p.nonFiniteWords = nonFiniteWords
        let v = try p.value()
        p.skip()
        guard p.i == p.b.count else { throw p.failure("unexpected text after the JSON value") }
        return v
    }

    public static func parse(_ text: String, nonFiniteWords: Bool = false) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8), nonFiniteWords: nonFiniteWords)
    }

    private init(_ b: [UInt8]) { self.b = b }

    private func failure(_ m: String) -> Failure { Failure(message: m, offset: i) }

    private mutating func skip() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: String, _ v: JSONValue) throws(Failure) -> JSONValue {
        let w = Array(word.utf8)
        guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { throw failure("invalid literal") }
        i += w.count
        return v
    }

    private mutating func value() throws(Failure) -> JSONValue {
        skip()
        guard i < b.count else { throw failure("unexpected end of JSON") }
        if nonFiniteWords, let x = nonFiniteWord() { return .number(x) }
        switch b[i] {
        case UInt8(ascii: "{"):
            depth += 1
            guard depth < 200 else { throw failure("JSON nested too deeply") }
            defer { depth -= 1 }
            i += 1
            var members: [(String, JSONValue)] = []
            skip()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skip()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let key = try string()
                skip()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                i += 1
                members.append((key, try value()))
                skip()
                guard i < b.count else { throw failure("unexpected end of JSON") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw failure("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            depth += 1
            guard depth < 200 else { throw failure("JSON nested too deeply") }
            defer { depth -= 1 }
            i += 1
            var items: [JSONValue] = []
            skip()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skip()
                guard i < b.count else { throw failure("unexpected end of JSON") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw failure("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return .number(try number())
        }
    }

    private mutating func nonFiniteWord() -> Double? {
        let words: [(String, Double)] = [("-Infinity", -.infinity), ("Infinity", .infinity), ("-inf", -.infinity),
                                         ("inf", .infinity), ("NaN", .nan), ("nan", .nan)]
        for (word, x) in words {
            let w = Array(word.utf8)
            if i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w { i += w.count; return x }
        }
        return nil
    }

    private mutating func number() throws(Failure) -> Double {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
        guard i > digitsStart else { throw failure("invalid value") }
        if b[digitsStart] == 0x30, i - digitsStart > 1 { throw failure("leading zero in a number") }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let f = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            guard i > f else { throw failure("invalid number") }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let e = i
            while i < b.count, (0x30...0x39).contains(b[i]) { i += 1 }
            guard i > e else { throw failure("invalid number") }
        }
        guard let v = Double(String(decoding: b[start..<i], as: UTF8.self)) else { throw failure("invalid number") }
        return v
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= b.count else { throw failure("bad \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw failure("bad \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    private mutating func string() throws(Failure) -> String {
        i += 1  // opening quote
        var bytes: [UInt8] = []
        while true {
            guard i < b.count else { throw failure("unterminated string") }
            let c = b[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                guard let s = String(validating: bytes, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
                return s
            case UInt8(ascii: "\\"):
                guard i < b.count else { throw failure("unterminated string") }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard i + 2 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { throw failure("lone surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("lone surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
                    bytes += Array(String(Character(scalar)).utf8)
                default: throw failure("invalid escape")
                }
            default:
                guard c >= 0x20 else { throw failure("control character in a string") }
                bytes.append(c)
            }
        }
    }
}
