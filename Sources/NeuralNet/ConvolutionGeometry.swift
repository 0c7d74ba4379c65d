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
    /// Visits every line of the column matrix: for each channel `c`, tap `(i, j)`, image `n` and
    /// output row `oh`, `body` gets the column line (`W_out` floats of `cols`), the offset of the
    /// image line it reads (`image + ih·W − pad + j`, output column `ow` at `ow·stride`), the range of
    /// output columns inside the image, and whether row `ih` is inside at all. The unrolling and
    /// its adjoint are this one walk with different bodies.
    @inline(__always)
    private static func forEachLine(batch: Int, _ g: ConvolutionGeometry,
                                    _ body: (_ line: Int, _ image: Int, _ columns: Range<Int>, _ inside: Bool) -> Void) {
        let inH = g.input.height, inW = g.input.width, plane = g.input.planeCount
        let outH = g.output.height, outW = g.output.width, pixels = g.output.planeCount
        let k = g.kernelSize, s = g.stride, pad = g.padding
        let rowLength = batch * pixels
        for c in 0..<g.input.channels {
            for i in 0..<k {
                for j in 0..<k {
                    let row = ((c * k + i) * k + j) * rowLength
                    let (owLow, owHigh) = g.insideColumns(tap: j)
                    let columns = owLow < owHigh ? owLow..<owHigh : owLow..<owLow
                    for n in 0..<batch {
                        let image = n * g.input.count + c * plane
                        for oh in 0..<outH {
                            let ih = oh * s - pad + i
                            let inside = ih >= 0 && ih < inH && !columns.isEmpty
                            body(row + n * pixels + oh * outW, image + ih * inW - pad + j, columns, inside)
                        }
                    }
                }
            }
        }
    }

    /// Writes the column matrix of `batch` images from `x` (`[batch, C·H·W]`) into `cols`.
    static func unroll(_ x: UnsafePointer<Float>, batch: Int, _ g: ConvolutionGeometry, into cols: UnsafeMutablePointer<Float>) {
        let outW = g.output.width, s = g.stride
        forEachLine(batch: batch, g) { lineOffset, imageOffset, columns, inside in
            let line = cols + lineOffset
            guard inside else {
                line.update(repeating: 0, count: outW)
                return
            }
            if columns.lowerBound > 0 { line.update(repeating: 0, count: columns.lowerBound) }
            if columns.upperBound < outW { (line + columns.upperBound).update(repeating: 0, count: outW - columns.upperBound) }
            let src = x + imageOffset
            if s == 1 {
                (line + columns.lowerBound).update(from: src + columns.lowerBound, count: columns.count)
            } else {
                for ow in columns { line[ow] = src[ow * s] }
            }
        }
    }

    /// Adds the column-matrix gradient `cols` back onto the images' gradient `dx` (`[batch, C·H·W]`):
    /// every input pixel receives the sum over the taps that read it.
    static func accumulate(_ cols: UnsafePointer<Float>, batch: Int, _ g: ConvolutionGeometry, into dx: UnsafeMutablePointer<Float>) {
        let s = g.stride
        forEachLine(batch: batch, g) { lineOffset, imageOffset, columns, inside in
            guard inside else { return }
            let line = cols + lineOffset, dst = dx + imageOffset
            for ow in columns { dst[ow * s] += line[ow] }
        }
    }
}
