import Foundation

/// A learning-curve picture as SVG: each training episode's return against the environment
/// steps at its end, a moving average over it, and the environment's reward threshold.
public struct LearningCurve: Sendable {
    /// Chart title.
    public var title: String
    /// `(global step at the episode's end, return)`, in order.
    public var points: [(step: Int, value: Double)]
    /// Episodes in the moving average.
    public var window: Int
    /// A dashed horizontal line, e.g. the reward threshold.
    public var threshold: Double?

    /// Creates a chart.
    public init(title: String, points: [(step: Int, value: Double)], window: Int = 20, threshold: Double? = nil) {
        self.title = title
        self.points = points
        self.window = max(window, 1)
        self.threshold = threshold
    }

    /// The moving average of the values, over the last `window` episodes at each point.
    public var movingAverage: [Double] {
        var sums: [Double] = []
        var total = 0.0
        for (index, point) in points.enumerated() {
            total += point.value
            if index >= window { total -= points[index - window].value }
            sums.append(total / Double(min(index + 1, window)))
        }
        return sums
    }

    /// The SVG document.
    public func svg(width: Double = 800, height: Double = 420) -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let values = points.map(\.value) + (threshold.map { [$0] } ?? [])
        let yTicks = Self.ticks(low: values.min() ?? 0, high: values.max() ?? 1)
        let xTicks = Self.ticks(low: 0, high: Double(max(points.last?.step ?? 1, 1)))
        let low = yTicks.first ?? 0, high = yTicks.last ?? 1, maxStep = xTicks.last ?? 1
        func x(_ step: Double) -> Double { left + plotWidth * step / maxStep }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - low) / (high - low)) }
        func polyline(_ series: [Double], color: String, width: Double) -> String {
            let coordinates = zip(points, series).map { String(format: "%.1f,%.1f", x(Double($0.step)), y($1)) }
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\" points=\"\(coordinates.joined(separator: " "))\"/>"
        }
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(Self.escaped(title))</text>",
            "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#888\"/>",
        ]
        for value in yTicks {
            svg.append(String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", left - 6, y(value) + 4) + Self.label(value) + "</text>")
            svg.append(String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, left + plotWidth, y(value), y(value)))
        }
        for step in xTicks {
            svg.append(String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x(step), top + plotHeight + 18) + Self.label(step) + "</text>")
        }
        svg.append("<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">environment steps</text>")
        svg.append("<text x=\"16\" y=\"\(top + plotHeight / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(top + plotHeight / 2))\">episode return</text>")
        if let threshold {
            svg.append(String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c33\" stroke-dasharray=\"6 4\"/>",
                              left, left + plotWidth, y(threshold), y(threshold)))
        }
        if !points.isEmpty {
            svg.append(polyline(points.map(\.value), color: "#9ab", width: 1))
            svg.append(polyline(movingAverage, color: "#1f4e9c", width: 2))
        }
        svg.append("<text x=\"\(left + 8)\" y=\"\(top + 16)\" fill=\"#1f4e9c\">mean of last \(window) episodes</text>")
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// Round tick values (1, 2 or 5 times a power of ten apart) covering `low...high`, about five of them.
    static func ticks(low: Double, high: Double) -> [Double] {
        let (low, high) = high - low < 1e-9 ? (low - 1, high + 1) : (low, high)
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = ([1.0, 2, 5, 10].first { $0 * magnitude >= raw } ?? 10) * magnitude
        let first = floor(low / step), last = ceil(high / step)
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    private static func label(_ value: Double) -> String {
        abs(value) >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
