import ArgumentParser
import NNGCore
import NNGIR
import NNGRuntime

enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

extension BackendKind: ExpressibleByArgument {}
extension TierPolicy: ExpressibleByArgument {}

extension DType: ExpressibleByArgument {}

/// Options every subcommand that loads a graph shares, with `--format text|json`.
struct GraphOptions: ParsableArguments {
    @OptionGroup var source: GraphSourceOptions

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    var file: String { source.file }
    var graph: String? { source.graph }
    var dtype: DType? { source.dtype }
    var memory: MemoryOptions { source.memory }

    func loadGraph(sizes: [String: Int] = [:], defaultDType: DType? = nil) throws -> (Frontend, Graph) {
        try source.loadGraph(sizes: sizes, defaultDType: defaultDType)
    }
}

/// The graph to load: file, graph name, element type, memory budget (`nngc export` has a `--format` of its own).
struct GraphSourceOptions: ParsableArguments {
    @Argument(help: "The .nng file.")
    var file: String

    @Option(name: .long, help: "The graph to use (default: the only graph of the file).")
    var graph: String?

    @Option(name: .long, help: "Re-type the whole graph: f32 or f64 (gradcheck checks in f64 unless told).")
    var dtype: DType?

    @OptionGroup var memory: MemoryOptions

    /// Loads, parses and checks the graph, or throws the rendered diagnostics. `sizes` (`--size`)
    /// are bound before checking, over those the file's data sources bind.
    func loadGraph(sizes: [String: Int] = [:], defaultDType: DType? = nil) throws -> (Frontend, Graph) {
        memory.apply()
        let frontend: Frontend
        do { frontend = try Frontend.load(path: file) } catch { throw UserFailure(error, file: nil) }
        do { return (frontend, try frontend.graph(named: graph, dtype: dtype ?? defaultDType, sizes: sizes)) }
        catch { throw UserFailure(error, file: frontend.file) }
    }
}

/// `--max-memory SIZE`: the budget of MemoryBudget for this process.
struct MemoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The most memory one value, arena or data set may take: bytes, or a number with K, M, G or T (default: half the physical memory).", valueName: "SIZE"))
    var maxMemory: String?

    func validate() throws {
        if let maxMemory, MemoryBudget.parse(maxMemory) == nil {
            throw ValidationError("--max-memory expects a positive size such as 512M or 8G, got '\(maxMemory)'")
        }
    }

    func apply() {
        if let bytes = maxMemory.flatMap(MemoryBudget.parse) { MemoryBudget.bytes = bytes }
    }
}

/// `--size SYM=N`, repeatable: sizes of symbols fixed before checking.
struct SizeOptions: ParsableArguments {
    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("A size symbol's value, fixed before checking (e.g. L=32; it also sets the L of ising sources; generated C binds a symbol no input binds to 1).", valueName: "SYM=N"))
    var size: [String] = []

    func validate() throws { _ = try symbolSizes() }

    /// The `SYM=N` entries as a dictionary.
    func symbolSizes() throws -> [String: Int] {
        var sizes: [String: Int] = [:]
        for entry in size {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let n = Int(parts[1]), n > 0, !parts[0].isEmpty else {
                throw ValidationError("--size expects SYM=N with N a positive integer, got '\(entry)'")
            }
            sizes[parts[0]] = n
        }
        return sizes
    }
}

/// Options of the commands that run a graph.
struct RunOptionsGroup: ParsableArguments {
    @Option(name: .long, help: "Backend: c (generated C compiled in-process with TinyCC, the default) or interp (the Swift interpreter).")
    var backend: BackendKind = .default

    @Option(name: .long, help: "Compiled code of the c backend: auto (TinyCC at once, then the system C compiler's optimised code, swapped in when ready and cached; the default, or NNGC_TIER), tinycc, or optimized (wait for it).")
    var tier: TierPolicy?

    /// Makes `--tier` the choice of every compiled graph and training step of this process.
    func applyTier() {
        if let tier { TierOptions.processDefault.policy = tier }
    }

    @Option(name: .customLong("seed"), help: "Seed for random initialisation and random operations (default 0; train: the block's seed).")
    var seedOption: UInt64?

    /// `--seed`, or 0 when not given.
    var seed: UInt64 { seedOption ?? 0 }

    @OptionGroup var sizes: SizeOptions

    func symbolSizes() throws -> [String: Int] { try sizes.symbolSizes() }
}

