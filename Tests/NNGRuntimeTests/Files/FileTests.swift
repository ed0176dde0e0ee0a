import Foundation
import NNGCore
@testable import NNGRuntime
import NNGTestSupport
import Testing

private func tempDir() -> String {
    let dir = NSTemporaryDirectory() + "nngc-files-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private let sample = Safetensors(tensors: [
    "w1": Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6.5], dtype: .f32),
    "b": Tensor(shape: [3], values: [0.1, -0.2, 0.3], dtype: .f64),
    "step": Tensor(shape: [], values: [42], dtype: .f64),
], metadata: ["format": "nngc", "graph": "xor"])

@Suite struct SafetensorsTests {
    @Test func roundTrip() throws {
        let bytes = sample.serialized()
        let back = try Safetensors(bytes: bytes)
        #expect(back == sample)
        // Header: length prefix, padded to 8 with spaces, tensors sorted by name and contiguous.
        let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        #expect(n % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"format\":\"nngc\",\"graph\":\"xor\"},\"b\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},\"step\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[24,32]},\"w1\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[32,56]}}"))
        #expect(bytes.count == 8 + n + 56)
    }

    @Test func emptyAndNoMetadata() throws {
        let empty = Safetensors(tensors: [:])
        #expect(try Safetensors(bytes: empty.serialized()) == empty)
    }

    private func readError(_ bytes: [UInt8]) -> String? {
        do { _ = try Safetensors(bytes: bytes, path: "p.safetensors"); return nil } catch { return error.message }
    }

    private func file(header: String, data: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8) + data
    }

    @Test func readerErrors() {
        #expect(readError([1, 2, 3]) == "p.safetensors: the file is truncated (3 bytes; a safetensors file starts with an 8-byte header length)")
        #expect(readError(Array(sample.serialized().prefix(40))) == "p.safetensors: the file is truncated: the header needs 224 bytes, the file has 32 after the length")
        #expect(readError(file(header: "{\"a\": {\"dtype\": \"F32\"", data: [])) == "p.safetensors: bad header JSON: unexpected end of JSON at byte 21")
        #expect(readError(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: [0, 0, 0, 0]))
            == "p.safetensors: tensor 'a': data_offsets [0, 8] are out of range (the data has 4 bytes)")
        #expect(readError(file(header: "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]))
            == "p.safetensors: tensor 'a' has unsupported dtype 'F16' (supported: F32, F64)")
        #expect(readError(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", data: [UInt8](repeating: 0, count: 8)))
            == "p.safetensors: tensor 'a': shape [3] needs 12 bytes but data_offsets [0, 8] hold 8")
    }

    @Test func loadableByThePythonPackage() throws {
        let dir = tempDir()
        try sample.write(to: dir + "/ours.safetensors")
        // The tests' Python (.build/test-venv): missing is a failure, not a skip.
        let output = try TestPython.run("""
        import numpy as np
        from safetensors.numpy import load_file, save_file
        from safetensors import safe_open
        t = load_file('\(dir)/ours.safetensors')
        assert t['w1'].dtype == np.float32 and t['w1'].shape == (2, 3), t['w1']
        assert (t['w1'] == np.array([[1, 2, 3], [4, 5, 6.5]], dtype=np.float32)).all()
        assert t['b'].dtype == np.float64 and list(t['b']) == [0.1, -0.2, 0.3]
        assert t['step'].shape == () and float(t['step']) == 42
        with safe_open('\(dir)/ours.safetensors', 'np') as f:
            assert f.metadata() == {'format': 'nngc', 'graph': 'xor'}, f.metadata()
        save_file({'z': np.arange(6, dtype=np.float32).reshape(3, 2), 'a': np.array([1.5, 2.5])},
                  '\(dir)/theirs.safetensors', metadata={'k': 'v'})
        print('ok')
        """)
        #expect(output.contains("ok"), "\(output)")
        let theirs = try Safetensors.read(path: dir + "/theirs.safetensors")
        #expect(theirs.tensors["z"] == Tensor(shape: [3, 2], values: [0, 1, 2, 3, 4, 5], dtype: .f32))
        #expect(theirs.tensors["a"] == Tensor(shape: [2], values: [1.5, 2.5], dtype: .f64))
        #expect(theirs.metadata == ["k": "v"])
    }
}

