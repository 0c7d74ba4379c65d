/// The extent of one image: channels, height and width (PyTorch's `C, H, W`).
///
/// Graph values are at most 2-D, so a batch of images lives on the graph as `[batch, C·H·W]`
/// with each row in channel-major (`CHW`) order, exactly the memory of PyTorch's contiguous
/// `NCHW` tensor. `Flatten` is then free, and its order is PyTorch's `flatten(start_dim: 1)`.
public struct ImageShape: Sendable, Equatable, CustomStringConvertible {
    /// The number of channels (feature maps).
    public var channels: Int
    /// The number of rows.
    public var height: Int
    /// The number of columns.
    public var width: Int

    /// Creates an image shape; every extent must be positive.
    public init(channels: Int, height: Int, width: Int) {
        precondition(channels > 0 && height > 0 && width > 0, "image extents must be positive, got \(channels)×\(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Most values one image may hold (`C·H·W`) when its extents come from outside the program.
    public static let maxCount = 1 << 28

    /// Checks extents that come from outside the program (an observation space a server sent):
    /// each positive and `C·H·W` at most `maxCount`, computed without overflow.
    public init(validating channels: Int, height: Int, width: Int) throws(ModuleError) {
        guard channels > 0, height > 0, width > 0 else {
            throw .unsupportedImage("image extents must be positive, got \(channels)×\(height)×\(width)")
        }
        let (plane, planeOverflow) = height.multipliedReportingOverflow(by: width)
        let (count, overflow) = plane.multipliedReportingOverflow(by: channels)
        guard !planeOverflow, !overflow, count <= Self.maxCount else {
            throw .unsupportedImage("images of \(channels)×\(height)×\(width) exceed \(Self.maxCount) values")
        }
        self.init(channels: channels, height: height, width: width)
    }

    /// The number of values in one image (`C·H·W`).
    public var count: Int { channels * height * width }

    /// The number of pixels in one channel (`H·W`).
    public var planeCount: Int { height * width }

    /// `C×H×W`.
    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// A batch of images on a graph: a `[batch, C·H·W]` variable together with the shape of one image.
///
/// What `Conv2D` takes and returns; `Flatten` turns it back into a plain `[batch, features]` variable.
public struct ImageVariable {
    /// The `[batch, C·H·W]` node, each row one image in `CHW` order.
    public let variable: Variable
    /// The shape of each image.
    public let shape: ImageShape

    /// Views a `[batch, C·H·W]` (or `[C·H·W]`, one image) variable as images of `shape`.
    public init(_ variable: Variable, shape: ImageShape) {
        let n = variable.graph.node(variable)
        precondition(n.rank >= 1 && n.cols == shape.count,
                     "a value of shape \(n.shape) does not hold images of \(shape) (\(shape.count) values per row)")
        self.variable = variable
        self.shape = shape
    }

    /// The number of images.
    public var batchSize: Int { variable.graph.node(variable).rows }

    /// The graph that holds the images.
    public var graph: Graph { variable.graph }
}
