import Foundation
import NNGTestSupport
import Testing

/// Rank-local data (docs/distributed.md, "Data"): under `mpirun` each rank reads only its block
/// of an .npy, IDX or CSV file (and generates only its temperatures of an `ising` source,
/// isingCNNMatchesOneProcess), the blocks are gathered, and training is unchanged. A bad value
/// in one rank's block is found by that rank alone, which ends the job naming itself.
extension DistributedTrainingTests {
    /// The MLP of `mlpFile` with x in an .npy file (<f4, [200, 8]) and the labels in an IDX file
    /// (u8, [200]); `poison` puts a NaN at x[poison, 0].
    static func arrayFileMLP(poison: Int? = nil) throws -> String {
        let csvFile = try mlpFile()
        let dir = (csvFile as NSString).deletingLastPathComponent
        let rows = try String(contentsOfFile: dir + "/mlp.csv", encoding: .utf8).split(separator: "\n")
        var x: [Float] = [], labels: [UInt8] = []
        for row in rows {
            let fields = row.split(separator: ",").map { Double($0)! }
            x += fields.prefix(8).map { Float($0) }
            labels.append(UInt8(fields[8]))
        }
        if let poison { x[poison * 8] = .nan }
        let npy = npyBytes(descr: "<f4", shape: [200, 8], body: littleEndianBytes(x))
        try Data(npy).write(to: URL(fileURLWithPath: dir + "/x.npy"))
        let idx = idxBytes(type: 0x08, shape: [200], body: labels)
        try Data(idx).write(to: URL(fileURLWithPath: dir + "/label.idx"))
        let text = try String(contentsOfFile: csvFile, encoding: .utf8)
            .replacingOccurrences(of: #"csv("mlp.csv", x = [0, 1, 2, 3, 4, 5, 6, 7], label = 8, header = false)"#,
                                  with: #"[npy(x = "x.npy"), idx(label = "label.idx")]"#)
        try text.write(toFile: dir + "/arrays.nng", atomically: true, encoding: .utf8)
        return dir + "/arrays.nng"
    }

    @Test(arguments: [2, 3])
    func npyAndIDXBlocksMatchOneProcess(_ ranks: Int) throws {
        try expectSameParameters(try Self.arrayFileMLP(), ranks: ranks, ["--backend", "c"], tolerance: 1e-12)
    }

    /// A NaN in row 150 lies in rank 1's block at P = 2 (rows 100..<200): rank 1 reports it, with
    /// its index in the whole array, and ends the job; rank 0, which never read that row, does not.
    @Test func aBadRowIsFoundByTheRankThatReadsIt() throws {
        let file = try Self.arrayFileMLP(poison: 150)
        let r = try Self.launch(2, ["train", file, "-o", Gallery.tempDir()])
        #expect(r.status != 0)
        #expect(r.stderr.contains("rank 1 of 2:"), "\(r.stderr)")
        #expect(r.stderr.contains("x.npy: element 1200 (index [150, 0]) is NaN"), "\(r.stderr)")
        #expect(!r.stderr.contains("rank 0 of 2:"), "\(r.stderr)")
    }

    /// The same for a CSV file: the whole file is scanned for its lines, but a rank parses only
    /// its rows; the error names the line in the whole file.
    @Test func aBadCSVCellIsFoundByTheRankThatParsesIt() throws {
        let file = try Self.mlpFile()
        let csv = (file as NSString).deletingLastPathComponent + "/mlp.csv"
        var lines = try String(contentsOfFile: csv, encoding: .utf8).components(separatedBy: "\n")
        lines[160] = "abc" + lines[160].drop { $0 != "," }
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try Self.launch(2, ["train", file, "-o", Gallery.tempDir()])
        #expect(r.status != 0)
        #expect(r.stderr.contains("rank 1 of 2:"), "\(r.stderr)")
        #expect(r.stderr.contains("mlp.csv:161:1: 'abc' is not a number (column 0)"), "\(r.stderr)")
        #expect(!r.stderr.contains("rank 0 of 2:"), "\(r.stderr)")
    }
}
