import Foundation
import Models
import TensorCore

/// An independent, deliberately plain VGG16, AlexNet or SqueezeNet 1.1 in Double, written out from torchvision's
/// definitions: direct loops, no Winograd, no GEMM, no shared buffers, every map kept. Max pooling routes a
/// gradient to its window's first maximum (row-major), as torch does on CPU.
struct NaiveNetwork {
    struct Map { var c: Int, h: Int, w: Int, v: [Double] }
    struct Conv { var weight: [Double], bias: [Double], cin: Int, cout: Int, k: Int, stride: Int, pad: Int }
    enum Op { case conv(Conv), relu, pool(kernel: Int, stride: Int, ceil: Bool), fire(squeeze: Conv, e1: Conv, e3: Conv) }

    var ops: [Op] = []
    let avgPool: Bool

    /// torchvision VGG16's first `count` stages.
    init(vgg16 weights: WeightSet, stages count: Int, avgPool: Bool) {
        self.avgPool = avgPool
        let widths = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
        var cin = 3, index = 0
        for block in widths {
            for cout in block {
                ops += [.conv(Self.conv(weights, "features.\(index)", cin, cout, 3, 1, 1)), .relu]
                index += 2
                cin = cout
            }
            ops.append(.pool(kernel: 2, stride: 2, ceil: false))
            index += 1
        }
        ops = Array(ops.prefix(count))
    }

    init(alexnet weights: WeightSet, avgPool: Bool) {
        self.avgPool = avgPool
        func conv(_ i: Int, _ cin: Int, _ cout: Int, _ k: Int, _ s: Int, _ p: Int) -> Op { .conv(Self.conv(weights, "features.\(i)", cin, cout, k, s, p)) }
        let pool = Op.pool(kernel: 3, stride: 2, ceil: false)
        ops = [conv(0, 3, 64, 11, 4, 2), .relu, pool, conv(3, 64, 192, 5, 1, 2), .relu, pool, conv(6, 192, 384, 3, 1, 1), .relu,
               conv(8, 384, 256, 3, 1, 1), .relu, conv(10, 256, 256, 3, 1, 1), .relu, pool]
    }

    init(squeezenet weights: WeightSet, avgPool: Bool) {
        self.avgPool = avgPool
        func fire(_ i: Int, _ cin: Int, _ s: Int, _ e: Int) -> Op {
            .fire(squeeze: Self.conv(weights, "features.\(i).squeeze", cin, s, 1, 1, 0),
                  e1: Self.conv(weights, "features.\(i).expand1x1", s, e, 1, 1, 0), e3: Self.conv(weights, "features.\(i).expand3x3", s, e, 3, 1, 1))
        }
        let pool = Op.pool(kernel: 3, stride: 2, ceil: true)
        ops = [.conv(Self.conv(weights, "features.0", 3, 64, 3, 2, 0)), .relu, pool, fire(3, 64, 16, 64), fire(4, 128, 16, 64), pool,
               fire(6, 128, 32, 128), fire(7, 256, 32, 128), pool, fire(9, 256, 48, 192), fire(10, 384, 48, 192),
               fire(11, 384, 64, 256), fire(12, 512, 64, 256)]
    }

    private static func conv(_ weights: WeightSet, _ prefix: String, _ cin: Int, _ cout: Int, _ k: Int, _ s: Int, _ p: Int) -> Conv {
        Conv(weight: weights["\(prefix).weight"]!.values.map(Double.init), bias: weights["\(prefix).bias"]!.values.map(Double.init),
             cin: cin, cout: cout, k: k, stride: s, pad: p)
    }

