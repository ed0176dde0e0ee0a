import NNGCore
import Testing
@testable import NNGLang

@Suite struct ParserTests {
    @Test(arguments: [
        ("-x^2", "(neg (^ x 2))"),
        ("2^-1", "(^ 2 (neg 1))"),
        ("a-b-c", "(- (- a b) c)"),
        ("a@b*c", "(* (@ a b) c)"),
        ("a^b^c", "(^ a (^ b c))"),
        ("a+b*c", "(+ a (* b c))"),
        ("a*b+c", "(+ (* a b) c)"),
        ("a/b/c", "(/ (/ a b) c)"),
        ("(a+b)*c", "(* (+ a b) c)"),
        ("--x", "(neg (neg x))"),
        ("-a*b", "(* (neg a) b)"),
        ("-2^-x^2", "(neg (^ 2 (neg (^ x 2))))"),
        ("a^-b*c", "(* (^ a (neg b)) c)"),
        ("x @ w + b", "(+ (@ x w) b)"),
        ("(yhat - y)^2", "(^ (- yhat y) 2)"),
        ("true", "true"),
        ("false", "false"),
        ("\"a\\tb\"", "\"a\tb\""),
        ("1.5e1", "15"),
        ("[]", "[]"),
        ("[1, [2, 3], -4]", "[1 [2 3] (neg 4)]"),
        ("f()", "(f)"),
        ("sum(x, axes = [0, 1], keepdims = true)", "(sum x axes=[0 1] keepdims=true)"),
        ("csv(\"xor.csv\", x = [0, 1], y = [2])", "(csv \"xor.csv\" x=[0 1] y=[2])"),
        ("f(\n  a,\n  b = 2\n)", "(f a b=2)"),
        ("(a\n + b)", "(+ a b)"),
        ("[1,\n 2\n]", "[1 2]"),
        ("tanh(dense(x, W1, b1))", "(tanh (dense x W1 b1))"),
    ])
    func expressions(text: String, expected: String) {
        #expect(parseExpr(text) == expected)
    }

    @Test func expressionRanges() {
        let f = source("  -x^2 + relu(a, k = (b))")
        let r = parseExpression(f)
        let e = try! #require(r.expr)
        #expect(slice(f, e.range) == "-x^2 + relu(a, k = (b))")
        guard case .binary(.add, let lhs, let rhs, let opRange) = e.kind else {
            Issue.record("not a sum")
            return
        }
        #expect(slice(f, opRange) == "+")
        #expect(slice(f, lhs.range) == "-x^2")
        #expect(slice(f, rhs.range) == "relu(a, k = (b))")
        guard case .call(let callee, let args) = rhs.kind else {
            Issue.record("not a call")
            return
        }
        #expect(callee.name == "relu")
        #expect(slice(f, callee.range) == "relu")
        #expect(args[0].label == nil)
        #expect(args[1].label?.name == "k")
        #expect(slice(f, args[1].label!.range) == "k")
        #expect(slice(f, args[1].value.range) == "(b)")
        guard case .unary(.negate, let pow) = lhs.kind, case .binary(.power, _, _, let caret) = pow.kind else {
            Issue.record("not -(x^2)")
            return
        }
        #expect(slice(f, pow.range) == "x^2")
        #expect(slice(f, caret) == "^")
    }

