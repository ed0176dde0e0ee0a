import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
@testable import NNGRuntime
import NNGTestSupport
import Testing

// Strict data (issue 14): a non-finite value in a data file is refused where it stands (file,
// line and column, or element index) unless the source says `allow_nonfinite = true`, and an
// array file must hold exactly the bytes its header declares.

private func refusal(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch let e as DataError { return e.message } catch { return "\(error)" }
}

@Suite struct StrictDataTests {
    @Test func csvRefusesNonFiniteCells() {
        func csvError(_ text: String) -> String? {
            refusal { _ = try parseCSV(Array(text.utf8), path: "d.csv", columns: ["x": [0, 1]], header: .auto) }
        }
        #expect(csvError("a,b\n1,2\n3,nan\n") == "d.csv:3:3: 'nan' is not a finite number (column 1); allow_nonfinite = true accepts it")
        #expect(csvError("a,b\n1,2\n-inf,4\n") == "d.csv:3:1: '-inf' is not a finite number (column 0); allow_nonfinite = true accepts it")
        #expect(csvError("a,b\n1, 1e999\n") == "d.csv:2:3: '1e999' is not a finite number (column 1); allow_nonfinite = true accepts it")
        // A column no input takes may hold anything.
        #expect(refusal { _ = try parseCSV(Array("a,b\n1,nan\n".utf8), path: "d.csv", columns: ["x": [0]], header: .auto) } == nil)
    }

    @Test func npyRefusesNonFiniteElementsAndWrongLengths() {
        let nan = npyBytes(descr: "<f8", shape: [2, 2], body: littleEndianBytes([Double](arrayLiteral: 1, 2, 3, .nan)))
        #expect(refusal { _ = try parseNPY(nan, path: "a.npy") } == "a.npy: element 3 (index [1, 1]) is NaN; data must be finite (allow_nonfinite = true accepts it)")
        let inf = npyBytes(descr: "<f4", shape: [3], body: littleEndianBytes([Float](arrayLiteral: 1, -.infinity, 2)))
        #expect(refusal { _ = try parseNPY(inf, path: "a.npy") } == "a.npy: element 1 (index [1]) is -inf; data must be finite (allow_nonfinite = true accepts it)")
        let long = npyBytes(descr: "<f8", shape: [2], body: littleEndianBytes([Double](arrayLiteral: 1, 2, 3)))
        #expect(refusal { _ = try parseNPY(long, path: "a.npy") } == "a.npy: the file has 8 bytes after the 16 bytes of data its header declares")
        let short = npyBytes(descr: "<f8", shape: [2], body: littleEndianBytes([Double](arrayLiteral: 1)))
        #expect(refusal { _ = try parseNPY(short, path: "a.npy") } == "a.npy: the file is truncated: expected 16 bytes of data, found 8")
    }

    @Test func idxRefusesNonFiniteElementsAndWrongLengths() {
        func bigEndian(_ xs: [Float]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian, Array.init) } }
        let nan = idxBytes(type: 0x0D, shape: [2, 2], body: bigEndian([1, .nan, 2, 3]))
        #expect(refusal { _ = try parseIDX(nan, path: "a.idx") } == "a.idx: element 1 (index [0, 1]) is NaN; data must be finite (allow_nonfinite = true accepts it)")
        let long = idxBytes(type: 0x08, shape: [3], body: [1, 2, 3, 4])
        #expect(refusal { _ = try parseIDX(long, path: "a.idx") } == "a.idx: the file has 1 byte after the 3 bytes of data its header declares")
    }

    @Test func allowNonFiniteReadsNaNAndInfinitiesAsTheyAre() throws {
        let csv = try parseCSV(Array("a,b\n1,nan\n-inf,1e999\n".utf8), path: "d.csv", columns: ["x": [0, 1]], header: .auto,
                               allowNonFinite: true)
        let x = csv["x"]!.doubles
        #expect(x[0] == 1 && x[1].isNaN && x[2] == -.infinity && x[3] == .infinity)
        let npy = npyBytes(descr: "<f8", shape: [2], body: littleEndianBytes([Double](arrayLiteral: .nan, .infinity)))
        let n = try parseNPY(npy, path: "a.npy", allowNonFinite: true).doubles
        #expect(n[0].isNaN && n[1] == .infinity)
        func bigEndian(_ xs: [Float]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian, Array.init) } }
        let idx = try parseIDX(idxBytes(type: 0x0D, shape: [2], body: bigEndian([.nan, 2])), path: "a.idx", allowNonFinite: true).doubles
        #expect(idx[0].isNaN && idx[1] == 2)
    }

    @Test func theTrainBlockOptsInPerSource() throws {
        func sources(_ data: String) -> ([DataSource], [String]) {
            let text = "graph g {\n  input x: f32[B, 1]\n  loss = mean(x)\n  output loss\n}\ntrain {\n  data = \(data)\n  epochs = 1\n}\n"
            let module = parse(SourceFile(path: "t.nng", text: text)).module
            let graph = lowerGraph(module).graph!
            let (config, ds) = readTrainConfig(module.trains[0], module: module, graph: graph)
            return (config?.data.sources ?? [], ds.map(\.message))
        }
        for source in ["csv(\"d.csv\", x = 0, allow_nonfinite = true)", "npy(x = \"x.npy\", allow_nonfinite = true)",
                       "idx(x = \"x.idx\", allow_nonfinite = true)"] {
            let (s, ds) = sources(source)
            #expect(ds.isEmpty && s.count == 1 && s[0].allowsNonFinite && s[0].names == ["x"], "\(source): \(ds)")
        }
        #expect(sources("npy(x = \"x.npy\")").0.first?.allowsNonFinite == false)
        #expect(sources("csv(\"d.csv\", x = 0, allow_nonfinite = 1)").1 == ["'allow_nonfinite' of 'csv' must be true or false"])
    }
}
