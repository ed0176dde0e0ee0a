import Foundation

/// Which compiled code of a module runs.
public enum CodeTier: String, Sendable {
    /// Compiled in memory by TinyCC: ready within a millisecond, not optimised.
    case tinycc
    /// Compiled by the system C compiler with optimisation (`OptimizingCompiler`), loaded from a
    /// shared object. Bit-identical results.
    case optimized
}

/// How a caller picks the tier (`--tier`, `NNGC_TIER`).
public enum TierPolicy: String, Sendable, CaseIterable {
    /// TinyCC first; a module that keeps being called (`TierOptions.tierUpCalls`) is compiled by
    /// the optimising compiler in the background and swapped in at a call boundary when ready. A
    /// module already in the disk cache runs optimised from its first call.
    case auto
    /// TinyCC only.
    case tinycc
    /// Wait for the optimised code before the first call (benchmarks); TinyCC only when it
    /// cannot be had (no compiler).
    case optimized
}

/// The tier settings of a caller (`CompiledGraph`, `CompiledTrainingStep`).
public struct TierOptions: Sendable {
    public var policy: TierPolicy
    public var compiler: OptimizingCompiler
    /// Under `auto`, the call of a module that starts its optimised compilation: the first calls
    /// of a module (tests, one evaluation) never start a compiler.
    public var tierUpCalls: Int

    public init(policy: TierPolicy, compiler: OptimizingCompiler = .fromEnvironment, tierUpCalls: Int = 3) {
        self.policy = policy
        self.compiler = compiler
        self.tierUpCalls = tierUpCalls
    }

    /// `NNGC_TIER` (auto, tinycc or optimized; default auto), the compiler and cache of the
    /// environment (`OptimizingCompiler.fromEnvironment`). The CLI's `--tier` sets it.
    nonisolated(unsafe) public static var processDefault: TierOptions = {
        let name = ProcessInfo.processInfo.environment["NNGC_TIER"] ?? "auto"
        return TierOptions(policy: TierPolicy(rawValue: name) ?? .auto)
    }()
}

extension TierOptions {
    /// One line for the compile report: which code runs `source` under these options.
    public func describe(source: String) -> String {
        switch policy {
        case .tinycc: return "TinyCC only (--tier tinycc)"
        case .auto, .optimized:
            guard let cc = compiler.compiler else {
                return "TinyCC only (optimised tier unavailable: \(compiler.unavailableReason ?? "no C compiler"))"
            }
            let how = "\(cc) \(compiler.flags.prefix(4).joined(separator: " "))"
            if compiler.cachedSharedObject(source) != nil { return "optimised code from the cache (\(how))" }
            return policy == .auto ? "TinyCC first; optimised by \(how) in the background once the code keeps running"
                                   : "optimised by \(how) before the first call"
        }
    }
}

/// The optimised code of one module: not requested, compiling in the background, ready, or
/// unavailable. Compilations run one at a time on a background queue (the machine's other core
/// keeps training); a module found in the disk cache is loaded at once.
final class OptimizedCode: @unchecked Sendable {
    enum Status {
        case idle
        case compiling
        case ready(SharedObjectModule, seconds: Double, cached: Bool)
        case failed(String)
    }

    private static let queue = DispatchQueue(label: "nngc.optimizing-compiler", qos: .utility)

    private let source: String
    private let lock = NSLock()
    private var status = Status.idle
    private var entries: [String: UnsafeMutableRawPointer] = [:]
    private let done = DispatchGroup()
    private var calls = 0

    init(source: String) { self.source = source }

    /// Counts a call under `auto` and, at the first call, loads a cached copy; at the
    /// `tierUpCalls`-th, starts the compilation.
    func noteCall(_ options: TierOptions) {
        lock.lock()
        calls += 1
        let n = calls
        lock.unlock()
        if n == 1 { loadCached(options.compiler) }
        if n == max(1, options.tierUpCalls) { request(options.compiler) }
    }

    private func loadCached(_ compiler: OptimizingCompiler) {
        lock.lock()
        guard case .idle = status else { lock.unlock(); return }
        lock.unlock()
        guard let path = compiler.cachedSharedObject(source) else { return }
        finish(OptimizedCode.load { () throws(CBackendError) in path }, seconds: 0, cached: true)
    }

    /// Starts the optimised compilation in the background unless it was started before.
    func request(_ compiler: OptimizingCompiler) {
        lock.lock()
        guard case .idle = status else { lock.unlock(); return }
        status = .compiling
        done.enter()
        lock.unlock()
        OptimizedCode.queue.async { [self] in
            let start = DispatchTime.now().uptimeNanoseconds
            let cached = compiler.cachedSharedObject(source) != nil
            let loaded = OptimizedCode.load { () throws(CBackendError) in try compiler.compileToCache(source) }
            finish(loaded, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cached: cached, leave: true)
        }
    }

    private static func load(_ path: () throws(CBackendError) -> URL) -> Result<SharedObjectModule, CBackendError> {
        do {
            return .success(try SharedObjectModule(path: path()))
        } catch {
            return .failure(error)
        }
    }

    private func finish(_ loaded: Result<SharedObjectModule, CBackendError>, seconds: Double, cached: Bool, leave: Bool = false) {
        lock.lock()
        switch loaded {
        case .success(let m): status = .ready(m, seconds: seconds, cached: cached)
        case .failure(let e): status = .failed(e.message)
        }
        lock.unlock()
        if leave { done.leave() }
    }

    /// Requests the optimised code and waits until it is ready or has failed.
    func wait(_ compiler: OptimizingCompiler) {
        loadCached(compiler)
        request(compiler)
        done.wait()
    }

    /// The optimised code's entry point `name`, when it is ready.
    func entry(_ name: String) -> UnsafeMutableRawPointer? {
        lock.lock()
        defer { lock.unlock() }
        if let e = entries[name] { return e }
        guard case .ready(let m, _, _) = status, let e = m.symbol(name) else { return nil }
        entries[name] = e
        return e
    }

    /// One line for reports: where the optimised code stands.
    var summary: String {
        lock.lock()
        defer { lock.unlock() }
        switch status {
        case .idle: return "not requested"
        case .compiling: return "compiling"
        case .ready(_, let s, let cached): return cached ? "loaded from the cache" : String(format: "compiled in %.2f s", s)
        case .failed(let m): return "unavailable: \(m)"
        }
    }

    var isReady: Bool {
        lock.lock()
        defer { lock.unlock() }
        if case .ready = status { return true }
        return false
    }
}