    @Test func chainExampleParses() {
        let f = source(chainExample)
        let (m, diags) = parse(f)
        #expect(diags.isEmpty)
        #expect(m.graphs.count == 1)
        #expect(m.functions.isEmpty && m.trains.isEmpty)
        let g = m.graphs[0]
        #expect(g.name.name == "chain")
        #expect(slice(f, g.name.range) == "chain")
        #expect(g.statements.map(statementString) == [
            "input x: f64[]",
            "input y: f64[]",
            "param w1: f64[] = 0.5",
            "param w2: f64[] = 1.5",
            "z = (* w1 x)",
            "h = (relu z)",
            "yhat = (* w2 h)",
            "loss = (^ (- yhat y) 2)",
            "output loss",
        ])
        #expect(slice(f, g.range).hasPrefix("graph chain {"))
        #expect(slice(f, g.range).hasSuffix("output loss\n}"))
        #expect(slice(f, g.statements[2].range) == "param w1: f64[] = 0.5")
        #expect(slice(f, g.statements[7].range) == "loss = (yhat - y)^2")
    }

    @Test func xorExampleParses() {
        let f = source(xorExample)
        let (m, diags) = parse(f)
        #expect(diags.isEmpty)
        #expect(m.functions.count == 1)
        let fn = m.functions[0]
        #expect(fn.name.name == "dense")
        #expect(fn.parameters.map(\.name) == ["x", "w", "b"])
        #expect(fn.body.isEmpty)
        #expect(sexpr(fn.result) == "(+ (@ x w) b)")
        #expect(slice(f, fn.range) == "fn dense(x, w, b) { return x @ w + b }")

        #expect(m.graphs.count == 1)
        #expect(m.graphs[0].statements.map(statementString) == [
            "input x: f32[B, 2]",
            "input y: f32[B, 1]",
            "param W1: f32[2, 8] = xavier",
            "param b1: f32[8] = zeros",
            "param W2: f32[8, 1] = xavier",
            "param b2: f32[1] = zeros",
            "h = (tanh (dense x W1 b1))",
            "p = (sigmoid (dense h W2 b2))",
            "loss = (bce p y)",
            "acc = (accuracy p y)",
            "output loss, acc",
        ])
        if case .input(_, let t) = m.graphs[0].statements[0].kind {
            #expect(slice(f, t.range) == "f32[B, 2]")
            #expect(t.dtype == .f32)
            if case .symbol(let b) = t.dims[0] { #expect(slice(f, b.range) == "B") } else { Issue.record("B") }
            #expect(slice(f, t.dims[1].range) == "2")
        } else {
            Issue.record("first statement is not an input")
        }

        #expect(m.trains.count == 1)
        let t = m.trains[0]
        #expect(t.name == nil)
        #expect(t.entries.map { "\($0.key.name) = \(sexpr($0.value))" } == [
            "minimize = loss",
            "data = (csv \"xor.csv\" x=[0 1] y=[2])",
            "optimizer = (sgd lr=0.5)",
            "epochs = 2000",
        ])
    }

    @Test func dimensionArithmeticInTypes() {
        let f = source("""
        graph g {
          input x: f32[B, L*L, 2 * (L/2), 3, N^2 - 1]
          output x
        }
        """)
        let (m, diags) = parse(f)
        #expect(diags.isEmpty)
        #expect(m.graphs[0].statements.map(statementString).first == "input x: f32[B, (* L L), (* 2 (/ L 2)), 3, (- (^ N 2) 1)]")
        if case .input(_, let t) = m.graphs[0].statements[0].kind {
            #expect(t.dims.map { slice(f, $0.range) } == ["B", "L*L", "2 * (L/2)", "3", "N^2 - 1"])
        } else {
            Issue.record("first statement is not an input")
        }
    }

    @Test func fnWithBindingsAndTypes() {
        let (m, diags) = parse(source("""
        fn mlp(x, w) {
          h: f32[B, 8] = relu(x @ w)
          y = h * 2
          return y
        }
        fn id(x) { return x }
        fn none() {
          return 1
        }
        """))
        #expect(diags.isEmpty)
        #expect(m.functions.map(\.name.name) == ["mlp", "id", "none"])
        #expect(m.functions[0].body.map { "\($0.name.name)\($0.type.map { ": " + typeString($0) } ?? "") = \(sexpr($0.value))" }
                == ["h: f32[B, 8] = (relu (@ x w))", "y = (* h 2)"])
        #expect(sexpr(m.functions[0].result) == "y")
        #expect(m.functions[2].parameters.isEmpty)
    }

    @Test func namedTrainWithKeywordKeys() {
        let (m, diags) = parse(source("""
        graph g { input x: f64[]; output x }
        train fit {
          graph      = g
          minimize   = loss
          validation = 0.2
          optimizer  = adam(lr = 1e-3, beta1 = 0.9)
          schedule   = cosine(min_lr = 0)
          shuffle    = true
          report     = [acc, loss]
        }
        """))
        #expect(diags.isEmpty)
        #expect(m.trains[0].name?.name == "fit")
        #expect(m.trains[0].entries.map(\.key.name) == ["graph", "minimize", "validation", "optimizer", "schedule",
                                                        "shuffle", "report"])
        #expect(sexpr(m.trains[0].entries[3].value) == "(adam lr=0.001 beta1=0.9)")
        #expect(sexpr(m.trains[0].entries[6].value) == "[acc loss]")
    }

    @Test func semicolonsAndAnnotations() {
        let (m, diags) = parse(source("graph g { input x: f64[2]; y: f64[2] = x * 2; param p: f32[3,4] = normal(std = 0.1); output y, p }"))
        #expect(diags.isEmpty)
        #expect(m.graphs[0].statements.map(statementString) == [
            "input x: f64[2]", "y: f64[2] = (* x 2)", "param p: f32[3, 4] = (normal std=0.1)", "output y, p",
        ])
    }

    @Test func multiLineStatementsInsideBrackets() {
        let (m, diags) = parse(source("""
        graph g {
          input x: f64[
            B,
            3
          ]
          y = sum(
            x,   # comment inside a call
            axes = [
              0
            ]
          )
          output y
        }
        """))
        #expect(diags.isEmpty)
        #expect(m.graphs[0].statements.map(statementString) == [
            "input x: f64[B, 3]", "y = (sum x axes=[0])", "output y",
        ])
    }

    @Test func manyDeclarationsInOrder() {
        let (m, diags) = parse(source("graph a {}\n\ngraph b {\n}\nfn f(x) { return x }\ntrain { epochs = 1 }\ntrain t2 {}"))
        #expect(diags.isEmpty)
        #expect(m.graphs.map(\.name.name) == ["a", "b"])
        #expect(m.trains.map { $0.name?.name } == [nil, "t2"])
    }

    @Test func emptyFileIsValid() {
        let (m, diags) = parse(source("\n# nothing\n"))
        #expect(diags.isEmpty)
        #expect(m.graphs.isEmpty)
    }

    @Test func nestingLimit() {
        // 150 levels is fine; far deeper gives one error and no stack overflow.
        let ok = String(repeating: "(", count: 150) + "x" + String(repeating: ")", count: 150)
        #expect(parseExpr(ok) == "x")
        let okList = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        #expect(parseExpr(okList) != nil)
        for deep in [
            String(repeating: "(", count: 100_000),
            String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000),
            String(repeating: "-", count: 10_000) + "x",
            "x" + String(repeating: "^x", count: 10_000),
            "x" + String(repeating: "+x", count: 10_000),
            String(repeating: "f(", count: 10_000),
        ] {
            let lines = diagnosticLines("graph g {\n  y = \(deep)\n  output y\n}")
            #expect(lines.count == 1)
            #expect(lines.first?.hasSuffix("expression nested too deeply") == true)
        }
    }

    @Test func parseExpressionStandalone() {
        #expect(parseExpr("[[1, 2], [3, 4]]") == "[[1 2] [3 4]]")
        #expect(parseExpr("-0.5") == "(neg 0.5)")
        let bad = parseExpression(source("1 2"))
        #expect(bad.expr == nil)
        #expect(bad.diagnostics.map(\.message) == ["expected end of the expression, found number 2"])
    }
}
