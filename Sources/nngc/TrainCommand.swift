import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGTrain
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
        // Under mpirun or srun: data-parallel training over the job's ranks (docs/distributed.md).
        let job: DataParallel?
        do { job = try DataParallel.startIfLaunched() } catch { throw UserFailure(error, file: nil) }
        defer { job?.finish() }
        let frontend: Frontend
        do { frontend = try Frontend.load(path: file) } catch { throw failure(UserFailure(error, file: nil), job) }
        let (config, graph): (TrainConfig, Graph)
        do { (config, graph) = try setup(frontend) } catch let f as UserFailure { throw failure(f, job) }
        // A file with several train blocks names the block in the chart's title.
        let block = frontend.module.trains.count > 1 ? trainName : nil
        let folder = RunFolder(path: output ?? resume ?? "runs/\(graph.name)", report: config.report,
                               hasValidation: config.validation != nil, trainBlock: block)
        // Rank 0 alone prints and writes files; the others train silently.
        let leader = job?.isLeader ?? true
        let progress = TrainingProgress(format: format, graph: graph.name)
        do {
            if leader { progress.note("loading data…") }
            let data = try DataLoader(nngFile: file, job: job).loadAll(config, graph: graph)
            let checkpoint = try resume.map { dir throws(DiagnosticsError) in
                try RunFolder(path: dir, report: config.report, hasValidation: config.validation != nil)
                    .loadCheckpoint(graph: graph, optimizer: config.optimizer)
            }
            let trainer = try Trainer(graph: graph, config: config, data: data, backend: runOptions.backend,
                                      epochs: epochs, seed: checkpoint?.seed,
                                      sizes: try runOptions.symbolSizes(), dataParallel: job)
            if leader { try folder.create() }
            // Files are written at most every two seconds and at the end; Ctrl-C stops after
            // the current epoch and saves, so at most a few seconds of work can be lost.
            var lastSave = Date.distantPast
            Interruption.install()
            let (summary, params) = try trainer.run(from: checkpoint, observer: leader ? progress : nil,
                                                    interrupted: Interruption.requested) {
                state, last throws(DiagnosticsError) in
                guard leader, last || Date().timeIntervalSince(lastSave) >= 2 else { return }
                try folder.save(state, graph: graph)
                lastSave = Date()
            }
            if let job, job.size > 1, !job.matchesLeader(params) {
                job.abort("the trained parameters differ from rank 0's (the ranks' updates diverged)")
            }
            if leader {
                try folder.saveParams(params, graph: graph)
                progress.finish(summary, folder: folder, backend: runOptions.backend, tier: trainer.codeTier, report: config.report,
                                ranks: job?.size ?? 1, allreduceSeconds: job?.allreduceSeconds ?? 0)
            }
        } catch let error as DiagnosticsError {
            progress.clear()
            throw failure(UserFailure(error, file: frontend.file), job)
        }
    }

    /// In a job of several ranks a failure ends every rank (MPI_Abort), naming this one: the
    /// others would otherwise wait for it in the next allreduce.
    private func failure(_ f: UserFailure, _ job: DataParallel?) -> UserFailure {
        guard let job, job.size > 1 else { return f }
        job.abort(f.report)
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
