import NNGCore

// NumPy .npy and IDX (MNIST) arrays. Both give a Tensor of f64 values as stored; the
// loader converts to the graph's element type.

/// The element types a .npy file may hold.
public let npySupportedDTypes = ["<f4", "<f8", "<i4", "<i8", "|u1"]

/// Parses a NumPy .npy file (format versions 1, 2 and 3; little-endian f4, f8, i4, i8 and
/// u1; C order). A NaN or infinity is refused unless `allowNonFinite` (the source's
/// `allow_nonfinite = true`).
public func parseNPY(_ bytes: [UInt8], path: String, allowNonFinite: Bool = false) throws(DataError) -> Tensor {
    try npyLayout(bytes, path: path).tensor(from: bytes, path: path, allowNonFinite: allowNonFinite)
}

/// Parses an IDX file: two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32,
/// 0x0D f32, 0x0E f64), the rank, big-endian u32 dimensions, then big-endian data. A NaN or
/// infinity is refused unless `allowNonFinite`.
public func parseIDX(_ bytes: [UInt8], path: String, allowNonFinite: Bool = false) throws(DataError) -> Tensor {
    try idxLayout(bytes, path: path).tensor(from: bytes, path: path, allowNonFinite: allowNonFinite)
}

/// Where the elements of an array file are, read from its header: the shape, the element size,
/// the offset of the data and how to decode elements. Reading a whole file and reading one block
/// of its rows (a rank's share, ArrayBlockReader) both go through it.
struct ArrayLayout {
    let shape: [Int]
    let itemSize: Int
    let dataStart: Int
    /// `count` elements decoded from `raw` starting at byte `base`.
    let decode: (_ raw: UnsafeRawBufferPointer, _ base: Int, _ count: Int) -> [Double]

    var count: Int { shape.reduce(1, *) }
    /// Elements per sample (per index of the first axis).
    var rowElements: Int { shape.dropFirst().reduce(1, *) }

    /// The data must be exactly as long as the header declares.
    func checkLength(fileSize: Int, path: String) throws(DataError) {
        try checkDataLength(needed: count * itemSize, available: fileSize - dataStart, path: path)
    }

    /// The whole array, from the whole file's bytes.
    func tensor(from bytes: [UInt8], path: String, allowNonFinite: Bool) throws(DataError) -> Tensor {
        try checkLength(fileSize: bytes.count, path: path)
        let values = bytes.withUnsafeBytes { decode($0, dataStart, count) }
        if !allowNonFinite { try checkFinite(values, shape: shape, path: path) }
        return Tensor(shape: shape, values: values, dtype: .f64)
    }

    /// Rows `rows` of the array, from the bytes of exactly those rows; a non-finite element is
    /// named by its index in the whole array.
    func block(_ rows: Range<Int>, from bytes: [UInt8], path: String, allowNonFinite: Bool) throws(DataError) -> Tensor {
        let n = rows.count * rowElements
        let values = bytes.withUnsafeBytes { decode($0, 0, n) }
        if !allowNonFinite { try checkFinite(values, shape: shape, path: path, offset: rows.lowerBound * rowElements) }
        return Tensor(shape: [rows.count] + shape.dropFirst(), values: values, dtype: .f64)
    }
}