    /// Every stage's output, after normalising the [0,1] image.
    func forward(_ image: Tensor) -> [Map] {
        let mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225], s = image.shape
        var x = Map(c: 3, h: s.height, w: s.width, v: (0..<s.count).map { (Double(image.data[$0]) - mean[$0 / s.planeSize]) / std[$0 / s.planeSize] })
        var outputs: [Map] = []
        for op in ops {
            switch op {
            case .conv(let c): x = Self.convolve(x, c)
            case .relu: x.v = x.v.map { max($0, 0) }
            case let .pool(k, stride, ceil): x = pool(x, k, stride, ceil)
            case let .fire(squeeze, e1, e3):
                var inner = Self.convolve(x, squeeze)
                inner.v = inner.v.map { max($0, 0) }
                let a = Self.convolve(inner, e1), b = Self.convolve(inner, e3)
                x = Map(c: a.c + b.c, h: a.h, w: a.w, v: (a.v + b.v).map { max($0, 0) })
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
            switch ops[i] {
            case .conv(let c): g = Self.convolveBackward(g, input: x, c)
            case .relu: for j in 0..<g.count where y.v[j] <= 0 { g[j] = 0 }
            case let .pool(k, stride, _):
                var dx = [Double](repeating: 0, count: x.v.count)
                for c in 0..<y.c { for oy in 0..<y.h { for ox in 0..<y.w {
                    var cells: [Int] = []
                    for dy in 0..<k { for dxx in 0..<k {
                        let iy = oy * stride + dy, ix = ox * stride + dxx
                        if iy < x.h && ix < x.w { cells.append((c * x.h + iy) * x.w + ix) }
                    } }
                    let gi = g[(c * y.h + oy) * y.w + ox]
                    if avgPool {
                        for cell in cells { dx[cell] += gi / Double(cells.count) }
                    } else {
                        dx[cells.first { x.v[$0] == cells.map { x.v[$0] }.max()! }!] += gi
                    }
                } } }
                g = dx
            case let .fire(squeeze, e1, e3):
                var inner = Self.convolve(x, squeeze)
                inner.v = inner.v.map { max($0, 0) }
                for j in 0..<g.count where y.v[j] <= 0 { g[j] = 0 }
                let split = e1.cout * y.h * y.w
                var ds = zip(Self.convolveBackward(Array(g[..<split]), input: inner, e1), Self.convolveBackward(Array(g[split...]), input: inner, e3)).map { $0 + $1 }
                for j in 0..<ds.count where inner.v[j] <= 0 { ds[j] = 0 }
                g = Self.convolveBackward(ds, input: x, squeeze)
            }
        }
        let std = [0.229, 0.224, 0.225], plane = image.shape.planeSize
        return (0..<g.count).map { g[$0] / std[$0 / plane] }
    }

    /// torch's output length: floor mode, or ceil mode dropping a last window that would start past the input.
    private func pool(_ x: Map, _ k: Int, _ stride: Int, _ ceil: Bool) -> Map {
        func length(_ n: Int) -> Int {
            var out = (ceil ? (n - k + stride - 1) / stride : (n - k) / stride) + 1
            if ceil && (out - 1) * stride >= n { out -= 1 }
            return out
        }
        var y = Map(c: x.c, h: length(x.h), w: length(x.w), v: [])
        for c in 0..<x.c { for oy in 0..<y.h { for ox in 0..<y.w {
            var window: [Double] = []
            for dy in 0..<k { for dx in 0..<k {
                let iy = oy * stride + dy, ix = ox * stride + dx
                if iy < x.h && ix < x.w { window.append(x.v[(c * x.h + iy) * x.w + ix]) }
            } }
            y.v.append(avgPool ? window.reduce(0, +) / Double(window.count) : window.max()!)
        } } }
        return y
    }

    private static func convolve(_ x: Map, _ c: Conv) -> Map {
        let ho = (x.h + 2 * c.pad - c.k) / c.stride + 1, wo = (x.w + 2 * c.pad - c.k) / c.stride + 1
        var y = Map(c: c.cout, h: ho, w: wo, v: [Double](repeating: 0, count: c.cout * ho * wo))
        for o in 0..<c.cout { for oy in 0..<ho { for ox in 0..<wo {
            var sum = c.bias[o]
            for i in 0..<c.cin { for ky in 0..<c.k { for kx in 0..<c.k {
                let iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx
                if iy >= 0 && iy < x.h && ix >= 0 && ix < x.w { sum += c.weight[((o * c.cin + i) * c.k + ky) * c.k + kx] * x.v[(i * x.h + iy) * x.w + ix] }
            } } }
            y.v[(o * ho + oy) * wo + ox] = sum
        } } }
        return y
    }

    private static func convolveBackward(_ g: [Double], input x: Map, _ c: Conv) -> [Double] {
        let ho = (x.h + 2 * c.pad - c.k) / c.stride + 1, wo = (x.w + 2 * c.pad - c.k) / c.stride + 1
        var dx = [Double](repeating: 0, count: c.cin * x.h * x.w)
        for o in 0..<c.cout { for oy in 0..<ho { for ox in 0..<wo {
            let go = g[(o * ho + oy) * wo + ox]
            for i in 0..<c.cin { for ky in 0..<c.k { for kx in 0..<c.k {
                let iy = oy * c.stride - c.pad + ky, ix = ox * c.stride - c.pad + kx
                if iy >= 0 && iy < x.h && ix >= 0 && ix < x.w { dx[(i * x.h + iy) * x.w + ix] += c.weight[((o * c.cin + i) * c.k + ky) * c.k + kx] * go }
            } } }
        } } }
        return dx
    }
}
