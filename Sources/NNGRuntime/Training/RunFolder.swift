import Foundation
import NNGCore
import NNGIR
import NNGTrain

/// The output folder of a training run:
/// `params.safetensors` (the trained parameters by name), `checkpoint.safetensors` (all a
/// resumed run needs), `history.csv` and `loss.svg`. Every file is written atomically
/// (temporary file, flush, rename), so an interrupted run never leaves a broken file.
public struct RunFolder: Sendable {
    public let path: String
    /// Reported outputs, in report order (history columns `NAME`, then `val_NAME`).
    public let report: [String]
    public let hasValidation: Bool
    /// The train block this run comes from, when the file has several: it names the run in the
    /// chart's title, so the charts of one file's blocks (regularization.nng's four) can be told apart.
    public let trainBlock: String?

    public static let checkpointFormat = "nngc-checkpoint-1"

    public init(path: String, report: [String], hasValidation: Bool, trainBlock: String? = nil) {
        self.path = path
        self.report = report
        self.hasValidation = hasValidation
        self.trainBlock = trainBlock
    }

    /// "GRAPH: loss per epoch", or "GRAPH (train BLOCK): loss per epoch" for a run of one of
    /// several train blocks.
    public func chartTitle(graph: String) -> String {
        guard let trainBlock else { return "\(graph): loss per epoch" }
        return "\(graph) (train \(trainBlock)): loss per epoch"
    }

    public var paramsPath: String { file("params.safetensors") }
    public var checkpointPath: String { file("checkpoint.safetensors") }
    public var historyPath: String { file("history.csv") }
    public var chartPath: String { file("loss.svg") }

    private func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates the folder, after checking that none of the files a run writes is a folder: a
    /// file that cannot be written is refused before training, not after the other files of the
    /// first epoch are written.
    public func create() throws(DiagnosticsError) {
        for file in [checkpointPath, historyPath, chartPath, paramsPath] {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), isFolder.boolValue {
                throw DiagnosticsError(Diagnostic("cannot write '\(file)': a folder is in its place"))
            }
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        catch { throw DiagnosticsError(Diagnostic("cannot create the output folder '\(path)': \(error.localizedDescription)")) }
    }

    // MARK: Writing

    /// After every epoch: the checkpoint first (it is what a resume reads), then the history,
    /// the chart and the current parameters.
    public func save(_ checkpoint: TrainingCheckpoint, graph: Graph, beforeRename: (() throws -> Void)? = nil) throws(DiagnosticsError) {
        let history = self.history(checkpoint.history)
        try attempt("checkpoint.safetensors") { try checkpointFile(checkpoint, graph: graph).write(to: checkpointPath, beforeRename: beforeRename) }
        try attempt("history.csv") { try history.write(to: historyPath) }
        try attempt("loss.svg") { try writeFileAtomically(lossChartSVG(history: history, title: chartTitle(graph: graph.name)), to: chartPath) }
        try saveParams(checkpoint.params, graph: graph)
    }

    /// `params.safetensors`: the parameters by name, with the graph's name in the metadata.
    public func saveParams(_ params: [String: Tensor], graph: Graph) throws(DiagnosticsError) {
        let file = Safetensors(tensors: params, metadata: ["graph": graph.name, "format": "nngc-params-1"])
        try attempt("params.safetensors") { try file.write(to: paramsPath) }
    }

    private func attempt(_ name: String, _ body: () throws -> Void) throws(DiagnosticsError) {
        do { try body() } catch {
            throw DiagnosticsError(Diagnostic("cannot write \(name) in '\(path)': \(error)"))
        }
    }

    func history(_ records: [EpochRecord]) -> History {
        History(report: report, hasValidation: hasValidation, records: records)
    }

    /// Params as `param/NAME`, early stopping's best params as `best/NAME`, the optimizer's
    /// state as `optimizer/KEY`; counters, seed and history in the metadata.
    func checkpointFile(_ c: TrainingCheckpoint, graph: Graph) -> Safetensors {
        var tensors: [String: Tensor] = [:]
        for (name, t) in c.params { tensors["param/" + name] = t }
        for (name, t) in c.bestParams { tensors["best/" + name] = t }
        for (name, t) in c.optimizer.namedTensors { tensors["optimizer/" + name] = t }
        let metadata = [
            "format": RunFolder.checkpointFormat, "graph": graph.name,
            "epoch": String(c.epoch), "step": String(c.step), "seed": String(c.seed),
            "best_loss": formatValue(c.bestLoss), "best_epoch": String(c.bestEpoch),
            "epochs_without_improvement": String(c.epochsWithoutImprovement),
            "history": history(c.history).csv(),
        ]
        return Safetensors(tensors: tensors, metadata: metadata)
    }

    // MARK: Reading

    /// The checkpoint of a run folder, for `--resume`.
    public func loadCheckpoint(graph: Graph, optimizer: OptimizerConfig) throws(DiagnosticsError) -> TrainingCheckpoint {
        let file: Safetensors
        do { file = try Safetensors.read(path: checkpointPath) }
        catch { throw DiagnosticsError(Diagnostic("cannot resume from '\(path)': \(error)")) }
        return try checkpoint(file, graph: graph, optimizer: optimizer)
    }

