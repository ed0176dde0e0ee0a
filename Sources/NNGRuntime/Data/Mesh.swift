import NNGCore
import NNGIR
import NNGTrain

/// The columns of a `mesh` source: one [N, 1] column per axis, N the product of the axes'
/// counts, listing every combination of points with the first axis varying slowest (NumPy's
/// `meshgrid(..., indexing="ij")` flattened in C order). Sample k of axis a is point
/// (k / stride(a)) mod count(a), stride(a) the product of the counts after a.
func meshColumns(_ axes: [MeshAxis]) -> [(String, Tensor)] {
    let count = axes.reduce(1) { $0 * $1.points.count }
    var stride = count
    return axes.map { axis in
        let points = axis.points.values
        stride /= points.count
        let column = (0..<count).map { k in points[(k / stride) % points.count] }
        return (axis.name, Tensor(shape: [count, 1], values: column, dtype: .f64))
    }
}
