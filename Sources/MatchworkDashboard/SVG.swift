import Foundation

/// Charts drawn on the server as inline SVG: no script, no fonts to fetch, readable at any width
/// (a `viewBox` that scales), with a `<title>` on every mark for the values.
public enum SVG {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped for XML and HTML.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Stacked daily bars: one bar per day, one colour per series, with a legend.
    public static func dailyBars(days: [String], series: [(name: String, values: [Int])], title: String) -> String {
        let width = 720.0, height = 220.0, left = 40.0, bottom = 30.0, top = 24.0
        let totals = days.indices.map { d in series.reduce(0) { $0 + (d < $1.values.count ? $1.values[d] : 0) } }
        let peak = Double(max(1, totals.max() ?? 1))
        let slot = (width - left - 10) / Double(max(1, days.count))
        let colours = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f"]
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        // Axis and its peak.
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#999\"/>"
        svg += "<text x=\"\(left - 4)\" y=\"\(top + 4)\" text-anchor=\"end\" font-size=\"11\">\(Int(peak))</text>"
        svg += "<text x=\"\(left - 4)\" y=\"\(height - bottom)\" text-anchor=\"end\" font-size=\"11\">0</text>"
        for (d, day) in days.enumerated() {
            var y = height - bottom
            for (k, s) in series.enumerated() {
                let v = d < s.values.count ? s.values[d] : 0
                guard v > 0 else { continue }
                let h = Double(v) / peak * (height - bottom - top)
                y -= h
                svg += "<rect x=\(q(left + Double(d) * slot + 1)) y=\(q(y)) width=\(q(max(1, slot - 2))) height=\(q(h)) fill=\"\(colours[k % colours.count])\"><title>\(escape(day)): \(v) \(escape(s.name))</title></rect>"
            }
            if days.count <= 31, d % max(1, days.count / 8) == 0 {
                svg += "<text x=\(q(left + (Double(d) + 0.5) * slot)) y=\(q(height - bottom + 14)) text-anchor=\"middle\" font-size=\"10\">\(escape(String(day.suffix(5))))</text>"
            }
        }
        var x = left
        for (k, s) in series.enumerated() {
            svg += "<rect x=\(q(x)) y=\"4\" width=\"10\" height=\"10\" fill=\"\(colours[k % colours.count])\"/><text x=\(q(x + 14)) y=\"13\" font-size=\"11\">\(escape(s.name))</text>"
            x += 14 + Double(s.name.count) * 7 + 16
        }
        return svg + "</svg>"
    }

    /// Each row's estimate with its interval as a bar around a zero line (differences of rates,
    /// in percentage points).
    public static func intervals(_ rows: [(label: String, estimate: Double, lower: Double?, upper: Double?)], title: String, unit: String = " points") -> String {
        let width = 720.0, rowHeight = 34.0, left = 190.0, right = 120.0
        let height = Double(rows.count) * rowHeight + 40
        var values: [Double] = [0]
        for row in rows { values += [row.estimate, row.lower ?? row.estimate, row.upper ?? row.estimate] }
        let span = max(1e-9, (values.max() ?? 1) - (values.min() ?? -1))
        let lo = (values.min() ?? 0) - 0.1 * span, hi = (values.max() ?? 0) + 0.1 * span
        func x(_ v: Double) -> Double { left + (v - lo) / (hi - lo) * (width - left - right) }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        svg += "<line x1=\(q(x(0))) y1=\"10\" x2=\(q(x(0))) y2=\(q(height - 20)) stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
        svg += "<text x=\(q(x(0))) y=\(q(height - 6)) text-anchor=\"middle\" font-size=\"11\">0</text>"
        for (k, row) in rows.enumerated() {
            let y = 20 + Double(k) * rowHeight
            svg += "<text x=\(q(left - 8)) y=\(q(y + 5)) text-anchor=\"end\" font-size=\"12\">\(escape(row.label))</text>"
            if let l = row.lower, let u = row.upper {
                let colour = l > 0 ? "#59a14f" : u < 0 ? "#e15759" : "#4e79a7"
                svg += "<rect x=\(q(x(l))) y=\(q(y - 6)) width=\(q(max(1, x(u) - x(l)))) height=\"12\" fill=\"\(colour)\" opacity=\"0.35\"><title>\(escape(row.label)): \(number(l)) to \(number(u))\(escape(unit))</title></rect>"
                svg += "<text x=\(q(x(u) + 4)) y=\(q(y + 4)) font-size=\"11\">[\(number(l)), \(number(u))]</text>"
            }
            svg += "<circle cx=\(q(x(row.estimate))) cy=\(q(y)) r=\"4\" fill=\"#333\"><title>\(escape(row.label)): \(number(row.estimate))\(escape(unit))</title></circle>"
        }
        return svg + "</svg>"
    }