    /// The checkpoint `file` holds, every field validated against `graph` and `optimizer`
    /// (the fuzz target of docs/fuzzing.md calls this on arbitrary files).
    public func checkpoint(_ file: Safetensors, graph: Graph, optimizer: OptimizerConfig) throws(DiagnosticsError) -> TrainingCheckpoint {
        let m = file.metadata
        func fail(_ why: String) -> DiagnosticsError {
            DiagnosticsError(Diagnostic("cannot resume from '\(checkpointPath)': \(why)"))
        }
        guard m["format"] == RunFolder.checkpointFormat else { throw fail("not an nngc checkpoint") }
        guard m["graph"] == graph.name else { throw fail("it is a checkpoint of graph '\(m["graph"] ?? "?")', not '\(graph.name)'") }
        guard let epoch = m["epoch"].flatMap(Int.init), let step = m["step"].flatMap(UInt64.init),
              let seed = m["seed"].flatMap(UInt64.init), let bestEpoch = m["best_epoch"].flatMap(Int.init),
              let bad = m["epochs_without_improvement"].flatMap(Int.init),
              let bestLoss = m["best_loss"].flatMap(RunFolder.number) else { throw fail("its counters are missing") }
        // Counters a run could have reached: a hand-edited or corrupted value (epoch -1, step
        // 2⁶³−1) would otherwise overflow or index out of range later.
        let maxCount = Int(Int32.max)
        for (key, value) in [("epoch", epoch), ("best_epoch", bestEpoch), ("epochs_without_improvement", bad)] where !(0...maxCount).contains(value) {
            throw fail("its '\(key)' is \(value), not in 0…\(maxCount)")
        }
        guard step <= RunFolder.maxStep else { throw fail("its 'step' is \(step), more than \(RunFolder.maxStep)") }
        var params: [String: Tensor] = [:], best: [String: Tensor] = [:], state: [String: Tensor] = [:]
        for (key, t) in file.tensors {
            if key.hasPrefix("param/") { params[String(key.dropFirst(6))] = t }
            else if key.hasPrefix("best/") { best[String(key.dropFirst(5))] = t }
            else if key.hasPrefix("optimizer/") { state[String(key.dropFirst(10))] = t }
        }
        for (name, node) in graph.params {
            guard let t = params[name] else { throw fail("it has no value for param '\(name)'") }
            guard t.shape == graph.nodes[node].type.shape.concrete else {
                throw fail("param '\(name)' has shape \(t.shape) there but the graph declares \(graph.nodes[node].type)")
            }
            params[name] = t.converted(to: graph.dtype)
        }
        for (name, t) in best {
            guard let node = graph.node(named: name), case .param = graph.nodes[node].op else {
                throw fail("its best parameters have '\(name)', which is not a param of the graph")
            }
            guard t.shape == graph.nodes[node].type.shape.concrete else {
                throw fail("best param '\(name)' has shape \(t.shape) there but the graph declares \(graph.nodes[node].type)")
            }
        }
        let graphParams = Dictionary(uniqueKeysWithValues: graph.params.map { ($0.name, params[$0.name]!) })
        let optimizerState = try RunFolder.optimizerState(state, config: optimizer, params: graphParams, fail: fail)
        let history: History
        do { history = try History(csv: m["history"] ?? "", hasValidation: hasValidation, path: "checkpoint history") }
        catch { throw fail("\(error)") }
        return TrainingCheckpoint(params: params, optimizer: optimizerState,
                                  epoch: epoch, step: step, seed: seed, bestLoss: bestLoss, bestEpoch: bestEpoch,
                                  bestParams: best, epochsWithoutImprovement: bad, history: history.records)
    }

    /// The largest step a checkpoint may record: steps are stored as f64 (exact up to 2⁵³).
    static let maxStep: UInt64 = 1 << 53

    /// The optimizer state of a checkpoint, checked before anything is replaced: a step counter
    /// that is a whole number in range, and every slot of every param (Adam's m and v, SGD's
    /// velocity) present with the param's shape. A missing or mis-shaped slot would otherwise
    /// restart the optimizer from zeros without a word.
    static func optimizerState(_ state: [String: Tensor], config: OptimizerConfig, params: [String: Tensor],
                               fail: (String) -> DiagnosticsError) throws(DiagnosticsError) -> OptimizerState {
        guard let stepTensor = state[OptimizerState.stepKey], stepTensor.shape.isEmpty, let step = stepTensor.scalarValue else {
            throw fail("its optimizer state has no step counter")
        }
        guard step >= 0, step <= Double(maxStep), step == step.rounded() else {
            throw fail("its optimizer step \(formatValue(step)) is not a whole number in 0…\(maxStep)")
        }
        for name in params.keys.sorted() {
            for slot in config.slotNames {
                guard let t = state["\(name).\(slot)"] else {
                    throw fail("its optimizer state has no '\(slot)' for param '\(name)' (\(config.kind.rawValue) keeps one per param)")
                }
                guard t.shape == params[name]!.shape else {
                    throw fail("the optimizer's '\(slot)' of param '\(name)' has shape \(t.shape) there, but the param is \(params[name]!.shape)")
                }
            }
        }
        return OptimizerState(config: config, namedTensors: state)
    }

    static func number(_ text: String) -> Double? {
        switch text {
        case "inf": return .infinity
        case "-inf": return -.infinity
        case "nan": return .nan
        default: return Double(text)
        }
    }
}
