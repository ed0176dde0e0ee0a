import Foundation
import Testing

/// `nngc eval --data … --samples FILE.csv|FILE.npy` (every sample's values) and `--by` on a
/// column the source provides without it being a graph input.
@Suite struct EvalSamplesTests {
    /// y = a·x − 1 per sample (a = 1), s = Σ y over the samples fed (`CLI.lineGraph`).
    private let line = CLI.temporaryFile(CLI.lineGraph, name: "line.nng")

    private var folder: String { (line as NSString).deletingLastPathComponent }

    @Test func perSampleCSVInDataOrder() throws {
        let path = folder + "/y.csv"
        let r = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 2, 5))", "--samples", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "y = 0 (mean of 5 samples)\ns = 0\nwrote \(path) (y)\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "y\n-1\n-0.5\n0\n0.5\n1\n")
    }

    @Test func byAColumnThatIsNoInputAndNpyOutput() throws {
        let csv = folder + "/d.csv"
        try Data("0,10\n1,20\n2,10\n".utf8).write(to: URL(fileURLWithPath: csv))
        let npy = folder + "/s.npy"
        let r = try CLI.run(["eval", line, "--data", "csv(\"\(csv)\", x = [0], g = [1])", "--by", "g", "--samples", npy])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "g   n  y  s\n10  2  0  0\n20  1  0  0\nwrote \(npy) (g, y)\n")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: npy)))
        #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }"))
        #expect(header.hasSuffix("\n"))
        let body = Array(bytes[(10 + headerLength)...])
        let values = (0..<(body.count / 8)).map { i in
            Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(body[i * 8 + $1]) << (8 * UInt64($1)) })
        }
        // Rows in data order: (g, y) per sample.
        #expect(values == [10, -1, 20, 0, 10, 1])
        // Without --by, a name that is no input is still an error.
        let bad = try CLI.run(["eval", line, "--data", "csv(\"\(csv)\", x = [0], g = [1])"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("--data:1:"))
        #expect(bad.stderr.contains("error: 'g' is not an input of graph 'line'; did you mean 'x'?"))
    }

    @Test func samplesNeedsDataAndAKnownFormat() throws {
        #expect(try CLI.run(["eval", line, "--samples", folder + "/a.csv"]).status == 2)
        let r = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 2, 5))", "--samples", folder + "/a.txt"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--samples writes a .csv or a .npy file, got '\(folder)/a.txt'"))
    }
}
