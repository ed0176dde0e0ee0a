import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGRuntime

/// What `nngc compile --emit` can write.
enum EmitKind: String, CaseIterable {
    case ir, grad, opt, c, dot

    /// File name in the `-o` folder.
    func fileName(graph: String) -> String {
        switch self {
        case .ir: return "\(graph).ir.nng"
        case .grad: return "\(graph).grad.nng"
        case .opt: return "\(graph).opt.nng"
        case .c: return "\(graph).c"
        case .dot: return "\(graph).dot"
        }
    }
}

/// `nngc compile FILE`: run the pipeline, print a report and emit artifacts.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Run the compiler pipeline, print a report, and emit the IR (and more) as text."
    )

    @OptionGroup var options: GraphOptions

    @Option(name: .long, help: "Comma-separated artifacts: ir, grad, opt, c, dot.")
    var emit: String?

    @Option(name: .short, help: "Write emitted artifacts into this folder instead of standard output.")
    var output: String?

    @Option(name: .long, help: ArgumentHelp("The scalar output to differentiate (default: the train block's minimize, or the only scalar output).", valueName: "OUT"))
    var of: String?

    @Option(name: .long, help: "Backend: c (generate and compile C, the default) or interp (stop after checking).")
    var backend: BackendKind = .default

    @OptionGroup var sizes: SizeOptions

    func validate() throws {
        if backend == .interp, try emitKinds().contains(.c) {
            throw ValidationError("--emit c needs --backend c")
        }
    }

    func emitKinds() throws -> [EmitKind] {
        guard let emit else { return [] }
        return try emit.split(separator: ",").map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let kind = EmitKind(rawValue: name) else {
                throw ValidationError("unknown --emit kind '\(name)' (expected ir, grad, opt, c or dot)")
            }
            return kind
        }
    }

    func run() throws {
        let clock = PhaseClock()
        let (frontend, graph) = try clock.measure("parse+check") { try options.loadGraph(sizes: try sizes.symbolSizes()) }
        let kinds = try emitKinds()
        var report = CompileReport(file: frontend.file.path, graph: graph)
        let differentiated = try differentiate(graph, frontend: frontend, required: of != nil || kinds.contains(.grad), clock: clock)
        report.gradient = differentiated?.result.graph
        // What the backends run: forward + backward when there is something to differentiate.
        let optimized = clock.measure("optimise") { simplify(report.gradient ?? graph) }
        report.optimized = optimized
        var artifacts: [(EmitKind, String)] = []
        if backend == .c {
            report.sizes = Dictionary(uniqueKeysWithValues: graph.symbols.map { ($0, 1) })
                .merging(try sizes.symbolSizes()) { $1 }
            // The sizes refused at run time are refused here too, before any C is generated.
            for g in [graph, optimized] {
                do { try g.checkValueSizes(report.sizes) }
                catch { throw UserFailure(error, file: frontend.file) }
            }
            let program = try generateC(optimized, sizes: report.sizes, clock: clock)
            report.program = program
            // With a train block, the C that training runs: the fused training step.
            let config = frontend.parseDiagnostics.isEmpty ? trainConfig(for: graph, in: frontend.module) : nil
            let step = try config.map { config in
                // The gradient differentiated above serves when it is of the minimised output.
                let gradient = differentiated?.of == config.minimize ? differentiated?.result : nil
                return try trainingStepC(config, graph: graph, gradient: gradient, sizes: report.sizes, frontend: frontend, clock: clock)
            }
            report.trainingStep = step?.optimizer
            report.codeTiers = TierOptions.processDefault.describe(source: step?.source ?? program.source)
            if kinds.contains(.c) { artifacts.append((.c, step?.source ?? program.source)) }
        }
        for kind in kinds where kind != .c {
            let text = clock.measure("emit \(kind.rawValue)") {
                switch kind {
                case .ir, .c: return printGraph(graph)
                case .grad: return printGraph(report.gradient ?? graph)
                case .opt: return printGraph(optimized)
                case .dot: return printDot(graph)
                }
            }
            artifacts.append((kind, text))
        }
        report.phases = clock.phases
        let reportText = options.format == .json ? report.json.serialized() : report.text
        if let output {
            try write(artifacts, into: output, graph: graph.name)
            Terminal.out(reportText)
        } else if artifacts.isEmpty {
            Terminal.out(reportText)
        } else {
            // The artifacts own standard output (so they can be piped); the report goes to stderr.
            for (_, text) in artifacts { Terminal.out(text.hasSuffix("\n") ? String(text.dropLast()) : text) }
            Terminal.error(reportText)
        }
    }

    /// Generates C for the bound sizes and compiles it with TinyCC (timing both).
    private func generateC(_ graph: Graph, sizes: [String: Int], clock: PhaseClock) throws -> CProgram {
        do {
            let program = try clock.measure("generate C") { try CompiledGraph.program(for: graph, sizes: sizes) }
            _ = try clock.measure("compile C (TinyCC)") { try CompiledGraph.module(for: program) }
            return program
        } catch {
            throw UserFailure("internal error: \(error)")
        }
    }

    /// The C source of the fused training step (forward, backward, optimizer update) of the
    /// file's train block for this graph, generated and compiled once.
    private func trainingStepC(_ config: TrainConfig, graph: Graph, gradient: DifferentiatedGraph?, sizes: [String: Int],
                               frontend: Frontend, clock: PhaseClock) throws -> (source: String, optimizer: String) {
        do {
            return try clock.measure("training step C") {
                let gradient = try gradient ?? differentiatedGraph(graph, of: config.minimize, wrt: nil)
                let step = try CompiledTrainingStep(gradient, loss: config.minimize, optimizer: config.optimizer, sizes: sizes)
                try step.compile(sizes: sizes)
                return (try step.cSource(sizes: sizes), config.optimizer.description)
            }
        } catch let error as DiagnosticsError {
            throw UserFailure(error, file: frontend.file)
        } catch {
            throw UserFailure("internal error: \(error)")
        }
    }

    /// The forward graph with the gradient of the differentiated output with respect to every
    /// parameter. nil when there is nothing to differentiate and nobody asked for it.
    private func differentiate(_ graph: Graph, frontend: Frontend, required: Bool,
                               clock: PhaseClock) throws -> (of: String, result: DifferentiatedGraph)? {
        do {
            let target = try of ?? frontend.differentiatedOutput(of: graph)
            return (target, try clock.measure("differentiate") { try differentiatedGraph(graph, of: target, wrt: nil) })
        } catch {
            if required, let error = error as? DiagnosticsError { throw UserFailure(error, file: frontend.file) }
            if required { throw error }
            return nil
        }
    }

    private func write(_ artifacts: [(EmitKind, String)], into folder: String, graph: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (kind, text) in artifacts {
                let path = (folder as NSString).appendingPathComponent(kind.fileName(graph: graph))
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
        } catch {
            throw UserFailure("error: cannot write into '\(folder)': \(error.localizedDescription)")
        }
    }
}
