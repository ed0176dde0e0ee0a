import Foundation
import NNGCore

/// One line of a chart.
public struct ChartSeries: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    /// An SVG colour.
    public var color: String
    public var dashed: Bool
    /// Points only (a scatter plot: small translucent dots, no line).
    public var pointsOnly: Bool

    public init(name: String, points: [(x: Double, y: Double)], color: String, dashed: Bool = false, pointsOnly: Bool = false) {
        self.name = name
        self.points = points
        self.color = color
        self.dashed = dashed
        self.pointsOnly = pointsOnly
    }
}

/// `loss.svg`: training and validation loss per epoch.
public func lossChartSVG(history: History, title: String? = nil) -> String {
    var series = [ChartSeries(name: "train", points: history.records.map { (Double($0.epoch), $0.trainLoss) }, color: "#1f77b4")]
    let val = history.records.compactMap { r in r.validationLoss.map { (x: Double(r.epoch), y: $0) } }
    if !val.isEmpty { series.append(ChartSeries(name: "validation", points: val, color: "#d62728", dashed: true)) }
    return lineChartSVG(series: series, xLabel: "epoch", yLabel: "loss", title: title, integerX: true)
}

/// A line chart with numbered ticks, axis labels and a legend. The y axis is logarithmic
/// when `allowLogY` and every value is positive and they span more than two decades. Non-finite points
/// (and non-positive ones on a log axis) are left out, breaking the line.
public func lineChartSVG(series: [ChartSeries], xLabel: String, yLabel: String, title: String? = nil,
                         width: Int = 640, height: Int = 400, integerX: Bool = false, allowLogY: Bool = true) -> String {
    let W = Double(width), H = Double(height)
    let left = 76.0, right = 20.0, top = title == nil ? 20.0 : 40.0, bottom = 52.0
    let plotW = W - left - right, plotH = H - top - bottom

    let finite = series.flatMap { $0.points }.filter { $0.x.isFinite && $0.y.isFinite }
    let ys = finite.map(\.y)
    let positive = ys.filter { $0 > 0 }
    let logY = allowLogY && !ys.isEmpty && positive.count == ys.count && positive.max()! / positive.min()! > 100

    // x axis
    var xMin = finite.map(\.x).min() ?? 0, xMax = finite.map(\.x).max() ?? 1
    if xMax == xMin { xMin -= 1; xMax += 1 }
    var xStep = chartNiceStep((xMax - xMin) / 6)
    if integerX { xStep = max(1, xStep.rounded()) }
    let xTicks = chartTicks(from: xMin, to: xMax, step: xStep)

    // y axis (in log10 units on a log axis)
    var yMin: Double, yMax: Double
    var yTicks: [Double], yMinor: [Double] = []
    if logY {
        yMin = floor(log10(positive.min()!)); yMax = ceil(log10(positive.max()!))
        if yMax == yMin { yMax += 1 }
        let every = max(1.0, ceil((yMax - yMin) / 8))
        yTicks = stride(from: yMin, through: yMax, by: every).map { $0 }
        if yMax - yMin <= 4 {
            for d in stride(from: yMin, to: yMax, by: 1) { for k in 2...9 { yMinor.append(d + log10(Double(k))) } }
        }
    } else {
        yMin = ys.min() ?? 0; yMax = ys.max() ?? 1
        if yMax == yMin { let pad = yMin == 0 ? 1 : abs(yMin) * 0.1; yMin -= pad; yMax += pad }
        let step = chartNiceStep((yMax - yMin) / 5)
        yMin = floor(yMin / step) * step; yMax = ceil(yMax / step) * step
        yTicks = chartTicks(from: yMin, to: yMax, step: step)
    }
    func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
    func py(_ y: Double) -> Double {
        let v = logY ? log10(y) : y
        return top + plotH - (v - yMin) / (yMax - yMin) * plotH
    }
    func pyTick(_ t: Double) -> Double { top + plotH - (t - yMin) / (yMax - yMin) * plotH }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }

    var s = """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
    font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">

    """
    s += "<rect width=\"\(width)\" height=\"\(height)\" fill=\"white\"/>\n"
    if let title { s += "<text class=\"title\" x=\"\(f(W / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(svgEscape(title))</text>\n" }
    // grid and ticks
    s += "<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n"
    for t in yMinor { s += "<line x1=\"\(f(left))\" y1=\"\(f(pyTick(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(pyTick(t)))\" stroke=\"#f2f2f2\"/>\n" }
    for t in yTicks { s += "<line x1=\"\(f(left))\" y1=\"\(f(pyTick(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(pyTick(t)))\"/>\n" }
    for t in xTicks { s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\"/>\n" }
    s += "</g>\n"
    s += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
    s += "<g class=\"x-ticks\" text-anchor=\"middle\">\n"
    for t in xTicks {
        s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#333\"/>"
        s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 19))\">\(chartTickLabel(t, step: xStep))</text>\n"
    }
    s += "</g>\n<g class=\"y-ticks\" text-anchor=\"end\">\n"
    let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
    for t in yTicks {
        let label = logY ? chartDecadeLabel(Int(t)) : chartTickLabel(t, step: yStep)
        s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(pyTick(t)))\" x2=\"\(f(left))\" y2=\"\(f(pyTick(t)))\" stroke=\"#333\"/>"
        s += "<text x=\"\(f(left - 8))\" y=\"\(f(pyTick(t) + 4))\">\(label)</text>\n"
    }
    s += "</g>\n"
    s += "<text class=\"x-label\" x=\"\(f(left + plotW / 2))\" y=\"\(f(H - 12))\" text-anchor=\"middle\" font-size=\"13\">\(svgEscape(xLabel))</text>\n"
    let yl = "\(f(18)),\(f(top + plotH / 2))"
    s += "<text class=\"y-label\" transform=\"translate(\(yl)) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(svgEscape(yLabel + (logY ? " (log scale)" : "")))</text>\n"

    // lines
    s += "<g class=\"series\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n"
    for se in series {
        var segments: [[(Double, Double)]] = [[]]
        for p in se.points {
            if p.x.isFinite, p.y.isFinite, !logY || p.y > 0 { segments[segments.count - 1].append((px(p.x), py(p.y))) }
            else if !segments[segments.count - 1].isEmpty { segments.append([]) }
        }
        let dash = se.dashed ? " stroke-dasharray=\"6 4\"" : ""
        if se.pointsOnly {
            s += "<g data-series=\"\(svgEscape(se.name))\" fill=\"\(se.color)\" fill-opacity=\"0.35\" stroke=\"none\">\n"
            for seg in segments { for (x, y) in seg { s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"1.8\"/>\n" } }
            s += "</g>\n"
            continue
        }
        for seg in segments where !seg.isEmpty {
            let pts = seg.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
            s += "<polyline data-series=\"\(svgEscape(se.name))\" stroke=\"\(se.color)\"\(dash) points=\"\(pts)\"/>\n"
        }
        if se.points.count <= 40 {
            for seg in segments { for (x, y) in seg { s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"2.5\" fill=\"\(se.color)\" stroke=\"none\"/>\n" } }
        }
    }
    s += "</g>\n"

    // legend (top right, inside the plot)
    let legendW = 24.0 + 7.5 * Double(series.map(\.name.count).max() ?? 0) + 20
    let lx = left + plotW - legendW - 8, ly = top + 8
    s += "<g class=\"legend\">\n<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"\(f(legendW))\" height=\"\(f(8 + 18 * Double(series.count)))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
    for (k, se) in series.enumerated() {
        let y = ly + 13 + 18 * Double(k)
        let dash = se.dashed ? " stroke-dasharray=\"6 4\"" : ""
        if se.pointsOnly {
            s += "<circle cx=\"\(f(lx + 19))\" cy=\"\(f(y))\" r=\"3\" fill=\"\(se.color)\" fill-opacity=\"0.6\"/>"
        } else {
            s += "<line x1=\"\(f(lx + 8))\" y1=\"\(f(y))\" x2=\"\(f(lx + 30))\" y2=\"\(f(y))\" stroke=\"\(se.color)\" stroke-width=\"2\"\(dash)/>"
        }
        s += "<text x=\"\(f(lx + 36))\" y=\"\(f(y + 4))\">\(svgEscape(se.name))</text>\n"
    }
    s += "</g>\n</svg>\n"
    return s
}

/// 1, 2 or 5 times a power of ten, near `raw`.
func chartNiceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let mag = pow(10, floor(log10(raw)))
    let f = raw / mag
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag
}

func chartTicks(from lo: Double, to hi: Double, step: Double) -> [Double] {
    var out: [Double] = []
    var k = ceil(lo / step - 1e-9)
    while k * step <= hi + step * 1e-9, out.count < 100 {
        out.append(k * step == 0 ? 0 : k * step)
        k += 1
    }
    return out
}

/// A tick value with as many decimals as the step needs.
func chartTickLabel(_ v: Double, step: Double) -> String {
    let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
    if abs(v) >= 1e6 || (abs(v) < 1e-4 && v != 0) { return String(format: "%.0e", v) }
    return String(format: "%.\(decimals)f", v)
}

/// 10^k as `0.001` … `1000`, else `1e-5`.
func chartDecadeLabel(_ k: Int) -> String {
    if k >= 0, k <= 3 { return String(Int(pow(10, Double(k)))) }
    if k < 0, k >= -3 { return "0." + String(repeating: "0", count: -k - 1) + "1" }
    return "1e\(k)"
}

func svgEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
