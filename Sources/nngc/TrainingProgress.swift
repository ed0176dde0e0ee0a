import Foundation
import NNGCore
import NNGRuntime

/// Shows a run's progress: on a terminal a live line (epoch, step, loss, steps per second,
/// time left) redrawn at most ten times a second; otherwise one plain line per epoch; with
/// `--format json` one JSON object per epoch. Then a summary.
final class TrainingProgress: TrainingObserver {
    let format: OutputFormat
    let graph: String
    let live = isatty(STDERR_FILENO) != 0
    private var epochs = 0
    private var stepsPerEpoch = 1
    private var startEpoch = 0
    private var started = Date()
    private var stepsAtStart: UInt64?
    private var lastDraw = Date.distantPast
    private var lineShown = false

    init(format: OutputFormat, graph: String) {
        self.format = format
        self.graph = graph
    }

    func note(_ text: String) {
        guard live, format == .text else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        lineShown = true
    }

    func clear() {
        guard lineShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        lineShown = false
    }

    func trainingStarted(epochs: Int, stepsPerEpoch: Int, startEpoch: Int) {
        self.epochs = epochs
        self.stepsPerEpoch = max(1, stepsPerEpoch)
        self.startEpoch = startEpoch
        started = Date()
        clear()
    }

    func stepFinished(epoch: Int, step: UInt64, loss: Double) {
        if stepsAtStart == nil { stepsAtStart = step - 1 }
        guard live, format == .text, Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        let done = Double(step - (stepsAtStart ?? 0))
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? done / elapsed : 0
        let remaining = Double(max(0, epochs * stepsPerEpoch - Int(step)))
        let eta = rate > 0 ? Self.duration(remaining / rate) : "?"
        let line = "epoch \(epoch)/\(epochs)  step \(step)  loss \(Self.short(loss))  \(Int(rate.rounded())) steps/s  \(eta) left"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        lineShown = true
    }

    func epochFinished(_ r: EpochRecord) {
        switch format {
        case .json:
            var members: [(String, JSONValue)] = [("epoch", .number(Double(r.epoch))), ("step", .number(Double(r.step))),
                                                  ("train_loss", .number(r.trainLoss))]
            members.append(("val_loss", r.validationLoss.map { .number($0) } ?? .null))
            for name in r.reported.keys.sorted() { members.append((name, .number(r.reported[name]!))) }
            for name in r.validationReported.keys.sorted() { members.append(("val_" + name, .number(r.validationReported[name]!))) }
            members += [("lr", .number(r.lr)), ("seconds", .number((r.seconds * 1000).rounded() / 1000))]
            Terminal.out(JSONValue.object(members).serialized())
        case .text:
            guard !live else { return }
            var parts = ["epoch \(r.epoch)/\(epochs)", "step \(r.step)", "loss \(Self.short(r.trainLoss))"]
            if let v = r.validationLoss { parts.append("val_loss \(Self.short(v))") }
            for name in r.reported.keys.sorted() { parts.append("\(name) \(Self.short(r.reported[name]!))") }
            for name in r.validationReported.keys.sorted() { parts.append("val_\(name) \(Self.short(r.validationReported[name]!))") }
            parts.append("lr \(formatValue(r.lr))")
            parts.append(String(format: "%.1f s", r.seconds))
            Terminal.out(parts.joined(separator: "  "))
        }
    }

    /// `ranks`: the MPI ranks that trained (1 without a launcher) and `allreduceSeconds` the time
    /// rank 0 spent summing over them; shown when there are several.
    func finish(_ s: TrainingSummary, folder: RunFolder, backend: BackendKind, tier: CodeTier? = nil, report: [String],
                ranks: Int = 1, allreduceSeconds: Double = 0) {
        clear()
        let files = [folder.paramsPath, folder.checkpointPath, folder.historyPath, folder.chartPath]
        switch format {
        case .json:
            var members: [(String, JSONValue)] = [
                ("epochs", .number(Double(s.epochs))), ("steps", .number(Double(s.steps))),
                ("final_loss", .number(s.finalLoss)), ("best_loss", .number(s.bestLoss)),
                ("kept_epoch", .number(Double(s.keptEpoch))), ("stopped_early", .bool(s.stoppedEarly)), ("interrupted", .bool(s.interrupted)),
                ("reported", .object(s.reported.keys.sorted().map { ($0, .number(s.reported[$0]!)) })),
                ("seconds", .number((s.seconds * 1000).rounded() / 1000)),
                ("steps_per_second", .number(s.stepsPerSecond.rounded())), ("backend", .string(backend.rawValue)),
                ("code_tier", tier.map { .string($0.rawValue) } ?? .null),
                ("files", .array(files.map { .string($0) })),
            ]
            if let test = s.test { members.append(("test", .object(test.keys.sorted().map { ($0, .number(test[$0]!)) }))) }
            if ranks > 1 {
                members.append(("ranks", .number(Double(ranks))))
                members.append(("allreduce_seconds", .number((allreduceSeconds * 1000).rounded() / 1000)))
            }
            Terminal.out(JSONValue.object([("summary", .object(members))]).serialized())
        case .text:
            var lines = ["trained \(graph): \(s.epochs) epochs, \(s.steps) steps in \(Self.duration(s.seconds)) (\(Int(s.stepsPerSecond.rounded())) steps/s, \(backend.rawValue) backend\(tier.map { ", \($0.rawValue) code" } ?? "")\(ranks > 1 ? ", \(ranks) MPI ranks" : ""))"]
            if s.interrupted { lines.append("  interrupted after epoch \(s.epochs): continue with --resume \(folder.path)") }
            lines.append("  final loss \(Self.short(s.finalLoss)), best \(Self.short(s.bestLoss))" +
                         (s.stoppedEarly ? "; stopped early, kept the parameters of epoch \(s.keptEpoch)" : ""))
            for name in report { if let v = s.reported[name] { lines.append("  \(name) \(Self.short(v))") } }
            if let test = s.test {
                lines.append("  test: " + test.keys.sorted().map { "\($0) \(Self.short(test[$0]!))" }.joined(separator: ", "))
            }
            lines.append("  wrote " + files.joined(separator: ", "))
            Terminal.out(lines.joined(separator: "\n"))
        }
    }

    static func short(_ x: Double) -> String {
        if x == 0 || !x.isFinite { return formatValue(x) }
        return abs(x) >= 1e-3 && abs(x) < 1e5 ? String(format: "%.6g", x) : String(format: "%.4e", x)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let s = Int(seconds.rounded())
        return s < 3600 ? String(format: "%d:%02d", s / 60, s % 60) : String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }
}
