import Foundation

/// Loss curves over iterations on a log-scale y axis: one line per series (the first drawn thickest, as the total),
/// vertical dashed lines where a marker says something changed (a new scale), labelled axes with tick values, a
/// legend and a title. Points that are not positive and finite cannot sit on a log axis and are left out.
public struct LossPlot: Sendable {
    public struct Point: Sendable, Equatable {
        public var x, y: Double
        public init(x: Double, y: Double) { (self.x, self.y) = (x, y) }
    }

    public struct Series: Sendable {
        public var name: String
        public var points: [Point]
        public init(name: String, points: [Point]) { (self.name, self.points) = (name, points) }
    }

    /// A vertical line at `x` with `label` above the plot; lines are not joined across it.
    public struct Marker: Sendable {
        public var x: Double
        public var label: String
        public init(x: Double, label: String) { (self.x, self.label) = (x, label) }
    }

    public var title: String
    public var series: [Series]
    public var markers: [Marker]
    public var xLabel = "iteration"
    public var yLabel = "loss (log scale)"
    public var width = 960
    public var height = 600

    public init(title: String, series: [Series], markers: [Marker] = []) {
        self.title = title
        self.series = series
        self.markers = markers
    }

    /// Draws the plot into a PNG at `path` (temporary file, then rename).
    public func write(to path: String) throws {
        try PNGOutput.check(path)
        let drawable = series.map { s in Series(name: s.name, points: s.points.filter { $0.y > 0 && $0.y.isFinite && $0.x.isFinite }) }
            .filter { !$0.points.isEmpty }
        guard !drawable.isEmpty else { throw PlotError.noData(path: path) }
        let canvas = try Canvas(width: width, height: height)
        draw(drawable, on: canvas)
        try canvas.writePNG(to: path)
    }

    // Colours a reader can tell apart (the first, the total, is black).
    private static let palette: [Canvas.Color] = [
        .black, Canvas.Color(r: 0.12, g: 0.47, b: 0.71), Canvas.Color(r: 0.85, g: 0.37, b: 0.01),
        Canvas.Color(r: 0.17, g: 0.63, b: 0.17), Canvas.Color(r: 0.84, g: 0.15, b: 0.16),
        Canvas.Color(r: 0.58, g: 0.40, b: 0.74), Canvas.Color(r: 0.55, g: 0.34, b: 0.29),
        Canvas.Color(r: 0.89, g: 0.47, b: 0.76), Canvas.Color(r: 0.09, g: 0.75, b: 0.81),
    ]

