import Foundation
import NNGCore
import NNGIR
import NNGRuntime

/// `a,b, c` → ["a", "b", "c"].
func splitNames(_ list: String) -> [String] {
    list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Values given with `--set` and `--feed`, sorted into inputs and params.
struct FeedSet {
    struct Failure: Error { var message: String }

    let graph: Graph
    private(set) var inputs: [String: Tensor] = [:]
    private(set) var params: [String: Tensor] = [:]

    init(graph: Graph) { self.graph = graph }

    mutating func addAssignment(_ text: String) throws {
        guard let eq = text.firstIndex(of: "=") else {
            throw Failure(message: "--set expects NAME=VALUE, got '\(text)'")
        }
        let name = text[..<eq].trimmingCharacters(in: .whitespaces)
        let valueText = String(text[text.index(after: eq)...])
        do { try add(name: name, value: try FeedValues.tensor(from: valueText, dtype: graph.dtype)) }
        catch let error as FeedValues.ParseError { throw Failure(message: "--set \(name): \(error.description)") }
        catch let failure as Failure { throw Failure(message: "--set \(name): \(failure.message)") }
    }

    mutating func addFile(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "cannot read feed file '\(path)'")
        }
        do {
            let values = try FeedValues.tensors(fromJSONObject: String(decoding: data, as: UTF8.self), dtype: graph.dtype)
            for (name, value) in values { try add(name: name, value: value) }
        } catch let error as FeedValues.ParseError {
            throw Failure(message: "\(path): \(error.description)")
        } catch let failure as Failure {
            throw Failure(message: "\(path): \(failure.message)")
        }
    }

    /// Parameters from `params.safetensors` (or a `checkpoint.safetensors`, whose parameters
    /// are stored as `param/NAME`). Tensors that name no param of the graph are an error.
    mutating func addParamsFile(_ path: String) throws {
        let file: Safetensors
        do { file = try Safetensors.read(path: path) } catch { throw Failure(message: "\(error)") }
        let isCheckpoint = file.metadata["format"] == RunFolder.checkpointFormat
        for (key, value) in file.tensors.sorted(by: { $0.key < $1.key }) {
            guard !isCheckpoint || key.hasPrefix("param/") else { continue }
            let name = isCheckpoint ? String(key.dropFirst(6)) : key
            guard graph.params.contains(where: { $0.name == name }) else {
                let hint = closestName(to: name, among: graph.params.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw Failure(message: "\(path): '\(name)' is not a param of graph '\(graph.name)'\(hint)")
            }
            do { try add(name: name, value: value.converted(to: graph.dtype)) }
            catch let failure as Failure { throw Failure(message: "\(path): \(failure.message)") }
        }
    }

    private mutating func add(name: String, value: Tensor) throws {
        if graph.inputs.contains(where: { $0.name == name }) {
            inputs[name] = value
        } else if let param = graph.params.first(where: { $0.name == name }) {
            let declared = graph[param.node].type
            guard declared.shape.concrete == value.shape else {
                throw Failure(message: "param '\(name)' is \(declared), but the value given has shape \(value.shape)")
            }
            params[name] = value
        } else {
            let known = graph.inputs.map(\.name) + graph.params.map(\.name)
            let hint = closestName(to: name, among: known).map { "; did you mean '\($0)'?" } ?? ""
            throw Failure(message: "graph '\(graph.name)' has no input or param '\(name)'\(hint)")
        }
    }
}
