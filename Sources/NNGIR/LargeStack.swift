import Foundation

/// Runs `body` on a thread with a stack of `bytes` and waits for it. The lowering recurses once
/// per nested expression and per nested fn call; the main thread's 8 MiB would overflow (a crash)
/// long before `LoweringLimits.maxDepth` refuses the nesting with a diagnostic. The stack is reserved
/// address space: only the pages a deep program touches are ever committed.
func onLargeStack<T>(bytes: Int = 1 << 29, _ body: @escaping () -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = body()
        done.signal()
    }
    thread.stackSize = bytes
    thread.start()
    done.wait()
    return box.value!
}

/// The result of `onLargeStack`'s thread, read after the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
