/// A source text with its path, and line lookup for diagnostics.
public final class SourceFile: @unchecked Sendable {
    public let path: String
    public let text: String
    /// The UTF-8 bytes of `text`; offsets in ranges index into these.
    public let bytes: [UInt8]
    private let lineStarts: [Int]

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// The text a range covers (empty for no range).
    public func text(of range: SourceRange) -> String {
        guard !range.isNone else { return "" }
        let lo = max(0, min(range.start, bytes.count)), hi = max(lo, min(range.end, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// 1-based line and column (column counted in Unicode scalars) of a byte offset.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        let off = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= off { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let prefix = bytes[start..<off]
        // Count scalars: every byte that is not a UTF-8 continuation byte starts one.
        let column = prefix.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } + 1
        return (lo + 1, column)
    }

    /// The text of a 1-based line without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}

/// A half-open byte range in a source file.
public struct SourceRange: Hashable, Sendable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    public static let none = SourceRange(start: -1, end: -1)
    public var isNone: Bool { start < 0 }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        if isNone { return other }
        if other.isNone { return self }
        return SourceRange(start: min(start, other.start), end: max(end, other.end))
    }
}
