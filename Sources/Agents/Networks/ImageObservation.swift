import GymCore
import NeuralNet

/// How an image observation (a rank-3 `Box`) reaches a convolutional network: its extents in
/// `C, H, W` order, the memory layout it arrives in, and the divisor that brings its values to
/// `[0, 1]`.
///
/// Layout: an observation of shape `(a, b, c)` is channels-first (`C, H, W`) when `a` is smaller
/// than both `b` and `c`, as Gymnasium's `FrameStackObservation` over `AtariPreprocessing` gives
/// `(4, 84, 84)`; otherwise it is channels-last (`H, W, C`), NumPy's and Gymnasium's image order,
/// which MinAtar's `(10, 10, n)` and raw Atari frames `(210, 160, 3)` use. Scale: `uint8` images
/// are divided by 255 (CleanRL's `x / 255.0`); `bool` and float images pass as they are.
///
/// Observations travel through the agents as the `ObservationEncoding`'s features, the values in
/// wire order as floats; `input` turns a batch of them into the `[batch, C·H·W]` rows a torso reads.
public struct ImageObservation: Sendable, Equatable {
    /// The extents of one image, channels first.
    public let shape: ImageShape
    /// How the pixels arrive.
    public let layout: ImageLayout
    /// What every value is divided by (255 for `uint8`, else 1).
    public let divisor: Float

    /// The image reading of `space`, nil when it is not a rank-3 `Box` (or has an empty extent).
    public init?(_ space: Space) {
        guard case .box(_, _, let dims, let dtype) = space, dims.count == 3,
              let (shape, layout) = Self.arrangement(dims) else { return nil }
        self.init(shape: shape, layout: layout, divisor: dtype == .uint8 ? 255 : 1)
    }

    /// An image reading with the given parts.
    public init(shape: ImageShape, layout: ImageLayout, divisor: Float) {
        self.shape = shape
        self.layout = layout
        self.divisor = divisor
    }

    /// The `C, H, W` extents and layout of a rank-3 shape, nil past `ImageShape.maxCount`.
    static func arrangement(_ dims: [Int]) -> (ImageShape, ImageLayout)? {
        let channelsFirst = dims[0] < dims[1] && dims[0] < dims[2]
        let (c, h, w) = channelsFirst ? (dims[0], dims[1], dims[2]) : (dims[2], dims[0], dims[1])
        guard let shape = try? ImageShape(validating: c, height: h, width: w) else { return nil }
        return (shape, channelsFirst ? .channelsFirst : .channelsLast)
    }

    /// Floats in one observation.
    public var count: Int { shape.count }

    /// `rows` observations (`rows × count` floats in the arrival layout) as `[rows, C·H·W]`
    /// network input in `CHW` order, each value divided by `divisor`.
    public func input(_ observations: UnsafeBufferPointer<Float>, rows: Int) -> Tensor {
        let count = shape.count, plane = shape.planeCount, channels = shape.channels
        precondition(observations.count >= rows * count, "\(observations.count) floats do not hold \(rows) images of \(shape)")
        var data = [Float](repeating: 0, count: rows * count)
        let divisor = divisor
        data.withUnsafeMutableBufferPointer { out in
            guard let dst = out.baseAddress, let src = observations.baseAddress else { return }
            for n in 0..<rows {
                let image = src + n * count, target = dst + n * count
                switch layout {
                case .channelsFirst:
                    for k in 0..<count { target[k] = image[k] / divisor }
                case .channelsLast:
                    for p in 0..<plane {
                        for c in 0..<channels { target[c * plane + p] = image[p * channels + c] / divisor }
                    }
                }
            }
        }
        return Tensor(shape: [rows, count], data: data)
    }

    /// What a saved policy records to read observations the same way.
    var structure: [String: MetadataValue] {
        ["image_shape": .ints([shape.channels, shape.height, shape.width]), "image_layout": .string(layout.rawValue),
         "image_divisor": .double(Double(divisor))]
    }

    /// The reading a saved policy's structure records, or nil when it records none or a bad one.
    init?(structure: [String: MetadataValue]) {
        guard case .ints(let dims) = structure["image_shape"], dims.count == 3,
              let shape = try? ImageShape(validating: dims[0], height: dims[1], width: dims[2]),
              case .string(let name) = structure["image_layout"], let layout = ImageLayout(rawValue: name) else { return nil }
        let divisor: Double
        switch structure["image_divisor"] {
        case .double(let value): divisor = value
        case .int(let value): divisor = Double(value)
        default: return nil
        }
        guard divisor == 1 || divisor == 255 else { return nil }
        self.init(shape: shape, layout: layout, divisor: Float(divisor))
    }
}
