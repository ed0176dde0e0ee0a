import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
@testable import NNGRuntime
import NNGTestSupport
import Testing

private func csv(_ text: String, _ columns: [String: [Int]], header: CSVHeader = .auto, flat: Set<String> = []) throws(DataError) -> [String: Tensor] {
    try parseCSV(Array(text.utf8), path: "data.csv", columns: columns, header: header, flat: flat)
}

private func csvError(_ text: String, _ columns: [String: [Int]], header: CSVHeader = .auto, flat: Set<String> = []) -> String? {
    do { _ = try csv(text, columns, header: header, flat: flat); return nil } catch { return error.message }
}

@Suite struct CSVTests {
    @Test func headerAutoAndShapes() throws {
        let out = try csv("a,b,c\n1,2,3\r\n4,5,6\n\n7, 8 ,\"9\"\n", ["x": [0, 1], "y": [2]], flat: ["y"])
        #expect(out["x"] == Tensor(shape: [3, 2], values: [1, 2, 4, 5, 7, 8], dtype: .f64))
        #expect(out["y"] == Tensor(shape: [3], values: [3, 6, 9], dtype: .f64))
    }

    @Test func noHeader() throws {
        let out = try csv("1,2\n3,4\n", ["x": [1, 0]])
        #expect(out["x"] == Tensor(shape: [2, 2], values: [2, 1, 4, 3], dtype: .f64))
        let forced = try csv("1,2\n3,4\n", ["x": [0]], header: .present)
        #expect(forced["x"] == Tensor(shape: [1, 1], values: [3], dtype: .f64))
    }

    @Test func textInUnusedColumnsIsFine() throws {
        let out = try csv("x,label\n1,cat\n2,dog\n", ["x": [0]])
        #expect(out["x"]?.doubles == [1, 2])
    }

    @Test func errors() {
        #expect(csvError("a,b,c\n1,2,3\n1,2,3\n1,2,3\n4,5,6\n1,2,3\n4,5\n", ["x": [0]]) == "data.csv:7: expected 3 columns, found 2")
        #expect(csvError("a,b\n1,2\n3,4\n5,abc\n", ["x": [0, 1]]) == "data.csv:4:3: 'abc' is not a number (column 1)")
        #expect(csvError("1,2\n3,\n", ["x": [0, 1]]) == "data.csv:2:3: empty cell (column 1)")
        #expect(csvError("1,2\n3,4\n", ["x": [0, 2]]) == "data.csv: column 2 of 'x' is out of range: the file has 2 columns (0…1)")
        #expect(csvError("", ["x": [0]]) == "data.csv: the file is empty")
        #expect(csvError("\n  \n", ["x": [0]]) == "data.csv: the file is empty")
        #expect(csvError("a,b\n", ["x": [0]]) == "data.csv: no data rows after the header")
        #expect(csvError("x,y\n1,2\n", ["x": [0]], header: .absent) == "data.csv:1:1: 'x' is not a number (column 0)")
        #expect(csvError("1,2\n", ["y": [0, 1]], flat: ["y"]) == "'y' takes one column as [N] (its input has rank 1), got 2 columns")
    }
}

@Suite struct ArrayFileTests {
    @Test func npyDTypesAndVersions() throws {
        let f4 = try parseNPY(npyBytes(descr: "<f4", shape: [2, 3], body: littleEndianBytes([Float](arrayLiteral: 1, 2, 3, 4, 5, 6.5))), path: "a.npy")
        #expect(f4 == Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5], dtype: .f64))
        let f8 = try parseNPY(npyBytes(descr: "<f8", shape: [3], body: littleEndianBytes([0.1, -2, 3e300]), version: 2), path: "a.npy")
        #expect(f8.doubles == [0.1, -2, 3e300] && f8.shape == [3])
        let i4 = try parseNPY(npyBytes(descr: "<i4", shape: [2, 1], body: littleEndianBytes([Int32(-7), 9]), version: 3), path: "a.npy")
        #expect(i4.doubles == [-7, 9] && i4.shape == [2, 1])
        let i8 = try parseNPY(npyBytes(descr: "<i8", shape: [2], body: littleEndianBytes([Int64(1) << 40, -1])), path: "a.npy")
        #expect(i8.doubles == [1099511627776, -1])
        let u1 = try parseNPY(npyBytes(descr: "|u1", shape: [4], body: [0, 1, 128, 255]), path: "a.npy")
        #expect(u1.doubles == [0, 1, 128, 255])
    }

