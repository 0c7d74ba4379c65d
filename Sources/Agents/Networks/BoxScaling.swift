/// An affine map, element by element, between a Box's values and units around zero:
/// `unit = (value − center) / halfWidth`, so finite bounds `[low, high]` become `[−1, 1]`.
///
/// Continuous agents use one to normalise observations by the observation space's bounds and
/// one to stretch an actor's `[−1, 1]` outputs over the action space's bounds; both are saved
/// with the policy so that `gym eval` acts exactly as training did. Running observation
/// statistics (`ObservationNormalization`) become one too, with units clipped to `±clip`.
public struct BoxScaling: Sendable, Equatable {
    /// The value that maps to 0, per element.
    public let center: [Float]
    /// The distance from the center that maps to ±1, per element (never 0).
    public let halfWidth: [Float]
    /// Units are clamped into `[−clip, clip]` (nil: not clamped).
    public let clip: Float?

    /// A map with the given centers and half widths (one each per element), clamping units
    /// into `±clip` when one is given.
    public init(center: [Float], halfWidth: [Float], clip: Float? = nil) {
        precondition(center.count == halfWidth.count, "one center and one half width per element")
        precondition(halfWidth.allSatisfy { $0 != 0 && $0.isFinite }, "half widths must be finite and non-zero")
        precondition(clip.map { $0 > 0 && $0.isFinite } ?? true, "a clip must be positive and finite")
        self.center = center
        self.halfWidth = halfWidth
        self.clip = clip
    }

    /// Maps `[low, high]` onto `[−1, 1]` where both bounds are finite and distinct; other
    /// elements (unbounded, or a single point) pass through unchanged.
    public init(low: [Double], high: [Double]) {
        precondition(low.count == high.count, "one low and one high bound per element")
        var center = [Float](repeating: 0, count: low.count)
        var halfWidth = [Float](repeating: 1, count: low.count)
        for i in low.indices where low[i].isFinite && high[i].isFinite && high[i] > low[i] {
            center[i] = Float((low[i] + high[i]) / 2)
            halfWidth[i] = Float((high[i] - low[i]) / 2)
        }
        self.init(center: center, halfWidth: halfWidth)
    }

    /// The identity on `size` elements.
    public static func identity(_ size: Int) -> BoxScaling {
        BoxScaling(center: Array(repeating: 0, count: size), halfWidth: Array(repeating: 1, count: size))
    }

    /// Elements per value.
    public var size: Int { center.count }

    /// Whether the map changes nothing.
    public var isIdentity: Bool { clip == nil && center.allSatisfy { $0 == 0 } && halfWidth.allSatisfy { $0 == 1 } }

    /// Values (any number of them, back to back) as units.
    public func normalize(_ values: [Float]) -> [Float] {
        let size = size
        guard let clip else { return values.indices.map { (values[$0] - center[$0 % size]) / halfWidth[$0 % size] } }
        return values.indices.map { min(max((values[$0] - center[$0 % size]) / halfWidth[$0 % size], -clip), clip) }
    }

    /// Units (any number of them, back to back) as values.
    public func denormalize(_ units: [Float]) -> [Float] {
        let size = size
        return units.indices.map { center[$0 % size] + halfWidth[$0 % size] * units[$0] }
    }
}
