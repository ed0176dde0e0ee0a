import Foundation

/// The most memory one value, arena or data set may take. Anything larger is refused with a
/// diagnostic before it is allocated, identically on both backends, instead of aborting in the
/// allocator. Process-wide: the command line sets it once (`--max-memory`); the default is
/// half of the machine's physical memory.
public enum MemoryBudget {
    public static let defaultBytes = Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)

    private static let lock = NSLock()
    nonisolated(unsafe) private static var current = defaultBytes

    public static var bytes: Int {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); defer { lock.unlock() }; current = max(0, newValue) }
    }

    /// The bytes of `elements` elements of `elementSize` bytes, or nil when the product overflows.
    public static func byteCount(elements: Int, elementSize: Int) -> Int? {
        let (b, o) = elements.multipliedReportingOverflow(by: elementSize)
        return o || elements < 0 ? nil : b
    }

    /// nil when `elements` elements of `elementSize` bytes fit the budget; otherwise why
    /// `what` ("a value of shape [3, 4]") is refused.
    public static func refusal(_ what: String, elements: Int, elementSize: Int) -> String? {
        let budget = bytes
        guard let needed = byteCount(elements: elements, elementSize: elementSize) else {
            return "\(what) is too large"
        }
        guard needed > budget else { return nil }
        return "\(what) needs \(describe(needed)), more than the memory budget of \(describe(budget)) (--max-memory)"
    }

    /// `12,345,678 bytes`.
    public static func describe(_ bytes: Int) -> String {
        let digits = Array(String(bytes))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out + (bytes == 1 ? " byte" : " bytes")
    }

    /// `--max-memory` values: bytes, or a number with K, M, G or T (powers of 1024).
    public static func parse(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var t = text.uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        var scale = 1
        if let u = t.last, let s = units[u] { scale = s; t.removeLast() }
        guard let n = Int(t), n > 0 else { return nil }
        let (b, o) = n.multipliedReportingOverflow(by: scale)
        return o ? nil : b
    }
}