    private func draw(_ drawable: [Series], on canvas: Canvas) {
        let all = drawable.flatMap(\.points)
        var (x0, x1) = (all.map(\.x).min()!, all.map(\.x).max()!)
        if x1 <= x0 { (x0, x1) = (x0 - 1, x1 + 1) }
        let ticksX = Self.niceTicks(from: x0, to: x1, about: 8)
        var (d0, d1) = (floor(log10(all.map(\.y).min()!)), ceil(log10(all.map(\.y).max()!)))
        if d1 <= d0 { d1 = d0 + 1 }

        // Margins: title and marker labels above, tick labels and axis labels left and below.
        let font = 14.0
        canvas.font(size: font)
        let line = canvas.lineHeight
        let markerRows = markers.isEmpty ? 0.0 : 2
        let top = 12 + line * 1.4 + 8 + markerRows * line + 6
        let tickLabelWidth = (Int(d0)...Int(d1)).map { canvas.textWidth(Self.power(of: $0)) }.max() ?? 0
        let left = 12 + line + 10 + tickLabelWidth + 8
        let (right, bottom) = (20.0, 12 + line + 10 + line + 8)
        let plot = (x: left, y: top, w: Double(width) - left - right, h: Double(height) - top - bottom)
        func px(_ x: Double) -> Double { plot.x + (x - x0) / (x1 - x0) * plot.w }
        func py(_ y: Double) -> Double { plot.y + plot.h - (log10(y) - d0) / (d1 - d0) * plot.h }

        // Grid and ticks: a labelled line at every decade, light lines at 2…9 × each decade when there is room.
        let decades = Int(d0)...Int(d1)
        let labelEvery = max(1, decades.count / 10)
        for d in decades {
            let y = py(pow(10, Double(d)))
            canvas.line([(plot.x, y), (plot.x + plot.w, y)], color: .gray(0.82))
            if (d - Int(d0)) % labelEvery == 0 { canvas.text(Self.power(of: d), x: plot.x - 8, y: y, horizontal: 1) }
            guard d < Int(d1), decades.count <= 5 else { continue }
            for m in 2...9 {
                let y = py(Double(m) * pow(10, Double(d)))
                canvas.line([(plot.x, y), (plot.x + plot.w, y)], color: .gray(0.94))
            }
        }
        for t in ticksX {
            let x = px(t)
            canvas.line([(x, plot.y + plot.h), (x, plot.y + plot.h + 5)], color: .black)
            canvas.text(Self.format(t), x: x, y: plot.y + plot.h + 8 + line / 2, horizontal: 0.5)
        }
        canvas.strokeRectangle(x: plot.x, y: plot.y, width: plot.w, height: plot.h, color: .black)

        // Markers: dashed lines, labels above the plot on two rows so neighbours do not overlap.
        var rowEnds = [-Double.infinity, -Double.infinity]
        for m in markers where m.x >= x0 && m.x <= x1 {
            let x = px(m.x)
            canvas.line([(x, plot.y), (x, plot.y + plot.h)], color: .gray(0.35), dash: 5)
            let w = canvas.textWidth(m.label)
            let start = min(max(x - w / 2, 0), Double(width) - w - 4)
            let row = rowEnds[0] + 8 <= start ? 0 : 1
            canvas.text(m.label, x: start, y: plot.y - 6 - line * (0.5 + Double(row)), color: .gray(0.25))
            rowEnds[row] = start + w
        }

        // Curves, not joined across a marker.
        canvas.clipped(x: plot.x, y: plot.y, width: plot.w, height: plot.h) {
            for (i, s) in drawable.enumerated().reversed() {
                var run: [(Double, Double)] = []
                var previous: Double?
                for p in s.points {
                    if let previous, markers.contains(where: { previous < $0.x && $0.x <= p.x }) {
                        canvas.line(run, color: Self.palette[i % Self.palette.count], width: i == 0 ? 2.5 : 1.5)
                        run = []
                    }
                    run.append((px(p.x), py(p.y)))
                    previous = p.x
                }
                canvas.line(run, color: Self.palette[i % Self.palette.count], width: i == 0 ? 2.5 : 1.5)
            }
        }

        // Legend on white, in the corner or side of the plot where it hides the least of the curves.
        let swatch = 26.0, pad = 8.0
        let legendWidth = swatch + 6 + (drawable.map { canvas.textWidth($0.name) }.max() ?? 0) + 2 * pad
        let legendHeight = Double(drawable.count) * line * 1.2 + 2 * pad - line * 0.2
        let xs = [plot.x + plot.w - legendWidth - 10, plot.x + 10]
        let ys = [plot.y + 10, plot.y + (plot.h - legendHeight) / 2, plot.y + plot.h - legendHeight - 10]
        let places = xs.flatMap { x in ys.map { y in (x, y) } }
        // The curves as drawn, sampled along each segment so a line crossing a box counts.
        var samples: [(Double, Double)] = []
        for s in drawable {
            for (a, b) in zip(s.points, s.points.dropFirst()) {
                let (ax, ay, bx, by) = (px(a.x), py(a.y), px(b.x), py(b.y))
                for k in 0..<8 { samples.append((ax + (bx - ax) * Double(k) / 8, ay + (by - ay) * Double(k) / 8)) }
            }
            if let last = s.points.last { samples.append((px(last.x), py(last.y))) }
        }
        let hidden = places.map { place in
            samples.filter { $0.0 >= place.0 && $0.0 <= place.0 + legendWidth && $0.1 >= place.1 && $0.1 <= place.1 + legendHeight }.count
        }
        let (lx, ly) = places[hidden.indices.min { hidden[$0] < hidden[$1] }!]
        canvas.fill(x: lx, y: ly, width: legendWidth, height: legendHeight, color: .white)
        canvas.strokeRectangle(x: lx, y: ly, width: legendWidth, height: legendHeight, color: .gray(0.6))
        for (i, s) in drawable.enumerated() {
            let y = ly + pad + line * 1.2 * Double(i) + line / 2
            canvas.line([(lx + pad, y), (lx + pad + swatch, y)], color: Self.palette[i % Self.palette.count], width: i == 0 ? 2.5 : 1.5)
            canvas.text(s.name, x: lx + pad + swatch + 6, y: y)
        }

        // Axis labels and title.
        canvas.text(xLabel, x: plot.x + plot.w / 2, y: Double(height) - 10 - line / 2, horizontal: 0.5)
        canvas.text(yLabel, x: 12 + line / 2, y: plot.y + plot.h / 2, horizontal: 0.5, rotated: true)
        canvas.font(size: font * 1.3, bold: true)
        canvas.text(title, x: Double(width) / 2, y: 12 + line * 0.7, horizontal: 0.5)
    }

    /// 10 to the power `d`, with a superscript exponent ("10⁻³").
    static func power(of d: Int) -> String {
        let superscripts: [Character: Character] = [
            "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹",
        ]
        return "10" + String(String(d).map { superscripts[$0]! })
    }

    /// Round tick values (1, 2 or 5 × 10^k apart) covering [a, b], about `count` of them.
    static func niceTicks(from a: Double, to b: Double, about count: Int) -> [Double] {
        let raw = (b - a) / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return stride(from: ceil(a / step) * step, through: b + step * 1e-9, by: step).map { $0 }
    }

    private static func format(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%g", v)
    }
}
