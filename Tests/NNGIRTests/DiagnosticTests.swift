import Testing
import NNGCore
import NNGIR
import NNGLang

struct Malformed: CustomTestStringConvertible, Sendable {
    var name: String
    var source: String
    var expected: [Located]
    var check: Bool = false
    var testDescription: String { name }
}

let malformedPrograms: [Malformed] = [
    Malformed(name: "redefinition", source: """
    graph g {
      input x: f32[2]
      h = relu(x)
      h = exp(x)
      output h
    }
    """, expected: [Located("'h' is already defined", 4, 3)]),
    Malformed(name: "use before definition", source: """
    graph g {
      input x: f32[2]
      a = relu(b)
      b = exp(x)
      output a
    }
    """, expected: [Located("'b' is used before it is defined", 3, 12)]),
    Malformed(name: "unknown name with hint", source: """
    graph g {
      input x: f32[B, 2]
      param W1: f32[2, 3] = zeros
      h = x @ W3
      output h
    }
    """, expected: [Located("unknown name 'W3'; did you mean 'W1'?", 4, 11)]),
    Malformed(name: "unknown name without hint", source: """
    graph g {
      input x: f32[2]
      h = x * zzzzzz
      output h
    }
    """, expected: [Located("unknown name 'zzzzzz'", 3, 11)]),
    Malformed(name: "unknown output", source: """
    graph g {
      input x: f32[2]
      loss = sum(x)
      output lss
    }
    """, expected: [Located("unknown name 'lss' in output; did you mean 'loss'?", 4, 10)]),
    Malformed(name: "output twice", source: """
    graph g {
      input x: f32[2]
      output x, x
    }
    """, expected: [Located("'x' is already an output", 3, 13)]),
    Malformed(name: "no output", source: """
    graph g {
      input x: f32[2]
    }
    """, expected: [Located("graph 'g' has no output", 1, 7)]),
    Malformed(name: "matmul mismatch", source: """
    graph g {
      input x: f32[B, 784]
      param W1: f32[748, 100] = zeros
      param b1: f32[100] = zeros
      h = relu(x @ W1 + b1)
      output h
    }
    """, expected: [Located("matmul needs a[1] == b[0], got f32[B, 784] @ f32[748, 100]", 5, 14)]),
    Malformed(name: "broadcast mismatch", source: """
    graph g {
      input a: f32[3, 4]
      input b: f32[5]
      c = a + b
      output c
    }
    """, expected: [Located("cannot broadcast f32[3, 4] and f32[5] in '+'", 4, 9)]),
    Malformed(name: "symbol against size", source: """
    graph g {
      input a: f32[B]
      input b: f32[3]
      c = a * b
      output c
    }
    """, expected: [Located("cannot broadcast f32[B] and f32[3] in '*'", 4, 9)]),
    Malformed(name: "annotation symbol conflict", source: """
    graph g {
      input x: f32[B, 4]
      h: f32[T, 4] = relu(x)
      output h
    }
    """, expected: [Located("'h' is declared f32[T, 4] but is f32[B, 4]", 3, 6)]),
    Malformed(name: "annotation size conflict", source: """
    graph g {
      input x: f32[B, 4]
      h: f32[B, 8] = relu(x)
      output h
    }
    """, expected: [Located("'h' is declared f32[B, 8] but is f32[B, 4]", 3, 6)]),
    Malformed(name: "param with symbolic shape", source: """
    graph g {
      param W: f32[B, 2] = zeros
      output W
    }
    """, expected: [Located("parameter 'W' is f32[B, 2]: the size of 'B' is not bound; give --size B=N, or a data source that binds it", 2, 16)]),
    Malformed(name: "mixed dtypes", source: """
    graph g {
      input x: f32[2]
      input y: f64[2]
      z = x + y
      output z
    }
    """, expected: [Located("mixed element types: the graph is f32 but this is f64", 3, 12)]),
    Malformed(name: "direct recursion", source: """
    fn f(x) { return f(x) + 1 }
    graph g {
      input x: f32[2]
      y = f(x)
      output y
    }
    """, expected: [Located("recursive call of 'f'", 1, 18)]),
    Malformed(name: "mutual recursion", source: """
    fn f(x) { return g2(x) }
    fn g2(x) { return f(x) }
    graph g {
      input x: f32[2]
      y = f(x)
      output y
    }
    """, expected: [Located("recursive call of 'f'", 2, 19)]),
    Malformed(name: "fn arity", source: """
    fn dense(x, w, b) { return x @ w + b }
    graph g {
      input x: f32[2]
      y = dense(x, x)
      output y
    }
    """, expected: [Located("'dense' takes 3 arguments, got 2", 4, 7)]),
    Malformed(name: "unknown operation", source: """
    graph g {
      input x: f32[2]
      y = rleu(x)
      output y
    }
    """, expected: [Located("unknown operation 'rleu'; did you mean 'relu'?", 3, 7)]),
    Malformed(name: "unknown keyword", source: """
    graph g {
      input x: f32[2, 3]
      y = sum(x, axis = [0])
      output y
    }
    """, expected: [Located("unknown argument 'axis' for 'sum'; did you mean 'axes'?", 3, 14)]),
    Malformed(name: "too many arguments", source: """
    graph g {
      input x: f32[2]
      y = relu(x, x)
      output y
    }
    """, expected: [Located("'relu' takes at most 1 argument, got 2", 3, 15)]),
    Malformed(name: "missing argument", source: """
    graph g {
      input x: f32[B]
      y = one_hot(x)
      output y
    }
    """, expected: [Located("missing argument 'classes' for 'one_hot'", 3, 7)]),
    Malformed(name: "tensor where an integer is required", source: """
    graph g {
      input x: f32[1, 1, 4, 4]
      y = maxpool2d(x, size = x)
      output y
    }
    """, expected: [Located("'size' of 'maxpool2d' must be an integer literal", 3, 27)]),
    Malformed(name: "axis out of range", source: """
    graph g {
      input x: f32[2, 3]
      y = sum(x, axes = [0, -3])
      output y
    }
    """, expected: [Located("axis -3 is out of range for a tensor of rank 2", 3, 25)]),
    Malformed(name: "keepdims not a boolean", source: """
    graph g {
      input x: f32[2, 3]
      y = mean(x, axes = [1], keepdims = 1)
      output y
    }
    """, expected: [Located("'keepdims' of 'mean' must be true or false", 3, 38)]),
    Malformed(name: "max of two tensors", source: """
    graph g {
      input a: f32[2]
      input b: f32[2]
      y = max(a, b)
      output y
    }
    """, expected: [Located("max(x, axes) reduces one tensor; use maximum(a, b) for the elementwise maximum", 4, 7)]),
    Malformed(name: "string as tensor", source: """
    graph g {
      input x: f32[2]
      y = x + "one"
      output y
    }
    """, expected: [Located("expected a tensor, got a string", 3, 11)]),
    Malformed(name: "boolean as tensor", source: """
    graph g {
      input x: f32[2]
      y = relu(true)
      output y
    }
    """, expected: [Located("expected a tensor, got 'true'", 3, 12)]),
    Malformed(name: "ragged list", source: """
    graph g {
      input x: f32[2, 2]
      y = x + [[1, 2], [3]]
      output y
    }
    """, expected: [Located("ragged list: expected an element of shape [2], got [1]", 3, 20)]),
    Malformed(name: "grad of a non-scalar", source: """
    graph g {
      input x: f32[B, 1]
      y = grad(x * x, x)
      output y
    }
    """, expected: [Located("grad needs a scalar to differentiate, got f32[B, 1]", 3, 12)]),
    Malformed(name: "reshape -1 not expressible", source: """
    graph g {
      input x: f32[B, 3]
      y = reshape(x, [-1, 2])
      output y
    }
    """, expected: [Located("cannot infer -1 in reshape of f32[B, 3] to [-1, 2]", 3, 18)]),
    Malformed(name: "param init shape", source: """
    graph g {
      param W: f32[2, 2] = [1, 2]
      output W
    }
    """, expected: [Located("the initial value of 'W' has shape [2] but the parameter is f32[2, 2]", 2, 24)]),
    Malformed(name: "unknown initializer", source: """
    graph g {
      param W: f32[2, 2] = xavir
      output W
    }
    """, expected: [Located("unknown initializer 'xavir'; did you mean 'xavier'?", 2, 24)]),
    Malformed(name: "no cascade after an error, independent errors all reported", source: """
    graph g {
      input x: f32[2]
      a = x @ W9
      b = relu(a)
      c = exp(q)
      output b, c
    }
    """, expected: [Located("unknown name 'W9'", 3, 11), Located("unknown name 'q'; did you mean 'x'?", 5, 11)]),
    Malformed(name: "shape error inside fn points at the fn body", source: """
    fn dense(x, w, b) { return x @ w + b }
    graph g {
      input x: f32[B, 3]
      param W: f32[4, 2] = zeros
      param b: f32[2] = zeros
      y = dense(x, W, b)
      output y
    }
    """, expected: [Located("matmul needs a[1] == b[0], got f32[B, 3] @ f32[4, 2]", 1, 30)]),
    Malformed(name: "fn body sees only its parameters", source: """
    fn f(a) { return a * x }
    graph g {
      input x: f32[2]
      y = f(x)
      output y
    }
    """, expected: [Located("unknown name 'x'; did you mean 'a'?", 1, 22)]),
    Malformed(name: "check reports fn errors without a caller", source: """
    fn f(a) { return rleu(a) + b }
    graph g {
      input x: f32[2]
      output x
    }
    """, expected: [Located("unknown operation 'rleu'; did you mean 'relu'?", 1, 18), Located("unknown name 'b'; did you mean 'a'?", 1, 28)], check: true),
    Malformed(name: "fn named like an operation", source: """
    fn relu(x) { return x }
    graph g {
      input x: f32[2]
      output x
    }
    """, expected: [Located("'relu' is an operation; a fn cannot have its name", 1, 4)]),
    Malformed(name: "concat needs a list", source: """
    graph g {
      input x: f32[2]
      y = concat(x, axis = 0)
      output y
    }
    """, expected: [Located("concat takes a list of tensors: concat([a, b], axis = 0)", 3, 14)]),
    Malformed(name: "dropout probability", source: """
    graph g {
      input x: f32[2]
      y = dropout(x, p = 1.5)
      output y
    }
    """, expected: [Located("dropout needs 0 <= p < 1, got 1.5", 3, 7)]),
]

