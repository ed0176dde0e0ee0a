import CArenaMemory
import Glibc

/// The memory of a persistent arena: whole pages from the kernel, zero until written, grown by
/// `mremap` without copying. A training step's arena is tens of megabytes for a wide model;
/// filling it with zeros by hand, then copying it when the first batch adds the temporaries,
/// touched every page twice before the first step ran (issue 12: text → first step).
/// Page alignment is also the 64-byte slot alignment the generated code assumes.
struct ArenaMemory {
    private(set) var base: UnsafeMutableRawPointer
    /// The mapped length: `byteCount` rounded up to whole pages (at least one).
    private var mapped: Int

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    private static func pages(_ byteCount: Int) -> Int {
        let n = max(byteCount, 1)
        return (n + pageSize - 1) / pageSize * pageSize
    }

    /// `byteCount` zero bytes. Sizes were checked against `MemoryBudget` before: a refusal of
    /// the kernel here is the machine running out of memory.
    init(byteCount: Int) {
        mapped = Self.pages(byteCount)
        guard let p = mmap(nil, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              p != MAP_FAILED else {
            fatalError("nngc: out of memory: cannot map \(mapped) bytes for an arena")
        }
        base = p
    }

    /// At least `byteCount` bytes: the contents are kept, the new bytes are zero; `base` may move.
    mutating func grow(to byteCount: Int) {
        let wanted = Self.pages(byteCount)
        guard wanted > mapped else { return }
        guard let p = nngc_mremap_may_move(base, mapped, wanted), p != MAP_FAILED else {
            fatalError("nngc: out of memory: cannot grow an arena to \(wanted) bytes")
        }
        base = p
        mapped = wanted
    }

    func release() { munmap(base, mapped) }
}
