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

    @Option(name: .long, help: ArgumentHelp("Evaluate over the samples of a data source, written as in a train block: 'ising(L = 16)'.", valueName: "SOURCE"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("With --data: group the samples by this column and summarise each group.", valueName: "COLUMN"))
    var by: String?

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("With --by: where the group means of OUT cross LEVEL (default 0.5), by linear interpolation.", valueName: "OUT[=LEVEL]"))
    var crossing: [String] = []

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("With --by: write an SVG of every sample's OUT against the column, with the group means.", valueName: "OUT=FILE.svg"))
    var plot: [String] = []

    @Option(name: .long, help: ArgumentHelp("With --data: write every sample's values (the --by column, then each output with one value per sample) to FILE.csv or FILE.npy.", valueName: "FILE"))
    var samples: String?

    func validate() throws {
        if wrt != nil, grad == nil { throw ValidationError("--wrt needs --grad OUT") }
        if data == nil, by != nil { throw ValidationError("--by needs --data SOURCE") }
        if by == nil, !crossing.isEmpty { throw ValidationError("--crossing needs --by COLUMN") }
        if by == nil, !plot.isEmpty { throw ValidationError("--plot needs --by COLUMN") }
        if data == nil, samples != nil { throw ValidationError("--samples needs --data SOURCE") }
        if let samples, !samples.hasSuffix(".csv"), !samples.hasSuffix(".npy") {
            throw ValidationError("--samples writes a .csv or a .npy file, got '\(samples)'")
        }
        if data != nil, grad != nil { throw ValidationError("--grad cannot be combined with --data") }
        if data != nil, feed != nil { throw ValidationError("--feed cannot be combined with --data (the data binds the inputs)") }
        _ = try crossingLevels()
        _ = try plotFiles()
    }

    /// `p=0.5` or `p` (level 0.5) of each `--crossing`.
    func crossingLevels() throws -> [(output: String, level: Double)] {
        try crossing.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parts[0].isEmpty else { throw ValidationError("--crossing expects OUT or OUT=LEVEL, got '\(entry)'") }
            guard parts.count == 2 else { return (parts[0], 0.5) }
            guard let level = Double(parts[1]), level.isFinite else {
                throw ValidationError("--crossing expects OUT=LEVEL with LEVEL a number, got '\(entry)'")
            }
            return (parts[0], level)
        }
    }

    /// `p=p.svg` of each `--plot`.
    func plotFiles() throws -> [(output: String, path: String)] {
        try plot.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--plot expects OUT=FILE.svg, got '\(entry)'")
            }
            return (parts[0], parts[1])
        }
    }

    func run() throws {
        runOptions.applyTier()
        let (frontend, forward) = try options.loadGraph(sizes: try dataSizes())
        if let data { return try evaluateOverData(data, frontend: frontend, graph: forward) }
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
        let options = RunOptions(seed: runOptions.seed, symbolSizes: try runOptions.symbolSizes())
        let params = ParameterInitializer.initialValues(of: graph, seed: runOptions.seed).merging(feeds.params) { $1 }
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
