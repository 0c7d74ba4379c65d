/// One recorded operation and the ids of the nodes it read.
enum Op {
    case constant
    case parameter(Parameter)
    case linear(x: Int, weight: Parameter, bias: Parameter?)
    case conv2d(x: Int, ConvolutionGeometry, weight: Parameter, bias: Parameter?)
    case matmul(Int, Int, transA: Bool, transB: Bool)
    case binary(BinaryKind, Int, Int, Strides, Strides)
    case affine(Int, scale: Float, shift: Float)
    case unary(UnaryKind, Int)
    case clamp(Int, lo: Float, hi: Float)
    case elu(Int, alpha: Float)
    case softmax(Int)
    case logSoftmax(Int)
    case sum(Int, mean: Bool)
    case sumRows(Int, mean: Bool)
    case maxRows(Int)
    case gather(Int, [Int])
    case concat([Int])
    case mse(Int, Int)
    case huber(Int, Int, delta: Float)
}
