import NNGCore
import NNGIR
import NNGTrain
import NNGLang
import NNGRuntime
import FuzzSupport

// Every reader of user files on arbitrary bytes: the first byte picks the reader (CSV, .npy,
// IDX, safetensors, a checkpoint's history, a whole checkpoint), the rest is the file. Readers
// may refuse a file with an error; they must never crash, hang or accept a non-finite value.

/// The executable's entry point (see `runFuzzer`).
@_cdecl("fuzz_data_main")
public func fuzzDataMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzData(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzData(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 6 {
    case 0:
        for header in [CSVHeader.auto, .present, .absent] {
            if let out = try? parseCSV(bytes, path: "f.csv", columns: ["x": [0], "y": [1, 0]], header: header) {
                for t in out.values { requireFinite(t) }
            }
        }
    case 1:
        if let t = try? parseNPY(bytes, path: "f.npy") { requireFinite(t) }
    case 2:
        if let t = try? parseIDX(bytes, path: "f.idx") { requireFinite(t) }
    case 3:
        if let file = try? Safetensors(bytes: bytes, path: "f.safetensors") {
            // What is read writes back to a file that reads back to the same bytes again (bytes,
            // not values: a NaN is not equal to itself).
            let bytes = file.serialized()
            guard let again = try? Safetensors(bytes: bytes, path: "again.safetensors"), again.serialized() == bytes else {
                fatalError("safetensors: serialized() does not read back to the same file")
            }
        }
    case 4:
        // Both layouts: with and without the validation columns.
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? History(csv: text, hasValidation: false, path: "history.csv")
        _ = try? History(csv: text, hasValidation: true, path: "history.csv")
    default:
        // `--resume` validates every field of a checkpoint of `checkpointGraph`, with Adam's state.
        if let file = try? Safetensors(bytes: bytes, path: "checkpoint.safetensors") {
            let folder = RunFolder(path: "run", report: [], hasValidation: false)
            _ = try? folder.checkpoint(file, graph: checkpointGraph, optimizer: .adam())
        }
    }
    return 0
}

/// The graph the checkpoints are read for: params w [2, 2] and b [2] (scripts/fuzz.sh writes a
/// valid checkpoint of it as a seed).
private let checkpointGraph: Graph = {
    let source = """
    graph g {
      input x: f32[B, 2]
      param w: f32[2, 2] = zeros
      param b: f32[2] = zeros
      loss = mean(x @ w + b)
      output loss
    }
    """
    return lowerGraph(parse(SourceFile(path: "g.nng", text: source)).module).graph!
}()

private func requireFinite(_ t: Tensor) {
    guard t.doubles.allSatisfy(\.isFinite) else { fatalError("a reader accepted a non-finite value") }
}
