/// How the pixels of an 8-bit image are ordered in memory.
public enum ImageLayout: String, Sendable, Equatable, CaseIterable {
    /// Channel planes one after another (`C, H, W`), PyTorch's layout.
    case channelsFirst
    /// Each pixel's channels together (`H, W, C`), Gymnasium's and NumPy images' layout.
    case channelsLast
}

/// 8-bit images to the float input of a convolutional network: `byte / 255` in `CHW` order,
/// as CleanRL's Atari networks compute `x / 255.0` (after `permute` for `HWC` observations).
public enum ImageInput {
    /// `byte / 255` for every byte value, each the correctly rounded float32 quotient.
    static let scaled: [Float] = (0...255).map { Float($0) / 255 }

    /// Writes `batch` images of `shape` from `bytes` (stored in `layout`) as scaled floats in `CHW` order.
    static func convert(_ bytes: UnsafeBufferPointer<UInt8>, batch: Int, shape: ImageShape, layout: ImageLayout,
                        into out: UnsafeMutablePointer<Float>) {
        let count = shape.count, plane = shape.planeCount, channels = shape.channels
        scaled.withUnsafeBufferPointer { table in
            guard let src = bytes.baseAddress else { return }
            for n in 0..<batch {
                let image = src + n * count, dst = out + n * count
                switch layout {
                case .channelsFirst:
                    for k in 0..<count { dst[k] = table[Int(image[k])] }
                case .channelsLast:
                    for p in 0..<plane {
                        let pixel = image + p * channels
                        for c in 0..<channels { dst[c * plane + p] = table[Int(pixel[c])] }
                    }
                }
            }
        }
    }

    /// The number of images in `byteCount` bytes of images of `shape`. The bytes are observations a
    /// server sent, so a count that is not a whole number of images is an error, not a trap.
    static func batchSize(byteCount: Int, shape: ImageShape) throws(ModuleError) -> Int {
        guard byteCount % shape.count == 0 else {
            throw .unsupportedImage("\(byteCount) bytes are not a whole number of \(shape) images (\(shape.count) bytes each)")
        }
        return byteCount / shape.count
    }

    /// A `[batch, C·H·W]` tensor of scaled images from consecutive 8-bit images in `layout`.
    public static func tensor(_ bytes: [UInt8], shape: ImageShape, layout: ImageLayout) throws(ModuleError) -> Tensor {
        let batch = try batchSize(byteCount: bytes.count, shape: shape)
        var data = [Float](repeating: 0, count: bytes.count)
        bytes.withUnsafeBufferPointer { src in
            data.withUnsafeMutableBufferPointer { dst in
                if let base = dst.baseAddress { convert(src, batch: batch, shape: shape, layout: layout, into: base) }
            }
        }
        return Tensor(shape: [batch, shape.count], data: data)
    }
}

extension Graph {
    /// Adds consecutive 8-bit images in `layout` as constant input images scaled to `[0, 1]`,
    /// converted straight into the graph's buffer.
    public func images(_ bytes: [UInt8], shape: ImageShape, layout: ImageLayout) throws(ModuleError) -> ImageVariable {
        let batch = try ImageInput.batchSize(byteCount: bytes.count, shape: shape)
        let id = makeNode(.constant, rank: 2, rows: batch, cols: shape.count, requiresGrad: false)
        let out = nodes[id].value
        bytes.withUnsafeBufferPointer { ImageInput.convert($0, batch: batch, shape: shape, layout: layout, into: out) }
        return ImageVariable(Variable(graph: self, id: id), shape: shape)
    }

    /// Adds float images (`[batch, C·H·W]`, `CHW` order) as a constant input.
    public func images(_ tensor: Tensor, shape: ImageShape) -> ImageVariable {
        ImageVariable(constant(tensor), shape: shape)
    }
}
