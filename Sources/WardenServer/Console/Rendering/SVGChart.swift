import Foundation

/// Charts drawn on the server as inline SVG: no script, styled by classes from the console's stylesheet
/// (the Content-Security-Policy allows no inline style). Every chart comes with a label for screen readers,
/// and the pages put the table of its numbers beside it, so it reads without JavaScript or sight.
enum SVGChart {
    /// A small line of `values` (oldest first), for a table cell.
    static func sparkline(_ values: [Int], label: String, width: Int = 120, height: Int = 24) -> String {
        guard values.count > 1 else { return "" }
        let top = max(1, values.max() ?? 1)
        let step = Double(width - 2) / Double(values.count - 1)
        let points = values.enumerated().map { index, value in
            let x = 1 + Double(index) * step
            let y = Double(height - 2) - Double(value) / Double(top) * Double(height - 4) + 1
            return "\(format(x)),\(format(y))"
        }.joined(separator: " ")
        return "<svg class=\"spark\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
            + "<polyline points=\"\(points)\" fill=\"none\"/></svg>"
    }

    /// One series of a bar chart: a name (its CSS class is `bar-<name>`) and a value per column.
    struct Series {
        let name: String
        let values: [Double]
    }

    /// Stacked bars, one column per label (oldest first), each series a class of its own.
    static func bars(labels: [String], series: [Series], label: String, width: Int = 640, height: Int = 180) -> String {
        guard !labels.isEmpty else { return "" }
        let totals = labels.indices.map { column in series.reduce(0) { $0 + ($1.values.indices.contains(column) ? $1.values[column] : 0) } }
        let top = max(1, totals.max() ?? 1)
        let plotHeight = Double(height - 28)
        let slot = Double(width) / Double(labels.count)
        let barWidth = max(2, slot * 0.7)
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
        out += "<line class=\"axis\" x1=\"0\" y1=\"\(format(plotHeight))\" x2=\"\(width)\" y2=\"\(format(plotHeight))\"/>"
        for column in labels.indices {
            var base = plotHeight
            let x = Double(column) * slot + (slot - barWidth) / 2
            for s in series {
                let value = s.values.indices.contains(column) ? s.values[column] : 0
                guard value > 0 else { continue }
                let h = value / top * (plotHeight - 4)
                base -= h
                out += "<rect class=\"bar-\(HTML.escape(s.name))\" x=\"\(format(x))\" y=\"\(format(base))\" width=\"\(format(barWidth))\" height=\"\(format(h))\">"
                    + "<title>\(HTML.escape(labels[column])): \(HTML.escape(s.name)) \(format(value))</title></rect>"
            }
        }
        // The first and last labels under the axis; the table beside the chart has all of them.
        if let first = labels.first { out += "<text class=\"tick\" x=\"0\" y=\"\(height - 4)\">\(HTML.escape(first))</text>" }
        if labels.count > 1, let last = labels.last {
            out += "<text class=\"tick\" x=\"\(width)\" y=\"\(height - 4)\" text-anchor=\"end\">\(HTML.escape(last))</text>"
        }
        return out + "</svg>"
    }

    /// A line over time (points oldest first), for a member's escalation points.
    static func line(_ points: [(label: String, value: Double)], label: String, width: Int = 640, height: Int = 140) -> String {
        // One point makes no line; the table beside it says it.
        guard points.count > 1 else { return "" }
        let top = max(1, points.map(\.value).max() ?? 1)
        let plotHeight = Double(height - 20)
        let step = points.count > 1 ? Double(width - 8) / Double(points.count - 1) : 0
        let coordinates = points.enumerated().map { index, point in
            (x: 4 + Double(index) * step, y: plotHeight - point.value / top * (plotHeight - 8) + 4)
        }
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
        out += "<line class=\"axis\" x1=\"0\" y1=\"\(format(plotHeight))\" x2=\"\(width)\" y2=\"\(format(plotHeight))\"/>"
        out += "<polyline class=\"series\" fill=\"none\" points=\"" + coordinates.map { "\(format($0.x)),\(format($0.y))" }.joined(separator: " ") + "\"/>"
        for (point, c) in zip(points, coordinates) {
            out += "<circle class=\"dot\" cx=\"\(format(c.x))\" cy=\"\(format(c.y))\" r=\"3\"><title>\(HTML.escape(point.label)): \(format(point.value))</title></circle>"
        }
        return out + "</svg>"
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.1f", value)
    }
}
