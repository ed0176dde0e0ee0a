import Foundation
import NNGCore
import NNGIR

/// The C code of one graph at one binding of its symbols, compiled by TinyCC.
public final class CompiledModule: @unchecked Sendable {
    public let program: CProgram
    /// Seconds spent in TinyCC (compile + relocate).
    public let compileSeconds: Double
    let module: TinyCCModule
    typealias ForwardF32 = @convention(c) (UnsafeMutablePointer<Float>?, UInt64, UInt64, Int32) -> Int32
    typealias ForwardF64 = @convention(c) (UnsafeMutablePointer<Double>?, UInt64, UInt64, Int32) -> Int32
    let forward: UnsafeMutableRawPointer

    init(program: CProgram) throws(CBackendError) {
        self.program = program
        let start = DispatchTime.now().uptimeNanoseconds
        module = try TinyCCModule(source: program.source, symbols: CExternals.addresses)
        compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard let f = module.symbol("nngc_forward") else { throw CBackendError("nngc_forward not found") }
        forward = f
    }

    public var layout: ArenaLayout { program.layout }

    /// Runs `nngc_forward` over `arena` (of `layout.totalElements` elements of the graph's dtype).
    func call(_ arena: inout TensorStorage, seed: UInt64, step: UInt64, training: Bool) -> Int32 {
        switch arena {
        case .f32(var a):
            arena = .f64([])
            let f = unsafeBitCast(forward, to: ForwardF32.self)
            let rc = a.withUnsafeMutableBufferPointer { f($0.baseAddress, seed, step, training ? 1 : 0) }
            arena = .f32(a)
            return rc
        case .f64(var a):
            arena = .f32([])
            let f = unsafeBitCast(forward, to: ForwardF64.self)
            let rc = a.withUnsafeMutableBufferPointer { f($0.baseAddress, seed, step, training ? 1 : 0) }
            arena = .f64(a)
            return rc
        }
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
        let binding = try Interpreter(graph: graph).symbolBindings(inputs: inputs, params: params, options: opts)
        let module: CompiledModule
        do {
            module = try self.module(sizes: binding)
        } catch {
            throw DiagnosticsError(Diagnostic(error.description))
        }
        let layout = module.layout
        var arena: TensorStorage
        switch graph.dtype {
        case .f32:
            var a = [Float](repeating: 0, count: layout.totalElements)
            func fill(_ slot: ArenaLayout.Slot, _ t: Tensor) {
                let e = t.elements(as: Float.self)
                guard slot.count > 0, e.count >= slot.count else { return }
                a.withUnsafeMutableBufferPointer { dst in
                    e.withUnsafeBufferPointer { src in
                        (dst.baseAddress! + slot.offset).update(from: src.baseAddress!, count: slot.count)
                    }
                }
            }
            for s in layout.inputs { fill(s, inputs[s.name]!) }
            for s in layout.params { fill(s, params[s.name]!) }
            arena = .f32(a)
        case .f64:
            var a = [Double](repeating: 0, count: layout.totalElements)
            func fill(_ slot: ArenaLayout.Slot, _ t: Tensor) {
                let e = t.elements(as: Double.self)
                guard slot.count > 0, e.count >= slot.count else { return }
                a.withUnsafeMutableBufferPointer { dst in
                    e.withUnsafeBufferPointer { src in
                        (dst.baseAddress! + slot.offset).update(from: src.baseAddress!, count: slot.count)
                    }
                }
            }
            for s in layout.inputs { fill(s, inputs[s.name]!) }
            for s in layout.params { fill(s, params[s.name]!) }
            arena = .f64(a)
        }
        let rc = module.call(&arena, seed: options.seed, step: options.step, training: options.training)
        if rc != 0 { throw runtimeError(code: Int(rc), arena: arena, layout: layout) }
        var result: [(name: String, value: Tensor)] = []
        for s in layout.outputs {
            switch arena {
            case .f32(let a): result.append((s.name, Tensor(shape: s.shape, storage: .f32(Array(a[s.offset..<s.offset + s.count])))))
            case .f64(let a): result.append((s.name, Tensor(shape: s.shape, storage: .f64(Array(a[s.offset..<s.offset + s.count])))))
            }
        }
        return result
    }

    /// Evaluates every output, by name.
    public func run(inputs: [String: Tensor], params: [String: Tensor], options: RunOptions = RunOptions())
        throws(DiagnosticsError) -> [String: Tensor]
    {
        var out: [String: Tensor] = [:]
        for (n, v) in try outputs(inputs: inputs, params: params, options: options) { out[n] = v }
        return out
    }

    private func runtimeError(code: Int, arena: TensorStorage, layout: ArenaLayout) -> DiagnosticsError {
        let value: Double
        switch arena {
        case .f32(let a): value = Double(a[layout.errorSlot])
        case .f64(let a): value = a[layout.errorSlot]
        }
        return CompiledGraph.runtimeError(graph: graph, code: code, value: value)
    }

    /// The diagnostic of a non-zero return code of generated code (1 + the failing node's id),
    /// given the value left in the error slot.
    static func runtimeError(graph: Graph, code: Int, value: Double) -> DiagnosticsError {
        let id = code - 1
        guard id >= 0, id < graph.nodes.count else {
            return DiagnosticsError(Diagnostic("internal error (C backend): unknown error code \(code)"))
        }
        let node = graph.nodes[id]
        if case .oneHot(let classes) = node.op {
            if value >= 0, value < Double(classes) {
                return DiagnosticsError(Diagnostic("one_hot label \(cFormatNumber(value)) is not a whole number in [0, \(classes))", at: node.range))
            }
            return DiagnosticsError(Diagnostic("one_hot label \(cFormatNumber(value)) is outside [0, \(classes))", at: node.range))
        }
        return DiagnosticsError(Diagnostic("run-time error in \(CCodeGenerator.opName(node.op))", at: node.range))
    }
}
