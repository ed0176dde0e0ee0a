import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
@testable import NNGRuntime
import NNGTestSupport
import Testing

private let xorGraph = """
graph xor {
  input x: f32[B, 2]
  input y: f32[B, 1]
  param W: f32[2, 1] = zeros
  p    = sigmoid(x @ W)
  loss = bce(p, y)
  output loss
}

"""

private let xyColumnsGraph = """
graph g {
  input x: f32[B, 1]
  input y: f32[B, 1]
  loss = sum(x * y)
  output loss
}

"""

/// Loads the train block's data from files in `dir`; the rendered diagnostics on failure.
private func loadData(_ train: String, in dir: String, graph: String = xorGraph) -> (Result<(Dataset, Dataset?, Dataset?), DiagnosticsError>, SourceFile) {
    let (config, g, file) = dataTrainSetup(graph + train, path: dir + "/model.nng")
    let loader = DataLoader(nngFile: file.path)
    do { return (.success(try loader.loadAll(config, graph: g)), file) } catch { return (.failure(error), file) }
}

private func loadError(_ train: String, in dir: String, graph: String = xorGraph) -> [String] {
    let (result, _) = loadData(train, in: dir, graph: graph)
    guard case .failure(let e) = result else { return [] }
    return e.diagnostics.map(\.message)
}

