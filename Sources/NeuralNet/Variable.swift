/// A handle on a node of a `Graph`: the result of a differentiable operation.
///
/// Operations are methods and operators on `Variable`; each evaluates at once and
/// records itself on the graph for `Graph.backward`.
public struct Variable {
    /// The graph that holds this node.
    public let graph: Graph
    /// The node's position on the graph's tape.
    public let id: Int

    /// The node's shape (`[]`, `[n]` or `[rows, cols]`).
    public var shape: [Int] { graph.node(self).shape }

    /// A copy of the node's value.
    public var value: Tensor { graph.value(of: self) }

    /// A copy of the node's gradient after `Graph.backward`, if one reached it.
    public var gradient: Tensor? { graph.gradient(of: self) }

    /// Whether a gradient will flow into this node (it depends on a parameter).
    public var requiresGrad: Bool { graph.node(self).requiresGrad }

    /// The same value as a constant, cutting the gradient (PyTorch's `detach()`).
    public func detached() -> Variable { graph.constant(value) }

    /// Elementwise sum, broadcasting as NumPy does for at most 2-D operands.
    public static func + (a: Variable, b: Variable) -> Variable { a.graph.binary(.add, a, b) }
    /// Elementwise difference, broadcasting.
    public static func - (a: Variable, b: Variable) -> Variable { a.graph.binary(.sub, a, b) }
    /// Elementwise product, broadcasting.
    public static func * (a: Variable, b: Variable) -> Variable { a.graph.binary(.mul, a, b) }
    /// Elementwise quotient, broadcasting.
    public static func / (a: Variable, b: Variable) -> Variable { a.graph.binary(.div, a, b) }

    /// Adds a scalar to every element.
    public static func + (a: Variable, s: Float) -> Variable { a.graph.affine(a, scale: 1, shift: s) }
    /// Adds a scalar to every element.
    public static func + (s: Float, a: Variable) -> Variable { a.graph.affine(a, scale: 1, shift: s) }
    /// Subtracts a scalar from every element.
    public static func - (a: Variable, s: Float) -> Variable { a.graph.affine(a, scale: 1, shift: -s) }
    /// Subtracts every element from a scalar.
    public static func - (s: Float, a: Variable) -> Variable { a.graph.affine(a, scale: -1, shift: s) }
    /// Multiplies every element by a scalar.
    public static func * (a: Variable, s: Float) -> Variable { a.graph.affine(a, scale: s, shift: 0) }
    /// Multiplies every element by a scalar.
    public static func * (s: Float, a: Variable) -> Variable { a.graph.affine(a, scale: s, shift: 0) }
    /// Divides every element by a scalar.
    public static func / (a: Variable, s: Float) -> Variable { a.graph.affine(a, scale: 1 / s, shift: 0) }
    /// Negates every element.
    public static prefix func - (a: Variable) -> Variable { a.graph.affine(a, scale: -1, shift: 0) }
}
