import NNGCore

/// Operations that move, select or relabel elements without arithmetic. Their VJPs move the
/// adjoint back: the inverse permutation, the reverse reshape, the sum over broadcast axes, a
/// slice for concat and pad, a pad for slice.
enum MovementOps {
    /// Result axis i is input axis perm[i].
    static let transpose = OpDefinition("transpose", [.tensor("x"), OpParameter("perm", .permutation, .reversedAxes, printing: .positional)],
                                        type: { q throws(ShapeError) in
        let perm = q.ints("perm"), x = q.shapes[0]
        guard perm.count == x.rank, Set(perm) == Set(0..<x.rank) else {
            throw ShapeError("transpose of \(q.inputs[0]) needs a permutation of \(rankList(x.rank)), got \(intList(perm))")
        }
        return q.result(Shape(perm.map { x[$0] }))
    }, vjp: { b, q throws(DiagnosticsError) in
        let perm = q.ints("perm")
        var inverse = [Int](repeating: 0, count: perm.count)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return try b.op(.transpose(inverse), q.g)
    }) { a in
        .transpose(a.ints("perm"))
    }

    static let reshape = OpDefinition("reshape", [.tensor("x"), OpParameter("dims", .reshapeTarget, printing: .positional)],
                                      flags: .alias, type: { q throws(ShapeError) in
        let dims = q.dims("dims"), target = Shape(dims)
        for d in dims { if let v = d.value, v <= 0 { throw ShapeError("reshape to \(target) has a non-positive dimension") } }
        guard let a = Monomial(q.shapes[0].dims), let b = Monomial(dims) else {
            throw ShapeError("reshape of \(q.inputs[0]) to \(target): element count too large")
        }
        guard a == b else {
            throw ShapeError("cannot reshape \(q.inputs[0]) to \(target): \(a) elements vs \(b)")
        }
        return q.result(target)
    }, vjp: { b, q throws(DiagnosticsError) in
        try b.reshape(q.g, b.shape(q.inputs[0]))
    }) { a in
        .reshape(a.dims("dims"))
    }

    static let broadcast = OpDefinition("broadcast", [.tensor("x"), OpParameter("dims", .shape, printing: .positional)],
                                        flags: .elementwise, type: { q throws(ShapeError) in
        let dims = q.dims("dims"), target = Shape(dims)
        for d in dims { if let v = d.value, v <= 0 { throw ShapeError("broadcast to \(target) has a non-positive dimension") } }
        guard broadcasts(q.shapes[0], to: target) else {
            throw ShapeError("cannot broadcast \(q.inputs[0]) to \(target)")
        }
        return q.result(target)
    }, vjp: { b, q throws(DiagnosticsError) in
        try b.sumTo(q.g, b.shape(q.inputs[0]))
    }) { a in
        .broadcast(a.dims("dims"))
    }

    static let concat = OpDefinition("concat", [OpParameter("xs", .tensors), OpParameter("axis", .axis, .int(0))],
                                     type: { q throws(ShapeError) in try concatType(q) }, vjp: { b, q throws(DiagnosticsError) in
        let axis = q.int("axis")
        if q.inputs.count == 1 { return q.g }
        var offset = 0
        for j in 0..<q.k { offset += b.shape(q.inputs[j])[axis].value ?? 0 }
        let size = b.shape(q.inputs[q.k])[axis].value ?? 0
        return try b.op(.slice(axis: axis, start: offset, end: offset + size), q.g)
    }) { a in
        .concat(axis: a.int("axis"))
    }

