import Foundation
import NNGCore
import NNGIR
import NNGRuntime

/// An exported C library built with a system compiler and run by a small C program written for
/// the test: the program feeds fixed inputs (exact hexadecimal literals) and prints each output.
struct CLibraryBuild {
    static let strictC = ["gcc", "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1"]
    static let strictCXX = ["g++", "-std=c++17", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O1", "-x", "c++"]

    struct Failure: Error, CustomStringConvertible { var description: String }

    struct Result {
        var status: Int32
        var output: String
    }

    let dir: URL
    let library: CLibraryExporter.Library
    let options: CLibraryOptions

    /// Exports `graph` (its outputs) into a fresh folder with a test program feeding `inputs`.
    init(_ graph: Graph, sizes: [String: Int], params: [String: Tensor], inputs: [String: Tensor],
         options: CLibraryOptions = CLibraryOptions(), label: String) throws {
        dir = temporaryDirectory(label)
        library = try CLibraryExporter.export(graph, sizes: sizes, params: params, options: options)
        self.options = options
        try Data(library.header.utf8).write(to: dir.appendingPathComponent("\(options.name).h"))
        try Data(library.source.utf8).write(to: dir.appendingPathComponent("\(options.name).c"))
        try Data(Self.program(name: options.name, graph: graph, inputs: inputs, paramsFile: options.paramsFile).utf8)
            .write(to: dir.appendingPathComponent("main.c"))
    }

    /// main.c: creates the model (from argv[1] with --params-file), runs it once, prints
    /// `name` then one value a line (%.17g) per output; exit status 2 / 3 when create / run fail.
    static func program(name: String, graph: Graph, inputs: [String: Tensor], paramsFile: Bool) -> String {
        let T = graph.dtype == .f32 ? "float" : "double"
        var lines = ["#include <stdio.h>", "#include \"\(name).h\"", ""]
        for (k, input) in graph.inputs.enumerated() {
            let values = inputs[input.name]!.doubles.map { String(format: "%a", $0) }
            lines.append("static const \(T) in\(k)[\(max(1, values.count))] = { \(values.isEmpty ? "0" : values.joined(separator: ", ")) };")
        }
        for k in graph.outputs.indices {
            lines.append("static \(T) out\(k)[\(name.uppercased())_OUT_\(cIdentifier(graph.outputs[k].name).uppercased())_SIZE];")
        }
        lines.append("int main(int argc, char** argv) {")
        lines.append("  long i;")
        lines.append("  int rc;")
        lines.append(paramsFile ? "  \(name)* m = \(name)_create(argc > 1 ? argv[1] : NULL);" : "  \(name)* m = \(name)_create();")
        if !paramsFile { lines.append("  (void)argc; (void)argv;") }
        lines.append("  if (m == NULL) return 2;")
        let args = graph.inputs.indices.map { "in\($0)" } + graph.outputs.indices.map { "out\($0)" }
        lines.append("  rc = \(name)_run(m" + args.map { ", " + $0 }.joined() + ");")
        lines.append("  if (rc != 0) { printf(\"rc %d\\n\", rc); \(name)_free(m); return 3; }")
        for k in graph.outputs.indices {
            lines.append("  printf(\"%s\\n\", \(name)_output_name(\(k)));")
            lines.append("  for (i = 0; i < \(name)_output_size(\(k)); i++) printf(\"%.17g\\n\", (double)out\(k)[i]);")
        }
        lines.append("  \(name)_free(m);")
        lines.append("  return 0;")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func cIdentifier(_ s: String) -> String {
        String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// Compiles model.c and main.c with `compiler` (strictC or strictCXX) into `executable`.
    func compile(_ compiler: [String], executable: String) throws -> String {
        let exe = dir.appendingPathComponent(executable).path
        let sources = [dir.appendingPathComponent("\(options.name).c").path, dir.appendingPathComponent("main.c").path]
        let libraries = (compiler.contains("c++") ? ["-x", "none"] : []) + (options.blas ? ["-lopenblas"] : []) + ["-lm"]
        let r = try Self.run(compiler + ["-I", dir.path] + sources + ["-o", exe] + libraries)
        guard r.status == 0 else { throw Failure(description: "\(compiler[0]) failed:\n\(r.output)") }
        return exe
    }

    /// The outputs an executable printed, by name.
    static func parse(_ text: String) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        var current: String?
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
            if let v = Double(line), let current {
                out[current, default: []].append(v)
            } else if line == "nan" || line == "-nan", let current {
                out[current, default: []].append(.nan)
            } else {
                current = line
                out[line] = []
            }
        }
        return out
    }

    /// Runs a program found in PATH (or at a path); standard output and error together.
    static func run(_ command: [String], prefix: [String] = []) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = prefix + command
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-clib-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: out)
        return Result(status: p.terminationStatus, output: text)
    }

    /// Runs an executable built here and returns its outputs by name.
    static func outputs(of executable: String, arguments: [String] = [], under tool: [String] = []) throws -> [String: [Double]] {
        let r = try run(tool + [executable] + arguments)
        guard r.status == 0 else { throw Failure(description: "\(executable) exited with \(r.status):\n\(r.output)") }
        return parse(r.output)
    }
}
