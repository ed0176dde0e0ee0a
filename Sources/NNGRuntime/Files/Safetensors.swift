import NNGCore

/// A safetensors file: named tensors and string metadata.
///
/// Layout (as the Python `safetensors` package writes it): an 8-byte little-endian header
/// length n, n bytes of JSON `{"__metadata__": {…}, NAME: {"dtype": "F32"|"F64", "shape": […],
/// "data_offsets": [begin, end]}, …}` padded with spaces to a multiple of 8, then the data:
/// every tensor's little-endian elements, row-major, tensors sorted by name and contiguous.
public struct Safetensors: Sendable, Equatable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    // MARK: Writing

    public func serialized() -> [UInt8] {
        let names = tensors.keys.sorted()
        var header = "{"
        var members: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { jsonString($0) + ":" + jsonString(metadata[$0]!) }
            members.append("\"__metadata__\":{" + m.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let size = t.count * t.dtype.byteSize
            let dtype = t.dtype == .f32 ? "F32" : "F64"
            members.append(jsonString(name) + ":{\"dtype\":\"\(dtype)\",\"shape\":[" + t.shape.map(String.init).joined(separator: ",")
                           + "],\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        header += members.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        out += withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian, Array.init)
        out += headerBytes
        for name in names {
            switch tensors[name]!.storage {
            case .f32(let a): for x in a { out += withUnsafeBytes(of: x.bitPattern.littleEndian, Array.init) }
            case .f64(let a): for x in a { out += withUnsafeBytes(of: x.bitPattern.littleEndian, Array.init) }
            }
        }
        return out
    }

    /// Writes the file atomically (see `writeFileAtomically`).
    public func write(to path: String, beforeRename: (() throws -> Void)? = nil) throws {
        try writeFileAtomically(serialized(), to: path, beforeRename: beforeRename)
    }

    // MARK: Reading

    /// Reads a file; errors start with `path`.
    public static func read(path: String) throws(FileError) -> Safetensors {
        try Safetensors(bytes: try readFileBytes(path), path: path)
    }

    public init(bytes: [UInt8], path: String = "safetensors") throws(FileError) {
        guard bytes.count >= 8 else {
            throw FileError("\(path): the file is truncated (\(bytes.count) bytes; a safetensors file starts with an 8-byte header length)")
        }
        var n: UInt64 = 0
        for k in 0..<8 { n |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw FileError("\(path): the file is truncated: the header needs \(n) bytes, the file has \(bytes.count - 8) after the length")
        }
        let headerEnd = 8 + Int(n)
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(bytes[8..<headerEnd]))
        } catch {
            throw FileError("\(path): bad header JSON: \(error)")
        }
        guard case .object(let members) = json else { throw FileError("\(path): bad header JSON: not an object") }
        let dataSize = bytes.count - headerEnd
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let m) = value else { throw FileError("\(path): '__metadata__' is not an object") }
                for (k, v) in m {
                    guard case .string(let s) = v else { throw FileError("\(path): metadata '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard case .object(let fields) = value else { throw FileError("\(path): tensor '\(name)' is not described by an object") }
            func field(_ k: String) -> JSONValue? { fields.first { $0.0 == k }?.1 }
            guard case .string(let dtypeName)? = field("dtype") else { throw FileError("\(path): tensor '\(name)' has no dtype") }
            let dtype: DType
            switch dtypeName {
            case "F32": dtype = .f32
            case "F64": dtype = .f64
            default: throw FileError("\(path): tensor '\(name)' has unsupported dtype '\(dtypeName)' (supported: F32, F64)")
            }
            guard case .array(let shapeItems)? = field("shape"), let shape = integers(shapeItems) else {
                throw FileError("\(path): tensor '\(name)' has a bad shape")
            }
            guard case .array(let offsetItems)? = field("data_offsets"), let offsets = integers(offsetItems), offsets.count == 2 else {
                throw FileError("\(path): tensor '\(name)' has bad data_offsets")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end, end <= dataSize else {
                throw FileError("\(path): tensor '\(name)': data_offsets [\(begin), \(end)] are out of range (the data has \(dataSize) bytes)")
            }
            var count = 1
            for d in shape {
                let (m, o) = count.multipliedReportingOverflow(by: d)
                guard !o, m <= Int(Int32.max) else { throw FileError("\(path): tensor '\(name)' is too large") }
                count = m
            }
            guard count * dtype.byteSize == end - begin else {
                throw FileError("\(path): tensor '\(name)': shape \(Shape(shape)) needs \(count * dtype.byteSize) bytes but data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            let base = headerEnd + begin
            let storage: TensorStorage = bytes.withUnsafeBytes { raw in
                switch dtype {
                case .f32:
                    return .f32((0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * $0, as: UInt32.self))) })
                case .f64:
                    return .f64((0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * $0, as: UInt64.self))) })
                }
            }
            tensors[name] = Tensor(shape: shape, storage: storage)
        }
        self.init(tensors: tensors, metadata: metadata)
    }
}

/// Non-negative integers from JSON numbers, or nil.
private func integers(_ items: [JSONValue]) -> [Int]? {
    var out: [Int] = []
    for item in items {
        guard case .number(let x) = item, x >= 0, x == x.rounded(), x < 9e15 else { return nil }
        out.append(Int(x))
    }
    return out
}

/// A JSON string literal (no spaces, as the Python package writes).
private func jsonString(_ s: String) -> String { JSONValue.string(s).serialized() }
