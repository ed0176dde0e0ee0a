import Foundation
import NNGCore

// `nngc eval --data … --samples FILE`: every sample's values, not only the group means.

extension GroupedEvaluation {
    /// One row per sample, in data order: the grouping column (when grouping), then each output
    /// with one value per sample (`samples` of the groups), in output order.
    public func perSampleTable() -> (names: [String], rows: [[Double]]) {
        let outputs = outputNames.filter { name in groups.allSatisfy { $0.samples[name] != nil } }
        let names = (by.map { [$0] } ?? []) + outputs
        let total = groups.reduce(0) { $0 + $1.count }
        var rows = [[Double]](repeating: [], count: total)
        for g in groups {
            for (j, i) in g.indices.enumerated() where i < total {
                rows[i] = (g.key.map { [$0] } ?? []) + outputs.map { g.samples[$0]![j] }
            }
        }
        return (names, rows)
    }
}

/// The table as CSV: a header of names, then one line per row; numbers in their shortest form
/// that reads back as the same double (`formatValue`).
public func perSampleCSV(names: [String], rows: [[Double]]) -> String {
    var out = names.joined(separator: ",") + "\n"
    for row in rows { out += row.map { formatValue($0) }.joined(separator: ",") + "\n" }
    return out
}

/// The table as a NumPy .npy file (version 1.0, little-endian f8, C order, shape [rows, columns]).
public func perSampleNpy(names: [String], rows: [[Double]]) -> [UInt8] {
    var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows.count), \(names.count)), }"
    // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    let length = UInt16(header.utf8.count)
    bytes += [UInt8(length & 0xff), UInt8(length >> 8)]
    bytes += Array(header.utf8)
    for row in rows {
        for v in row { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
    }
    return bytes
}
