import Foundation
import NNGCore
import NNGIR
import NNGLang
import Testing

/// Generated C under valgrind's memcheck: `nngc eval G --backend c` for every graph of every
/// file in `Graphs/` (inputs fed from a generated JSON file, symbols of size 4), with the
/// gradients when `eval --grad` is available, and a few training steps of `nngc-bench --quick`
/// (the fused training step). Fails when valgrind is missing: `make test` installs it.
@Suite(.serialized) struct ValgrindTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// An executable built beside the test bundle (found by walking up from /proc/self/exe).
    static func builtExecutable(_ name: String) -> String? {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static var valgrind: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/valgrind"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    struct Run {
        var status: Int32
        var output: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-valgrind-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: out)
        return Run(status: p.terminationStatus, output: text)
    }

    static func memcheck(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try run(valgrind!, ["--tool=memcheck", "--error-exitcode=99", "--smc-check=all-non-file", "-q"] + arguments,
                environment: environment)
    }

    /// Nested JSON arrays of `shape` with deterministic values in [-1, 1] (0 for labels).
    static func json(_ shape: [Int], key: UInt64, labels: Bool) -> String {
        var index: UInt64 = 0
        func build(_ dims: ArraySlice<Int>) -> String {
            guard let n = dims.first else {
                defer { index += 1 }
                if labels { return "0" }
                let v = CounterRandom.uniform(seed: 1, step: 0, stream: key, index: index) * 2 - 1
                return String(format: "%.6f", v)
            }
            return "[" + (0..<n).map { _ in build(dims.dropFirst()) }.joined(separator: ", ") + "]"
        }
        return build(shape[...])
    }

    /// Every (file, graph) in Graphs/.
    static func graphs() throws -> [(file: String, graph: Graph)] {
        let dir = packageRoot.appendingPathComponent("Graphs")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".nng") }.sorted()
        var out: [(String, Graph)] = []
        for f in files {
            let path = dir.appendingPathComponent(f).path
            let frontend = try Frontend.load(path: path)
            for decl in frontend.module.graphs {
                out.append((path, try frontend.graph(named: decl.name.name)))
            }
        }
        return out
    }

    @Test func generatedCodeIsCleanUnderMemcheck() throws {
        guard Self.valgrind != nil else {
            Issue.record("valgrind is not installed; `make test` installs it (scripts/install-deps.sh)")
            return
        }
        guard let nngc = Self.builtExecutable("nngc") else {
            Issue.record("the nngc executable was not found beside the test bundle")
            return
        }
        let graphs = try Self.graphs()
        #expect(graphs.count >= 2)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-valgrind-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (file, graph) in graphs {
            let sizes = Dictionary(uniqueKeysWithValues: graph.symbols.map { ($0, 4) })
            let labelInputs = Set(graph.nodes.compactMap { n -> NodeID? in
                if case .oneHot = n.op { return n.inputs[0] } else { return nil }
            })
            let entries = graph.inputs.map { name, id in
                let shape = graph.nodes[id].type.shape.resolved(sizes).concrete ?? []
                return "\"\(name)\": " + Self.json(shape, key: CounterRandom.key(name), labels: labelInputs.contains(id))
            }
            let feed = tmp.appendingPathComponent("\(graph.name).json")
            try Data(("{" + entries.joined(separator: ", ") + "}").utf8).write(to: feed)
            var base = ["eval", file, "--graph", graph.name, "--backend", "c", "--feed", feed.path]
            for (s, n) in sizes { base += ["--size", "\(s)=\(n)"] }
            let r = try Self.memcheck([nngc] + base)
            #expect(r.status == 0, "valgrind nngc \(base.joined(separator: " ")) exited \(r.status):\n\(r.output)")
            // With gradients, once `eval --grad` is available.
            if let loss = graph.outputs.first(where: { graph.nodes[$0.node].type.shape.isScalar })?.name,
               try Self.run(nngc, base + ["--grad", loss]).status == 0 {
                let g = try Self.memcheck([nngc] + base + ["--grad", loss])
                #expect(g.status == 0, "valgrind nngc \(base.joined(separator: " ")) --grad \(loss) exited \(g.status):\n\(g.output)")
            }
        }
    }

    @Test func trainingStepIsCleanUnderMemcheck() throws {
        guard Self.valgrind != nil else {
            Issue.record("valgrind is not installed; `make test` installs it (scripts/install-deps.sh)")
            return
        }
        guard let bench = Self.builtExecutable("nngc-bench") else {
            Issue.record("the nngc-bench executable was not found beside the test bundle")
            return
        }
        // f32 on the optimised tier (the system C compiler's shared object), f64 on TinyCC's code.
        // Valgrind cannot execute AVX-512 instructions, which -march=native emits on such CPUs.
        for (dtype, tier) in [("f32", "optimized"), ("f64", "tinycc")] {
            let r = try Self.memcheck([bench, "--quick", "--batch", "5", "--dtype", dtype, "--tier", tier],
                                      environment: ["NNGC_CC_FLAGS": "-mno-avx512f"])
            #expect(r.status == 0, "valgrind nngc-bench --quick exited \(r.status):\n\(r.output)")
        }
    }
}
