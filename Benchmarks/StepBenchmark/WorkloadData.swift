import NNGCore
import NNGIR
import NNGRuntime

/// The batches of a workload: the safetensors file's tensor for each graph input, converted to
/// the graph's element type and cut into consecutive batches of `batch` samples (the last
/// partial batch is dropped; steps cycle through the batches in order, as the peers do).
func workloadBatches(path: String, graph: Graph, batch: Int) -> [[String: Tensor]] {
    let file: Safetensors
    do { file = try Safetensors.read(path: path) } catch { fail("\(error)") }
    var columns: [String: Tensor] = [:]
    for (name, _) in graph.inputs {
        guard let t = file.tensors[name] else { fail("\(path) has no tensor '\(name)' for the graph's input") }
        columns[name] = t
    }
    let dataset: Dataset
    do { dataset = try Dataset(columns: columns).converted(to: graph.dtype) } catch { fail("\(path): \(error)") }
    guard dataset.count >= batch else { fail("\(path) has \(dataset.count) samples, fewer than one batch of \(batch)") }
    return (0..<(dataset.count / batch)).map { k in
        dataset.gather(Array(k * batch..<(k + 1) * batch)).columns
    }
}