@Test(arguments: malformedPrograms)
func malformedProgram(_ m: Malformed) {
    #expect(errors(m.source, check: m.check) == m.expected)
}

@Test func severalGraphsNeedAName() {
    let src = "graph a {\n input x: f32[]\n output x\n}\ngraph b {\n input x: f32[]\n output x\n}\n"
    let (module, _) = parse(SourceFile(path: "t.nng", text: src))
    #expect(lowerGraph(module).diagnostics.map(\.message) == ["the file has several graphs (a, b): choose one with --graph"])
    #expect(lowerGraph(module, graphName: "bb").diagnostics.map(\.message) == ["no graph named 'bb'; did you mean 'b'?"])
    #expect(lowerGraph(module, graphName: "b").graph?.name == "b")
}

@Test func renderedDiagnosticHasCaretUnderOperator() {
    let src = "graph g {\n  input x: f32[B, 784]\n  param W1: f32[748, 100] = zeros\n  h = relu(x @ W1)\n  output h\n}\n"
    let (_, ds, file) = lowerSource(src)
    #expect(ds.first?.rendered(in: file) == [
        "test.nng:4:14: error: matmul needs a[1] == b[0], got f32[B, 784] @ f32[748, 100]",
        "    h = relu(x @ W1)",
        "               ^",
    ].joined(separator: "\n"))
}

@Test func noteNamesTheInlinedCall() {
    let src = "fn f(a) { return a @ a }\ngraph g {\n  input x: f32[2, 3]\n  y = f(x)\n  output y\n}\n"
    let (_, ds, _) = lowerSource(src)
    #expect(ds.first?.notes == ["note: in the call of 'f' at line 4, column 7"])
}
