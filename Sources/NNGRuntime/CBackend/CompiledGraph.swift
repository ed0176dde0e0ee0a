import Foundation
import NNGCore
import NNGIR

/// The C code of one graph at one binding of its symbols, compiled by TinyCC, and its optimised
/// tier (`OptimizedCode`), which replaces it at a call boundary once ready (see `TierPolicy`).
public final class CompiledModule: @unchecked Sendable {
    public let program: CProgram
    /// Seconds spent in TinyCC (compile + relocate).
    public let compileSeconds: Double
    let module: TinyCCModule
    typealias ForwardF32 = @convention(c) (UnsafeMutablePointer<Float>?, UInt64, UInt64, Int32) -> Int32
    typealias ForwardF64 = @convention(c) (UnsafeMutablePointer<Double>?, UInt64, UInt64, Int32) -> Int32
    let optimized: OptimizedCode
    /// TinyCC's entry points, looked up once: a lookup per call would turn the name into a C
    /// string on every step (an allocation in the step loop).
    private let tinyccEntries: [String: UnsafeMutableRawPointer]

    init(program: CProgram) throws(CBackendError) {
        self.program = program
        let start = DispatchTime.now().uptimeNanoseconds
        module = try TinyCCModule(source: program.source, symbols: CExternals.addresses)
        compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard module.symbol("nngc_forward") != nil else { throw CBackendError("nngc_forward not found") }
        let names = ["nngc_forward", "nngc_train_step"]
        tinyccEntries = Dictionary(uniqueKeysWithValues: names.compactMap { [module] n in module.symbol(n).map { (n, $0) } })
        optimized = OptimizedCode(source: program.source)
    }

    public var layout: ArenaLayout { program.layout }

    /// The entry point `name` of the tier `options` picks for this call, and that tier. Under
    /// `auto` this counts the call (and may start the optimised compilation); under `optimized`
    /// it waits for the optimised code (TinyCC's when there is none).
    func entry(_ name: String, _ options: TierOptions) -> (address: UnsafeMutableRawPointer, tier: CodeTier)? {
        switch options.policy {
        case .tinycc: break
        case .auto: optimized.noteCall(options)
        case .optimized: optimized.wait(options.compiler)
        }
        if options.policy != .tinycc, let e = optimized.entry(name) { return (e, .optimized) }
        return (tinyccEntries[name] ?? module.symbol(name)).map { ($0, .tinycc) }
    }

    /// The tier that runs now under `options` and where the optimised code stands, for reports.
    public func tierSummary(_ options: TierOptions) -> String {
        let running: CodeTier = options.policy != .tinycc && optimized.isReady ? .optimized : .tinycc
        if options.policy == .tinycc { return "tinycc (forced)" }
        return "\(running.rawValue) (optimised tier: \(optimized.summary))"
    }

    /// Waits until the optimised code is ready or has failed; whether it is ready.
    @discardableResult
    public func waitForOptimized(_ compiler: OptimizingCompiler = .fromEnvironment) -> Bool {
        optimized.wait(compiler)
        return optimized.isReady
    }

    /// Runs `nngc_forward` over `arena` (of `layout.totalElements` elements of the graph's dtype).
    func call<T: NNGFloat>(_ arena: UnsafeMutableRawPointer, as _: T.Type, seed: UInt64, step: UInt64, training: Bool,
                           tier options: TierOptions) -> Int32 {
        let forward = entry("nngc_forward", options)!.address
        switch T.dtype {
        case .f32:
            let f = unsafeBitCast(forward, to: ForwardF32.self)
            return f(arena.assumingMemoryBound(to: Float.self), seed, step, training ? 1 : 0)
        case .f64:
            let f = unsafeBitCast(forward, to: ForwardF64.self)
            return f(arena.assumingMemoryBound(to: Double.self), seed, step, training ? 1 : 0)
        }
    }

    // MARK: Reused arenas

    private let poolLock = NSLock()
    private var pool: [ForwardArena] = []

    /// An arena for one call, reused between calls (one per concurrent caller).
    func takeArena(elementSize: Int) -> ForwardArena {
        poolLock.lock()
        defer { poolLock.unlock() }
        if let a = pool.popLast() { return a }
        return ForwardArena(elements: program.layout.totalElements, elementSize: elementSize, params: program.layout.params.count)
    }

    func returnArena(_ a: ForwardArena) {
        poolLock.lock()
        pool.append(a)
        poolLock.unlock()
    }
}

