@testable import NNGRuntime
import Testing

/// The training step's arena memory: zero when mapped, contents kept and new bytes zero when
/// it grows (the step relies on both: the optimizer's state starts at zero, and growing for a
/// larger batch must not lose the parameters).
@Suite struct ArenaMemoryTests {
    @Test func startsZeroAndGrowsKeepingItsContents() {
        var memory = ArenaMemory(byteCount: 10_000)
        defer { memory.release() }
        let first = UnsafeMutableRawBufferPointer(start: memory.base, count: 10_000)
        #expect(first.allSatisfy { $0 == 0 })
        for i in 0..<10_000 { first[i] = UInt8(truncatingIfNeeded: i * 7 + 1) }
        // Far larger than the mapping: the kernel moves or extends it, never copies by hand.
        memory.grow(to: 8_000_000)
        let grown = UnsafeMutableRawBufferPointer(start: memory.base, count: 8_000_000)
        #expect((0..<10_000).allSatisfy { grown[$0] == UInt8(truncatingIfNeeded: $0 * 7 + 1) })
        #expect(grown[10_000..<8_000_000].allSatisfy { $0 == 0 })
        #expect(Int(bitPattern: memory.base) % 64 == 0)
        grown[7_999_999] = 5  // writable to its last byte
        memory.grow(to: 1_000)  // never shrinks
        #expect(UnsafeRawPointer(memory.base).load(fromByteOffset: 7_999_999, as: UInt8.self) == 5)
    }
}
