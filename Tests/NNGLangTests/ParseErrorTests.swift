import NNGCore
import Testing
@testable import NNGLang

/// One malformed input and its single expected diagnostic ("line:col: message").
struct ErrorCase: CustomTestStringConvertible, Sendable {
    var source: String
    var expected: String
    init(_ source: String, _ expected: String) {
        self.source = source
        self.expected = expected
    }
    var testDescription: String { expected }
}

let errorCases: [ErrorCase] = [
    ErrorCase("graph g {\n  h = relu(x\n  output h\n}", "2:13: expected ')' to close the call of 'relu', found newline"),
    ErrorCase("graph g {\n  param w: f64[] 0.5\n}", "2:18: expected '=' after parameter type, found number 0.5"),
    ErrorCase("graph g {\n  y = }\n", "2:7: expected an expression, found '}'"),
    ErrorCase("graph g {\n  s = \"abc\n}", "2:7: unterminated string"),
    ErrorCase("graph g {\n  input x: f32[1.5]\n}", "2:16: expected a dimension (a positive integer or a symbol), found '1.5'"),
    ErrorCase("graph g {\n  input x: f32[B, 0]\n}", "2:19: expected a dimension (a positive integer or a symbol), found '0'"),
    ErrorCase("graph g {\n  input x: f16[2]\n}", "2:12: unknown element type 'f16' (expected f32 or f64)"),
    ErrorCase("graph g {\n  y = f(a = 1, b)\n}", "2:16: positional argument follows keyword argument"),
    ErrorCase("graph g {\n  y = $x\n}", "2:7: unexpected character '$'"),
    ErrorCase("graph g {\n  y = x +\n}", "2:10: expected an expression, found newline"),
    ErrorCase("fn f(x) {\n  y = x\n}", "3:1: fn 'f' has no 'return'"),
    ErrorCase("graph g {\n  input x f64[]\n}", "2:11: expected ':' after input name 'x', found 'f64'"),
    ErrorCase("graph g {\n  output\n}", "2:9: expected an output name, found newline"),
    ErrorCase("graph g {\n  output a,\n}", "2:12: expected an output name, found newline"),
    ErrorCase("graph {\n}", "1:7: expected a graph name after 'graph', found '{'"),
    ErrorCase("graph g\n  input x: f64[]\n}", "2:3: expected '{' after the graph name, found 'input'"),
    ErrorCase("x = 1\n", "1:1: expected 'graph', 'fn' or 'train' at the top level, found 'x'"),
    ErrorCase("graph g {\n  y = [1, 2\n  output y\n}", "2:12: expected ']' to close the list, found newline"),
    ErrorCase("graph g {\n  y = (a + b\n}", "2:13: expected ')' to close '(', found newline"),
    ErrorCase("graph g {\n  y = a b\n}", "2:9: expected newline or ';' at the end of the statement, found 'b'"),
    ErrorCase("graph g {\n  y = \"a\\qb\"\n}", "2:9: unknown escape sequence '\\q' in string"),
    ErrorCase("graph g {\n  input x: f64[]\n", "3:1: expected '}' to close graph 'g', found end of file"),
    ErrorCase("graph g {\n  y = 1\ngraph h {\n}", "3:1: expected '}' to close graph 'g', found 'graph'"),
    ErrorCase("train {\n  epochs 10\n}", "2:10: expected '=' after train setting 'epochs', found number 10"),
    ErrorCase("train {\n  5 = epochs\n}", "2:3: expected a setting (NAME = expr) in the train block, found number 5"),
    ErrorCase("train t t2 {\n}", "1:9: expected '{' after the train name, found 't2'"),
    ErrorCase("fn f(x y) { return x }", "1:8: expected ')' to close the parameter list of fn 'f', found 'y'"),
    ErrorCase("fn f(x, x) { return x }", "1:9: duplicate parameter 'x' in fn 'f'"),
    ErrorCase("fn f(x, 1) { return x }", "1:9: expected a parameter name, found number 1"),
    ErrorCase("fn (x) { return x }", "1:4: expected a function name after 'fn', found '('"),
    ErrorCase("fn f(x) {\n  input x: f64[]\n  return x\n}",
              "2:3: expected a binding (NAME = expr) or 'return' in fn 'f', found 'input'"),
    ErrorCase("fn f(x) {\n  return x\n  y = 2\n}", "3:3: expected '}' after the return of fn 'f', found 'y'"),
    ErrorCase("graph g {\n  y = f(a = 1, a = 2)\n}", "2:16: duplicate keyword argument 'a'"),
    ErrorCase("graph g {\n  y = 1e\n}", "2:7: invalid number '1e'"),
    ErrorCase("graph g {\n  3 = x\n}", "2:3: expected a statement (input, param, output or NAME = expr), found number 3"),
    ErrorCase("graph g {\n  return x\n}", "2:3: expected a statement (input, param, output or NAME = expr), found 'return'"),
    ErrorCase("graph g {\n  y + 1\n}", "2:5: expected '=' or ':' after 'y', found '+'"),
    ErrorCase("graph g {\n  y: f64[2] x\n}", "2:13: expected '=' after the type of 'y', found 'x'"),
    ErrorCase("graph g {\n  input x: f64\n}", "2:15: expected '[' after 'f64' (write f64[] for a scalar), found newline"),
    ErrorCase("graph g {\n  input x: f64[2 3]\n}", "2:18: expected ']' to close the shape, found number 3"),
    ErrorCase("graph g {\n  input x: f64[2,]\n}", "2:18: expected a dimension (a positive integer or a symbol), found ']'"),
    ErrorCase("graph g {\n  input x: [2]\n}", "2:12: expected a type such as f32[B, 8], found '['"),
    ErrorCase("graph g {\n  y = 1\n}\n}", "4:1: expected 'graph', 'fn' or 'train' at the top level, found '}'"),
    ErrorCase("graph g {\n  y = +x\n}", "2:7: expected an expression, found '+'"),
    ErrorCase("graph g {\n  y = f(,)\n}", "2:9: expected an expression, found ','"),
    ErrorCase("graph g {\n  y = relu(x))\n}", "2:14: expected newline or ';' at the end of the statement, found ')'"),
    ErrorCase("graph g {\n  y = x ^ ^ 2\n}", "2:11: expected an expression, found '^'"),
    ErrorCase("graph g {\n  y = é\n}", "2:7: unexpected character 'é' (U+00E9)"),
    ErrorCase("graph g {\n  param w: f64[3] = \n}", "2:21: expected an expression, found newline"),
    ErrorCase("graph g {\n\ty = (1 2)\n}", "2:9: expected ')' to close '(', found number 2"),
    ErrorCase("graph g {\n  y = " + String(repeating: "(", count: 201) + "x" + String(repeating: ")", count: 201) + "\n}",
              "2:208: expression nested too deeply"),
]

