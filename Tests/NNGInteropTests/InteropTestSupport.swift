import Foundation
import NNGCore
import NNGIR
import NNGRuntime
import NNGTestSupport

/// A gallery graph loaded as `nngc eval` loads it, with every free size bound and random inputs.
struct GalleryCase {
    let file: String
    let graph: Graph
    /// Sizes of the symbols no data source binds.
    let sizes: [String: Int]
    let inputs: [String: Tensor]
    let params: [String: Tensor]

    /// Every graph of the gallery as "file.nng:graph".
    static var galleryGraphs: [String] {
        let dir = TestPython.packageRoot.appendingPathComponent("Graphs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".nng") }.sorted().flatMap { name -> [String] in
            let path = dir.appendingPathComponent(name).path
            let graphs = (try? Frontend.load(path: path).module.graphs.map(\.name.name)) ?? ["?"]
            return graphs.map { "\(name):\($0)" }
        }
    }

    /// Free symbols are 3; inputs are uniform in [-1, 1], except labels (fed to one_hot), which are valid classes.
    /// `entry`: "file.nng:graph" of `galleryGraphs`.
    init(_ entry: String, freeSize: Int = 3, seed: UInt64 = 7) throws {
        let parts = entry.split(separator: ":").map(String.init)
        try self.init(file: TestPython.packageRoot.appendingPathComponent("Graphs").appendingPathComponent(parts[0]).path,
                      graph: parts[1], freeSize: freeSize, seed: seed)
    }

    /// The graph `graph` of the .nng file at `file`.
    init(file: String, graph name: String, freeSize: Int = 3, seed: UInt64 = 7) throws {
        self.file = file
        graph = try Frontend.load(path: file).graph(named: name)
        var sizes: [String: Int] = [:]
        for symbol in graph.symbols where graph.sizes[symbol] == nil { sizes[symbol] = freeSize }
        self.sizes = sizes
        let bindings = graph.sizes.merging(sizes) { $1 }
        var inputs: [String: Tensor] = [:]
        var random = seed
        for (name, id) in graph.inputs {
            let shape = graph[id].type.shape.resolved(bindings).concrete!
            let classes = graph.nodes.first { $0.inputs.contains(id) && { if case .oneHot = $0.op { true } else { false } }($0) }
                .flatMap { if case .oneHot(let c) = $0.op { c } else { nil } }
            let values = (0..<shape.reduce(1, *)).map { _ -> Double in
                random = random &* 6364136223846793005 &+ 1442695040888963407
                let u = Double(random >> 11) / Double(1 << 53)
                return classes.map { Double(Int(u * Double($0))) } ?? (2 * u - 1)
            }
            inputs[name] = Tensor(shape: shape, values: values, dtype: graph.dtype)
        }
        self.inputs = inputs
        params = ParameterInitializer.initialValues(of: graph, seed: 0)
    }

    var name: String { URL(fileURLWithPath: file).lastPathComponent + ":" + graph.name }

    /// The outputs as `nngc eval` computes them (the default backend).
    func evaluate(_ graph: Graph? = nil) throws -> [(name: String, value: Tensor)] {
        try BackendKind.default.outputs(of: graph ?? self.graph, inputs: inputs, params: params, options: RunOptions(symbolSizes: sizes))
    }
}

/// A scratch folder for one test.
func temporaryDirectory(_ label: String) -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-\(label)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// `{"name": {"shape": [...], "values": [...]}}`, what the Python side reads and writes.
func tensorJSON(_ tensors: [String: Tensor]) -> String {
    let members = tensors.sorted { $0.key < $1.key }.map { name, t -> String in
        let values = t.doubles.map { $0.isFinite ? "\($0)" : "NaN" }.joined(separator: ",")
        return "\"\(name)\": {\"shape\": \(t.shape), \"values\": [\(values)]}"
    }
    return "{" + members.joined(separator: ", ") + "}"
}

func parseTensorJSON(_ text: String) throws -> [String: (shape: [Int], values: [Double])] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: [String: Any]]
    return object.mapValues { entry in
        ((entry["shape"] as! [NSNumber]).map(\.intValue), (entry["values"] as! [NSNumber]).map(\.doubleValue))
    }
}

/// The largest |a − b| / max(|b|, floor), the floor a small fraction of the tensor's scale so
/// values that cancel to almost zero do not dominate.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    let scale = b.map(Swift.abs).max() ?? 0
    let floor = max(scale * 1e-3, 1e-30)
    return zip(a, b).map { Swift.abs($0 - $1) / max(Swift.abs($1), floor) }.max() ?? 0
}
