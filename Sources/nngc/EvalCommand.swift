import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGRuntime

/// `nngc eval FILE`: feed inputs, run the graph, print every output.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a graph's outputs for given inputs."
    )

    @OptionGroup var options: GraphOptions
    @OptionGroup var runOptions: RunOptionsGroup

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Feed an input or replace a param: x=2, x=[[1,2],[3,4]].", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @Option(name: .long, help: ArgumentHelp("A JSON object of nested arrays by name.", valueName: "F.json"))
    var feed: String?

    @Option(name: .long, help: ArgumentHelp("Parameter values from a safetensors file.", valueName: "P.safetensors"))
    var params: String?

    @Option(name: .long, help: ArgumentHelp("Also print the gradient of this scalar output.", valueName: "OUT"))
    var grad: String?

    @Option(name: .long, help: ArgumentHelp("With --grad: the names to differentiate with respect to.", valueName: "N,…"))
    var wrt: String?

    func validate() throws {
        if wrt != nil, grad == nil { throw ValidationError("--wrt needs --grad OUT") }
    }

    func run() throws {
        let (frontend, forward) = try options.loadGraph()
        // With --grad the gradient graph runs instead: the forward outputs, then one gradient per name.
        var graph = forward
        if let grad {
            do { graph = try gradientGraph(forward, of: grad, wrt: wrt.map(splitNames)) }
            catch { throw UserFailure(error, file: frontend.file) }
        }
        var feeds = FeedSet(graph: forward)
        do {
            if let params { try feeds.addParamsFile(params) }
            if let feed { try feeds.addFile(feed) }
            for assignment in assignments { try feeds.addAssignment(assignment) }
        } catch let error as FeedSet.Failure {
            throw UserFailure("error: \(error.message)")
        }
        let options = RunOptions(seed: (runOptions.seed ?? 0), symbolSizes: try runOptions.symbolSizes())
        let params = ParameterInitializer.initialValues(of: graph, seed: (runOptions.seed ?? 0)).merging(feeds.params) { $1 }
        let outputs: [(name: String, value: Tensor)]
        do {
            outputs = try runOptions.backend.outputs(of: graph, inputs: feeds.inputs, params: params, options: options)
        } catch {
            throw UserFailure(error, file: frontend.file)
        }
        let forwardCount = forward.outputs.count
        let gradients = zip(wrt.map(splitNames) ?? forward.params.map(\.name), outputs.dropFirst(forwardCount))
            .map { (name: $0, value: $1.value) }
        printOutputs(Array(outputs.prefix(forwardCount)), gradients: gradients)
    }

    /// `loss = 2.25` then `dloss/dw1 = -9`; or the contract's JSON object.
    private func printOutputs(_ outputs: [(name: String, value: Tensor)], gradients: [(name: String, value: Tensor)]) {
        switch options.format {
        case .text:
            for (name, value) in outputs { Terminal.out("\(name) = \(TensorFormatting.text(value))") }
            for (name, value) in gradients { Terminal.out("d\(grad!)/d\(name) = \(TensorFormatting.text(value))") }
        case .json:
            var members: [(String, JSONValue)] = [("outputs", .object(outputs.map { ($0.name, TensorFormatting.json($0.value)) }))]
            if let grad {
                let wrtValues = JSONValue.object(gradients.map { ($0.name, TensorFormatting.json($0.value)) })
                members.append(("grad", .object([("of", .string(grad)), ("wrt", wrtValues)])))
            }
            Terminal.out(JSONValue.object(members).serialized())
        }
    }
}

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
            try add(name: name, value: value.converted(to: graph.dtype))
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
