/// The function an optimizer minimises: reads `x`, writes ∂f/∂x into `gradient`, returns f(x).
public typealias LossAndGradient = (_ x: UnsafeBufferPointer<Float>, _ gradient: UnsafeMutableBufferPointer<Float>) -> Double