/// The arena of `nngc_forward` calls of one module, kept between calls: every slot the code reads
/// is written before (inputs and parameters copied in, intermediates by their kernels), so only
/// the first use zero-fills it. A parameter is copied in only when its storage is not the one
/// copied last time: the arena retains that storage, so a caller that changed its array in place
/// got a new buffer (copy on write), and an identical buffer means identical values.
final class ForwardArena {
    let base: UnsafeMutableRawPointer
    let elementSize: Int
    /// Per parameter slot: the storage last copied in (retained), or nil.
    var params: [TensorStorage?]

    init(elements: Int, elementSize: Int, params: Int) {
        self.elementSize = elementSize
        let bytes = max(1, elements) * elementSize
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        self.params = Array(repeating: nil, count: params)
    }

    deinit { base.deallocate() }

    /// Copies `t`'s elements (as `T`) into `slot`.
    func fill<T: NNGFloat>(_ slot: ArenaLayout.Slot, _ t: Tensor, as _: T.Type) {
        guard slot.count > 0 else { return }
        let e = t.elements(as: T.self)
        guard e.count >= slot.count else { return }
        e.withUnsafeBufferPointer { src in
            (base.assumingMemoryBound(to: T.self) + slot.offset).update(from: src.baseAddress!, count: slot.count)
        }
    }

    /// Copies parameter `index` in unless its storage is the one already there.
    func fillParam<T: NNGFloat>(_ index: Int, _ slot: ArenaLayout.Slot, _ t: Tensor, as _: T.Type) {
        if let last = params[index], ForwardArena.sameBuffer(last, t.storage) { return }
        fill(slot, t, as: T.self)
        params[index] = T.unwrap(t.storage) != nil ? t.storage : nil
    }

    /// Whether two storages share one (non-empty) buffer.
    static func sameBuffer(_ a: TensorStorage, _ b: TensorStorage) -> Bool {
        switch (a, b) {
        case (.f32(let x), .f32(let y)):
            return !x.isEmpty && x.count == y.count && x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { p.baseAddress == $0.baseAddress } }
        case (.f64(let x), .f64(let y)):
            return !x.isEmpty && x.count == y.count && x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { p.baseAddress == $0.baseAddress } }
        default:
            return false
        }
    }

    func outputs<T: NNGFloat>(_ slots: [ArenaLayout.Slot], as _: T.Type) -> [(name: String, value: Tensor)] {
        let p = base.assumingMemoryBound(to: T.self)
        return slots.map { s in (s.name, Tensor(shape: s.shape, storage: T.wrap(Array(UnsafeBufferPointer(start: p + s.offset, count: s.count))))) }
    }
}

/// A process-wide cache of compiled modules, keyed by the generated C source (a deterministic
/// function of the graph's operations, types, outputs, dtype and bound sizes) together with the
/// arena layout: two graphs can generate the same code yet differ in slots the code never
/// touches (an unused input of another size), and the module carries its layout.
enum CModuleCache {
    private struct Key: Hashable {
        var source: String
        var layout: ArenaLayout
    }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var modules: [Key: CompiledModule] = [:]

    static func module(for program: CProgram) throws(CBackendError) -> CompiledModule {
        let key = Key(source: program.source, layout: program.layout)
        lock.lock()
        if let m = modules[key] {
            lock.unlock()
            return m
        }
        lock.unlock()
        let m = try CompiledModule(program: program)
        lock.lock()
        defer { lock.unlock() }
        if let other = modules[key] { return other }
        modules[key] = m
        return m
    }
}

/// A graph evaluated by generated C. Symbols are bound by the tensors fed to each run (and by
/// `sizes` / `RunOptions.symbolSizes`); each binding is generated and compiled once (and shared through a process-wide
/// cache). Fed tensors are checked against the graph before any generated code runs.
public final class CompiledGraph: @unchecked Sendable {
    public let graph: Graph
    /// Sizes of symbols that no input binds (`--size SYM=N`).
    public let sizes: [String: Int]
    /// Which compiled code runs (TinyCC, the optimised tier, or TinyCC first).
    public var tier: TierOptions = .processDefault
    private let lock = NSLock()
    private var byBinding: [[String: Int]: CompiledModule] = [:]

    public init(graph: Graph, sizes: [String: Int] = [:]) {
        self.graph = graph
        self.sizes = sizes
    }

    /// The C source for `graph` with its symbols bound to `sizes` (`nngc compile --emit c`).
    public static func cSource(for graph: Graph, sizes: [String: Int]) throws -> String {
        try CCodeGenerator(graph: graph, sizes: sizes).generate().source
    }

    /// The generated program (source and arena layout) for a binding, without compiling it.
    public static func program(for graph: Graph, sizes: [String: Int]) throws(CBackendError) -> CProgram {
        try CCodeGenerator(graph: graph, sizes: sizes).generate()
    }

