import NNGCore
import NNGIR
import NNGLang
import NNGTestSupport
import Testing

func lowerOK(_ source: String, dtype: DType? = nil) throws -> Graph {
    let r = lowerSource(source, dtype: dtype)
    guard let g = r.graph else { throw DiagnosticsError(r.diagnostics) }
    return g
}

func countOps(_ g: Graph, _ name: String) -> Int { g.nodes.filter { $0.op.sourceName == name }.count }

@Suite struct AutodiffTests {
    let chain = ContractExamples.chain

    @Test func chainGradientGraphPrintsReadably() throws {
        let gg = try gradientGraph(try lowerOK(chain), of: "loss", wrt: nil)
        let text = printGraph(gg)
        #expect(text.contains("dloss_dw1: f64[] = "))
        #expect(text.contains("dloss_dw2: f64[] = "))
        #expect(text.contains("output loss, dloss_dw1, dloss_dw2"))
        #expect(text.contains("step(z)"))
        // Simplified: no multiplications by one, no additions of zero.
        #expect(!text.contains("* 1\n") && !text.contains("+ 0\n"))
        #expect(gg.nodes.count <= 18)
        // Reparses to the same structure (the constant 2, used twice, is written inline at
        // both uses and so becomes one node per use).
        let again = try lowerOK(text)
        #expect(again.nodes.count == gg.nodes.count + 1)
        #expect(printGraph(again) == text)
    }

    @Test func onlyNeededNodesAreCreated() throws {
        var g = try lowerOK(chain)
        let before = g.nodes.count
        let w2 = g.node(named: "w2")!
        _ = try differentiate(&g, output: g.output(named: "loss")!, wrt: [w2])
        // No step(z): the gradient to w2 does not go through relu.
        #expect(!g.nodes[before...].contains { $0.op == .unary(.step) })
    }

    @Test func unrelatedWrtGivesZerosOfItsShape() throws {
        var g = try lowerOK("graph g {\n input x: f32[B, 3]\n input u: f32[2, 4]\n loss = sum(x)\n output loss\n}")
        let r = try differentiate(&g, output: g.output(named: "loss")!, wrt: [g.node(named: "u")!])
        #expect(g.nodes[r[0]].type == TensorType(.f32, Shape([2, 4])))
        #expect(g.nodes[r[0]].op == .broadcast([2, 4]))
    }

