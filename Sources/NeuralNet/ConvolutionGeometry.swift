/// The sizes one 2-D convolution works with: input image, square kernel, stride, zero padding.
///
/// Output extents follow PyTorch's `Conv2d` (dilation 1): `⌊(in + 2·padding − kernel) / stride⌋ + 1`.
struct ConvolutionGeometry: Equatable {
    var input: ImageShape
    var outputChannels: Int
    var kernelSize: Int
    var stride: Int
    var padding: Int

    init(input: ImageShape, outputChannels: Int, kernelSize: Int, stride: Int, padding: Int) {
        precondition(outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "a convolution needs positive channels, kernel and stride and a non-negative padding")
        precondition(input.height + 2 * padding >= kernelSize && input.width + 2 * padding >= kernelSize,
                     "a \(kernelSize)×\(kernelSize) kernel does not fit a padded \(input) input (padding \(padding))")
        self.input = input
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }

    /// The shape of each output image.
    var output: ImageShape {
        ImageShape(channels: outputChannels,
                   height: (input.height + 2 * padding - kernelSize) / stride + 1,
                   width: (input.width + 2 * padding - kernelSize) / stride + 1)
    }

    /// The output columns `ow` whose kernel tap `j` lands inside the image, `ow·stride − padding + j ∈ [0, W)`,
    /// as a half-open range `low..<high` (empty when `low >= high`).
    func insideColumns(tap j: Int) -> (low: Int, high: Int) {
        let low = j >= padding ? 0 : (padding - j + stride - 1) / stride
        let last = input.width - 1 + padding - j
        return (low, last < 0 ? 0 : Swift.min(output.width, last / stride + 1))
    }

    /// The length of one unrolled receptive field, `C_in·k·k`: the inner dimension of the product.
    var patchSize: Int { input.channels * kernelSize * kernelSize }
}

/// The unrolling (im2col) and its adjoint (col2im) that turn a convolution into one sgemm.
///
/// The column matrix of a batch is `[C_in·k·k, batch·H_out·W_out]`, row-major: row `(c, i, j)`
/// holds, for every output pixel of every image, the input pixel under kernel tap `(i, j)` of
/// channel `c` (zero in the padding). Images sit side by side along the columns, so the whole
/// batch is one product `W[C_out, C_in·k·k] · cols`.
enum ConvolutionKernels {
    /// Writes the column matrix of `batch` images from `x` (`[batch, C·H·W]`) into `cols`.
    static func unroll(_ x: UnsafePointer<Float>, batch: Int, _ g: ConvolutionGeometry, into cols: UnsafeMutablePointer<Float>) {
        let inH = g.input.height, inW = g.input.width, plane = g.input.planeCount
        let out = g.output, outH = out.height, outW = out.width, pixels = out.planeCount
        let k = g.kernelSize, s = g.stride, pad = g.padding
        let rowLength = batch * pixels
        for c in 0..<g.input.channels {
            for i in 0..<k {
                for j in 0..<k {
                    let row = cols + ((c * k + i) * k + j) * rowLength
                    let (owLow, owHigh) = g.insideColumns(tap: j)
                    for n in 0..<batch {
                        let image = x + n * g.input.count + c * plane
                        let dst = row + n * pixels
                        for oh in 0..<outH {
                            let ih = oh * s - pad + i
                            let line = dst + oh * outW
                            guard ih >= 0 && ih < inH, owLow < owHigh else {
                                line.update(repeating: 0, count: outW)
                                continue
                            }
                            if owLow > 0 { line.update(repeating: 0, count: owLow) }
                            if owHigh < outW { (line + owHigh).update(repeating: 0, count: outW - owHigh) }
                            let src = image + ih * inW - pad + j
                            if s == 1 {
                                (line + owLow).update(from: src + owLow, count: owHigh - owLow)
                            } else {
                                for ow in owLow..<owHigh { line[ow] = src[ow * s] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the column-matrix gradient `cols` back onto the images' gradient `dx` (`[batch, C·H·W]`):
    /// every input pixel receives the sum over the taps that read it.
    static func accumulate(_ cols: UnsafePointer<Float>, batch: Int, _ g: ConvolutionGeometry, into dx: UnsafeMutablePointer<Float>) {
        let inH = g.input.height, inW = g.input.width, plane = g.input.planeCount
        let out = g.output, outH = out.height, outW = out.width, pixels = out.planeCount
        let k = g.kernelSize, s = g.stride, pad = g.padding
        let rowLength = batch * pixels
        for c in 0..<g.input.channels {
            for i in 0..<k {
                for j in 0..<k {
                    let row = cols + ((c * k + i) * k + j) * rowLength
                    let (owLow, owHigh) = g.insideColumns(tap: j)
                    guard owLow < owHigh else { continue }
                    for n in 0..<batch {
                        let image = dx + n * g.input.count + c * plane
                        let src = row + n * pixels
                        for oh in 0..<outH {
                            let ih = oh * s - pad + i
                            guard ih >= 0 && ih < inH else { continue }
                            let line = src + oh * outW
                            let dst = image + ih * inW - pad + j
                            for ow in owLow..<owHigh { dst[ow * s] += line[ow] }
                        }
                    }
                }
            }
        }
    }
}
