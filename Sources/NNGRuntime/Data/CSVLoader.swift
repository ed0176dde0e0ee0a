import Foundation
import NNGCore
import NNGIR
import NNGTrain

/// Reads numeric columns of a CSV file.
///
/// - Fields are separated by commas; spaces around a field and a pair of double quotes
///   around it are ignored. Lines end with `\n` or `\r\n`; blank lines are skipped.
/// - `header = auto`: the first line is a header when one of its fields is not a number.
/// - Every line must have as many fields as the first one.
/// - Only the selected columns must be numeric (other columns may hold text).
/// - Each binding gives [N, k] for k columns, or [N] when `flat` names it (an input of rank 1
///   takes one column as [N]).
/// - Every selected cell must be a finite number (`nan`, `inf` and `1e999` are refused) unless
///   `allowNonFinite` (the source's `allow_nonfinite = true`).
/// Errors name the file, the line and the column (`data.csv:4:3: 'abc' is not a number (column 1)`).
///
/// `block`: only the data rows of the range it gives for the file's row count are parsed and
/// returned (a rank's share, DataLoader); errors still name the line in the whole file.
public func parseCSV(_ bytes: [UInt8], path: String, columns: [String: [Int]], header: CSVHeader,
                     flat: Set<String> = [], allowNonFinite: Bool = false,
                     block: ((Int) -> Range<Int>)? = nil) throws(DataError) -> [String: Tensor] {
    // Split into lines: (1-based line number, byte range without the line end).
    var lines: [(number: Int, start: Int, end: Int)] = []
    var lineStart = 0
    var lineNumber = 1
    let n = bytes.count
    var i = 0
    while i <= n {
        if i == n || bytes[i] == 0x0A {
            var end = i
            if end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
            if !isBlank(bytes, lineStart, end) { lines.append((lineNumber, lineStart, end)) }
            lineNumber += 1
            lineStart = i + 1
        }
        i += 1
    }
    guard let first = lines.first else { throw DataError("\(path): the file is empty") }

    let firstFields = fields(bytes, first.start, first.end)
    let width = firstFields.count
    let hasHeader: Bool
    switch header {
    case .present: hasHeader = true
    case .absent: hasHeader = false
    case .auto: hasHeader = firstFields.contains { number(bytes, $0) == nil }
    }
    for (name, cols) in columns.sorted(by: { $0.key < $1.key }) {
        for c in cols where c >= width {
            throw DataError("\(path): column \(c) of '\(name)' is out of range: the file has \(width) column\(width == 1 ? "" : "s") (0…\(width - 1))")
        }
        if flat.contains(name), cols.count != 1 {
            throw DataError("'\(name)' takes one column as [N] (its input has rank 1), got \(cols.count) columns")
        }
    }
    let allRows = hasHeader ? Array(lines.dropFirst()) : lines
    guard !allRows.isEmpty else { throw DataError("\(path): no data rows after the header") }
    let rows = block.map { Array(allRows[$0(allRows.count)]) } ?? allRows

    // The columns needed, each read once.
    let needed = Array(Set(columns.values.flatMap { $0 })).sorted()
    var slot = [Int](repeating: -1, count: width)
    for (k, c) in needed.enumerated() { slot[c] = k }
    var values = [[Double]](repeating: [], count: needed.count)
    for k in values.indices { values[k].reserveCapacity(rows.count) }
    for row in rows {
        let fs = fields(bytes, row.start, row.end)
        guard fs.count == width else {
            throw DataError("\(path):\(row.number): expected \(width) column\(width == 1 ? "" : "s"), found \(fs.count)")
        }
        for (c, f) in fs.enumerated() where slot[c] >= 0 {
            guard let v = number(bytes, f) else {
                let column = scalarCount(bytes, row.start, f.start) + 1
                let text = String(decoding: bytes[f.start..<f.end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                let what = text.isEmpty ? "empty cell" : "'\(text)' is not a number"
                throw DataError("\(path):\(row.number):\(column): \(what) (column \(c))")
            }
            // nan, inf and numbers beyond the range of a double (1e999) would only surface later
            // as a NaN loss that names neither the file nor the cell.
            guard v.isFinite || allowNonFinite else {
                let column = scalarCount(bytes, row.start, f.start) + 1
                let text = String(decoding: bytes[f.start..<f.end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                throw DataError("\(path):\(row.number):\(column): '\(text)' is not a finite number (column \(c)); allow_nonfinite = true accepts it")
            }
            values[slot[c]].append(v)
        }
    }
    var out: [String: Tensor] = [:]
    for (name, cols) in columns {
        let k = cols.count
        var flatValues = [Double](repeating: 0, count: rows.count * k)
        for (j, c) in cols.enumerated() {
            let src = values[slot[c]]
            for r in 0..<rows.count { flatValues[r * k + j] = src[r] }
        }
        let shape = flat.contains(name) ? [rows.count] : [rows.count, k]
        out[name] = Tensor(shape: shape, values: flatValues, dtype: .f64)
    }
    return out
}

private func isBlank(_ b: [UInt8], _ start: Int, _ end: Int) -> Bool {
    for i in start..<end where b[i] != 0x20 && b[i] != 0x09 { return false }
    return true
}

/// Field byte ranges of one line.
private func fields(_ b: [UInt8], _ start: Int, _ end: Int) -> [(start: Int, end: Int)] {
    var out: [(Int, Int)] = []
    var s = start
    var inQuotes = false
    for i in start..<end {
        if b[i] == 0x22 { inQuotes.toggle() }
        if b[i] == 0x2C, !inQuotes {
            out.append((s, i))
            s = i + 1
        }
    }
    out.append((s, end))
    return out
}

/// The number in a field (spaces and one pair of quotes around it allowed), or nil.
private func number(_ b: [UInt8], _ f: (start: Int, end: Int)) -> Double? {
    var s = f.start, e = f.end
    while s < e, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
    while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
    if e - s >= 2, b[s] == 0x22, b[e - 1] == 0x22 { s += 1; e -= 1 }
    guard s < e, e - s < 64 else { return nil }
    // Only plain decimal numbers (no hex floats, no "nan" spelled as a word other than nan/inf).
    for i in s..<e {
        let c = b[i]
        let ok = (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x2D || c == 0x2B || c == 0x65 || c == 0x45
            || c == 0x6E || c == 0x61 || c == 0x69 || c == 0x66 || c == 0x4E || c == 0x41 || c == 0x49 || c == 0x46
        if !ok { return nil }
    }
    return Double(String(decoding: b[s..<e], as: UTF8.self))
}

/// Unicode scalars in b[start..<end] (for 1-based columns).
private func scalarCount(_ b: [UInt8], _ start: Int, _ end: Int) -> Int {
    var c = 0
    for i in start..<end where b[i] & 0xC0 != 0x80 { c += 1 }
    return c
}
