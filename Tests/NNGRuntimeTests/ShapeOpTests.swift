import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct ShapeOpTests {
    @Test(arguments: DType.allCases)
    func transposeMatrixAndPermutation(dtype: DType) throws {
        let m = Arg.iota([2, 3])
        expectClose(try apply(.transpose([1, 0]), [m], shape: [3, 2], dtype: dtype), [3, 2], [0, 3, 1, 4, 2, 5], dtype: dtype)
        // perm [2, 0, 1]: out[i, j, k] = x[j, k, i]
        let x = Arg.iota([2, 3, 4])
        var expected: [Double] = []
        for i in 0..<4 { for j in 0..<2 { for k in 0..<3 { expected.append(Double(j * 12 + k * 4 + i)) } } }
        expectClose(try apply(.transpose([2, 0, 1]), [x], shape: [4, 2, 3], dtype: dtype), [4, 2, 3], expected, dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func reshapeWithSymbols(dtype: DType) throws {
        var b = GraphBuilder(dtype)
        let x = b.input("x", ["B", 2, 3])
        let r = b.op(.reshape(["B", 6]), [x], ["B", 6])
        let v = try b.run(inputs: ["x": Tensor(shape: [2, 2, 3], values: (0..<12).map(Double.init), dtype: dtype)])
        expectClose(v[r], [2, 6], (0..<12).map(Double.init), dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func reshapeThatLosesElementsIsADiagnostic(dtype: DType) throws {
        var b = GraphBuilder(dtype)
        let x = b.input("x", ["B", 4])
        b.op(.reshape(["C", 2]), [x], ["C", 2])
        let msg = errorMessage {
            _ = try b.run(inputs: ["x": .zeros([3, 4], dtype: dtype)], options: RunOptions(symbolSizes: ["C": 5]))
        }
        #expect(msg == "cannot reshape [3, 4] (12 elements) to [5, 2]")
    }

    @Test(arguments: DType.allCases)
    func broadcastToShape(dtype: DType) throws {
        expectClose(try apply(.broadcast([2, 3]), [Arg([3], [1, 2, 3])], shape: [2, 3], dtype: dtype), [2, 3],
                    [1, 2, 3, 1, 2, 3], dtype: dtype)
        expectClose(try apply(.broadcast([2, 2, 3]), [Arg([2, 1], [5, 6])], shape: [2, 2, 3], dtype: dtype), [2, 2, 3],
                    [5, 5, 5, 6, 6, 6, 5, 5, 5, 6, 6, 6], dtype: dtype)
        expectClose(try apply(.broadcast([2]), [Arg([], [7])], shape: [2], dtype: dtype), [2], [7, 7], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func concatAlongEachAxis(dtype: DType) throws {
        let a = Arg([2, 2], [1, 2, 3, 4]), b = Arg([2, 1], [5, 6]), c = Arg([1, 2], [7, 8])
        expectClose(try apply(.concat(axis: 1), [a, b], shape: [2, 3], dtype: dtype), [2, 3], [1, 2, 5, 3, 4, 6], dtype: dtype)
        expectClose(try apply(.concat(axis: 0), [a, c, c], shape: [4, 2], dtype: dtype), [4, 2], [1, 2, 3, 4, 7, 8, 7, 8], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func sliceAndPad(dtype: DType) throws {
        let x = Arg.iota([2, 4])
        expectClose(try apply(.slice(axis: 1, start: 1, end: 3), [x], shape: [2, 2], dtype: dtype), [2, 2], [1, 2, 5, 6], dtype: dtype)
        expectClose(try apply(.slice(axis: 0, start: 1, end: 2), [x], shape: [1, 4], dtype: dtype), [1, 4], [4, 5, 6, 7], dtype: dtype)
        expectClose(try apply(.pad(axis: 1, before: 1, after: 2), [Arg([2, 2], [1, 2, 3, 4])], shape: [2, 5], dtype: dtype),
                    [2, 5], [0, 1, 2, 0, 0, 0, 3, 4, 0, 0], dtype: dtype)
        expectClose(try apply(.pad(axis: 0, before: 0, after: 1), [Arg([2], [1, 2])], shape: [3], dtype: dtype),
                    [3], [1, 2, 0], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func sliceOutsideTheAxisIsADiagnostic(dtype: DType) throws {
        var b = GraphBuilder(dtype)
        let x = b.input("x", ["B"])
        b.op(.slice(axis: 0, start: 1, end: 4), [x], [3])
        let msg = errorMessage { _ = try b.run(inputs: ["x": .zeros([2], dtype: dtype)]) }
        #expect(msg == "slice 1..<4 of axis 0 is outside shape [2]")
    }

    @Test(arguments: DType.allCases)
    func oneHot(dtype: DType) throws {
        let y = try apply(.oneHot(classes: 3), [Arg([2, 2], [0, 2, 1, 1])], shape: [2, 2, 3], dtype: dtype)
        expectClose(y, [2, 2, 3], [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func oneHotLabelOutOfRangeIsADiagnostic(dtype: DType) throws {
        let range = SourceRange(start: 10, end: 17)
        for (label, message) in [(7.0, "one_hot label 7 is outside [0, 5)"), (-1, "one_hot label -1 is outside [0, 5)"),
                                 (2.5, "one_hot label 2.5 is not a whole number in [0, 5)")] {
            var b = GraphBuilder(dtype)
            let x = b.input("labels", ["B"])
            b.op(.oneHot(classes: 5), [x], ["B", 5], range: range)
            do {
                _ = try b.run(inputs: ["labels": Tensor(shape: [2], values: [1, label], dtype: dtype)])
                Issue.record("no error")
            } catch {
                #expect(error.diagnostics.count == 1)
                #expect(error.diagnostics.first?.message == message)
                #expect(error.diagnostics.first?.range == range)
            }
        }
    }
}
