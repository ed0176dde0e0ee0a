import NNGCore

/// One line of `history.csv`: the state after an epoch.
/// The training history, written as `history.csv`:
/// `epoch,step,train_loss,val_loss,<report…>,<val_report…>,lr,seconds`, one row per epoch
/// record, numbers in their shortest round-tripping form, an empty cell for a missing value.
/// The `val_` columns are there when the run has a validation set.
public struct History: Sendable, Equatable {
    /// The train block's reported outputs, in report order.
    public var report: [String]
    /// Whether the reported outputs are also measured on a validation set (`val_<name>` columns).
    public var hasValidation: Bool
    public var records: [EpochRecord]

    public init(report: [String] = [], hasValidation: Bool = false, records: [EpochRecord] = []) {
        self.report = report
        self.hasValidation = hasValidation
        self.records = records
    }

    /// The column names of the reported outputs: the training values, then the validation ones.
    public var reportColumns: [String] { report + (hasValidation ? report.map { "val_" + $0 } : []) }

    public var header: [String] { ["epoch", "step", "train_loss", "val_loss"] + reportColumns + ["lr", "seconds"] }

    public func csv() -> String {
        var out = header.joined(separator: ",") + "\n"
        for r in records {
            var cells = [String(r.epoch), String(r.step), cell(r.trainLoss), cell(r.validationLoss)]
            cells += report.map { cell(r.reported[$0]) }
            if hasValidation { cells += report.map { cell(r.validationReported[$0]) } }
            cells += [cell(r.lr), cell(r.seconds)]
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    private func cell(_ x: Double?) -> String { x.map { formatValue($0) } ?? "" }

    /// Writes `history.csv` atomically.
    public func write(to path: String) throws { try writeFileAtomically(csv(), to: path) }

    /// Reads a history written by `csv()` (for `--resume`); `hasValidation` says whether the
    /// second half of the report columns are the `val_` ones.
    public init(csv text: String, hasValidation: Bool, path: String = "history.csv") throws(FileError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let head = lines.first else { throw FileError("\(path): the file is empty") }
        let names = head.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard names.count >= 6, Array(names.prefix(4)) == ["epoch", "step", "train_loss", "val_loss"],
              Array(names.suffix(2)) == ["lr", "seconds"] else {
            throw FileError("\(path):1: not a training history (expected epoch,step,train_loss,val_loss,…,lr,seconds)")
        }
        let columns = Array(names[4..<(names.count - 2)])
        let report = hasValidation ? Array(columns.prefix(columns.count / 2)) : columns
        guard !hasValidation || (columns.count.isMultiple(of: 2) && Array(columns.suffix(report.count)) == report.map { "val_" + $0 }) else {
            throw FileError("\(path):1: expected a val_ column for each reported column, found \(columns.joined(separator: ","))")
        }
        var records: [EpochRecord] = []
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
            var reported: [String: Double] = [:], validationReported: [String: Double] = [:]
            for (k, name) in report.enumerated() {
                reported[name] = try number(4 + k)
                if hasValidation { validationReported[name] = try number(4 + report.count + k) }
            }
            records.append(EpochRecord(epoch: epoch, step: UInt64(step), trainLoss: train, validationLoss: try number(3),
                                       reported: reported, validationReported: validationReported, lr: lr, seconds: seconds))
        }
        self.init(report: report, hasValidation: hasValidation, records: records)
    }
}