    @Test func nonScalarOutputIsAnError() throws {
        var g = try lowerOK("graph g {\n input x: f32[B, 1]\n y = x * x\n output y\n}")
        #expect(throws: DiagnosticsError.self) {
            _ = try differentiate(&g, output: g.output(named: "y")!, wrt: [0])
        }
    }

    @Test func accuracyInAGradientPathIsADiagnostic() throws {
        let source = """
        graph g {
          input x: f32[B, 1]
          param w: f32[1] = 0.5
          p = sigmoid(x * w)
          acc = accuracy(p, x)
          d = grad(acc, w)
          output d
        }
        """
        let e = errors(source)
        #expect(e == [Located("accuracy is not differentiable", 5, 9)])
        // Through the API too.
        let g = try lowerOK(source.replacingOccurrences(of: "  d = grad(acc, w)\n  output d", with: "  output acc"))
        do {
            _ = try gradientGraph(g, of: "acc", wrt: nil)
            Issue.record("expected a diagnostic")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["accuracy is not differentiable"])
            #expect(!error.diagnostics[0].range.isNone)
        }
        // Not on the gradient's path: fine.
        _ = try gradientGraph(try lowerOK(xorSource), of: "loss", wrt: nil)
    }

    @Test func gradErrors() throws {
        #expect(errors("graph g {\n input x: f32[]\n y = grad(x * x, 2)\n output y\n}").map(\.message)
                == ["the second argument of grad must be a name"])
        #expect(errors("graph g {\n input x: f32[]\n y = grad(x * x, q)\n output y\n}").map(\.message).first?.hasPrefix("unknown name 'q'") == true)
    }

    @Test func gradInsideFnAndNested() throws {
        let g = try lowerOK("""
        fn d2(x) {
          y = x ^ 4
          return grad(sum(grad(sum(y), x)), x)
        }
        graph g {
          input x: f64[3]
          s = sum(x ^ 3)
          gx = grad(s, x)
          h = d2(x)
          output gx, h
        }
        """)
        #expect(g.nodes[g.output(named: "gx")!].type.shape == Shape([3]))
        let text = printGraph(g)
        #expect(try printGraph(lowerOK(text)) == text)
    }

    @Test func gradientOpsRoundTrip() throws {
        let source = """
        graph g {
          input x: f64[2, 3, 6, 6]
          input k: f64[4, 3, 3, 3]
          input q: f64[2, 4, 3, 3]
          input p: f64[2, 3, 3, 3]
          a: f64[2, 3, 6, 6] = conv2d_grad_input(q, k, stride = 2, padding = 1, size = [6, 6])
          b: f64[4, 3, 3, 3] = conv2d_grad_weight(x, q, stride = 2, padding = 1, size = [3, 3])
          c: f64[2, 3, 6, 6] = maxpool2d_grad(x, p, size = 2, stride = 2)
          d: f64[2, 3, 3, 3] = maxpool2d_select(x, x, size = 2)
          e: f64[2, 3, 6, 6] = avgpool2d_grad(p, size = 2, stride = 2, shape = [6, 6])
          f: f64[2, 3, 6, 6] = argmax_mask(x, axes = [2, 3])
          r: f64[2, 3, 6, 6] = erf(x)
          loss = sum(a) + sum(b) + sum(c) + sum(d) + sum(e) + sum(f) + sum(r)
          output loss
        }
        """
        let g = try lowerOK(source)
        let text = printGraph(g)
        #expect(try printGraph(lowerOK(text)) == text)
        #expect(countOps(g, "conv2d_grad_input") == 1 && countOps(g, "argmax_mask") == 1)
        // And they are differentiable.
        let gg = try gradientGraph(g, of: "loss", wrt: ["x", "k", "q", "p"])
        #expect(try printGraph(lowerOK(printGraph(gg))) == printGraph(gg))
    }

    @Test func dropoutGradientKeepsItsStreamThroughPrinting() throws {
        let g = try lowerOK("graph g {\n input x: f64[4]\n y = dropout(x * x, p = 0.25)\n z = dropout(y, p = 0.5)\n loss = sum(z)\n output loss\n}")
        let gg = try gradientGraph(g, of: "loss", wrt: ["x"])
        let text = printGraph(gg)
        #expect(text.contains("stream = "))
        let again = try lowerOK(text)
        let streams = { (g: Graph) in g.nodes.compactMap { n -> UInt64? in if case .dropout(_, let s) = n.op { return s } else { return nil } } }
        #expect(streams(again) == streams(gg))
        #expect(Set(streams(gg)).count == 2)
    }

    @Test func stopGradientIsZero() throws {
        var g = try lowerOK("graph g {\n input x: f64[3]\n loss = sum(stop_gradient(x) * 2)\n output loss\n}")
        let r = try differentiate(&g, output: g.output(named: "loss")!, wrt: [g.node(named: "x")!])
        #expect(g.nodes[r[0]].op == .broadcast([3]))
    }
}

@Suite struct SimplifyTests {
    @Test func identitiesAndFolding() throws {
        let g = try lowerOK("""
        graph g {
          input x: f64[B, 3]
          input s: f64[]
          a = x * 1 + 0
          b = 1 * (x - 0) / 1
          c = -(-a) + b * (2 - 2)
          d = s * (2 * 3)
          e = x * broadcast(0, [B, 3])
          f = s + x * 0
          out = c + d + e + sum(f)
          output out
        }
        """)
        let s = simplify(g)
        let text = printGraph(s)
        #expect(!text.contains("* 1") && !text.contains("+ 0") && !text.contains("- 0") && !text.contains("--"))
        #expect(text.contains("s * 6\n"), "\(text)")
        // s + zeros[B, 3] keeps the broadcast result type.
        #expect(s.nodes[s.output(named: "out")!].type == g.nodes[g.output(named: "out")!].type)
        #expect(s.nodes.count < g.nodes.count)
    }

    @Test func cseMergesEqualNodesButNotDifferentStreams() throws {
        let g = try lowerOK("""
        graph g {
          input x: f64[3]
          a = exp(x) + exp(x)
          b = dropout(x) + dropout(x)
          out = sum(a) + sum(b)
          output out
        }
        """)
        let s = simplify(g)
        #expect(countOps(s, "exp") == 1)
        #expect(countOps(s, "dropout") == 2)
    }

    @Test func deadCodeIsRemovedButInputsAndParamsStay() throws {
        let g = try lowerOK("graph g {\n input x: f64[3]\n input unused: f64[2]\n param w: f64[3] = 1\n dead = exp(x)\n out = sum(x * w)\n output out\n}")
        let s = simplify(g)
        #expect(countOps(s, "exp") == 0)
        #expect(s.inputs.map(\.name) == ["x", "unused"] && s.params.map(\.name) == ["w"])
    }

    @Test func namesAreKept() throws {
        let g = try lowerOK("graph g {\n input x: f64[3]\n h = tanh(x) * 1\n out = sum(h)\n output out\n}")
        let s = simplify(g)
        #expect(printGraph(s).contains("h: f64[3] = tanh(x)"))
    }
}
