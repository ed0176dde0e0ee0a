// The bytes of .npy and IDX files, for tests that write data files (the data loader's tests, the
// distributed tests).

/// A .npy file: header dict text, padded as NumPy does, then the body.
public func npyBytes(descr: String, shape: [Int], body: [UInt8], version: UInt8 = 1, fortran: Bool = false) -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shapeText), }"
    let prefix = version == 1 ? 10 : 12
    while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
    let n = header.utf8.count
    if version == 1 { out += [UInt8(n & 0xFF), UInt8(n >> 8)] } else { out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0] }
    return out + Array(header.utf8) + body
}

public func littleEndianBytes(_ xs: [Float]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
public func littleEndianBytes(_ xs: [Double]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }
public func littleEndianBytes(_ xs: [Int32]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }
public func littleEndianBytes(_ xs: [Int64]) -> [UInt8] { xs.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }

/// An IDX file with big-endian dimensions and the given body.
public func idxBytes(type: UInt8, shape: [Int], body: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, type, UInt8(shape.count)]
    for d in shape { out += withUnsafeBytes(of: UInt32(d).bigEndian, Array.init) }
    return out + body
}
