import NNGCore

/// `linspace(A, B, N)`: N evenly spaced points from A to B inclusive.
public struct Linspace: Sendable, Hashable {
    public var start: Double
    public var end: Double
    public var count: Int
    public init(_ start: Double, _ end: Double, _ count: Int) {
        self.start = start
        self.end = end
        self.count = count
    }

    public var values: [Double] {
        if count == 1 { return [start] }
        return (0..<count).map { i in
            i == count - 1 ? end : start + (end - start) * Double(i) / Double(count - 1)
        }
    }
}