struct SimulatedWriteCrash: Error {}

@Suite struct AtomicWriteTests {
    @Test func replacesTheFile() throws {
        let dir = tempDir()
        let path = dir + "/checkpoint.safetensors"
        try sample.write(to: path)
        #expect(try Safetensors.read(path: path) == sample)
        let next = Safetensors(tensors: ["w1": .zeros([1], dtype: .f32)])
        try next.write(to: path)
        #expect(try Safetensors.read(path: path) == next)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["checkpoint.safetensors"])
    }

    @Test func failureBeforeRenameKeepsThePreviousFile() throws {
        let dir = tempDir()
        let path = dir + "/checkpoint.safetensors"
        try sample.write(to: path)
        let next = Safetensors(tensors: ["w1": .zeros([1000], dtype: .f64)])
        var sawTemporary = false
        #expect(throws: SimulatedWriteCrash.self) {
            try next.write(to: path) {
                // The new bytes are complete in a temporary file beside the target.
                let files = try FileManager.default.contentsOfDirectory(atPath: dir)
                sawTemporary = files.contains { $0.hasPrefix(".checkpoint.safetensors.tmp-") }
                throw SimulatedWriteCrash()
            }
        }
        #expect(sawTemporary)
        #expect(try Safetensors.read(path: path) == sample)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["checkpoint.safetensors"])
    }

    @Test func unwritableFolder() {
        #expect(throws: FileError.self) { try writeFileAtomically("x", to: "/nonexistent-nngc-dir/a.txt") }
    }
}

@Suite struct HistoryTests {
    let history = History(report: ["acc"], hasValidation: true, records: [
        EpochRecord(epoch: 1, step: 4, trainLoss: 0.693, validationLoss: 0.7, reported: ["acc": 0.5],
                    validationReported: ["acc": 0.25], lr: 0.1, seconds: 0.012),
        EpochRecord(epoch: 2, step: 8, trainLoss: 0.5, validationLoss: nil, reported: ["acc": 0.75],
                    validationReported: [:], lr: 0.05, seconds: 0.02),
    ])