/// The layout of a .npy file from its first bytes (at least its header).
func npyLayout(_ bytes: [UInt8], path: String) throws(DataError) -> ArrayLayout {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
        throw DataError("\(path): not a NumPy .npy file (bad magic)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
        headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        headerStart = 10
    case 2, 3:
        guard bytes.count >= 12 else { throw DataError("\(path): the file is truncated in its header") }
        headerLength = Int(readLE32(bytes, 8))
        headerStart = 12
    default:
        throw DataError("\(path): unsupported .npy format version \(major).\(bytes[7])")
    }
    guard bytes.count >= headerStart + headerLength else { throw DataError("\(path): the file is truncated in its header") }
    let headerText = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    var parser = PyLiteralParser(Array(headerText.unicodeScalars))
    guard case .dict(let header)? = try? parser.parse() else {
        throw DataError("\(path): cannot read the .npy header \(headerText.trimmingSpaces)")
    }
    guard case .string(let descr)? = header["descr"] else {
        throw DataError("\(path): unsupported dtype (a structured array); supported: \(npySupportedDTypes.joined(separator: ", "))")
    }
    guard case .bool(let fortran)? = header["fortran_order"], case .tuple(let shape)? = header["shape"] else {
        throw DataError("\(path): the .npy header lacks 'fortran_order' or 'shape'")
    }
    let itemSize: Int
    switch descr {
    case "<f4", "<i4": itemSize = 4
    case "<f8", "<i8": itemSize = 8
    case "|u1", "<u1", "u1": itemSize = 1
    default:
        var why = ""
        if descr.hasPrefix(">") { why = " (big-endian)" }
        else if descr.contains("O") { why = " (Python objects)" }
        throw DataError("\(path): unsupported dtype '\(descr)'\(why); supported: \(npySupportedDTypes.joined(separator: ", "))")
    }
    guard !fortran else {
        throw DataError("\(path): the array is in Fortran order; save it in C order (numpy.ascontiguousarray)")
    }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw DataError("\(path): bad shape in the .npy header") }
    try checkElementCount(shape, path: path)
    return ArrayLayout(shape: shape, itemSize: itemSize, dataStart: headerStart + headerLength) { raw, base, count in
        var values = [Double](repeating: 0, count: count)
        switch descr {
        case "<f4": for i in 0..<count { values[i] = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)))) }
        case "<f8": for i in 0..<count { values[i] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * i, as: UInt64.self))) }
        case "<i4": for i in 0..<count { values[i] = Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: Int32.self))) }
        case "<i8": for i in 0..<count { values[i] = Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * i, as: Int64.self))) }
        default: for i in 0..<count { values[i] = Double(raw[base + i]) }
        }
        return values
    }
}

/// The layout of an IDX file from its first bytes (at least its header).
func idxLayout(_ bytes: [UInt8], path: String) throws(DataError) -> ArrayLayout {
    guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
        let shown = bytes.prefix(4).map { String($0, radix: 16).leftPadded(2) }.joined()
        throw DataError("\(path): not an IDX file (bad magic 0x\(shown))")
    }
    let type = bytes[2]
    let itemSize: Int
    switch type {
    case 0x08, 0x09: itemSize = 1
    case 0x0B: itemSize = 2
    case 0x0C, 0x0D: itemSize = 4
    case 0x0E: itemSize = 8
    default: throw DataError("\(path): unsupported IDX element type 0x\(String(type, radix: 16).leftPadded(2))")
    }
    let rank = Int(bytes[3])
    guard rank >= 1 else { throw DataError("\(path): an IDX file of rank 0 has no sample axis") }
    guard bytes.count >= 4 + 4 * rank else { throw DataError("\(path): the file is truncated in its header") }
    let shape = (0..<rank).map { Int(readBE32(bytes, 4 + 4 * $0)) }
    try checkElementCount(shape, path: path)
    return ArrayLayout(shape: shape, itemSize: itemSize, dataStart: 4 + 4 * rank) { raw, b, count in
        var values = [Double](repeating: 0, count: count)
        switch type {
        case 0x08: for i in 0..<count { values[i] = Double(raw[b + i]) }
        case 0x09: for i in 0..<count { values[i] = Double(Int8(bitPattern: raw[b + i])) }
        case 0x0B: for i in 0..<count { values[i] = Double(Int16(bigEndian: raw.loadUnaligned(fromByteOffset: b + 2 * i, as: Int16.self))) }
        case 0x0C: for i in 0..<count { values[i] = Double(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: b + 4 * i, as: Int32.self))) }
        case 0x0D: for i in 0..<count { values[i] = Double(Float(bitPattern: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: b + 4 * i, as: UInt32.self)))) }
        default: for i in 0..<count { values[i] = Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: b + 8 * i, as: UInt64.self))) }
        }
        return values
    }
}

