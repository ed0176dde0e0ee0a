import NNGCore

/// NumPy broadcasting over symbolic shapes.
///
/// Shapes are aligned at the trailing dimension. Two dimensions combine when they
/// are equal (the same size, or the same symbol), or when one of them is the
/// concrete size 1 (it stretches to the other, symbol or size). A symbol against a
/// concrete size other than 1, or two different symbols, is an error: the checker
/// cannot know that they agree (a symbol that turns out to be 1 at run time does
/// not stretch).
public func broadcastDims(_ a: Dim, _ b: Dim) -> Dim? {
    if a == b { return a }
    if a == .known(1) { return b }
    if b == .known(1) { return a }
    return nil
}

/// The broadcast shape of several shapes, or nil when they do not broadcast.
public func broadcastShapes(_ shapes: [Shape]) -> Shape? {
    let rank = shapes.map(\.rank).max() ?? 0
    var out = [Dim](repeating: .known(1), count: rank)
    for s in shapes {
        let offset = rank - s.rank
        for (i, d) in s.dims.enumerated() {
            guard let c = broadcastDims(out[offset + i], d) else { return nil }
            out[offset + i] = c
        }
    }
    return Shape(out)
}

/// Whether `shape` broadcasts to exactly `target`.
public func broadcasts(_ shape: Shape, to target: Shape) -> Bool {
    guard shape.rank <= target.rank else { return false }
    let offset = target.rank - shape.rank
    for (i, d) in shape.dims.enumerated() where d != .known(1) && d != target[offset + i] {
        return false
    }
    return true
}
