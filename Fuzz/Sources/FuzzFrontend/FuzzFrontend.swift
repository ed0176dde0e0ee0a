import NNGCore
import NNGIR
import NNGLang
import FuzzSupport

// The front end on arbitrary text: parse → check → lower every graph → print → reparse. The
// checker must never crash, and every graph it accepts must print to text that lowers again to
// a graph that prints identically (the printer and the parser agree).

/// The executable's entry point (see `runFuzzer`).
@_cdecl("fuzz_frontend_main")
public func fuzzFrontendMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzFrontend(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontend(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (module, parseErrors) = parse(SourceFile(path: "fuzz.nng", text: text))
    _ = checkModule(module)
    guard parseErrors.isEmpty else { return 0 }
    for decl in module.graphs {
        guard let graph = lowerGraph(module, graphName: decl.name.name).graph else { continue }
        let printed = printGraph(graph)
        let (again, errors) = parse(SourceFile(path: "printed.nng", text: printed))
        guard errors.isEmpty, let reparsed = lowerGraph(again).graph else {
            fatalError("a printed graph does not check again:\n\(printed)\n\(errors)")
        }
        let reprinted = printGraph(reparsed)
        guard reprinted == printed else {
            fatalError("print → parse → print changed the text:\n\(printed)\n---\n\(reprinted)")
        }
    }
    return 0
}
