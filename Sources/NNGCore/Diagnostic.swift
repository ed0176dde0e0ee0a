/// A message about the user's input, tied to a place in a source file.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var message: String
    public var range: SourceRange
    /// Extra lines printed after the caret (notes, hints).
    public var notes: [String]

    public init(_ message: String, at range: SourceRange = .none, severity: Severity = .error, notes: [String] = []) {
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
    }

    public var description: String { "\(severity.rawValue): \(message)" }

    /// `PATH:LINE:COL: error: MESSAGE`, the source line and a caret under the token.
    /// Control characters of the message, notes, path and source line are escaped (`\u{1B}`):
    /// echoed raw, an escape sequence would recolour the terminal and a newline would split the
    /// one-line `PATH:LINE:COL: error:` format.
    public func rendered(in file: SourceFile?) -> String {
        let message = escapingControlCharacters(self.message)
        let notes = self.notes.map { escapingControlCharacters($0) }
        guard let file, !range.isNone else {
            let prefix = file.map { "\(escapingControlCharacters($0.path)): " } ?? ""
            return ([prefix + "\(severity.rawValue): \(message)"] + notes).joined(separator: "\n")
        }
        let (line, column) = file.lineColumn(of: range.start)
        let endColumn = file.lineColumn(of: range.end)
        let sourceLine = escapingControlCharacters(file.lineText(line), keepTabs: true)
        let width = endColumn.line == line ? max(1, endColumn.column - column) : 1
        // Keep tabs in the margin so the caret lines up under tab-indented code.
        let margin = String(sourceLine.unicodeScalars.prefix(column - 1).map { $0 == "\t" ? "\t" : " " }
            .joined())
        let caret = "^" + String(repeating: "~", count: max(0, min(width, 200) - 1))
        var lines = ["\(escapingControlCharacters(file.path)):\(line):\(column): \(severity.rawValue): \(message)"]
        lines.append("  " + sourceLine)
        lines.append("  " + margin + caret)
        lines += notes
        return lines.joined(separator: "\n")
    }

    /// Line and column of the diagnostic in `file` (for tests and JSON output).
    public func position(in file: SourceFile) -> (line: Int, column: Int)? {
        range.isNone ? nil : file.lineColumn(of: range.start)
    }
}

/// `text` with every control character (C0, DEL, C1) written as `\u{XX}`; tabs kept if asked.
public func escapingControlCharacters(_ text: String, keepTabs: Bool = false) -> String {
    func isControl(_ u: Unicode.Scalar) -> Bool {
        (u.value < 0x20 && !(keepTabs && u == "\t")) || (0x7F...0x9F).contains(u.value)
    }
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var out = String.UnicodeScalarView()
    for u in text.unicodeScalars {
        if isControl(u) { out.append(contentsOf: "\\u{\(String(u.value, radix: 16, uppercase: true))}".unicodeScalars) }
        else { out.append(u) }
    }
    return String(out)
}

/// One or more diagnostics, thrown when a phase cannot go on.
public struct DiagnosticsError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(_ one: Diagnostic) { self.diagnostics = [one] }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }

    public func rendered(in file: SourceFile?) -> String {
        diagnostics.map { $0.rendered(in: file) }.joined(separator: "\n")
    }
}

/// The closest candidate by edit distance, for "did you mean" hints.
/// Among equally close names the first wins: callers pass candidates in a deterministic order
/// (definition order, or sorted when they come from a dictionary).
public func closestName(to name: String, among candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    let length = name.unicodeScalars.count
    for c in candidates where c != name {
        let limit = max(1, min(3, max(length, c.unicodeScalars.count) / 2))
        // The distance is at least the difference of the lengths.
        guard Swift.abs(c.unicodeScalars.count - length) <= limit else { continue }
        let d = editDistance(name, c)
        if d <= limit, best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}

/// Levenshtein distance between two names.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count)
    var cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        cur[0] = i
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}