    private func npyError(_ bytes: [UInt8]) -> String? {
        do { _ = try parseNPY(bytes, path: "x.npy"); return nil } catch { return error.message }
    }

    @Test func npyErrors() {
        let supported = "supported: <f4, <f8, <i4, <i8, |u1"
        #expect(npyError(npyBytes(descr: ">f4", shape: [1], body: [0, 0, 0, 0])) == "x.npy: unsupported dtype '>f4' (big-endian); \(supported)")
        #expect(npyError(npyBytes(descr: "<f2", shape: [1], body: [0, 0])) == "x.npy: unsupported dtype '<f2'; \(supported)")
        #expect(npyError(npyBytes(descr: "|O", shape: [1], body: [0, 0, 0, 0, 0, 0, 0, 0])) == "x.npy: unsupported dtype '|O' (Python objects); \(supported)")
        #expect(npyError(npyBytes(descr: "<f4", shape: [2, 2], body: littleEndianBytes([Float](repeating: 0, count: 4)), fortran: true))
            == "x.npy: the array is in Fortran order; save it in C order (numpy.ascontiguousarray)")
        #expect(npyError(npyBytes(descr: "<f8", shape: [3, 2], body: littleEndianBytes([Double](repeating: 0, count: 5))))
            == "x.npy: the file is truncated: expected 48 bytes of data, found 40")
        #expect(npyError(Array("PK\u{3}\u{4}not numpy at all".utf8)) == "x.npy: not a NumPy .npy file (bad magic)")
        #expect(npyError([0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0]) == "x.npy: the file is truncated in its header")
    }

    @Test func npyWrittenByNumPy() throws {
        let dir = makeDataTestDirectory()
        // The tests' Python (.build/test-venv): missing is a failure, not a skip.
        _ = try TestPython.run("""
        import numpy as np
        np.save('\(dir)/a.npy', np.arange(12, dtype=np.float32).reshape(3, 4) / 4)
        np.save('\(dir)/b.npy', np.array([[1], [-2]], dtype=np.int64))
        np.save('\(dir)/c.npy', np.arange(6, dtype=np.float64).reshape(2, 3).T)
        """)
        let a = try parseNPY([UInt8](FileManager.default.contents(atPath: dir + "/a.npy")!), path: "a.npy")
        #expect(a.shape == [3, 4] && a.doubles == (0..<12).map { Double($0) / 4 })
        let b = try parseNPY([UInt8](FileManager.default.contents(atPath: dir + "/b.npy")!), path: "b.npy")
        #expect(b.shape == [2, 1] && b.doubles == [1, -2])
        // A transposed array is saved in Fortran order.
        #expect(throws: DataError.self) { try parseNPY([UInt8](FileManager.default.contents(atPath: dir + "/c.npy")!), path: "c.npy") }
    }

    private func idxError(_ bytes: [UInt8]) -> String? {
        do { _ = try parseIDX(bytes, path: "x.idx"); return nil } catch { return error.message }
    }

    @Test func idxTypes() throws {
        let u8 = try parseIDX(idxBytes(type: 0x08, shape: [2, 2, 2], body: [0, 1, 2, 3, 4, 5, 6, 255]), path: "a.idx")
        #expect(u8.shape == [2, 2, 2] && u8.doubles == [0, 1, 2, 3, 4, 5, 6, 255])
        let i8 = try parseIDX(idxBytes(type: 0x09, shape: [2], body: [0xFF, 3]), path: "a.idx")
        #expect(i8.doubles == [-1, 3])
        let i16 = try parseIDX(idxBytes(type: 0x0B, shape: [2], body: [0xFF, 0xFE, 0x01, 0x00]), path: "a.idx")
        #expect(i16.doubles == [-2, 256])
        let i32 = try parseIDX(idxBytes(type: 0x0C, shape: [1], body: [0x00, 0x01, 0x00, 0x00]), path: "a.idx")
        #expect(i32.doubles == [65536])
        let f32 = try parseIDX(idxBytes(type: 0x0D, shape: [1], body: withUnsafeBytes(of: Float(1.5).bitPattern.bigEndian, Array.init)), path: "a.idx")
        #expect(f32.doubles == [1.5])
        let f64 = try parseIDX(idxBytes(type: 0x0E, shape: [1], body: withUnsafeBytes(of: (-0.25).bitPattern.bigEndian, Array.init)), path: "a.idx")
        #expect(f64.doubles == [-0.25])
    }

    @Test func idxErrors() {
        #expect(idxError([0x12, 0x34, 0x08, 0x01, 0, 0, 0, 1, 7]) == "x.idx: not an IDX file (bad magic 0x12340801)")
        #expect(idxError([0, 0, 0x0A, 0x01, 0, 0, 0, 1, 7]) == "x.idx: unsupported IDX element type 0x0a")
        #expect(idxError(idxBytes(type: 0x08, shape: [10, 3], body: [UInt8](repeating: 0, count: 25)))
            == "x.idx: the file is truncated: expected 30 bytes of data, found 25")
        #expect(idxError([0, 0, 0x08, 0x02, 0, 0, 0]) == "x.idx: the file is truncated in its header")
    }
}

