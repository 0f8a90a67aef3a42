/// Pictures laid out in rows × columns with a gutter between them, a label left of each row and above each
/// column (e.g. `style_weight=1e5`) and a title. A row's height is its tallest cell, a column's width its widest
/// cell or label; each picture is centred in its slot. A missing cell (a run that did not happen) is a grey box.
public struct ContactSheet: Sendable {
    public struct Rect: Sendable, Equatable {
        public var x, y, width, height: Int
    }

    /// Where everything goes: the sheet's size and each present cell's rectangle, `[row][column]`.
    public struct Layout: Sendable, Equatable {
        public var width, height: Int
        public var cells: [[Rect?]]
    }

    public var title: String
    public var rowLabels: [String]
    /// Empty for a single column without a label.
    public var columnLabels: [String]
    /// `[row][column]`; nil where no picture exists.
    public var cells: [[Picture?]]
    public var gutter = 8
    public var fontSize = 14.0

    public init(title: String, rowLabels: [String], columnLabels: [String], cells: [[Picture?]]) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.cells = cells
    }

    public func layout() throws -> Layout {
        try layout(measuring: Canvas.measuring()).layout
    }

    /// Draws the sheet into a PNG at `path` (temporary file, then rename).
    public func write(to path: String) throws {
        try PNGOutput.check(path)
        try draw().writePNG(to: path)
    }

    /// The sheet as a picture: a frame of `stylize grid --video`.
    public func render() throws -> Picture {
        try draw().picture()
    }

    private func draw() throws -> Canvas {
        let (layout, slots, metrics) = try layout(measuring: Canvas.measuring())
        let canvas = try Canvas(width: layout.width, height: layout.height)
        canvas.font(size: fontSize * 1.3, bold: true)
        canvas.text(title, x: Double(layout.width) / 2, y: Double(gutter) + metrics.titleHeight / 2, horizontal: 0.5)
        canvas.font(size: fontSize)
        for (c, label) in columnLabels.enumerated() where c < slots.columns.count {
            let slot = slots.columns[c]
            canvas.text(label, x: Double(slot.x) + Double(slot.width) / 2, y: metrics.headerY + metrics.line / 2, horizontal: 0.5)
        }
        for (r, label) in rowLabels.enumerated() where r < slots.rows.count {
            let slot = slots.rows[r]
            canvas.text(label, x: Double(slots.columns[0].x - gutter), y: Double(slot.y) + Double(slot.height) / 2, horizontal: 1)
        }
        for r in cells.indices {
            for c in cells[r].indices {
                if let picture = cells[r][c], let rect = layout.cells[r][c] {
                    try canvas.draw(picture, x: rect.x, y: rect.y)
                } else {
                    let (column, row) = (slots.columns[c], slots.rows[r])
                    canvas.fill(x: Double(column.x), y: Double(row.y), width: Double(column.width), height: Double(row.height), color: .gray(0.85))
                }
            }
        }
        return canvas
    }

    private struct Slots {
        var columns: [(x: Int, width: Int)]
        var rows: [(y: Int, height: Int)]
    }

    private struct Metrics {
        var line, titleHeight, headerY: Double
    }

    private func layout(measuring canvas: Canvas) throws -> (layout: Layout, slots: Slots, metrics: Metrics) {
        let columnCount = max(columnLabels.count, cells.map(\.count).max() ?? 0, 1)
        canvas.font(size: fontSize * 1.3, bold: true)
        let titleHeight = canvas.lineHeight, titleWidth = canvas.textWidth(title)
        canvas.font(size: fontSize)
        let line = canvas.lineHeight
        let labelWidth = rowLabels.isEmpty ? 0 : Int((rowLabels.map(canvas.textWidth).max() ?? 0).rounded(.up)) + gutter
        let headerY = Double(gutter) + titleHeight + Double(gutter)
        let headerHeight = columnLabels.isEmpty ? 0 : Int(line.rounded(.up)) + gutter

        var columns: [(x: Int, width: Int)] = []
        var x = gutter + labelWidth + (rowLabels.isEmpty ? 0 : gutter)
        for c in 0..<columnCount {
            let pictures = cells.compactMap { c < $0.count ? $0[c] : nil }.map(\.width).max() ?? 0
            // Neighbouring column labels keep two gutters between them.
            let label = c < columnLabels.count ? Int(canvas.textWidth(columnLabels[c]).rounded(.up)) + 2 * gutter : 0
            let w = max(pictures, label, Int(line.rounded(.up)))
            columns.append((x, w))
            x += w + gutter
        }
        var rows: [(y: Int, height: Int)] = []
        var y = Int(headerY.rounded(.up)) + headerHeight
        for r in cells.indices {
            let h = max(cells[r].compactMap { $0?.height }.max() ?? 0, Int(line.rounded(.up)))
            rows.append((y, h))
            y += h + gutter
        }
        // Under a title wider than the grid, the grid is centred.
        let width = max(x, Int(titleWidth.rounded(.up)) + 2 * gutter)
        columns = columns.map { ($0.x + (width - x) / 2, $0.width) }
        let rects: [[Rect?]] = cells.indices.map { r in
            cells[r].indices.map { c in
                cells[r][c].map { p in
                    Rect(x: columns[c].x + (columns[c].width - p.width) / 2, y: rows[r].y + (rows[r].height - p.height) / 2,
                         width: p.width, height: p.height)
                }
            }
        }
        guard width <= 32767, y <= 32767 else { throw PlotError.tooLarge(width: width, height: y) }
        return (Layout(width: width, height: y, cells: rects), Slots(columns: columns, rows: rows),
                Metrics(line: line, titleHeight: titleHeight, headerY: headerY))
    }
}
