/// Where every tensor of a compiled graph lives in the one flat arena (offsets and sizes in
/// elements of the graph's dtype).
public struct ArenaLayout: Sendable, Hashable {
    public struct Slot: Sendable, Hashable {
        public var name: String
        public var offset: Int
        public var count: Int
        public var shape: [Int]
    }

    /// Graph inputs, parameters and outputs: fixed offsets at the start of the arena, in
    /// declaration order (an output that is an input or parameter shares its slot).
    public var inputs: [Slot] = []
    public var params: [Slot] = []
    public var outputs: [Slot] = []
    /// One element where generated code leaves the value that caused a run-time error.
    public var errorSlot = 0
    /// Total arena size.
    public var totalElements = 0
    /// What one buffer per computed node would take (the arena without liveness planning).
    public var unplannedElements = 0
    /// Elements of the planned (reused) region of intermediates and scratch.
    public var plannedElements = 0
}

/// Every slot of an arena starts at a multiple of 16 elements (64 bytes in f32, the arenas are
/// allocated 64-byte aligned): vector loads and BLAS's packing routines then never straddle a
/// cache line at the start of a tensor.
enum ArenaAlignment {
    static let elements = 16

    /// `n` rounded up to a multiple of `elements`.
    static func up(_ n: Int) -> Int { (n + elements - 1) / elements * elements }
}

/// First-fit allocation of intervals [offset, offset+count) with freeing and coalescing,
/// used to lay out intermediate buffers by liveness.
struct ArenaAllocator {
    /// Free holes sorted by offset; everything from `top` up is free too.
    private var holes: [(offset: Int, count: Int)] = []
    private(set) var top: Int
    private let base: Int

    init(base: Int) {
        self.base = base
        self.top = base
    }

    mutating func allocate(_ n: Int) -> Int {
        let size = max(ArenaAlignment.elements, ArenaAlignment.up(n))
        if let i = holes.firstIndex(where: { $0.count >= size }) {
            let h = holes[i]
            if h.count == size { holes.remove(at: i) } else { holes[i] = (h.offset + size, h.count - size) }
            return h.offset
        }
        // Grow, reusing a free hole that ends at the top.
        if let last = holes.last, last.offset + last.count == top {
            holes.removeLast()
            top = last.offset + size
            return last.offset
        }
        let off = top
        top += size
        return off
    }

    mutating func free(_ offset: Int, _ n: Int) {
        let size = max(ArenaAlignment.elements, ArenaAlignment.up(n))
        var i = 0
        while i < holes.count && holes[i].offset < offset { i += 1 }
        holes.insert((offset, size), at: i)
        // Coalesce with neighbours.
        if i + 1 < holes.count, holes[i].offset + holes[i].count == holes[i + 1].offset {
            holes[i].count += holes[i + 1].count
            holes.remove(at: i + 1)
        }
        if i > 0, holes[i - 1].offset + holes[i - 1].count == holes[i].offset {
            holes[i - 1].count += holes[i].count
            holes.remove(at: i)
        }
        _ = base
    }
}
