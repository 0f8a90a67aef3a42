import Foundation
import Models
import TensorCore

/// An independent, deliberately plain VGG in Double: direct loops, no Winograd, no GEMM, no shared buffers.
struct NaiveVGG {
    enum Op { case conv(weight: [Double], bias: [Double], cin: Int, cout: Int), relu, pool }
    var ops: [(name: String, op: Op)] = []
    let avgPool: Bool

    /// torchvision VGG16's first `count` stages read from `weights`.
    init(vgg16 weights: WeightSet, stages count: Int, avgPool: Bool) {
        self.avgPool = avgPool
        let widths = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
        var cin = 3, index = 0
        outer: for (b, block) in widths.enumerated() {
            for (c, cout) in block.enumerated() {
                if ops.count >= count { break outer }
                ops.append(("conv\(b + 1)_\(c + 1)", .conv(
                    weight: weights["features.\(index).weight"]!.values.map(Double.init),
                    bias: weights["features.\(index).bias"]!.values.map(Double.init), cin: cin, cout: cout)))
                ops.append(("relu\(b + 1)_\(c + 1)", .relu))
                index += 2
                cin = cout
            }
            ops.append(("pool\(b + 1)", .pool))
            index += 1
        }
        ops = Array(ops.prefix(count))
    }

    struct Map { var c: Int, h: Int, w: Int, v: [Double] }

    /// Every stage's output, after normalising the [0,1] image.
    func forward(_ image: Tensor) -> [Map] {
        let mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225]
        let s = image.shape
        var x = Map(c: 3, h: s.height, w: s.width, v: (0..<s.count).map { (Double(image.data[$0]) - mean[$0 / s.planeSize]) / std[$0 / s.planeSize] })
        var outputs: [Map] = []
        for (_, op) in ops {
            switch op {
            case let .conv(weight, bias, cin, cout):
                var y = Map(c: cout, h: x.h, w: x.w, v: [Double](repeating: 0, count: cout * x.h * x.w))
                for o in 0..<cout { for i in 0..<(x.h * x.w) { y.v[o * x.h * x.w + i] = bias[o] } }
                for o in 0..<cout { for c in 0..<cin { for ky in 0..<3 { for kx in 0..<3 {
                    let k = weight[((o * cin + c) * 3 + ky) * 3 + kx]
                    for yy in 0..<x.h { for xx in 0..<x.w {
                        let iy = yy + ky - 1, ix = xx + kx - 1
                        if iy >= 0 && iy < x.h && ix >= 0 && ix < x.w { y.v[(o * x.h + yy) * x.w + xx] += k * x.v[(c * x.h + iy) * x.w + ix] }
                    } }
                } } } }
                x = y
            case .relu: x.v = x.v.map { max($0, 0) }
            case .pool:
                var y = Map(c: x.c, h: x.h / 2, w: x.w / 2, v: [])
                for c in 0..<x.c { for yy in 0..<y.h { for xx in 0..<y.w {
                    let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { x.v[(c * x.h + 2 * yy + $0.0) * x.w + 2 * xx + $0.1] }
                    y.v.append(avgPool ? window.reduce(0, +) / 4 : window.max()!)
                } } }
                x = y
            }
            outputs.append(x)
        }
        return outputs
    }

    /// dL/dimage for gradients given at stage outputs (by stage index).
    func backward(_ image: Tensor, outputs: [Map], gradients: [Int: [Double]]) -> [Double] {
        let start = gradients.keys.max()!
        var g = [Double](repeating: 0, count: outputs[start].v.count)
        for i in stride(from: start, through: 0, by: -1) {
            if let extra = gradients[i] { for j in 0..<g.count { g[j] += extra[j] } }
            let y = outputs[i]
            let x = i > 0 ? outputs[i - 1] : Map(c: 3, h: image.shape.height, w: image.shape.width, v: [])
            switch ops[i].op {
            case let .conv(weight, _, cin, cout):
                var dx = [Double](repeating: 0, count: cin * y.h * y.w)
                for o in 0..<cout { for c in 0..<cin { for ky in 0..<3 { for kx in 0..<3 {
                    let k = weight[((o * cin + c) * 3 + ky) * 3 + kx]
                    for yy in 0..<y.h { for xx in 0..<y.w {
                        let iy = yy + ky - 1, ix = xx + kx - 1
                        if iy >= 0 && iy < y.h && ix >= 0 && ix < y.w { dx[(c * y.h + iy) * y.w + ix] += k * g[(o * y.h + yy) * y.w + xx] }
                    } }
                } } } }
                g = dx
            case .relu: for j in 0..<g.count where y.v[j] <= 0 { g[j] = 0 }
            case .pool:
                var dx = [Double](repeating: 0, count: x.v.count)
                for c in 0..<y.c { for yy in 0..<y.h { for xx in 0..<y.w {
                    let gi = g[(c * y.h + yy) * y.w + xx]
                    let cells = [(0, 0), (0, 1), (1, 0), (1, 1)].map { (c * x.h + 2 * yy + $0.0) * x.w + 2 * xx + $0.1 }
                    if avgPool {
                        for cell in cells { dx[cell] += gi / 4 }
                    } else {
                        dx[cells.max { x.v[$0] < x.v[$1] || (x.v[$0] == x.v[$1] && $0 > $1) }!] += gi
                    }
                } } }
                g = dx
            }
        }
        let std = [0.229, 0.224, 0.225], plane = image.shape.planeSize
        return (0..<g.count).map { g[$0] / std[$0 / plane] }
    }
}
