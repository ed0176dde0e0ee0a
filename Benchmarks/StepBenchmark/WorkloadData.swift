import NNGCore
import NNGIR
import NNGRuntime

/// The data of a workload: the safetensors file's tensor for each graph input, converted once to
/// the graph's element type, and the rows of its consecutive batches of `batch` samples (the last
/// partial batch is dropped; steps cycle through the batches in order, as the peers do). Steps
/// copy a batch's rows straight into the compiled step's arena, as `nngc train` does.
struct WorkloadData {
    let columns: BatchColumns
    let batches: [[Int]]

    init(path: String, graph: Graph, batch: Int) {
        let file: Safetensors
        do { file = try Safetensors.read(path: path) } catch { fail("\(error)") }
        var tensors: [String: Tensor] = [:]
        for (name, _) in graph.inputs {
            guard let t = file.tensors[name] else { fail("\(path) has no tensor '\(name)' for the graph's input") }
            tensors[name] = t
        }
        let dataset: Dataset
        do { dataset = try Dataset(columns: tensors) } catch { fail("\(path): \(error)") }
        guard dataset.count >= batch else { fail("\(path) has \(dataset.count) samples, fewer than one batch of \(batch)") }
        columns = BatchColumns(dataset, inputs: graph.inputs.map(\.name), dtype: graph.dtype)
        batches = (0..<(dataset.count / batch)).map { k in Array(k * batch..<(k + 1) * batch) }
    }
}