/// Element counts beyond Int32.max are refused (tensors index with 32-bit counts in places).
private func checkElementCount(_ shape: [Int], path: String) throws(DataError) {
    var count = 1
    for d in shape {
        let (m, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow, m <= Int(Int32.max) else { throw DataError("\(path): the array is too large") }
        count = m
    }
}

/// The data must be exactly as long as the header declares: missing bytes mean a truncated
/// file, extra bytes a header that does not describe the data (both would misread silently).
private func checkDataLength(needed: Int, available: Int, path: String) throws(DataError) {
    if available < needed {
        throw DataError("\(path): the file is truncated: expected \(needed) bytes of data, found \(available)")
    }
    if available > needed {
        let extra = available - needed
        throw DataError("\(path): the file has \(extra) byte\(extra == 1 ? "" : "s") after the \(needed) bytes of data its header declares")
    }
}

/// Refuses a NaN or an infinity, naming the first one by its flat and its full index: training
/// on it would only fail later, with a NaN loss that names neither file nor element.
private func checkFinite(_ values: [Double], shape: [Int], path: String, offset: Int = 0) throws(DataError) {
    guard let k = values.firstIndex(where: { !$0.isFinite }) else { return }
    let i = offset + k
    var index: [Int] = [], rest = i
    for d in shape.reversed() { index.append(d > 0 ? rest % d : 0); rest /= max(d, 1) }
    let value = values[k].isNaN ? "NaN" : values[k] > 0 ? "inf" : "-inf"
    throw DataError("\(path): element \(i) (index [\(index.reversed().map(String.init).joined(separator: ", "))]) is \(value); data must be finite (allow_nonfinite = true accepts it)")
}

private func readLE32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}

private func readBE32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
}

private extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\n" { s.removeLast() }
        return String(s)
    }
}

/// The Python literal of a .npy header: a dict of strings, booleans and int tuples.
struct PyLiteralParser {
    enum Value { case string(String), bool(Bool), int(Int), tuple([Int]), dict([String: Value]), list }
    struct Failure: Error {}

    let s: [Unicode.Scalar]
    var i = 0
    init(_ s: [Unicode.Scalar]) { self.s = s }

    mutating func skip() { while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" { i += 1 } }

    mutating func expect(_ c: Unicode.Scalar) throws(Failure) {
        skip()
        guard i < s.count, s[i] == c else { throw Failure() }
        i += 1
    }

    mutating func parse() throws(Failure) -> Value {
        skip()
        guard i < s.count else { throw Failure() }
        let c = s[i]
        switch c {
        case "{":
            i += 1
            var d: [String: Value] = [:]
            while true {
                skip()
                if i < s.count, s[i] == "}" { i += 1; return .dict(d) }
                guard case .string(let k) = try parse() else { throw Failure() }
                try expect(":")
                d[k] = try parse()
                skip()
                if i < s.count, s[i] == "," { i += 1 }
            }
        case "(":
            i += 1
            var items: [Int] = []
            while true {
                skip()
                if i < s.count, s[i] == ")" { i += 1; return .tuple(items) }
                guard case .int(let v) = try parse() else { throw Failure() }
                items.append(v)
                skip()
                if i < s.count, s[i] == "," { i += 1 }
            }
        case "[":
            // A structured dtype's field list: skip it.
            var depth = 0
            while i < s.count {
                if s[i] == "[" { depth += 1 } else if s[i] == "]" { depth -= 1; if depth == 0 { i += 1; return .list } }
                i += 1
            }
            throw Failure()
        case "'", "\"":
            i += 1
            var out = ""
            while i < s.count, s[i] != c { out.unicodeScalars.append(s[i]); i += 1 }
            guard i < s.count else { throw Failure() }
            i += 1
            return .string(out)
        default:
            var word = ""
            while i < s.count, s[i].properties.isAlphabetic || ("0"..."9").contains(s[i]) || s[i] == "-" || s[i] == "_" {
                word.unicodeScalars.append(s[i]); i += 1
            }
            if word == "True" { return .bool(true) }
            if word == "False" { return .bool(false) }
            if word.hasSuffix("L") { word.removeLast() }
            guard let v = Int(word) else { throw Failure() }
            return .int(v)
        }
    }
}
