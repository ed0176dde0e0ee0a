import NNGCore

/// One line of `history.csv`: the state after an epoch.
public struct HistoryRow: Sendable, Equatable {
    /// 1-based number of the finished epoch.
    public var epoch: Int
    /// Optimizer steps taken so far.
    public var step: Int
    public var trainLoss: Double
    /// nil when there is no validation set.
    public var valLoss: Double?
    /// One value per `History.reportNames` (nil = not measured).
    public var reported: [Double?]
    /// The learning rate used in this epoch.
    public var lr: Double
    /// Wall-clock seconds since training started.
    public var seconds: Double

    public init(epoch: Int, step: Int, trainLoss: Double, valLoss: Double? = nil, reported: [Double?] = [],
                lr: Double, seconds: Double) {
        self.epoch = epoch
        self.step = step
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.reported = reported
        self.lr = lr
        self.seconds = seconds
    }
}

/// The training history, written as `history.csv`:
/// `epoch,step,train_loss,val_loss,<reported…>,lr,seconds`, one row per epoch, numbers in
/// their shortest round-tripping form, an empty cell for a missing value.
public struct History: Sendable, Equatable {
    /// Column names of the reported outputs (e.g. `acc`, `val_acc`).
    public var reportNames: [String]
    public var rows: [HistoryRow]

    public init(reportNames: [String] = [], rows: [HistoryRow] = []) {
        self.reportNames = reportNames
        self.rows = rows
    }

    public var header: [String] { ["epoch", "step", "train_loss", "val_loss"] + reportNames + ["lr", "seconds"] }

    public func csv() -> String {
        var out = header.joined(separator: ",") + "\n"
        for r in rows {
            var cells = [String(r.epoch), String(r.step), cell(r.trainLoss), cell(r.valLoss)]
            for k in reportNames.indices { cells.append(cell(k < r.reported.count ? r.reported[k] : nil)) }
            cells += [cell(r.lr), cell(r.seconds)]
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    private func cell(_ x: Double?) -> String { x.map { formatValue($0) } ?? "" }

    /// Writes `history.csv` atomically.
    public func write(to path: String) throws { try writeFileAtomically(csv(), to: path) }

    /// Reads a history written by `csv()` (for `--resume`).
    public init(csv text: String, path: String = "history.csv") throws(FileError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let head = lines.first else { throw FileError("\(path): the file is empty") }
        let names = head.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard names.count >= 6, Array(names.prefix(4)) == ["epoch", "step", "train_loss", "val_loss"],
              Array(names.suffix(2)) == ["lr", "seconds"] else {
            throw FileError("\(path):1: not a training history (expected epoch,step,train_loss,val_loss,…,lr,seconds)")
        }
        let report = Array(names[4..<(names.count - 2)])
        var rows: [HistoryRow] = []
        for (i, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == names.count else {
                throw FileError("\(path):\(i + 2): expected \(names.count) columns, found \(cells.count)")
            }
            func number(_ k: Int) throws(FileError) -> Double? {
                if cells[k].isEmpty { return nil }
                switch cells[k] {
                case "nan": return .nan
                case "inf": return .infinity
                case "-inf": return -.infinity
                default:
                    guard let v = Double(cells[k]) else { throw FileError("\(path):\(i + 2): '\(cells[k])' is not a number") }
                    return v
                }
            }
            guard let epoch = Int(cells[0]), let step = Int(cells[1]), let train = try number(2),
                  let lr = try number(names.count - 2), let seconds = try number(names.count - 1) else {
                throw FileError("\(path):\(i + 2): a required cell is missing")
            }
            var reported: [Double?] = []
            for k in 4..<(names.count - 2) { reported.append(try number(k)) }
            rows.append(HistoryRow(epoch: epoch, step: step, trainLoss: train, valLoss: try number(3), reported: reported,
                                   lr: lr, seconds: seconds))
        }
        self.init(reportNames: report, rows: rows)
    }
}