@Suite struct DataLoaderTests {
    @Test func csvRelativeToTheNNGFile() throws {
        let dir = makeDataTestDirectory()
        writeDataFile(dir, "xor.csv", "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
        let (result, _) = loadData("train {\n  minimize = loss\n  data = csv(\"xor.csv\", x = [0, 1], y = [2])\n  epochs = 1\n}", in: dir)
        let (train, val, test) = try result.get()
        #expect(val == nil && test == nil)
        #expect(train.count == 4)
        #expect(train["x"] == Tensor(shape: [4, 2], values: [0, 0, 0, 1, 1, 0, 1, 1], dtype: .f32))
        #expect(train["y"] == Tensor(shape: [4, 1], values: [0, 1, 1, 0], dtype: .f32))
    }

    @Test func rankOneInputTakesOneColumn() throws {
        let dir = makeDataTestDirectory()
        writeDataFile(dir, "d.csv", "1,2,0\n3,4,1\n5,6,2\n")
        let graph = """
        graph g {
          input x: f64[B, 2]
          input label: f64[B]
          param W: f64[2, 3] = zeros
          loss = cross_entropy(x @ W, one_hot(label, classes = 3))
          output loss
        }

        """
        let (result, _) = loadData("train {\n  data = csv(\"d.csv\", x = [0, 1], label = [2])\n  epochs = 1\n  validation = 0.34\n}", in: dir, graph: graph)
        let (train, val, _) = try result.get()
        #expect(train.count == 2 && val?.count == 1)
        #expect(train["label"]?.shape == [2])
        #expect(train["label"]?.dtype == .f64)
    }

    @Test func npyIdxAndGridTogether() throws {
        let dir = makeDataTestDirectory()
        writeDataFile(dir, "x.npy", bytes: npyBytes(descr: "<f8", shape: [3, 2], body: littleEndianBytes([1.0, 2, 3, 4, 5, 6])))
        writeDataFile(dir, "y.idx", bytes: idxBytes(type: 0x08, shape: [3], body: [1, 0, 1]))
        let graph = """
        graph g {
          input x: f32[B, 2, 1]
          input y: f32[B, 1]
          input t: f32[B, 1]
          loss = mean(x) + mean(y) + mean(t)
          output loss
        }

        """
        let (result, _) = loadData("train {\n  data = [npy(x = \"x.npy\"), idx(y = \"y.idx\"), grid(t = linspace(0, 1, 3))]\n  epochs = 1\n}",
                                   in: dir, graph: graph)
        let (train, _, _) = try result.get()
        #expect(train["x"]?.shape == [3, 2, 1])   // [3, 2] reshaped per sample to [2, 1]
        #expect(train["y"] == Tensor(shape: [3, 1], values: [1, 0, 1], dtype: .f32))
        #expect(train["t"] == Tensor(shape: [3, 1], values: [0, 0.5, 1], dtype: .f32))
    }

    /// mesh(y = …, x = …): every (y, x) pair, y varying slowest (meshgrid indexing "ij").
    @Test func meshIsTheCartesianProduct() throws {
        let (result, _) = loadData("train {\n  data = mesh(y = linspace(0, 1, 2), x = linspace(-1, 1, 3))\n  epochs = 1\n}",
                                   in: makeDataTestDirectory(), graph: xyColumnsGraph)
        let (train, _, _) = try result.get()
        #expect(train.count == 6)
        #expect(train["y"] == Tensor(shape: [6, 1], values: [0, 0, 0, 1, 1, 1], dtype: .f32))
        #expect(train["x"] == Tensor(shape: [6, 1], values: [-1, 0, 1, -1, 0, 1], dtype: .f32))
    }

    @Test func meshOfThreeAxes() {
        let columns = meshColumns([MeshAxis("a", Linspace(0, 1, 2)), MeshAxis("b", Linspace(0, 2, 3)), MeshAxis("c", Linspace(5, 6, 2))])
        #expect(columns.map(\.0) == ["a", "b", "c"])
        #expect(columns[0].1.storage == .f64([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]))
        #expect(columns[1].1.storage == .f64([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2]))
        #expect(columns[2].1.storage == .f64([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6]))
    }

    @Test func bindingErrors() {
        let dir = makeDataTestDirectory()
        writeDataFile(dir, "x.npy", bytes: npyBytes(descr: "<f4", shape: [100, 2], body: littleEndianBytes([Float](repeating: 0, count: 200))))
        writeDataFile(dir, "y.npy", bytes: npyBytes(descr: "<f4", shape: [99, 1], body: littleEndianBytes([Float](repeating: 0, count: 99))))
        writeDataFile(dir, "x3.csv", "1,2,3\n4,5,6\n7,8,9\n1,1,1\n")
        #expect(loadError("train {\n  data = npy(x = \"x.npy\", y = \"y.npy\")\n  epochs = 1\n}", in: dir)
            == ["sources disagree on the number of samples: x has 100, y has 99"])
        #expect(loadError("train {\n  data = csv(\"x3.csv\", x = [0, 1, 2], y = [0])\n  epochs = 1\n}", in: dir)
            == ["column data for 'x' has shape [4, 3] but input 'x' is f32[B, 2]"])
        #expect(loadError("train {\n  data = npy(x = \"nothere.npy\", y = \"y.npy\")\n  epochs = 1\n}", in: dir)
            == ["nothere.npy: no such file"])
    }

    @Test func diagnosticsPointAtTheSource() {
        let dir = makeDataTestDirectory()
        writeDataFile(dir, "bad.csv", "x1,x2,y\n0,0,0\n0,zero,1\n")
        let (result, file) = loadData("train {\n  data = csv(\"bad.csv\", x = [0, 1], y = [2])\n  epochs = 1\n}", in: dir)
        guard case .failure(let e) = result else { Issue.record("no error"); return }
        #expect(e.rendered(in: file) == """
        \(dir)/model.nng:10:10: error: bad.csv:3:3: 'zero' is not a number (column 1)
            data = csv("bad.csv", x = [0, 1], y = [2])
                   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
        """)
    }

    @Test func fitColumnRules() throws {
        var symbols: [String: (size: Int, input: String)] = [:]
        let t = Tensor.zeros([5, 28, 28], dtype: .f64)
        let flat = try fitColumn(t, name: "img", to: TensorType(.f32, Shape([.symbol("B"), .known(784)])), symbols: &symbols)
        #expect(flat.shape == [5, 784] && flat.dtype == .f32)
        _ = try fitColumn(.zeros([5, 3], dtype: .f64), name: "a", to: TensorType(.f64, Shape([.symbol("B"), .symbol("D")])), symbols: &symbols)
        #expect(throws: DataError("symbol 'D' is 3 for input 'a' but 4 for input 'b'")) {
            _ = try fitColumn(.zeros([5, 4], dtype: .f64), name: "b", to: TensorType(.f64, Shape([.symbol("B"), .symbol("D")])), symbols: &symbols)
        }
        #expect(throws: DataError("input 's' is f64[] and has no sample axis: declare it with one, e.g. f64[B]")) {
            _ = try fitColumn(.zeros([5], dtype: .f64), name: "s", to: TensorType(.f64, .scalar), symbols: &symbols)
        }
    }

    @Test func isingSourceBindsOnlyGraphInputs() throws {
        let graph = """
        graph phase {
          input spins: f32[B, 16]
          input ordered: f32[B, 1]
          param W: f32[16, 1] = zeros
          loss = bce_logits(spins @ W, ordered)
          output loss
        }

        """
        let dir = makeDataTestDirectory()
        let (config, g, _) = dataTrainSetup(graph + "train {\n  data = ising(L = 4, temperatures = [1.5, 3.0], samples = 3, seed = 1, thermalization = 5, interval = 1)\n  epochs = 1\n}",
                                        path: dir + "/m.nng")
        let loader = DataLoader(nngFile: dir + "/m.nng")
        let data = try loader.load(config.data, graph: g)
        #expect(data.count == 6)
        #expect(data.columns.keys.sorted() == ["ordered", "spins"])
        #expect(data["ordered"]?.doubles == [1, 1, 1, 0, 0, 0])
        #expect(data["spins"]?.doubles.allSatisfy { $0 == 1 || $0 == -1 } == true)
    }
}
