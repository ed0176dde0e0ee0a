import Foundation
import NNGCore
import NNGIR

/// How `nngc export --format c` writes its library.
public struct CLibraryOptions: Sendable {
    /// Prefix of every exported name (`<name>_create`, …); a C identifier.
    public var name = "model"
    /// GEMM through <cblas.h> (link with -lopenblas or another CBLAS), or a plain loop.
    public var blas = true
    /// The parameters are read from a safetensors file at create time instead of being embedded.
    public var paramsFile = false
    public init(name: String = "model", blas: Bool = true, paramsFile: Bool = false) {
        self.name = name
        self.blas = blas
        self.paramsFile = paramsFile
    }
}

/// A graph's forward computation as a standalone C99 library: `model.h` (the API, documented in
/// docs/interop.md) and `model.c` (the kernels of `CCodeGenerator` in its library style, the
/// arena, and the parameters embedded or loaded from safetensors). Every size is fixed at export.
public enum CLibraryExporter {
    public struct Library: Sendable {
        public var header: String
        public var source: String
    }

    /// The library for `graph` (its outputs are the ones exported) with every symbol bound by
    /// `sizes`; `params` gives the embedded values (unused with `paramsFile`).
    public static func export(_ graph: Graph, sizes: [String: Int], params: [String: Tensor],
                              options: CLibraryOptions = CLibraryOptions()) throws(CBackendError) -> Library {
        guard options.name.first.map({ $0.isLetter || $0 == "_" }) == true,
              options.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw CBackendError("'\(options.name)' is not a C identifier")
        }
        let unbound = graph.symbols.filter { sizes[$0] == nil && graph.sizes[$0] == nil }.sorted()
        guard unbound.isEmpty else {
            throw CBackendError("a C library has fixed sizes: give \(unbound.joined(separator: ", ")) with --size NAME=N")
        }
        let bound = graph.sizes.merging(sizes) { $1 }.filter { graph.symbols.contains($0.key) }
        let generator = try CCodeGenerator(graph: graph, sizes: bound, style: .library(blas: options.blas))
        try generator.prepare()
        var kernels = CWriter()
        kernels.line(generator.prelude())
        _ = generator.emitDefinitions(&kernels, forward: "static int nngc_forward")
        let api = CLibraryAPI(graph: graph, layout: generator.layout, sizes: graph.sizes.merging(sizes) { $1 }, options: options)
        return Library(header: api.header(), source: try api.source(kernels: kernels.text, params: params))
    }
}