    @Test func csvText() {
        #expect(history.csv() == """
        epoch,step,train_loss,val_loss,acc,val_acc,lr,seconds
        1,4,0.693,0.7,0.5,0.25,0.1,0.012
        2,8,0.5,,0.75,,0.05,0.02

        """)
    }

    @Test func readBack() throws {
        #expect(try History(csv: history.csv(), hasValidation: true) == history)
        #expect(throws: FileError("history.csv:3: expected 8 columns, found 7")) {
            try History(csv: "epoch,step,train_loss,val_loss,acc,val_acc,lr,seconds\n1,4,0.6,0.7,0.5,0.25,0.1,0.01\n2,8,0.5,,0.75,0.05,0.02\n",
                        hasValidation: true)
        }
        #expect(throws: FileError("history.csv:1: expected a val_ column for each reported column, found acc,loss2")) {
            try History(csv: "epoch,step,train_loss,val_loss,acc,loss2,lr,seconds\n", hasValidation: true)
        }
        // Without a validation set, a report named val_… is an ordinary column.
        let plain = try History(csv: "epoch,step,train_loss,val_loss,acc,val_acc,lr,seconds\n1,4,0.6,,0.5,0.25,0.1,0.01\n",
                                hasValidation: false)
        #expect(plain.report == ["acc", "val_acc"] && plain.records[0].reported == ["acc": 0.5, "val_acc": 0.25])
    }
}

/// A history record with only the losses a loss chart draws.
private func epochRecord(_ epoch: Int, train: Double, validation: Double? = nil) -> EpochRecord {
    EpochRecord(epoch: epoch, step: UInt64(epoch), trainLoss: train, validationLoss: validation, reported: [:],
                validationReported: [:], lr: 0.1, seconds: 0)
}

@Suite struct LossChartTests {
    @Test func structure() {
        let rows = (1...50).map { e in
            epochRecord(e, train: 0.2 + 2 * exp(-Double(e) / 8), validation: 0.3 + 2.2 * exp(-Double(e) / 9))
        }
        let svg = lossChartSVG(history: History(records: rows), title: "xor")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains(">epoch</text>"))
        #expect(svg.contains(">loss</text>"))   // linear: 0.0…2.0 spans less than two decades
        #expect(svg.contains("data-series=\"train\"") && svg.contains("data-series=\"validation\""))
        #expect(svg.contains(">train</text>") && svg.contains(">validation</text>"))
        #expect(svg.contains(">50</text>") && svg.contains(">10</text>"))
        #expect(svg.contains(">0.0</text>") && svg.contains(">0.5</text>") && svg.contains(">2.5</text>"))
        if let dir = ProcessInfo.processInfo.environment["NNGC_CHART_DIR"] {
            try? svg.write(toFile: dir + "/linear.svg", atomically: true, encoding: .utf8)
        }
        let parsed = SVGWellFormed(svg)
        #expect(parsed.ok, "\(parsed.error ?? "")")
    }

    @Test func logScaleOverManyDecades() {
        let rows = (1...30).map { e in epochRecord(e, train: pow(10, -Double(e) / 6)) }
        let svg = lossChartSVG(history: History(records: rows))
        if let dir = ProcessInfo.processInfo.environment["NNGC_CHART_DIR"] {
            let val = rows.map { r in epochRecord(r.epoch, train: r.trainLoss, validation: r.trainLoss * 1.8 + 1e-4) }
            try? lossChartSVG(history: History(records: val), title: "log scale").write(toFile: dir + "/log.svg", atomically: true, encoding: .utf8)
        }
        #expect(svg.contains(">loss (log scale)</text>"))
        #expect(svg.contains(">1</text>") && svg.contains(">0.01</text>") && svg.contains(">1e-5</text>"))
        #expect(!svg.contains("data-series=\"validation\""))
    }

    @Test func degenerateInputs() {
        let one = lossChartSVG(history: History(records: [epochRecord(1, train: 0.5)]))
        #expect(one.contains("<circle"))
        #expect(SVGWellFormed(one).ok)
        let nan = lossChartSVG(history: History(records: [
            epochRecord(1, train: 1),
            epochRecord(2, train: .nan),
            epochRecord(3, train: 0.5),
        ]))
        #expect(!nan.contains("nan") && !nan.contains("NaN"))
        #expect(SVGWellFormed(lossChartSVG(history: History())).ok)
    }
}

/// A small well-formedness check: tags balance, attributes are quoted, no stray '<' or '&'.
struct SVGWellFormed {
    var ok = true
    var error: String?
    init(_ text: String) {
        var stack: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            let before = rest[..<open]
            if before.contains(">") { fail("stray '>'"); return }
            if let amp = before.firstIndex(of: "&"), !before[amp...].hasPrefix("&amp;") && !before[amp...].hasPrefix("&lt;")
                && !before[amp...].hasPrefix("&gt;") && !before[amp...].hasPrefix("&quot;") { fail("stray '&'"); return }
            guard let close = rest[open...].firstIndex(of: ">") else { fail("unclosed tag"); return }
            let tag = rest[rest.index(after: open)..<close]
            if tag.filter({ $0 == "\"" }).count % 2 != 0 { fail("unbalanced quotes in <\(tag)>"); return }
            if tag.hasPrefix("/") {
                guard stack.popLast() == String(tag.dropFirst()) else { fail("mismatched </\(tag.dropFirst())>"); return }
            } else if !tag.hasSuffix("/") {
                stack.append(String(tag.prefix { $0 != " " && $0 != "\n" }))
            }
            rest = rest[rest.index(after: close)...]
        }
        if !stack.isEmpty { fail("unclosed <\(stack.last!)>") }
    }
    mutating func fail(_ m: String) { ok = false; error = m }
}