    /// One line per series over days (cumulative lift, in percent).
    public static func lines(days: Int, series: [(name: String, values: [Double?])], title: String, unit: String = "%") -> String {
        let width = 720.0, height = 220.0, left = 50.0, bottom = 30.0, top = 24.0
        var all: [Double] = [0]
        for s in series { all += s.values.compactMap { $0 } }
        let lo = all.min() ?? 0, hi = all.max() ?? 1
        let span = max(1e-9, hi - lo)
        func x(_ d: Int) -> Double { left + Double(d) / Double(max(1, days - 1)) * (width - left - 10) }
        func y(_ v: Double) -> Double { height - bottom - (v - lo) / span * (height - bottom - top) }
        let colours = ["#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#9c755f", "#4e79a7"]
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        svg += "<line x1=\"\(left)\" y1=\(q(y(0))) x2=\"\(width - 10)\" y2=\(q(y(0))) stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
        svg += "<text x=\(q(left - 4)) y=\(q(y(hi) + 4)) text-anchor=\"end\" font-size=\"11\">\(number(hi))\(escape(unit))</text>"
        svg += "<text x=\(q(left - 4)) y=\(q(y(lo))) text-anchor=\"end\" font-size=\"11\">\(number(lo))\(escape(unit))</text>"
        for (k, s) in series.enumerated() {
            let points = s.values.enumerated().compactMap { d, v in v.map { "\(number(x(d))),\(number(y($0)))" } }
            guard !points.isEmpty else { continue }
            svg += "<polyline fill=\"none\" stroke=\"\(colours[k % colours.count])\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"><title>\(escape(s.name))</title></polyline>"
            for (d, v) in s.values.enumerated() {
                guard let v else { continue }
                svg += "<circle cx=\(q(x(d))) cy=\(q(y(v))) r=\"2.5\" fill=\"\(colours[k % colours.count])\"><title>\(escape(s.name)), day \(d + 1): \(number(v))\(escape(unit))</title></circle>"
            }
            svg += "<rect x=\(q(left + Double(k) * 120)) y=\"4\" width=\"10\" height=\"10\" fill=\"\(colours[k % colours.count])\"/><text x=\(q(left + Double(k) * 120 + 14)) y=\"13\" font-size=\"11\">\(escape(s.name))</text>"
        }
        return svg + "</svg>"
    }

    /// Horizontal bars, one per row, longest first as given (feature importance: share of gain).
    public static func bars(_ rows: [(label: String, value: Double)], title: String, unit: String = "%") -> String {
        let width = 720.0, rowHeight = 20.0, left = 200.0, right = 60.0
        let height = Double(rows.count) * rowHeight + 16
        let peak = max(1e-12, rows.map(\.value).max() ?? 1)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (k, row) in rows.enumerated() {
            let y = 8 + Double(k) * rowHeight
            let w = row.value / peak * (width - left - right)
            svg += "<text x=\(q(left - 6)) y=\(q(y + 13)) text-anchor=\"end\" font-size=\"11\">\(escape(row.label))</text>"
            svg += "<rect x=\(q(left)) y=\(q(y + 3)) width=\(q(max(1, w))) height=\"13\" fill=\"#4e79a7\"><title>\(escape(row.label)): \(number(row.value))\(escape(unit))</title></rect>"
            svg += "<text x=\(q(left + w + 4)) y=\(q(y + 13)) font-size=\"11\">\(number(row.value))\(escape(unit))</text>"
        }
        return svg + "</svg>"
    }

    /// An attribute value, quoted.
    static func q(_ x: Double) -> String { "\"\(number(x))\"" }
}
