/// The element type of every tensor in a graph.
public enum DType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    case f32, f64

    public var description: String { rawValue }

    /// Size of one element in bytes.
    public var byteSize: Int { self == .f32 ? 4 : 8 }
}
