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

    /// The length of one unrolled receptive field, `C_in·k·k`: the inner dimension of the product.
    var patchSize: Int { input.channels * kernelSize * kernelSize }
}

/// The unrolling (im2col) and its adjoint (col2im) that turn a convolution into one sgemm.
///
/// The column matrix of a batch is `[batch·H_out·W_out, C_in·k·k]`, row-major: row `(n, oh, ow)`
/// holds the receptive field of that output pixel of image `n`, channel by channel and kernel
/// row by kernel row (zero in the padding). A kernel row reads `k` neighbouring input pixels, so
/// the unrolling moves runs of `k` floats rather than gathering one strided float at a time, and
/// the whole batch is one product `W[C_out, C_in·k·k] · colsᵀ`.
enum ConvolutionKernels {
    /// Visits every kernel row of every receptive field: for output pixel `(n, oh, ow)`, channel
    /// `c` and kernel row `i`, `body` gets the offset of the `k` floats in `cols`, the offset of
    /// the input pixel under tap `(i, 0)` (`image + ih·W + ow·stride − pad`), the taps `j` inside
    /// the image, and whether row `ih` is inside at all. The unrolling and its adjoint are this
    /// one walk with different bodies.
    @inline(__always)
    private static func forEachKernelRow(batch: Int, _ g: ConvolutionGeometry,
                                         _ body: (_ field: Int, _ image: Int, _ taps: Range<Int>, _ inside: Bool) -> Void) {
        let inH = g.input.height, inW = g.input.width, plane = g.input.planeCount
        let outH = g.output.height, outW = g.output.width
        let k = g.kernelSize, s = g.stride, pad = g.padding, patch = g.patchSize
        var field = 0
        for n in 0..<batch {
            for oh in 0..<outH {
                for ow in 0..<outW {
                    let left = ow * s - pad
                    let taps = Swift.max(0, -left)..<Swift.max(Swift.max(0, -left), Swift.min(k, inW - left))
                    for c in 0..<g.input.channels {
                        let image = n * g.input.count + c * plane
                        for i in 0..<k {
                            let ih = oh * s - pad + i
                            body(field + (c * k + i) * k, image + ih * inW + left, taps, ih >= 0 && ih < inH && !taps.isEmpty)
                        }
                    }
                    field += patch
                }
            }
        }
    }

    /// Writes the column matrix of `batch` images from `x` (`[batch, C·H·W]`) into `cols`.
    static func unroll(_ x: UnsafePointer<Float>, batch: Int, _ g: ConvolutionGeometry, into cols: UnsafeMutablePointer<Float>) {
        if g.padding == 0 {
            // No padding (the Nature and MinAtar torsos): every kernel row is k floats in a row.
            forEachInteriorKernelRow(batch: batch, g) { fieldOffset, imageOffset in
                copy(g.kernelSize, from: x + imageOffset, to: cols + fieldOffset)
            }
            return
        }
        let k = g.kernelSize
        forEachKernelRow(batch: batch, g) { fieldOffset, imageOffset, taps, inside in
            let row = cols + fieldOffset
            guard inside else {
                for j in 0..<k { row[j] = 0 }
                return
            }
            let src = x + imageOffset
            for j in 0..<k { row[j] = taps.contains(j) ? src[j] : 0 }
        }
    }

    /// Adds the column-matrix gradient `cols` back onto the images' gradient `dx` (`[batch, C·H·W]`):
    /// every input pixel receives the sum over the taps that read it.
    static func accumulate(_ cols: UnsafePointer<Float>, batch: Int, _ g: ConvolutionGeometry, into dx: UnsafeMutablePointer<Float>) {
        if g.padding == 0 {
            forEachInteriorKernelRow(batch: batch, g) { fieldOffset, imageOffset in
                add(g.kernelSize, from: cols + fieldOffset, to: dx + imageOffset)
            }
            return
        }
        forEachKernelRow(batch: batch, g) { fieldOffset, imageOffset, taps, inside in
            guard inside else { return }
            let row = cols + fieldOffset, dst = dx + imageOffset
            for j in taps { dst[j] += row[j] }
        }
    }

    /// `forEachKernelRow` without padding, where every tap is inside: `body` gets the offsets of
    /// the `k` floats in `cols` and of the first input pixel they read. The offsets stay within
    /// the sizes the geometry was built from, so they are stepped without overflow checks.
    @inline(__always)
    private static func forEachInteriorKernelRow(batch: Int, _ g: ConvolutionGeometry, _ body: (_ field: Int, _ image: Int) -> Void) {
        let inW = g.input.width, plane = g.input.planeCount, imageCount = g.input.count
        let outH = g.output.height, outW = g.output.width, channels = g.input.channels
        let k = g.kernelSize, s = g.stride
        var field = 0
        for n in 0..<batch {
            let image = n &* imageCount
            for oh in 0..<outH {
                let rowStart = image &+ oh &* s &* inW
                for ow in 0..<outW {
                    var channelStart = rowStart &+ ow &* s
                    for _ in 0..<channels {
                        var source = channelStart
                        for _ in 0..<k {
                            body(field, source)
                            field &+= k
                            source &+= inW
                        }
                        channelStart &+= plane
                    }
                }
            }
        }
    }

    /// Images whose column matrix fits about half of a core's L2 cache (at least one).
    static func imagesPerChunk(_ g: ConvolutionGeometry) -> Int {
        let bytesPerImage = g.output.planeCount * g.patchSize * MemoryLayout<Float>.size
        return Swift.max(1, (512 << 10) / Swift.max(1, bytesPerImage))
    }

    /// Copies `count` floats; the kernel widths of the usual torsos (8, 4) as whole vectors.
    @inline(__always)
    private static func copy(_ count: Int, from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>) {
        switch count {
        case 8: store(load(SIMD8<Float>.self, src), dst)
        case 4: store(load(SIMD4<Float>.self, src), dst)
        default: for j in 0..<count { dst[j] = src[j] }
        }
    }

    /// Adds `count` floats of `src` onto `dst`, as `copy` moves them.
    @inline(__always)
    private static func add(_ count: Int, from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>) {
        switch count {
        case 8: store(load(SIMD8<Float>.self, dst) + load(SIMD8<Float>.self, src), dst)
        case 4: store(load(SIMD4<Float>.self, dst) + load(SIMD4<Float>.self, src), dst)
        default: for j in 0..<count { dst[j] += src[j] }
        }
    }

    @inline(__always)
    private static func load<V: SIMD>(_: V.Type, _ pointer: UnsafePointer<Float>) -> V where V.Scalar == Float {
        UnsafeRawPointer(pointer).loadUnaligned(as: V.self)
    }

    @inline(__always)
    private static func store<V: SIMD>(_ value: V, _ pointer: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: V.self)
    }
}