    static let slice = OpDefinition("slice", [.tensor("x"), OpParameter("axis", .axis), OpParameter("start", .int),
                                              OpParameter("end", .int)], type: { q throws(ShapeError) in
        let (axis, start, end) = (q.int("axis"), q.int("start"), q.int("end"))
        try checkAxis(axis, of: q.inputs[0], op: "slice")
        guard let size = q.shapes[0][axis].value else {
            throw ShapeError("slice needs a concrete size on axis \(axis), got \(q.inputs[0])")
        }
        guard 0 <= start, start < end, end <= size else {
            throw ShapeError("slice \(start)..<\(end) is out of bounds for axis \(axis) of \(q.inputs[0])")
        }
        var s = q.shapes[0]
        s[axis] = .known(end - start)
        return q.result(s)
    }, vjp: { b, q throws(DiagnosticsError) in
        let (axis, start, end) = (q.int("axis"), q.int("start"), q.int("end"))
        let size = b.shape(q.inputs[0])[axis].value ?? end
        return try b.op(.pad(axis: axis, before: start, after: size - end), q.g)
    }) { a in
        .slice(axis: a.int("axis"), start: a.int("start"), end: a.int("end"))
    }

    static let pad = OpDefinition("pad", [.tensor("x"), OpParameter("axis", .axis), OpParameter("before", .int, .int(0)),
                                          OpParameter("after", .int, .int(0))], type: { q throws(ShapeError) in
        let (axis, before, after) = (q.int("axis"), q.int("before"), q.int("after"))
        try checkAxis(axis, of: q.inputs[0], op: "pad")
        guard before >= 0, after >= 0 else {
            throw ShapeError("pad needs before >= 0 and after >= 0, got \(before) and \(after)")
        }
        if before == 0 && after == 0 { return q.inputs[0] }
        guard let size = q.shapes[0][axis].value else {
            throw ShapeError("pad needs a concrete size on axis \(axis), got \(q.inputs[0])")
        }
        guard let n = checkedSum([size, before, after]) else { throw ShapeError("pad of \(q.inputs[0]) is too large") }
        var s = q.shapes[0]
        s[axis] = .known(n)
        return q.result(s)
    }, vjp: { b, q throws(DiagnosticsError) in
        let (axis, before, after) = (q.int("axis"), q.int("before"), q.int("after"))
        if before == 0 && after == 0 { return q.g }
        let size = b.shape(q.inputs[0])[axis].value ?? 0
        return try b.op(.slice(axis: axis, start: before, end: before + size), q.g)
    }) { a in
        .pad(axis: a.int("axis"), before: a.int("before"), after: a.int("after"))
    }

    static let oneHot = OpDefinition("one_hot", [.tensor("labels"), OpParameter("classes", .int)], gradientInputs: .none,
                                     type: { q throws(ShapeError) in
        let classes = q.int("classes")
        guard classes > 0 else { throw ShapeError("one_hot needs classes > 0, got \(classes)") }
        return q.result(Shape(q.shapes[0].dims + [.known(classes)]))
    }) { a in
        .oneHot(classes: a.int("classes"))
    }

    static let stopGradient = OpDefinition("stop_gradient", [.tensor("x")], flags: .alias, gradientInputs: .none,
                                           type: ElementwiseOps.sameType) { _ in
        .stopGradient
    }

    static let all = [transpose, reshape, broadcast, concat, slice, pad, oneHot, stopGradient]

    /// Equal shapes except on `axis`, whose sizes add (and must be concrete, unless there is one).
    private static func concatType(_ q: TypeQuery) throws(ShapeError) -> TensorType {
        let axis = q.int("axis")
        guard let first = q.inputs.first else { throw ShapeError("concat needs at least one tensor") }
        try checkAxis(axis, of: first, op: "concat")
        var total = 0
        var concrete = true
        for t in q.inputs {
            var ok = t.shape.rank == first.shape.rank
            if ok {
                for i in 0..<t.shape.rank where i != axis && t.shape[i] != first.shape[i] { ok = false }
            }
            guard ok else {
                throw ShapeError("concat along axis \(axis) needs equal shapes except on that axis, got \(first) and \(t)")
            }
            if let v = t.shape[axis].value {
                guard let n = checkedSum([total, v]) else { throw ShapeError("concat along axis \(axis) is too large") }
                total = n
            } else {
                concrete = false
            }
        }
        if q.inputs.count == 1 { return first }
        guard concrete else {
            throw ShapeError("concat along axis \(axis) needs concrete sizes on that axis, got \(q.inputs.map(\.description).joined(separator: ", "))")
        }
        var s = first.shape
        s[axis] = .known(total)
        return q.result(s)
    }
}