@Suite struct ParseErrorTests {
    @Test(arguments: errorCases)
    func malformedInput(_ c: ErrorCase) {
        #expect(diagnosticLines(c.source) == [c.expected], "\(c.source)")
    }

    @Test func nestingLimitIsExactly200() {
        for n in [199, 200] {
            let parens = String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n)
            #expect(parseExpr(parens) == "x")
            let lists = String(repeating: "[", count: n) + "1" + String(repeating: "]", count: n)
            #expect(parseExpr(lists) != nil)
            #expect(parseExpr(String(repeating: "-", count: n) + "x") != nil)
            #expect(parseExpr("x" + String(repeating: "^x", count: n)) != nil)
            #expect(parseExpr("x" + String(repeating: "+x", count: n)) != nil)
        }
        for text in [
            String(repeating: "(", count: 201) + "x" + String(repeating: ")", count: 201),
            String(repeating: "[", count: 201) + "1" + String(repeating: "]", count: 201),
            String(repeating: "-", count: 201) + "x",
            "x" + String(repeating: "^x", count: 201),
            "x" + String(repeating: "+x", count: 201),
        ] {
            let r = parseExpression(source(text))
            #expect(r.diagnostics.map(\.message) == ["expression nested too deeply"])
        }
    }

    @Test func threeIndependentErrorsAreAllReported() {
        let text = """
        graph g {
          input x: f16[2]
          y = relu(x
          z = x +* 2
          output y
        }
        """
        #expect(diagnosticLines(text) == [
            "2:12: unknown element type 'f16' (expected f32 or f64)",
            "3:13: expected ')' to close the call of 'relu', found newline",
            "4:10: expected an expression, found '*'",
        ])
    }

    @Test func errorsAcrossDeclarations() {
        let text = """
        fn f(x) {
          y = x $ 1
          return y
        }
        graph g {
          input x: f64[2
          param w: f64[2] = ones
          h = f(
            x,
            w = 3)   # keyword argument spanning lines is fine
          output h, 
        }
        stray
        train {
          epochs = 10 20
          minimize = h
        }
        """
        #expect(diagnosticLines(text) == [
            "2:9: unexpected character '$'",
            "6:17: expected ']' to close the shape, found newline",
            "11:13: expected an output name, found newline",
            "13:1: expected 'graph', 'fn' or 'train' at the top level, found 'stray'",
            "15:15: expected newline or ';' at the end of the statement, found number 20",
        ])
        let (m, _) = parse(source(text))
        #expect(m.functions.count == 1)
        #expect(m.graphs.first?.statements.map(statementString) == ["param w: f64[2] = ones", "h = (f x w=3)"])
        #expect(m.trains.first?.entries.map(\.key.name) == ["minimize"])
    }

    @Test func oneErrorPerStatement() {
        // Several problems on one line: only the first is reported.
        #expect(diagnosticLines("graph g {\n  y = $ + $ ) ] (\n  z = 1 2\n}") == [
            "2:7: unexpected character '$'",
            "3:9: expected newline or ';' at the end of the statement, found number 2",
        ])
    }

    @Test func missingCommaInMultiLineCallIsOneError() {
        #expect(diagnosticLines("graph g {\n  h = f(a\n        b)\n  z = 1 1\n}") == [
            "2:10: expected ')' to close the call of 'f', found newline",
            "4:9: expected newline or ';' at the end of the statement, found number 1",
        ])
    }

    @Test func unclosedBracketStopsAtNextStatementKeyword() {
        #expect(diagnosticLines("graph g {\n  y = f(x, (a b\n  output y\n}") == [
            "2:15: expected ')' to close '(', found 'b'",
        ])
    }

    @Test func renderedDiagnostic() {
        let f = SourceFile(path: "model.nng", text: "graph g {\n  h = relu(x @ W1 + b1\n  output h\n}\n")
        let d = parse(f).diagnostics
        #expect(d.count == 1)
        #expect(d.first?.rendered(in: f) ==
            "model.nng:2:23: error: expected ')' to close the call of 'relu', found newline\n" +
            "    h = relu(x @ W1 + b1\n" +
            "                        ^")
        let g = SourceFile(path: "m.nng", text: "graph g {\n\ty = relu(x, $q)\n}")
        #expect(parse(g).diagnostics.map { $0.rendered(in: g) } == [
            "m.nng:2:14: error: unexpected character '$'\n" +
            "  \ty = relu(x, $q)\n" +
            "  \t            ^",
        ])
    }
}
