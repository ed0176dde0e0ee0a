import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
@testable import NNGRuntime

/// A fresh temporary folder for one test.
func makeDataTestDirectory(_ tag: String = "nngc-test") -> String {
    let dir = NSTemporaryDirectory() + "\(tag)-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func writeDataFile(_ dir: String, _ name: String, _ text: String) {
    _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8))
}

func writeDataFile(_ dir: String, _ name: String, bytes: [UInt8]) {
    _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes))
}

/// A .npy file: header dict text, padded as NumPy does, then the body.
func npyBytes(descr: String, shape: [Int], body: [UInt8], version: UInt8 = 1, fortran: Bool = false) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let prefix = version == 1 ? 10 : 12
    while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let n = header.utf8.count
    if version == 1 { out += [UInt8(n & 0xFF), UInt8(n >> 8)] } else { out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0] }
    return out + Array(header.utf8) + body
}

func littleEndianBytes(_ xs: [Float]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
func littleEndianBytes(_ xs: [Double]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
func littleEndianBytes(_ xs: [Int32]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }
func littleEndianBytes(_ xs: [Int64]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }

/// An IDX file with big-endian dimensions and the given body.
func idxBytes(type: UInt8, shape: [Int], body: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, type, UInt8(shape.count)]
    for d in shape { out += withUnsafeBytes(of: UInt32(d).bigEndian, Array.init) }
    return out + body
}

/// Parses `source`, reads its train block against its graph (failing on diagnostics).
func dataTrainSetup(_ source: String, path: String = "model.nng") -> (TrainConfig, Graph, SourceFile) {
    let file = SourceFile(path: path, text: source)
    let (module, pd) = parse(file)
    precondition(pd.isEmpty, "\(pd)")
    let (config, graph, ds) = loadTrainSetup(module)
    precondition(ds.isEmpty, ds.map { $0.rendered(in: file) }.joined(separator: "\n"))
    return (config!, graph!, file)
}

