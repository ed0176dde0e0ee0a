import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGRuntime

/// `nngc train FILE`: train a graph as its `train` block says.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a graph with its train block; write params, checkpoint, history and a loss chart."
    )

    @Argument(help: "The .nng file.")
    var file: String

    @Option(name: .customLong("train"), help: ArgumentHelp("The train block to use (default: the only one).", valueName: "NAME"))
    var trainName: String?

    @Option(name: .long, help: "Train for this many epochs (overrides epochs/steps of the block).")
    var epochs: Int?

    @Option(name: .short, help: ArgumentHelp("The output folder (default: runs/GRAPH, or the --resume folder).", valueName: "DIR"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Continue the run saved in this folder.", valueName: "DIR"))
    var resume: String?

    @Option(name: .long, help: "Re-type the whole graph: f32 or f64.")
    var dtype: DType?

    @Option(name: .long, help: "Output format: text (progress, then a summary) or json (one object per epoch, then a summary).")
    var format: OutputFormat = .text

    @OptionGroup var runOptions: RunOptionsGroup

    @OptionGroup var memory: MemoryOptions

    func validate() throws {
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive") }
    }

    func run() throws {
        memory.apply()
        runOptions.applyTier()
        let frontend: Frontend
        do { frontend = try Frontend.load(path: file) } catch { throw UserFailure(error, file: nil) }
        let (config, graph) = try setup(frontend)
        let folder = RunFolder(path: output ?? resume ?? "runs/\(graph.name)", report: config.report,
                               hasValidation: config.validation != nil)
        let progress = TrainingProgress(format: format, graph: graph.name)
        do {
            progress.note("loading data…")
            let data = try DataLoader(nngFile: file).loadAll(config, graph: graph)
            let checkpoint = try resume.map { dir throws(DiagnosticsError) in
                try RunFolder(path: dir, report: config.report, hasValidation: config.validation != nil)
                    .loadCheckpoint(graph: graph, optimizer: config.optimizer)
            }
            let trainer = try Trainer(graph: graph, config: config, data: data, backend: runOptions.backend,
                                      epochs: epochs, seed: checkpoint?.seed,
                                      sizes: try runOptions.symbolSizes())
            try folder.create()
            // Files are written at most every two seconds and at the end; Ctrl-C stops after
            // the current epoch and saves, so at most a few seconds of work can be lost.
            var lastSave = Date.distantPast
            Interruption.install()
            let (summary, params) = try trainer.run(from: checkpoint, observer: progress, interrupted: Interruption.requested) {
                state, last throws(DiagnosticsError) in
                guard last || Date().timeIntervalSince(lastSave) >= 2 else { return }
                try folder.save(state, graph: graph)
                lastSave = Date()
            }
            try folder.saveParams(params, graph: graph)
            progress.finish(summary, folder: folder, backend: runOptions.backend, tier: trainer.codeTier, report: config.report)
        } catch let error as DiagnosticsError {
            progress.clear()
            throw UserFailure(error, file: frontend.file)
        }
    }

    /// The train block and its graph, checked (`--seed` of the common options overrides the block's).
    private func setup(_ frontend: Frontend) throws -> (TrainConfig, Graph) {
        if !frontend.parseDiagnostics.isEmpty { throw UserFailure(DiagnosticsError(frontend.parseDiagnostics), file: frontend.file) }
        let (config, graph, diagnostics) = loadTrainSetup(frontend.module, trainName: trainName,
                                                          options: LoweringOptions(dtype: dtype, sizes: try runOptions.symbolSizes()),
                                                          epochsOverride: epochs)
        guard var config, let graph, !diagnostics.contains(where: { $0.severity == .error }) else {
            throw UserFailure(DiagnosticsError(diagnostics.isEmpty ? [Diagnostic("the train block could not be read")] : diagnostics),
                              file: frontend.file)
        }
        if let seed = runOptions.seedOption { config.seed = seed }
        return (config, graph)
    }
}
