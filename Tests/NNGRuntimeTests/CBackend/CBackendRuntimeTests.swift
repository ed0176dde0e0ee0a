import Foundation
import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Run-time checks, errors, arena planning, caching and hygiene of the generated C.
@Suite struct CBackendRuntimeTests {
    private func messages(_ body: () throws(DiagnosticsError) -> Void) -> [String] {
        do {
            try body()
            return []
        } catch {
            return error.diagnostics.map(\.message)
        }
    }

    /// `CompiledGraph.outputs` reuses its module's arena and copies a parameter in only when its
    /// storage changed: repeated calls with other inputs, new parameter values (a new array or one
    /// changed in place), and the same values again all give the interpreter's results.
    @Test(arguments: DType.allCases)
    func reusedArenaFollowsInputsAndParams(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [4, 3])
        let w = g.param("W", [3, 2])
        let b = g.param("b", [2])
        let h = g.op(.matmul, [x, w], [4, 2])
        g.output(g.op(.unary(.relu), [g.op(.binary(.add), [h, b], [4, 2])], [4, 2]))
        g.output(g.op(.maxPoolGrad(size: 2, stride: 2), [g.op(.reshape([1, 1, 4, 2]), [h], [1, 1, 4, 2]),
                                                         g.constant([1, 2], [1, 1, 2, 1])], [1, 1, 4, 2]))
        let compiled = CompiledGraph(graph: g.graph)
        let interp = Interpreter(graph: g.graph)
        var params = g.params
        var feeds = g.feeds
        func check() throws {
            let r = try interp.outputs(inputs: feeds, params: params, options: RunOptions())
            let c = try compiled.outputs(inputs: feeds, params: params)
            for (a, e) in zip(c, r) {
                let scale = max(1, e.value.doubles.map(abs).max() ?? 1)
                for (u, v) in zip(a.value.doubles, e.value.doubles) {
                    #expect(abs(u - v) <= backendTolerance(dtype) * scale, "\(a.name): C \(u) vs interp \(v)")
                }
            }
        }
        try check()
        feeds["x"] = Tensor(shape: [4, 3], values: (0..<12).map { Double($0) - 5 }, dtype: dtype)
        try check()
        params["W"] = Tensor(shape: [3, 2], values: [1, -2, 3, -4, 5, -6], dtype: dtype)
        try check()
        switch params["b"]!.storage {   // changed in place: copy on write gives a new buffer
        case .f32(var a): a[0] += 10; params["b"]!.storage = .f32(a)
        case .f64(var a): a[0] += 10; params["b"]!.storage = .f64(a)
        }
        try check()
        params["W"]!.storage = params["W"]!.storage   // the same buffer again
        try check()
    }

    @Test func shapeErrorsMatchTheInterpreter() throws {
        var g = CGraph(.f32)
        let x = g.input("x", ["B", 2], feed: [4, 2])
        let y = g.input("y", ["B", 1], feed: [4, 1])
        g.output(g.op(.binary(.add), [x, y], ["B", 2]))
        let compiled = CompiledGraph(graph: g.graph)
        let interp = Interpreter(graph: g.graph)
        let cases: [[String: Tensor]] = [
            ["x": .zeros([4, 3], dtype: .f32), "y": .zeros([4, 1], dtype: .f32)],   // wrong dim
            ["x": .zeros([4, 2], dtype: .f32), "y": .zeros([3, 1], dtype: .f32)],   // symbol conflict
            ["x": .zeros([4, 2], dtype: .f32)],                                     // missing input
            ["x": .zeros([4, 2, 1], dtype: .f32), "y": .zeros([4, 1], dtype: .f32)], // wrong rank
        ]
        for feeds in cases {
            let c = messages { () throws(DiagnosticsError) in _ = try compiled.outputs(inputs: feeds, params: [:]) }
            let i = messages { () throws(DiagnosticsError) in _ = try interp.outputs(inputs: feeds, params: [:], options: RunOptions()) }
            #expect(!c.isEmpty)
            #expect(c == i)
        }
        let first = messages { () throws(DiagnosticsError) in
            _ = try compiled.outputs(inputs: cases[0], params: [:])
        }
        #expect(first == ["input 'x' expects f32[B, 2], got shape [4, 3]"])
    }

    @Test(arguments: DType.allCases)
    func oneHotLabelErrorsPointAtTheNode(_ dtype: DType) throws {
        let text = "graph g {\n  labels = ...\n  h = one_hot(labels, classes = 5)\n}\n"
        let file = SourceFile(path: "g.nng", text: text)
        let start = text.range(of: "one_hot")!.lowerBound.utf16Offset(in: text)
        var g = CGraph(dtype)
        g.graph.file = file
        let l = g.input("labels", [3], values: [1, 7, 2])
        let range = SourceRange(start: start, end: start + 7)
        g.output(g.op(.oneHot(classes: 5), [l], [3, 5], range: range))
        let compiled = CompiledGraph(graph: g.graph)
        do {
            _ = try compiled.outputs(inputs: g.feeds, params: [:])
            Issue.record("expected a one_hot error")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["one_hot label 7 is outside [0, 5)"])
            #expect(error.diagnostics.first?.range == range)
            #expect(error.diagnostics.first?.position(in: file)?.line == 3)
        }
        let half = ["labels": Tensor(shape: [3], values: [1, 2.5, 0], dtype: dtype)]
        let c = messages { () throws(DiagnosticsError) in _ = try compiled.outputs(inputs: half, params: [:]) }
        let i = messages { () throws(DiagnosticsError) in
            _ = try Interpreter(graph: g.graph).outputs(inputs: half, params: [:], options: RunOptions())
        }
        #expect(c == i)
        #expect(c == ["one_hot label 2.5 is not a whole number in [0, 5)"])
        // A good run afterwards works (no state left behind).
        let ok = try compiled.outputs(inputs: ["labels": Tensor(shape: [3], values: [4, 0, 1], dtype: dtype)], params: [:])
        #expect(ok[0].value.doubles == [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0])
    }

    @Test func arenaIsSmallerThanOneBufferPerNode() throws {
        let g = CBackendDifferentialTests.mlp(.f64, depth: 12, width: 32, batch: 16)
        let program = try CompiledGraph.program(for: g.graph, sizes: ["B": 16])
        let layout = program.layout
        #expect(layout.totalElements < layout.unplannedElements)
        // The intermediates of 12 layers reuse a handful of [16, 32] buffers.
        #expect(layout.plannedElements <= 4 * 16 * 32)
        // Fixed slots: inputs, then params, then outputs, disjoint.
        let slots = layout.inputs + layout.params + layout.outputs
        for (i, a) in slots.enumerated() {
            for b in slots[(i + 1)...] {
                #expect(a.offset + a.count <= b.offset || b.offset + b.count <= a.offset)
            }
        }
        #expect(layout.inputs.map(\.name) == ["x", "y"])
        #expect(layout.params.count == 24)
        try expectBackendsAgree(g)
    }

    @Test func cacheReturnsTheSameModule() throws {
        let g = CBackendDifferentialTests.mlp(.f32, depth: 2, width: 8)
        let a = try CompiledGraph(graph: g.graph).module(sizes: ["B": 8])
        let b = try CompiledGraph(graph: g.graph).module(sizes: ["B": 8])
        #expect(a === b)
        let c = try CompiledGraph(graph: g.graph).module(sizes: ["B": 9])
        #expect(a !== c)
        let g64 = CBackendDifferentialTests.mlp(.f64, depth: 2, width: 8)
        let d = try CompiledGraph(graph: g64.graph).module(sizes: ["B": 8])
        #expect(a !== d)
    }

    @Test func generatedCContainsNoUserIdentifier() throws {
        var g = CGraph(.f64, name: "int */ main")
        let nasty = ["*/ int", "return", "x/*", "while", "ar", "n0", "\u{1}\n#define"]
        let x = g.input(nasty[0], [2])
        let w = g.param(nasty[1], [2])
        let s = g.op(.binary(.multiply), [x, w], [2], name: nasty[2])
        let r = g.op(.unary(.exp), [s], [2], name: nasty[3])
        g.output(r, nasty[4])
        g.output(s, nasty[5])
        g.output(x, nasty[6])
        let source = try CompiledGraph.cSource(for: g.graph, sizes: [:])
        // ("return", "ar" and "n0" are also words of the generated code itself, and so is `#define`
        // in the prelude's macros: the control character shows whether the sixth name got in.)
        for n in ["*/ int", "x/*", "while", "\u{1}", "int */ main"] {
            #expect(!source.contains(n), "\(n) appears in the C source")
        }
        try expectBackendsAgree(g)
    }

    @Test func compileTimeOfASmallMLP() throws {
        // Distinct width so that the cache does not answer.
        let g = CBackendDifferentialTests.mlp(.f32, depth: 3, width: 13)
        let start = Date()
        let module = try CompiledGraph(graph: g.graph).module(sizes: ["B": 8])
        let total = Date().timeIntervalSince(start)
        print("C backend: small MLP: \(module.program.kernelCount) kernels, \(module.program.source.count) bytes of C, "
            + "tcc \(String(format: "%.2f", module.compileSeconds * 1000)) ms, generate+compile \(String(format: "%.2f", total * 1000)) ms")
        #expect(module.compileSeconds < 1)
    }
}