    /// A generated program compiled by TinyCC (through the process-wide cache): what `module`
    /// does after generating, for a caller that already holds the program.
    public static func module(for program: CProgram) throws(CBackendError) -> CompiledModule {
        try CModuleCache.module(for: program)
    }

    /// The compiled module for a binding of every symbol of the graph.
    public func module(sizes binding: [String: Int]) throws(CBackendError) -> CompiledModule {
        let relevant = binding.filter { graph.symbols.contains($0.key) }
        lock.lock()
        if let m = byBinding[relevant] {
            lock.unlock()
            return m
        }
        lock.unlock()
        let program = try CCodeGenerator(graph: graph, sizes: relevant).generate()
        let m = try CModuleCache.module(for: program)
        lock.lock()
        byBinding[relevant] = m
        lock.unlock()
        return m
    }

    /// Evaluates every output, in the graph's output order.
    /// Fed tensors are checked exactly as the interpreter checks them (same diagnostics).
    public func outputs(inputs: [String: Tensor], params: [String: Tensor], options: RunOptions = RunOptions())
        throws(DiagnosticsError) -> [(name: String, value: Tensor)]
    {
        var opts = options
        opts.symbolSizes = sizes.merging(options.symbolSizes) { _, new in new }
        let binding = try graph.symbolBindings(inputs: inputs, params: params, options: opts)
        let module: CompiledModule
        do {
            module = try self.module(sizes: binding)
        } catch {
            throw DiagnosticsError(Diagnostic(error.description))
        }
        switch graph.dtype {
        case .f32: return try run(module, inputs: inputs, params: params, options: options, as: Float.self)
        case .f64: return try run(module, inputs: inputs, params: params, options: options, as: Double.self)
        }
    }

    private func run<T: NNGFloat>(_ module: CompiledModule, inputs: [String: Tensor], params: [String: Tensor], options: RunOptions,
                                  as _: T.Type) throws(DiagnosticsError) -> [(name: String, value: Tensor)] {
        let layout = module.layout
        if let refusal = MemoryBudget.refusal("the arena of the generated C", elements: layout.totalElements, elementSize: MemoryLayout<T>.stride) {
            throw DiagnosticsError(Diagnostic(refusal))
        }
        let arena = module.takeArena(elementSize: MemoryLayout<T>.stride)
        defer { module.returnArena(arena) }
        for s in layout.inputs { arena.fill(s, inputs[s.name]!, as: T.self) }
        for (i, s) in layout.params.enumerated() { arena.fillParam(i, s, params[s.name]!, as: T.self) }
        let rc = module.call(arena.base, as: T.self, seed: options.seed, step: options.step, training: options.training,
                             tier: tier)
        if rc != 0 {
            let value = Double(arena.base.assumingMemoryBound(to: T.self)[layout.errorSlot])
            throw CompiledGraph.runtimeError(graph: graph, code: Int(rc), value: value)
        }
        return arena.outputs(layout.outputs, as: T.self)
    }

    /// Evaluates every output, by name.
    public func run(inputs: [String: Tensor], params: [String: Tensor], options: RunOptions = RunOptions())
        throws(DiagnosticsError) -> [String: Tensor]
    {
        var out: [String: Tensor] = [:]
        for (n, v) in try outputs(inputs: inputs, params: params, options: options) { out[n] = v }
        return out
    }

    /// The diagnostic of a non-zero return code of generated code (1 + the failing node's id),
    /// given the value left in the error slot.
    /// A scan's code is 1 + its id + (node count) · (its body's code): the failure is reported
    /// where it happened, in the body.
    static func runtimeError(graph: Graph, code: Int, value: Double) -> DiagnosticsError {
        let id = (code - 1) % max(1, graph.nodes.count)
        guard code >= 1, id < graph.nodes.count else {
            return DiagnosticsError(Diagnostic("internal error (C backend): unknown error code \(code)"))
        }
        let node = graph.nodes[id]
        if case .scan(let spec) = node.op, code - 1 >= graph.nodes.count {
            var inner = runtimeError(graph: spec.body, code: (code - 1) / graph.nodes.count, value: value)
            inner.diagnostics[0].notes.append("note: in the scan at line \(graph.file?.lineColumn(of: node.range.start).line ?? 0)")
            return inner
        }
        if case .oneHot(let classes) = node.op {
            if value >= 0, value < Double(classes) {
                return DiagnosticsError(Diagnostic("one_hot label \(cFormatNumber(value)) is not a whole number in [0, \(classes))", at: node.range))
            }
            return DiagnosticsError(Diagnostic("one_hot label \(cFormatNumber(value)) is outside [0, \(classes))", at: node.range))
        }
        return DiagnosticsError(Diagnostic("run-time error in \(node.op.summary)", at: node.range))
    }
}