@Suite struct DatasetTests {
    @Test func permutationIsSeededAndComplete() {
        let p = Dataset.permutation(count: 100, seed: 1, step: 0)
        #expect(p.sorted() == Array(0..<100))
        #expect(p != Array(0..<100))
        #expect(p == Dataset.permutation(count: 100, seed: 1, step: 0))
        #expect(p != Dataset.permutation(count: 100, seed: 1, step: 1))
        #expect(p != Dataset.permutation(count: 100, seed: 2, step: 0))
    }

    @Test func batchesAndGather() throws {
        let d = try Dataset(columns: ["x": Tensor(shape: [5, 2], values: (0..<10).map(Double.init), dtype: .f32),
                                      "y": Tensor(shape: [5], values: [0, 1, 2, 3, 4], dtype: .f32)])
        #expect(d.count == 5)
        #expect(d.batches(size: 2, shuffle: false, seed: 0, epoch: 0) == [[0, 1], [2, 3], [4]])
        #expect(d.batches(size: nil, shuffle: false, seed: 0, epoch: 0) == [[0, 1, 2, 3, 4]])
        let shuffled = d.batches(size: 2, shuffle: true, seed: 3, epoch: 1)
        #expect(shuffled.flatMap { $0 }.sorted() == [0, 1, 2, 3, 4])
        let b = d.gather([4, 1])
        #expect(b.count == 2)
        #expect(b["x"] == Tensor(shape: [2, 2], values: [8, 9, 2, 3], dtype: .f32))
        #expect(b["y"] == Tensor(shape: [2], values: [4, 1], dtype: .f32))
    }

    @Test func disagreement() {
        #expect(throws: DataError("sources disagree on the number of samples: x has 100, y has 99")) {
            try Dataset(columns: ["x": .zeros([100, 2], dtype: .f64), "y": .zeros([99, 1], dtype: .f64)])
        }
    }

    @Test func split() throws {
        let d = try Dataset(columns: ["x": Tensor(shape: [10], values: (0..<10).map(Double.init), dtype: .f64)])
        let (train, val, test) = try d.split(validation: 0.2, test: 0.1, seed: 5)
        #expect(train.count == 7 && val?.count == 2 && test?.count == 1)
        let all = train["x"]!.doubles + val!["x"]!.doubles + test!["x"]!.doubles
        #expect(all.sorted() == (0..<10).map(Double.init))
        let again = try d.split(validation: 0.2, test: 0.1, seed: 5)
        #expect(again.validation?["x"] == val?["x"])
        #expect(throws: DataError.self) { try d.split(validation: 0.5, test: 0.45, seed: 0) }
    }

    @Test func linspaceEndpoints() {
        #expect(Linspace(0, 1, 5).values == [0, 0.25, 0.5, 0.75, 1])
        #expect(Linspace(2, 3, 1).values == [2])
        #expect(Linspace(0.1, 0.7, 7).values.last == 0.7)
    }
}
