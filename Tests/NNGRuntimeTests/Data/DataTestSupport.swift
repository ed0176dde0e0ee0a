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


/// Parses `source`, reads its train block against its graph (failing on diagnostics).
func dataTrainSetup(_ source: String, path: String = "model.nng") -> (TrainConfig, Graph, SourceFile) {
    let file = SourceFile(path: path, text: source)
    let (module, pd) = parse(file)
    precondition(pd.isEmpty, "\(pd)")
    let (config, graph, ds) = loadTrainSetup(module)
    precondition(ds.isEmpty, ds.map { $0.rendered(in: file) }.joined(separator: "\n"))
    return (config!, graph!, file)
}

