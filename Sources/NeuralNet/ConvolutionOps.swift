// The 2-D convolution as a graph operation: unroll the batch (im2col, a receptive field a row),
// one sgemm against the `[C_out, C_in·k·k]` weight, and in backward two more sgemms and the
// adjoint unroll.

extension ImageVariable {
    /// PyTorch's `F.conv2d` (dilation 1, one group): weight `[C_out, C_in, k, k]`, bias `[C_out]`,
    /// zero padding on every side.
    public func conv2d(weight: Parameter, bias: Parameter?, stride: Int = 1, padding: Int = 0) -> ImageVariable {
        precondition(weight.value.rank == 4 && weight.shape[2] == weight.shape[3],
                     "a convolution weight is [out, in, k, k], got \(weight.shape)")
        precondition(weight.shape[1] == shape.channels,
                     "the weight reads \(weight.shape[1]) channels, the images have \(shape.channels)")
        let geometry = ConvolutionGeometry(input: shape, outputChannels: weight.shape[0], kernelSize: weight.shape[2],
                                           stride: stride, padding: padding)
        return graph.conv2d(self, geometry: geometry, weight: weight, bias: bias)
    }
}

extension Graph {
    func conv2d(_ x: ImageVariable, geometry g: ConvolutionGeometry, weight: Parameter, bias: Parameter?) -> ImageVariable {
        if let bias { precondition(bias.value.count == g.outputChannels, "bias size \(bias.value.count) != \(g.outputChannels)") }
        let batch = node(x.variable).rows
        let out = g.output, pixels = out.planeCount, columns = batch * pixels
        let channels = g.outputChannels, patch = g.patchSize
        let id = makeNode(.conv2d(x: x.variable.id, g, weight: weight, bias: bias), rank: 2, rows: batch, cols: out.count,
                          requiresGrad: true)
        let result = nodes[id]
        let cols = result.workspace.reserve(patch * columns)
        // The product is [C_out, batch·pixels]; each image's block then moves to its own row. It
        // is made a few images at a time, so that sgemm reads each part of the column matrix
        // while the unrolling has just left it in cache.
        let product = scratch.first.reserve(channels * columns)
        let chunk = ConvolutionKernels.imagesPerChunk(g)
        withValue(x.variable.id) { px in
            Graph.withValue(of: weight) { w in
                for first in stride(from: 0, to: batch, by: chunk) {
                    let count = Swift.min(chunk, batch - first)
                    let part = cols + first * pixels * patch
                    ConvolutionKernels.unroll(px + first * g.input.count, batch: count, g, into: part)
                    BLAS.gemm(transA: false, transB: true, m: channels, n: count * pixels, k: patch, a: w, lda: patch,
                              b: part, ldb: patch, beta: 0, c: product + first * pixels, ldc: columns)
                }
            }
        }
        let y = result.value
        func scatter(_ b: UnsafePointer<Float>?) {
            for n in 0..<batch {
                for o in 0..<channels {
                    let src = product + o * columns + n * pixels, dst = y + (n * channels + o) * pixels
                    let shift = b?[o] ?? 0
                    for p in 0..<pixels { dst[p] = src[p] + shift }
                }
            }
        }
        if let bias { Graph.withValue(of: bias) { scatter($0) } } else { scatter(nil) }
        return ImageVariable(Variable(graph: self, id: id), shape: out)
    }

    func backwardConv2D(_ n: Node, x: Int, geometry g: ConvolutionGeometry, weight: Parameter, bias: Parameter?) {
        let batch = n.rows, pixels = g.output.planeCount, columns = batch * pixels
        let channels = g.outputChannels, patch = g.patchSize
        let dy = n.grad, cols = n.workspace.pointer
        // dY in the product's layout, [C_out, batch·pixels].
        let dProduct = scratch.first.reserve(channels * columns)
        for b in 0..<batch {
            for o in 0..<channels {
                (dProduct + o * columns + b * pixels).update(from: dy + (b * channels + o) * pixels, count: pixels)
            }
        }
        if let bias {
            withGrad(of: bias) { gb in
                for o in 0..<channels {
                    let row = dProduct + o * columns
                    var s: Float = 0
                    for k in 0..<columns { s += row[k] }
                    gb[o] += s
                }
            }
        }
        // dW += dY · cols
        withGrad(of: weight) { gw in
            BLAS.gemm(transA: false, transB: false, m: channels, n: patch, k: columns, a: dProduct, lda: columns,
                      b: cols, ldb: patch, beta: 1, c: gw, ldc: patch)
        }
        // dX += col2im(dYᵀ · W), skipped for inputs (the usual first layer) that need no gradient.
        withGrad(x) { gx in
            let dCols = scratch.second.reserve(patch * columns)
            Graph.withValue(of: weight) { w in
                BLAS.gemm(transA: true, transB: false, m: columns, n: patch, k: channels, a: dProduct, lda: columns,
                          b: w, ldb: patch, beta: 0, c: dCols, ldc: patch)
            }
            ConvolutionKernels.accumulate(dCols, batch: batch, g, into: gx)
        }
    }
}
