import Foundation
import NNGCore

/// Builds C text line by line with indentation.
struct CWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ s: String = "") {
        if s.isEmpty { text += "\n"; return }
        text += String(repeating: "  ", count: depth) + s + "\n"
    }

    mutating func open(_ s: String) {
        line(s + " {")
        depth += 1
    }

    mutating func close(_ suffix: String = "") {
        depth -= 1
        line("}" + suffix)
    }

    mutating func append(_ other: CWriter) { text += other.text }
}

/// How numbers and text of the user's program appear in C.
enum CText {
    /// An exact C literal of `value` rounded to `dtype`: hexadecimal floating point
    /// (`0x1.8p+1`), so that no decimal rounding happens in TinyCC's parser.
    static func literal(_ value: Double, _ dtype: DType) -> String {
        let v = dtype == .f32 ? Double(Float(value)) : value
        let body: String
        if v.isNaN {
            body = "nngc_nan()"
        } else if v.isInfinite {
            body = v > 0 ? "nngc_inf()" : "(-nngc_inf())"
        } else if v == 0 {
            body = v.sign == .minus ? "(-0.0)" : "0.0"
        } else {
            let s = String(format: "%a", v)
            body = s.hasPrefix("-") ? "(\(s))" : s
        }
        return dtype == .f32 ? "((float)\(body))" : body
    }

    /// The definition of a constant array `name` of `values` in `dtype`. A NaN or infinity
    /// cannot appear in a static initializer (TinyCC folds no `0.0/0.0` there), so an array
    /// holding one is initialised by its bit patterns through a union and `name` points at it.
    static func constantArray(_ name: String, _ values: [Double], _ dtype: DType) -> String {
        let count = max(1, values.count)
        let type = dtype == .f32 ? "float" : "double"
        if values.allSatisfy({ (dtype == .f32 ? Double(Float($0)) : $0).isFinite }) {
            return "static \(type) \(name)[\(count)] = { \(values.map { literal($0, dtype) }.joined(separator: ", ")) };"
        }
        let bits = values.map { v in
            dtype == .f32 ? String(format: "0x%08XU", Float(v).bitPattern) : String(format: "0x%016llXULL", v.bitPattern)
        }
        let word = dtype == .f32 ? "unsigned int" : "uint64_t"
        return "static union { \(word) bits[\(count)]; \(type) v[\(count)]; } \(name)_bits = { { \(bits.joined(separator: ", ")) } };\n"
            + "static \(type) *const \(name) = \(name)_bits.v;"
    }

    /// Whether C text `text` uses the identifier `name` (not as part of a longer identifier).
    static func mentions(_ text: String, _ name: String) -> Bool {
        func isIdentifierCharacter(_ c: Character?) -> Bool { c.map { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) } ?? false }
        var search = text.startIndex..<text.endIndex
        while let r = text.range(of: name, range: search) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            if !isIdentifierCharacter(before) && !isIdentifierCharacter(after) { return true }
            search = r.upperBound..<text.endIndex
        }
        return false
    }

    /// A double literal (used for probabilities compared in double).
    static func double(_ value: Double) -> String { literal(value, .f64) }

    /// Text safe inside a C block comment: printable ASCII only, and no `*/` or `/*`.
    static func comment(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value >= 0x20 && u.value < 0x7F { out.unicodeScalars.append(u) } else { out += "?" }
        }
        while out.contains("*/") || out.contains("/*") {
            out = out.replacingOccurrences(of: "*/", with: "* /").replacingOccurrences(of: "/*", with: "/ *")
        }
        return out
    }
}

/// A number as the interpreter prints it in messages.
func cFormatNumber(_ x: Double) -> String {
    if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}

/// Row-major index helpers for concrete shapes.
enum CShape {
    static func count(_ s: [Int]) -> Int { s.reduce(1, *) }

    static func strides(_ s: [Int]) -> [Int] {
        var out = [Int](repeating: 1, count: s.count)
        var acc = 1
        for i in stride(from: s.count - 1, through: 0, by: -1) {
            out[i] = acc
            acc *= s[i]
        }
        return out
    }

    /// Strides with which an operand of shape `from` is read when broadcast to `to`
    /// (NumPy alignment at the trailing dimension; 0 on stretched axes).
    static func broadcastStrides(from: [Int], to: [Int]) -> [Int] {
        let st = strides(from)
        let shift = to.count - from.count
        return (0..<to.count).map { d in
            let a = d - shift
            if a < 0 { return 0 }
            return from[a] == 1 && to[d] != 1 ? 0 : st[a]
        }
    }

    /// NumPy broadcast of two concrete shapes.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let x = i < r - a.count ? 1 : a[i - (r - a.count)]
            let y = i < r - b.count ? 1 : b[i - (r - b.count)]
            if x == y || y == 1 { out[i] = x } else if x == 1 { out[i] = y } else { return nil }
        }
        return out
    }

    /// `i0*s0 + i1*s1 + …` over loop variables named `prefix0…`, dropping zero strides.
    static func indexExpr(_ strides: [Int], prefix: String = "i", base: String? = nil) -> String {
        var terms: [String] = []
        if let base { terms.append(base) }
        for (d, s) in strides.enumerated() where s != 0 {
            terms.append(s == 1 ? "\(prefix)\(d)" : "\(prefix)\(d) * \(s)")
        }
        return terms.isEmpty ? "0" : terms.joined(separator: " + ")
    }
}
